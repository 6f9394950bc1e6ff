/* SPDX-License-Identifier: MIT */
/* Analytic resting-state BOLD connectivity: the stationary covariance of the neural and
 * hemodynamic system linearised at its fixed point, from a continuous Lyapunov equation solved by
 * Bartels-Stewart (LAPACK dgees + dtrsyl). Also stationary task activations. */
#include "circuit_internal.h"

#include <ketasim/linalg.h>

/* A P + P A' + Q = 0 (all m x m, row-major). A = U T U' (real Schur); T Y + Y T' = -U' Q U;
 * P = U Y U'. Fails with KS_ENUMERIC when A has an eigenvalue with real part >= 0. */
ks_status ks__lyap(ks_ctx *ctx, size_t m, const double *A, const double *Q, double *P) {
  const size_t mm = m * m;
  double *w = ks_malloc(ctx, (4 * mm + 2 * m) * sizeof *w);
  if (!w) return ks_ctx_fail(ctx, KS_ENOMEM, "lyapunov: out of memory (m = %zu)", m);
  double *T = w, *U = w + mm, *C = w + 2 * mm, *X = w + 3 * mm, *wr = w + 4 * mm, *wi = wr + m;
  ks_status st = KS_OK;
  memcpy(T, A, mm * sizeof *T);
  int info = ks_la_schur(m, T, U, wr, wi);
  if (info != 0) {
    st = ks_ctx_fail(ctx, KS_ENUMERIC, "lyapunov: dgees failed (info %d)", (int)info);
    goto done;
  }
  for (size_t i = 0; i < m; i++)
    if (!(wr[i] < 0.0)) {
      st = ks_ctx_fail(ctx, KS_ENUMERIC, "lyapunov: the linearised circuit is not stable "
                                         "(eigenvalue %g%+gi)", wr[i], wi[i]);
      goto done;
    }
  /* X = Q U, then C = -U' X. */
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < m; j++) {
      double a = 0.0;
      for (size_t k = 0; k < m; k++) a += Q[i * m + k] * U[k * m + j];
      X[i * m + j] = a;
    }
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < m; j++) {
      double a = 0.0;
      for (size_t k = 0; k < m; k++) a += U[k * m + i] * X[k * m + j];
      C[i * m + j] = -a;
    }
  double scale = 1.0;
  info = ks_la_sylvester_t(m, T, C, &scale);
  if (info < 0 || !(scale > 0.0)) {
    st = ks_ctx_fail(ctx, KS_ENUMERIC, "lyapunov: dtrsyl failed (info %d)", (int)info);
    goto done;
  }
  /* P = U (C / scale) U'. */
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < m; j++) {
      double a = 0.0;
      for (size_t k = 0; k < m; k++) a += U[i * m + k] * C[k * m + j];
      X[i * m + j] = a / scale;
    }
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < m; j++) {
      double a = 0.0;
      for (size_t k = 0; k < m; k++) a += X[i * m + k] * U[j * m + k];
      P[i * m + j] = a;
    }
done:
  ks_free(ctx, w);
  return st;
}

/* Full right-hand side (per ms) of x = [S_E, S_I, s, f, v, q] (6n). */
static void full_rhs(const ks_circuit *c, const ks__eff *e, const ks__hemo *h, const double *ext,
                     const double *x, double *dx) {
  const size_t n = c->n;
  ks__neural_rhs(e, x, x + n, ext, dx, dx + n, NULL, NULL);
  for (size_t i = 0; i < n; i++) {
    double st[4] = {x[2 * n + i], x[3 * n + i], x[4 * n + i], x[5 * n + i]}, d[4];
    ks__hemo_rhs(h, x[i] - c->S_E_ref, st, d);
    for (int k = 0; k < 4; k++) dx[(2 + (size_t)k) * n + i] = 1e-3 * d[k];
  }
}

