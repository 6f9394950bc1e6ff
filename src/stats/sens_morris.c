/* SPDX-License-Identifier: MIT */
/* Morris elementary effects: trajectories (Morris 1991), chosen for spread among candidates
 * (Campolongo 2007; greedy backward elimination, Ruano 2012), mu, mu*, sigma and a bootstrap
 * interval of mu* (contracts in include/ketasim/sensitivity.h). */
#include <ketasim/rng.h>
#include <ketasim/sensitivity.h>

#include <math.h>
#include <string.h>

#include "stats_internal.h"

#define MORRIS_ENTITY 0x4D0Fu /* stream entity of the candidate trajectories */

size_t ks_morris_n_rows(size_t k, size_t r) { return r * (k + 1); }

/* One candidate trajectory in the unit cube: u[(k+1) * k]. */
static void trajectory(size_t k, int levels, ks_rng *rng, size_t *perm, double *u) {
  double delta = (double)levels / (2.0 * (levels - 1));
  for (size_t i = 0; i < k; i++) perm[i] = i;
  for (size_t i = k; i > 1; i--) { /* Fisher-Yates */
    size_t j = (size_t)ks_rng_below(rng, i);
    size_t t = perm[i - 1];
    perm[i - 1] = perm[j], perm[j] = t;
  }
  double *x0 = u;
  double sign[KS_SOBOL_MAX_FACTORS * 4];
  for (size_t i = 0; i < k; i++) {
    /* base level in 0 .. p/2 - 1 so that base + delta stays on the grid, inside [0, 1] */
    double base = (double)ks_rng_below(rng, (uint64_t)(levels / 2)) / (levels - 1);
    sign[i] = ks_rng_below(rng, 2) ? 1.0 : -1.0;
    x0[i] = sign[i] > 0 ? base : base + delta;
  }
  for (size_t s = 0; s < k; s++) {
    double *prev = u + s * k, *next = u + (s + 1) * k;
    for (size_t i = 0; i < k; i++) next[i] = prev[i];
    next[perm[s]] += sign[perm[s]] * delta;
  }
}

/* Campolongo's distance between trajectories a and b: the sum of the Euclidean distances between
 * every point of one and every point of the other. */
static double traj_distance(size_t k, const double *a, const double *b) {
  double d = 0.0;
  for (size_t p = 0; p <= k; p++)
    for (size_t q = 0; q <= k; q++) {
      double s = 0.0;
      for (size_t i = 0; i < k; i++) s += (a[p * k + i] - b[q * k + i]) * (a[p * k + i] - b[q * k + i]);
      d += sqrt(s);
    }
  return d;
}

/* Keep r of the m candidates: repeatedly drop the one whose squared distances to the others sum
 * least, which keeps sqrt(sum over pairs of d^2) (Campolongo's spread) largest at each step. */
static void select_spread(size_t m, size_t r, const double *d2, unsigned char *keep) {
  for (size_t a = 0; a < m; a++) keep[a] = 1;
  for (size_t left = m; left > r; left--) {
    size_t worst = m;
    double worst_sum = INFINITY;
    for (size_t a = 0; a < m; a++) {
      if (!keep[a]) continue;
      double s = 0.0;
      for (size_t b = 0; b < m; b++)
        if (keep[b] && b != a) s += d2[a * m + b];
      if (s < worst_sum) worst_sum = s, worst = a;
    }
    keep[worst] = 0;
  }
}

ks_status ks_morris_design(ks_ctx *ctx, size_t k, size_t r, int levels, const double *low, const double *high,
                           uint64_t seed, double *x) {
  KS_CHECK_ARG(ctx, k >= 1 && k <= 4 * KS_SOBOL_MAX_FACTORS && r >= 1 && r <= 10000 && low && high && x);
  if (levels < 4 || levels % 2)
    return ks_ctx_fail(ctx, KS_EINVAL, "morris: %d levels (expected an even number >= 4)", levels);
  for (size_t i = 0; i < k; i++)
    if (!(low[i] < high[i])) return ks_ctx_fail(ctx, KS_EINVAL, "morris: factor %zu has low %g >= high %g", i, low[i], high[i]);
  /* Candidates: 4 r, at most 400 (the O(M^2 k^2) distances and the O(M^3) elimination stay
   * small); beyond 400 trajectories every candidate is kept. */
  size_t m = 4 * r <= 400 ? 4 * r : (r > 400 ? r : 400), pts = (k + 1) * k;
  double *u = ks_calloc(ctx, m * pts, sizeof *u), *d2 = ks_calloc(ctx, m * m, sizeof *d2);
  size_t *perm = ks_calloc(ctx, k, sizeof *perm);
  unsigned char *keep = ks_calloc(ctx, m, 1);
  ks_status st = KS_ENOMEM;
  if (!u || !d2 || !perm || !keep) goto done;
  for (size_t c = 0; c < m; c++) {
    ks_rng rng;
    ks_rng_init(&rng, seed, KS_STREAM_BOOTSTRAP, MORRIS_ENTITY, c);
    trajectory(k, levels, &rng, perm, u + c * pts);
  }
  for (size_t a = 0; a < m; a++)
    for (size_t b = a + 1; b < m; b++) {
      double d = traj_distance(k, u + a * pts, u + b * pts);
      d2[a * m + b] = d2[b * m + a] = d * d;
    }
  select_spread(m, r, d2, keep);
  size_t row = 0;
  for (size_t c = 0; c < m; c++) {
    if (!keep[c]) continue;
    for (size_t p = 0; p <= k; p++, row++)
      for (size_t i = 0; i < k; i++) x[row * k + i] = low[i] + (high[i] - low[i]) * u[c * pts + p * k + i];
  }
  st = KS_OK;
done:
  ks_free(ctx, u);
  ks_free(ctx, d2);
  ks_free(ctx, perm);
  ks_free(ctx, keep);
  return st;
}

