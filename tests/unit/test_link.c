/* SPDX-License-Identifier: MIT */
/* The links between layers, each on its own (include/ketasim/link.h). */
#include "harness.h"

#include <string.h>

#include <ketasim/link.h>

#include <math.h>

KS_TEST(link_defaults_pass_their_own_check) {
  ks_ctx *ctx = ks_test_ctx();
  ks_link_params lp = ks_link_params_default();
  KS_ASSERT_OK(ks_link_params_check(ctx, &lp));
  lp.fear_step_d = 0.5; /* fear.h asks for <= 0.25 d */
  KS_ASSERT_EQ_INT(ks_link_params_check(ctx, &lp), KS_EINVAL);
  ks_ctx_destroy(&ctx);
}

KS_TEST(link_spine_deficit_follows_severity_and_resistance) {
  ks_link_params lp = ks_link_params_default();
  /* Typical patient (z 0, R = R_ref, eps 0): the reference deficit exactly. */
  KS_ASSERT_NEAR(ks_link_spine_deficit(&lp, 0.0, lp.resistance_ref, 0.0), lp.spine_deficit_ref, 1e-15);
  /* Hand value: 0.15 (1 + 0.25 * 1 + 0.3 * 0.7) exp(0.25 * 0.5). */
  double want = 0.15 * (1.0 + 0.25 + 0.3 * 0.7) * exp(0.125);
  KS_ASSERT_NEAR(ks_link_spine_deficit(&lp, 1.0, 1.0, 0.5), want, 1e-12);
  /* Clamped at both ends. */
  KS_ASSERT_NEAR(ks_link_spine_deficit(&lp, 0.0, 0.3, 20.0), lp.spine_deficit_max, 0.0);
  KS_ASSERT_NEAR(ks_link_spine_deficit(&lp, -10.0, 0.3, 0.0), lp.spine_deficit_min, 0.0);
}

KS_TEST(link_fear_baseline_is_logistic_in_caps5) {
  ks_link_params lp = ks_link_params_default();
  KS_ASSERT_NEAR(ks_link_fear_baseline(&lp, lp.caps5_at_ref), 0.5, 1e-15);
  /* One logit above the reference: 1 / (1 + e^-1). */
  KS_ASSERT_NEAR(ks_link_fear_baseline(&lp, lp.caps5_at_ref + lp.caps5_per_logit), 1.0 / (1.0 + exp(-1.0)), 1e-12);
  KS_ASSERT_NEAR(ks_link_fear_baseline(&lp, 200.0), lp.fear0_max, 0.0);
}

KS_TEST(link_phenotype_severity_is_clamped_linear) {
  ks_link_params lp = ks_link_params_default();
  KS_ASSERT_NEAR(ks_link_phenotype_severity(&lp, 0.0), 0.6, 1e-15);
  KS_ASSERT_NEAR(ks_link_phenotype_severity(&lp, 1.0), 0.85, 1e-15);
  KS_ASSERT_NEAR(ks_link_phenotype_severity(&lp, 5.0), 1.0, 0.0);
  KS_ASSERT_NEAR(ks_link_phenotype_severity(&lp, -5.0), 0.0, 0.0);
}

KS_TEST(link_fear_drive_multiplies_gain_by_phenotype) {
  ks_link_params lp = ks_link_params_default();
  ks_cascade_point p = {0};
  p.gain[KS_PATH_VMPFC_AMYGDALA] = 0.9;
  p.gain[KS_PATH_HIPPOCAMPUS_VMPFC] = 0.95;
  ks_circuit_phenotype ph = ks_circuit_phenotype_healthy();
  ph.vmpfc_amygdala_control = 0.8;
  ph.hippocampal_volume_rel = 0.9;
  ks_fear_drive d = ks_link_fear_drive(&lp, &p, &p, &ph, 0.4, 0.0);
  KS_ASSERT_NEAR(d.window, 0.4, 0.0);
  KS_ASSERT_NEAR(d.vmpfc_amygdala_gain, 0.72, 1e-12);
  KS_ASSERT_NEAR(d.hippocampal_context, 0.855, 1e-12);
  p.gain[KS_PATH_HIPPOCAMPUS_VMPFC] = 2.0; /* context is a probability-like match: at most 1 */
  KS_ASSERT_NEAR(ks_link_fear_drive(&lp, &p, &p, &ph, 0.0, 0.0).hippocampal_context, 1.0, 0.0);
}

