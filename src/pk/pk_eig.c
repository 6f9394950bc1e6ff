/* SPDX-License-Identifier: MIT */
/* Structured eigen-decomposition of a compartment matrix, without LAPACK.
 *
 * A compartment system is block lower-triangular once its states are ordered by the flow graph:
 * each strongly connected component (SCC: a mammillary parent, the metabolite pair, an effect
 * site, a depot, an accumulator) is a diagonal block, and mass only flows downstream. So the
 * eigenvalues are those of the blocks, found in closed form for blocks of up to 3 states (the
 * roots of a quadratic or a cubic, polished by Newton steps), and the eigenvector of an
 * eigenvalue of block k is zero upstream of k, a null vector of (A_kk - lambda I) on k, and
 * solves (A_jj - lambda I) v_j = -sum_i A_ji v_i on every downstream block j. This is exact
 * structure, not an approximation: states that a mode cannot reach get exact zeros, which is
 * what lets the grid evaluator skip them. Blocks larger than 3 states (perezruixo2021's
 * central-peripheral-liver system) and coincident eigenvalues return failure, and the caller
 * falls back to LAPACK dgeev. */
#include "pk_internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

enum { MAXB = 3 };

/* States reachable from each state (bit i of reach[j]: j reaches i), the diagonal included. */
static void reachability(const pk_unit *u, uint32_t *reach) {
  int n = u->n;
  for (int j = 0; j < n; j++) {
    reach[j] = 1u << j;
    for (int i = 0; i < n; i++)
      if (i != j && u->A[i * n + j] != 0.0) reach[j] |= 1u << i;
  }
  for (int changed = 1; changed;) {
    changed = 0;
    for (int j = 0; j < n; j++) {
      uint32_t r = reach[j];
      for (int i = 0; i < n; i++)
        if (r & (1u << i)) r |= reach[i];
      if (r != reach[j]) { reach[j] = r; changed = 1; }
    }
  }
}

static inline double max2(double a, double b) { return a > b ? a : b; }

