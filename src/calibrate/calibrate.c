/* SPDX-License-Identifier: MIT */
/* ks_calibrate: an identifiability screen at the start, NLopt LN_BOBYQA on the identifiable
 * parameters for J(x) = sum ((sim - published) / se)^2, then the Laplace covariance 2 H^-1 at the
 * optimum (H the Gauss-Newton Hessian from a central-difference Jacobian), dropping (back to the start, then refitting) any parameter whose Laplace 95% interval is
 * wider than its range (calibrate.h; docs/model/calibrate.md). */
#include "core/core_internal.h"
#include <ketasim/calibrate.h>
#include <ketasim/linalg.h>

#include <math.h>
#include <nlopt.h>
#include <stdio.h>
#include <string.h>

#define KS_CALIB_REFUSED 1e10
#define KS_CALIB_MAX_TARGETS 64
#define Z975 1.959963984540054
#define STEP_FRAC 0.1 /* finite-difference step: 10% of the range (a secant wide enough to see through
                            * the steps of a simulated response rate) */

typedef struct {
  ks_ctx *ctx;
  const ks_calib_problem *p;
  ks_status st;     /* first failure of a set() (stops the fit) */
  int n_evals;
  double x[KS_CALIB_MAX_PARAMS];  /* the full vector; the optimizer writes the free ones */
  size_t idx[KS_CALIB_MAX_PARAMS], n_free; /* the free (identifiable so far) parameters */
} calib_state;

/* The scaled residuals r_k = (sim_k - published_k) / se_k at x (a refused point: every r_k = 1e5),
 * and J = sum r_k^2. */
static ks_status residuals(calib_state *s, const double *x, double *r, double *j) {
  const ks_calib_problem *p = s->p;
  for (size_t i = 0; i < p->n_params; i++) KS_TRY(p->set(p->ud, p->params[i].name, x[i]));
  double sim[KS_CALIB_MAX_TARGETS];
  s->n_evals++;
  int ok = p->simulate(p->ud, sim, p->n_targets) == KS_OK;
  double sum = 0.0;
  for (size_t k = 0; k < p->n_targets; k++) {
    r[k] = ok ? (sim[k] - p->published[k]) / p->se[k] : NAN;
    if (!isfinite(r[k])) r[k] = 1e5; /* J = 1e10 per target: a refused region */
    sum += r[k] * r[k];
  }
  *j = sum;
  return KS_OK;
}

static ks_status objective(calib_state *s, const double *x, double *j) {
  double r[KS_CALIB_MAX_TARGETS];
  return residuals(s, x, r, j);
}

/* NLopt sees the free parameters only; the others stay at s->x. */
static double nlopt_objective(unsigned n, const double *xf, double *grad, void *ud) {
  (void)grad;
  calib_state *s = ud;
  double x[KS_CALIB_MAX_PARAMS], j = KS_CALIB_REFUSED;
  memcpy(x, s->x, s->p->n_params * sizeof *x);
  for (unsigned i = 0; i < n; i++) x[s->idx[i]] = xf[i];
  if (s->st == KS_OK) s->st = objective(s, x, &j);
  return j;
}

static int problem_ok(const ks_calib_problem *p) {
  if (!p || !p->params || !p->set || !p->simulate || !p->published || !p->se) return 0;
  if (p->n_params == 0 || p->n_params > KS_CALIB_MAX_PARAMS || p->n_targets == 0 ||
      p->n_targets > KS_CALIB_MAX_TARGETS)
    return 0;
  for (size_t i = 0; i < p->n_params; i++) {
    const ks_calib_param *q = &p->params[i];
    if (!q->name || !(q->lo < q->hi) || !(q->start >= q->lo && q->start <= q->hi)) return 0;
  }
  for (size_t k = 0; k < p->n_targets; k++)
    if (!(p->se[k] > 0.0) || !isfinite(p->published[k])) return 0;
  return 1;
}

ks_status ks_calib_objective(ks_ctx *ctx, const ks_calib_problem *p, const double *x, double *j) {
  KS_CHECK_ARG(ctx, problem_ok(p) && x && j);
  calib_state s = {.ctx = ctx, .p = p, .st = KS_OK};
  return objective(&s, x, j);
}

static double step_of(const ks_calib_param *q) { return STEP_FRAC * (q->hi - q->lo); }

/* The Jacobian of the scaled residuals over the m parameters idx at x, by central differences
 * (x_i +- h, h = 10% of the range; one-sided at a bound), into jac (n_targets x m). 2m evaluations. */
