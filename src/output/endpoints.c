/* SPDX-License-Identifier: MIT */
/* The per-patient primary endpoint of a trial result and the primary analysis on plain arrays
 * (ks_trial_endpoints_init, ks_trial_primary_test): what ks_trial_summarise analyses, in a form a
 * replicate loop (src/power/) can resample. */
#include "output_internal.h"

#include <ketasim/stats.h>

#include <math.h>
#include <string.h>

/* ---- the primary endpoint per patient ------------------------------------------------------ */

void ks_trial_endpoints_fini(ks_trial_endpoints *e) {
  if (!e || !e->ctx) return;
  ks_free(e->ctx, e->group);
  ks_free(e->ctx, e->y);
  memset(e, 0, sizeof *e);
}

/* Fill y (and baseline) of a parallel design from visits v and bv. */
static void fill_parallel(const ks_trial_result *r, int m, long v, long bv, ks_trial_endpoints *e) {
  for (size_t i = 0; i < r->n; i++) {
    double yy = ks_trial_value(r, i, (size_t)v, (ks_measure)m), bb = ks_trial_value(r, i, (size_t)bv, (ks_measure)m);
    int ok = !isnan(yy) && !isnan(bb);
    e->y[i] = ok ? yy - bb : NAN;
    e->baseline[i] = ok ? bb : NAN;
  }
}

/* Fill y of a crossover: the change from each period's own baseline (the raw score when a period
 * has no baseline visit, b0 or b1 < 0) after arms[0] minus that after arms[1]. */
static void fill_crossover(const ks_trial_result *r, int m, long v0, long v1, long b0, long b1,
                           ks_trial_endpoints *e) {
  for (size_t i = 0; i < r->n; i++) {
    double a = ks_trial_value(r, i, (size_t)v0, (ks_measure)m), c = ks_trial_value(r, i, (size_t)v1, (ks_measure)m);
    if (b0 >= 0 && b1 >= 0) {
      a -= ks_trial_value(r, i, (size_t)b0, (ks_measure)m);
      c -= ks_trial_value(r, i, (size_t)b1, (ks_measure)m);
    }
    int first_is_arm0 = r->patients[i].arm == 0;
    e->y[i] = isnan(a) || isnan(c) ? NAN : first_is_arm0 ? a - c : c - a;
    e->baseline[i] = NAN;
  }
}

ks_status ks_trial_endpoints_init(ks_ctx *ctx, const ks_trial_result *r, ks_trial_endpoints *out) {
  KS_CHECK_ARG(ctx, r && out);
  memset(out, 0, sizeof *out);
  const ks_scenario *sc = r->sc;
  if (sc->design == KS_DESIGN_SINGLE_ARM || sc->n_arms < 2)
    return ks_ctx_fail(ctx, KS_EINPUT, "%s: a single-arm design has no primary contrast (expected two or more arms)",
                       sc->name);
  int m = sc->primary.enabled ? ks_trial_scale_measure(sc->primary.scale) : -1;
  if (m < 0)
    return ks_ctx_fail(ctx, KS_EINPUT, "%s: no primary endpoint on a symptom scale (expected endpoints: primary: "
                       "{scale: caps5, day: 14} or similar)", sc->name);
  int paired = sc->design == KS_DESIGN_CROSSOVER;
  long v0 = ks__trial_find_visit(r, sc->primary.at, 0);
  long v1 = paired ? ks__trial_find_visit(r, sc->primary.at, 1) : ks__trial_baseline_visit(r, 0, m);
  if (v0 < 0 || v1 < 0)
    return ks_ctx_fail(ctx, KS_EINPUT, "%s: the primary endpoint's %s not in the visit schedule (expected %s)",
                       sc->name, v0 < 0 ? "visit is" : paired ? "period-2 visit is" : "baseline is",
                       paired ? "the primary visit in both periods" : "the primary scale assessed at day 0");
  size_t n = r->n ? r->n : 1;
  out->group = ks_calloc(ctx, n, sizeof *out->group);
  out->y = ks_calloc(ctx, 2 * n, sizeof *out->y);
  if (!out->group || !out->y) {
    ks_free(ctx, out->group);
    ks_free(ctx, out->y);
    memset(out, 0, sizeof *out);
    return KS_ENOMEM;
  }
  out->ctx = ctx;
  out->paired = paired;
  out->n = r->n;
  out->n_groups = ks__trial_n_groups(sc);
  out->baseline = out->y + n;
  for (size_t i = 0; i < r->n; i++) out->group[i] = r->patients[i].arm;
  if (paired)
    fill_crossover(r, m, v0, v1, ks__trial_baseline_visit(r, 0, m),
                   ks__trial_baseline_visit(r, 1, m), out);
  else fill_parallel(r, m, v0, v1, out);
  return KS_OK;
}

