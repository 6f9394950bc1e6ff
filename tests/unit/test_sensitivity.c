/* SPDX-License-Identifier: MIT */
/* Sobol indices, Morris screening and the NLopt wrapper (include/ketasim/sensitivity.h) on test
 * functions whose answers are known in closed form:
 *  - Ishigami (Ishigami & Homma 1990; Saltelli et al. 2008, "Global Sensitivity Analysis: The
 *    Primer", sect. 4.7): f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x ~ U(-pi, pi)^3. With
 *    V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V13 = b^2 pi^8 (1/18 - 1/50), and
 *    V = V1 + V2 + V13: S1 = V1/V, S2 = V2/V, S3 = 0; ST1 = (V1 + V13)/V, ST2 = S2, ST3 = V13/V.
 *  - the Sobol g-function (Saltelli & Sobol 1995): g = prod (|4 x_i - 2| + a_i) / (1 + a_i),
 *    x ~ U(0, 1)^k: V_i = 1 / (3 (1 + a_i)^2), V = prod (1 + V_i) - 1, S_i = V_i / V,
 *    ST_i = V_i prod_{j != i} (1 + V_j) / V.
 *  - linear functions for Morris (every elementary effect is the slope times the range).
 *  - optimisation problems with a planted optimum. */
#include "harness.h"

#include <ketasim/sensitivity.h>

static double ishigami(const double *x, double a, double b) {
  return sin(x[0]) + a * sin(x[1]) * sin(x[1]) + b * pow(x[2], 4) * sin(x[0]);
}

static void ishigami_analytic(double a, double b, double *s1, double *st) {
  double pi4 = pow(M_PI, 4), pi8 = pow(M_PI, 8);
  double v1 = 0.5 * (1.0 + b * pi4 / 5.0) * (1.0 + b * pi4 / 5.0), v2 = a * a / 8.0;
  double v13 = b * b * pi8 * (1.0 / 18.0 - 1.0 / 50.0), v = v1 + v2 + v13;
  s1[0] = v1 / v, s1[1] = v2 / v, s1[2] = 0.0;
  st[0] = (v1 + v13) / v, st[1] = v2 / v, st[2] = v13 / v;
}

static double gfun(const double *x, const double *a, size_t k) {
  double g = 1.0;
  for (size_t i = 0; i < k; i++) g *= (fabs(4.0 * x[i] - 2.0) + a[i]) / (1.0 + a[i]);
  return g;
}

/* Evaluate the Saltelli design for K factors with base N on F and estimate the indices. */
typedef double (*test_fn)(const double *x, const void *ud);
static double ishigami_fn(const double *x, const void *ud) { (void)ud; return ishigami(x, 7.0, 0.1); }
static double g_fn(const double *x, const void *ud) { return gfun(x, ud, 8); }

static int run_sobol(ks_ctx *ctx, size_t k, size_t n, const double *lo, const double *hi, test_fn f, const void *ud,
                     ks_sobol_index *out) {
  size_t rows = ks_sobol_n_rows(k, n);
  double *x = malloc(rows * k * sizeof *x), *y = malloc(rows * sizeof *y);
  int rc = -1;
  if (x && y && ks_sobol_design(ctx, k, n, lo, hi, x) == KS_OK) {
    for (size_t r = 0; r < rows; r++) y[r] = f(x + r * k, ud);
    rc = ks_sobol_indices(ctx, k, n, y, 1000, 0.95, 7, out, NULL) == KS_OK ? 0 : -1;
  }
  free(x);
  free(y);
  return rc;
}

/* The analytic Ishigami indices (a = 7, b = 0.1) agree with the published values. */
KS_TEST(ishigami_analytic_values) {
  double s1[3], st[3];
  ishigami_analytic(7.0, 0.1, s1, st);
  KS_ASSERT_NEAR(s1[0], 0.3139, 1e-4);
  KS_ASSERT_NEAR(s1[1], 0.4424, 1e-4);
  KS_ASSERT_NEAR(st[0], 0.5576, 1e-4);
  KS_ASSERT_NEAR(st[2], 0.2437, 1e-4);
}

