/* SPDX-License-Identifier: MIT */
/* The statistics layer's validation entries: published worked examples that the estimators must
 * reproduce (inputs embedded here; figures and citations also in data/targets/stats.tsv). None is
 * tuned to, so every entry is KS_TARGET_HELD_OUT. */
#include <ketasim/validate.h>

#include "stats_internal.h"

/* Student's sleep data (Cushny & Peebles 1905; R datasets::sleep). */
static const double sleep_a[10] = {0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
static const double sleep_b[10] = {1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};

/* AML maintenance trial (Embury et al. 1977; Miller 1981; R survival::aml). */
static const double aml_t[23] = {9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161,
                                 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45};
static const int aml_ev[23] = {1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1};
static const int aml_maint[23] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

#define ADD(id, what, unit, src, pub, lo, hi, sim) \
  KS_TRY(add(ctx, out, cap, n, id, what, unit, src, pub, lo, hi, sim))

static ks_status add(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n, const char *id,
                     const char *what, const char *unit, const char *src, double pub, double lo,
                     double hi, double sim) {
  if (ks_target_add(out, cap, n, id, what, unit, src, pub, lo, hi, sim, KS_TARGET_HELD_OUT) != KS_OK)
    return ks_ctx_fail(ctx, KS_EINVAL, "ks_stats_validate: output array full (cap %zu)", cap);
  return KS_OK;
}

ks_status ks_stats_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n) {
  KS_CHECK_ARG(ctx, out != NULL && n != NULL);
  ks_ttest_result w;
  KS_TRY(ks_stats_ttest(ctx, sleep_a, 10, sleep_b, 10, 1, 0.95, &w));
  ADD("stats.welch.sleep.t", "Welch t, sleep data group 1 vs 2", "", "R t.test documentation (Cushny & Peebles 1905 data)",
      -1.8608, -1.8613, -1.8603, w.t);
  ADD("stats.welch.sleep.df", "Welch-Satterthwaite df, sleep data", "", "R t.test documentation",
      17.776, 17.7755, 17.7765, w.df);
  ks_fisher_result f;
  KS_TRY(ks_stats_fisher_exact(ctx, 3, 1, 1, 3, &f));
  ADD("stats.fisher.tea.p", "Fisher exact two-sided p, lady tasting tea", "", "Fisher 1935, The Design of Experiments (17/35)",
      0.4857, 0.48565, 0.48575, f.p);
  ks_proportion pr;
  KS_TRY(ks_stats_proportion(ctx, 81, 263, 0.95, &pr));
  ADD("stats.wilson.81of263.lo", "Wilson 95% lower limit, 81/263", "", "Newcombe 1998 Stat Med 17:857, example",
      0.2553, 0.25525, 0.25535, pr.lo);
  ADD("stats.wilson.81of263.hi", "Wilson 95% upper limit, 81/263", "", "Newcombe 1998 Stat Med 17:857, example",
      0.3662, 0.36615, 0.36625, pr.hi);
  ks_risk_diff rd;
  KS_TRY(ks_stats_risk_diff(ctx, 56, 70, 48, 80, 0.95, &rd));
  ADD("stats.newcombe.56of70-48of80.lo", "Newcombe method 10 lower limit, 56/70 - 48/80", "", "Newcombe 1998 Stat Med 17:873, Table II (a)",
      0.0524, 0.05235, 0.05245, rd.lo);
  ADD("stats.newcombe.56of70-48of80.hi", "Newcombe method 10 upper limit, 56/70 - 48/80", "", "Newcombe 1998 Stat Med 17:873, Table II (a)",
      0.3339, 0.33385, 0.33395, rd.hi);
  ks_logrank_result lr;
  KS_TRY(ks_stats_logrank(ctx, aml_t, aml_ev, aml_maint, 23, 1, 0, &lr));
  ADD("stats.logrank.aml.chi2", "Log-rank chi-square, AML maintained vs not", "", "R survdiff documentation (Embury 1977 data): 3.4 on 1 df",
      3.4, 3.35, 3.45, lr.chi2);
  ks_km_summary km;
  KS_TRY(ks_stats_km(ctx, aml_t, aml_ev, 11, NULL, NULL, NULL, NULL, NULL, &km));
  ADD("stats.km.aml.maintained.median", "Kaplan-Meier median, AML maintained arm", "weeks", "Miller 1981, Survival Analysis, p. 49 (median 31)",
      31.0, 31.0, 31.0, km.has_median ? km.median : -1.0);
  ADD("stats.power.d0.5.n64", "Power, two-sample, d = 0.5, 64 per arm, alpha 0.05 (normal approx.)", "", "Cohen 1988, Table 2.4.1 (0.80)",
      0.80, 0.79, 0.82, ks_stats_power_normal(0.5, 64, 0.05));
  return KS_OK;
}
