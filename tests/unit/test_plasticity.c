/* SPDX-License-Identifier: MIT */
/* Plasticity cascade: steady state, published time courses, knockouts, midazolam, repeated doses,
 * numerics (tolerances, NaN, failures), speed, validation and SBML export. Driven by the PK
 * layer's default sets (fanta2015, albrecht1999), as the cascade was calibrated. */
#include "harness.h"
#include "plasticity/plasticity_internal.h"
#include <ketasim/plasticity.h>
#include <sbml/SBMLTypes.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


/* A 0.5 mg/kg racemic ketamine or 0.045 mg/kg midazolam 40-min IV infusion at each time, through
 * the PK layer's default parameter set (fanta2015 / albrecht1999), typical 70-kg patient. */
static ks_pk_sim *make_exposure(ks_ctx *ctx, ks_drug drug, double mg_per_kg,
                                const double *t_start_h, size_t n, ks_exposure *ex) {
  ks_pk_dose *d = calloc(n, sizeof *d);
  if (!d) return NULL;
  for (size_t i = 0; i < n; i++)
    d[i] = (ks_pk_dose){drug, KS_ROUTE_IV, mg_per_kg * 70.0, t_start_h[i], 40.0 / 60.0};
  ks_pk_patient patient = ks_pk_patient_typical(70.0, 40.0, 0);
  ks_pk_sim *sim = NULL;
  ks_status st = ks_pk_sim_create(ctx, &patient, d, n, NULL, &sim);
  free(d);
  if (st != KS_OK) return NULL;
  ks_pk_sim_exposure(sim, ex);
  return sim;
}

#define NT 400
static double g_t[NT];
static size_t g_nt;

/* Minutes for 4 h, then hours to 28 days. */
static void make_grid(void) {
  g_nt = 0;
  for (int i = 0; i <= 240; i++) g_t[g_nt++] = i / 60.0;
  for (int h = 5; h <= 28 * 24 && g_nt < NT; h += 5) g_t[g_nt++] = h;
}

static size_t at(double t_h) {
  size_t best = 0;
  for (size_t i = 0; i < g_nt; i++)
    if (fabs(g_t[i] - t_h) < fabs(g_t[best] - t_h)) best = i;
  return best;
}

static int solve_single(ks_ctx *ctx, ks_drug drug, double mg_per_kg, unsigned ko,
                        ks_cascade_point *pt) {
  make_grid();
  double t0 = 0.0;
  ks_exposure ex;
  ks_pk_sim *r = make_exposure(ctx, drug, mg_per_kg, &t0, 1, &ex);
  if (!r) return -1;
  ks_cascade_params p = ks_cascade_params_default();
  p.knockouts = ko;
  ks_receptor_params rp = ks_receptor_params_default();
  ks_status st = ks_cascade_solve(ctx, &p, &rp, &ex, g_t, g_nt, pt);
  ks_pk_sim_destroy(&r);
  return st;
}

static double max_field(const ks_cascade_point *pt, size_t n, size_t off, double *t_at) {
  double m = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    double v;
    memcpy(&v, (const char *)&pt[i] + off, sizeof v);
    if (v > m) {
      m = v;
      if (t_at) *t_at = pt[i].t_h;
    }
  }
  return m;
}
#define MAXF(pt, n, field, t) max_field(pt, n, offsetof(ks_cascade_point, field), t)

KS_TEST(cascade_steady_state_is_a_fixed_point) {
  ks_ctx *ctx = ks_test_ctx();
  ks_cascade_params p = ks_cascade_params_default();
  ks_receptor_params rp = ks_receptor_params_default();
  ks_cascade_point ss, pt[3];
  KS_ASSERT_OK(ks_cascade_steady_state(ctx, &p, &ss));
  KS_ASSERT_NEAR(ss.spine_pfc, 1.0 - p.spine_deficit_pfc, 1e-15);
  KS_ASSERT_NEAR(ss.spine_hpc, 1.0 - p.spine_deficit_hpc, 1e-15);
  KS_ASSERT_NEAR(ss.window, 0.0, 0.0);
  KS_ASSERT_NEAR(ss.glx_pct, 0.0, 0.0);
  double t[3] = {0.0, 100.0, 2000.0};
  KS_ASSERT_OK(ks_cascade_solve(ctx, &p, &rp, NULL, t, 3, pt));
  for (size_t i = 0; i < ks_cascade_point_n_fields(); i++) {
    if (!strcmp(ks_cascade_point_field_name(i), "t_h")) continue;
    KS_ASSERT_NEAR(ks_cascade_point_field(&pt[2], i), ks_cascade_point_field(&ss, i), 1e-9);
  }
  ks_ctx_destroy(&ctx);
}

