/* SPDX-License-Identifier: MIT */
/* The one place that calls LAPACKE (include/ketasim/linalg.h): row-major wrappers with size_t
 * sizes, so no other module sees lapack_int. */
#include "core/core_internal.h"

#include <ketasim/linalg.h>

#include <lapacke.h>
#include <stdlib.h>

/* Pivot indices: on the stack for the small systems of the PK layer, else on the heap. */
#define KS_LA_STACK_PIV 64

int ks_la_eig(size_t n, double *a, double *wr, double *wi, double *v) {
  double vl[1];
  lapack_int m = (lapack_int)n;
  return (int)LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'V', m, a, m, wr, wi, vl, 1, v, m);
}

int ks_la_inverse(size_t n, double *a) {
  lapack_int stack[KS_LA_STACK_PIV], *piv = n <= KS_LA_STACK_PIV ? stack : malloc(n * sizeof *piv);
  if (!piv) return -1;
  lapack_int m = (lapack_int)n;
  lapack_int info = LAPACKE_dgetrf(LAPACK_ROW_MAJOR, m, m, a, m, piv);
  if (info == 0) info = LAPACKE_dgetri(LAPACK_ROW_MAJOR, m, a, m, piv);
  if (piv != stack) free(piv);
  return (int)info;
}

int ks_la_solve(size_t n, double *a, double *b) {
  lapack_int stack[KS_LA_STACK_PIV], *piv = n <= KS_LA_STACK_PIV ? stack : malloc(n * sizeof *piv);
  if (!piv) return -1;
  lapack_int m = (lapack_int)n;
  lapack_int info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, m, 1, a, m, piv, b, 1);
  if (piv != stack) free(piv);
  return (int)info;
}

int ks_la_schur(size_t n, double *a, double *u, double *wr, double *wi) {
  lapack_int m = (lapack_int)n, sdim = 0;
  return (int)LAPACKE_dgees(LAPACK_ROW_MAJOR, 'V', 'N', NULL, m, a, m, &sdim, wr, wi, u, m);
}

int ks_la_sylvester_t(size_t n, const double *t, double *c, double *scale) {
  lapack_int m = (lapack_int)n;
  return (int)LAPACKE_dtrsyl(LAPACK_ROW_MAJOR, 'N', 'T', 1, m, m, t, m, t, m, c, m, scale);
}
