/* SPDX-License-Identifier: MIT */
/* Trial-level targets of the brain layer, all held out (nothing was tuned to them): suicidal
 * ideation 24 h after one infusion (Grunebaum 2018 SSI; Wilkinson 2018 suicide items), cognition
 * right after an infusion (Murrough 2014) and over six infusions (Shiroma 2014; Zhou 2018). */
#include "trial_internal.h"

#include <ketasim/scenario.h>
#include <ketasim/stats.h>
#include <ketasim/validate.h>

#include <math.h>
#include <string.h>

#define N_PER_ARM 2000

static const char si_trial[] =
    "ketasim: 1\nname: validate-brain-si\nseed: 2018\n"
    "population: {n: 4000, preset: civilian-chronic-ptsd}\n"
    "design: parallel\n"
    "arms:\n"
    "  - name: ketamine\n    regimen:\n"
    "      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, days: [1]}\n"
    "  - name: midazolam\n    regimen:\n"
    "      - {drug: midazolam, route: iv, dose: 0.045 mg/kg, infusion: 40 min, days: [1]}\n"
    "assessments: {caps5: [0, \"24 h\"], madrs: [0, \"24 h\"], ssi: [0, \"24 h\"], mri: [0]}\n"
    "endpoints:\n  primary: {scale: ssi, day: \"24 h\"}\n";

static const char cog_trial[] =
    "ketasim: 1\nname: validate-brain-cognition\nseed: 2014\n"
    "population: {n: 2000, preset: civilian-chronic-ptsd}\n"
    "design: single-arm\n"
    "arms:\n"
    "  - name: ketamine\n    regimen:\n"
    "      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, days: [1, 3, 5, 8, 10, 12]}\n"
    "assessments: {caps5: [0, 13, 26], ravlt: [0, \"1 h\", 13, 26], tmt_b: [0, 13, 26], dsst: [0, 13, 26]}\n"
    "endpoints:\n  primary: {scale: ravlt, day: 13}\n";

static ks_status run_text(ks_ctx *ctx, const char *name, const char *text, long n, ks_scenario **sc,
                          ks_trial_result **r) {
  KS_TRY(ks_scenario_load_string(ctx, name, text, strlen(text), sc));
  ks_trial_options o = ks_trial_options_default();
  o.n_patients = n;
  return ks_trial_run(ctx, *sc, &o, r);
}

/* Visit index by label ("day 0", "24 h"); -1 when absent. */
static long visit_of(const ks_trial_result *r, const char *label) {
  for (size_t v = 0; v < ks_trial_n_visits(r); v++)
    if (!strcmp(ks_trial_visit_label(r, v), label)) return (long)v;
  return -1;
}

/* Mean, SD and n of the change of measure M from visit V0 to V1 in ARM, among patients whose value
 * at V0 is at least MIN0; *k_resp counts those with a reduction of at least half. */
static void change_stats(const ks_trial_result *r, int arm, ks_measure m, long v0, long v1, double min0, double *mean,
                         double *sd, double *n, double *k_resp) {
  double s = 0, ss = 0, k = 0, resp = 0;
  for (size_t i = 0; i < ks_trial_n_patients(r); i++) {
    if (arm >= 0 && ks_trial_patient_arm(r, i) != arm) continue;
    double a = ks_trial_value(r, i, (size_t)v0, m), b = ks_trial_value(r, i, (size_t)v1, m);
    if (isnan(a) || isnan(b) || a < min0) continue;
    s += b - a;
    ss += (b - a) * (b - a);
    k += 1;
    resp += b <= 0.5 * a;
  }
  *mean = k ? s / k : NAN;
  *sd = k > 1 ? sqrt((ss - s * s / k) / (k - 1)) : NAN;
  *n = k;
  *k_resp = resp;
}