static ks_status jacobian(calib_state *s, const size_t *idx, size_t m, const double *x, double *jac) {
  const ks_calib_problem *p = s->p;
  double xx[KS_CALIB_MAX_PARAMS], rp[KS_CALIB_MAX_TARGETS], rm[KS_CALIB_MAX_TARGETS], j;
  for (size_t a = 0; a < m; a++) {
    const ks_calib_param *q = &p->params[idx[a]];
    double h = step_of(q), up = fmin(x[idx[a]] + h, q->hi), down = fmax(x[idx[a]] - h, q->lo);
    memcpy(xx, x, p->n_params * sizeof *xx);
    xx[idx[a]] = up;
    KS_TRY(residuals(s, xx, rp, &j));
    xx[idx[a]] = down;
    KS_TRY(residuals(s, xx, rm, &j));
    for (size_t k = 0; k < p->n_targets; k++) jac[k * m + a] = (rp[k] - rm[k]) / (up - down);
  }
  return KS_OK;
}

/* The Gauss-Newton Hessian of J, H = 2 J_r' J_r (J_r the Jacobian of the residuals; the Fisher
 * information of the Gaussian likelihood), m x m, at x. */
static ks_status hessian(calib_state *s, const size_t *idx, size_t m, const double *x, double *h) {
  double jac[KS_CALIB_MAX_TARGETS * KS_CALIB_MAX_PARAMS];
  KS_TRY(jacobian(s, idx, m, x, jac));
  for (size_t a = 0; a < m; a++)
    for (size_t b = 0; b < m; b++) {
      double v = 0.0;
      for (size_t k = 0; k < s->p->n_targets; k++) v += jac[k * m + a] * jac[k * m + b];
      h[a * m + b] = 2.0 * v;
    }
  return KS_OK;
}

/* Width of a 95% interval of variance VAR relative to the range of parameter i (inf when VAR is
 * not a positive number). */
static double rel_width(const ks_calib_problem *p, size_t i, double var) {
  if (!(var > 0.0) || !isfinite(var)) return INFINITY;
  return 2.0 * Z975 * sqrt(var) / (p->params[i].hi - p->params[i].lo);
}

/* Screen at the start: a parameter whose curvature alone (the others fixed) gives a 95% interval
 * wider than its range cannot be identified jointly either (the joint interval is wider still). */
static ks_status screen(calib_state *s, ks_calib_result *out) {
  const ks_calib_problem *p = s->p;
  size_t all[KS_CALIB_MAX_PARAMS];
  for (size_t i = 0; i < p->n_params; i++) all[i] = i;
  double h[KS_CALIB_MAX_PARAMS * KS_CALIB_MAX_PARAMS];
  KS_TRY(hessian(s, all, p->n_params, s->x, h));
  s->n_free = 0;
  for (size_t i = 0; i < p->n_params; i++) {
    double h_ii = h[i * p->n_params + i];
    out->screen_width[i] = h_ii > 0.0 ? rel_width(p, i, 2.0 / h_ii) : INFINITY;
    if (out->screen_width[i] < 1.0) s->idx[s->n_free++] = i;
  }
  return KS_OK;
}

/* Minimise J over the free parameters from s->x (which receives the optimum); *j the minimum. */
static ks_status fit_free(calib_state *s, ks_calib_result *out, double *j) {
  size_t m = s->n_free;
  if (m == 0) return objective(s, s->x, j);
  double lo[KS_CALIB_MAX_PARAMS], hi[KS_CALIB_MAX_PARAMS], step[KS_CALIB_MAX_PARAMS], xf[KS_CALIB_MAX_PARAMS];
  for (size_t a = 0; a < m; a++) {
    const ks_calib_param *q = &s->p->params[s->idx[a]];
    lo[a] = q->lo, hi[a] = q->hi, step[a] = 0.1 * (q->hi - q->lo), xf[a] = s->x[s->idx[a]];
  }
  /* BOBYQA needs two or more parameters; one is fitted with Nelder-Mead (also derivative-free). */
  nlopt_algorithm alg = m >= 2 ? NLOPT_LN_BOBYQA : NLOPT_LN_NELDERMEAD;
  snprintf(out->algorithm, sizeof out->algorithm, "%s", m >= 2 ? "LN_BOBYQA" : "LN_NELDERMEAD");
  nlopt_opt opt = nlopt_create(alg, (unsigned)m);
  if (!opt) return ks_ctx_fail(s->ctx, KS_ENOMEM, "ks_calibrate: nlopt_create failed");
  nlopt_set_lower_bounds(opt, lo);
  nlopt_set_upper_bounds(opt, hi);
  nlopt_set_min_objective(opt, nlopt_objective, s);
  nlopt_set_maxeval(opt, s->p->max_evals > 0 ? s->p->max_evals : 60);
  nlopt_set_xtol_rel(opt, s->p->xtol_rel > 0.0 ? s->p->xtol_rel : 1e-3);
  nlopt_set_initial_step(opt, step);
  nlopt_result r = nlopt_optimize(opt, xf, j);
  nlopt_destroy(opt);
  if (s->st != KS_OK) return s->st;
  if (r < 0 && r != NLOPT_ROUNDOFF_LIMITED)
    return ks_ctx_fail(s->ctx, KS_ENUMERIC, "ks_calibrate: NLopt %s failed (code %d)", out->algorithm, (int)r);
  for (size_t a = 0; a < m; a++) s->x[s->idx[a]] = xf[a];
  return KS_OK;
}

