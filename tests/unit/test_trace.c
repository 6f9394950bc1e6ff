/* SPDX-License-Identifier: MIT */
/* One patient's trace (ks_trial_patient_trace, `ketasim patient`): the same patient as in the
 * trial run, every layer recorded, the latent severities between visits consistent with those
 * at visits, counterfactual arms, and refused arguments. */
#include "harness.h"
#include <ketasim/ketasim.h>

static const char *parallel_yaml =
    "ketasim: 1\n"
    "name: unit-trace\n"
    "seed: 11\n"
    "population: {n: 8, preset: civilian-chronic-ptsd}\n"
    "design: parallel\n"
    "arms:\n"
    "  - name: ketamine\n"
    "    regimen:\n"
    "      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, days: [1, 3, 5]}\n"
    "    therapy:\n"
    "      - {kind: prolonged-exposure, days: [2, 4], minutes: 90}\n"
    "  - name: midazolam\n"
    "    regimen:\n"
    "      - {drug: midazolam, route: iv, dose: 0.045 mg/kg, infusion: 40 min, days: [1, 3, 5]}\n"
    "assessments: {caps5: [0, \"24 h\", 7], madrs: [0, 7], cadss: [\"40 min\"], scan: [0, 7]}\n"
    "followup: {days: 14, caps5_every: 7}\n"
    "endpoints:\n"
    "  primary: {scale: caps5, day: 7}\n"
    "dropout: {rate_per_week: 0.3, mechanism: mcar}\n";

static const char *crossover_yaml =
    "ketasim: 1\n"
    "name: unit-trace-crossover\n"
    "seed: 14\n"
    "population: {n: 4, preset: civilian-chronic-ptsd}\n"
    "design: crossover\n"
    "period_days: 7\n"
    "washout_days: 0\n"
    "arms:\n"
    "  - name: ketamine\n"
    "    regimen:\n"
    "      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, days: [1]}\n"
    "  - name: midazolam\n"
    "    regimen:\n"
    "      - {drug: midazolam, route: iv, dose: 0.045 mg/kg, infusion: 40 min, days: [1]}\n"
    "assessments: {iesr: [0, \"24 h\", 7], madrs: [0, \"24 h\"], cadss: [\"40 min\"]}\n"
    "endpoints:\n"
    "  primary: {scale: iesr, day: \"24 h\"}\n";

static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static double at(const ks_trace_table *t, size_t r, const char *col) {
  int c = ks_trace_table_column(t, col);
  return c < 0 ? NAN : t->data[r * t->n_cols + (size_t)c];
}

/* Every patient's trace holds exactly the values of the trial run (every measure, every visit). */
static void check_matches_run(const char *yaml, int *ks_failed_) {
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "trace.yaml", yaml, strlen(yaml), &sc));
  ks_trial_result *r = NULL;
  KS_ASSERT_OK(ks_trial_run(ctx, sc, NULL, &r));
  size_t n_mismatch = 0, n_dropped_rows = 0;
  for (size_t i = 0; i < ks_trial_n_patients(r); i++) {
    ks_trial_trace *tr = NULL;
    KS_ASSERT_OK(ks_trial_patient_trace(ctx, sc, NULL, i + 1, -1, &tr));
    KS_ASSERT_EQ_INT(ks_trial_trace_arm(tr), ks_trial_patient_arm(r, i));
    KS_ASSERT_EQ_INT(ks_trial_trace_randomised_arm(tr), ks_trial_patient_arm(r, i));
    const ks_trace_table *v = ks_trial_trace_find(tr, "visits");
    KS_ASSERT_TRUE(v != NULL);
    KS_ASSERT_EQ_INT(v->n_rows, ks_trial_n_visits(r));
    for (size_t k = 0; k < v->n_rows; k++) {
      KS_ASSERT_EQ_STR(ks_trial_trace_visit_label(tr, k), ks_trial_visit_label(r, k));
      KS_ASSERT_TRUE(at(v, k, "t_h") == ks_trial_visit_t_h(r, k));
      for (int m = 0; m < KS_M_N; m++)
        n_mismatch += !same(at(v, k, ks_measure_name((ks_measure)m)), ks_trial_value(r, i, k, (ks_measure)m));
      n_dropped_rows += isnan(at(v, k, "theta_b"));
    }
    ks_trial_trace_destroy(&tr);
    KS_ASSERT_TRUE(tr == NULL);
  }
  KS_ASSERT_EQ_INT(n_mismatch, 0);
  (void)n_dropped_rows;
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST(trace_is_the_trial_patient_parallel) { check_matches_run(parallel_yaml, ks_failed_); }
KS_TEST(trace_is_the_trial_patient_crossover) { check_matches_run(crossover_yaml, ks_failed_); }