static ks_status si_targets(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n) {
  ks_scenario *sc = NULL;
  ks_trial_result *r = NULL;
  ks_status st = run_text(ctx, "brain SI trial (built in)", si_trial, 2 * N_PER_ARM, &sc, &r);
  if (st != KS_OK) goto done;
  long v0 = visit_of(r, "day 0"), v1 = visit_of(r, "24 h");
  if (v0 < 0 || v1 < 0) {
    st = ks_ctx_fail(ctx, KS_EINPUT, "brain SI trial: visits day 0 / 24 h missing");
    goto done;
  }
  /* Grunebaum 2018: SSI >= 4 at entry; SSI day-1 change, ketamine minus midazolam; responders. */
  double mk, sk, nk, rk, mm, sm, nm, rm;
  change_stats(r, 0, KS_M_SSI, v0, v1, 4.0, &mk, &sk, &nk, &rk);
  change_stats(r, 1, KS_M_SSI, v0, v1, 4.0, &mm, &sm, &nm, &rm);
  const char *g = "Grunebaum 2018 Am J Psychiatry 175:327 (SSI >= 4; n=80)";
  st = ks_target_add(out, cap, n, "trial.brain.ssi_day1_difference",
                     "SSI change at day 1, ketamine minus midazolam, SSI >= 4 at entry", "points", g, -4.96, -7.59,
                     -2.33, mk - mm, KS_TARGET_HELD_OUT);
  double pk = rk / nk, pm = rm / nm;
  double odds = (pk / (1 - pk)) / (pm / (1 - pm));
  /* The published rates have no reported interval; the band is the binomial 95% range at n = 40. */
  if (st == KS_OK)
    st = ks_target_add(out, cap, n, "trial.brain.ssi_day1_responders_ketamine", ">= 50% SSI reduction at day 1, ketamine",
                       "fraction", g, 0.55, 0.40, 0.70, pk, KS_TARGET_HELD_OUT);
  if (st == KS_OK)
    st = ks_target_add(out, cap, n, "trial.brain.ssi_day1_responders_midazolam",
                       ">= 50% SSI reduction at day 1, midazolam", "fraction", g, 0.30, 0.16, 0.44, pm, KS_TARGET_HELD_OUT);
  if (st == KS_OK)
    st = ks_target_add(out, cap, n, "trial.brain.ssi_day1_response_or",
                       "odds ratio of >= 50% SSI reduction at day 1, ketamine vs midazolam", "OR", g, 2.85, 1.14, 7.15,
                       odds, KS_TARGET_HELD_OUT);
  /* Wilkinson 2018: suicide item of the MADRS among those with ideation at baseline (item >= 1);
   * standardised difference of the day-1 change (pooled SD). */
  change_stats(r, 0, KS_M_MADRS_SI, v0, v1, 1.0, &mk, &sk, &nk, &rk);
  change_stats(r, 1, KS_M_MADRS_SI, v0, v1, 1.0, &mm, &sm, &nm, &rm);
  double sp = sqrt(((nk - 1) * sk * sk + (nm - 1) * sm * sm) / (nk + nm - 2));
  if (st == KS_OK)
    st = ks_target_add(out, cap, n, "trial.brain.madrs_si_day1_d",
                       "MADRS item 10 change at day 1, midazolam minus ketamine, in SDs (ideation at baseline)", "d",
                       "Wilkinson 2018 Am J Psychiatry 175:150 (IPD, n=167; d 0.48-0.85 over days 1-7)", NAN, 0.48,
                       0.85, (mm - mk) / sp, KS_TARGET_HELD_OUT);
  /* Abdallah 2015: smaller pre-treatment (left) hippocampus, greater MADRS improvement at 24 h
   * (r = 0.66 between volume and post-minus-pre MADRS, n = 13; band: its Fisher-z 95% interval). */
  if (st == KS_OK) {
    size_t np = ks_trial_n_patients(r), k = 0;
    double *x = ks_calloc(ctx, np + 1, sizeof *x), *y = ks_calloc(ctx, np + 1, sizeof *y);
    if (!x || !y) st = KS_ENOMEM;
    for (size_t i = 0; i < np && st == KS_OK; i++) {
      if (ks_trial_patient_arm(r, i) != 0) continue;
      x[k] = ks_trial_value(r, i, (size_t)v0, KS_M_VOL_HPC_D);
      y[k++] = ks_trial_value(r, i, (size_t)v1, KS_M_MADRS) - ks_trial_value(r, i, (size_t)v0, KS_M_MADRS);
    }
    ks_corr_result c;
    if (st == KS_OK && (st = ks_stats_pearson(ctx, x, y, k, 0.95, &c)) == KS_OK)
      st = ks_target_add(out, cap, n, "trial.brain.hippocampus_vs_madrs_change_r",
                         "r between baseline hippocampal volume and MADRS change at 24 h, ketamine arm", "r",
                         "Abdallah 2015 J Psychopharmacol 29:591 (left hippocampus r = 0.66, n = 13)", 0.66, 0.17,
                         0.89, c.r, KS_TARGET_HELD_OUT);
    ks_free(ctx, x);
    ks_free(ctx, y);
  }
done:
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&sc);
  return st;
}

