/* SPDX-License-Identifier: MIT */
/* Sobol indices: the Saltelli 2010 design from a Sobol sequence (GSL), the Saltelli 2010
 * first-order and Jansen 1999 total estimators, and percentile bootstrap intervals
 * (contracts in include/ketasim/sensitivity.h). */
#include <ketasim/rng.h>
#include <ketasim/sensitivity.h>

#include <math.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "stats_internal.h"

size_t ks_sobol_n_rows(size_t k, size_t n) { return n * (k + 2); }

ks_status ks_sobol_design(ks_ctx *ctx, size_t k, size_t n, const double *low, const double *high, double *x) {
  KS_CHECK_ARG(ctx, k >= 1 && k <= KS_SOBOL_MAX_FACTORS && n > 0 && low && high && x);
  for (size_t i = 0; i < k; i++)
    if (!(low[i] < high[i])) return ks_ctx_fail(ctx, KS_EINVAL, "sobol: factor %zu has low %g >= high %g", i, low[i], high[i]);
  ks__stats_gsl_init();
  gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
  if (!q) return ks_ctx_fail(ctx, KS_ENOMEM, "sobol: cannot allocate a %zu-dimensional Sobol sequence", 2 * k);
  double u[2 * KS_SOBOL_MAX_FACTORS];
  gsl_qrng_get(q, u); /* the origin */
  for (size_t j = 0; j < n; j++) {
    gsl_qrng_get(q, u);
    double *a = x + j * k, *b = x + (n + j) * k;
    for (size_t i = 0; i < k; i++) {
      a[i] = low[i] + (high[i] - low[i]) * u[i];
      b[i] = low[i] + (high[i] - low[i]) * u[k + i];
    }
    for (size_t c = 0; c < k; c++) {
      double *ab = x + ((2 + c) * n + j) * k;
      for (size_t i = 0; i < k; i++) ab[i] = i == c ? b[i] : a[i];
    }
  }
  gsl_qrng_free(q);
  return KS_OK;
}

/* S1 and ST of every factor over the rows idx[0..n) (a bootstrap resample, or 0..n-1). */
static int estimate(size_t k, size_t n, const double *y, const size_t *idx, double *s1, double *st) {
  const double *fa = y, *fb = y + n;
  double mean = 0.0, m2 = 0.0;
  for (size_t j = 0; j < n; j++) mean += fa[idx[j]] + fb[idx[j]];
  mean /= (double)(2 * n);
  for (size_t j = 0; j < n; j++) {
    double da = fa[idx[j]] - mean, db = fb[idx[j]] - mean;
    m2 += da * da + db * db;
  }
  double var = m2 / (double)(2 * n - 1);
  if (!(var > 0.0)) return -1;
  for (size_t c = 0; c < k; c++) {
    const double *fab = y + (2 + c) * n;
    double s = 0.0, t = 0.0;
    for (size_t j = 0; j < n; j++) {
      size_t r = idx[j];
      s += fb[r] * (fab[r] - fa[r]);
      t += (fa[r] - fab[r]) * (fa[r] - fab[r]);
    }
    s1[c] = s / (double)n / var;
    st[c] = t / (2.0 * (double)n) / var;
  }
  return 0;
}

ks_status ks_sobol_indices(ks_ctx *ctx, size_t k, size_t n, const double *y, size_t n_boot, double level,
                           uint64_t seed, ks_sobol_index *out, double *var_out) {
  KS_CHECK_ARG(ctx, k >= 1 && k <= KS_SOBOL_MAX_FACTORS && n >= 2 && y && out);
  KS_CHECK_ARG(ctx, n_boot == 0 || (level > 0.0 && level < 1.0));
  size_t rows = ks_sobol_n_rows(k, n);
  for (size_t r = 0; r < rows; r++)
    if (!isfinite(y[r])) return ks_ctx_fail(ctx, KS_EINVAL, "sobol: output %zu of %zu is not a number", r + 1, rows);
  size_t *idx = ks_calloc(ctx, n, sizeof *idx);
  double *s1 = ks_calloc(ctx, 2 * k * (n_boot + 1), sizeof *s1);
  ks_status st = KS_ENOMEM;
  if (!idx || !s1) goto done;
  double *tot = s1 + k * (n_boot + 1);
  for (size_t j = 0; j < n; j++) idx[j] = j;
  if (estimate(k, n, y, idx, s1, tot) != 0) {
    st = ks_ctx_fail(ctx, KS_EINVAL, "sobol: the outputs have no variance (every evaluation gave %g)", y[0]);
    goto done;
  }
  st = KS_OK;
  size_t used = 0;
  for (size_t b = 0; b < n_boot; b++) {
    ks_rng rng;
    ks_rng_init(&rng, seed, KS_STREAM_BOOTSTRAP, 0x50B0u, b);
    for (size_t j = 0; j < n; j++) idx[j] = (size_t)ks_rng_below(&rng, n);
    /* A resample without variance (only possible for tiny n) is skipped. */
    if (estimate(k, n, y, idx, s1 + k * (1 + used), tot + k * (1 + used)) == 0) used++;
  }
  double *col = ks_calloc(ctx, used + 1, sizeof *col);
  if (!col) {
    st = KS_ENOMEM;
    goto done;
  }
  double a = (1.0 - level) / 2.0;
  for (size_t c = 0; c < k; c++) {
    out[c] = (ks_sobol_index){.s1 = s1[c], .s1_lo = s1[c], .s1_hi = s1[c], .st = tot[c], .st_lo = tot[c], .st_hi = tot[c]};
    if (!used) continue;
    for (int which = 0; which < 2; which++) {
      const double *src = which ? tot : s1;
      for (size_t b = 0; b < used; b++) col[b] = src[k * (1 + b) + c];
      ks__sort(col, used);
      double lo = ks__quantile_sorted(col, used, a), hi = ks__quantile_sorted(col, used, 1.0 - a);
      if (which) out[c].st_lo = lo, out[c].st_hi = hi;
      else out[c].s1_lo = lo, out[c].s1_hi = hi;
    }
  }
  ks_free(ctx, col);
  if (var_out) {
    double mean = 0.0, m2 = 0.0;
    for (size_t j = 0; j < 2 * n; j++) mean += y[j];
    mean /= (double)(2 * n);
    for (size_t j = 0; j < 2 * n; j++) m2 += (y[j] - mean) * (y[j] - mean);
    *var_out = m2 / (double)(2 * n - 1);
  }
done:
  ks_free(ctx, idx);
  ks_free(ctx, s1);
  return st;
}
