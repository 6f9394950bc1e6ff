/* SPDX-License-Identifier: MIT */
/* ks_calibrate: NLopt LN_BOBYQA on J(x) = sum ((sim - published) / se)^2, then the Laplace
 * covariance 2 H^-1 at the optimum (calibrate.h). */
#include "core/core_internal.h"
#include <ketasim/calibrate.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <nlopt.h>
#include <stdio.h>
#include <string.h>

#define KS_CALIB_REFUSED 1e10

typedef struct {
  ks_ctx *ctx;
  const ks_calib_problem *p;
  ks_status st;  /* first failure of a set() (stops the fit) */
  int n_evals;
} calib_state;

static ks_status objective(calib_state *s, const double *x, double *j) {
  const ks_calib_problem *p = s->p;
  for (size_t i = 0; i < p->n_params; i++) KS_TRY(p->set(p->ud, p->params[i].name, x[i]));
  double sim[64];
  if (p->n_targets > KS_ARRAY_LEN(sim)) return ks_ctx_fail(s->ctx, KS_EINVAL, "ks_calibrate: too many targets");
  s->n_evals++;
  if (p->simulate(p->ud, sim, p->n_targets) != KS_OK) {
    *j = KS_CALIB_REFUSED;
    return KS_OK;
  }
  double sum = 0.0;
  for (size_t k = 0; k < p->n_targets; k++) {
    double r = (sim[k] - p->published[k]) / p->se[k];
    sum += isfinite(r) ? r * r : KS_CALIB_REFUSED;
  }
  *j = sum;
  return KS_OK;
}

static double nlopt_objective(unsigned n, const double *x, double *grad, void *ud) {
  (void)n;
  (void)grad;
  calib_state *s = ud;
  double j = KS_CALIB_REFUSED;
  if (s->st == KS_OK) s->st = objective(s, x, &j);
  return j;
}

static int problem_ok(const ks_calib_problem *p) {
  if (!p || !p->params || !p->set || !p->simulate || !p->published || !p->se) return 0;
  if (p->n_params == 0 || p->n_params > KS_CALIB_MAX_PARAMS || p->n_targets == 0) return 0;
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

/* Hessian of J by central differences with step h_i = 2% of the range. The stencil must stay
 * inside the allowed range: a coordinate within 2 h of a bound is moved inward by what it lacks
 * (the curvature is then taken next to an optimum on a bound, not at it). */
static ks_status hessian(calib_state *s, const double *x_opt, double j_opt, double *h) {
  size_t n = s->p->n_params;
  double xx[KS_CALIB_MAX_PARAMS], step[KS_CALIB_MAX_PARAMS], x[KS_CALIB_MAX_PARAMS];
  int moved = 0;
  for (size_t i = 0; i < n; i++) {
    double lo = s->p->params[i].lo, hi = s->p->params[i].hi;
    step[i] = 0.02 * (hi - lo);
    x[i] = x_opt[i] < lo + 2.0 * step[i] ? lo + 2.0 * step[i] : x_opt[i] > hi - 2.0 * step[i] ? hi - 2.0 * step[i] : x_opt[i];
    moved |= x[i] != x_opt[i];
  }
  double j0 = j_opt;
  if (moved) KS_TRY(objective(s, x, &j0));
  for (size_t i = 0; i < n; i++) {
    for (size_t k = i; k < n; k++) {
      double f[4];
      static const int si[4] = {1, 1, -1, -1}, sk[4] = {1, -1, 1, -1};
      for (int c = 0; c < 4; c++) {
        memcpy(xx, x, n * sizeof *xx);
        xx[i] += si[c] * step[i];
        if (i == k) xx[i] += si[c] * step[i];  /* diagonal: x +- 2h */
        else xx[k] += sk[c] * step[k];
        if (i == k && (c == 1 || c == 2)) {
          f[c] = j0;
          continue;
        }
        KS_TRY(objective(s, xx, &f[c]));
      }
      /* off-diagonal: (f++ - f+- - f-+ + f--) / 4 hi hk; diagonal: (f(+2h) - 2 f0 + f(-2h)) / 4 h^2 */
      double v = i == k ? (f[0] - 2.0 * j0 + f[3]) / (4.0 * step[i] * step[i])
                        : (f[0] - f[1] - f[2] + f[3]) / (4.0 * step[i] * step[k]);
      h[i * n + k] = h[k * n + i] = v;
    }
  }
  return KS_OK;
}

/* cov = 2 H^-1 when H is positive definite; otherwise per-parameter 2 / H_ii where H_ii > 0. */
static void laplace(const ks_calib_problem *p, const double *h, ks_calib_result *out) {
  size_t n = p->n_params;
  gsl_matrix *m = gsl_matrix_alloc(n, n);
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < n; k++) gsl_matrix_set(m, i, k, h[i * n + k]);
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int pd = gsl_linalg_cholesky_decomp1(m) == GSL_SUCCESS;
  if (pd) gsl_linalg_cholesky_invert(m);
  gsl_set_error_handler(old);
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < n; k++) {
      double c = pd ? 2.0 * gsl_matrix_get(m, i, k) : (i == k && h[i * n + i] > 0.0 ? 2.0 / h[i * n + i] : NAN);
      out->cov[i * n + k] = c;
    }
  gsl_matrix_free(m);
  for (size_t i = 0; i < n; i++) {
    double var = out->cov[i * n + i], range = p->params[i].hi - p->params[i].lo;
    out->identifiable[i] = isfinite(var) && var > 0.0 && 2.0 * 1.959963984540054 * sqrt(var) < range;
    out->sd[i] = out->identifiable[i] ? sqrt(var) : NAN;
  }
}