KS_TEST(link_circuit_drive_copies_block_and_gains) {
  ks_cascade_point p = {0};
  p.block_pyramidal = 0.2;
  p.block_interneuron = 0.4;
  p.gabaa_potentiation = 0.5;
  p.spine_pfc = 0.9;
  for (int k = 0; k < KS_PATH_N; k++) p.gain[k] = 0.8 + 0.05 * k;
  ks_circuit_drive d = ks_link_circuit_drive(&p);
  KS_ASSERT_NEAR(d.nmda_block_E, 0.2, 0.0);
  KS_ASSERT_NEAR(d.nmda_block_I, 0.4, 0.0);
  KS_ASSERT_NEAR(d.gabaa_potentiation, 1.5, 0.0);
  KS_ASSERT_NEAR(d.spine_pfc_rel, 0.9, 0.0);
  for (int k = 0; k < KS_PATH_N; k++) KS_ASSERT_NEAR(d.gain[k], 0.8 + 0.05 * k, 0.0);
}

KS_TEST(link_dropout_hazard_by_mechanism) {
  ks_link_params lp = ks_link_params_default();
  double base = -log(1.0 - 0.1);
  KS_ASSERT_NEAR(ks_link_dropout_hazard(&lp, 0.1, KS_DROPOUT_MCAR, 50, 40, 0.9, 0.5), base, 1e-15);
  KS_ASSERT_NEAR(ks_link_dropout_hazard(&lp, 0.1, KS_DROPOUT_MAR, 50, 40, 0.9, 0.5), base * exp(0.5), 1e-12);
  KS_ASSERT_NEAR(ks_link_dropout_hazard(&lp, 0.1, KS_DROPOUT_MAR, NAN, 40, 0.9, 0.5), base, 1e-15);
  KS_ASSERT_NEAR(ks_link_dropout_hazard(&lp, 0.1, KS_DROPOUT_MNAR, 50, 40, 0.6, 0.5), base * exp(0.3), 1e-12);
  KS_ASSERT_NEAR(ks_link_dropout_hazard(&lp, 0.0, KS_DROPOUT_MNAR, 50, 40, 0.6, 0.5), 0.0, 0.0);
}

KS_TEST(link_acute_conc_reads_effect_sites) {
  ks_pk_conc c;
  memset(&c, 0, sizeof c);
  c.effect_ng_per_mL[KS_SP_S_KETAMINE] = 80.0;
  c.effect_ng_per_mL[KS_SP_R_KETAMINE] = 70.0;
  c.effect_ng_per_mL[KS_SP_MIDAZOLAM] = 5.0;
  c.plasma_ng_per_mL[KS_SP_S_KETAMINE] = 999.0; /* plasma is not what the acute layer reads */
  ks_acute_conc a = ks_link_acute_conc(&c);
  KS_ASSERT_NEAR(a.s_ketamine_ng_per_mL, 80.0, 0.0);
  KS_ASSERT_NEAR(a.r_ketamine_ng_per_mL, 70.0, 0.0);
  KS_ASSERT_NEAR(a.midazolam_ng_per_mL, 5.0, 0.0);
}