/* mu* of factor i over trajectories idx[0..r). */
static double mu_star(size_t k, size_t r, const double *ee, const size_t *idx, size_t i) {
  double s = 0.0;
  for (size_t t = 0; t < r; t++) s += fabs(ee[idx[t] * k + i]);
  return s / (double)r;
}

ks_status ks_morris_indices(ks_ctx *ctx, size_t k, size_t r, const double *x, const double *y, const double *low,
                            const double *high, size_t n_boot, double level, uint64_t seed, ks_morris_index *out) {
  KS_CHECK_ARG(ctx, k >= 1 && r >= 1 && x && y && low && high && out);
  KS_CHECK_ARG(ctx, n_boot == 0 || (level > 0.0 && level < 1.0));
  double *ee = ks_calloc(ctx, r * k + n_boot + 1, sizeof *ee);
  size_t *idx = ks_calloc(ctx, r, sizeof *idx);
  ks_status st = KS_ENOMEM;
  if (!ee || !idx) goto done;
  double *boot = ee + r * k;
  st = KS_EINVAL;
  for (size_t t = 0; t < r; t++) {
    unsigned char moved[4 * KS_SOBOL_MAX_FACTORS] = {0};
    for (size_t s = 0; s < k; s++) {
      size_t a = t * (k + 1) + s, b = a + 1, which = k, n_moved = 0;
      if (!isfinite(y[a]) || !isfinite(y[b])) {
        ks_ctx_fail(ctx, KS_EINVAL, "morris: output %zu is not a number", isfinite(y[a]) ? b + 1 : a + 1);
        goto done;
      }
      for (size_t i = 0; i < k; i++)
        if (x[b * k + i] != x[a * k + i]) which = i, n_moved++;
      if (n_moved != 1 || moved[which]) {
        ks_ctx_fail(ctx, KS_EINVAL, "morris: rows %zu and %zu of trajectory %zu do not move exactly one new factor", a + 1,
                    b + 1, t + 1);
        goto done;
      }
      moved[which] = 1;
      double du = (x[b * k + which] - x[a * k + which]) / (high[which] - low[which]);
      ee[t * k + which] = (y[b] - y[a]) / du;
    }
  }
  for (size_t t = 0; t < r; t++) idx[t] = t;
  for (size_t i = 0; i < k; i++) {
    double mu = 0.0, m2 = 0.0;
    for (size_t t = 0; t < r; t++) mu += ee[t * k + i];
    mu /= (double)r;
    for (size_t t = 0; t < r; t++) m2 += (ee[t * k + i] - mu) * (ee[t * k + i] - mu);
    double ms = mu_star(k, r, ee, idx, i);
    out[i] = (ks_morris_index){.mu = mu, .mu_star = ms, .sigma = r > 1 ? sqrt(m2 / (double)(r - 1)) : 0.0,
                               .mu_star_lo = ms, .mu_star_hi = ms};
  }
  for (size_t i = 0; i < k && n_boot; i++) {
    for (size_t b = 0; b < n_boot; b++) {
      ks_rng rng;
      ks_rng_init(&rng, seed, KS_STREAM_BOOTSTRAP, MORRIS_ENTITY + 1, b);
      for (size_t t = 0; t < r; t++) idx[t] = (size_t)ks_rng_below(&rng, r);
      boot[b] = mu_star(k, r, ee, idx, i);
    }
    ks__sort(boot, n_boot);
    out[i].mu_star_lo = ks__quantile_sorted(boot, n_boot, (1.0 - level) / 2.0);
    out[i].mu_star_hi = ks__quantile_sorted(boot, n_boot, (1.0 + level) / 2.0);
  }
  st = KS_OK;
done:
  ks_free(ctx, ee);
  ks_free(ctx, idx);
  return st;
}