KS_TEST(cascade_ptsd_starts_below_healthy) {
  ks_ctx *ctx = ks_test_ctx();
  ks_cascade_params ptsd = ks_cascade_params_default(), healthy = ptsd;
  healthy.spine_deficit_pfc = healthy.spine_deficit_hpc = 0.0;
  ks_cascade_point a, b;
  KS_ASSERT_OK(ks_cascade_steady_state(ctx, &ptsd, &a));
  KS_ASSERT_OK(ks_cascade_steady_state(ctx, &healthy, &b));
  KS_ASSERT_TRUE(a.spine_pfc < b.spine_pfc && a.spine_hpc < b.spine_hpc);
  KS_ASSERT_TRUE(a.gain[KS_PATH_VMPFC_AMYGDALA] < b.gain[KS_PATH_VMPFC_AMYGDALA]);
  KS_ASSERT_TRUE(a.gain[KS_PATH_SALIENCE] > b.gain[KS_PATH_SALIENCE]); /* PTSD over-coupling */
  for (int k = 0; k < KS_PATH_N; k++) KS_ASSERT_NEAR(b.gain[k], 1.0, 1e-15);
  ks_ctx_destroy(&ctx);
}

KS_TEST(cascade_single_infusion_matches_published_time_course) {
  ks_ctx *ctx = ks_test_ctx();
  ks_cascade_point *pt = calloc(NT, sizeof *pt);
  KS_ASSERT_OK(solve_single(ctx, KS_DRUG_KETAMINE, 0.5, KS_KO_NONE, pt));
  double t_glx = 0, t_m = 0;
  double glx = MAXF(pt, g_nt, glx_pct, &t_glx), m = MAXF(pt, g_nt, mtorc1, &t_m);
  /* Milak 2016: +38 +- 8% at ~26 min, during the infusion; gone by 3 h. */
  KS_ASSERT_RANGE(glx, 23.0, 53.0);
  KS_ASSERT_RANGE(t_glx * 60.0, 20.0, 40.0);
  KS_ASSERT_RANGE(pt[at(3.0)].glx_pct, -8.0, 8.0);
  /* Li 2010: mTORC1 up at 30-60 min, back by 2 h. */
  KS_ASSERT_RANGE(t_m * 60.0, 30.0, 60.0);
  KS_ASSERT_RANGE((pt[at(2.0)].mtorc1 - 1.0) / (m - 1.0), -0.25, 0.25);
  /* Proteins up from 2 h to 72 h. */
  KS_ASSERT_TRUE(pt[at(2.0)].proteins > 1.05);
  KS_ASSERT_TRUE(pt[at(72.0)].proteins > 1.01);
  /* Spines: up at 24 h, still up at 7 d, decaying over 1-2 weeks. */
  double s0 = pt[0].spine_pfc, s_pk = MAXF(pt, g_nt, spine_pfc, NULL) - s0;
  KS_ASSERT_TRUE(pt[at(24.0)].spine_pfc - s0 > 0.02);
  KS_ASSERT_RANGE((pt[at(168.0)].spine_pfc - s0) / s_pk, 0.3, 1.0);
  KS_ASSERT_RANGE((pt[at(336.0)].spine_pfc - s0) / s_pk, 0.0, 0.6);
  KS_ASSERT_TRUE(pt[at(24.0)].spine_hpc > pt[0].spine_hpc);
  /* Gains follow spines: vmPFC->amygdala up, salience over-coupling down. */
  KS_ASSERT_TRUE(pt[at(72.0)].gain[KS_PATH_VMPFC_AMYGDALA] > pt[0].gain[KS_PATH_VMPFC_AMYGDALA]);
  KS_ASSERT_TRUE(pt[at(72.0)].gain[KS_PATH_SALIENCE] < pt[0].gain[KS_PATH_SALIENCE]);
  /* Interneurons slow down while pyramidal cells speed up (disinhibition). */
  KS_ASSERT_TRUE(pt[at(0.5)].interneuron < 0.8 && pt[at(0.5)].pyramidal > 1.3);
  /* The window opens during the first day and closes within three weeks. */
  KS_ASSERT_RANGE(MAXF(pt, g_nt, window, NULL), 0.3, 1.0);
  KS_ASSERT_TRUE(pt[at(24.0)].window > 0.3);
  KS_ASSERT_TRUE(pt[at(21 * 24.0)].window < 0.05);
  for (size_t i = 0; i < g_nt; i++) {
    KS_ASSERT_RANGE(pt[i].window, 0.0, 1.0);
    for (size_t f = 0; f < ks_cascade_point_n_fields(); f++)
      KS_ASSERT_TRUE(isfinite(ks_cascade_point_field(&pt[i], f)));
  }
  free(pt);
  ks_ctx_destroy(&ctx);
}

