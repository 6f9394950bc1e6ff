/* SPDX-License-Identifier: MIT */
/* Tests of the brain layer: volume from spines (closed form), cognition on test units, the
 * analgesic effect site against a brute-force integration of the plasma profile, the NRS and SSI
 * maps, the safety counts, and the layer's validation entries. Expected values are worked by hand
 * from the equations of docs/model/brain.md, not copied from the program's output. */
#include "harness.h"

#include <ketasim/brain.h>

#include <math.h>
#include <stdio.h>

KS_TEST(volume_is_a_trait_times_an_acquired_part) {
  ks_brain_params p = ks_brain_params_default();
  ks_brain_volume v;
  /* Healthy spines: the hippocampus keeps its pre-existing deficit (Logue's d = -0.17, set as a
   * trait), the acquired regions sit at the control mean. */
  ks_brain_volume_eval(&p, 1.0, 1.0, 1.0, 1.0, &v);
  KS_ASSERT_NEAR(v.d_vs_control[KS_GMV_HIPPOCAMPUS], -0.17, 1e-12);
  KS_ASSERT_NEAR(v.d_vs_control[KS_GMV_ANTERIOR_HIPPOCAMPUS], -0.17, 1e-12);
  KS_ASSERT_NEAR(v.rel[KS_GMV_HIPPOCAMPUS], 1.0 - 0.017, 1e-12);
  KS_ASSERT_NEAR(v.d_vs_control[KS_GMV_AMYGDALA], 0.0, 1e-12);
  KS_ASSERT_NEAR(v.d_vs_control[KS_GMV_PFC], 0.0, 1e-12);
  for (int r = 0; r < KS_GMV_N; r++) KS_ASSERT_NEAR(v.pct_change[r], 0.0, 1e-12);
  /* Limbic deficit 0.124 gives Logue's amygdala d = -0.11 with a 10% CV (the calibration) and
   * leaves the hippocampus where its trait puts it. */
  ks_brain_volume_eval(&p, 1.0, 0.876, 1.0, 0.876, &v);
  KS_ASSERT_NEAR(v.d_vs_control[KS_GMV_AMYGDALA], -0.11, 1e-9);
  KS_ASSERT_NEAR(v.d_vs_control[KS_GMV_HIPPOCAMPUS], -0.17, 1e-12);
  /* Spines recovering from 0.876 to 0.95 (limbic) and 0.8 to 0.9 (PFC): the acquired regions
   * grow by (1 - k 0.05) / (1 - k 0.124) and (1 - k 0.1) / (1 - k 0.2); no drug moves the
   * hippocampus (Gilbertson 2002: no acquired part). */
  double k = p.vol_per_spine[KS_GMV_AMYGDALA];
  ks_brain_volume_eval(&p, 0.9, 0.95, 0.8, 0.876, &v);
  KS_ASSERT_NEAR(v.pct_change[KS_GMV_AMYGDALA], 100.0 * ((1 - k * 0.05) / (1 - k * 0.124) - 1), 1e-10);
  KS_ASSERT_NEAR(v.pct_change[KS_GMV_PFC], 100.0 * ((1 - k * 0.1) / (1 - k * 0.2) - 1), 1e-10);
  KS_ASSERT_NEAR(v.pct_change[KS_GMV_HIPPOCAMPUS], 0.0, 1e-12);
  KS_ASSERT_NEAR(v.pct_change[KS_GMV_ANTERIOR_HIPPOCAMPUS], 0.0, 1e-12);
  /* Garbage in is clamped, not propagated. */
  ks_brain_volume_eval(&p, NAN, -1.0, 1.0, 1.0, &v);
  for (int r = 0; r < KS_GMV_N; r++) KS_ASSERT_TRUE(isfinite(v.rel[r]) && isfinite(v.pct_change[r]));
}

