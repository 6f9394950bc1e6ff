/* SPDX-License-Identifier: MIT */
/* Scenario files: the DESIGN.md minimum example, every example, defaults, the resolved round
 * trip, error positions, limits, and robustness against truncated, mutated and out-of-memory
 * loads. */
#include "harness.h"

#include <ketasim/rng.h>
#include <ketasim/scenario.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ks_ctx *quiet_ctx(long fail_alloc_at) {
  ks_ctx_opts o = ks_ctx_opts_default();
  o.log_level = KS_LOG_ERROR;
  o.fail_alloc_at = fail_alloc_at;
  ks_ctx *ctx = NULL;
  return ks_ctx_create(&o, &ctx) == KS_OK ? ctx : NULL;
}

static void example_path(char *buf, size_t n, const char *name) {
  const char *src = getenv("KS_SOURCE_DIR");
  snprintf(buf, n, "%s/examples/%s", src ? src : ".", name);
}

static char *read_all(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(fp);
  if (buf) buf[n] = '\0', *len = (size_t)n;
  return buf;
}

/* Resolved YAML of a scenario, in a malloc'd string. */
static char *resolved_text(ks_ctx *ctx, const ks_scenario *sc, size_t *len) {
  char *buf = NULL;
  FILE *fp = open_memstream(&buf, len);
  if (!fp) return NULL;
  ks_status st = ks_scenario_write_resolved(ctx, sc, fp);
  fclose(fp);
  if (st != KS_OK) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* Load TEXT; return the status and copy the error message. */
static ks_status load_text(const char *text, char *err, size_t n) {
  ks_ctx *ctx = quiet_ctx(0);
  ks_scenario *sc = NULL;
  ks_status st = ks_scenario_load_string(ctx, "t.yaml", text, strlen(text), &sc);
  snprintf(err, n, "%s", ks_ctx_last_error(ctx));
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
  return st;
}

static const char *const MINI =
    "ketasim: 1\n"
    "name: mini\n"
    "population: {n: 10}\n"
    "design: single-arm\n"
    "arms:\n"
    "  - name: k\n"
    "    regimen:\n"
    "      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, days: [1]}\n"
    "assessments: {caps5: [0, 7]}\n";

KS_TEST(design_minimum_example_loads_with_expected_values) {
  char path[1024];
  example_path(path, sizeof path, "design-minimum.yaml");
  ks_ctx *ctx = quiet_ctx(0);
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load(ctx, path, &sc));
  KS_ASSERT_EQ_STR(sc->name, "repeated-infusions");
  KS_ASSERT_EQ_INT(sc->version, 1);
  KS_ASSERT_EQ_INT(sc->seed, 2021);
  KS_ASSERT_EQ_INT(sc->population.n, 30);
  KS_ASSERT_EQ_INT(sc->population.preset, KS_PRESET_CIVILIAN_CHRONIC_PTSD);
  KS_ASSERT_EQ_INT(sc->design, KS_DESIGN_PARALLEL);
  KS_ASSERT_EQ_INT(sc->n_arms, 2);
  KS_ASSERT_EQ_STR(sc->arms[0].name, "ketamine");
  KS_ASSERT_EQ_STR(sc->arms[1].name, "midazolam");
  const ks_scen_dose *k = &sc->arms[0].regimen[0], *m = &sc->arms[1].regimen[0];
  KS_ASSERT_EQ_INT(sc->arms[0].n_regimen, 1);
  KS_ASSERT_EQ_INT(k->drug, KS_SCEN_KETAMINE);
  KS_ASSERT_EQ_INT(k->route, KS_SCEN_IV);
  KS_ASSERT_EQ_INT(k->per_kg, 1);
  KS_ASSERT_NEAR(k->dose, 0.5, 0.0);
  KS_ASSERT_REL(k->infusion_h, 40.0 / 60.0, 1e-15);
  KS_ASSERT_EQ_INT(k->n_days, 6);
  static const int days[] = {1, 3, 5, 8, 10, 12};
  for (size_t i = 0; i < 6; i++) KS_ASSERT_EQ_INT(k->days[i], days[i]);
  KS_ASSERT_EQ_INT(m->drug, KS_SCEN_MIDAZOLAM);
  KS_ASSERT_NEAR(m->dose, 0.045, 0.0);
  KS_ASSERT_EQ_INT(sc->n_visits[KS_SCALE_CAPS5], 4);
  KS_ASSERT_EQ_INT(sc->n_visits[KS_SCALE_MADRS], 3);
  KS_ASSERT_EQ_INT(sc->n_visits[KS_SCALE_SCAN], 2);
  KS_ASSERT_EQ_INT(sc->n_visits[KS_SCALE_PCL5], 0);
  KS_ASSERT_NEAR(sc->visits[KS_SCALE_CAPS5][3].value, 14.0, 0.0);
  KS_ASSERT_EQ_INT(sc->followup_days, 56);
  KS_ASSERT_EQ_INT(sc->followup_every[KS_SCALE_CAPS5], 7);
  KS_ASSERT_EQ_INT(sc->primary.enabled, 1);
  KS_ASSERT_EQ_INT(sc->primary.scale, KS_SCALE_CAPS5);
  KS_ASSERT_NEAR(sc->primary.at.value, 14.0, 0.0);
  KS_ASSERT_EQ_INT(sc->response.enabled, 1);
  KS_ASSERT_NEAR(sc->response.drop_pct, 30.0, 0.0);
  KS_ASSERT_EQ_INT(sc->remission.enabled, 0);
  KS_ASSERT_EQ_INT(sc->durability.enabled, 1);
  KS_ASSERT_EQ_INT(sc->durability.responders_only, 1);
  /* Defaults. */
  KS_ASSERT_NEAR(sc->arms[0].ratio, 1.0, 0.0);
  KS_ASSERT_EQ_INT(sc->arms[0].knockout, KS_KNOCKOUT_NONE);
  KS_ASSERT_EQ_INT(sc->replicates, 1);
  KS_ASSERT_EQ_INT(sc->fear_model, KS_FEAR_DEFAULT);
  KS_ASSERT_EQ_INT(sc->allow_unstudied_doses, 0);
  KS_ASSERT_NEAR(sc->dropout_rate_per_week, 0.0, 0.0);
  KS_ASSERT_NEAR(sc->imaging_fraction, 1.0, 0.0); /* scan visits listed: everyone is scanned */
  KS_ASSERT_EQ_INT(ks_scenario_first_dose_day(sc), 1);
  KS_ASSERT_EQ_INT(ks_scenario_treatment_end_day(sc), 12);
  KS_ASSERT_EQ_INT(ks_scenario_total_patients(sc), 30);
  ks_scenario_destroy(&sc);
  KS_ASSERT_TRUE(sc == NULL);
  ks_scenario_destroy(&sc); /* safe on NULL */
  ks_ctx_destroy(&ctx);
}

