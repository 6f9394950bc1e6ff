/* SPDX-License-Identifier: MIT */
/* Descriptive statistics (mean, SD, SE, type-7 quantiles) and change from baseline. */
#include <math.h>
#include <string.h>

#include "stats_internal.h"

/* Count usable values; reject NaN under KS_NAN_REJECT and infinities always. */
static ks_status scan(ks_ctx *ctx, const char *fn, const double *x, size_t n, ks_nan_policy nan,
                      size_t *n_ok) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i])) {
      if (nan == KS_NAN_REJECT)
        return ks_ctx_fail(ctx, KS_EINVAL, "%s: NaN at index %zu (missing values not allowed)", fn, i);
      continue;
    }
    if (isinf(x[i])) return ks_ctx_fail(ctx, KS_EINVAL, "%s: infinite value at index %zu", fn, i);
    k++;
  }
  *n_ok = k;
  return KS_OK;
}

/* Two-pass mean and sum of squared deviations over non-NaN values. */
static void moments(const double *x, size_t n, size_t k, double *mean, double *ss) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(x[i])) s += x[i];
  double m = s / (double)k, q = 0.0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(x[i])) q += (x[i] - m) * (x[i] - m);
  *mean = m;
  *ss = q;
}

ks_status ks_stats_mean(ks_ctx *ctx, const double *x, size_t n, ks_nan_policy nan, double *out) {
  KS_CHECK_ARG(ctx, x != NULL && out != NULL);
  size_t k = 0;
  KS_TRY(scan(ctx, __func__, x, n, nan, &k));
  if (k == 0) return ks_ctx_fail(ctx, KS_EINVAL, "%s: no values (expected at least 1)", __func__);
  double ss;
  moments(x, n, k, out, &ss);
  return KS_OK;
}

/* Sample variance of the usable values and their number k (at least 2); FN names the caller. */
static ks_status sample_var(ks_ctx *ctx, const char *fn, const double *x, size_t n, ks_nan_policy nan, double *var,
                            size_t *k) {
  KS_CHECK_ARG(ctx, x != NULL && var != NULL);
  *k = 0;
  KS_TRY(scan(ctx, fn, x, n, nan, k));
  if (*k < 2) return ks_ctx_fail(ctx, KS_EINVAL, "%s: %zu values (expected at least 2)", fn, *k);
  double m, ss;
  moments(x, n, *k, &m, &ss);
  *var = ss / (double)(*k - 1);
  return KS_OK;
}

ks_status ks_stats_sd(ks_ctx *ctx, const double *x, size_t n, ks_nan_policy nan, double *out) {
  KS_CHECK_ARG(ctx, out != NULL);
  double v = 0.0;
  size_t k = 0;
  KS_TRY(sample_var(ctx, __func__, x, n, nan, &v, &k));
  *out = sqrt(v);
  return KS_OK;
}

ks_status ks_stats_se(ks_ctx *ctx, const double *x, size_t n, ks_nan_policy nan, double *out) {
  KS_CHECK_ARG(ctx, out != NULL);
  double v = 0.0;
  size_t k = 0;
  KS_TRY(sample_var(ctx, __func__, x, n, nan, &v, &k));
  *out = sqrt(v / (double)k);
  return KS_OK;
}

/* Copy the usable values into a fresh sorted array. */
static ks_status sorted_copy(ks_ctx *ctx, const double *x, size_t n, size_t k, double **out) {
  double *c = ks_malloc(ctx, k * sizeof *c);
  if (!c) return KS_ENOMEM;
  size_t j = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(x[i])) c[j++] = x[i];
  ks__sort(c, k);
  *out = c;
  return KS_OK;
}

ks_status ks_stats_quantile(ks_ctx *ctx, const double *x, size_t n, double p, ks_nan_policy nan,
                            double *out) {
  KS_CHECK_ARG(ctx, x != NULL && out != NULL);
  KS_CHECK_ARG(ctx, p >= 0.0 && p <= 1.0);
  size_t k = 0;
  KS_TRY(scan(ctx, __func__, x, n, nan, &k));
  if (k == 0) return ks_ctx_fail(ctx, KS_EINVAL, "%s: no values (expected at least 1)", __func__);
  double *c;
  KS_TRY(sorted_copy(ctx, x, n, k, &c));
  *out = ks__quantile_sorted(c, k, p);
  ks_free(ctx, c);
  return KS_OK;
}

ks_status ks_stats_describe(ks_ctx *ctx, const double *x, size_t n, ks_nan_policy nan,
                            ks_describe *out) {
  KS_CHECK_ARG(ctx, x != NULL && out != NULL);
  size_t k = 0;
  KS_TRY(scan(ctx, __func__, x, n, nan, &k));
  if (k == 0) return ks_ctx_fail(ctx, KS_EINVAL, "%s: no values (expected at least 1)", __func__);
  double *c;
  KS_TRY(sorted_copy(ctx, x, n, k, &c));
  ks_describe d;
  memset(&d, 0, sizeof d);
  d.n = k;
  d.n_missing = n - k;
  double ss;
  moments(c, k, k, &d.mean, &ss);
  if (k >= 2) {
    d.sd = sqrt(ss / (double)(k - 1));
    d.se = d.sd / sqrt((double)k);
    d.has_sd = 1;
  }
  d.min = c[0];
  d.max = c[k - 1];
  d.q25 = ks__quantile_sorted(c, k, 0.25);
  d.median = ks__quantile_sorted(c, k, 0.5);
  d.q75 = ks__quantile_sorted(c, k, 0.75);
  ks_free(ctx, c);
  *out = d;
  return KS_OK;
}

ks_status ks_stats_change_from_baseline(ks_ctx *ctx, const double *baseline, const double *value,
                                        const int *group, size_t n_subjects, size_t n_visits,
                                        int arm, ks_describe *out) {
  KS_CHECK_ARG(ctx, baseline != NULL && value != NULL && group != NULL && out != NULL);
  KS_CHECK_ARG(ctx, n_visits > 0);
  double *chg = ks_malloc(ctx, (n_subjects ? n_subjects : 1) * sizeof *chg);
  if (!chg) return KS_ENOMEM;
  ks_status st = KS_OK;
  for (size_t v = 0; v < n_visits && st == KS_OK; v++) {
    size_t m = 0, n_arm = 0;
    for (size_t i = 0; i < n_subjects; i++) {
      if (group[i] != arm) continue;
      n_arm++;
      double b = baseline[i], y = value[i * n_visits + v];
      if (isnan(b) || isnan(y)) continue;
      if (isinf(b) || isinf(y)) {
        st = ks_ctx_fail(ctx, KS_EINVAL, "%s: infinite score for subject %zu", __func__, i);
        break;
      }
      chg[m++] = y - b;
    }
    if (st != KS_OK) break;
    if (m == 0) {
      memset(&out[v], 0, sizeof out[v]);
      out[v].n_missing = n_arm;
      continue;
    }
    st = ks_stats_describe(ctx, chg, m, KS_NAN_REJECT, &out[v]);
    out[v].n_missing = n_arm - m;
  }
  ks_free(ctx, chg);
  return st;
}
