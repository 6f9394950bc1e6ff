/* SPDX-License-Identifier: MIT */
/* Dense linear algebra shared by the layers (src/linalg/): the one place that calls LAPACKE, and
 * the one Cholesky factor/solve. Internal (KS_INTERNAL_API): not exported from libketasim.so and
 * not installed. Matrices are row-major doubles. Every function is pure and thread-safe. */
#ifndef KETASIM_LINALG_H
#define KETASIM_LINALG_H

#include <stddef.h>

#include <ketasim/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Cholesky (small symmetric positive definite systems) -------------------------------------- */

/** Factor A = L L' in place (A p x p; its lower triangle is read, L replaces it and the upper
 *  triangle is zeroed). Cholesky-Banachiewicz (Golub & Van Loan 2013, alg. 4.2.1). A pivot must
 *  exceed tol_rel * (1 + |a_jj|) (tol_rel 0: must be positive). @return 0, or -1 (not positive
 *  definite to that tolerance; A is then partly overwritten). */
KS_INTERNAL_API int ks_la_chol(double *a, size_t p, double tol_rel);
/** Solve L L' x = b in place (b has p entries). */
KS_INTERNAL_API void ks_la_chol_solve(const double *l, size_t p, double *b);
/** log det(L L'). */
KS_INTERNAL_API double ks_la_chol_logdet(const double *l, size_t p);
/** (L L')^-1 into inv (p x p, symmetrised). */
KS_INTERNAL_API void ks_la_chol_inverse(const double *l, size_t p, double *inv);

/* ---- LAPACK (through LAPACKE) ---------------------------------------------------------------- */

/** Eigenvalues (wr + i wi) and right eigenvectors (columns of v, n x n) of A (n x n; overwritten).
 *  LAPACK dgeev. @return 0, or LAPACK's info. */
KS_INTERNAL_API int ks_la_eig(size_t n, double *a, double *wr, double *wi, double *v);
/** Invert A (n x n) in place by LU (dgetrf + dgetri). @return 0, or LAPACK's info (singular). */
KS_INTERNAL_API int ks_la_inverse(size_t n, double *a);
/** Solve A x = b (A n x n, overwritten by its LU; b -> x). LAPACK dgesv. @return 0 or info. */
KS_INTERNAL_API int ks_la_solve(size_t n, double *a, double *b);
/** Real Schur form A = U T U' (A n x n becomes T; U n x n; eigenvalues wr + i wi). LAPACK dgees.
 *  @return 0 or info. */
KS_INTERNAL_API int ks_la_schur(size_t n, double *a, double *u, double *wr, double *wi);
/** Solve T X + X T' = scale C for X (T quasi-triangular from ks_la_schur; C n x n -> X).
 *  LAPACK dtrsyl. @return info (0 ok; 1: perturbed eigenvalues; < 0: bad argument). */
KS_INTERNAL_API int ks_la_sylvester_t(size_t n, const double *t, double *c, double *scale);

#ifdef __cplusplus
}
#endif
#endif