/* N = 8192: every analytic index inside its 95% bootstrap interval and within 0.02. */
KS_TEST(sobol_ishigami) {
  ks_ctx *ctx = ks_test_ctx();
  double lo[3] = {-M_PI, -M_PI, -M_PI}, hi[3] = {M_PI, M_PI, M_PI}, s1[3], st[3];
  ks_sobol_index ix[3];
  ishigami_analytic(7.0, 0.1, s1, st);
  KS_ASSERT_OK(run_sobol(ctx, 3, 8192, lo, hi, ishigami_fn, NULL, ix));
  for (int i = 0; i < 3; i++) {
    KS_ASSERT_RANGE(s1[i], ix[i].s1_lo, ix[i].s1_hi);
    KS_ASSERT_RANGE(st[i], ix[i].st_lo, ix[i].st_hi);
    KS_ASSERT_NEAR(ix[i].s1, s1[i], 0.02);
    KS_ASSERT_NEAR(ix[i].st, st[i], 0.02);
    KS_ASSERT_TRUE(ix[i].s1_hi - ix[i].s1_lo < 0.1); /* an interval that could exclude a wrong value */
  }
  ks_ctx_destroy(&ctx);
}

/* The g-function with a = (0, 1, 4.5, 9, 99, 99, 99, 99), N = 8192. */
KS_TEST(sobol_g_function) {
  ks_ctx *ctx = ks_test_ctx();
  const double a[8] = {0, 1, 4.5, 9, 99, 99, 99, 99};
  double lo[8], hi[8], vi[8], prod = 1.0;
  for (int i = 0; i < 8; i++) lo[i] = 0.0, hi[i] = 1.0, vi[i] = 1.0 / (3.0 * (1 + a[i]) * (1 + a[i])), prod *= 1 + vi[i];
  double v = prod - 1.0;
  ks_sobol_index ix[8];
  KS_ASSERT_OK(run_sobol(ctx, 8, 8192, lo, hi, g_fn, a, ix));
  for (int i = 0; i < 8; i++) {
    double s1 = vi[i] / v, st = vi[i] * prod / (1 + vi[i]) / v;
    KS_ASSERT_RANGE(s1, ix[i].s1_lo, ix[i].s1_hi);
    KS_ASSERT_RANGE(st, ix[i].st_lo, ix[i].st_hi);
    KS_ASSERT_NEAR(ix[i].s1, s1, 0.02);
    KS_ASSERT_NEAR(ix[i].st, st, 0.02);
  }
  ks_ctx_destroy(&ctx);
}

/* Same seed, same bytes; a constant output is refused. */
KS_TEST(sobol_deterministic_and_refusals) {
  ks_ctx *ctx = ks_test_ctx();
  double lo[3] = {-M_PI, -M_PI, -M_PI}, hi[3] = {M_PI, M_PI, M_PI};
  ks_sobol_index a[3], b[3];
  KS_ASSERT_OK(run_sobol(ctx, 3, 256, lo, hi, ishigami_fn, NULL, a));
  KS_ASSERT_OK(run_sobol(ctx, 3, 256, lo, hi, ishigami_fn, NULL, b));
  KS_ASSERT_TRUE(memcmp(a, b, sizeof a) == 0);
  double y[5 * 10];
  for (int i = 0; i < 50; i++) y[i] = 1.0;
  KS_ASSERT_EQ_INT(ks_sobol_indices(ctx, 3, 10, y, 10, 0.95, 1, a, NULL), KS_EINVAL);
  y[3] = NAN;
  KS_ASSERT_EQ_INT(ks_sobol_indices(ctx, 3, 10, y, 10, 0.95, 1, a, NULL), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_sobol_design(ctx, 21, 10, lo, hi, y), KS_EINVAL);
  ks_ctx_destroy(&ctx);
}