/* ---- the primary analysis on arrays -------------------------------------------------------- */

/* Crossover: the within-patient differences d (arms[0] - arms[1]) adjusted for period, as the
 * random-intercept mixed model of ks_trial_summarise estimates the treatment effect on patients with
 * both periods: tau = (mean d | sequence 0 + mean d | sequence 1) / 2, SE from the pooled SD of d,
 * df = n - 2 (Jones & Kenward 2014, ch. 2). Without sequences (group NULL): the one-sample t of d. */
static void paired_test(ks_ctx *ctx, const double *y, const int *group, size_t n, ks_trial_test *out) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) k += !isnan(y[i]);
  out->n_used = k;
  if (!group) {
    double mean, se;
    if (k < 3 || ks_stats_mean(ctx, y, n, KS_NAN_SKIP, &mean) != KS_OK ||
        ks_stats_se(ctx, y, n, KS_NAN_SKIP, &se) != KS_OK || !(se > 0))
      return;
    out->valid = 1;
    out->difference = mean;
    out->se = se;
    out->p = ks_stats_t_p2(mean / se, (double)k - 1.0);
    return;
  }
  double sum[2] = {0, 0}, ss[2] = {0, 0};
  size_t c[2] = {0, 0};
  for (size_t i = 0; i < n; i++)
    if (!isnan(y[i]) && (group[i] == 0 || group[i] == 1)) sum[group[i]] += y[i], c[group[i]]++;
  if (c[0] < 2 || c[1] < 2) return;
  double m[2] = {sum[0] / (double)c[0], sum[1] / (double)c[1]};
  for (size_t i = 0; i < n; i++)
    if (!isnan(y[i]) && (group[i] == 0 || group[i] == 1)) ss[group[i]] += (y[i] - m[group[i]]) * (y[i] - m[group[i]]);
  double df = (double)(c[0] + c[1]) - 2.0, var = (ss[0] + ss[1]) / df;
  double se = 0.5 * sqrt(var * (1.0 / (double)c[0] + 1.0 / (double)c[1]));
  if (!(se > 0)) return;
  out->valid = 1;
  out->difference = 0.5 * (m[0] + m[1]);
  out->se = se;
  out->p = ks_stats_t_p2(out->difference / se, df);
}

/* ANCOVA of change with the baseline covariate, group T minus group C. */
static void ancova_test(ks_ctx *ctx, const double *y, const double *b, const int *g, size_t n, int t, int c,
                        ks_trial_test *out) {
  size_t k = 0, k0 = 0, k1 = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(y[i]) || isnan(b[i])) continue;
    k++;
    k0 += g[i] == t;
    k1 += g[i] == c;
  }
  out->n_used = k;
  ks_ancova_result an;
  if (k0 < 2 || k1 < 2 || ks_stats_ancova(ctx, y, b, g, n, t, c, &an) != KS_OK) return;
  out->valid = 1;
  out->difference = an.diff;
  out->se = an.se;
  out->p = an.p;
}

ks_status ks_trial_primary_test(ks_ctx *ctx, int paired, const double *y, const double *baseline, const int *group,
                                size_t n, ks_trial_test *out) {
  KS_CHECK_ARG(ctx, y && out && (paired || (baseline && group)));
  memset(out, 0, sizeof *out);
  out->difference = out->se = out->p = NAN;
  if (paired) paired_test(ctx, y, group, n, out);
  else ancova_test(ctx, y, baseline, group, n, 0, 1, out);
  return KS_OK;
}

ks_status ks_trial_contrast_test(ks_ctx *ctx, const double *y, const double *baseline, const int *group, size_t n,
                                 int treat, int ctrl, ks_trial_test *out) {
  KS_CHECK_ARG(ctx, y && out && baseline && group && treat >= 0 && ctrl >= 0 && treat != ctrl);
  memset(out, 0, sizeof *out);
  out->difference = out->se = out->p = NAN;
  ancova_test(ctx, y, baseline, group, n, treat, ctrl, out);
  return KS_OK;
}
