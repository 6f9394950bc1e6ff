/* SPDX-License-Identifier: MIT */
/* Invariants under extreme but valid inputs, through the public PK API (issue 8):
 * body weights at both ends of the accepted range (30 and 250 kg), every drug by every route its
 * default parameter set supports mixed in one regimen, 200 infusions (daily, and overlapping
 * every 30 min), strong between-patient variability. On a dense time grid plus every dose start
 * and infusion end: every concentration is finite and >= 0, and the mass balance
 * administered = in_body + eliminated + not_absorbed holds to 1e-9 (relative to the amount
 * administered), with every term >= 0. Weights just outside the range are refused.
 * 100,000 patients drawn by the population layer at both ends of the weight range each get a PK
 * simulation: covariates within their bounds, concentrations finite and >= 0, mass balance. (A
 * whole `ketasim run` costs ~25 ms of CPU per patient, so the CLI test runs fewer; see
 * tests/invariants_cli.sh.) */
#include "harness.h"

#include <ketasim/pk.h>
#include <ketasim/population.h>
#include <ketasim/rng.h>

#define MAX_DOSES 256
#define TOL_REL 1e-9

/* Check one time point; sets *ks_failed_ and reports on the first violation. */
static void check_at(const ks_pk_sim *sim, double t_h, const char *what, int *ks_failed_) {
  ks_pk_conc c;
  ks_status st = ks_pk_sim_eval(sim, t_h, &c);
  if (st != KS_OK) {
    KS_FAIL_("%s: eval at t = %.6g h returned %s", what, t_h, ks_status_name(st));
  }
  for (int s = 0; s < KS_SPECIES_N; s++) {
    double v[3] = {c.plasma_ng_per_mL[s], c.effect_ng_per_mL[s], c.brain_unbound_uM[s]};
    for (int k = 0; k < 3; k++)
      if (!(isfinite(v[k]) && v[k] >= 0.0))
        KS_FAIL_("%s: %s concentration %d of species %s at t = %.6g h is %g", what,
                 k == 0 ? "plasma" : k == 1 ? "effect-site" : "brain", k,
                 ks_species_name((ks_species)s), t_h, v[k]);
  }
  ks_pk_mass_balance mb;
  st = ks_pk_sim_mass_balance(sim, t_h, &mb);
  if (st != KS_OK) KS_FAIL_("%s: mass balance at %.6g h returned %s", what, t_h, ks_status_name(st));
  double terms[4] = {mb.administered_mg, mb.in_body_mg, mb.eliminated_mg, mb.not_absorbed_mg};
  double scale = fmax(1.0, mb.administered_mg);
  for (int k = 0; k < 4; k++)
    if (!(isfinite(terms[k]) && terms[k] >= -TOL_REL * scale))
      KS_FAIL_("%s: mass-balance term %d at t = %.6g h is %g", what, k, t_h, terms[k]);
  double resid = mb.administered_mg - (mb.in_body_mg + mb.eliminated_mg + mb.not_absorbed_mg);
  if (!(fabs(resid) <= TOL_REL * scale))
    KS_FAIL_("%s: mass balance off by %.3g mg (%.3g relative) at t = %.6g h: administered %.10g, "
             "in body %.10g, eliminated %.10g, not absorbed %.10g", what, resid, resid / scale, t_h,
             mb.administered_mg, mb.in_body_mg, mb.eliminated_mg, mb.not_absorbed_mg);
}

/* Every dose start and infusion end (and just after), plus N_GRID points up to t_end_h. */
static void check_sim(const ks_pk_sim *sim, const ks_pk_dose *d, size_t n, double t_end_h,
                      const char *what, int *ks_failed_) {
  const int n_grid = 600;
  for (int i = 0; i <= n_grid && !*ks_failed_; i++) check_at(sim, t_end_h * i / n_grid, what, ks_failed_);
  for (size_t i = 0; i < n; i++) {
    double ts[4] = {d[i].t_start_h, d[i].t_start_h + 1e-6, d[i].t_start_h + d[i].infusion_h,
                    d[i].t_start_h + d[i].infusion_h + 1e-3};
    for (int k = 0; k < 4 && !*ks_failed_; k++) check_at(sim, ts[k], what, ks_failed_);
  }
}

