/* SPDX-License-Identifier: MIT */
/* First-order sensitivity index from given data: the bias-corrected between-bin share of the sum
 * of squares (epsilon squared) with a pairs bootstrap (contract in include/ketasim/sensitivity.h). */
#include <ketasim/rng.h>
#include <ketasim/sensitivity.h>

#include <math.h>
#include <string.h>

#include "stats_internal.h"

#define GIVEN_ENTITY 0x61BEu

/* epsilon^2 over the pairs idx[0..m) with bin[] in 0..nb-1; NaN when y has no variance. */
static double epsilon2(const double *y, const size_t *bin, const size_t *idx, size_t m, size_t nb, double *sum,
                       double *cnt) {
  memset(sum, 0, nb * sizeof *sum);
  memset(cnt, 0, nb * sizeof *cnt);
  double tot = 0.0;
  for (size_t j = 0; j < m; j++) {
    sum[bin[idx[j]]] += y[idx[j]];
    cnt[bin[idx[j]]] += 1.0;
    tot += y[idx[j]];
  }
  double mean = tot / (double)m, ss_tot = 0.0, ss_between = 0.0;
  size_t used = 0;
  for (size_t j = 0; j < m; j++) ss_tot += (y[idx[j]] - mean) * (y[idx[j]] - mean);
  for (size_t b = 0; b < nb; b++)
    if (cnt[b] > 0) {
      double d = sum[b] / cnt[b] - mean;
      ss_between += cnt[b] * d * d;
      used++;
    }
  if (!(ss_tot > 0.0) || used < 2 || m <= used) return NAN;
  double ms_within = (ss_tot - ss_between) / (double)(m - used);
  return (ss_between - (double)(used - 1) * ms_within) / ss_tot;
}

/* Bin of every usable pair: distinct values when there are at most nb of them, else nb
 * equiprobable bins by rank (ties stay together: a bin edge is a value). */
static size_t make_bins(const double *xs, size_t m, size_t nb, double *sorted, size_t *bin) {
  memcpy(sorted, xs, m * sizeof *sorted);
  ks__sort(sorted, m);
  size_t distinct = 0;
  for (size_t j = 0; j < m; j++)
    if (j == 0 || sorted[j] != sorted[j - 1]) sorted[distinct++] = sorted[j];
  if (distinct <= nb) {
    for (size_t j = 0; j < m; j++) {
      size_t lo = 0, hi = distinct - 1;
      while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (sorted[mid] < xs[j]) lo = mid + 1;
        else hi = mid;
      }
      bin[j] = lo;
    }
    return distinct;
  }
  memcpy(sorted, xs, m * sizeof *sorted);
  ks__sort(sorted, m);
  double edges[256];
  for (size_t b = 1; b < nb; b++) edges[b - 1] = ks__quantile_sorted(sorted, m, (double)b / (double)nb);
  for (size_t j = 0; j < m; j++) {
    size_t b = 0;
    while (b + 1 < nb && xs[j] > edges[b]) b++;
    bin[j] = b;
  }
  return nb;
}

ks_status ks_given_data_first_order(ks_ctx *ctx, const double *x, const double *y, size_t n, size_t n_bins,
                                    size_t n_boot, double level, uint64_t seed, ks_given_data_index *out) {
  KS_CHECK_ARG(ctx, x && y && out && n_bins >= 2 && n_bins <= 256);
  KS_CHECK_ARG(ctx, n_boot == 0 || (level > 0.0 && level < 1.0));
  double *xs = ks_calloc(ctx, 4 * n + 2 * n_bins + n_boot + 4, sizeof *xs);
  size_t *bin = ks_calloc(ctx, 2 * n + 2, sizeof *bin);
  ks_status st = KS_ENOMEM;
  if (!xs || !bin) goto done;
  double *ys = xs + n, *sorted = ys + n, *sum = sorted + n, *cnt = sum + n_bins, *boot = cnt + n_bins;
  size_t *idx = bin + n, m = 0;
  for (size_t j = 0; j < n; j++)
    if (isfinite(x[j]) && isfinite(y[j])) xs[m] = x[j], ys[m] = y[j], m++;
  st = KS_EINVAL;
  if (m < 2 * n_bins) {
    ks_ctx_fail(ctx, KS_EINVAL, "given-data index: %zu usable pairs (expected at least %zu)", m, 2 * n_bins);
    goto done;
  }
  size_t nb = make_bins(xs, m, n_bins, sorted, bin);
  for (size_t j = 0; j < m; j++) idx[j] = j;
  double s1 = epsilon2(ys, bin, idx, m, nb, sum, cnt);
  if (!isfinite(s1)) {
    ks_ctx_fail(ctx, KS_EINVAL, "given-data index: the outcome has no variance or x a single value");
    goto done;
  }
  *out = (ks_given_data_index){.s1 = s1, .s1_lo = s1, .s1_hi = s1, .n_bins = nb};
  size_t used = 0;
  for (size_t b = 0; b < n_boot; b++) {
    ks_rng rng;
    ks_rng_init(&rng, seed, KS_STREAM_BOOTSTRAP, GIVEN_ENTITY, b);
    for (size_t j = 0; j < m; j++) idx[j] = (size_t)ks_rng_below(&rng, m);
    double e = epsilon2(ys, bin, idx, m, nb, sum, cnt);
    if (isfinite(e)) boot[used++] = e;
  }
  if (used) {
    /* Resamples repeat pairs, which biases epsilon^2 upward by about the bias the correction
     * removes from the estimate; the percentile interval is shifted by the bootstrap bias
     * (mean of the resamples minus the estimate) so that it is centred on the estimate. */
    double mean_boot = 0.0;
    for (size_t b = 0; b < used; b++) mean_boot += boot[b];
    mean_boot /= (double)used;
    ks__sort(boot, used);
    out->s1_lo = ks__quantile_sorted(boot, used, (1.0 - level) / 2.0) - (mean_boot - s1);
    out->s1_hi = ks__quantile_sorted(boot, used, (1.0 + level) / 2.0) - (mean_boot - s1);
  }
  st = KS_OK;
done:
  ks_free(ctx, xs);
  ks_free(ctx, bin);
  return st;
}
