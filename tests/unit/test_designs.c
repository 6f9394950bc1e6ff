/* SPDX-License-Identifier: MIT */
/* Trial designs of issue 13 run end to end: baselines land on the trial's table 1, expectancy per
 * arm follows the documented equations (docs/model/design.md, computed here by hand), the
 * single-arm and multi-arm analyses are filled in, and functional unblinding is noted. */
#include "harness.h"
#include <ketasim/output.h>
#include <ketasim/trial.h>

static ks_scenario *load(ks_ctx *ctx, const char *text) {
  ks_scenario *sc = NULL;
  if (ks_scenario_load_string(ctx, "t.yaml", text, strlen(text), &sc) != KS_OK)
    fprintf(stderr, "%s\n", ks_ctx_last_error(ctx));
  return sc;
}

static ks_trial_result *run(ks_ctx *ctx, const ks_scenario *sc) {
  ks_trial_options o = ks_trial_options_default();
  o.n_threads = 2;
  ks_trial_result *r = NULL;
  if (ks_trial_run(ctx, sc, &o, &r) != KS_OK) fprintf(stderr, "%s\n", ks_ctx_last_error(ctx));
  return r;
}

/* Table 1 of a trial: the enrolled patients' baseline mean lands within 1 point of the target. */
KS_TEST(baseline_lands_on_the_target_mean) {
  static const char *const texts[2] = {
      "ketasim: 1\nname: b1\nseed: 4\ndesign: single-arm\n"
      "population: {n: 150, preset: civilians, inclusion: {caps5: \">= 30\"}, baseline: {caps5: {mean: 41.5, sd: 6.5}}}\n"
      "arms: [{name: s, regimen: [{drug: saline, days: [1]}]}]\nassessments: {caps5: [0, 2]}\n",
      "ketasim: 1\nname: b2\nseed: 5\ndesign: single-arm\n"
      "population: {n: 150, preset: veterans, inclusion: {caps5: \">= 40\"}, baseline: {caps5: {mean: 53, sd: 8}}}\n"
      "arms: [{name: s, regimen: [{drug: saline, days: [1]}]}]\nassessments: {caps5: [0, 2]}\n"};
  static const double target[2][2] = {{41.5, 6.5}, {53.0, 8.0}};
  for (int k = 0; k < 2; k++) {
    ks_ctx *ctx = ks_test_ctx();
    ks_scenario *sc = load(ctx, texts[k]);
    KS_ASSERT_TRUE(sc != NULL);
    ks_trial_result *r = run(ctx, sc);
    KS_ASSERT_TRUE(r != NULL);
    ks_trial_arm_summary s;
    KS_ASSERT_OK(ks_trial_arm_summarise(ctx, r, 0, &s));
    fprintf(stderr, "baseline target %g (SD %g): simulated %.2f (SD %.2f)\n", target[k][0], target[k][1],
            s.baseline_mean[KS_SCALE_CAPS5], s.baseline_sd[KS_SCALE_CAPS5]);
    KS_ASSERT_NEAR(s.baseline_mean[KS_SCALE_CAPS5], target[k][0], 1.0);
    /* The SD is not asserted: the model's rated baseline has a measurement spread of about 10
     * CAPS-5 points (clinic layer) whatever the true-score SD, above these trials' table-1 SDs
     * (docs/model/design.md reports it as a miss). */
    ks_trial_result_destroy(&r);
    ks_scenario_destroy(&sc);
    ks_ctx_destroy(&ctx);
  }
}

