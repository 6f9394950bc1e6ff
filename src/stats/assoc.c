/* SPDX-License-Identifier: MIT */
/* Association: Pearson's r with Fisher-z interval, its bootstrap percentile interval, and the AUC
 * (Mann-Whitney) with DeLong's standard error. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <ketasim/rng.h>

#include "stats_internal.h"

/* Compact the complete pairs of (x, y) into cx, cy; returns their number. */
static size_t complete_pairs(const double *x, const double *y, size_t n, double *cx, double *cy) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i]) || isnan(y[i])) continue;
    cx[m] = x[i];
    cy[m] = y[i];
    m++;
  }
  return m;
}

static double clamp_r(double r) { return r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r); }

ks_status ks_stats_pearson(ks_ctx *ctx, const double *x, const double *y, size_t n, double conf,
                           ks_corr_result *out) {
  KS_CHECK_ARG(ctx, x != NULL && y != NULL && out != NULL);
  KS_CHECK_ARG(ctx, conf > 0.0 && conf < 1.0);
  double sx = 0.0, sy = 0.0;
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i]) || isnan(y[i])) continue;
    if (isinf(x[i]) || isinf(y[i])) return ks_ctx_fail(ctx, KS_EINVAL, "%s: infinite value at index %zu", __func__, i);
    sx += x[i];
    sy += y[i];
    m++;
  }
  if (m < 3) return ks_ctx_fail(ctx, KS_EINVAL, "%s: %zu complete pairs (expected at least 3)", __func__, m);
  double mx = sx / (double)m, my = sy / (double)m, sxx = 0.0, syy = 0.0, sxy = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(x[i]) || isnan(y[i])) continue;
    double dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (!(sxx > 0.0) || !(syy > 0.0))
    return ks_ctx_fail(ctx, KS_EINVAL, "%s: a variable is constant (r undefined)", __func__);
  ks_corr_result r;
  r.n = m;
  r.r = clamp_r(sxy / sqrt(sxx * syy));
  double df = (double)m - 2.0;
  if (fabs(r.r) < 1.0) {
    r.t = r.r * sqrt(df / (1.0 - r.r * r.r));
    r.p = ks_stats_t_p2(r.t, df);
  } else {
    r.t = copysign(DBL_MAX, r.r);
    r.p = 0.0;
  }
  /* Fisher (1921): atanh(r) is close to normal with SE 1 / sqrt(n - 3). */
  if (m > 3 && fabs(r.r) < 1.0) {
    double zr = atanh(r.r), half = ks__z_crit(conf) / sqrt((double)m - 3.0);
    r.lo = tanh(zr - half);
    r.hi = tanh(zr + half);
  } else if (m > 3) {
    r.lo = r.hi = r.r;
  } else {
    r.lo = -1.0;
    r.hi = 1.0;
  }
  *out = r;
  return KS_OK;
}

ks_status ks_stats_pearson_boot(ks_ctx *ctx, const double *x, const double *y, size_t n,
                                size_t n_boot, double conf, uint64_t seed, uint64_t entity,
                                ks_boot_result *out) {
  KS_CHECK_ARG(ctx, x != NULL && y != NULL && out != NULL && n_boot >= 2);
  KS_CHECK_ARG(ctx, conf > 0.0 && conf < 1.0);
  ks_corr_result base;
  KS_TRY(ks_stats_pearson(ctx, x, y, n, conf, &base));
  double *mem = ks_malloc(ctx, (2 * n + n_boot) * sizeof *mem);
  if (!mem) return KS_ENOMEM;
  double *cx = mem, *cy = mem + n, *reps = mem + 2 * n;
  size_t m = complete_pairs(x, y, n, cx, cy);
  double mx = 0.0, my = 0.0;
  for (size_t i = 0; i < m; i++) mx += cx[i], my += cy[i];
  mx /= (double)m;
  my /= (double)m;
  size_t n_valid = 0;
  for (size_t b = 0; b < n_boot; b++) {
    /* One stream per replicate: replicate b draws the same indices whatever else is computed. */
    ks_rng rng;
    ks_rng_init(&rng, seed, KS_STREAM_BOOTSTRAP, entity, (uint64_t)b);
    double s1 = 0, s2 = 0, s11 = 0, s22 = 0, s12 = 0;
    for (size_t k = 0; k < m; k++) {
      size_t i = (size_t)ks_rng_below(&rng, (uint64_t)m);
      /* Sums of deviations from the full-sample means keep the one-pass formula accurate. */
      double dx = cx[i] - mx, dy = cy[i] - my;
      s1 += dx, s2 += dy, s11 += dx * dx, s22 += dy * dy, s12 += dx * dy;
    }
    double fm = (double)m;
    double sxx = s11 - s1 * s1 / fm, syy = s22 - s2 * s2 / fm, sxy = s12 - s1 * s2 / fm;
    if (!(sxx > 1e-12 * s11) || !(syy > 1e-12 * s22)) continue; /* constant resample */
    reps[n_valid++] = clamp_r(sxy / sqrt(sxx * syy));
  }
  if (n_valid < 2) {
    ks_free(ctx, mem);
    return ks_ctx_fail(ctx, KS_ENUMERIC, "%s: %zu usable bootstrap replicates of %zu", __func__,
                       n_valid, n_boot);
  }
  ks__sort(reps, n_valid);
  out->estimate = base.r;
  out->lo = ks__quantile_sorted(reps, n_valid, 0.5 - 0.5 * conf);
  out->hi = ks__quantile_sorted(reps, n_valid, 0.5 + 0.5 * conf);
  out->n_boot = n_boot;
  out->n_valid = n_valid;
  ks_free(ctx, mem);
  return KS_OK;
}