KS_TEST(cascade_knockouts_abolish_sustained_effect_keep_surge) {
  ks_ctx *ctx = ks_test_ctx();
  ks_cascade_point *ref = calloc(NT, sizeof *ref), *pt = calloc(NT, sizeof *pt);
  KS_ASSERT_OK(solve_single(ctx, KS_DRUG_KETAMINE, 0.5, KS_KO_NONE, ref));
  double glx_ref = MAXF(ref, g_nt, glx_pct, NULL);
  double s_ref = MAXF(ref, g_nt, spine_pfc, NULL) - ref[0].spine_pfc;
  static const unsigned kos[3] = {KS_KO_MTORC1, KS_KO_AMPA, KS_KO_BDNF};
  for (int k = 0; k < 3; k++) {
    KS_ASSERT_OK(solve_single(ctx, KS_DRUG_KETAMINE, 0.5, kos[k], pt));
    KS_ASSERT_REL(MAXF(pt, g_nt, glx_pct, NULL), glx_ref, 0.02);          /* surge remains */
    KS_ASSERT_TRUE(MAXF(pt, g_nt, spine_pfc, NULL) - pt[0].spine_pfc < 0.05 * s_ref);
    KS_ASSERT_TRUE(MAXF(pt, g_nt, proteins, NULL) < 1.0 + 0.05 * (MAXF(ref, g_nt, proteins, NULL) - 1.0));
    KS_ASSERT_TRUE(MAXF(pt, g_nt, window, NULL) < 0.05);
  }
  /* Rapamycin leaves BDNF release intact (upstream); BDNF loss leaves AMPA drive intact. */
  KS_ASSERT_OK(solve_single(ctx, KS_DRUG_KETAMINE, 0.5, KS_KO_MTORC1, pt));
  KS_ASSERT_TRUE(MAXF(pt, g_nt, bdnf, NULL) > 1.5);
  KS_ASSERT_OK(solve_single(ctx, KS_DRUG_KETAMINE, 0.5, KS_KO_BDNF, pt));
  KS_ASSERT_TRUE(MAXF(pt, g_nt, ampa, NULL) > 1.3);
  free(ref);
  free(pt);
  ks_ctx_destroy(&ctx);
}

KS_TEST(cascade_midazolam_has_none_of_the_effects) {
  ks_ctx *ctx = ks_test_ctx();
  ks_cascade_point *pt = calloc(NT, sizeof *pt);
  KS_ASSERT_OK(solve_single(ctx, KS_DRUG_MIDAZOLAM, 0.045, KS_KO_NONE, pt));
  KS_ASSERT_TRUE(MAXF(pt, g_nt, glx_pct, NULL) < 1.0);
  KS_ASSERT_TRUE(MAXF(pt, g_nt, mtorc1, NULL) < 1.0 + 1e-6);
  KS_ASSERT_TRUE(MAXF(pt, g_nt, spine_pfc, NULL) < pt[0].spine_pfc + 1e-6);
  KS_ASSERT_TRUE(MAXF(pt, g_nt, window, NULL) < 1e-4);
  KS_ASSERT_TRUE(MAXF(pt, g_nt, sedation, NULL) > 0.02);  /* but it sedates */
  KS_ASSERT_NEAR(MAXF(pt, g_nt, block_interneuron, NULL), 0.0, 0.0);
  free(pt);
  ks_ctx_destroy(&ctx);
}

