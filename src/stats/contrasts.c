/* SPDX-License-Identifier: MIT */
/* Several contrasts of one ANCOVA (y ~ arm + baseline) and their multiplicity adjustments: Holm's
 * step-down (Holm 1979) and Dunnett's single-step test (Dunnett 1955) with the multivariate t
 * probability of the product-correlation structure computed by numerical integration. */
#include <float.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

#include "stats_internal.h"

ks_status ks_stats_holm(ks_ctx *ctx, const double *p, size_t k, double *p_adj) {
  KS_CHECK_ARG(ctx, p != NULL && p_adj != NULL && k > 0 && k <= KS_STATS_MAX_CONTRASTS);
  size_t order[KS_STATS_MAX_CONTRASTS];
  for (size_t i = 0; i < k; i++) {
    if (!(p[i] >= 0.0 && p[i] <= 1.0)) return ks_ctx_fail(ctx, KS_EINVAL, "%s: p[%zu] = %g outside [0, 1]", __func__, i, p[i]);
    order[i] = i;
  }
  for (size_t i = 1; i < k; i++) /* insertion sort by p, stable */
    for (size_t j = i; j > 0 && p[order[j]] < p[order[j - 1]]; j--) {
      size_t t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
  double run = 0.0;
  for (size_t j = 0; j < k; j++) {
    double a = fmin(1.0, (double)(k - j) * p[order[j]]);
    run = fmax(run, a); /* step-down: adjusted p never decreases along the ordered list */
    p_adj[order[j]] = run;
  }
  return KS_OK;
}

/* ---- Dunnett: P(max_i |T_i| <= c) -------------------------------------------------------------
 * T_i = X_i / S with X ~ N(0, R), R_ij = lambda_i lambda_j (i != j), and S = sqrt(chi2_df / df)
 * independent of X. Conditioning on Z (X_i = lambda_i Z + sqrt(1 - lambda_i^2) E_i) gives
 * P = int f_S(s) int phi(z) prod_i [Phi((c s - lambda_i z)/a_i) - Phi((-c s - lambda_i z)/a_i)] dz ds
 * (Dunnett 1955; Hochberg & Tamhane 1987, ch. 3), a_i = sqrt(1 - lambda_i^2). Both integrals by
 * composite Simpson rules; df = +inf (or > 1e6) drops the outer one. */
#define KS_DUNNETT_NZ 240   /* Simpson intervals in z on [-9, 9] */
#define KS_DUNNETT_NS 240   /* Simpson intervals in s */

static double inner_z(double cs, const double *lambda, size_t k) {
  const double lo = -9.0, hi = 9.0, h = (hi - lo) / KS_DUNNETT_NZ;
  double sum = 0.0;
  for (int j = 0; j <= KS_DUNNETT_NZ; j++) {
    double z = lo + h * j, w = (j == 0 || j == KS_DUNNETT_NZ) ? 1.0 : (j % 2 ? 4.0 : 2.0);
    double prod = exp(-0.5 * z * z) / sqrt(2.0 * M_PI);
    for (size_t i = 0; i < k && prod > 0.0; i++) {
      double a = sqrt(fmax(1.0 - lambda[i] * lambda[i], 1e-300));
      prod *= gsl_cdf_ugaussian_P((cs - lambda[i] * z) / a) - gsl_cdf_ugaussian_P((-cs - lambda[i] * z) / a);
    }
    sum += w * prod;
  }
  return sum * h / 3.0;
}

double ks_stats_dunnett_cdf(double c, const double *lambda, size_t k, double df) {
  ks__stats_gsl_init();
  if (!(c > 0.0)) return 0.0;
  if (!(df < 1e6)) return inner_z(c, lambda, k);
  /* S has density f(s) = 2 (df/2)^(df/2) / Gamma(df/2) s^(df-1) exp(-df s^2 / 2). */
  double sd = 1.0 / sqrt(2.0 * df);
  double lo = fmax(0.0, 1.0 - 12.0 * sd), hi = 1.0 + 14.0 * sd + (df < 10 ? 6.0 : 0.0);
  double h = (hi - lo) / KS_DUNNETT_NS, lc = log(2.0) + 0.5 * df * log(0.5 * df) - gsl_sf_lngamma(0.5 * df);
  double sum = 0.0;
  for (int j = 0; j <= KS_DUNNETT_NS; j++) {
    double s = lo + h * j, w = (j == 0 || j == KS_DUNNETT_NS) ? 1.0 : (j % 2 ? 4.0 : 2.0);
    if (s <= 0.0) continue;
    double f = exp(lc + (df - 1.0) * log(s) - 0.5 * df * s * s);
    if (f < 1e-300) continue;
    sum += w * f * inner_z(c * s, lambda, k);
  }
  return fmin(1.0, sum * h / 3.0);
}

/* The two-sided critical value c with P(max |T_i| <= c) = conf, by bisection. */
static double dunnett_crit(const double *lambda, size_t k, double df, double conf) {
  double lo = 0.0, hi = 2.0;
  while (ks_stats_dunnett_cdf(hi, lambda, k, df) < conf && hi < 1e3) hi *= 2.0;
  for (int it = 0; it < 60 && hi - lo > 1e-9; it++) {
    double mid = 0.5 * (lo + hi);
    if (ks_stats_dunnett_cdf(mid, lambda, k, df) < conf) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/* lambda_i of the product structure closest to the correlation matrix R (k x k): for k >= 3 the
 * mean over pairs (j, l) of sqrt(r_ij r_il / r_jl); for k = 2, sqrt(r_12) each. Returns the largest
 * |lambda_i lambda_j - r_ij|, the error of the approximation (0 for equal allocation without a
 * covariate, where R is exactly of product form). */
static double product_lambda(const double *r, size_t k, double *lambda) {
  if (k == 1) {
    lambda[0] = 0.0;
    return 0.0;
  }
  for (size_t i = 0; i < k; i++) {
    double s = 0.0;
    size_t m = 0;
    if (k == 2) {
      s = sqrt(fmax(r[1], 0.0)), m = 1;
    } else {
      for (size_t j = 0; j < k; j++)
        for (size_t l = j + 1; l < k; l++)
          if (j != i && l != i && r[j * k + l] > 1e-12) {
            s += sqrt(fmax(r[i * k + j] * r[i * k + l] / r[j * k + l], 0.0));
            m++;
          }
    }
    lambda[i] = m ? fmin(s / (double)m, 0.999999) : 0.0;
  }
  double err = 0.0;
  for (size_t i = 0; i < k; i++)
    for (size_t j = i + 1; j < k; j++) err = fmax(err, fabs(lambda[i] * lambda[j] - r[i * k + j]));
  return err;
}

/* ---- the ANCOVA with several contrasts -------------------------------------------------------- */

ks_status ks_stats_ancova_contrasts(ks_ctx *ctx, const double *y, const double *baseline, const int *group, size_t n,
                                   const int *treat, const int *ctrl, size_t n_contrasts, ks_adjust adjust,
                                   ks_contrasts_result *out) {
  KS_CHECK_ARG(ctx, y != NULL && group != NULL && treat != NULL && ctrl != NULL && out != NULL);
  KS_CHECK_ARG(ctx, n_contrasts > 0 && n_contrasts <= KS_STATS_MAX_CONTRASTS);
  ks__stats_gsl_init();
  memset(out, 0, sizeof *out);
  /* Cell-means coding: one column per group present, then the centred baseline (if any). */
  enum { P = KS_STATS_MAX_CONTRASTS + 2 };
  int arms[P];
  size_t n_arms = 0, n_use = 0, count[P] = {0};
  double sum_b = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(y[i]) || (baseline && isnan(baseline[i]))) continue;
    if (isinf(y[i]) || (baseline && isinf(baseline[i])))
      return ks_ctx_fail(ctx, KS_EINVAL, "%s: infinite value at index %zu", __func__, i);
    size_t a = 0;
    while (a < n_arms && arms[a] != group[i]) a++;
    if (a == n_arms) {
      if (n_arms == P - 1) return ks_ctx_fail(ctx, KS_EINVAL, "%s: more than %d groups", __func__, P - 1);
      arms[n_arms++] = group[i];
    }
    count[a]++;
    n_use++;
    if (baseline) sum_b += baseline[i];
  }
  size_t p = n_arms + (baseline ? 1 : 0);
  if (n_use <= p) return ks_ctx_fail(ctx, KS_EINVAL, "%s: %zu observations for %zu coefficients", __func__, n_use, p);
  double mean_b = baseline ? sum_b / (double)n_use : 0.0;
  double xtx[P * P] = {0}, xty[P] = {0}, row[P];
  double yty = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(y[i]) || (baseline && isnan(baseline[i]))) continue;
    memset(row, 0, sizeof row);
    for (size_t a = 0; a < n_arms; a++) row[a] = arms[a] == group[i];
    if (baseline) row[n_arms] = baseline[i] - mean_b;
    for (size_t r = 0; r < p; r++) {
      xty[r] += row[r] * y[i];
      for (size_t c = 0; c <= r; c++) xtx[r * p + c] += row[r] * row[c];
    }
    yty += y[i] * y[i];
  }
  for (size_t r = 0; r < p; r++)
    for (size_t c = r + 1; c < p; c++) xtx[r * p + c] = xtx[c * p + r];
  double l[P * P], inv[P * P], beta[P];
  memcpy(l, xtx, sizeof l);
  if (ks_la_chol(l, p, 0.0) != 0) return ks_ctx_fail(ctx, KS_ENUMERIC, "%s: singular design (constant baseline?)", __func__);
  memcpy(beta, xty, sizeof beta);
  ks_la_chol_solve(l, p, beta);
  ks_la_chol_inverse(l, p, inv);
  double rss = yty;
  for (size_t r = 0; r < p; r++) rss -= beta[r] * xty[r];
  double df = (double)(n_use - p), sigma2 = fmax(rss, 0.0) / df;
  out->n = n_use;
  out->df = df;
  out->sigma = sqrt(sigma2);
  out->n_contrasts = n_contrasts;
  double tq = ks_stats_t_quantile(0.975, df);
  size_t ia[KS_STATS_MAX_CONTRASTS], ic[KS_STATS_MAX_CONTRASTS];
  double pr[KS_STATS_MAX_CONTRASTS];
  for (size_t k = 0; k < n_contrasts; k++) {
    size_t a = n_arms, c = n_arms;
    for (size_t j = 0; j < n_arms; j++) {
      if (arms[j] == treat[k]) a = j;
      if (arms[j] == ctrl[k]) c = j;
    }
    if (a == n_arms || c == n_arms || count[a] < 2 || count[c] < 2)
      return ks_ctx_fail(ctx, KS_EINVAL, "%s: contrast %zu needs at least 2 observations in each of groups %d and %d",
                         __func__, k, treat[k], ctrl[k]);
    ia[k] = a, ic[k] = c;
    ks_contrast *o = &out->c[k];
    o->est = beta[a] - beta[c];
    o->se = sqrt(sigma2 * (inv[a * p + a] + inv[c * p + c] - 2.0 * inv[a * p + c]));
    o->df = df;
    o->t = o->est / o->se;
    o->p = ks_stats_t_p2(o->t, df);
    o->ci_lo = o->est - tq * o->se;
    o->ci_hi = o->est + tq * o->se;
    pr[k] = o->p;
  }
  /* Correlation of the contrast estimates: L V L' scaled. */
  for (size_t k = 0; k < n_contrasts; k++)
    for (size_t m = 0; m < n_contrasts; m++) {
      double cov = inv[ia[k] * p + ia[m]] - inv[ia[k] * p + ic[m]] - inv[ic[k] * p + ia[m]] + inv[ic[k] * p + ic[m]];
      out->corr[k * n_contrasts + m] = sigma2 * cov / (out->c[k].se * out->c[m].se);
    }
  out->adjust = adjust;
  for (size_t k = 0; k < n_contrasts; k++) {
    out->p_adj[k] = out->c[k].p;
    out->ci_adj_lo[k] = out->c[k].ci_lo;
    out->ci_adj_hi[k] = out->c[k].ci_hi;
  }
  out->crit = tq;
  if (adjust == KS_ADJUST_HOLM) return ks_stats_holm(ctx, pr, n_contrasts, out->p_adj);
  if (adjust == KS_ADJUST_DUNNETT) {
    double lambda[KS_STATS_MAX_CONTRASTS];
    out->corr_max_error = product_lambda(out->corr, n_contrasts, lambda);
    out->crit = dunnett_crit(lambda, n_contrasts, df, 0.95);
    for (size_t k = 0; k < n_contrasts; k++) {
      out->p_adj[k] = fmin(1.0, fmax(0.0, 1.0 - ks_stats_dunnett_cdf(fabs(out->c[k].t), lambda, n_contrasts, df)));
      out->ci_adj_lo[k] = out->c[k].est - out->crit * out->c[k].se;
      out->ci_adj_hi[k] = out->c[k].est + out->crit * out->c[k].se;
    }
  }
  return KS_OK;
}

ks_status ks_stats_ttest_one(ks_ctx *ctx, const double *x, size_t n, double mu, double conf, ks_ttest_result *out) {
  KS_CHECK_ARG(ctx, x != NULL && out != NULL && conf > 0.0 && conf < 1.0);
  ks_describe d;
  KS_TRY(ks_stats_describe(ctx, x, n, KS_NAN_SKIP, &d));
  if (d.n < 2 || !(d.sd > 0.0))
    return ks_ctx_fail(ctx, KS_EINVAL, "%s: %zu values with SD %g (expected at least 2 values that vary)", __func__, d.n, d.sd);
  memset(out, 0, sizeof *out);
  out->mean_x = d.mean;
  out->mean_y = mu;
  out->diff = d.mean - mu;
  out->se = d.se;
  out->df = (double)d.n - 1.0;
  out->t = out->diff / out->se;
  out->p = ks_stats_t_p2(out->t, out->df);
  double tq = ks_stats_t_quantile(0.5 + 0.5 * conf, out->df);
  out->ci_lo = out->diff - tq * out->se;
  out->ci_hi = out->diff + tq * out->se;
  return KS_OK;
}