KS_TEST(defaults_of_a_minimal_scenario) {
  ks_ctx *ctx = quiet_ctx(0);
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "mini.yaml", MINI, strlen(MINI), &sc));
  KS_ASSERT_EQ_INT(sc->seed, 1);
  KS_ASSERT_REL(sc->arms[0].regimen[0].infusion_h, 40.0 / 60.0, 1e-15);
  /* Default primary endpoint: the first scale with baseline and a later visit, at its last visit. */
  KS_ASSERT_EQ_INT(sc->primary.scale, KS_SCALE_CAPS5);
  KS_ASSERT_NEAR(sc->primary.at.value, 7.0, 0.0);
  KS_ASSERT_NEAR(sc->imaging_fraction, 0.0, 0.0);
  KS_ASSERT_EQ_INT(sc->imaging_n, 0);
  KS_ASSERT_EQ_INT(sc->population.caps5_mean_set, 0);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

/* Every examples/ *.yaml file loads, and its resolved text loads back to an equal scenario whose
 * resolved text is identical (the resolution is a fixed point). */
KS_TEST(every_example_loads_and_round_trips) {
  const char *src = getenv("KS_SOURCE_DIR");
  int n_files = 0;
  static const char *const subdirs[] = {"examples", "examples/designs", "examples/trials"};
  for (size_t sd = 0; sd < 3; sd++) {
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/%s", src ? src : ".", subdirs[sd]);
  DIR *d = opendir(dir);
  if (sd == 0) KS_ASSERT_TRUE(d != NULL);
  if (!d) continue;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t l = strlen(e->d_name);
    if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") != 0) continue;
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    ks_ctx *ctx = quiet_ctx(0);
    ks_scenario *a = NULL, *b = NULL;
    ks_status st = ks_scenario_load(ctx, path, &a);
    if (st != KS_OK) fprintf(stderr, "%s\n", ks_ctx_last_error(ctx));
    KS_ASSERT_OK(st);
    size_t la = 0, lb = 0;
    char *ta = resolved_text(ctx, a, &la);
    KS_ASSERT_TRUE(ta != NULL);
    st = ks_scenario_load_string(ctx, "resolved.yaml", ta, la, &b);
    if (st != KS_OK) fprintf(stderr, "%s\n%s\n", ks_ctx_last_error(ctx), ta);
    KS_ASSERT_OK(st);
    KS_ASSERT_TRUE(ks_scenario_equal(a, b));
    char *tb = resolved_text(ctx, b, &lb);
    KS_ASSERT_TRUE(tb != NULL);
    /* The first line names the source file; compare from the second. */
    KS_ASSERT_EQ_STR(strchr(ta, '\n'), strchr(tb, '\n'));
    free(ta);
    free(tb);
    ks_scenario_destroy(&a);
    ks_scenario_destroy(&b);
    ks_ctx_destroy(&ctx);
    n_files++;
  }
  closedir(d);
  }
  KS_ASSERT_TRUE(n_files >= 13); /* examples/ and examples/designs/ */
}