KS_TEST(cascade_dose_response_is_monotone) {
  ks_ctx *ctx = ks_test_ctx();
  ks_cascade_point *pt = calloc(NT, sizeof *pt);
  double prev_glx = -1, prev_s = -1;
  for (double d = 0.1; d <= 0.8; d += 0.175) {
    KS_ASSERT_OK(solve_single(ctx, KS_DRUG_KETAMINE, d, KS_KO_NONE, pt));
    double glx = MAXF(pt, g_nt, glx_pct, NULL), s = MAXF(pt, g_nt, spine_pfc, NULL);
    KS_ASSERT_TRUE(glx > prev_glx && s > prev_s);
    prev_glx = glx;
    prev_s = s;
  }
  free(pt);
  ks_ctx_destroy(&ctx);
}

/* Feder 2021: six infusions over two weeks (days 1, 3, 5, 8, 10, 12), then follow-up to 12 weeks. */
static const double six_h[6] = {0.0, 48.0, 96.0, 168.0, 216.0, 264.0};

KS_TEST(cascade_repeated_doses_accumulate_with_saturation_and_relax) {
  ks_ctx *ctx = ks_test_ctx();
  ks_exposure ex1, ex6;
  double t0 = 0.0;
  ks_pk_sim *r1 = make_exposure(ctx, KS_DRUG_KETAMINE, 0.5, &t0, 1, &ex1);
  ks_pk_sim *r6 = make_exposure(ctx, KS_DRUG_KETAMINE, 0.5, six_h, 6, &ex6);
  ks_cascade_params p = ks_cascade_params_default();
  ks_receptor_params rp = ks_receptor_params_default();
  enum { N = 12 * 7 * 4 };
  double t[N];
  for (int i = 0; i < N; i++) t[i] = 6.0 * i;
  ks_cascade_point *a = calloc(N, sizeof *a), *b = calloc(N, sizeof *b);
  KS_ASSERT_OK(ks_cascade_solve(ctx, &p, &rp, &ex1, t, N, a));
  KS_ASSERT_OK(ks_cascade_solve(ctx, &p, &rp, &ex6, t, N, b));
  double pk1 = MAXF(a, N, spine_pfc, NULL), pk6 = MAXF(b, N, spine_pfc, NULL);
  KS_ASSERT_TRUE(pk6 > pk1 + 0.02);           /* accumulation */
  KS_ASSERT_TRUE(pk6 < p.spine_max);          /* saturation */
  /* Saturation: the sixth dose adds less than the first. */
  double add1 = b[8].spine_pfc - b[0].spine_pfc;        /* 48 h after dose 1 */
  double add6 = b[(264 + 48) / 6].spine_pfc - b[264 / 6].spine_pfc;
  KS_ASSERT_TRUE(add6 < add1);
  /* Relaxes back to the chronic-stress set point by 12 weeks. */
  KS_ASSERT_NEAR(b[N - 1].spine_pfc, 1.0 - p.spine_deficit_pfc, 0.01);
  free(a);
  free(b);
  ks_pk_sim_destroy(&r1);
  ks_pk_sim_destroy(&r6);
  ks_ctx_destroy(&ctx);
}

