/* SPDX-License-Identifier: MIT */
/* ANCOVA of the primary endpoint: y ~ arm + baseline by ordinary least squares (normal equations
 * with the baseline centred; p <= KS_STATS_MAX_ARMS + 1, so conditioning is benign). */
#include <math.h>
#include <string.h>

#include "stats_internal.h"

ks_status ks_stats_ancova(ks_ctx *ctx, const double *y, const double *baseline, const int *group,
                          size_t n, int g_treat, int g_ctrl, ks_ancova_result *out) {
  KS_CHECK_ARG(ctx, y != NULL && baseline != NULL && group != NULL && out != NULL);
  KS_CHECK_ARG(ctx, g_treat != g_ctrl);
  /* Arms present among complete rows; column 0 is the intercept (ctrl), columns 1..k-1 the other
   * arms' dummies, column k the centred baseline. */
  int arms[KS_STATS_MAX_ARMS];
  size_t n_arms = 0, n_use = 0, n_treat = 0, n_ctrl = 0;
  double sum_b = 0.0;
  arms[n_arms++] = g_ctrl;
  for (size_t i = 0; i < n; i++) {
    if (isnan(y[i]) || isnan(baseline[i])) continue;
    if (isinf(y[i]) || isinf(baseline[i]))
      return ks_ctx_fail(ctx, KS_EINVAL, "%s: infinite value at index %zu", __func__, i);
    size_t a = 0;
    while (a < n_arms && arms[a] != group[i]) a++;
    if (a == n_arms) {
      if (n_arms == KS_STATS_MAX_ARMS)
        return ks_ctx_fail(ctx, KS_EINVAL, "%s: more than %d arms", __func__, KS_STATS_MAX_ARMS);
      arms[n_arms++] = group[i];
    }
    n_use++;
    n_treat += group[i] == g_treat;
    n_ctrl += group[i] == g_ctrl;
    sum_b += baseline[i];
  }
  if (n_treat < 2 || n_ctrl < 2)
    return ks_ctx_fail(ctx, KS_EINVAL, "%s: %zu treated and %zu control observations (expected at least 2 each)",
                       __func__, n_treat, n_ctrl);
  size_t p = n_arms + 1;
  if (n_use <= p)
    return ks_ctx_fail(ctx, KS_EINVAL, "%s: %zu observations for %zu coefficients (no residual df)",
                       __func__, n_use, p);
  double mean_b = sum_b / (double)n_use;
  size_t i_treat = 0;
  for (size_t a = 1; a < n_arms; a++)
    if (arms[a] == g_treat) i_treat = a;

  double xtx[(KS_STATS_MAX_ARMS + 1) * (KS_STATS_MAX_ARMS + 1)] = {0};
  double xty[KS_STATS_MAX_ARMS + 1] = {0};
  double row[KS_STATS_MAX_ARMS + 1];
  for (size_t i = 0; i < n; i++) {
    if (isnan(y[i]) || isnan(baseline[i])) continue;
    memset(row, 0, sizeof row);
    row[0] = 1.0;
    for (size_t a = 1; a < n_arms; a++)
      if (arms[a] == group[i]) row[a] = 1.0;
    row[p - 1] = baseline[i] - mean_b;
    for (size_t r = 0; r < p; r++) {
      xty[r] += row[r] * y[i];
      for (size_t c = 0; c <= r; c++) xtx[r * p + c] += row[r] * row[c];
    }
  }
  for (size_t r = 0; r < p; r++)
    for (size_t c = r + 1; c < p; c++) xtx[r * p + c] = xtx[c * p + r];
  double l[(KS_STATS_MAX_ARMS + 1) * (KS_STATS_MAX_ARMS + 1)];
  memcpy(l, xtx, sizeof l);
  if (ks_la_chol(l, p, 0.0) != 0)
    return ks_ctx_fail(ctx, KS_ENUMERIC, "%s: singular design (constant baseline?)", __func__);
  double beta[KS_STATS_MAX_ARMS + 1];
  memcpy(beta, xty, p * sizeof *beta);
  ks_la_chol_solve(l, p, beta);
  /* Residual sum of squares from the residuals themselves (no cancellation). */
  double rss = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(y[i]) || isnan(baseline[i])) continue;
    double fit = beta[0] + beta[p - 1] * (baseline[i] - mean_b);
    for (size_t a = 1; a < n_arms; a++)
      if (arms[a] == group[i]) fit += beta[a];
    rss += (y[i] - fit) * (y[i] - fit);
  }
  double df = (double)(n_use - p);
  double s2 = rss / df;
  double inv[(KS_STATS_MAX_ARMS + 1) * (KS_STATS_MAX_ARMS + 1)];
  ks_la_chol_inverse(l, p, inv);

  ks_ancova_result r;
  memset(&r, 0, sizeof r);
  r.n = n_use;
  r.n_groups = n_arms;
  r.df = df;
  r.sigma = sqrt(s2);
  r.diff = beta[i_treat];
  r.se = sqrt(s2 * inv[i_treat * p + i_treat]);
  if (!(r.se > 0.0)) {
    /* A perfect fit leaves t undefined; no NaN or infinity may reach the result. */
    return ks_ctx_fail(ctx, KS_ENUMERIC, "%s: zero residual variance (perfect fit)", __func__);
  }
  r.t = r.diff / r.se;
  r.p = ks_stats_t_p2(r.t, df);
  double q = ks_stats_t_quantile(0.975, df);
  r.ci_lo = r.diff - q * r.se;
  r.ci_hi = r.diff + q * r.se;
  r.slope_baseline = beta[p - 1];
  r.slope_baseline_se = sqrt(s2 * inv[(p - 1) * p + (p - 1)]);
  r.adj_mean_ctrl = beta[0];
  r.adj_mean_treat = beta[0] + beta[i_treat];
  *out = r;
  return KS_OK;
}
