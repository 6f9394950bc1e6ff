/* SPDX-License-Identifier: MIT */
/* The trial layer end to end on small scenarios: schedule, randomisation, determinism across
 * thread counts, crossover, knockouts, dose refusal, output files. */
#include "harness.h"
#include <ketasim/ketasim.h>
#include <sys/stat.h>

static const char *parallel_yaml =
    "ketasim: 1\n"
    "name: unit-parallel\n"
    "seed: 7\n"
    "population: {n: 12, preset: civilian-chronic-ptsd}\n"
    "design: parallel\n"
    "arms:\n"
    "  - name: ketamine\n"
    "    regimen:\n"
    "      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, days: [1, 3, 5]}\n"
    "  - name: midazolam\n"
    "    regimen:\n"
    "      - {drug: midazolam, route: iv, dose: 0.045 mg/kg, infusion: 40 min, days: [1, 3, 5]}\n"
    "assessments: {caps5: [0, \"24 h\", 7], madrs: [0, 7], cadss: [\"40 min\"], scan: [0, 7]}\n"
    "followup: {days: 14, caps5_every: 7}\n"
    "endpoints:\n"
    "  primary: {scale: caps5, day: 7}\n"
    "  response: {scale: caps5, drop_pct: 30, day: 7}\n"
    "  durability: {scale: caps5, responders_only: true}\n";


static ks_trial_result *run(ks_ctx *ctx, const ks_scenario *sc, int threads, int *failed) {
  ks_trial_options o = ks_trial_options_default();
  o.n_threads = threads;
  ks_trial_result *r = NULL;
  ks_status st = ks_trial_run(ctx, sc, &o, &r);
  if (st != KS_OK) {
    fprintf(stderr, "ks_trial_run: %s\n", ks_ctx_last_error(ctx));
    *failed = 1;
  }
  return r;
}

KS_TEST(same_values_for_one_and_two_threads) {
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "unit.yaml", parallel_yaml, strlen(parallel_yaml), &sc));
  ks_trial_result *a = run(ctx, sc, 1, ks_failed_), *b = run(ctx, sc, 2, ks_failed_);
  KS_ASSERT_TRUE(a && b);
  KS_ASSERT_EQ_INT(ks_trial_n_patients(a), 12);
  size_t nv = ks_trial_n_visits(a), diffs = 0, finite = 0;
  for (size_t i = 0; i < 12; i++)
    for (size_t v = 0; v < nv; v++)
      for (int m = 0; m < KS_M_N; m++) {
        double x = ks_trial_value(a, i, v, (ks_measure)m), y = ks_trial_value(b, i, v, (ks_measure)m);
        if (isnan(x) != isnan(y) || (!isnan(x) && memcmp(&x, &y, sizeof x) != 0)) diffs++;
        finite += !isnan(x);
      }
  KS_ASSERT_EQ_INT(diffs, 0);
  KS_ASSERT_TRUE(finite > 12 * nv);
  /* Balanced permuted blocks: 6 per arm. */
  int n0 = 0;
  for (size_t i = 0; i < 12; i++) n0 += ks_trial_patient_arm(a, i) == 0;
  KS_ASSERT_EQ_INT(n0, 6);
  ks_trial_result_destroy(&a);
  ks_trial_result_destroy(&b);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST(visits_and_mechanism_readouts) {
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "unit.yaml", parallel_yaml, strlen(parallel_yaml), &sc));
  ks_trial_result *r = run(ctx, sc, 0, ks_failed_);
  KS_ASSERT_TRUE(r != NULL);
  /* Visits: day 0, 40 min after the first dose, 24 h after it, day 7, follow-up day 12 (5 + 7). */
  KS_ASSERT_NEAR(ks_trial_visit_t_h(r, 0), 0.0, 1e-12);
  KS_ASSERT_NEAR(ks_trial_visit_t_h(r, 1), 24.0 + 40.0 / 60.0, 1e-9);
  KS_ASSERT_NEAR(ks_trial_visit_t_h(r, 2), 48.0, 1e-9);
  KS_ASSERT_EQ_STR(ks_trial_visit_label(r, 1), "40 min");
  double w_ket = 0, w_mid = 0, cadss_ket = 0, cadss_mid = 0;
  for (size_t i = 0; i < ks_trial_n_patients(r); i++) {
    int arm = ks_trial_patient_arm(r, i);
    double w = ks_trial_value(r, i, 2, KS_M_WINDOW), c = ks_trial_value(r, i, 1, KS_M_CADSS);
    KS_ASSERT_TRUE(!isnan(ks_trial_value(r, i, 0, KS_M_CAPS5)));
    KS_ASSERT_RANGE(ks_trial_value(r, i, 0, KS_M_CAPS5), 0, 80);
    KS_ASSERT_TRUE(!isnan(ks_trial_value(r, i, 0, KS_M_FC_VMPFC_AMYGDALA)));
    if (arm == 0) w_ket += w, cadss_ket += c;
    else w_mid += w, cadss_mid += c;
  }
  /* Ketamine opens the window and dissociates; midazolam does neither. */
  KS_ASSERT_TRUE(w_ket > 10 * w_mid + 0.1);
  KS_ASSERT_TRUE(cadss_ket > cadss_mid);
  KS_ASSERT_NEAR(cadss_mid, 0.0, 1e-12);
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