/* The fear table's latent severities (computed between visits by the trace hook) equal those the
 * visit's scores were generated from, wherever the patient was assessed: the two mappings from
 * the layers above to the symptom layer agree. */
KS_TEST(trace_latent_between_visits_matches_visits) {
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "trace.yaml", parallel_yaml, strlen(parallel_yaml), &sc));
  size_t n_checked = 0;
  static const char *const th[] = {"theta_b", "theta_c", "theta_d", "theta_e", "theta_dep"};
  for (size_t p = 1; p <= 4; p++) {
    ks_trial_trace *tr = NULL;
    KS_ASSERT_OK(ks_trial_patient_trace(ctx, sc, NULL, p, -1, &tr));
    const ks_trace_table *v = ks_trial_trace_find(tr, "visits"), *f = ks_trial_trace_find(tr, "fear");
    for (size_t k = 0; k < v->n_rows; k++) {
      if (isnan(at(v, k, "theta_b"))) continue; /* dropped out */
      size_t j = 0;
      while (j < f->n_rows && at(f, j, "t_h") < at(v, k, "t_h") - 1e-9) j++;
      KS_ASSERT_TRUE(j < f->n_rows);
      KS_ASSERT_NEAR(at(f, j, "t_h"), at(v, k, "t_h"), 1e-9);
      for (size_t c = 0; c < 5; c++) KS_ASSERT_REL(at(f, j, th[c]), at(v, k, th[c]), 1e-12);
      n_checked++;
    }
    ks_trial_trace_destroy(&tr);
  }
  KS_ASSERT_TRUE(n_checked >= 8);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

/* Every layer is recorded: times ascending and covering the study, concentrations non-negative,
 * the interneuron block at least the pyramidal one, the cascade starting at baseline. */
KS_TEST(trace_tables_cover_every_layer) {
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "trace.yaml", parallel_yaml, strlen(parallel_yaml), &sc));
  ks_trial_trace *tr = NULL;
  KS_ASSERT_OK(ks_trial_patient_trace(ctx, sc, NULL, 1, 0, &tr)); /* on ketamine */
  KS_ASSERT_EQ_INT(ks_trial_trace_n_tables(tr), 6);
  static const char *const names[] = {"patient", "doses", "pk", "cascade", "fear", "visits"};
  for (size_t i = 0; i < 6; i++) {
    const ks_trace_table *t = ks_trial_trace_table(tr, i);
    KS_ASSERT_EQ_STR(t->name, names[i]);
    KS_ASSERT_TRUE(t->n_rows > 0 && t->n_cols > 0);
    for (size_t c = 0; c < t->n_cols; c++) KS_ASSERT_TRUE(t->col_names[c][0] && t->col_units[c][0]);
  }
  KS_ASSERT_TRUE(ks_trial_trace_table(tr, 6) == NULL && ks_trial_trace_find(tr, "nope") == NULL);
  const ks_trace_table *d = ks_trial_trace_find(tr, "doses"), *pk = ks_trial_trace_find(tr, "pk");
  KS_ASSERT_EQ_INT(d->n_rows, 3);
  double end_h = at(ks_trial_trace_find(tr, "visits"), ks_trial_trace_find(tr, "visits")->n_rows - 1, "t_h");
  double peak_s = 0, peak_block_i = 0;
  size_t n_minute = 0;
  for (size_t r = 0; r < pk->n_rows; r++) {
    if (r) KS_ASSERT_TRUE(at(pk, r, "t_h") > at(pk, r - 1, "t_h"));
    KS_ASSERT_TRUE(at(pk, r, "plasma_s_ketamine_ng_per_mL") >= 0 && at(pk, r, "effect_r_ketamine_ng_per_mL") >= 0);
    KS_ASSERT_TRUE(at(pk, r, "block_interneuron") >= at(pk, r, "block_pyramidal"));
    peak_s = fmax(peak_s, at(pk, r, "plasma_s_ketamine_ng_per_mL"));
    peak_block_i = fmax(peak_block_i, at(pk, r, "block_interneuron"));
    double t = at(pk, r, "t_h") - 24.0;
    n_minute += t >= 0 && t <= 40.0 / 60.0 + 3.0 + 1e-9;
  }
  KS_ASSERT_NEAR(at(pk, pk->n_rows - 1, "t_h"), end_h, 1.0);
  KS_ASSERT_RANGE(peak_s, 20, 200);              /* half of ~100-200 ng/mL racemic at 40 min */
  KS_ASSERT_RANGE(peak_block_i, 0.05, 1.0);
  KS_ASSERT_TRUE(n_minute >= 220);               /* the fine grid around the first dose */
  const ks_trace_table *c = ks_trial_trace_find(tr, "cascade");
  KS_ASSERT_NEAR(at(c, 0, "mtorc1"), 1.0, 1e-6);
  double peak_mtor = 0, peak_w = 0;
  for (size_t r = 0; r < c->n_rows; r++) {
    peak_mtor = fmax(peak_mtor, at(c, r, "mtorc1"));
    peak_w = fmax(peak_w, at(c, r, "window"));
  }
  KS_ASSERT_TRUE(peak_mtor > 1.2 && peak_w > 0.2);
  const ks_trace_table *f = ks_trial_trace_find(tr, "fear");
  KS_ASSERT_NEAR(at(f, 0, "t_h"), 0.0, 0.0);
  KS_ASSERT_NEAR(at(f, f->n_rows - 1, "t_h"), end_h, 1e-9);
  KS_ASSERT_TRUE(at(f, f->n_rows - 1, "exposure_minutes") >= 180.0 - 1e-9); /* two 90-min sessions */
  for (size_t r = 1; r < f->n_rows; r++) {
    KS_ASSERT_TRUE(at(f, r, "t_h") > at(f, r - 1, "t_h") && at(f, r, "t_h") - at(f, r - 1, "t_h") <= 6.0 + 1e-9);
    KS_ASSERT_RANGE(at(f, r, "fear_expression"), 0, 1);
  }
  ks_trial_trace_destroy(&tr);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