static int popcount32(uint32_t x) {
  int c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

/* Real roots of x^3 + a x^2 + b x + c (all three real, as for compartment blocks).
 * Trigonometric form, then two Newton steps per root. Returns 1 when the roots are not real. */
static int cubic_roots(double a, double b, double c, double *r) {
  double p = b - a * a / 3.0, q = 2.0 * a * a * a / 27.0 - a * b / 3.0 + c;
  if (p >= 0.0) return 1;  /* p >= 0 would mean at most one real root (or a triple root) */
  double m = 2.0 * sqrt(-p / 3.0);
  double arg = 3.0 * q / (p * m);
  if (arg > 1.0 + 1e-12 || arg < -1.0 - 1e-12) return 1;
  arg = arg > 1.0 ? 1.0 : (arg < -1.0 ? -1.0 : arg);
  double th = acos(arg) / 3.0;
  for (int k = 0; k < 3; k++) {
    double x = m * cos(th - 2.0943951023931957 * k) - a / 3.0;
    for (int it = 0; it < 2; it++) {
      double f = ((x + a) * x + b) * x + c, df = (3.0 * x + 2.0 * a) * x + b;
      if (df != 0.0 && isfinite(f / df)) x -= f / df;
    }
    r[k] = x;
  }
  return 0;
}

/* Eigenvalues of an m x m block B (row-major, m <= 3). Returns 1 if not real. */
static int block_eigenvalues(const double *B, int m, double *lam) {
  if (m == 1) {
    lam[0] = B[0];
    return 0;
  }
  if (m == 2) {
    double tr = B[0] + B[3], det = B[0] * B[3] - B[1] * B[2];
    double disc = (B[0] - B[3]) * (B[0] - B[3]) + 4.0 * B[1] * B[2];
    if (disc < 0.0) return 1;
    /* Stable quadratic roots: the larger-magnitude one first, the other from the product. */
    double s = -0.5 * (tr + (tr >= 0.0 ? 1.0 : -1.0) * sqrt(disc));
    double r1 = -s, r2 = s != 0.0 ? -det / s : 0.0;
    if (s == 0.0) r2 = 0.0;
    lam[0] = r1;
    lam[1] = r2;
    return 0;
  }
  /* m == 3: characteristic polynomial x^3 - tr x^2 + M2 x - det. */
  double tr = B[0] + B[4] + B[8];
  double m2 = (B[0] * B[4] - B[1] * B[3]) + (B[0] * B[8] - B[2] * B[6]) +
              (B[4] * B[8] - B[5] * B[7]);
  double det = B[0] * (B[4] * B[8] - B[5] * B[7]) - B[1] * (B[3] * B[8] - B[5] * B[6]) +
               B[2] * (B[3] * B[7] - B[4] * B[6]);
  return cubic_roots(-tr, m2, -det, lam);
}

/* A null vector of the m x m matrix M = B - lam I (m <= 3), normalised to max |v| = 1.
 * Returns 1 if none is found (M numerically of full rank, or of rank < m - 1). */
static int null_vector(const double *M, int m, double *v) {
  if (m == 1) {
    v[0] = 1.0;
    return 0;
  }
  double best = 0.0;
  if (m == 2) {
    /* From either row: (M01, -M00) or (M11, -M10), the larger. */
    double c[2][2] = {{M[1], -M[0]}, {M[3], -M[2]}};
    for (int k = 0; k < 2; k++) {
      double nrm = max2(fabs(c[k][0]), fabs(c[k][1]));
      if (nrm > best) { best = nrm; v[0] = c[k][0]; v[1] = c[k][1]; }
    }
  } else {
    /* Cross products of the row pairs; the largest is the most accurate. */
    static const int pr[3][2] = {{0, 1}, {0, 2}, {1, 2}};
    for (int k = 0; k < 3; k++) {
      const double *x = &M[3 * pr[k][0]], *y = &M[3 * pr[k][1]];
      double c[3] = {x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2],
                     x[0] * y[1] - x[1] * y[0]};
      double nrm = max2(fabs(c[0]), max2(fabs(c[1]), fabs(c[2])));
      if (nrm > best) { best = nrm; memcpy(v, c, sizeof c); }
    }
  }
  if (!(best > 0.0) || !isfinite(best)) return 1;
  for (int i = 0; i < m; i++) v[i] /= best;
  return 0;
}

/* Solve the m x m system M x = r (m <= 3) by Gaussian elimination with partial pivoting.
 * Returns 1 when M is singular in floating point (a coincident eigenvalue). */
static int small_solve(double *M, int m, double *r) {
  for (int k = 0; k < m; k++) {
    int piv = k;
    for (int i = k + 1; i < m; i++)
      if (fabs(M[i * m + k]) > fabs(M[piv * m + k])) piv = i;
    if (M[piv * m + k] == 0.0) return 1;
    if (piv != k) {
      for (int j = 0; j < m; j++) {
        double t = M[k * m + j]; M[k * m + j] = M[piv * m + j]; M[piv * m + j] = t;
      }
      double t = r[k]; r[k] = r[piv]; r[piv] = t;
    }
    for (int i = k + 1; i < m; i++) {
      double f = M[i * m + k] / M[k * m + k];
      for (int j = k; j < m; j++) M[i * m + j] -= f * M[k * m + j];
      r[i] -= f * r[k];
    }
  }
  for (int k = m - 1; k >= 0; k--) {
    double s = r[k];
    for (int j = k + 1; j < m; j++) s -= M[k * m + j] * r[j];
    r[k] = s / M[k * m + k];
  }
  for (int k = 0; k < m; k++)
    if (!isfinite(r[k])) return 1;
  return 0;
}