/* A dose of DRUG by ROUTE scaled to the weight, small enough for any route. */
static ks_pk_dose one_dose(ks_drug drug, ks_route route, double weight_kg, double t_h) {
  ks_pk_dose d = {drug, route, 0.0, t_h, 0.0};
  double mg_per_kg = drug == KS_DRUG_MIDAZOLAM ? 0.045 : drug == KS_DRUG_ESKETAMINE ? 0.2 : 0.5;
  d.dose_mg = mg_per_kg * weight_kg;
  if (drug == KS_DRUG_ESKETAMINE && route == KS_ROUTE_INTRANASAL) d.dose_mg = 56.0; /* 2 devices */
  if (route == KS_ROUTE_IV) d.infusion_h = 40.0 / 60.0;
  return d;
}

static ks_pk_sim *make_sim(ks_ctx *ctx, const ks_pk_patient *p, const ks_pk_dose *d, size_t n,
                           ks_status *st) {
  ks_pk_options o = ks_pk_options_default();
  o.allow_unstudied_doses = 1; /* routes without psychiatric use are part of "every route" */
  ks_pk_sim *sim = NULL;
  *st = ks_pk_sim_create(ctx, p, d, n, &o, &sim);
  return sim;
}

static const double kWeights[3] = {30.0, 70.0, 250.0};

KS_TEST(every_drug_and_route_mixed_at_extreme_weights) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx != NULL);
  for (int w = 0; w < 3; w++) {
    ks_pk_patient p = ks_pk_patient_typical(kWeights[w], 40.0, w == 1);
    ks_pk_dose d[MAX_DOSES];
    size_t n = 0;
    double t = 0.5;
    /* Two rounds, the second overlapping the first's absorption: 3 h apart. */
    for (int round = 0; round < 2; round++)
      for (int drug = 0; drug < KS_DRUG_N; drug++)
        for (int route = 0; route < KS_ROUTE_N; route++) {
          if (!ks_pk_model_supports(ks_pk_model_default((ks_drug)drug), (ks_drug)drug, (ks_route)route))
            continue;
          d[n++] = one_dose((ks_drug)drug, (ks_route)route, kWeights[w], t);
          t += 3.0;
        }
    KS_ASSERT_TRUE(n >= 10); /* ketamine by 6 routes, esketamine by 3, midazolam IV, twice */
    ks_status st;
    ks_pk_sim *sim = make_sim(ctx, &p, d, n, &st);
    if (st != KS_OK) KS_FAIL_("weight %g kg: %s", kWeights[w], ks_ctx_last_error(ctx));
    char what[64];
    snprintf(what, sizeof what, "mixed regimen, %g kg", kWeights[w]);
    check_sim(sim, d, n, t + 72.0, what, ks_failed_);
    ks_pk_sim_destroy(&sim);
    if (*ks_failed_) break;
  }
  ks_ctx_destroy(&ctx);
}

KS_TEST(two_hundred_infusions_daily_and_overlapping) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx != NULL);
  for (int w = 0; w < 3 && !*ks_failed_; w++) {
    for (int overlap = 0; overlap < 2 && !*ks_failed_; overlap++) {
      ks_pk_patient p = ks_pk_patient_typical(kWeights[w], 40.0, 0);
      ks_pk_dose d[200];
      for (int i = 0; i < 200; i++)
        d[i] = one_dose(KS_DRUG_KETAMINE, KS_ROUTE_IV, kWeights[w], overlap ? 0.5 * i : 24.0 * (i + 1));
      ks_status st;
      ks_pk_sim *sim = make_sim(ctx, &p, d, 200, &st);
      if (st != KS_OK) KS_FAIL_("200 infusions, %g kg: %s", kWeights[w], ks_ctx_last_error(ctx));
      char what[64];
      snprintf(what, sizeof what, "200 %s infusions, %g kg", overlap ? "overlapping" : "daily",
               kWeights[w]);
      check_sim(sim, d, 200, d[199].t_start_h + 96.0, what, ks_failed_);
      /* Everything given has been given by the end. */
      ks_pk_mass_balance mb;
      KS_ASSERT_OK(ks_pk_sim_mass_balance(sim, d[199].t_start_h + 96.0, &mb));
      KS_ASSERT_REL(mb.administered_mg, 200 * d[0].dose_mg, 1e-12);
      ks_pk_sim_destroy(&sim);
    }
  }
  ks_ctx_destroy(&ctx);
}