KS_TEST(cascade_halving_tolerances_changes_outputs_little) {
  ks_ctx *ctx = ks_test_ctx();
  ks_exposure ex;
  ks_pk_sim *r = make_exposure(ctx, KS_DRUG_KETAMINE, 0.5, six_h, 6, &ex);
  ks_cascade_params p = ks_cascade_params_default(), q = p;
  q.rtol *= 0.5;
  q.atol *= 0.5;
  ks_receptor_params rp = ks_receptor_params_default();
  enum { N = 600 };
  double t[N];
  for (int i = 0; i < N; i++) t[i] = 0.25 * i * (1.0 + i / 100.0);
  ks_cascade_point *a = calloc(N, sizeof *a), *b = calloc(N, sizeof *b);
  KS_ASSERT_OK(ks_cascade_solve(ctx, &p, &rp, &ex, t, N, a));
  KS_ASSERT_OK(ks_cascade_solve(ctx, &q, &rp, &ex, t, N, b));
  /* Relative to each output's own scale: its largest magnitude over the run (outputs that sit
   * near 0 for weeks, like W, would otherwise be compared at round-off level). */
  size_t nf = ks_cascade_point_n_fields();
  double scale[64] = {0};
  for (int i = 0; i < N; i++)
    for (size_t f = 1; f < nf; f++)
      scale[f] = fmax(scale[f], fmax(fabs(ks_cascade_point_field(&a[i], f)),
                                     fabs(ks_cascade_point_field(&b[i], f))));
  double worst = 0.0, wt = 0.0;
  const char *wf = "";
  for (int i = 0; i < N; i++)
    for (size_t f = 1; f < nf; f++) {
      double x = ks_cascade_point_field(&a[i], f), y = ks_cascade_point_field(&b[i], f);
      double d = fabs(x - y) / fmax(scale[f], 1e-12);
      if (d > worst) {
        worst = d;
        wf = ks_cascade_point_field_name(f);
        wt = t[i];
      }
    }
  fprintf(stderr, "worst relative change when halving tolerances: %.3g (%s at %g h)\n", worst, wf, wt);
  KS_ASSERT_TRUE(worst < 1e-4);
  free(a);
  free(b);
  ks_pk_sim_destroy(&r);
  ks_ctx_destroy(&ctx);
}

KS_TEST(cascade_twelve_weeks_six_infusions_is_fast) {
  ks_ctx *ctx = ks_test_ctx();
  ks_exposure ex;
  ks_pk_sim *r = make_exposure(ctx, KS_DRUG_KETAMINE, 0.5, six_h, 6, &ex);
  ks_cascade_params p = ks_cascade_params_default();
  ks_receptor_params rp = ks_receptor_params_default();
  enum { N = 85 };
  double t[N];
  for (int i = 0; i < N; i++) t[i] = 24.0 * i; /* daily for 12 weeks */
  ks_cascade_point pt[N];
  ks_cascade_stats s;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int reps = 10;
  for (int k = 0; k < reps; k++) KS_ASSERT_OK(ks_cascade_solve_stats(ctx, &p, &rp, &ex, t, N, pt, &s));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ms = ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / reps;
  fprintf(stderr, "12-week, 6-infusion solve: %.2f ms, %ld steps, %ld rhs, %ld restarts\n", ms,
          s.n_steps, s.n_rhs, s.n_restarts);
  KS_ASSERT_TRUE(s.n_steps < 5000);
  KS_ASSERT_TRUE(ms < 250.0); /* target < 50 ms in Release; slack for sanitizer builds */
  ks_pk_sim_destroy(&r);
  ks_ctx_destroy(&ctx);
}

KS_TEST(cascade_two_hundred_doses_in_ten_weeks) {
  ks_ctx *ctx = ks_test_ctx();
  double starts[200];
  for (int i = 0; i < 200; i++) starts[i] = 8.4 * i; /* every 8.4 h for 70 days */
  ks_exposure ex;
  ks_pk_sim *r = make_exposure(ctx, KS_DRUG_KETAMINE, 0.5, starts, 200, &ex);
  ks_cascade_params p = ks_cascade_params_default();
  ks_receptor_params rp = ks_receptor_params_default();
  double t[71];
  for (int i = 0; i < 71; i++) t[i] = 24.0 * i;
  ks_cascade_point pt[71];
  KS_ASSERT_OK(ks_cascade_solve(ctx, &p, &rp, &ex, t, 71, pt));
  for (int i = 0; i < 71; i++) {
    KS_ASSERT_TRUE(pt[i].spine_pfc <= p.spine_max + 1e-9);
    KS_ASSERT_TRUE(isfinite(pt[i].window));
  }
  ks_pk_sim_destroy(&r);
  ks_ctx_destroy(&ctx);
}

static ks_status failing_eval(void *ud, double t_h, ks_pk_conc *out) {
  ks_ctx *ctx = ud;
  memset(out, 0, sizeof *out);
  if (t_h > 5.0) return ks_ctx_fail(ctx, KS_ENUMERIC, "synthetic PK failure");
  return KS_OK;
}

