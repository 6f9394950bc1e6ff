/* SPDX-License-Identifier: MIT */
/* Derivative-free box-constrained minimisation with inequality constraints, through NLopt
 * (contract in include/ketasim/sensitivity.h). NLopt is used only by this module (stats). */
#include <ketasim/sensitivity.h>

#include <math.h>
#include <string.h>

#include <nlopt.h>

#include "stats_internal.h"

#define OPTIM_MAX_VARS 64
/* BOBYQA: f + w max(0, g)^2, minimised for w = 1e1, 1e3, 1e5, 1e7 in turn from the previous
 * answer (a penalty continuation: one large w at once leaves a narrow valley BOBYQA stalls in). */
static const double penalty_weights[] = {1e1, 1e3, 1e5, 1e7};
#define FEASIBLE_TOL 1e-6   /* a point with every g_c <= this counts as feasible (the penalty's
                               minimum lies about 1/(2 w) outside an active constraint) */

typedef struct {
  const ks_optim_problem *p;
  size_t n_eval;
  int stop_status;              /* the objective's non-zero status */
  double weight;                /* BOBYQA's current penalty weight */
  double best_f;
  double best_x[OPTIM_MAX_VARS];
} optim_state;

static const char *const algorithm_names[] = {"cobyla", "bobyqa", "global"};

const char *ks_optim_algorithm_name(ks_optim_algorithm a) {
  return (unsigned)a < KS_ARRAY_LEN(algorithm_names) ? algorithm_names[a] : "?";
}

int ks_optim_algorithm_parse(const char *name) {
  for (size_t i = 0; name && i < KS_ARRAY_LEN(algorithm_names); i++)
    if (!strcmp(name, algorithm_names[i])) return (int)i;
  return -1;
}

static double max_violation(const ks_optim_problem *p, const double *x) {
  double v = 0.0;
  for (size_t c = 0; c < p->n_constraints; c++) v = fmax(v, p->constraint(p->ud, c, x));
  return v;
}

static double objective_cb(unsigned n, const double *x, double *grad, void *data) {
  (void)grad; /* derivative-free algorithms only */
  optim_state *s = data;
  const ks_optim_problem *p = s->p;
  double f = INFINITY;
  int rc = p->objective(p->ud, x, &f);
  s->n_eval++;
  if (rc) {
    s->stop_status = rc;
    return HUGE_VAL;
  }
  double viol = p->n_constraints ? max_violation(p, x) : 0.0;
  if (viol <= FEASIBLE_TOL && f < s->best_f) {
    s->best_f = f;
    memcpy(s->best_x, x, n * sizeof *x);
  }
  if (p->algorithm == KS_OPTIM_BOBYQA && viol > 0.0) f += s->weight * viol * viol;
  return isfinite(f) ? f : HUGE_VAL;
}

typedef struct {
  optim_state *s;
  size_t c;
} constraint_ref;

static double constraint_cb(unsigned n, const double *x, double *grad, void *data) {
  (void)n, (void)grad;
  constraint_ref *ref = data;
  return ref->s->p->constraint(ref->s->p->ud, ref->c, x);
}

ks_status ks_optim_minimize(ks_ctx *ctx, const ks_optim_problem *p, double *x, double *f_best, size_t *n_eval) {
  KS_CHECK_ARG(ctx, p && x && f_best && p->n >= 1 && p->n <= OPTIM_MAX_VARS && p->low && p->high && p->objective);
  KS_CHECK_ARG(ctx, p->max_evaluations > 0 && (p->n_constraints == 0 || p->constraint));
  KS_CHECK_ARG(ctx, (unsigned)p->algorithm < KS_ARRAY_LEN(algorithm_names));
  for (size_t i = 0; i < p->n; i++) {
    if (!(p->low[i] <= p->high[i])) return ks_ctx_fail(ctx, KS_EINVAL, "optimize: variable %zu has low > high", i);
    x[i] = fmin(fmax(x[i], p->low[i]), p->high[i]);
  }
  nlopt_algorithm alg = p->algorithm == KS_OPTIM_COBYLA   ? NLOPT_LN_COBYLA
                        : p->algorithm == KS_OPTIM_BOBYQA ? NLOPT_LN_BOBYQA
                                                          : NLOPT_GN_ISRES;
  nlopt_opt o = nlopt_create(alg, (unsigned)p->n);
  if (!o) return ks_ctx_fail(ctx, KS_ENOMEM, "optimize: NLopt could not create %s", nlopt_algorithm_name(alg));
  optim_state s = {.p = p, .best_f = INFINITY};
  memcpy(s.best_x, x, p->n * sizeof *x);
  constraint_ref refs[OPTIM_MAX_VARS];
  ks_status st = KS_OK;
  if (p->algorithm == KS_OPTIM_GLOBAL) nlopt_srand(p->seed);
  nlopt_set_lower_bounds(o, p->low);
  nlopt_set_upper_bounds(o, p->high);
  nlopt_set_min_objective(o, objective_cb, &s);
  nlopt_set_xtol_rel(o, p->xtol_rel > 0 ? p->xtol_rel : 1e-4);
  if (p->algorithm != KS_OPTIM_BOBYQA) {
    if (p->n_constraints > OPTIM_MAX_VARS) {
      nlopt_destroy(o);
      return ks_ctx_fail(ctx, KS_EINVAL, "optimize: %zu constraints (expected at most %d)", p->n_constraints, OPTIM_MAX_VARS);
    }
    for (size_t c = 0; c < p->n_constraints; c++) {
      refs[c] = (constraint_ref){&s, c};
      nlopt_add_inequality_constraint(o, constraint_cb, &refs[c], 0.0);
    }
  }
  /* The initial step: a fifth of each range, so the search sees the box and not only x0. */
  double step[OPTIM_MAX_VARS];
  for (size_t i = 0; i < p->n; i++) step[i] = p->high[i] > p->low[i] ? 0.2 * (p->high[i] - p->low[i]) : 1.0;
  nlopt_set_initial_step(o, step);
  double fmin_val = HUGE_VAL;
  nlopt_result r = NLOPT_SUCCESS;
  size_t n_rounds = p->algorithm == KS_OPTIM_BOBYQA && p->n_constraints ? KS_ARRAY_LEN(penalty_weights) : 1;
  for (size_t round = 0; round < n_rounds && r >= 0 && s.n_eval < p->max_evaluations; round++) {
    s.weight = penalty_weights[round];
    nlopt_set_maxeval(o, (int)(p->max_evaluations - s.n_eval));
    r = nlopt_optimize(o, x, &fmin_val);
    if (r == NLOPT_MAXEVAL_REACHED) break;
  }
  if (s.stop_status) {
    st = (ks_status)s.stop_status;
  } else if (r < 0 && r != NLOPT_ROUNDOFF_LIMITED && r != NLOPT_FORCED_STOP) {
    st = ks_ctx_fail(ctx, KS_ENUMERIC, "optimize: NLopt %s stopped with code %d after %zu evaluations",
                     nlopt_algorithm_name(alg), (int)r, s.n_eval);
  }
  nlopt_destroy(o);
  if (st != KS_OK) return st;
  memcpy(x, s.best_x, p->n * sizeof *x);
  *f_best = s.best_f;
  if (n_eval) *n_eval = s.n_eval;
  return KS_OK;
}