ks_status ks_circuit_fc_analytic(ks_ctx *ctx, const ks_circuit *c, const ks_circuit_drive *drive,
                                 const double *input_nA, ks_bold_params bold, double *fc) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, c != NULL && fc != NULL);
  KS_TRY(ks__check_drive(ctx, drive));
  const size_t n = c->n, m = 6 * n, mm = m * m;
  if (n > 400)
    return ks_ctx_fail(ctx, KS_EUNSUPPORTED, "analytic FC: %zu regions (at most 400; simulate "
                                             "larger networks)", n);
  ks__eff e;
  KS_TRY(ks__eff_build(ctx, c, drive, &e));
  double *w = ks_calloc(ctx, 3 * mm + 4 * m + n * m, sizeof *w);
  if (!w) {
    ks__eff_free(ctx, &e);
    return ks_ctx_fail(ctx, KS_ENOMEM, "analytic FC: out of memory");
  }
  double *A = w, *Q = w + mm, *P = w + 2 * mm, *x = w + 3 * mm, *xp = x + m, *f1 = xp + m,
         *f2 = f1 + m, *CU = f2 + m;
  ks__hemo h;
  ks__hemo_params(bold, &h);
  ks_status st = ks__fixed_point(ctx, c, &e, input_nA, x, x + n);
  if (st != KS_OK) goto done;
  for (size_t i = 0; i < n; i++) {
    double hx[4];
    ks__hemo_fixed(&h, x[i] - c->S_E_ref, hx);
    for (int k = 0; k < 4; k++) x[(2 + (size_t)k) * n + i] = hx[k];
  }
  /* Jacobian by central differences (the model is smooth at an interior fixed point). */
  for (size_t j = 0; j < m; j++) {
    double hstep = 1e-6 * fmax(1e-2, fabs(x[j]));
    memcpy(xp, x, m * sizeof *x);
    xp[j] = x[j] + hstep;
    full_rhs(c, &e, &h, input_nA, xp, f1);
    xp[j] = x[j] - hstep;
    full_rhs(c, &e, &h, input_nA, xp, f2);
    for (size_t i = 0; i < m; i++) A[i * m + j] = (f1[i] - f2[i]) / (2.0 * hstep);
  }
  /* Additive noise on the gating variables, variance sigma^2 per ms (Deco 2014). */
  for (size_t i = 0; i < 2 * n; i++) Q[i * m + i] = KS_WW_SIGMA * KS_WW_SIGMA;
  st = ks__lyap(ctx, m, A, Q, P);
  if (st != KS_OK) goto done;
  /* BOLD y_i = c_v v_i + c_q q_i (linearised); Cov_y = C P C'. */
  for (size_t i = 0; i < n; i++) {
    double v = x[4 * n + i], q = x[5 * n + i];
    double cv = 100.0 * h.V0 * (h.k2 * q / (v * v) - h.k3);
    double cq = 100.0 * h.V0 * (-h.k1 - h.k2 / v);
    for (size_t j = 0; j < m; j++) CU[i * m + j] = cv * P[(4 * n + i) * m + j] + cq * P[(5 * n + i) * m + j];
  }
  for (size_t i = 0; i < n; i++) {
    double v = x[4 * n + i], q = x[5 * n + i];
    double cv = 100.0 * h.V0 * (h.k2 * q / (v * v) - h.k3);
    double cq = 100.0 * h.V0 * (-h.k1 - h.k2 / v);
    for (size_t j = 0; j < n; j++) fc[j * n + i] = cv * CU[j * m + 4 * n + i] + cq * CU[j * m + 5 * n + i];
  }
  for (size_t i = 0; i < n; i++)
    if (!(fc[i * n + i] > 0.0)) {
      st = ks_ctx_fail(ctx, KS_ENUMERIC, "analytic FC: zero BOLD variance in region %zu", i);
      goto done;
    }
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++) {
      double r = 0.5 * (fc[i * n + j] + fc[j * n + i]) / sqrt(fc[i * n + i] * fc[j * n + j]);
      r = r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
      fc[i * n + j] = fc[j * n + i] = r;
    }
  for (size_t i = 0; i < n; i++) fc[i * n + i] = 1.0;
done:
  ks_free(ctx, w);
  ks__eff_free(ctx, &e);
  return st;
}

ks_status ks_circuit_bold_steady_change(ks_ctx *ctx, const ks_circuit *c,
                                        const ks_circuit_drive *drive, const double *input_nA,
                                        ks_bold_params bold, double *dbold_pct) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, c != NULL && dbold_pct != NULL);
  KS_TRY(ks__check_drive(ctx, drive));
  const size_t n = c->n;
  ks__eff e;
  KS_TRY(ks__eff_build(ctx, c, drive, &e));
  double *w = ks_malloc(ctx, 4 * n * sizeof *w);
  if (!w) {
    ks__eff_free(ctx, &e);
    return ks_ctx_fail(ctx, KS_ENOMEM, "out of memory");
  }
  ks__hemo h;
  ks__hemo_params(bold, &h);
  ks_status st = ks__fixed_point(ctx, c, &e, NULL, w, w + n);
  if (st == KS_OK) st = ks__fixed_point(ctx, c, &e, input_nA, w + 2 * n, w + 3 * n);
  if (st == KS_OK)
    for (size_t i = 0; i < n; i++) {
      double a[4], b[4];
      ks__hemo_fixed(&h, w[i] - c->S_E_ref, a);
      ks__hemo_fixed(&h, w[2 * n + i] - c->S_E_ref, b);
      dbold_pct[i] = ks__hemo_bold(&h, b[2], b[3]) - ks__hemo_bold(&h, a[2], a[3]);
    }
  ks_free(ctx, w);
  ks__eff_free(ctx, &e);
  return st;
}