/* Only the imaging subset (the first imaging.n patients, those the summary reads) is scanned;
 * the others have no FC value. */
KS_TEST(only_the_imaging_subset_is_scanned) {
  ks_ctx *ctx = ks_test_ctx();
  char yaml[2048];
  snprintf(yaml, sizeof yaml, "%simaging: {n: 5}\n", parallel_yaml);
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "unit.yaml", yaml, strlen(yaml), &sc));
  ks_trial_result *r = run(ctx, sc, 0, ks_failed_);
  KS_ASSERT_TRUE(r != NULL);
  KS_ASSERT_EQ_INT((long)ks_trial_n_imaged(r), 5);
  for (size_t i = 0; i < ks_trial_n_patients(r); i++) {
    double fc = ks_trial_value(r, i, 0, KS_M_FC_VMPFC_AMYGDALA);
    KS_ASSERT_TRUE(i < 5 ? isfinite(fc) : isnan(fc));
  }
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST(knockout_removes_the_window) {
  ks_ctx *ctx = ks_test_ctx();
  char *y = malloc(strlen(parallel_yaml) + 64);
  strcpy(y, parallel_yaml);
  strcat(y, "knockout: mtorc1\n");
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "ko.yaml", y, strlen(y), &sc));
  ks_trial_result *r = run(ctx, sc, 0, ks_failed_);
  KS_ASSERT_TRUE(r != NULL);
  for (size_t i = 0; i < ks_trial_n_patients(r); i++)
    KS_ASSERT_TRUE(ks_trial_value(r, i, 2, KS_M_WINDOW) < 0.01);
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
  free(y);
}