KS_TEST(cognition_scores_on_test_units) {
  ks_brain_params p = ks_brain_params_default();
  double z[KS_COG_N];
  ks_brain_cognition_z(&p, 1.0, 0.0, 0.0, 0.25, z);
  for (int t = 0; t < KS_COG_N; t++) KS_ASSERT_NEAR(z[t], 0.25, 1e-15);
  /* Control mean when z = 0 and no noise; TMT is a time, so better (z > 0) is faster. */
  KS_ASSERT_NEAR(ks_brain_cognition_score(&p, KS_COG_RAVLT, 0.0, 0.0), 58.0, 1e-12); /* 57.77 rounded */
  KS_ASSERT_NEAR(ks_brain_cognition_score(&p, KS_COG_TMT_B, 0.0, 0.0), 48.6, 1e-12);
  KS_ASSERT_TRUE(ks_brain_cognition_score(&p, KS_COG_TMT_B, 1.0, 0.0) < 48.6);
  KS_ASSERT_TRUE(ks_brain_cognition_score(&p, KS_COG_RAVLT, 1.0, 0.0) > 58.0);
  KS_ASSERT_NEAR(ks_brain_cognition_score(&p, KS_COG_TMT_B, -50.0, 0.0), 300.0, 0.0); /* discontinued */
  KS_ASSERT_NEAR(ks_brain_cognition_score(&p, KS_COG_RAVLT, 50.0, 0.0), 75.0, 0.0);
  /* Acute block at the reference occupancy costs cog_acute_d SDs. */
  double za[KS_COG_N];
  ks_brain_cognition_z(&p, 1.0, 0.0, p.cog_acute_ref_occupancy, 0.0, za);
  for (int t = 0; t < KS_COG_N; t++) KS_ASSERT_NEAR(za[t], -p.cog_acute_d[t], 1e-12);
  /* The mean PTSD patient sits cog_d_ptsd below controls. */
  ks_brain_cognition_z(&p, 1.0 - p.cog_ref_spine_deficit, p.cog_ref_theta_dep, 0.0, 0.0, z);
  for (int t = 0; t < KS_COG_N; t++) KS_ASSERT_NEAR(z[t], -p.cog_d_ptsd[t], 1e-12);
}

/* Brute force: explicit Euler on dCe/dt = ke0 (f Cp - Ce) with 1-minute steps of ks_pk_sim_eval. */
static double brute_ce(const ks_brain_params *p, const ks_pk_sim *sim, double f, double t_h) {
  double ke0 = log(2.0) / (24.0 * p->pain_t_half_d), ce = 0.0, dt = 1.0 / 60.0;
  for (double t = 0.0; t < t_h - 1e-9; t += dt) {
    ks_pk_conc c;
    ks_pk_sim_eval(sim, t + 0.5 * dt, &c);
    double cp = c.plasma_ng_per_mL[KS_SP_S_KETAMINE] + c.plasma_ng_per_mL[KS_SP_R_KETAMINE];
    ce += dt * ke0 * (f * cp - ce);
  }
  return ce;
}

KS_TEST(pain_effect_site_matches_brute_force) {
  ks_ctx *ctx = NULL;
  ks_ctx_opts co = ks_ctx_opts_default();
  KS_ASSERT_OK(ks_ctx_create(&co, &ctx));
  ks_brain_params p = ks_brain_params_default();
  ks_pk_patient pat = ks_pk_patient_typical(70.0, 40.0, 0);
  ks_pk_options o = ks_pk_options_default();
  o.allow_unstudied_doses = 1;
  /* Two overlapping racemic infusions (12 h apart) and one esketamine dose 5 days later. */
  ks_pk_dose d[2] = {{KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, 0.0, 40.0 / 60.0},
                     {KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, 12.0, 40.0 / 60.0}};
  ks_pk_sim *sim = NULL;
  KS_ASSERT_OK(ks_pk_sim_create(ctx, &pat, d, 2, &o, &sim));
  double f = 0.5 * (1.0 + p.pain_r_potency);
  double ce = 0.0;
  KS_ASSERT_OK(ks_brain_pain_effect_site(ctx, &p, sim, d, 2, 72.0, &ce));
  KS_ASSERT_REL(ce, brute_ce(&p, sim, f, 72.0), 0.02);
  KS_ASSERT_OK(ks_brain_pain_effect_site(ctx, &p, sim, d, 2, 6.0, &ce)); /* inside the window */
  KS_ASSERT_REL(ce, brute_ce(&p, sim, f, 6.0), 0.02);
  /* No dose before t: nothing. */
  KS_ASSERT_OK(ks_brain_pain_effect_site(ctx, &p, sim, d, 2, 0.0, &ce));
  KS_ASSERT_NEAR(ce, 0.0, 0.0);
  ks_pk_sim_destroy(&sim);
  ks_ctx_destroy(&ctx);
}

