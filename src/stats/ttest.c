/* SPDX-License-Identifier: MIT */
/* Two-sample t-tests (Student, Welch) and standardised mean differences (Cohen's d, Hedges' g). */
#include <math.h>
#include <string.h>

#include "stats_internal.h"

typedef struct {
  double mean, var;
} mv;

static ks_status mean_var(ks_ctx *ctx, const char *fn, const double *x, size_t n, mv *out) {
  if (n < 2) return ks_ctx_fail(ctx, KS_EINVAL, "%s: group of %zu values (expected at least 2)", fn, n);
  double s = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i])) return ks_ctx_fail(ctx, KS_EINVAL, "%s: non-finite value at index %zu", fn, i);
    s += x[i];
  }
  double m = s / (double)n, q = 0.0;
  for (size_t i = 0; i < n; i++) q += (x[i] - m) * (x[i] - m);
  out->mean = m;
  out->var = q / (double)(n - 1);
  return KS_OK;
}

ks_status ks_stats_ttest(ks_ctx *ctx, const double *x, size_t nx, const double *y, size_t ny,
                         int welch, double conf, ks_ttest_result *out) {
  KS_CHECK_ARG(ctx, x != NULL && y != NULL && out != NULL);
  KS_CHECK_ARG(ctx, conf > 0.0 && conf < 1.0);
  mv a, b;
  KS_TRY(mean_var(ctx, __func__, x, nx, &a));
  KS_TRY(mean_var(ctx, __func__, y, ny, &b));
  double n1 = (double)nx, n2 = (double)ny, se, df;
  if (welch) {
    /* Welch (1947): Satterthwaite df of the unequal-variance standard error. */
    double v1 = a.var / n1, v2 = b.var / n2;
    se = sqrt(v1 + v2);
    double den = v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0);
    df = den > 0.0 ? (v1 + v2) * (v1 + v2) / den : 0.0;
  } else {
    df = n1 + n2 - 2.0;
    double sp2 = ((n1 - 1.0) * a.var + (n2 - 1.0) * b.var) / df;
    se = sqrt(sp2 * (1.0 / n1 + 1.0 / n2));
  }
  if (!(se > 0.0) || !(df > 0.0))
    return ks_ctx_fail(ctx, KS_EINVAL, "%s: zero variance in both groups (t undefined)", __func__);
  ks_ttest_result r;
  r.mean_x = a.mean;
  r.mean_y = b.mean;
  r.diff = a.mean - b.mean;
  r.se = se;
  r.t = r.diff / se;
  r.df = df;
  r.p = ks_stats_t_p2(r.t, df);
  double q = ks_stats_t_quantile(0.5 + 0.5 * conf, df);
  r.ci_lo = r.diff - q * se;
  r.ci_hi = r.diff + q * se;
  *out = r;
  return KS_OK;
}

ks_status ks_stats_cohen_d(ks_ctx *ctx, const double *x, size_t nx, const double *y, size_t ny,
                           double conf, ks_effect_size *out) {
  KS_CHECK_ARG(ctx, x != NULL && y != NULL && out != NULL);
  KS_CHECK_ARG(ctx, conf > 0.0 && conf < 1.0);
  mv a, b;
  KS_TRY(mean_var(ctx, __func__, x, nx, &a));
  KS_TRY(mean_var(ctx, __func__, y, ny, &b));
  double n1 = (double)nx, n2 = (double)ny, df = n1 + n2 - 2.0;
  double sp = sqrt(((n1 - 1.0) * a.var + (n2 - 1.0) * b.var) / df);
  if (!(sp > 0.0)) return ks_ctx_fail(ctx, KS_EINVAL, "%s: pooled SD is zero (d undefined)", __func__);
  ks_effect_size e;
  e.pooled_sd = sp;
  e.d = (a.mean - b.mean) / sp;
  /* Hedges & Olkin (1985), eq. 5.15: large-sample variance of d. */
  e.d_se = sqrt((n1 + n2) / (n1 * n2) + e.d * e.d / (2.0 * (n1 + n2)));
  double z = ks__z_crit(conf);
  e.d_lo = e.d - z * e.d_se;
  e.d_hi = e.d + z * e.d_se;
  /* Hedges (1981): exact small-sample correction J(df); lgamma keeps it finite for large df. */
  double j = exp(lgamma(0.5 * df) - lgamma(0.5 * (df - 1.0))) / sqrt(0.5 * df);
  if (!(df > 1.0) || !isfinite(j)) j = 1.0 - 3.0 / (4.0 * df - 1.0);
  e.g = j * e.d;
  e.g_lo = j * e.d_lo;
  e.g_hi = j * e.d_hi;
  *out = e;
  return KS_OK;
}
