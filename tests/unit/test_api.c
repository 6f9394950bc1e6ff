/* SPDX-License-Identifier: MIT */
/* The flat table API (include/ketasim/api.h) that bindings use: shapes, names and units, properties
 * the tables must have whatever the model's numbers (linear PK, peak at the end of an infusion,
 * copies equal to their sources), and bad input reported with the field named. */
#include "harness.h"
#include <ketasim/api.h>
#include <ketasim/ketasim.h>

static int col(const ks_table *t, const char *name) {
  for (size_t c = 0; c < ks_table_n_cols(t); c++)
    if (strcmp(ks_table_col_name(t, c), name) == 0) return (int)c;
  return -1;
}

KS_TEST(pk_table_shape_linearity_and_peak) {
  ks_ctx *ctx = ks_test_ctx();
  ks_api_regimen r = {.drug = "ketamine", .route = "iv", .dose = "0.5 mg/kg", .infusion = "40 min"};
  ks_table *a = NULL, *b = NULL;
  KS_ASSERT_OK(ks_api_pk(ctx, &r, 4.0, 1.0 / 60.0, &a));
  KS_ASSERT_EQ_INT(ks_table_n_rows(a), 241);
  int cs = col(a, "s-ketamine_plasma");
  KS_ASSERT_TRUE(cs > 0);
  KS_ASSERT_EQ_STR(ks_table_col_unit(a, (size_t)cs), "ng/mL");
  const double *d = ks_table_data(a);
  size_t nc = ks_table_n_cols(a), imax = 0;
  KS_ASSERT_NEAR(d[cs], 0.0, 1e-12); /* nothing before the infusion starts */
  for (size_t i = 0; i < ks_table_n_rows(a); i++)
    if (d[i * nc + (size_t)cs] > d[imax * nc + (size_t)cs]) imax = i;
  KS_ASSERT_NEAR(d[imax * nc], 40.0 / 60.0, 1.0 / 60.0 + 1e-9); /* plasma peaks as the infusion ends */
  /* Linear PK: twice the dose, twice every concentration (a property of the model class). */
  r.dose = "1 mg/kg";
  r.allow_unstudied = 1;
  KS_ASSERT_OK(ks_api_pk(ctx, &r, 4.0, 1.0 / 60.0, &b));
  const double *e = ks_table_data(b);
  for (size_t i = 1; i < ks_table_n_rows(a); i += 17) KS_ASSERT_REL(e[i * nc + (size_t)cs], 2.0 * d[i * nc + (size_t)cs], 1e-9);
  ks_table_destroy(&a);
  ks_table_destroy(&b);
  KS_ASSERT_TRUE(a == NULL);
  ks_ctx_destroy(&ctx);
}

KS_TEST(pk_bad_input_names_the_field) {
  ks_ctx *ctx = ks_test_ctx();
  ks_table *t = NULL;
  ks_api_regimen r = {.drug = "ketamin", .route = "iv", .dose = "0.5 mg/kg"};
  KS_ASSERT_EQ_INT(ks_api_pk(ctx, &r, 4.0, 0.1, &t), KS_EINPUT);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "drug") != NULL);
  r.drug = "ketamine";
  r.dose = "0.5 mL";
  KS_ASSERT_EQ_INT(ks_api_pk(ctx, &r, 4.0, 0.1, &t), KS_EINPUT);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "dose") != NULL);
  r.dose = "5 mg/kg"; /* far above the studied range, not allowed */
  KS_ASSERT_EQ_INT(ks_api_pk(ctx, &r, 4.0, 0.1, &t), KS_EINPUT);
  r.dose = "0.5 mg/kg";
  r.route = "oral";
  r.infusion = "40 min";
  KS_ASSERT_EQ_INT(ks_api_pk(ctx, &r, 4.0, 0.1, &t), KS_EINPUT);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "infusion") != NULL);
  KS_ASSERT_TRUE(t == NULL);
  ks_ctx_destroy(&ctx);
}

KS_TEST(cascade_table) {
  ks_ctx *ctx = ks_test_ctx();
  ks_api_regimen r = {.drug = "ketamine", .route = "iv", .dose = "0.5 mg/kg", .infusion = "40 min"};
  ks_table *t = NULL;
  KS_ASSERT_OK(ks_api_cascade(ctx, &r, 48.0, 1.0, -1.0, &t));
  KS_ASSERT_EQ_INT(ks_table_n_rows(t), 49);
  int w = col(t, "window");
  KS_ASSERT_TRUE(w > 0);
  const double *d = ks_table_data(t);
  size_t nc = ks_table_n_cols(t);
  double wmax = 0;
  for (size_t i = 0; i < ks_table_n_rows(t); i++) wmax = fmax(wmax, d[i * nc + (size_t)w]);
  KS_ASSERT_TRUE(wmax > d[(size_t)w]); /* a dose opens the window above its baseline */
  ks_table_destroy(&t);
  ks_ctx_destroy(&ctx);
}

KS_TEST(trial_table_copies_every_value) {
  static const char *yaml =
      "ketasim: 1\nname: api\nseed: 3\npopulation: {n: 6, preset: civilian-chronic-ptsd}\ndesign: parallel\n"
      "arms:\n  - name: ketamine\n    regimen:\n"
      "      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, days: [1]}\n"
      "  - name: midazolam\n    regimen:\n"
      "      - {drug: midazolam, route: iv, dose: 0.045 mg/kg, infusion: 40 min, days: [1]}\n"
      "assessments: {caps5: [0, 7]}\nendpoints:\n  primary: {scale: caps5, day: 7}\n";
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "api.yaml", yaml, strlen(yaml), &sc));
  ks_trial_options o = ks_trial_options_default();
  o.n_threads = 1;
  ks_trial_result *res = NULL;
  KS_ASSERT_OK(ks_trial_run(ctx, sc, &o, &res));
  ks_table *t = NULL;
  KS_ASSERT_OK(ks_api_trial(ctx, res, &t));
  size_t np = ks_trial_n_patients(res), nv = ks_trial_n_visits(res), nc = ks_table_n_cols(t);
  KS_ASSERT_EQ_INT(ks_table_n_rows(t), np * nv);
  int c5 = col(t, "caps5");
  KS_ASSERT_TRUE(c5 > 0);
  KS_ASSERT_EQ_STR(ks_table_col_unit(t, (size_t)c5), "points");
  const double *d = ks_table_data(t);
  for (size_t i = 0; i < np; i++)
    for (size_t v = 0; v < nv; v++) {
      double want = ks_trial_value(res, i, v, KS_M_CAPS5), got = d[(i * nv + v) * nc + (size_t)c5];
      KS_ASSERT_TRUE((isnan(want) && isnan(got)) || want == got);
    }
  ks_table_destroy(&t);
  ks_trial_result_destroy(&res);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