/* A counterfactual arm keeps the patient (covariates, drawn parameters) and changes the doses. */
KS_TEST(trace_counterfactual_arm_keeps_the_patient) {
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "trace.yaml", parallel_yaml, strlen(parallel_yaml), &sc));
  ks_trial_trace *a = NULL, *b = NULL;
  KS_ASSERT_OK(ks_trial_patient_trace(ctx, sc, NULL, 2, 0, &a));
  KS_ASSERT_OK(ks_trial_patient_trace(ctx, sc, NULL, 2, 1, &b));
  KS_ASSERT_EQ_INT(ks_trial_trace_randomised_arm(a), ks_trial_trace_randomised_arm(b));
  KS_ASSERT_EQ_INT(ks_trial_trace_arm(a), 0);
  KS_ASSERT_EQ_INT(ks_trial_trace_arm(b), 1);
  const ks_trace_table *pa = ks_trial_trace_find(a, "patient"), *pb = ks_trial_trace_find(b, "patient");
  static const char *const cov[] = {"age_y", "weight_kg", "caps5_true", "spine_deficit_pfc", "cadss_sensitivity"};
  for (size_t k = 0; k < 5; k++) KS_ASSERT_TRUE(at(pa, 0, cov[k]) == at(pb, 0, cov[k]));
  KS_ASSERT_EQ_INT(at(ks_trial_trace_find(a, "doses"), 0, "drug"), 0);
  KS_ASSERT_EQ_INT(at(ks_trial_trace_find(b, "doses"), 0, "drug"), 2);
  ks_trial_trace_destroy(&a);
  ks_trial_trace_destroy(&b);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST(trace_refuses_a_patient_or_arm_that_does_not_exist) {
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "trace.yaml", parallel_yaml, strlen(parallel_yaml), &sc));
  ks_trial_trace *tr = NULL;
  KS_ASSERT_EQ_INT(ks_trial_patient_trace(ctx, sc, NULL, 0, -1, &tr), KS_EINPUT);
  KS_ASSERT_EQ_INT(ks_trial_patient_trace(ctx, sc, NULL, 9, -1, &tr), KS_EINPUT);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "patient 9") != NULL);
  KS_ASSERT_EQ_INT(ks_trial_patient_trace(ctx, sc, NULL, 1, 2, &tr), KS_EINPUT);
  KS_ASSERT_TRUE(tr == NULL);
  ks_trial_options o = ks_trial_options_default();
  o.n_patients = 20; /* a larger trial has a patient 9 */
  KS_ASSERT_OK(ks_trial_patient_trace(ctx, sc, &o, 9, -1, &tr));
  ks_trial_trace_destroy(&tr);
  ks_trial_trace_destroy(&tr); /* destroying NULL is a no-op */
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