/* The published time course of sub-anaesthetic analgesia (Dahan 2011, S-ketamine 100 h in CRPS-1):
 * the effect site keeps rising after the infusion ends (plasma above Ce), then, once the drug is
 * gone, halves every 10.9 days, so relief outlasts the infusion by weeks. */
KS_TEST(pain_outlasts_the_infusion_and_halves_every_10_9_days) {
  ks_ctx *ctx = NULL;
  ks_ctx_opts co = ks_ctx_opts_default();
  KS_ASSERT_OK(ks_ctx_create(&co, &ctx));
  ks_brain_params p = ks_brain_params_default();
  ks_pk_patient pat = ks_pk_patient_typical(70.0, 40.0, 0);
  ks_pk_options o = ks_pk_options_default();
  o.allow_unstudied_doses = 1;
  ks_pk_dose d = {KS_DRUG_ESKETAMINE, KS_ROUTE_IV, 2000.0, 0.0, 100.0};
  ks_pk_sim *sim = NULL;
  KS_ASSERT_OK(ks_pk_sim_create(ctx, &pat, &d, 1, &o, &sim));
  double end = 0, later = 0, a = 0, b = 0, wk12 = 0;
  KS_ASSERT_OK(ks_brain_pain_effect_site(ctx, &p, sim, &d, 1, 100.0, &end));
  KS_ASSERT_OK(ks_brain_pain_effect_site(ctx, &p, sim, &d, 1, 106.0, &later));
  KS_ASSERT_TRUE(later > end);
  KS_ASSERT_OK(ks_brain_pain_effect_site(ctx, &p, sim, &d, 1, 100.0 + 72.0, &a));
  KS_ASSERT_OK(ks_brain_pain_effect_site(ctx, &p, sim, &d, 1, 100.0 + 72.0 + 24.0 * 10.9, &b));
  KS_ASSERT_REL(b / a, 0.5, 1e-6);
  /* One week after the start the NRS of a responder is well below baseline (the calibration
   * trial's ratio 0.49 is for all patients); by week 12 little is left. */
  KS_ASSERT_OK(ks_brain_pain_effect_site(ctx, &p, sim, &d, 1, 84.0 * 24.0, &wk12));
  double nrs_wk1 = ks_brain_pain_nrs(&p, 6.0, 1, a, 0.0), nrs_wk12 = ks_brain_pain_nrs(&p, 6.0, 1, wk12, 0.0);
  KS_ASSERT_TRUE(nrs_wk1 < 4.0);
  KS_ASSERT_TRUE(nrs_wk12 > nrs_wk1 && nrs_wk12 > 5.0);
  ks_pk_sim_destroy(&sim);
  ks_ctx_destroy(&ctx);
}

KS_TEST(nrs_and_ssi_maps) {
  ks_brain_params p = ks_brain_params_default();
  KS_ASSERT_NEAR(ks_brain_pain_nrs(&p, 6.0, 0, 100.0, 0.0), 6.0, 1e-12);
  KS_ASSERT_NEAR(ks_brain_pain_nrs(&p, 6.0, 1, p.pain_c50_ng_mL, 0.0), 3.0, 1e-12);
  KS_ASSERT_NEAR(ks_brain_pain_nrs(&p, 6.0, 1, 0.0, -100.0), 0.0, 0.0);
  KS_ASSERT_NEAR(ks_brain_ssi(&p, 0.0, -1.0, 1.0, 3.0), 0.0, 0.0);
  KS_ASSERT_NEAR(ks_brain_ssi(&p, 20.0, 0.0, 0.0, 0.0), 20.0, 0.0);
  KS_ASSERT_NEAR(ks_brain_ssi(&p, 20.0, 0.0, 1.0, 0.0), round(20.0 * (1.0 - p.ssi_direct_max)), 0.0);
  KS_ASSERT_NEAR(ks_brain_ssi(&p, 20.0, -1.0, 0.0, 0.0), round(20.0 * (1.0 - p.ssi_per_theta)), 0.0);
  KS_ASSERT_NEAR(ks_brain_ssi(&p, 38.0, 2.0, 0.0, 5.0), 38.0, 0.0);
}

