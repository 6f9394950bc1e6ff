/* SPDX-License-Identifier: MIT */
/* The sweep layer without long trials: the parameter table against data/sensitivity/params.tsv,
 * regimen points applied to a scenario, the evaluation log (resume), and the optimize block. */
#include "harness.h"
#include <ketasim/link.h>

#include <ketasim/sweep.h>
#include <unistd.h>

static const char *src_dir(void) {
  const char *s = getenv("KS_SOURCE_DIR");
  return s ? s : ".";
}

static const char *scenario_text =
    "ketasim: 1\nname: t\nseed: 3\npopulation: {n: 8, preset: civilian-chronic-ptsd}\ndesign: single-arm\n"
    "arms:\n  - name: k\n    regimen:\n      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, days: [2, 4]}\n"
    "    therapy:\n      - {kind: prolonged-exposure, days: [3, 5], minutes: 90}\n"
    "assessments:\n  caps5: [0, 14, 40]\nendpoints:\n  response: {scale: caps5, drop_pct: 30, day: 14}\n";

/* The documented default ranges are the TSV's, row for row. */
KS_TEST(params_tsv_matches_table) {
  ks_ctx *ctx = ks_test_ctx();
  char path[4096];
  snprintf(path, sizeof path, "%s/data/sensitivity/params.tsv", src_dir());
  ks_param_range file[KS_PARAM_MAX], def[KS_PARAM_MAX];
  size_t nf = 0, nd = ks_param_ranges_default(def, KS_PARAM_MAX);
  KS_ASSERT_OK(ks_param_ranges_load(ctx, path, file, KS_PARAM_MAX, &nf));
  KS_ASSERT_EQ_INT(nf, nd);
  for (size_t i = 0; i < nf; i++) {
    KS_ASSERT_TRUE(file[i].binding == def[i].binding);
    KS_ASSERT_NEAR(file[i].low, def[i].low, 1e-12);
    KS_ASSERT_NEAR(file[i].high, def[i].high, 1e-12);
    KS_ASSERT_EQ_STR(file[i].source, def[i].source);
  }
  ks_ctx_destroy(&ctx);
}

/* A layer parameter is a field of ks_link_params: setting it changes that field and nothing else. */
KS_TEST(params_set_link) {
  ks_ctx *ctx = ks_test_ctx();
  ks_link_params lp = ks_link_params_default(), before = lp;
  const ks_param_binding *b = ks_param_find("human_spine_relax_scale");
  KS_ASSERT_TRUE(b != NULL && b->target == KS_PARAM_LINK);
  KS_ASSERT_OK(ks_param_set(ctx, b, &lp, 1.5));
  KS_ASSERT_NEAR(lp.human_spine_relax_scale, 1.5, 0);
  lp.human_spine_relax_scale = before.human_spine_relax_scale;
  KS_ASSERT_TRUE(memcmp(&lp, &before, sizeof lp) == 0);
  KS_ASSERT_EQ_INT(ks_param_set(ctx, ks_param_find("blinded_expectancy"), &lp, 1.5), KS_EINPUT);
  ks_ctx_destroy(&ctx);
}

/* Setting a parameter changes exactly that field of the scenario; out-of-range values are refused. */
KS_TEST(params_set) {
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "t", scenario_text, strlen(scenario_text), &sc));
  KS_ASSERT_OK(ks_param_set(ctx, ks_param_find("dose"), sc, 0.25));
  KS_ASSERT_NEAR(sc->arms[0].regimen[0].dose, 0.25, 0);
  KS_ASSERT_OK(ks_param_set(ctx, ks_param_find("caps5_mean"), sc, 38));
  KS_ASSERT_TRUE(sc->population.caps5_mean_set && sc->population.caps5_mean == 38);
  KS_ASSERT_EQ_INT(ks_param_set(ctx, ks_param_find("female_fraction"), sc, 1.5), KS_EINPUT);
  KS_ASSERT_TRUE(ks_param_find("no-such") == NULL);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

/* 3 infusions every 2 days from day 2, maintenance every 7 days to day 30, therapy 1 day after
 * each infusion, dose 0.3: days 2, 4, 6, 13, 20, 27 and therapy 3, 5, 7, 14, 21, 28. */