KS_TEST(cascade_reports_bad_input_and_failures) {
  ks_ctx *ctx = ks_test_ctx();
  ks_cascade_params p = ks_cascade_params_default();
  ks_receptor_params rp = ks_receptor_params_default();
  ks_cascade_point pt[3];
  double t[3] = {0.0, 2.0, 1.0};
  KS_ASSERT_EQ_INT(ks_cascade_solve(ctx, &p, &rp, NULL, t, 3, pt), KS_EINVAL);
  t[2] = NAN;
  KS_ASSERT_EQ_INT(ks_cascade_solve(ctx, &p, &rp, NULL, t, 3, pt), KS_EINVAL);
  t[2] = 10.0;
  p.spine_deficit_pfc = 0.9;
  KS_ASSERT_EQ_INT(ks_cascade_solve(ctx, &p, &rp, NULL, t, 3, pt), KS_EINVAL);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "spine_deficit_pfc") != NULL);
  p = ks_cascade_params_default();
  p.knockouts = 64;
  KS_ASSERT_EQ_INT(ks_cascade_params_check(ctx, &p), KS_EINVAL);
  p = ks_cascade_params_default();
  double ev[1] = {0.0};
  ks_exposure bad = {.eval = failing_eval, .ud = ctx, .event_t_h = ev, .n_events = 1};
  KS_ASSERT_EQ_INT(ks_cascade_solve(ctx, &p, &rp, &bad, t, 3, pt), KS_ENUMERIC);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "synthetic PK failure") != NULL);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "t=") != NULL);
  ks_ctx_destroy(&ctx);
}

KS_TEST(cascade_names_and_fields) {
  KS_ASSERT_EQ_STR(ks_pathway_name(KS_PATH_VMPFC_AMYGDALA), "vmpfc_amygdala");
  KS_ASSERT_EQ_STR(ks_pathway_name(KS_PATH_SALIENCE), "salience");
  KS_ASSERT_EQ_INT(ks_knockout_parse("rapamycin"), KS_KO_MTORC1);
  KS_ASSERT_EQ_INT(ks_knockout_parse("nbqx"), KS_KO_AMPA);
  KS_ASSERT_EQ_INT(ks_knockout_parse("bdnf"), KS_KO_BDNF);
  KS_ASSERT_EQ_INT(ks_knockout_parse("cheese"), -1);
  KS_ASSERT_EQ_STR(ks_cascade_point_field_name(0), "t_h");
  KS_ASSERT_TRUE(ks_cascade_point_field_name(ks_cascade_point_n_fields()) == NULL);
  ks_cascade_point pt = {.t_h = 3.5, .gain = {0.1, 0.2, 0.3, 0.4}, .window = 0.25};
  size_t n = ks_cascade_point_n_fields();
  KS_ASSERT_NEAR(ks_cascade_point_field(&pt, 0), 3.5, 0.0);
  KS_ASSERT_NEAR(ks_cascade_point_field(&pt, n - 1), 0.25, 0.0);
  KS_ASSERT_EQ_STR(ks_cascade_point_field_name(n - 2), "gain_salience");
  KS_ASSERT_NEAR(ks_cascade_point_field(&pt, n - 2), 0.4, 0.0);
  KS_ASSERT_TRUE(isnan(ks_cascade_point_field(&pt, n)));
}

/* The trial's grid without the receptor layer at the output times: the same states, bit for bit
 * (the receptor layer still drives the ODE), and NaN where the receptor fields would be. */
