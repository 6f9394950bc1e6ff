/* SPDX-License-Identifier: MIT */
/* Private helpers shared by the files of src/stats: GSL set-up, small dense linear algebra, sorting. */
#ifndef KS_STATS_INTERNAL_H
#define KS_STATS_INTERNAL_H

#include <ketasim/stats.h>
#include "core/core_internal.h"

/* Switch GSL's abort-on-error handler off, once per process. Every entry point that reaches GSL
 * calls it first. */
void ks__stats_gsl_init(void);

/* In-place Cholesky factorisation of the symmetric positive definite p x p matrix a (row-major,
 * lower triangle used and overwritten with L). Returns 0, or -1 when a pivot is not positive. */
int ks__chol(double *a, size_t p);
/* Solve L L' x = b in place (b has p entries). */
void ks__chol_solve(const double *l, size_t p, double *b);
/* log det(L L') = 2 sum log L_ii. */
double ks__chol_logdet(const double *l, size_t p);
/* Inverse of L L' into inv (p x p, full symmetric). */
void ks__chol_inverse(const double *l, size_t p, double *inv);

/* Ascending sort of doubles (no NaN). */
void ks__sort(double *x, size_t n);
/* Type-7 quantile of sorted x[0..n), n >= 1. */
double ks__quantile_sorted(const double *x, size_t n, double p);
/* Two-sided normal critical value for level conf. */
double ks__z_crit(double conf);

#endif