/* Morris on y = sum c_i x_i over [0, 2]^4: every EE is 2 c_i (per unit of the range), so
 * mu = 2 c_i, mu* = |2 c_i|, sigma = 0; each step moves one factor by delta = p / (2 (p - 1)). */
KS_TEST(morris_linear) {
  ks_ctx *ctx = ks_test_ctx();
  const size_t k = 4, r = 10;
  const double c[4] = {3.0, -1.0, 0.5, 0.0}, lo[4] = {0, 0, 0, 0}, hi[4] = {2, 2, 2, 2};
  size_t rows = ks_morris_n_rows(k, r);
  double x[11 * 4 * 5], y[11 * 5];
  KS_ASSERT_OK(ks_morris_design(ctx, k, r, 4, lo, hi, 3, x));
  for (size_t t = 0; t < rows; t++) {
    y[t] = 0.0;
    for (size_t i = 0; i < k; i++) {
      y[t] += c[i] * x[t * k + i];
      KS_ASSERT_RANGE(x[t * k + i], 0.0, 2.0);
      double lev = x[t * k + i] / 2.0 * 3.0; /* 4 levels: 0, 1/3, 2/3, 1 */
      KS_ASSERT_NEAR(lev, round(lev), 1e-12);
    }
  }
  for (size_t t = 0; t + 1 < rows; t++) {
    if ((t + 1) % (k + 1) == 0) continue;
    size_t moved = 0;
    for (size_t i = 0; i < k; i++)
      if (x[(t + 1) * k + i] != x[t * k + i]) {
        moved++;
        KS_ASSERT_NEAR(fabs(x[(t + 1) * k + i] - x[t * k + i]), 2.0 * 4.0 / 6.0, 1e-12);
      }
    KS_ASSERT_EQ_INT(moved, 1);
  }
  ks_morris_index m[4];
  KS_ASSERT_OK(ks_morris_indices(ctx, k, r, x, y, lo, hi, 200, 0.95, 5, m));
  for (size_t i = 0; i < k; i++) {
    KS_ASSERT_NEAR(m[i].mu, 2.0 * c[i], 1e-9);
    KS_ASSERT_NEAR(m[i].mu_star, fabs(2.0 * c[i]), 1e-9);
    KS_ASSERT_NEAR(m[i].sigma, 0.0, 1e-9);
  }
  ks_ctx_destroy(&ctx);
}

