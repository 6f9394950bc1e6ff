/* SPDX-License-Identifier: MIT */
/* Global sensitivity analysis and derivative-free optimisation on plain functions (stats layer).
 *
 * Sobol indices (Saltelli 2010, Comput Phys Commun 181:259): a quasi-random Sobol sequence of
 * dimension 2k (GSL's gsl_qrng_sobol, k <= 20) gives the matrices A (first k columns) and B (last
 * k); AB_i is A with column i taken from B. The model is evaluated on the n(k+2) rows
 * [A; B; AB_1; ...; AB_k] and the indices are
 *   first order  S_i  = mean_j f(B)_j (f(AB_i)_j - f(A)_j) / V          (Saltelli 2010, table 2 (b))
 *   total        ST_i = mean_j (f(A)_j - f(AB_i)_j)^2 / (2 V)            (Jansen 1999, table 2 (f))
 * with V the variance of the 2n outputs of A and B. Bootstrap intervals resample the n rows j with
 * replacement (Philox stream KS_STREAM_BOOTSTRAP keyed by the seed) and take percentiles.
 *
 * Morris elementary effects (Morris 1991, Technometrics 33:161): r trajectories of k+1 points on a
 * p-level grid of the unit cube, each moving one factor by delta = p / (2 (p - 1)); the r
 * trajectories are chosen among M candidates to maximise their spread (Campolongo, Cariboni &
 * Saltelli 2007, Environ Model Softw 22:1509), here by the greedy backward elimination of Ruano et
 * al. 2012 (Environ Model Softw 37:103) since the exact choice is combinatorial. mu* (the mean of
 * |EE|, Campolongo 2007) ranks the factors; sigma flags non-linearity or interactions. EE are per
 * unit of the factor's range (the input scaled to [0, 1]).
 *
 * Optimisation: NLopt (Johnson, "The NLopt nonlinear-optimization package") on a box, with
 * inequality constraints g_c(x) <= 0: LN_COBYLA (Powell 1994) directly, LN_BOBYQA (Powell 2009) on
 * f + a quadratic penalty, or GN_ISRES (Runarsson & Yao 2005) for a global search.
 *
 * Every function is deterministic: the same inputs and seed give the same bytes. Re-entrant. */
#ifndef KETASIM_SENSITIVITY_H
#define KETASIM_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>
#include <ketasim/core.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KS_SOBOL_MAX_FACTORS 20 /* gsl_qrng_sobol supports dimension 40 = 2k */

/* ---- Sobol indices ------------------------------------------------------------------------- */

/** Rows of the Saltelli design for K factors and base sample N: N (K + 2). */
KS_API size_t ks_sobol_n_rows(size_t k, size_t n);

/** Fill x[ks_sobol_n_rows(k, n) * k] (row-major) with the design [A; B; AB_1; ...; AB_k], each
 *  factor i scaled from [0, 1) to [low[i], high[i]]. The Sobol sequence skips its first point
 *  (the origin). @return KS_OK, KS_EINVAL (k outside 1..KS_SOBOL_MAX_FACTORS, n == 0, low >= high). */
KS_API ks_status ks_sobol_design(ks_ctx *ctx, size_t k, size_t n, const double *low, const double *high, double *x);

typedef struct ks_sobol_index {
  double s1, s1_lo, s1_hi;   /* first order and its bootstrap percentile interval */
  double st, st_lo, st_hi;   /* total order (Jansen) and its interval */
} ks_sobol_index;

/** Indices of the K factors from Y[ks_sobol_n_rows(k, n)], the outputs on the design rows in
 *  order. N_BOOT resamples (0: no interval; lo = hi = the estimate) for a LEVEL interval (0.95).
 *  *var_out (may be NULL) gets V. @return KS_OK; KS_EINVAL (NaN in y, zero variance, bad
 *  arguments); KS_ENOMEM. */
KS_API ks_status ks_sobol_indices(ks_ctx *ctx, size_t k, size_t n, const double *y, size_t n_boot, double level,
                                  uint64_t seed, ks_sobol_index *out, double *var_out);

/* ---- Morris elementary effects ------------------------------------------------------------- */

/** Rows of a Morris design: R (K + 1). */
KS_API size_t ks_morris_n_rows(size_t k, size_t r);