/* The trial language of issue 13: each form resolves to the days and times docs/scenario.md gives. */
static const char *const DESIGNS =
    "ketasim: 1\n"
    "name: designs\n"
    "population: {n: 30, preset: veterans, inclusion: {pcl5: \">= 33\", madrs: \"<= 50\"},\n"
    "             baseline: {caps5: {mean: 41.5, sd: 6.5}}}\n"
    "blinding: single-blind\n"
    "arms:\n"
    "  - name: ket\n"
    "    regimen:\n"
    "      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, schedule: \"3 per week for 2 weeks\", infusion: bolus}\n"
    "    therapy:\n"
    "      - {kind: mindfulness-extinction-reactivation, after_each_infusion: 26 h, infusions: [1, 6]}\n"
    "  - name: sal\n"
    "    regimen:\n"
    "      - {drug: saline, schedule: {per_week: 3, weeks: 2}}\n"
    "    therapy:\n"
    "      - {kind: trauma-focused-cbt, on_consecutive_days_after_infusion: 1, minutes: 60}\n"
    "  - name: wait\n"
    "    control: waitlist\n"
    "  - name: esk\n"
    "    regimen:\n"
    "      - {drug: active-placebo, agent: diphenhydramine, route: oral, dose: 50 mg, schedule: esketamine-label,\n"
    "         maintenance: {every: 2 weeks, until: 80}}\n"
    "contrasts: [\"ket vs sal\", {treatment: ket, control: wait}]\n"
    "assessments: {caps5: [0, 14]}\n";

static const char *const VISITS =
    "ketasim: 1\n"
    "name: visits\n"
    "population: {n: 20}\n"
    "arms:\n"
    "  - {name: a, regimen: [{drug: ketamine, route: iv, dose: 0.5 mg/kg, days: [1, 3, 5, 8, 10, 12]}]}\n"
    "  - {name: b, regimen: [{drug: midazolam, route: iv, dose: 0.045 mg/kg, days: [1, 3, 5, 8, 10, 12]}]}\n"
    "assessments:\n"
    "  caps5: [0, \"24 h after infusion 4\", {after_infusion: last, days: 1}, {after_infusion: 6, hours: 30}]\n";