static ks_status cognition_targets(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n) {
  /* Direction targets: change of a test from day 0 to a visit, inside [lo, hi]. */
  static const struct {
    const char *id, *quantity, *unit, *source, *visit;
    ks_measure m;
    double lo, hi;
  } t[] = {
      {"trial.brain.ravlt_acute_direction", "RAVLT change 1 h after the first 0.5 mg/kg infusion (impairment: < 0)",
       "words", "Murrough 2014 Psychopharmacology 231:481 (recall impaired right after ketamine)", "1 h", KS_M_RAVLT,
       -30.0, -0.01},
      {"trial.brain.ravlt_day13_direction", "RAVLT change on day 13, after six infusions (improvement: > 0)", "words",
       "Zhou 2018 J Psychopharmacol (verbal learning improved at day 13)", "day 13", KS_M_RAVLT, 0.01, 30.0},
      {"trial.brain.dsst_day26_direction", "digit symbol change on day 26 (processing speed improved: > 0)", "items",
       "Zhou 2018 J Psychopharmacol (speed of processing improved at day 26)", "day 26", KS_M_DSST, 0.01, 60.0},
      {"trial.brain.tmtb_day13_no_impairment", "TMT-B change on day 13 after six infusions (no impairment: <= 0 s)",
       "s", "Shiroma 2014 Int J Neuropsychopharmacol 17:1805 (no impairment; set shifting stable)", "day 13",
       KS_M_TMT_B, -100.0, 0.0},
  };
  ks_scenario *sc = NULL;
  ks_trial_result *r = NULL;
  ks_status st = run_text(ctx, "brain cognition trial (built in)", cog_trial, N_PER_ARM, &sc, &r);
  long v0 = st == KS_OK ? visit_of(r, "day 0") : -1;
  for (size_t k = 0; k < sizeof t / sizeof t[0] && st == KS_OK; k++) {
    long v1 = visit_of(r, t[k].visit);
    if (v0 < 0 || v1 < 0) {
      st = ks_ctx_fail(ctx, KS_EINPUT, "brain cognition trial: visit %s missing", t[k].visit);
      break;
    }
    double m, s, nn, rr;
    change_stats(r, -1, t[k].m, v0, v1, -INFINITY, &m, &s, &nn, &rr);
    st = ks_target_add(out, cap, n, t[k].id, t[k].quantity, t[k].unit, t[k].source, NAN, t[k].lo, t[k].hi, m,
                       KS_TARGET_HELD_OUT);
  }
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&sc);
  return st;
}

ks_status ks_trial_brain_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n) {
  KS_CHECK_ARG(ctx, out && n);
  KS_TRY(si_targets(ctx, out, cap, n));
  return cognition_targets(ctx, out, cap, n);
}
