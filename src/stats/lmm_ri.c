/* SPDX-License-Identifier: MIT */
/* Random-intercept linear mixed model by REML, with a Satterthwaite contrast: the model of a
 * crossover trial, y ~ treatment + period + sequence + (1 | patient) (Jones & Kenward 2014, ch. 2;
 * lmerTest, Kuznetsova et al. 2017). V_i = sigma^2 I + tau^2 J for the n_i rows of subject i, whose
 * inverse is closed-form, so each evaluation is one pass over the data. */
#include <math.h>
#include <string.h>

#include "stats_internal.h"

enum { PMAX = 8 };

typedef struct {
  const double *y, *x;
  const int *subject;
  size_t n, p;
  const size_t *order; /* rows grouped by subject */
  size_t n_sub;
  const size_t *start; /* [n_sub + 1] */
} ri_data;

/* With variances (s2, t2): X'V^-1X into a, X'V^-1y into b, y'V^-1y into *c, log|V| into *logdet. */
static void accumulate(const ri_data *d, double s2, double t2, double *a, double *b, double *c, double *logdet) {
  size_t p = d->p;
  memset(a, 0, p * p * sizeof *a);
  memset(b, 0, p * sizeof *b);
  *c = 0.0;
  *logdet = 0.0;
  for (size_t g = 0; g < d->n_sub; g++) {
    size_t ni = d->start[g + 1] - d->start[g];
    double sx[PMAX] = {0}, sy = 0.0;
    for (size_t k = d->start[g]; k < d->start[g + 1]; k++) {
      size_t i = d->order[k];
      const double *xi = d->x + i * p;
      for (size_t r = 0; r < p; r++) {
        sx[r] += xi[r];
        b[r] += xi[r] * d->y[i] / s2;
        for (size_t q = 0; q < p; q++) a[r * p + q] += xi[r] * xi[q] / s2;
      }
      sy += d->y[i];
      *c += d->y[i] * d->y[i] / s2;
    }
    /* V_i^-1 = (I - w J) / s2 with w = t2 / (s2 + ni t2). */
    double w = t2 / (s2 + (double)ni * t2);
    for (size_t r = 0; r < p; r++) {
      b[r] -= w * sx[r] * sy / s2;
      for (size_t q = 0; q < p; q++) a[r * p + q] -= w * sx[r] * sx[q] / s2;
    }
    *c -= w * sy * sy / s2;
    *logdet += (double)(ni - 1) * log(s2) + log(s2 + (double)ni * t2);
  }
}

/* -2 REML log-likelihood at (s2, t2); beta and the Cholesky factor of X'V^-1X on request. */
static double reml_dev(const ri_data *d, double s2, double t2, double *beta, double *chol) {
  size_t p = d->p;
  double a[PMAX * PMAX], b[PMAX], c, logdet, l[PMAX * PMAX], bb[PMAX];
  accumulate(d, s2, t2, a, b, &c, &logdet);
  memcpy(l, a, sizeof l);
  if (ks_la_chol(l, p, 0.0) != 0) return INFINITY;
  memcpy(bb, b, sizeof bb);
  ks_la_chol_solve(l, p, bb);
  double q = c;
  for (size_t r = 0; r < p; r++) q -= bb[r] * b[r];
  if (beta) memcpy(beta, bb, p * sizeof *beta);
  if (chol) memcpy(chol, l, sizeof l);
  return logdet + ks_la_chol_logdet(l, p) + q + (double)(d->n - p) * log(2.0 * M_PI);
}