KS_TEST(strong_variability_every_drug) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx != NULL);
  /* Deviates at +-3 SD on every parameter, both signs, and 20 random patients. */
  for (int k = 0; k < 22 && !*ks_failed_; k++) {
    double wt = kWeights[k % 3];
    ks_pk_patient p = ks_pk_patient_typical(wt, 18.0 + 3.0 * k, k & 1);
    if (k < 2) {
      for (int drug = 0; drug < KS_DRUG_N; drug++)
        for (int q = 0; q < KS_PKP_N; q++) p.eta_z[drug][q] = k == 0 ? 3.0 : -3.0;
    } else {
      ks_rng r;
      ks_rng_init(&r, 8, KS_STREAM_PK_IIV, (uint64_t)k, 0);
      ks_pk_patient_sample_iiv(&p, &r);
    }
    ks_pk_dose d[3] = {one_dose(KS_DRUG_KETAMINE, KS_ROUTE_IV, wt, 1.0),
                       one_dose(KS_DRUG_ESKETAMINE, KS_ROUTE_INTRANASAL, wt, 30.0),
                       one_dose(KS_DRUG_MIDAZOLAM, KS_ROUTE_IV, wt, 60.0)};
    ks_status st;
    ks_pk_sim *sim = make_sim(ctx, &p, d, 3, &st);
    if (st != KS_OK) KS_FAIL_("patient %d: %s", k, ks_ctx_last_error(ctx));
    check_sim(sim, d, 3, 200.0, "variability", ks_failed_);
    ks_pk_sim_destroy(&sim);
  }
  ks_ctx_destroy(&ctx);
}

KS_TEST(weights_outside_the_range_are_refused) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx != NULL);
  const double bad[4] = {29.9, 250.1, 0.0, NAN};
  for (int i = 0; i < 4; i++) {
    ks_pk_patient p = ks_pk_patient_typical(bad[i], 40.0, 0);
    ks_pk_dose d = one_dose(KS_DRUG_KETAMINE, KS_ROUTE_IV, 70.0, 1.0);
    ks_status st;
    ks_pk_sim *sim = make_sim(ctx, &p, &d, 1, &st);
    KS_ASSERT_EQ_INT(st, KS_EINPUT);
    KS_ASSERT_TRUE(sim == NULL);
  }
  ks_ctx_destroy(&ctx);
}

KS_TEST(hundred_thousand_patients_at_the_weight_extremes) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx != NULL);
  const long n = 100000;
  for (int end = 0; end < 2 && !*ks_failed_; end++) {
    ks_population_params pp;
    KS_ASSERT_OK(ks_population_preset("civilian-chronic-ptsd", &pp));
    pp.weight_min_kg = 30.0;
    pp.weight_max_kg = 250.0;
    pp.weight_median_kg = end ? 250.0 : 30.0;
    pp.weight_cv = 1.0; /* the widest spread the layer accepts: many draws land on the bounds */
    KS_ASSERT_OK(ks_population_check(ctx, &pp));
    long at_bound = 0;
    for (long i = 0; i < n && !*ks_failed_; i++) {
      ks_patient pt;
      ks_population_draw(&pp, 5, (uint64_t)i, &pt);
      if (!(pt.weight_kg >= 30.0 && pt.weight_kg <= 250.0 && pt.age_y >= pp.age_min_y &&
            pt.age_y <= pp.age_max_y && pt.caps5_true >= 0.0 && pt.caps5_true <= 80.0 &&
            isfinite(pt.severity_z) && isfinite(pt.madrs_true)))
        KS_FAIL_("patient %ld: weight %g kg, age %g y, CAPS-5 %g, MADRS %g", i, pt.weight_kg, pt.age_y,
                 pt.caps5_true, pt.madrs_true);
      at_bound += pt.weight_kg == 30.0 || pt.weight_kg == 250.0;
      ks_pk_patient p = ks_pk_patient_typical(pt.weight_kg, pt.age_y, pt.female);
      ks_rng r;
      ks_rng_init(&r, 5, KS_STREAM_PK_IIV, (uint64_t)i, 0);
      ks_pk_patient_sample_iiv(&p, &r);
      ks_pk_dose d = one_dose(i % 3 == 2 ? KS_DRUG_MIDAZOLAM : KS_DRUG_KETAMINE, KS_ROUTE_IV, pt.weight_kg, 1.0);
      ks_status st;
      ks_pk_sim *sim = make_sim(ctx, &p, &d, 1, &st);
      if (st != KS_OK) KS_FAIL_("patient %ld (%g kg): %s", i, pt.weight_kg, ks_ctx_last_error(ctx));
      check_at(sim, 1.5, "100k patients", ks_failed_);
      if (!*ks_failed_) check_at(sim, 48.0, "100k patients", ks_failed_);
      ks_pk_sim_destroy(&sim);
    }
    KS_ASSERT_TRUE(at_bound > 0); /* the extremes themselves were simulated */
  }
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