/* Expectancy by the equations of docs/model/design.md, and the unblinding note. */
KS_TEST(expectancy_from_blinding_and_recognisability) {
  ks_ctx *ctx = ks_test_ctx();
  const char *text =
      "ketasim: 1\nname: e\nseed: 1\npopulation: {n: 12}\n"
      "arms:\n"
      "  - {name: ket, regimen: [{drug: ketamine, route: iv, dose: 0.5 mg/kg, days: [1]}]}\n"
      "  - {name: sal, regimen: [{drug: saline, days: [1]}]}\n"
      "  - {name: wl, control: waitlist}\n"
      "assessments: {caps5: [0, 3]}\n";
  ks_scenario *sc = load(ctx, text);
  KS_ASSERT_TRUE(sc != NULL);
  ks_trial_result *r = run(ctx, sc);
  KS_ASSERT_TRUE(r != NULL);
  /* Blinded prior: 1 of the 2 infused arms is active. After one dose: Bayes with r 0.9 / 0.05. */
  double b = 0.5, ra = 0.9, rc = 0.05;
  double pn = b * ra / (b * ra + (1 - b) * rc), pu = b * (1 - ra) / (b * (1 - ra) + (1 - b) * (1 - rc));
  double ket = ra * pn + (1 - ra) * pu, sal = rc * pn + (1 - rc) * pu;
  /* Reference: the midazolam arm (r 0.5) of 1:1 ketamine vs midazolam. */
  double qn = 0.45 / (0.45 + 0.25), qu = 0.05 / (0.05 + 0.25), ref = 0.5 * qn + 0.5 * qu;
  ks_trial_expectancy e;
  KS_ASSERT_OK(ks_trial_arm_expectancy(r, 0, &e));
  KS_ASSERT_NEAR(e.prior, 0.5, 1e-12);
  KS_ASSERT_NEAR(e.after_first_dose, ket, 1e-12);
  KS_ASSERT_NEAR(e.clinic, 1.0, 1e-12);
  KS_ASSERT_OK(ks_trial_arm_expectancy(r, 1, &e));
  KS_ASSERT_NEAR(e.after_first_dose, sal, 1e-12);
  KS_ASSERT_NEAR(e.clinic, sal / ref, 1e-12);
  KS_ASSERT_OK(ks_trial_arm_expectancy(r, 2, &e));
  KS_ASSERT_NEAR(e.clinic, 0.0, 0.0);
  /* Three contrasts by default? No: every arm against the control (the last arm, the waitlist). */
  ks_trial_contrasts tc;
  KS_ASSERT_OK(ks_trial_contrasts_summarise(ctx, r, &tc));
  KS_ASSERT_EQ_INT(tc.n, 2);
  KS_ASSERT_EQ_INT(tc.multiplicity, KS_MULTIPLICITY_DUNNETT);
  KS_ASSERT_TRUE(tc.c[0].valid && tc.c[0].p_adjusted >= tc.c[0].p);
  KS_ASSERT_TRUE(tc.c[0].ci_adj_lo <= tc.c[0].ci_lo && tc.c[0].ci_adj_hi >= tc.c[0].ci_hi);
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

/* A background antidepressant (docs/model/design.md, step 4): open label, the clinic's expectancy is
 * that of receiving at least one known active treatment (1); blinded, nothing changes; the same-day
 * expectancy is the doses' share in both cases. */
KS_TEST(background_antidepressant_expectancy) {
  ks_ctx *ctx = ks_test_ctx();
  const char *text =
      "ketasim: 1\nname: bg\nseed: 1\npopulation: {n: 12, preset: treatment-resistant-depression}\n"
      "arms:\n"
      "  - {name: ket, background: {drug: ssri}, regimen: [{drug: ketamine, route: iv, dose: 0.5 mg/kg, days: [1]}]}\n"
      "  - {name: sal, background: {drug: ssri}, regimen: [{drug: saline, days: [1]}]}\n"
      "  - {name: sal2, background: {drug: snri, open_label: false}, regimen: [{drug: saline, days: [1]}]}\n"
      "assessments: {madrs: [0, 3]}\n";
  ks_scenario *sc = load(ctx, text);
  KS_ASSERT_TRUE(sc != NULL);
  ks_trial_result *r = run(ctx, sc);
  KS_ASSERT_TRUE(r != NULL);
  /* Blinded prior 1/3 (1 of 3 infused arms active); Bayes with r 0.9 (ketamine) / 0.05 (saline). */
  double b = 1.0 / 3.0, ra = 0.9, rc = 0.05;
  double pn = b * ra / (b * ra + (1 - b) * rc), pu = b * (1 - ra) / (b * (1 - ra) + (1 - b) * (1 - rc));
  double ket = ra * pn + (1 - ra) * pu, sal = rc * pn + (1 - rc) * pu;
  double qn = 0.45 / (0.45 + 0.25), qu = 0.05 / (0.05 + 0.25), ref = 0.5 * qn + 0.5 * qu;
  ks_trial_expectancy e;
  KS_ASSERT_OK(ks_trial_arm_expectancy(r, 0, &e));
  KS_ASSERT_NEAR(e.clinic, 1.0, 1e-12);
  KS_ASSERT_NEAR(e.same_day, ket / ref > 1.0 ? 1.0 : ket / ref, 1e-12);
  KS_ASSERT_OK(ks_trial_arm_expectancy(r, 1, &e));
  KS_ASSERT_NEAR(e.clinic, 1.0, 1e-12);
  KS_ASSERT_NEAR(e.same_day, sal / ref, 1e-12);
  KS_ASSERT_OK(ks_trial_arm_expectancy(r, 2, &e));
  KS_ASSERT_NEAR(e.clinic, sal / ref, 1e-12);
  KS_ASSERT_NEAR(e.same_day, sal / ref, 1e-12);
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

/* The resolved file of a scenario with a background and an induction loads to an equal scenario;
 * the induction's doses are in every arm, first, marked, and written once. */
KS_TEST(background_and_induction_round_trip) {
  ks_ctx *ctx = ks_test_ctx();
  const char *text =
      "ketasim: 1\nname: wd\nseed: 3\npopulation: {n: 12, preset: treatment-resistant-depression}\n"
      "induction: {until: 28, select: response, regimen: [{drug: esketamine, route: intranasal, dose: 84 mg, days: [1, 4, 8]}],"
      " background: {drug: antidepressant, from: 1}}\n"
      "arms:\n"
      "  - {name: esk, regimen: [{drug: esketamine, route: intranasal, dose: 56 mg, days: [29, 43]}]}\n"
      "  - {name: pbo, background: {drug: ssri, until: 60, open_label: false}, regimen: [{drug: saline, route: intranasal, days: [29, 43]}]}\n"
      "assessments: {madrs: [0, 28, 42, 56]}\n"
      "endpoints: {primary: {scale: madrs, day: 56}, response: {scale: madrs, drop_pct: 50, day: 28}, durability: {responders_only: true}}\n";
  ks_scenario *sc = load(ctx, text);
  KS_ASSERT_TRUE(sc != NULL);
  KS_ASSERT_EQ_INT((int)sc->arms[0].n_regimen, 2);
  KS_ASSERT_TRUE(sc->arms[0].regimen[0].induction && !sc->arms[0].regimen[1].induction);
  KS_ASSERT_EQ_INT(sc->arms[0].regimen[0].days[2], 8);
  KS_ASSERT_EQ_INT((int)sc->arms[0].background.drug, (int)KS_BACKGROUND_ANTIDEPRESSANT); /* inherited */
  KS_ASSERT_EQ_INT((int)sc->arms[1].background.drug, (int)KS_BACKGROUND_SSRI);             /* its own */
  KS_ASSERT_EQ_INT(sc->arms[1].background.until_day, 60);
  KS_ASSERT_EQ_INT(sc->induction.select, KS_SELECT_RESPONSE);
  char *buf = NULL;
  size_t len = 0;
  FILE *fp = open_memstream(&buf, &len);
  KS_ASSERT_TRUE(fp != NULL);
  KS_ASSERT_OK(ks_scenario_write_resolved(ctx, sc, fp));
  fclose(fp);
  ks_scenario *again = load(ctx, buf);
  KS_ASSERT_TRUE(again != NULL);
  KS_ASSERT_TRUE(ks_scenario_equal(sc, again));
  size_t n_ind = 0;
  for (const char *q = buf; (q = strstr(q, "days: [1, 4, 8]")) != NULL; q++) n_ind++;
  KS_ASSERT_EQ_INT((int)n_ind, 1);
  free(buf);
  ks_scenario_destroy(&again);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST(single_arm_primary_is_the_within_arm_change) {
  ks_ctx *ctx = ks_test_ctx();
  const char *text =
      "ketasim: 1\nname: sa\nseed: 2\ndesign: single-arm\npopulation: {n: 16}\n"
      "arms: [{name: ket, regimen: [{drug: ketamine, route: iv, dose: 0.5 mg/kg, schedule: \"twice weekly for 1 week\"}]}]\n"
      "assessments: {caps5: [0, {after_infusion: last, days: 1}]}\n";
  ks_scenario *sc = load(ctx, text);
  KS_ASSERT_TRUE(sc != NULL);
  KS_ASSERT_EQ_INT(sc->blinding, KS_BLINDING_OPEN);
  ks_trial_result *r = run(ctx, sc);
  KS_ASSERT_TRUE(r != NULL);
  ks_trial_primary pr;
  KS_ASSERT_OK(ks_trial_summarise(ctx, r, &pr));
  KS_ASSERT_TRUE(pr.valid);
  KS_ASSERT_NEAR(pr.day, 5.0, 0.0);
  KS_ASSERT_NEAR(pr.df, 15.0, 0.0);
  KS_ASSERT_TRUE(pr.ci_lo < pr.difference && pr.difference < pr.ci_hi);
  KS_ASSERT_RANGE(pr.p, 0.0, 1.0);
  /* d_z = mean / SD of the change: the t statistic over sqrt(n). */
  KS_ASSERT_REL(pr.cohens_d_change_sd, pr.difference / pr.se / sqrt(16.0), 1e-10);
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