/* The profiled criterion in theta = tau / sigma (lme4's parameter): sigma^2 in closed form. */
static double profiled(const ri_data *d, double theta, double *s2_out) {
  double a[PMAX * PMAX], b[PMAX], c, logdet, l[PMAX * PMAX], bb[PMAX];
  size_t p = d->p;
  accumulate(d, 1.0, theta * theta, a, b, &c, &logdet);
  memcpy(l, a, sizeof l);
  if (ks_la_chol(l, p, 0.0) != 0) return INFINITY;
  memcpy(bb, b, sizeof bb);
  ks_la_chol_solve(l, p, bb);
  double q = c;
  for (size_t r = 0; r < p; r++) q -= bb[r] * b[r];
  double nu = (double)(d->n - p), s2 = q / nu;
  if (s2_out) *s2_out = s2;
  return nu * (1.0 + log(2.0 * M_PI * s2)) + logdet + ks_la_chol_logdet(l, p);
}

/* Var(L beta) at (s2, t2). */
static double contrast_var(const ri_data *d, const double *lv, double s2, double t2) {
  size_t p = d->p;
  double a[PMAX * PMAX], b[PMAX], c, logdet, inv[PMAX * PMAX];
  accumulate(d, s2, t2, a, b, &c, &logdet);
  if (ks_la_chol(a, p, 0.0) != 0) return NAN;
  ks_la_chol_inverse(a, p, inv);
  double v = 0.0;
  for (size_t r = 0; r < p; r++)
    for (size_t q = 0; q < p; q++) v += lv[r] * inv[r * p + q] * lv[q];
  return v;
}