KS_TEST(link_routes_switch_one_input_each) {
  ks_link_params lp = ks_link_params_default();
  ks_cascade_point p0 = {0}, p = {0};
  p0.gain[KS_PATH_VMPFC_AMYGDALA] = 0.85;
  p0.gain[KS_PATH_HIPPOCAMPUS_VMPFC] = 0.9;
  p = p0;
  p.gain[KS_PATH_VMPFC_AMYGDALA] = 1.05;
  ks_circuit_phenotype ph = ks_circuit_phenotype_healthy();
  ks_fear_drive on = ks_link_fear_drive(&lp, &p, &p0, &ph, 0.7, 1.0);
  KS_ASSERT_NEAR(on.vmpfc_amygdala_gain, 1.05, 1e-12);
  KS_ASSERT_NEAR(on.window, 0.7, 0.0);
  KS_ASSERT_NEAR(on.approach, lp.approach_per_expectancy, 1e-15);
  ks_link_params a = lp;
  a.route_spine_capacity = 0; /* control stays at the patient's baseline gain */
  KS_ASSERT_NEAR(ks_link_fear_drive(&a, &p, &p0, &ph, 0.7, 1.0).vmpfc_amygdala_gain, 0.85, 1e-12);
  KS_ASSERT_NEAR(ks_link_fear_drive(&a, &p, &p0, &ph, 0.7, 1.0).window, 0.7, 0.0);
  a = lp;
  a.route_window_learning = 0;
  KS_ASSERT_NEAR(ks_link_fear_drive(&a, &p, &p0, &ph, 0.7, 1.0).window, 0.0, 0.0);
  KS_ASSERT_NEAR(ks_link_mood_drive(&a, 0.7, 0.5, 1.0, 0.01, 1).window, 0.0, 0.0);
  a = lp;
  a.route_expectancy = 0;
  KS_ASSERT_NEAR(ks_link_fear_drive(&a, &p, &p0, &ph, 0.7, 1.0).approach, 0.0, 0.0);
  KS_ASSERT_NEAR(ks_link_expectancy(&a, 1.0), 0.0, 0.0);
  KS_ASSERT_NEAR(ks_link_expectancy(&lp, 0.6), 0.6, 0.0);
  a = lp;
  a.route_everyday_exposure = 0;
  ks_fear_params fp = ks_fear_params_default(KS_FEAR_MODEL_TWO_TRACE);
  ks_mood_params mp = ks_mood_params_default();
  KS_ASSERT_NEAR(ks_link_fear_params(&a, &fp).reminder_rate_per_day, 0.0, 0.0);
  KS_ASSERT_NEAR(ks_link_fear_params(&lp, &fp).reminder_rate_per_day, fp.reminder_rate_per_day, 0.0);
  KS_ASSERT_NEAR(ks_link_mood_params(&a, &mp).activities_per_day, 0.0, 0.0);
  a = lp;
  a.route_acute_mood = 0;
  KS_ASSERT_NEAR(ks_link_mood_drive(&a, 0.7, 0.5, 1.0, 0.01, 1).acute_rate_per_day, 0.0, 0.0);
  /* The acute state raises vmPFC control by the documented factor, within the clamp; not with the
   * route off, not without an acute state. */
  KS_ASSERT_NEAR(ks_link_acute_control(&a, 0.8, 0.5), 0.8, 0.0);
  KS_ASSERT_NEAR(ks_link_acute_control(&lp, 0.8, 0.0), 0.8, 0.0);
  KS_ASSERT_NEAR(ks_link_acute_control(&lp, 0.8, 0.5), 0.8 * (1.0 + 0.5 * lp.acute_control_gain), 1e-15);
  KS_ASSERT_NEAR(ks_link_acute_control(&lp, 2.9, 10.0), lp.control_gain_max, 0.0);
  ks_ctx *ctx = ks_test_ctx();
  a = lp;
  a.route_therapy = 2;
  KS_ASSERT_EQ_INT(ks_link_params_check(ctx, &a), KS_EINVAL);
  ks_ctx_destroy(&ctx);
}

KS_TEST(link_mood_drive_normalises_the_acute_rate) {
  ks_link_params lp = ks_link_params_default();
  /* A step whose mean eEF2 de-repression is E over 6 h delivers E * 6 h / ref of one 0.5 mg/kg
   * infusion: the rate per day is E / ref * 24. */
  ks_mood_drive d = ks_link_mood_drive(&lp, 0.5, 0.4, 1.0, 0.0035, 1);
  KS_ASSERT_NEAR(d.acute_rate_per_day, 0.0035 / lp.acute_ref_eef2_h * 24.0, 1e-12);
  KS_ASSERT_NEAR(d.expectancy, 1.0, 0.0);
  KS_ASSERT_NEAR(ks_link_mood_drive(&lp, 0.5, 0.4, 1.0, 0.0035, 0).expectancy, 0.0, 0.0); /* not yet treated */
  KS_ASSERT_NEAR(d.avoidance, 0.4, 0.0);
}

KS_TEST(link_mood_baseline_and_clinic_inputs) {
  ks_link_params lp = ks_link_params_default();
  KS_ASSERT_NEAR(ks_link_mood_baseline(&lp, 0.0), lp.mood_value_ref, 1e-15);
  /* One SD more depressed: logit V lower by k. */
  double v = ks_link_mood_baseline(&lp, 1.0);
  KS_ASSERT_NEAR(log(v / (1 - v)), log(lp.mood_value_ref / (1 - lp.mood_value_ref)) - lp.mood_logit_per_depression_z, 1e-12);
  ks_circuit_phenotype ph = ks_circuit_phenotype_healthy();
  ph.amygdala_reactivity = 1.4;
  ks_clinic_inputs in = ks_link_clinic_inputs(&ph, 0.3, 0.2, 0.7);
  KS_ASSERT_NEAR(in.fear_expression, 0.3, 0.0);
  KS_ASSERT_NEAR(in.avoidance, 0.2, 0.0);
  KS_ASSERT_NEAR(in.mood_appraisal, 0.3, 1e-15); /* negative appraisal = 1 - value */
  KS_ASSERT_NEAR(in.amygdala_reactivity, 1.4, 0.0);
}