KS_TEST(trial_language_resolves_as_documented) {
  ks_ctx *ctx = quiet_ctx(0);
  ks_scenario *sc = NULL;
  ks_status st = ks_scenario_load_string(ctx, "designs.yaml", DESIGNS, strlen(DESIGNS), &sc);
  if (st != KS_OK) fprintf(stderr, "%s\n", ks_ctx_last_error(ctx));
  KS_ASSERT_OK(st);
  KS_ASSERT_EQ_INT(sc->blinding, KS_BLINDING_SINGLE);
  KS_ASSERT_EQ_INT(sc->population.preset, KS_PRESET_VETERANS_TREATMENT_RESISTANT);
  KS_ASSERT_TRUE(sc->population.incl_min_set[KS_SCALE_PCL5] && sc->population.incl_min[KS_SCALE_PCL5] == 33.0);
  KS_ASSERT_TRUE(sc->population.incl_max_set[KS_SCALE_MADRS] && sc->population.incl_max[KS_SCALE_MADRS] == 50.0);
  KS_ASSERT_TRUE(sc->population.baseline_set[KS_SCALE_CAPS5]);
  /* 3 per week for 2 weeks from day 1: Mon/Wed/Fri as in Feder 2021. */
  const int mwf[6] = {1, 3, 5, 8, 10, 12};
  const ks_scen_dose *k = &sc->arms[0].regimen[0];
  KS_ASSERT_EQ_INT(k->n_days, 6);
  for (int i = 0; i < 6; i++) KS_ASSERT_EQ_INT(k->days[i], mwf[i]);
  KS_ASSERT_NEAR(k->infusion_h, 0.0, 0.0);
  KS_ASSERT_NEAR(k->recognisability, 0.9, 0.0);
  /* Sessions 26 h after infusions 1 and 6: days 2 and 13, 2 h into the day. */
  const ks_scen_therapy *t = &sc->arms[0].therapy[0];
  KS_ASSERT_EQ_INT(t->kind, KS_THERAPY_MINDFULNESS_EXTINCTION_REACTIVATION);
  KS_ASSERT_EQ_INT(t->n_days, 2);
  KS_ASSERT_EQ_INT(t->days[0], 2);
  KS_ASSERT_EQ_INT(t->days[1], 13);
  KS_ASSERT_NEAR(t->at_h, 2.0, 1e-12);
  /* Saline: no dose; consecutive-day sessions the day after each infusion. */
  KS_ASSERT_EQ_INT(sc->arms[1].regimen[0].drug, KS_SCEN_SALINE);
  KS_ASSERT_NEAR(sc->arms[1].regimen[0].dose, 0.0, 0.0);
  KS_ASSERT_EQ_INT(sc->arms[1].therapy[0].n_days, 6);
  KS_ASSERT_EQ_INT(sc->arms[1].therapy[0].days[5], 13);
  KS_ASSERT_EQ_INT(sc->arms[2].control, KS_ARM_CONTROL_WAITLIST);
  KS_ASSERT_EQ_INT(sc->arms[2].n_regimen, 0);
  /* Esketamine label: twice weekly weeks 1-4, weekly 5-8, then every 2 weeks to day 80. */
  const int label[15] = {1, 4, 8, 11, 15, 18, 22, 25, 29, 36, 43, 50, 64, 78};
  const ks_scen_dose *e = &sc->arms[3].regimen[0];
  KS_ASSERT_EQ_INT(e->n_days, 14);
  for (int i = 0; i < 14; i++) KS_ASSERT_EQ_INT(e->days[i], label[i]);
  KS_ASSERT_EQ_INT(e->agent, KS_PLACEBO_AGENT_DIPHENHYDRAMINE);
  /* Contrasts and the default multiplicity for several contrasts against mixed controls. */
  KS_ASSERT_EQ_INT(sc->n_contrasts, 2);
  KS_ASSERT_EQ_INT(sc->contrasts[1].treat, 0);
  KS_ASSERT_EQ_INT(sc->contrasts[1].ctrl, 2);
  KS_ASSERT_EQ_INT(sc->multiplicity, KS_MULTIPLICITY_HOLM);
  ks_scenario_destroy(&sc);
  /* Visits after infusions: 24 h after infusion 4 (day 8) is 7 d + 24 h after the first dose;
   * day 1 after the last infusion (day 12) is day 13; 30 h after infusion 6 is 11 d + 30 h. */
  st = ks_scenario_load_string(ctx, "visits.yaml", VISITS, strlen(VISITS), &sc);
  if (st != KS_OK) fprintf(stderr, "%s\n", ks_ctx_last_error(ctx));
  KS_ASSERT_OK(st);
  const ks_scen_visit *v = sc->visits[KS_SCALE_CAPS5];
  KS_ASSERT_EQ_INT(sc->n_visits[KS_SCALE_CAPS5], 4);
  KS_ASSERT_NEAR(ks_scen_visit_t_h(v[1], 1), 24.0 * 8 + 24.0, 1e-9);
  KS_ASSERT_EQ_INT(v[2].by_time, 0);
  KS_ASSERT_NEAR(v[2].value, 13.0, 0.0);
  KS_ASSERT_NEAR(ks_scen_visit_t_h(v[3], 1), 24.0 * 12 + 30.0, 1e-9);
  KS_ASSERT_EQ_INT(v[3].after_infusion, 6);
  ks_scenario_destroy(&sc);
  /* Infusion 4 on different days in two arms: refused, with both days named. */
  char err[512], *mixed = strdup(VISITS);
  char *days = strstr(mixed, "days: [1, 3, 5, 8, 10, 12]}]}\n  - {name: b");
  KS_ASSERT_TRUE(days != NULL);
  memcpy(days, "days: [1, 3, 6, 9, 10, 12]", 26);
  KS_ASSERT_EQ_INT(load_text(mixed, err, sizeof err), KS_EINPUT);
  KS_ASSERT_TRUE(strstr(err, "infusion 4 is on day 9 in arm 'a' but on day 8 in arm 'b'") != NULL);
  free(mixed);
  ks_ctx_destroy(&ctx);
}