KS_TEST(regimen_apply) {
  ks_ctx *ctx = ks_test_ctx();
  ks_scenario *sc = NULL, *out = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "t", scenario_text, strlen(scenario_text), &sc));
  ks_optimize_spec s;
  memset(&s, 0, sizeof s);
  s.present = 1;
  int set[] = {KS_OPT_DOSE, KS_OPT_INFUSIONS, KS_OPT_SPACING_DAYS, KS_OPT_THERAPY_DELAY_DAYS, KS_OPT_MAINTENANCE_INTERVAL_DAYS};
  for (size_t i = 0; i < 5; i++) s.var_set[set[i]] = 1;
  s.maintenance_until_day = 30;
  double x[KS_OPT_VAR_N] = {0};
  x[KS_OPT_DOSE] = 0.3, x[KS_OPT_INFUSIONS] = 3, x[KS_OPT_SPACING_DAYS] = 2, x[KS_OPT_THERAPY_DELAY_DAYS] = 1;
  x[KS_OPT_MAINTENANCE_INTERVAL_DAYS] = 7;
  KS_ASSERT_OK(ks_regimen_apply(ctx, sc, &s, x, &out));
  const ks_scen_arm *a = &out->arms[0];
  const int want[] = {2, 4, 6, 13, 20, 27};
  KS_ASSERT_EQ_INT(a->n_regimen, 1);
  KS_ASSERT_EQ_INT(a->regimen[0].n_days, 6);
  KS_ASSERT_NEAR(a->regimen[0].dose, 0.3, 1e-12);
  for (size_t i = 0; i < 6; i++) {
    KS_ASSERT_EQ_INT(a->regimen[0].days[i], want[i]);
    KS_ASSERT_EQ_INT(a->therapy[0].days[i], want[i] + 1);
  }
  double visits = 0, drug = 0;
  ks_regimen_burden(out, 0, &visits, &drug);
  KS_ASSERT_NEAR(visits, 12, 0);
  KS_ASSERT_NEAR(drug, 1.8, 1e-12);
  ks_scenario_destroy(&out);
  /* A dose outside the studied range is refused by the loader the regimen goes through. */
  x[KS_OPT_DOSE] = 3.0;
  KS_ASSERT_EQ_INT(ks_regimen_apply(ctx, sc, &s, x, &out), KS_EINPUT);
  KS_ASSERT_TRUE(out == NULL && strstr(ks_ctx_last_error(ctx), "studied") != NULL);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

/* The log keeps exact doubles, drops a line cut by a kill, and refuses another run's log. */
KS_TEST(eval_log_resume) {
  ks_ctx *ctx = ks_test_ctx();
  char path[] = "/tmp/ks_evallog_XXXXXX";
  int fd = mkstemp(path);
  KS_ASSERT_TRUE(fd >= 0);
  close(fd);
  ks_eval_log *L = NULL;
  double in[2] = {0.1, 1.0 / 3.0}, out[1] = {-22.41666666666667}, got[1] = {0};
  KS_ASSERT_OK(ks_eval_log_open(ctx, path, "run A", 2, 1, 0, &L));
  KS_ASSERT_OK(ks_eval_log_add(ctx, L, in, out));
  ks_eval_log_close(&L, 0);
  FILE *fp = fopen(path, "a");
  KS_ASSERT_TRUE(fp != NULL);
  fputs("0x1p-3\t0x1p", fp); /* a line cut by a kill */
  fclose(fp);
  KS_ASSERT_OK(ks_eval_log_open(ctx, path, "run A", 2, 1, 1, &L));
  KS_ASSERT_EQ_INT(ks_eval_log_n_loaded(L), 1);
  KS_ASSERT_TRUE(ks_eval_log_find(L, in, got));
  KS_ASSERT_TRUE(got[0] == out[0]);
  double other[2] = {0.1, 0.3333};
  KS_ASSERT_TRUE(!ks_eval_log_find(L, other, got));
  ks_eval_log_close(&L, 0);
  KS_ASSERT_EQ_INT(ks_eval_log_open(ctx, path, "run B", 2, 1, 1, &L), KS_EINPUT);
  KS_ASSERT_OK(ks_eval_log_open(ctx, path, "run B", 2, 1, 0, &L)); /* not resuming: starts anew */
  KS_ASSERT_EQ_INT(ks_eval_log_n_loaded(L), 0);
  ks_eval_log_close(&L, 1);
  KS_ASSERT_TRUE(access(path, F_OK) != 0);
  ks_ctx_destroy(&ctx);
}

/* The optimize block of the test scenario, as read for the command. */
KS_TEST(optimize_block) {
  ks_ctx *ctx = ks_test_ctx();
  char path[4096];
  snprintf(path, sizeof path, "%s/tests/data/sweep/optimize-small.yaml", src_dir());
  ks_scenario *sc = NULL;
  ks_optimize_spec s;
  KS_ASSERT_OK(ks_scenario_load(ctx, path, &sc));
  KS_ASSERT_OK(ks_scenario_optimize_load(ctx, path, sc, &s));
  KS_ASSERT_TRUE(s.present);
  KS_ASSERT_EQ_INT(s.arm, 0);
  KS_ASSERT_EQ_STR(s.objective.endpoint, "change");
  KS_ASSERT_EQ_INT(s.objective.maximize, 0);
  KS_ASSERT_TRUE(s.var_set[KS_OPT_DOSE] && s.var_set[KS_OPT_THERAPY_DELAY_DAYS] && !s.var_set[KS_OPT_INFUSIONS]);
  KS_ASSERT_NEAR(s.low[KS_OPT_DOSE], 0.3, 0);
  KS_ASSERT_NEAR(s.high[KS_OPT_DOSE], 0.5, 0);
  KS_ASSERT_TRUE(s.con_set[KS_OPT_CON_CADSS_P95] && s.con_max[KS_OPT_CON_CADSS_P95] == 60);
  KS_ASSERT_EQ_STR(s.algorithm, "cobyla");
  KS_ASSERT_EQ_INT(s.evaluations, 3);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
