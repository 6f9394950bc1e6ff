/* SPDX-License-Identifier: MIT */
/* Sorting and type-7 quantiles for the statistics (the Cholesky they use is src/linalg/). */
#include <math.h>
#include <stdlib.h>

#include "stats_internal.h"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void ks__sort(double *x, size_t n) { qsort(x, n, sizeof *x, cmp_double); }

double ks__quantile_sorted(const double *x, size_t n, double p) {
  /* Hyndman & Fan (1996) type 7: h = (n - 1) p + 1 (1-based), interpolate. */
  if (n == 1) return x[0];
  double h = (double)(n - 1) * p;
  double fl = floor(h);
  size_t j = (size_t)fl;
  if (j >= n - 1) return x[n - 1];
  return x[j] + (h - fl) * (x[j + 1] - x[j]);
}