KS_TEST(equal_sees_differences) {
  ks_ctx *ctx = quiet_ctx(0);
  ks_scenario *a = NULL, *b = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "a", MINI, strlen(MINI), &a));
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "b", MINI, strlen(MINI), &b));
  KS_ASSERT_TRUE(ks_scenario_equal(a, b));
  b->arms[0].regimen[0].days[0] = 2;
  KS_ASSERT_TRUE(!ks_scenario_equal(a, b));
  b->arms[0].regimen[0].days[0] = 1;
  b->population.caps5_mean_set = 1;
  KS_ASSERT_TRUE(!ks_scenario_equal(a, b));
  ks_scenario_destroy(&a);
  ks_scenario_destroy(&b);
  ks_ctx_destroy(&ctx);
}

KS_TEST(every_until_expands_to_days) {
  char path[1024];
  example_path(path, sizeof path, "maintenance.yaml");
  ks_ctx *ctx = quiet_ctx(0);
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load(ctx, path, &sc));
  const ks_scen_dose *d = &sc->arms[0].regimen[1];
  KS_ASSERT_EQ_INT(d->n_days, 10); /* 19, 26, ..., 82 */
  KS_ASSERT_EQ_INT(d->days[0], 19);
  KS_ASSERT_EQ_INT(d->days[9], 82);
  for (size_t i = 1; i < d->n_days; i++) KS_ASSERT_EQ_INT(d->days[i] - d->days[i - 1], 7);
  KS_ASSERT_EQ_INT(ks_scenario_treatment_end_day(sc), 82);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST(crossover_and_visits_by_time) {
  char path[1024];
  example_path(path, sizeof path, "feder2014.yaml");
  ks_ctx *ctx = quiet_ctx(0);
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load(ctx, path, &sc));
  KS_ASSERT_EQ_INT(sc->design, KS_DESIGN_CROSSOVER);
  KS_ASSERT_EQ_INT(sc->period_days, 14);
  KS_ASSERT_EQ_INT(sc->primary.scale, KS_SCALE_IESR);
  KS_ASSERT_EQ_INT(sc->primary.at.by_time, 1);
  KS_ASSERT_NEAR(sc->primary.at.value, 24.0, 0.0);
  /* 24 h after a dose started on day 1 is hour 48 of the study clock, the start of day 2. */
  KS_ASSERT_NEAR(ks_scen_visit_t_h(sc->primary.at, ks_scenario_first_dose_day(sc)), 48.0, 0.0);
  KS_ASSERT_REL(sc->visits[KS_SCALE_CADSS][1].value, 230.0 / 60.0, 1e-15);
  KS_ASSERT_EQ_INT(ks_scenario_treatment_end_day(sc), 15); /* second period's dose */
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST(fixed_mg_dose_and_studied_range) {
  double kg, mg;
  KS_ASSERT_TRUE(ks_scen_studied_max(KS_SCEN_KETAMINE, KS_SCEN_IV, &kg, &mg));
  KS_ASSERT_NEAR(kg, 1.0, 0.0);
  KS_ASSERT_TRUE(ks_scen_studied_max(KS_SCEN_ESKETAMINE, KS_SCEN_INTRANASAL, &kg, &mg));
  KS_ASSERT_NEAR(mg, 84.0, 0.0);
  KS_ASSERT_TRUE(!ks_scen_studied_max(KS_SCEN_ESKETAMINE, KS_SCEN_RECTAL, &kg, &mg));
  char err[1024];
  /* 2 mg/kg IV is refused, and accepted with allow_unstudied_doses. */
  char text[1024];
  snprintf(text, sizeof text, "%s", MINI);
  char *p = strstr(text, "0.5 mg/kg");
  memcpy(p, "2.0 mg/kg", 9);
  KS_ASSERT_EQ_INT(load_text(text, err, sizeof err), KS_EINPUT);
  KS_ASSERT_TRUE(strstr(err, "t.yaml:8:43: arms[0].regimen[0].dose is 2.0 mg/kg, above the studied range") != NULL);
  char allowed[1200];
  snprintf(allowed, sizeof allowed, "allow_unstudied_doses: true\n%s", text);
  KS_ASSERT_EQ_INT(load_text(allowed, err, sizeof err), KS_OK);
  /* A fixed dose in mg. */
  snprintf(text, sizeof text, "%s", MINI);
  p = strstr(text, "0.5 mg/kg");
  memcpy(p, "35 mg    ", 9);
  ks_ctx *ctx = quiet_ctx(0);
  ks_scenario *sc = NULL;
  KS_ASSERT_OK(ks_scenario_load_string(ctx, "t.yaml", text, strlen(text), &sc));
  KS_ASSERT_EQ_INT(sc->arms[0].regimen[0].per_kg, 0);
  KS_ASSERT_NEAR(sc->arms[0].regimen[0].dose, 35.0, 0.0);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

/* Error messages point at the offending node, 1-based line:column. */
KS_TEST(errors_carry_line_and_column) {
  struct {
    const char *text;
    const char *expect;
  } cases[] = {
      {"ketasim: 1\nname: x\nseeed: 3\n", "t.yaml:3:1: unknown key 'seeed' (did you mean 'seed'?)"},
      {"ketasim: 1\nname: x\npopulation: {n: -4}\n", "t.yaml:3:17: population.n is -4, out of range"},
      {"ketasim: 1\nname: x\npopulation:\n  n: 10\n  presett: x\n", "t.yaml:5:3: population: unknown key 'presett' (did you mean 'preset'?)"},
      {"ketasim: 1\nname: x\npopulation: {n: 10}\narms:\n  - name: a\n    regimen:\n      - {drug: ketamine, route: iv, dose: 5 min, days: [1]}\n",
       "t.yaml:7:43: arms[0].regimen[0].dose '5 min' is a time, not a dose"},
      {"ketasim: 1\nname: x\npopulation: {n: 10}\narms:\n  - name: a\n    regimen:\n      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, days: [3, 2]}\n",
       "t.yaml:7:64: arms[0].regimen[0].days: day 2 comes after day 3"},
      {"ketasim: 1\nname: x\nb: [1, 2\n", "t.yaml:4:1: YAML syntax error"},
      {"", "t.yaml:1:1: the file is empty"},
      {"ketasim: 1\nname: \"a\\u0000b\"\n", "t.yaml:2:7: a NUL character inside a string"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char err[1024];
    ks_status st = load_text(cases[i].text, err, sizeof err);
    KS_ASSERT_EQ_INT(st, KS_EINPUT);
    if (strncmp(err, cases[i].expect, strlen(cases[i].expect)) != 0) fprintf(stderr, "case %zu: %s\n", i, err);
    KS_ASSERT_TRUE(strncmp(err, cases[i].expect, strlen(cases[i].expect)) == 0);
  }
}

KS_TEST(size_limit_and_bad_arguments) {
  ks_ctx *ctx = quiet_ctx(0);
  ks_scenario *sc = NULL;
  size_t n = KS_SCENARIO_MAX_FILE_BYTES + 1;
  char *big = malloc(n);
  KS_ASSERT_TRUE(big != NULL);
  memset(big, '#', n);
  KS_ASSERT_EQ_INT(ks_scenario_load_string(ctx, "big.yaml", big, n, &sc), KS_EINPUT);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "above the 4 MiB limit") != NULL);
  KS_ASSERT_TRUE(sc == NULL);
  free(big);
  KS_ASSERT_EQ_INT(ks_scenario_load_string(ctx, "x", MINI, strlen(MINI), NULL), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_scenario_load(ctx, "/nonexistent/dir/x.yaml", &sc), KS_EINPUT);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "/nonexistent/dir/x.yaml: cannot open the file") != NULL);
  KS_ASSERT_EQ_INT(ks_scenario_write_resolved(ctx, NULL, stdout), KS_EINVAL);
  ks_ctx_destroy(&ctx);
}