int ks__pk_eig_structured(pk_unit *u) {
  int n = u->n;
  if (n < 1 || n > 32 || n > PK_MAXS) return 1;
  uint32_t reach[PK_MAXS];
  reachability(u, reach);
  /* Blocks (SCCs) in topological order: an upstream block has fewer ancestors. */
  int blk_of[PK_MAXS], n_blk = 0, order[PK_MAXS], anc[PK_MAXS];
  uint32_t blk_mask[PK_MAXS];
  for (int i = 0; i < n; i++) blk_of[i] = -1;
  for (int i = 0; i < n; i++) {
    if (blk_of[i] >= 0) continue;
    uint32_t m = 0;
    for (int j = 0; j < n; j++)
      if ((reach[i] & (1u << j)) && (reach[j] & (1u << i))) m |= 1u << j;
    if (popcount32(m) > MAXB) return 1;
    for (int j = 0; j < n; j++)
      if (m & (1u << j)) blk_of[j] = n_blk;
    int a = 0;
    for (int j = 0; j < n; j++) a += (reach[j] & (1u << i)) != 0;
    blk_mask[n_blk] = m;
    anc[n_blk] = a;
    order[n_blk] = n_blk;
    n_blk++;
  }
  for (int i = 1; i < n_blk; i++)  /* insertion sort by ancestor count */
    for (int j = i; j > 0 && anc[order[j]] < anc[order[j - 1]]; j--) {
      int t = order[j]; order[j] = order[j - 1]; order[j - 1] = t;
    }
  /* States of each block, in topological order (bidx[bi], bsz[bi]). */
  int bidx[PK_MAXS][MAXB], bsz[PK_MAXS];
  for (int bi = 0; bi < n_blk; bi++) {
    bsz[bi] = 0;
    for (int j = 0; j < n; j++)
      if (blk_mask[order[bi]] & (1u << j)) bidx[bi][bsz[bi]++] = j;
  }
  /* Sparse structure: the states flowing into each state (nonzero A[r][c], c != r) and the
   * states each state flows into; compartment matrices have a few per state. */
  int n_in[PK_MAXS], in_of[PK_MAXS][PK_MAXS], n_out[PK_MAXS], out_of[PK_MAXS][PK_MAXS];
  for (int i = 0; i < n; i++) n_in[i] = n_out[i] = 0;
  for (int r = 0; r < n; r++)
    for (int c = 0; c < n; c++)
      if (c != r && u->A[r * n + c] != 0.0) {
        in_of[r][n_in[r]++] = c;
        out_of[c][n_out[c]++] = r;
      }
  int col = 0;
  memset(u->V, 0, sizeof(double) * (size_t)(n * n));
  for (int bi = 0; bi < n_blk; bi++) {
    int k = order[bi], m = bsz[bi];
    const int *idx = bidx[bi];
    double B[MAXB * MAXB], lam[MAXB];
    for (int r = 0; r < m; r++)
      for (int c = 0; c < m; c++) B[r * m + c] = u->A[idx[r] * n + idx[c]];
    if (block_eigenvalues(B, m, lam)) return 1;
    for (int e = 0; e < m; e++, col++) {
      double v[PK_MAXS] = {0}, M[MAXB * MAXB], w[MAXB];
      for (int r = 0; r < m * m; r++) M[r] = B[r];
      for (int r = 0; r < m; r++) M[r * m + r] -= lam[e];
      if (null_vector(M, m, w)) return 1;
      for (int r = 0; r < m; r++) v[idx[r]] = w[r];
      /* Downstream blocks, in topological order. */
      for (int bj = bi + 1; bj < n_blk; bj++) {
        int kj = order[bj], mj = bsz[bj];
        const int *jdx = bidx[bj];
        if (!(reach[idx[0]] & blk_mask[kj])) continue;  /* not reached: stays zero */
        if (mj == 1) {  /* most downstream blocks: one state */
          int r0 = jdx[0];
          double s1 = 0.0;
          for (int q = 0; q < n_in[r0]; q++) s1 -= u->A[r0 * n + in_of[r0][q]] * v[in_of[r0][q]];
          double den = u->A[r0 * n + r0] - lam[e];
          if (den == 0.0 || !isfinite(s1 / den)) return 1;
          v[r0] = s1 / den;
          continue;
        }
        double Mj[MAXB * MAXB], rhs[MAXB];
        for (int r = 0; r < mj; r++) {
          double s = 0.0;
          for (int q = 0; q < n_in[jdx[r]]; q++) {
            int c = in_of[jdx[r]][q];
            if (!(blk_mask[kj] & (1u << c))) s -= u->A[jdx[r] * n + c] * v[c];
          }
          rhs[r] = s;
          for (int c = 0; c < mj; c++)
            Mj[r * mj + c] = u->A[jdx[r] * n + jdx[c]] - (r == c ? lam[e] : 0.0);
        }
        if (small_solve(Mj, mj, rhs)) return 1;
        for (int r = 0; r < mj; r++) v[jdx[r]] = rhs[r];
      }
      /* Normalise to max |v| = 1 (the modal coordinates absorb the scale). */
      double nrm = 0.0;
      for (int i = 0; i < n; i++) nrm = max2(nrm, fabs(v[i]));
      if (!(nrm > 0.0) || !isfinite(nrm)) return 1;
      for (int i = 0; i < n; i++) u->V[i * n + col] = v[i] / nrm;
      u->lambda[col] = lam[e];
      /* Row col of V^-1: the left eigenvector, zero on blocks that cannot reach block k, a
       * left null vector on k, and w_j^T (A_jj - lambda I) = -sum_i w_i A_ij on every
       * upstream block j (reverse topological order); scaled so that w . v = 1. Left and right
       * eigenvectors of distinct eigenvalues are orthogonal, so these rows form V^-1. */
      double wl[PK_MAXS] = {0}, Mt[MAXB * MAXB], wk[MAXB];
      for (int r = 0; r < m; r++)
        for (int c = 0; c < m; c++) Mt[r * m + c] = M[c * m + r];
      if (null_vector(Mt, m, wk)) return 1;
      for (int r = 0; r < m; r++) wl[idx[r]] = wk[r];
      for (int bj = bi - 1; bj >= 0; bj--) {
        int kj = order[bj], mj = bsz[bj];
        const int *jdx = bidx[bj];
        if (!(reach[jdx[0]] & blk_mask[k])) continue;  /* does not reach block k: zero */
        if (mj == 1) {
          int c0 = jdx[0];
          double s1 = 0.0;
          for (int q = 0; q < n_out[c0]; q++) s1 -= wl[out_of[c0][q]] * u->A[out_of[c0][q] * n + c0];
          double den = u->A[c0 * n + c0] - lam[e];
          if (den == 0.0 || !isfinite(s1 / den)) return 1;
          wl[c0] = s1 / den;
          continue;
        }
        double Mj[MAXB * MAXB], rhs[MAXB];
        for (int c = 0; c < mj; c++) {
          double acc = 0.0;
          for (int q = 0; q < n_out[jdx[c]]; q++) {
            int i = out_of[jdx[c]][q];
            if (!(blk_mask[kj] & (1u << i))) acc -= wl[i] * u->A[i * n + jdx[c]];
          }
          rhs[c] = acc;
          for (int r = 0; r < mj; r++)  /* transpose of (A_jj - lambda I) */
            Mj[c * mj + r] = u->A[jdx[r] * n + jdx[c]] - (r == c ? lam[e] : 0.0);
        }
        if (small_solve(Mj, mj, rhs)) return 1;
        for (int c = 0; c < mj; c++) wl[jdx[c]] = rhs[c];
      }
      double wv = 0.0;
      for (int i = 0; i < n; i++) wv += wl[i] * u->V[i * n + col];
      if (!(wv != 0.0) || !isfinite(wv)) return 1;
      for (int i = 0; i < n; i++) u->Vinv[col * n + i] = wl[i] / wv;
    }
  }
  return 0;
}