ks_status ks_calibrate(ks_ctx *ctx, const ks_calib_problem *p, ks_calib_result *out) {
  KS_CHECK_ARG(ctx, problem_ok(p) && out);
  memset(out, 0, sizeof *out);
  size_t n = p->n_params;
  double lo[KS_CALIB_MAX_PARAMS], hi[KS_CALIB_MAX_PARAMS];
  for (size_t i = 0; i < n; i++) {
    out->x[i] = p->params[i].start;
    lo[i] = p->params[i].lo;
    hi[i] = p->params[i].hi;
  }
  calib_state s = {.ctx = ctx, .p = p, .st = KS_OK};
  KS_TRY(objective(&s, out->x, &out->objective_start));
  /* BOBYQA needs two or more parameters; one parameter is fitted with Nelder-Mead (also
   * derivative-free). */
  nlopt_algorithm alg = n >= 2 ? NLOPT_LN_BOBYQA : NLOPT_LN_NELDERMEAD;
  snprintf(out->algorithm, sizeof out->algorithm, "%s", n >= 2 ? "LN_BOBYQA" : "LN_NELDERMEAD");
  nlopt_opt opt = nlopt_create(alg, (unsigned)n);
  if (!opt) return ks_ctx_fail(ctx, KS_ENOMEM, "ks_calibrate: nlopt_create failed");
  nlopt_set_lower_bounds(opt, lo);
  nlopt_set_upper_bounds(opt, hi);
  nlopt_set_min_objective(opt, nlopt_objective, &s);
  nlopt_set_maxeval(opt, p->max_evals > 0 ? p->max_evals : 60);
  nlopt_set_xtol_rel(opt, p->xtol_rel > 0.0 ? p->xtol_rel : 1e-3);
  double step[KS_CALIB_MAX_PARAMS];
  for (size_t i = 0; i < n; i++) step[i] = 0.1 * (hi[i] - lo[i]);
  nlopt_set_initial_step(opt, step);
  double jmin = 0.0;
  nlopt_result r = nlopt_optimize(opt, out->x, &jmin);
  nlopt_destroy(opt);
  if (s.st != KS_OK) return s.st;
  if (r < 0 && r != NLOPT_ROUNDOFF_LIMITED)
    return ks_ctx_fail(ctx, KS_ENUMERIC, "ks_calibrate: NLopt %s failed (code %d)", out->algorithm, (int)r);
  out->objective = jmin;
  double h[KS_CALIB_MAX_PARAMS * KS_CALIB_MAX_PARAMS];
  KS_TRY(hessian(&s, out->x, jmin, h));
  laplace(p, h, out);
  out->n_evals = s.n_evals;
  /* Leave the model at the optimum. */
  for (size_t i = 0; i < n; i++) KS_TRY(p->set(p->ud, p->params[i].name, out->x[i]));
  return KS_OK;
}