/* Morris ranks the g-function's factors by their a_i (smaller a, more influence). */
KS_TEST(morris_g_function_ranking) {
  ks_ctx *ctx = ks_test_ctx();
  const double a[8] = {0, 1, 4.5, 9, 99, 99, 99, 99};
  double lo[8] = {0}, hi[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  const size_t k = 8, r = 40, rows = 40 * 9;
  double *x = malloc(rows * k * sizeof *x), y[40 * 9];
  KS_ASSERT_TRUE(x != NULL);
  KS_ASSERT_OK(ks_morris_design(ctx, k, r, 4, lo, hi, 11, x));
  for (size_t t = 0; t < rows; t++) y[t] = gfun(x + t * k, a, k);
  ks_morris_index m[8];
  KS_ASSERT_OK(ks_morris_indices(ctx, k, r, x, y, lo, hi, 500, 0.95, 5, m));
  for (size_t i = 0; i + 1 < 5; i++) KS_ASSERT_TRUE(m[i].mu_star > m[i + 1].mu_star);
  for (size_t i = 0; i < k; i++) KS_ASSERT_RANGE(m[i].mu_star, m[i].mu_star_lo, m[i].mu_star_hi);
  free(x);
  ks_ctx_destroy(&ctx);
}

/* Planted optimum: min (x0 - 1)^2 + (x1 - 1)^2 subject to x0 + x1 <= 1 on [-2, 2]^2 is (0.5, 0.5)
 * with f = 0.5 (the constraint is active). */
static int quad_obj(void *ud, const double *x, double *f) {
  (*(int *)ud)++;
  *f = (x[0] - 1) * (x[0] - 1) + (x[1] - 1) * (x[1] - 1);
  return 0;
}
static double quad_con(void *ud, size_t c, const double *x) {
  (void)ud, (void)c;
  return x[0] + x[1] - 1.0;
}

KS_TEST(optim_planted_constrained) {
  ks_ctx *ctx = ks_test_ctx();
  double lo[2] = {-2, -2}, hi[2] = {2, 2};
  for (int alg = 0; alg < 3; alg++) {
    int calls = 0;
    ks_optim_problem p = {.n = 2, .low = lo, .high = hi, .objective = quad_obj, .n_constraints = 1,
                          .constraint = quad_con, .ud = &calls, .algorithm = (ks_optim_algorithm)alg,
                          .max_evaluations = alg == 2 ? 20000 : 500, .xtol_rel = 1e-6, .seed = 3};
    double x[2] = {-1.5, -1.0}, f = 0;
    size_t ne = 0;
    KS_ASSERT_OK(ks_optim_minimize(ctx, &p, x, &f, &ne));
    double tol = alg == 2 ? 0.05 : 0.01;
    KS_ASSERT_NEAR(x[0], 0.5, tol);
    KS_ASSERT_NEAR(x[1], 0.5, tol);
    KS_ASSERT_NEAR(f, 0.5, 2 * tol);
    KS_ASSERT_TRUE(x[0] + x[1] <= 1.0 + 1e-6);
    KS_ASSERT_EQ_INT(ne, calls);
  }
  ks_ctx_destroy(&ctx);
}

/* Given data: y = x1 + 0.5 x2 + e with x1, x2 ~ U(0, 1) and e ~ N(0, 0.3^2): Var = 1/12 +
 * 0.25/12 + 0.09, S1(x1) = (1/12) / Var, S1(x2) = (0.25/12) / Var; an unrelated x3 gives ~0;
 * a binary x4 that shifts y by 1 on half the pairs explains 0.25 / (Var + 0.25). */
KS_TEST(given_data_first_order) {
  ks_ctx *ctx = ks_test_ctx();
  enum { N = 20000 };
  double *x = malloc(4 * N * sizeof *x), *y = malloc(N * sizeof *y);
  KS_ASSERT_TRUE(x && y);
  uint64_t s = 88172645463325252ull;
  for (size_t j = 0; j < N; j++) {
    double u[4];
    for (int c = 0; c < 4; c++) { /* xorshift64: a fixed test stream */
      s ^= s << 13, s ^= s >> 7, s ^= s << 17;
      u[c] = (double)(s >> 11) / 9007199254740992.0;
    }
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    double u5 = (double)(s >> 11) / 9007199254740992.0;
    double e = 0.3 * sqrt(-2.0 * log(u[3] + 1e-300)) * cos(2.0 * M_PI * u5);
    x[j] = u[0], x[N + j] = u[1], x[2 * N + j] = u[2], x[3 * N + j] = u5 < 0.5 ? 1.0 : 0.0;
    y[j] = u[0] + 0.5 * u[1] + e + x[3 * N + j];
  }
  double var = 1.0 / 12 + 0.25 / 12 + 0.09 + 0.25;
  const double want[4] = {(1.0 / 12) / var, (0.25 / 12) / var, 0.0, 0.25 / var};
  for (int c = 0; c < 4; c++) {
    ks_given_data_index ix;
    KS_ASSERT_OK(ks_given_data_first_order(ctx, x + c * N, y, N, 20, 300, 0.95, 9, &ix));
    KS_ASSERT_RANGE(want[c], ix.s1_lo, ix.s1_hi);
    KS_ASSERT_NEAR(ix.s1, want[c], 0.02);
    KS_ASSERT_EQ_INT(ix.n_bins, c == 3 ? 2 : 20);
  }
  free(x);
  free(y);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