/* The loader never crashes: every prefix of an example, and thousands of random byte mutations,
 * give KS_OK or KS_EINPUT with a positioned message. */
KS_TEST(truncated_and_mutated_inputs_never_crash) {
  char path[1024];
  example_path(path, sizeof path, "feder2021.yaml");
  size_t len = 0;
  char *text = read_all(path, &len);
  KS_ASSERT_TRUE(text != NULL);
  ks_ctx *ctx = quiet_ctx(0);
  int n_ok = 0, n_bad = 0;
  for (size_t cut = 0; cut <= len; cut += 3) {
    ks_scenario *sc = NULL;
    ks_status st = ks_scenario_load_string(ctx, "cut.yaml", text, cut, &sc);
    KS_ASSERT_TRUE(st == KS_OK || st == KS_EINPUT);
    if (st == KS_OK) n_ok++;
    else {
      n_bad++;
      KS_ASSERT_TRUE(strncmp(ks_ctx_last_error(ctx), "cut.yaml:", 9) == 0);
    }
    ks_scenario_destroy(&sc);
  }
  KS_ASSERT_TRUE(n_bad > 0);
  char *mut = malloc(len);
  KS_ASSERT_TRUE(mut != NULL);
  static const char alphabet[] = "{}[]:,-#&*!|>'\"%@` \n\t0123456789.e+-abcxyz\x01\xff";
  for (uint64_t k = 0; k < 3000; k++) {
    ks_rng r;
    ks_rng_init(&r, 77, KS_STREAM_TEST, k, 0);
    memcpy(mut, text, len);
    uint64_t n_mut = 1 + ks_rng_below(&r, 4);
    for (uint64_t j = 0; j < n_mut; j++)
      mut[ks_rng_below(&r, len)] = alphabet[ks_rng_below(&r, sizeof alphabet - 1)];
    ks_scenario *sc = NULL;
    ks_status st = ks_scenario_load_string(ctx, "mut.yaml", mut, len, &sc);
    KS_ASSERT_TRUE(st == KS_OK || st == KS_EINPUT);
    if (st == KS_OK) n_ok++;
    ks_scenario_destroy(&sc);
  }
  KS_ASSERT_TRUE(n_ok > 0);
  free(mut);
  free(text);
  ks_ctx_destroy(&ctx);
}

