/* SPDX-License-Identifier: MIT */
/* Proportions (Wilson), response and remission counts, risk differences (Newcombe), Fisher's exact
 * test, and power from replicate p-values. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "stats_internal.h"

/* Wilson (1927) score interval; equal to R prop.test(k, n, correct = FALSE)$conf.int. */
static void wilson(double k, double n, double z, double *lo, double *hi) {
  if (n <= 0.0) {
    *lo = 0.0;
    *hi = 1.0;
    return;
  }
  double ph = k / n, z2 = z * z;
  double centre = (ph + z2 / (2.0 * n)) / (1.0 + z2 / n);
  double half = z / (1.0 + z2 / n) * sqrt(ph * (1.0 - ph) / n + z2 / (4.0 * n * n));
  *lo = k <= 0.0 ? 0.0 : fmax(0.0, centre - half);
  *hi = k >= n ? 1.0 : fmin(1.0, centre + half);
}

ks_status ks_stats_proportion(ks_ctx *ctx, size_t k, size_t n, double conf, ks_proportion *out) {
  KS_CHECK_ARG(ctx, out != NULL && k <= n);
  KS_CHECK_ARG(ctx, conf > 0.0 && conf < 1.0);
  ks_proportion r;
  r.k = k;
  r.n = n;
  r.p = n ? (double)k / (double)n : 0.0;
  wilson((double)k, (double)n, ks__z_crit(conf), &r.lo, &r.hi);
  *out = r;
  return KS_OK;
}

ks_status ks_stats_count_response(ks_ctx *ctx, const double *baseline, const double *post, size_t n,
                                  double drop_pct, double below, size_t *k_out, size_t *n_out) {
  KS_CHECK_ARG(ctx, baseline != NULL && post != NULL && k_out != NULL && n_out != NULL);
  KS_CHECK_ARG(ctx, !isnan(drop_pct) && !isnan(below));
  size_t k = 0, m = 0;
  for (size_t i = 0; i < n; i++) {
    double b = baseline[i], y = post[i];
    if (isnan(b) || isnan(y)) continue;
    if (drop_pct >= 0.0) {
      if (!(b > 0.0)) continue; /* a percent drop from zero is undefined */
      m++;
      /* The 1e-12 guards against a drop of exactly drop_pct being lost to rounding. */
      k += (b - y) / b * 100.0 >= drop_pct - 1e-12;
    } else {
      m++;
      k += y < below;
    }
  }
  *k_out = k;
  *n_out = m;
  return KS_OK;
}

ks_status ks_stats_risk_diff(ks_ctx *ctx, size_t k1, size_t n1, size_t k2, size_t n2, double conf,
                             ks_risk_diff *out) {
  KS_CHECK_ARG(ctx, out != NULL && n1 > 0 && n2 > 0 && k1 <= n1 && k2 <= n2);
  KS_CHECK_ARG(ctx, conf > 0.0 && conf < 1.0);
  double z = ks__z_crit(conf), l1, u1, l2, u2;
  double p1 = (double)k1 / (double)n1, p2 = (double)k2 / (double)n2;
  wilson((double)k1, (double)n1, z, &l1, &u1);
  wilson((double)k2, (double)n2, z, &l2, &u2);
  /* Newcombe (1998), method 10: square-and-add of the single-proportion Wilson limits. */
  out->diff = p1 - p2;
  out->lo = out->diff - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
  out->hi = out->diff + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
  return KS_OK;
}

static double lchoose(double n, double k) {
  return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0);
}

ks_status ks_stats_fisher_exact(ks_ctx *ctx, size_t a, size_t b, size_t c, size_t d,
                                ks_fisher_result *out) {
  KS_CHECK_ARG(ctx, out != NULL);
  /* Hypergeometric law of the top-left cell given the margins (Fisher 1935). The two-sided p sums
   * the probabilities of every table no more probable than the observed one, with R's relative
   * tolerance 1 + 1e-7 for ties (fisher.test). */
  double m = (double)(a + b), nn = (double)(c + d), k = (double)(a + c);
  size_t x_lo = (a + c > c + d) ? a + c - (c + d) : 0;
  size_t x_hi = KS_MIN(a + c, a + b);
  double lden = lchoose(m + nn, k);
  double lobs = lchoose(m, (double)a) + lchoose(nn, k - (double)a) - lden;
  double p = 0.0;
  for (size_t x = x_lo; x <= x_hi; x++) {
    double lx = lchoose(m, (double)x) + lchoose(nn, k - (double)x) - lden;
    if (lx <= lobs + log1p(1e-7)) p += exp(lx);
  }
  out->p = p > 1.0 ? 1.0 : p;
  double ad = (double)a * (double)d, bc = (double)b * (double)c;
  out->odds_ratio = ad == 0.0 ? 0.0 : (bc == 0.0 ? DBL_MAX : ad / bc);
  return KS_OK;
}

ks_status ks_stats_power(ks_ctx *ctx, const double *p_values, size_t n_rep, double alpha,
                         double conf, ks_proportion *out) {
  KS_CHECK_ARG(ctx, p_values != NULL && out != NULL && n_rep > 0);
  KS_CHECK_ARG(ctx, alpha > 0.0 && alpha < 1.0);
  size_t k = 0;
  for (size_t i = 0; i < n_rep; i++) {
    if (isnan(p_values[i]))
      return ks_ctx_fail(ctx, KS_EINVAL, "%s: replicate %zu has no p-value (NaN)", __func__, i);
    k += p_values[i] < alpha;
  }
  return ks_stats_proportion(ctx, k, n_rep, conf, out);
}

double ks_stats_power_normal(double d, double n_per_arm, double alpha) {
  if (!(n_per_arm > 0.0) || !(alpha > 0.0 && alpha < 1.0) || isnan(d)) return 0.0;
  double z = ks_stats_norm_quantile(1.0 - 0.5 * alpha);
  double ncp = fabs(d) * sqrt(0.5 * n_per_arm);
  return ks_stats_norm_cdf(ncp - z) + ks_stats_norm_cdf(-ncp - z);
}