KS_TEST(suicide_item_shift_matches_the_ssi_direct_factor) {
  ks_brain_params p = ks_brain_params_default();
  KS_ASSERT_NEAR(ks_brain_si_item_theta_shift(&p, 0.0), 0.0, 0.0);
  KS_ASSERT_NEAR(ks_brain_si_item_theta_shift(&p, -1.0), 0.0, 0.0); /* W clamped to [0, 1] */
  KS_ASSERT_NEAR(ks_brain_si_item_theta_shift(&p, 2.0), ks_brain_si_item_theta_shift(&p, 1.0), 0.0);
  /* The shift's mood effect on the SSI equals the direct factor at every W: the SSI of a patient
   * whose theta fell by the shift (no window) equals the SSI under the window (theta unchanged). */
  for (double w = 0.1; w <= 1.0; w += 0.3) {
    double sh = ks_brain_si_item_theta_shift(&p, w);
    KS_ASSERT_TRUE(sh < 0.0);
    KS_ASSERT_NEAR(1.0 + p.ssi_per_theta * sh, 1.0 - p.ssi_direct_max * w, 1e-12);
    KS_ASSERT_NEAR(ks_brain_ssi(&p, 30.0, sh, 0.0, 0.0), ks_brain_ssi(&p, 30.0, 0.0, w, 0.0), 0.0);
  }
  /* At the 24-h window of one 0.5 mg/kg infusion (0.79, docs/model/brain.md) the item's latent
   * falls by 0.38/0.35 x 0.79 = 0.858 theta units. */
  KS_ASSERT_NEAR(ks_brain_si_item_theta_shift(&p, 0.79), -0.38 / 0.35 * 0.79, 1e-12);
}

KS_TEST(safety_counts_exposure) {
  ks_brain_params p = ks_brain_params_default();
  ks_pk_dose d[20];
  for (int i = 0; i < 20; i++) d[i] = (ks_pk_dose){KS_DRUG_KETAMINE, KS_ROUTE_IV, 600.0, 24.0 * i, 0.5};
  d[19].drug = KS_DRUG_MIDAZOLAM;
  ks_brain_safety s;
  ks_brain_safety_eval(&p, d, 20, 24.0 * 19.5, &s);
  KS_ASSERT_NEAR(s.cumulative_mg, 19 * 600.0, 1e-9);
  KS_ASSERT_NEAR(s.doses_last_28d, 19.0, 0.0);
  KS_ASSERT_TRUE(s.frequent_use);
  KS_ASSERT_TRUE(s.cumulative_exposure); /* 11.4 g >= 10 g */
  ks_brain_safety_eval(&p, d, 20, 24.0 * 2.0, &s); /* doses at 0 and 24 h before 48 h */
  KS_ASSERT_NEAR(s.cumulative_mg, 1200.0, 1e-9);
  KS_ASSERT_TRUE(!s.frequent_use && !s.cumulative_exposure);
}

KS_TEST(validation_entries_calibrated_ones_pass) {
  ks_ctx *ctx = NULL;
  ks_ctx_opts co = ks_ctx_opts_default();
  KS_ASSERT_OK(ks_ctx_create(&co, &ctx));
  ks_target_result r[32];
  size_t n = 0;
  KS_ASSERT_OK(ks_brain_validate(ctx, r, 32, &n));
  KS_ASSERT_TRUE(n >= 12);
  for (size_t i = 0; i < n; i++) {
    printf("%-46s %-4s published %8.3f [%7.3f, %7.3f] simulated %8.4f %s\n", r[i].id,
           r[i].role == KS_TARGET_CALIBRATED ? "cal" : "val", r[i].published, r[i].lo, r[i].hi, r[i].simulated,
           r[i].pass ? "pass" : "MISS");
    KS_ASSERT_TRUE(isfinite(r[i].simulated));
    if (r[i].role == KS_TARGET_CALIBRATED && !r[i].pass) KS_FAIL_("calibration target %s missed: %g", r[i].id, r[i].simulated);
  }
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
