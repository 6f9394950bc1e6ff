/* SPDX-License-Identifier: MIT */
/* Small dense linear algebra for the regression models (p <= KS_LMM_MAX_FIXED): Cholesky, solve,
 * log-determinant and inverse, plus sorting and type-7 quantiles. */
#include <math.h>
#include <stdlib.h>

#include "stats_internal.h"

int ks__chol(double *a, size_t p) {
  /* Cholesky-Banachiewicz, row by row (Golub & Van Loan 2013, alg. 4.2.1). */
  for (size_t i = 0; i < p; i++) {
    for (size_t j = 0; j <= i; j++) {
      double s = a[i * p + j];
      for (size_t k = 0; k < j; k++) s -= a[i * p + k] * a[j * p + k];
      if (i == j) {
        if (!(s > 0.0)) return -1;
        a[i * p + i] = sqrt(s);
      } else {
        a[i * p + j] = s / a[j * p + j];
      }
    }
    for (size_t j = i + 1; j < p; j++) a[i * p + j] = 0.0;
  }
  return 0;
}

void ks__chol_solve(const double *l, size_t p, double *b) {
  for (size_t i = 0; i < p; i++) {
    double s = b[i];
    for (size_t k = 0; k < i; k++) s -= l[i * p + k] * b[k];
    b[i] = s / l[i * p + i];
  }
  for (size_t ii = p; ii-- > 0;) {
    double s = b[ii];
    for (size_t k = ii + 1; k < p; k++) s -= l[k * p + ii] * b[k];
    b[ii] = s / l[ii * p + ii];
  }
}

double ks__chol_logdet(const double *l, size_t p) {
  double s = 0.0;
  for (size_t i = 0; i < p; i++) s += log(l[i * p + i]);
  return 2.0 * s;
}

void ks__chol_inverse(const double *l, size_t p, double *inv) {
  /* Column j of the inverse solves L L' x = e_j. p is small, so p solves are fine. */
  for (size_t j = 0; j < p; j++) {
    double col[KS_LMM_MAX_FIXED + 8];
    for (size_t i = 0; i < p; i++) col[i] = (i == j) ? 1.0 : 0.0;
    ks__chol_solve(l, p, col);
    for (size_t i = 0; i < p; i++) inv[i * p + j] = col[i];
  }
  for (size_t i = 0; i < p; i++)
    for (size_t j = 0; j < i; j++) {
      double m = 0.5 * (inv[i * p + j] + inv[j * p + i]);
      inv[i * p + j] = inv[j * p + i] = m;
    }
}

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