typedef struct {
  double v;
  size_t i;
} val_idx;

static int cmp_val_idx(const void *x, const void *y) {
  const val_idx *a = x, *b = y;
  return (a->v > b->v) - (a->v < b->v);
}

/* Midranks (1-based, ties averaged) of v[0..n) into rank[], using scratch[n]. */
static void midranks(const double *v, size_t n, double *rank, val_idx *scratch) {
  for (size_t i = 0; i < n; i++) scratch[i] = (val_idx){v[i], i};
  qsort(scratch, n, sizeof *scratch, cmp_val_idx);
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    while (j < n && scratch[j].v == scratch[i].v) j++;
    double r = 0.5 * ((double)i + 1.0 + (double)j);
    for (size_t k = i; k < j; k++) rank[scratch[k].i] = r;
    i = j;
  }
}

ks_status ks_stats_auc(ks_ctx *ctx, const double *score, const int *label, size_t n, double conf,
                       ks_auc_result *out) {
  KS_CHECK_ARG(ctx, score != NULL && label != NULL && out != NULL);
  KS_CHECK_ARG(ctx, conf > 0.0 && conf < 1.0);
  size_t n1 = 0, n0 = 0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(score[i]) || (label[i] != 0 && label[i] != 1)) continue;
    if (isinf(score[i])) return ks_ctx_fail(ctx, KS_EINVAL, "%s: infinite score at index %zu", __func__, i);
    n1 += label[i] == 1;
    n0 += label[i] == 0;
  }
  if (n1 < 2 || n0 < 2)
    return ks_ctx_fail(ctx, KS_EINVAL, "%s: %zu positives and %zu negatives (expected at least 2 each)",
                       __func__, n1, n0);
  size_t nt = n1 + n0;
  /* Layout: values [nt] (positives first), ranks [nt], within-class ranks [nt], scratch [nt]. */
  unsigned char *mem = ks_malloc(ctx, 3 * nt * sizeof(double) + nt * sizeof(val_idx));
  if (!mem) return KS_ENOMEM;
  double *v = (double *)(void *)mem, *rz = v + nt, *rw = rz + nt;
  val_idx *scr = (val_idx *)(void *)(rw + nt);
  size_t a = 0, b = n1;
  for (size_t i = 0; i < n; i++) {
    if (isnan(score[i]) || (label[i] != 0 && label[i] != 1)) continue;
    if (label[i] == 1) v[a++] = score[i];
    else v[b++] = score[i];
  }
  midranks(v, nt, rz, scr);
  midranks(v, n1, rw, scr);
  midranks(v + n1, n0, rw + n1, scr);
  /* DeLong, DeLong & Clarke-Pearson (1988): structural components from midranks (Sun & Xu 2014). */
  double fn1 = (double)n1, fn0 = (double)n0, auc = 0.0;
  for (size_t i = 0; i < n1; i++) {
    rw[i] = (rz[i] - rw[i]) / fn0;            /* V10_i */
    auc += rw[i];
  }
  for (size_t j = n1; j < nt; j++) rw[j] = 1.0 - (rz[j] - rw[j]) / fn1; /* V01_j */
  auc /= fn1;
  double s10 = 0.0, s01 = 0.0;
  for (size_t i = 0; i < n1; i++) s10 += (rw[i] - auc) * (rw[i] - auc);
  for (size_t j = n1; j < nt; j++) s01 += (rw[j] - auc) * (rw[j] - auc);
  s10 /= fn1 - 1.0;
  s01 /= fn0 - 1.0;
  ks_free(ctx, mem);
  ks_auc_result r;
  r.n_pos = n1;
  r.n_neg = n0;
  r.auc = auc;
  r.se = sqrt(s10 / fn1 + s01 / fn0);
  double z = ks__z_crit(conf);
  r.lo = fmax(0.0, auc - z * r.se);
  r.hi = fmin(1.0, auc + z * r.se);
  *out = r;
  return KS_OK;
}