/* Every allocation failure is reported as KS_ENOMEM, never a crash (ASan checks for leaks). */
KS_TEST(allocation_failures_are_reported) {
  char path[1024];
  example_path(path, sizeof path, "therapy-in-window.yaml");
  int saw_ok = 0;
  for (long k = 1; k < 400 && !saw_ok; k++) {
    ks_ctx *ctx = quiet_ctx(k);
    if (!ctx) continue; /* the context's own allocation failed */
    ks_scenario *sc = NULL;
    ks_status st = ks_scenario_load(ctx, path, &sc);
    KS_ASSERT_TRUE(st == KS_OK || st == KS_ENOMEM);
    if (st == KS_OK) saw_ok = 1;
    else KS_ASSERT_TRUE(sc == NULL);
    ks_scenario_destroy(&sc);
    ks_ctx_destroy(&ctx);
  }
  KS_ASSERT_TRUE(saw_ok);
}

KS_TEST(names_round_trip) {
  for (int d = 0; d < KS_SCEN_DRUG_N; d++) KS_ASSERT_EQ_INT(ks_scen_drug_parse(ks_scen_drug_name((ks_scen_drug)d)), d);
  for (int r = 0; r < KS_SCEN_ROUTE_N; r++) KS_ASSERT_EQ_INT(ks_scen_route_parse(ks_scen_route_name((ks_scen_route)r)), r);
  for (int s = 0; s < KS_SCALE_N; s++) KS_ASSERT_EQ_INT(ks_scen_scale_parse(ks_scen_scale_name((ks_scen_scale)s)), s);
  KS_ASSERT_EQ_INT(ks_scen_drug_parse("aspirin"), -1);
  KS_ASSERT_NEAR(ks_scen_scale_max(KS_SCALE_IESR), 88.0, 0.0);
}

KS_TEST_MAIN()
