/* SPDX-License-Identifier: MIT */
/* The one Cholesky factor and solve of the project (include/ketasim/linalg.h). */
#include "core/core_internal.h"

#include <ketasim/linalg.h>

#include <math.h>

int ks_la_chol(double *a, size_t p, double tol_rel) {
  /* Cholesky-Banachiewicz, row by row (Golub & Van Loan 2013, alg. 4.2.1). */
  for (size_t i = 0; i < p; i++) {
    for (size_t j = 0; j <= i; j++) {
      double s = a[i * p + j];
      for (size_t k = 0; k < j; k++) s -= a[i * p + k] * a[j * p + k];
      if (i == j) {
        if (!(s > tol_rel * (1.0 + fabs(a[i * p + i])))) return -1;
        a[i * p + i] = sqrt(s);
      } else {
        a[i * p + j] = s / a[j * p + j];
      }
    }
    for (size_t j = i + 1; j < p; j++) a[i * p + j] = 0.0;
  }
  return 0;
}

void ks_la_chol_solve(const double *l, size_t p, double *b) {
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

double ks_la_chol_logdet(const double *l, size_t p) {
  double s = 0.0;
  for (size_t i = 0; i < p; i++) s += log(l[i * p + i]);
  return 2.0 * s;
}

void ks_la_chol_inverse(const double *l, size_t p, double *inv) {
  /* Column j of the inverse solves L L' x = e_j; the inverse is symmetric, so it is solved in
   * place as row j. p is small, so p solves are fine. */
  for (size_t j = 0; j < p; j++) {
    double *row = inv + j * p;
    for (size_t i = 0; i < p; i++) row[i] = (i == j) ? 1.0 : 0.0;
    ks_la_chol_solve(l, p, row);
  }
  for (size_t i = 0; i < p; i++)
    for (size_t j = 0; j < i; j++) {
      double m = 0.5 * (inv[i * p + j] + inv[j * p + i]);
      inv[i * p + j] = inv[j * p + i] = m;
    }
}