/* Laplace at the optimum over the free parameters: cov = 2 H^-1 (H from `h`, m x m). Returns the
 * position (in idx) of the free parameter to drop, or -1 when every one is identifiable: when H is
 * not positive definite the one with the least curvature over its range, else the one with the
 * widest 95% interval relative to its range if that is wider than the range. */
static long laplace(const calib_state *s, const double *h, double *cov) {
  size_t m = s->n_free;
  double l[KS_CALIB_MAX_PARAMS * KS_CALIB_MAX_PARAMS];
  memcpy(l, h, m * m * sizeof *l);
  long worst = -1;
  if (ks_la_chol(l, m, 1e-12) != 0) {
    double least = INFINITY;
    for (size_t a = 0; a < m; a++) {
      double r = s->p->params[s->idx[a]].hi - s->p->params[s->idx[a]].lo, c = h[a * m + a] * r * r;
      if (c < least) least = c, worst = (long)a;
    }
    return worst;
  }
  ks_la_chol_inverse(l, m, cov);
  double widest = 1.0;
  for (size_t a = 0; a < m * m; a++) cov[a] *= 2.0;
  for (size_t a = 0; a < m; a++) {
    double w = rel_width(s->p, s->idx[a], cov[a * m + a]);
    if (w >= widest) widest = w, worst = (long)a;
  }
  return worst;
}

ks_status ks_calibrate(ks_ctx *ctx, const ks_calib_problem *p, ks_calib_result *out) {
  KS_CHECK_ARG(ctx, problem_ok(p) && out);
  memset(out, 0, sizeof *out);
  size_t n = p->n_params;
  calib_state s = {.ctx = ctx, .p = p, .st = KS_OK};
  for (size_t i = 0; i < n; i++) s.x[i] = p->params[i].start;
  KS_TRY(objective(&s, s.x, &out->objective_start));
  snprintf(out->algorithm, sizeof out->algorithm, "none");
  for (size_t i = 0; i < n; i++) out->dropped_at[i] = NAN;
  KS_TRY(screen(&s, out));
  double h[KS_CALIB_MAX_PARAMS * KS_CALIB_MAX_PARAMS], cov[KS_CALIB_MAX_PARAMS * KS_CALIB_MAX_PARAMS];
  double j = out->objective_start;
  for (;;) {
    KS_TRY(fit_free(&s, out, &j));
    if (s.n_free == 0) break;
    KS_TRY(hessian(&s, s.idx, s.n_free, s.x, h));
    long drop = laplace(&s, h, cov);
    if (drop < 0) break;
    /* Not identifiable after all: back to its start, refit the rest. */
    size_t i = s.idx[drop];
    out->dropped_at[i] = s.x[i];
    s.x[i] = p->params[i].start;
    memmove(&s.idx[drop], &s.idx[drop + 1], (s.n_free - (size_t)drop - 1) * sizeof *s.idx);
    s.n_free--;
  }
  out->objective = j;
  out->n_evals = s.n_evals;
  for (size_t i = 0; i < n * n; i++) out->cov[i] = NAN;
  for (size_t i = 0; i < n; i++) out->x[i] = s.x[i], out->sd[i] = NAN;
  for (size_t a = 0; a < s.n_free; a++) {
    size_t i = s.idx[a];
    out->identifiable[i] = 1;
    out->sd[i] = sqrt(cov[a * s.n_free + a]);
    for (size_t b = 0; b < s.n_free; b++) out->cov[i * n + s.idx[b]] = cov[a * s.n_free + b];
  }
  /* Leave the model at the optimum. */
  for (size_t i = 0; i < n; i++) KS_TRY(p->set(p->ud, p->params[i].name, out->x[i]));
  return KS_OK;
}