ks_status ks_stats_lmm_ri(ks_ctx *ctx, const double *y, const double *x, const int *subject, size_t n, size_t p,
                          const double *lv, ks_lmm_ri_result *out) {
  KS_CHECK_ARG(ctx, y && x && subject && lv && out && p >= 1 && p <= PMAX);
  memset(out, 0, sizeof *out);
  size_t *order = ks_calloc(ctx, 2 * n + 2, sizeof *order);
  if (!order) return KS_ENOMEM;
  size_t *start = order + n + 1;
  /* Group complete rows by subject (subjects in order of first appearance). */
  size_t m = 0, n_sub = 0;
  ks_status st = KS_OK;
  int *seen = ks_calloc(ctx, n + 1, sizeof *seen);
  if (!seen) {
    ks_free(ctx, order);
    return KS_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    if (isnan(y[i]) || seen[i]) continue;
    start[n_sub++] = m;
    for (size_t j = i; j < n; j++)
      if (!seen[j] && !isnan(y[j]) && subject[j] == subject[i]) order[m++] = j, seen[j] = 1;
  }
  start[n_sub] = m;
  ks_free(ctx, seen);
  ri_data d = {y, x, subject, m, p, order, n_sub, start};
  if (m <= p || n_sub < 2) {
    st = ks_ctx_fail(ctx, KS_EINVAL, "%s: %zu observations of %zu subjects for %zu coefficients", __func__, m, n_sub, p);
    goto done;
  }
  /* Golden-section search of theta on [0, 50] after a coarse grid (the criterion is smooth). */
  double best_t = 0.0, best = profiled(&d, 0.0, NULL);
  for (int k = 1; k <= 200; k++) {
    double t = 0.25 * k, f = profiled(&d, t, NULL);
    if (f < best) best = f, best_t = t;
  }
  double lo = fmax(0.0, best_t - 0.25), hi = best_t + 0.25;
  const double gr = 0.5 * (sqrt(5.0) - 1.0);
  double x1 = hi - gr * (hi - lo), x2 = lo + gr * (hi - lo), f1 = profiled(&d, x1, NULL), f2 = profiled(&d, x2, NULL);
  for (int it = 0; it < 200 && hi - lo > 1e-10; it++) {
    if (f1 < f2) hi = x2, x2 = x1, f2 = f1, x1 = hi - gr * (hi - lo), f1 = profiled(&d, x1, NULL);
    else lo = x1, x1 = x2, f1 = f2, x2 = lo + gr * (hi - lo), f2 = profiled(&d, x2, NULL);
  }
  double theta = 0.5 * (lo + hi), s2;
  if (profiled(&d, 0.0, NULL) < profiled(&d, theta, NULL)) theta = 0.0; /* boundary */
  out->reml_crit = profiled(&d, theta, &s2);
  if (!isfinite(out->reml_crit)) {
    st = ks_ctx_fail(ctx, KS_ENUMERIC, "%s: singular fixed-effects design", __func__);
    goto done;
  }
  double t2 = theta * theta * s2, chol[PMAX * PMAX], inv[PMAX * PMAX];
  reml_dev(&d, s2, t2, out->beta, chol);
  ks_la_chol_inverse(chol, p, inv);
  out->n_obs = m, out->n_subjects = n_sub, out->p = p, out->sigma2 = s2, out->tau2 = t2;
  for (size_t r = 0; r < p; r++) out->se[r] = sqrt(inv[r * p + r]);
  ks_contrast *c = &out->contrast;
  double v = 0.0;
  c->est = 0.0;
  for (size_t r = 0; r < p; r++) {
    c->est += lv[r] * out->beta[r];
    for (size_t q = 0; q < p; q++) v += lv[r] * inv[r * p + q] * lv[q];
  }
  c->se = sqrt(v);
  /* Satterthwaite: df = 2 v^2 / (g' A g), g the gradient of Var(L beta) in (s2, t2) and A the
   * asymptotic covariance of (s2, t2): 2 H^-1 with H the Hessian of the -2 REML log-likelihood,
   * both by central differences (the df is invariant to the parametrisation at the optimum). */
  double ph[2] = {s2, t2}, hstep[2] = {1e-4 * s2, 1e-4 * fmax(t2, 1e-3 * s2)}, g[2], h[4];
  for (int a = 0; a < 2; a++) {
    double pp[2] = {ph[0], ph[1]}, pm[2] = {ph[0], ph[1]};
    pp[a] += hstep[a], pm[a] -= hstep[a];
    if (pm[1] < 0) pm[1] = 0, pp[1] = 2 * hstep[1];
    g[a] = (contrast_var(&d, lv, pp[0], pp[1]) - contrast_var(&d, lv, pm[0], pm[1])) / (pp[a] - pm[a]);
  }
  double f0 = reml_dev(&d, ph[0], ph[1], NULL, NULL);
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++) {
      if (a == b) {
        double fp = reml_dev(&d, ph[0] + (a == 0) * hstep[0], ph[1] + (a == 1) * hstep[1], NULL, NULL);
        double fm = reml_dev(&d, ph[0] - (a == 0) * hstep[0], ph[1] - (a == 1) * hstep[1], NULL, NULL);
        h[a * 2 + b] = (fp - 2.0 * f0 + fm) / (hstep[a] * hstep[a]);
      } else {
        double fpp = reml_dev(&d, ph[0] + hstep[0], ph[1] + hstep[1], NULL, NULL);
        double fpm = reml_dev(&d, ph[0] + hstep[0], ph[1] - hstep[1], NULL, NULL);
        double fmp = reml_dev(&d, ph[0] - hstep[0], ph[1] + hstep[1], NULL, NULL);
        double fmm = reml_dev(&d, ph[0] - hstep[0], ph[1] - hstep[1], NULL, NULL);
        h[a * 2 + b] = (fpp - fpm - fmp + fmm) / (4.0 * hstep[0] * hstep[1]);
      }
    }
  double det = h[0] * h[3] - h[1] * h[2];
  double acov[4] = {2.0 * h[3] / det, -2.0 * h[1] / det, -2.0 * h[2] / det, 2.0 * h[0] / det};
  double gag = g[0] * (acov[0] * g[0] + acov[1] * g[1]) + g[1] * (acov[2] * g[0] + acov[3] * g[1]);
  c->df = gag > 0.0 && theta > 0.0 ? 2.0 * v * v / gag : (double)(m - p);
  c->t = c->est / c->se;
  c->p = ks_stats_t_p2(c->t, c->df);
  double tq = ks_stats_t_quantile(0.975, c->df);
  c->ci_lo = c->est - tq * c->se;
  c->ci_hi = c->est + tq * c->se;
done:
  ks_free(ctx, order);
  return st;
}