/** Fill x[ks_morris_n_rows(k, r) * k] with R trajectories (K + 1 rows each) on a LEVELS-level grid
 *  (even, >= 4), chosen among 4 r candidates (at most 400; all kept when r > 400; Campolongo
 *  2007) drawn from stream SEED,
 *  scaled to [low, high]. @return KS_OK, KS_EINVAL, KS_ENOMEM. */
KS_API ks_status ks_morris_design(ks_ctx *ctx, size_t k, size_t r, int levels, const double *low, const double *high,
                                  uint64_t seed, double *x);

typedef struct ks_morris_index {
  double mu, mu_star, sigma;     /* mean EE, mean |EE|, SD of EE (n - 1) */
  double mu_star_lo, mu_star_hi; /* bootstrap percentile interval of mu* over trajectories */
} ks_morris_index;

/** Elementary effects of the design X (as written by ks_morris_design, with the same low/high)
 *  and outputs Y. @return KS_OK; KS_EINVAL (NaN in y, a trajectory that does not move one factor
 *  per step); KS_ENOMEM. */
KS_API ks_status ks_morris_indices(ks_ctx *ctx, size_t k, size_t r, const double *x, const double *y,
                                   const double *low, const double *high, size_t n_boot, double level,
                                   uint64_t seed, ks_morris_index *out);

/* ---- First-order index from given data ---------------------------------------------------- */

/* The share of the variance of y explained by x alone, Var(E[y | x]) / Var(y), from n (x, y) pairs
 * drawn by the model (no design needed: "who responds" from one trial's patients). x is cut into
 * n_bins equiprobable bins (or its distinct values when it has at most n_bins of them) and the
 * index is the bias-corrected between-bin share of the sum of squares, epsilon^2 = (SS_between -
 * (M - 1) MS_within) / SS_total (Kelley 1935), which removes the positive bias (M - 1) / n of the
 * plain ratio for an x unrelated to y (it can then be slightly negative). The bootstrap resamples
 * the pairs with the bins kept; its percentile interval is shifted by the bootstrap bias (repeated
 * pairs inflate epsilon^2 in a resample) so that it is centred on the estimate. */
typedef struct ks_given_data_index {
  double s1, s1_lo, s1_hi;
  size_t n_bins;
} ks_given_data_index;

/** NaN pairs are skipped. @return KS_OK; KS_EINVAL (fewer than 2 n_bins usable pairs, y without
 *  variance); KS_ENOMEM. */
KS_API ks_status ks_given_data_first_order(ks_ctx *ctx, const double *x, const double *y, size_t n, size_t n_bins,
                                           size_t n_boot, double level, uint64_t seed, ks_given_data_index *out);

/* ---- Derivative-free optimisation (NLopt) -------------------------------------------------- */

typedef enum {
  KS_OPTIM_COBYLA = 0, /* local, constraints handled by the algorithm */
  KS_OPTIM_BOBYQA,     /* local, constraints as a quadratic penalty */
  KS_OPTIM_GLOBAL      /* GN_ISRES, constraints handled by the algorithm */
} ks_optim_algorithm;

/** Name ("cobyla", "bobyqa", "global") and parse (-1 when unknown). */
KS_API const char *ks_optim_algorithm_name(ks_optim_algorithm a);
KS_API int ks_optim_algorithm_parse(const char *name);

typedef struct ks_optim_problem {
  size_t n;                       /* decision variables, 1..64 */
  const double *low, *high;       /* the box */
  /* Minimised. Returns 0, or non-zero to stop the search with that status (the evaluator's
   * message stays in its context). *f may be +inf for an infeasible point. */
  int (*objective)(void *ud, const double *x, double *f);
  size_t n_constraints;
  /* g_c(x) <= 0 is feasible. Called after objective() at the same x. */
  double (*constraint)(void *ud, size_t c, const double *x);
  void *ud;
  ks_optim_algorithm algorithm;
  size_t max_evaluations;         /* > 0 */
  double xtol_rel;                /* 0: 1e-4 */
  uint64_t seed;                  /* GN_ISRES's random seed */
} ks_optim_problem;

/** Minimise from x (the start; overwritten with the best feasible point found: every g_c <= 1e-6). *f_best gets its
 *  value (+inf when no feasible point was found), *n_eval the evaluations.
 *  @return KS_OK; KS_EINVAL; the objective's non-zero status; KS_ENUMERIC (NLopt failure). */
KS_API ks_status ks_optim_minimize(ks_ctx *ctx, const ks_optim_problem *p, double *x, double *f_best,
                                   size_t *n_eval);

#ifdef __cplusplus
}
#endif
#endif
