/* SPDX-License-Identifier: MIT */
/* Private helpers shared by the files of src/stats: GSL set-up, small dense linear algebra, sorting. */
#ifndef KS_STATS_INTERNAL_H
#define KS_STATS_INTERNAL_H

#include <ketasim/stats.h>
#include "core/core_internal.h"

#include <ketasim/linalg.h>

/* Switch GSL's abort-on-error handler off, once per process. Every entry point that reaches GSL
 * calls it first. */
void ks__stats_gsl_init(void);

/* Ascending sort of doubles (no NaN). */
void ks__sort(double *x, size_t n);
/* Type-7 quantile of sorted x[0..n), n >= 1. */
double ks__quantile_sorted(const double *x, size_t n, double p);
/* Two-sided normal critical value for level conf. */
double ks__z_crit(double conf);

#endif