KS_TEST(cascade_states_only_keeps_the_states_and_leaves_the_receptor_fields_nan) {
  ks_ctx *ctx = ks_test_ctx();
  const double days[] = {24.0, 72.0, 120.0};
  ks_exposure ex;
  ks_pk_sim *sim = make_exposure(ctx, KS_DRUG_KETAMINE, 0.5, days, 3, &ex);
  KS_ASSERT_TRUE(sim != NULL);
  enum { N = 24 * 8 };
  static double t[N];
  static ks_cascade_point full[N], states[N];
  for (size_t i = 0; i < N; i++) t[i] = (double)i;
  ks_cascade_params p = ks_cascade_params_default();
  ks_receptor_params rp = ks_receptor_params_default();
  ks_cascade_stats s0, s1;
  KS_ASSERT_OK(ks_cascade_solve_flags(ctx, &p, &rp, &ex, t, N, full, 0, &s0));
  KS_ASSERT_OK(ks_cascade_solve_flags(ctx, &p, &rp, &ex, t, N, states, KS_CASCADE_STATES_ONLY, &s1));
  KS_ASSERT_EQ_INT(s0.n_steps, s1.n_steps);
  const size_t nf = ks_cascade_point_n_fields();
  for (size_t i = 0; i < N; i++)
    for (size_t k = 0; k < nf; k++) {
      const char *name = ks_cascade_point_field_name(k);
      int receptor = !strcmp(name, "nmda_occupancy") || !strcmp(name, "block_interneuron") ||
                     !strcmp(name, "block_pyramidal") || !strcmp(name, "gabaa_potentiation") ||
                     !strcmp(name, "sedation");
      double a = ks_cascade_point_field(&full[i], k), b = ks_cascade_point_field(&states[i], k);
      if (receptor) KS_ASSERT_TRUE(isnan(b) && !isnan(a));
      else KS_ASSERT_TRUE(a == b);
    }
  KS_ASSERT_TRUE(full[25].block_interneuron > 0.0); /* during the first infusion */
  KS_ASSERT_EQ_INT(ks_cascade_solve_flags(ctx, &p, &rp, &ex, t, N, states, 2u, NULL), KS_EINVAL);
  ks_pk_sim_destroy(&sim);
  ks_ctx_destroy(&ctx);
}

KS_TEST(cascade_pk_exposure_is_plausible) {
  ks_ctx *ctx = ks_test_ctx();
  ks_exposure ex;
  double t0 = 0.0;
  ks_pk_sim *r = make_exposure(ctx, KS_DRUG_KETAMINE, 0.5, &t0, 1, &ex);
  KS_ASSERT_TRUE(r != NULL);
  ks_pk_conc c;
  KS_ASSERT_OK(ex.eval(ex.ud, 40.0 / 60.0, &c));
  double cp = c.plasma_ng_per_mL[KS_SP_S_KETAMINE] + c.plasma_ng_per_mL[KS_SP_R_KETAMINE];
  KS_ASSERT_RANGE(cp, 100.0, 250.0); /* Zarate 2006: ~185 ng/mL, range 100-250 */
  /* Effect site lags plasma during the infusion; norketamine is formed. */
  KS_ASSERT_OK(ex.eval(ex.ud, 0.1, &c));
  KS_ASSERT_TRUE(c.effect_ng_per_mL[KS_SP_S_KETAMINE] < c.plasma_ng_per_mL[KS_SP_S_KETAMINE]);
  KS_ASSERT_OK(ex.eval(ex.ud, 2.0, &c));
  KS_ASSERT_TRUE(c.plasma_ng_per_mL[KS_SP_S_NORKETAMINE] > 0.0);
  KS_ASSERT_EQ_INT((int)ex.n_events, 2);
  ks_pk_sim_destroy(&r);
  ks_ctx_destroy(&ctx);
}

/* The closed-form reference PK (the PK of the SBML export) is the PK layer's domino1982 and
 * albrecht1999 sets: parent plasma and effect-site concentrations agree to round-off. */
KS_TEST(cascade_sbml_reference_pk_matches_pk_layer) {
  ks_ctx *ctx = ks_test_ctx();
  static const ks_drug drugs[2] = {KS_DRUG_KETAMINE, KS_DRUG_MIDAZOLAM};
  static const char *const sets[2] = {"domino1982", "albrecht1999"};
  static const double mg_per_kg[2] = {0.5, 0.045};
  for (int k = 0; k < 2; k++) {
    ks__ref_exposure *ref = malloc(sizeof *ref);
    KS_ASSERT_TRUE(ref != NULL);
    double t0 = 0.25;
    KS_ASSERT_OK(ks__ref_exposure_init(ctx, ref, drugs[k], 70.0, mg_per_kg[k] * 70.0,
                                       40.0 / 60.0, &t0, 1));
    ks_exposure ex;
    ks__ref_exposure_view(ref, &ex);
    ks_pk_patient patient = ks_pk_patient_typical(70.0, 40.0, 0);
    ks_pk_options o = ks_pk_options_default();
    o.model[drugs[k]] = sets[k];
    ks_pk_dose d = {drugs[k], KS_ROUTE_IV, mg_per_kg[k] * 70.0, t0, 40.0 / 60.0};
    ks_pk_sim *sim = NULL;
    KS_ASSERT_OK(ks_pk_sim_create(ctx, &patient, &d, 1, &o, &sim));
    ks_species sp = drugs[k] == KS_DRUG_MIDAZOLAM ? KS_SP_MIDAZOLAM : KS_SP_S_KETAMINE;
    for (double t = 0.3; t < 12.0; t *= 1.3) {
      ks_pk_conc a, b;
      KS_ASSERT_OK(ex.eval(ex.ud, t, &a));
      KS_ASSERT_OK(ks_pk_sim_eval(sim, t, &b));
      KS_ASSERT_REL(a.plasma_ng_per_mL[sp], b.plasma_ng_per_mL[sp], 1e-6);
      KS_ASSERT_REL(a.effect_ng_per_mL[sp], b.effect_ng_per_mL[sp], 1e-6);
    }
    ks_pk_sim_destroy(&sim);
    free(ref);
  }
  ks_ctx_destroy(&ctx);
}