KS_TEST(outputs_are_written_and_primary_is_computed) {
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "unit.yaml", parallel_yaml, strlen(parallel_yaml), &sc));
  ks_trial_result *r = run(ctx, sc, 0, ks_failed_);
  KS_ASSERT_TRUE(r != NULL);
  ks_trial_primary pr;
  KS_ASSERT_OK(ks_trial_summarise(ctx, r, &pr));
  KS_ASSERT_TRUE(pr.valid);
  KS_ASSERT_TRUE(isfinite(pr.difference) && pr.ci_lo < pr.difference && pr.difference < pr.ci_hi);
  KS_ASSERT_RANGE(pr.p, 0, 1);
  KS_ASSERT_OK(ks_trial_write(ctx, r, "test_trial_out", 1.0, 1, 1));
  struct stat stt;
  KS_ASSERT_TRUE(stat("test_trial_out/summary.json", &stt) == 0 && stt.st_size > 500);
  KS_ASSERT_TRUE(stat("test_trial_out/patients.csv", &stt) == 0 && stt.st_size > 500);
  KS_ASSERT_TRUE(stat("test_trial_out/scenario.resolved.yaml", &stt) == 0 && stt.st_size > 100);
  /* The resolved scenario loads back to an equal scenario. */
  ks_scenario *back = NULL;
  KS_ASSERT_OK(ks_scenario_load(ctx, "test_trial_out/scenario.resolved.yaml", &back));
  KS_ASSERT_TRUE(ks_scenario_equal(sc, back));
  ks_scenario_destroy(&back);
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST(crossover_runs_both_periods) {
  const char *yaml =
      "ketasim: 1\nname: unit-crossover\nseed: 3\n"
      "population: {n: 8, preset: civilian-chronic-ptsd}\n"
      "design: crossover\nperiod_days: 7\nwashout_days: 7\n"
      "arms:\n"
      "  - name: ketamine\n    regimen:\n      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, days: [1]}\n"
      "  - name: midazolam\n    regimen:\n      - {drug: midazolam, route: iv, dose: 0.045 mg/kg, infusion: 40 min, days: [1]}\n"
      "assessments: {iesr: [0, \"24 h\"]}\n"
      "endpoints:\n  primary: {scale: iesr, day: \"24 h\"}\n";
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = NULL;
  ks_status st = ks_scenario_load_string(ctx, "x.yaml", yaml, strlen(yaml), &sc);
  if (st != KS_OK) fprintf(stderr, "%s\n", ks_ctx_last_error(ctx));
  KS_ASSERT_OK(st);
  ks_trial_result *r = run(ctx, sc, 0, ks_failed_);
  KS_ASSERT_TRUE(r != NULL);
  /* Two periods: the second starts 14 days after the first. */
  size_t nv = ks_trial_n_visits(r);
  KS_ASSERT_TRUE(nv >= 4);
  KS_ASSERT_NEAR(ks_trial_visit_t_h(r, nv - 1), 24.0 * 14 + 48.0, 1e-9);
  ks_trial_primary pr;
  KS_ASSERT_OK(ks_trial_summarise(ctx, r, &pr));
  KS_ASSERT_TRUE(pr.valid);
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

/* The secondary statistics agree with a recount from the per-patient values: response rates per
 * arm (their difference is the risk difference), durability counts, the LMM sample. */
KS_TEST(secondary_statistics_match_the_patient_values) {
  const char *yaml =
      "ketasim: 1\nname: unit-secondary\nseed: 11\n"
      "population: {n: 40, preset: civilian-chronic-ptsd}\n"
      "design: parallel\n"
      "arms:\n"
      "  - name: ketamine\n    regimen:\n      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, days: [1, 3, 5]}\n"
      "  - name: midazolam\n    regimen:\n      - {drug: midazolam, route: iv, dose: 0.045 mg/kg, infusion: 40 min, days: [1, 3, 5]}\n"
      "assessments: {caps5: [0, \"24 h\", 7], scan: [0, 7]}\n"
      "followup: {days: 28, caps5_every: 7}\n"
      "endpoints:\n"
      "  primary: {scale: caps5, day: 7}\n"
      "  response: {scale: caps5, drop_pct: 30, day: 7}\n"
      "  remission: {scale: caps5, below: 25, day: 7}\n"
      "  durability: {scale: caps5, responders_only: true}\n";
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "s.yaml", yaml, strlen(yaml), &sc));
  ks_trial_result *r = run(ctx, sc, 0, ks_failed_);
  KS_ASSERT_TRUE(r != NULL);
  /* Recount responders and remitters at day 7 (visit index of "day 7" in period 1). */
  size_t v7 = 0, nv = ks_trial_n_visits(r);
  for (size_t v = 0; v < nv; v++)
    if (!strcmp(ks_trial_visit_label(r, v), "day 7")) v7 = v;
  KS_ASSERT_TRUE(v7 > 0);
  size_t k[2] = {0, 0}, n[2] = {0, 0}, rem[2] = {0, 0};
  for (size_t i = 0; i < ks_trial_n_patients(r); i++) {
    int a = ks_trial_patient_arm(r, i);
    double b = ks_trial_value(r, i, 0, KS_M_CAPS5), y = ks_trial_value(r, i, v7, KS_M_CAPS5);
    if (isnan(b) || isnan(y) || !(b > 0)) continue;
    n[a]++;
    k[a] += (b - y) / b >= 0.30;
    rem[a] += y < 25;
  }
  ks_trial_arm_summary s0, s1;
  KS_ASSERT_OK(ks_trial_arm_summarise(ctx, r, 0, &s0));
  KS_ASSERT_OK(ks_trial_arm_summarise(ctx, r, 1, &s1));
  KS_ASSERT_EQ_INT((long)s0.response_k, (long)k[0]);
  KS_ASSERT_EQ_INT((long)s0.response_n, (long)n[0]);
  KS_ASSERT_EQ_INT((long)s1.response_k, (long)k[1]);
  KS_ASSERT_EQ_INT((long)s0.remission_k, (long)rem[0]);
  KS_ASSERT_EQ_INT((long)s0.durability_n, (long)k[0]);
  KS_ASSERT_TRUE(s0.durability_events <= s0.durability_n);
  KS_ASSERT_TRUE(s0.response_lo <= s0.response_rate && s0.response_rate <= s0.response_hi);
  ks_trial_secondary sec;
  KS_ASSERT_OK(ks_trial_secondary_summarise(ctx, r, &sec));
  KS_ASSERT_TRUE(sec.valid);
  KS_ASSERT_NEAR(sec.response_diff, (double)k[0] / (double)n[0] - (double)k[1] / (double)n[1], 1e-12);
  KS_ASSERT_TRUE(sec.response_diff_lo <= sec.response_diff && sec.response_diff <= sec.response_diff_hi);
  KS_ASSERT_RANGE(sec.response_fisher_p, 0, 1);
  /* The mixed model sees each patient's day-1 and day-7 scores and agrees in sign with ANCOVA. */
  ks_trial_primary pr;
  KS_ASSERT_OK(ks_trial_summarise(ctx, r, &pr));
  KS_ASSERT_TRUE(sec.lmm_valid);
  KS_ASSERT_TRUE(sec.lmm_n_subjects >= 35 && sec.lmm_n_obs >= 2 * sec.lmm_n_subjects - 5);
  KS_ASSERT_TRUE((sec.lmm_difference < 0) == (pr.difference < 0));
  KS_ASSERT_TRUE(sec.lmm_ci_lo < sec.lmm_difference && sec.lmm_difference < sec.lmm_ci_hi);
  /* Imaging: r inside its bootstrap interval; AUC in [0, 1]. */
  KS_ASSERT_TRUE(sec.imaging_n >= 30);
  KS_ASSERT_TRUE(sec.imaging_r_lo <= sec.imaging_r && sec.imaging_r <= sec.imaging_r_hi);
  KS_ASSERT_RANGE(sec.baseline_fc_response_auc, 0, 1);
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