KS_TEST(link_response_draws_are_mean_one_lognormal) {
  ks_link_params lp = ks_link_params_default();
  /* Mean one and log-SD sd for each multiplier (20000 patients; 4 SE bounds). */
  const int n = 20000;
  double sum[4] = {0}, sl[4] = {0}, sl2[4] = {0};
  for (int i = 0; i < n; i++) {
    ks_rng r;
    ks_rng_init(&r, 99, KS_STREAM_RESPONSE_IIV, (uint64_t)i, 0);
    ks_link_response x = ks_link_response_draw(&lp, &r);
    double v[4] = {x.extinction_rate, x.appraisal_rate, x.placebo_gain, x.acute_gain};
    for (int k = 0; k < 4; k++) sum[k] += v[k], sl[k] += log(v[k]), sl2[k] += log(v[k]) * log(v[k]);
  }
  const double sd[4] = {lp.extinction_rate_iiv_sd, lp.appraisal_rate_iiv_sd, lp.placebo_response_iiv_sd,
                        lp.acute_response_iiv_sd};
  for (int k = 0; k < 4; k++) {
    double se_mean = sqrt(exp(sd[k] * sd[k]) - 1.0) / sqrt((double)n);
    KS_ASSERT_NEAR(sum[k] / n, 1.0, 4.0 * se_mean);
    double m = sl[k] / n, s = sqrt(sl2[k] / n - m * m);
    KS_ASSERT_NEAR(m, -0.5 * sd[k] * sd[k], 4.0 * sd[k] / sqrt((double)n));
    KS_ASSERT_NEAR(s, sd[k], 4.0 * sd[k] / sqrt(2.0 * n));
  }
  /* Same key, same draw; SD 0: every multiplier exactly 1. */
  ks_rng a, b;
  ks_rng_init(&a, 5, KS_STREAM_RESPONSE_IIV, 17, 0);
  ks_rng_init(&b, 5, KS_STREAM_RESPONSE_IIV, 17, 0);
  KS_ASSERT_NEAR(ks_link_response_draw(&lp, &a).acute_gain, ks_link_response_draw(&lp, &b).acute_gain, 0.0);
  lp.extinction_rate_iiv_sd = lp.appraisal_rate_iiv_sd = lp.placebo_response_iiv_sd = lp.acute_response_iiv_sd = 0;
  ks_link_response one = ks_link_response_draw(&lp, &a);
  KS_ASSERT_NEAR(one.extinction_rate * one.appraisal_rate * one.placebo_gain * one.acute_gain, 1.0, 0.0);
}

KS_TEST(link_response_apply_scales_rates_and_clamps) {
  ks_fear_params fp = ks_fear_params_default(KS_FEAR_MODEL_TWO_TRACE);
  ks_mood_params mp = ks_mood_params_default();
  ks_fear_params fp0 = fp;
  ks_mood_params mp0 = mp;
  ks_link_response r = {2.0, 0.5, 3.0, 1.0};
  ks_link_response_apply(&r, &fp, &mp);
  KS_ASSERT_NEAR(fp.alpha_ext_per_min, 2.0 * fp0.alpha_ext_per_min, 1e-15);
  KS_ASSERT_NEAR(mp.eta_per_activity, 0.5 * mp0.eta_per_activity, 1e-15);
  KS_ASSERT_NEAR(mp.expectancy_readout, 3.0 * mp0.expectancy_readout, 1e-15);
  ks_link_response big = {1.0, 1e6, 1e6, 1.0}; /* the mood model's ranges: eta and c_x <= 1 */
  ks_link_response_apply(&big, &fp0, &mp0);
  KS_ASSERT_NEAR(mp0.eta_per_activity, 1.0, 0.0);
  KS_ASSERT_NEAR(mp0.expectancy_readout, 1.0, 0.0);
}

KS_TEST_MAIN()