KS_TEST(cascade_validate_passes) {
  ks_ctx *ctx = ks_test_ctx();
  ks_target_result t[32];
  size_t n = 0;
  KS_ASSERT_OK(ks_cascade_validate(ctx, t, 32, &n));
  KS_ASSERT_TRUE(n >= 12);
  int fails = 0;
  for (size_t i = 0; i < n; i++) {
    fprintf(stderr, "%-36s %10.4g in [%g, %g] %s %s\n", t[i].id, t[i].simulated, t[i].lo, t[i].hi,
            t[i].role == KS_TARGET_CALIBRATED ? "calibrated" : "held-out", t[i].pass ? "ok" : "FAIL");
    fails += !t[i].pass;
  }
  KS_ASSERT_EQ_INT(fails, 0);
  n = 0;
  KS_ASSERT_TRUE(ks_cascade_validate(ctx, t, 3, &n) != KS_OK);
  ks_ctx_destroy(&ctx);
}

KS_TEST(cascade_sbml_export_passes_libsbml_consistency_checks) {
  ks_ctx *ctx = ks_test_ctx();
  const char *dir = getenv("KS_BINARY_DIR");
  char path[1024];
  snprintf(path, sizeof path, "%s/test_plasticity_cascade.xml", dir ? dir : ".");
  ks_cascade_params p = ks_cascade_params_default();
  p.knockouts = KS_KO_MTORC1;
  KS_ASSERT_OK(ks_cascade_export_sbml(ctx, &p, path));
  SBMLDocument_t *doc = readSBMLFromFile(path);
  KS_ASSERT_TRUE(doc != NULL);
  KS_ASSERT_EQ_INT(SBMLDocument_getLevel(doc), 3);
  unsigned n_fail = SBMLDocument_checkConsistency(doc);
  unsigned n_err = 0;
  for (unsigned i = 0; i < SBMLDocument_getNumErrors(doc); i++) {
    const SBMLError_t *e = SBMLDocument_getError(doc, i);
    if (XMLError_getSeverity((const XMLError_t *)e) >= LIBSBML_SEV_ERROR) {
      n_err++;
      fprintf(stderr, "SBML: %s\n", XMLError_getMessage((const XMLError_t *)e));
    }
  }
  fprintf(stderr, "libSBML consistency: %u findings, %u errors\n", n_fail, n_err);
  KS_ASSERT_EQ_INT(n_err, 0);
  Model_t *m = SBMLDocument_getModel(doc);
  KS_ASSERT_TRUE(m != NULL);
  KS_ASSERT_TRUE(Model_getParameterById(m, "W") != NULL);
  KS_ASSERT_NEAR(Parameter_getValue(Model_getParameterById(m, "ko_mtorc1")), 1.0, 0.0);
  /* The rules: every PK state and species concentration (tests/unit/test_sbml.c checks them
   * against the PK layer), receptor 4, cascade states 16, observables 2. */
  KS_ASSERT_TRUE(Model_getNumRules(m) > 4 + 16 + 2 + 4 * 3);
  KS_ASSERT_TRUE(Rule_isRate(Model_getRuleByVar(m, "M")) && Rule_isAssignment(Model_getRuleByVar(m, "bI")));
  SBMLDocument_free(doc);
  remove(path);
  /* An unwritable place is an I/O error, not a crash. */
  KS_ASSERT_EQ_INT(ks_cascade_export_sbml(ctx, &p, "/nonexistent-dir/x.xml"), KS_EIO);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