/* Allocation ratios that need more slots than a permuted block holds (64; 2 x ratio per arm) are
 * refused, not silently truncated to a different allocation: by the loader (ketasim check), and
 * by the trial for a scenario changed in code after loading. */
KS_TEST(too_many_randomisation_slots_are_refused) {
  ks_ctx *ctx = ks_test_ctx();
  char yaml[2048];
  snprintf(yaml, sizeof yaml, "%s", parallel_yaml);
  char *arm = strstr(yaml, "  - name: ketamine\n");
  KS_ASSERT_TRUE(arm != NULL);
  if (!arm) return;
  char tail[2048];
  snprintf(tail, sizeof tail, "%s", arm + strlen("  - name: ketamine\n"));
  snprintf(arm, sizeof yaml - (size_t)(arm - yaml), "  - name: ketamine\n    ratio: 40\n%s", tail);
  ks_scenario *sc = NULL;
  KS_ASSERT_EQ_INT(ks_scenario_load_string(ctx, "ratio.yaml", yaml, strlen(yaml), &sc), KS_EINPUT);
  KS_ASSERT_TRUE(sc == NULL);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "randomisation slots") != NULL);
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "ratio.yaml", parallel_yaml, strlen(parallel_yaml), &sc));
  if (!sc) return;
  sc->arms[0].ratio = 40;
  ks_ctx_clear_error(ctx);
  ks_trial_result *r = NULL;
  KS_ASSERT_EQ_INT(ks_trial_run(ctx, sc, NULL, &r), KS_EINPUT);
  KS_ASSERT_TRUE(r == NULL);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "randomisation slots") != NULL);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
