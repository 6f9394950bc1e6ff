/* SPDX-License-Identifier: MIT */
/* Regimen optimisation (sweep.h): a grid over the whole-number variables, NLopt over the dose
 * in each grid cell, every regimen one trial with the scenario's seed (common random numbers);
 * an epsilon-constraint sweep for a second objective, and the Pareto front of what was evaluated. */
#include <ketasim/sweep.h>

#include <math.h>
#include <string.h>

#include "core/core_internal.h"
#include "sweep_internal.h"

#define MAX_GRID_CELLS 100000
#define N_OUT (2 + KS_OPT_CON_N) /* logged per regimen: objective, objective2, constraints */

typedef struct {
  ks_ctx *ctx;
  const ks_scenario *sc;
  const ks_optimize_spec *spec;
  const ks_opt_options *opts;
  ks_endpoint obj, obj2;
  int has_obj2;
  ks_opt_result *R;
  size_t cap;
  double cell[KS_OPT_VAR_N];  /* the current grid cell (whole-number variables) */
  int eps_active;             /* epsilon-constraint on objective 2 */
  double eps;
  long last;                  /* evaluation of the last objective call */
} opt_state;

static ks_status endpoint_of(ks_ctx *ctx, const ks_optimize_objective *o, int group, ks_endpoint *e) {
  int k = ks_endpoint_parse(o->endpoint);
  if (k < 0) return ks_ctx_fail(ctx, KS_EINPUT, "optimize: unknown endpoint '%s'", o->endpoint);
  *e = (ks_endpoint){.kind = (ks_endpoint_kind)k, .group = group, .day = o->day, .scale_set = o->scale_set,
                     .scale = o->scale};
  return KS_OK;
}

/* The endpoints of trial R (rank 0): out[0] objective, out[1] objective 2, out[2..] constraint
 * quantities. */
static ks_status endpoints(opt_state *S, const ks_scenario *c, const ks_trial_result *r, double *out) {
  ks_ctx *ctx = S->ctx;
  ks_status st = ks_endpoint_value(ctx, r, &S->obj, &out[0]);
  out[1] = NAN;
  if (st == KS_OK && S->has_obj2) st = ks_endpoint_value(ctx, r, &S->obj2, &out[1]);
  static const ks_endpoint_kind con_ep[3] = {KS_EP_CADSS_MEAN, KS_EP_CADSS_P95, KS_EP_SBP_PEAK_P95};
  for (int i = 0; i < KS_OPT_CON_N; i++) out[2 + i] = NAN;
  for (int i = 0; st == KS_OK && i < 3; i++) {
    if (!S->spec->con_set[i]) continue;
    ks_endpoint e = {.kind = con_ep[i], .group = S->obj.group};
    st = ks_endpoint_value(ctx, r, &e, &out[2 + i]);
    if (st == KS_OK && !isfinite(out[2 + i]))
      st = ks_ctx_fail(ctx, KS_EINPUT, "optimize: constraint %s cannot be computed: the scenario records no %s "
                       "(expected assessments.cadss such as [\"40 min\"], or a visit on an infusion day)",
                       ks_optimize_constraint_name((ks_optimize_constraint)i), i < 2 ? "CADSS" : "blood pressure");
  }
  if (st == KS_OK) ks_regimen_burden(c, S->spec->arm, &out[2 + KS_OPT_CON_VISITS], &out[2 + KS_OPT_CON_TOTAL_DRUG]);
  return st;
}

/* Simulate the regimen XV into OUT (as endpoints() fills it). Under MPI every rank takes part in
 * the trial (its patients split over the ranks), rank 0 computes the endpoints and every rank
 * gets them. */
static ks_status simulate(opt_state *S, const double *xv, double *out) {
  ks_ctx *ctx = S->ctx;
  const ks_par_comm *comm = ks__sweep_comm(S->opts->trial.comm);
  ks_scenario *c = NULL;
  ks_trial_result *r = NULL;
  ks_status st = ks_regimen_apply(ctx, S->sc, S->spec, xv, &c);
  if (st == KS_OK) st = ks_trial_run(ctx, c, &S->opts->trial, &r);
  if (st == KS_OK && (!comm || comm->rank == 0)) st = endpoints(S, c, r, out);
  st = ks_sweep_agree(ctx, comm, st);
  if (st == KS_OK) st = ks__sweep_bcast(ctx, comm, out, N_OUT);
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&c);
  return st;
}

/* The evaluation of XV: from this run, the log, or a new trial. *idx gets its index in R->evals. */
static ks_status evaluate(opt_state *S, const double *xv, long *idx) {
  ks_opt_result *R = S->R;
  for (size_t i = 0; i < R->n_evals; i++)
    if (!memcmp(R->evals[i].x, xv, sizeof R->evals[i].x)) {
      *idx = (long)i;
      return KS_OK;
    }
  const ks_par_comm *comm = ks__sweep_comm(S->opts->trial.comm);
  if (ks__sweep_cancelled(comm, S->opts->trial.cancel))
    return ks_ctx_fail(S->ctx, KS_EINTERRUPTED, "optimize: interrupted after %zu regimens", R->n_evals);
  double out[N_OUT];
  ks_status st;
  if (ks__sweep_log_find(S->ctx, comm, S->opts->log, xv, out, N_OUT, &st)) {
    R->n_resumed++;
  } else {
    KS_TRY(st);
    KS_TRY(simulate(S, xv, out));
    if (S->opts->log && (!comm || comm->rank == 0)) st = ks_eval_log_add(S->ctx, S->opts->log, xv, out);
    KS_TRY(ks_sweep_agree(S->ctx, comm, st));
  }
  if (R->n_evals == S->cap) {
    size_t nc = S->cap ? 2 * S->cap : 64;
    ks_opt_eval *ne = ks_realloc(S->ctx, R->evals, nc * sizeof *ne);
    if (!ne) return KS_ENOMEM;
    R->evals = ne, S->cap = nc;
  }
  ks_opt_eval *e = &R->evals[R->n_evals];
  memset(e, 0, sizeof *e);
  memcpy(e->x, xv, sizeof e->x);
  e->objective = out[0], e->objective2 = out[1];
  e->feasible = isfinite(out[0]) && (!S->has_obj2 || isfinite(out[1]));
  for (int c = 0; c < KS_OPT_CON_N; c++) {
    e->constraint[c] = out[2 + c];
    if (S->spec->con_set[c] && !(out[2 + c] <= S->spec->con_max[c])) e->feasible = 0;
  }
  *idx = (long)R->n_evals++;
  if (S->opts->progress && (!comm || comm->rank == 0)) S->opts->progress(S->opts->progress_ud, R->n_evals, e);
  return KS_OK;
}

/* The full decision vector of a point: the cell's whole numbers and the dose from X. */
static void full_x(const opt_state *S, const double *x, double *xv) {
  memcpy(xv, S->cell, sizeof S->cell);
  if (S->spec->var_set[KS_OPT_DOSE]) xv[KS_OPT_DOSE] = x[0];
}

static double sense(const ks_optimize_objective *o, double v) { return o->maximize ? -v : v; }

static int nl_objective(void *ud, const double *x, double *f) {
  opt_state *S = ud;
  double xv[KS_OPT_VAR_N];
  full_x(S, x, xv);
  ks_status st = evaluate(S, xv, &S->last);
  if (st != KS_OK) return (int)st;
  const ks_opt_eval *e = &S->R->evals[S->last];
  *f = isfinite(e->objective) ? sense(&S->spec->objective, e->objective) : INFINITY;
  return 0;
}

/* Constraint c: the constrained quantities in spec order, then the epsilon level on objective 2. */
static double nl_constraint(void *ud, size_t c, const double *x) {
  opt_state *S = ud;
  (void)x; /* NLopt asks for constraints at the point of the last objective call */
  const ks_opt_eval *e = &S->R->evals[S->last];
  size_t k = 0;
  for (int i = 0; i < KS_OPT_CON_N; i++) {
    if (!S->spec->con_set[i]) continue;
    if (k++ == c) return isfinite(e->constraint[i]) ? e->constraint[i] - S->spec->con_max[i] : 1e6;
  }
  return isfinite(e->objective2) ? sense(&S->spec->objective2, e->objective2) - S->eps : 1e6;
}

/* Search one grid cell: NLopt over the dose when it is a variable, else one evaluation. */
static ks_status search_cell(opt_state *S) {
  const ks_optimize_spec *s = S->spec;
  if (!s->var_set[KS_OPT_DOSE]) {
    double xv[KS_OPT_VAR_N];
    full_x(S, NULL, xv);
    long idx;
    return evaluate(S, xv, &idx);
  }
  size_t n_con = (size_t)S->eps_active;
  for (int i = 0; i < KS_OPT_CON_N; i++) n_con += (size_t)s->con_set[i];
  double x[1] = {0.5 * (s->low[KS_OPT_DOSE] + s->high[KS_OPT_DOSE])}, f = 0;
  ks_optim_problem p = {.n = 1, .low = &s->low[KS_OPT_DOSE], .high = &s->high[KS_OPT_DOSE],
                        .objective = nl_objective, .n_constraints = n_con, .constraint = nl_constraint, .ud = S,
                        .algorithm = (ks_optim_algorithm)ks_optim_algorithm_parse(s->algorithm),
                        .max_evaluations = (size_t)s->evaluations, .xtol_rel = 1e-3, .seed = S->sc->seed};
  return ks_optim_minimize(S->ctx, &p, x, &f, NULL);
}

/* Every cell of the grid of whole-number variables, in lexicographic order. */
static ks_status search_grid(opt_state *S) {
  const ks_optimize_spec *s = S->spec;
  long lo[KS_OPT_VAR_N], hi[KS_OPT_VAR_N], cur[KS_OPT_VAR_N];
  double cells = 1;
  for (int v = 0; v < KS_OPT_VAR_N; v++) {
    lo[v] = hi[v] = 0;
    if (v != KS_OPT_DOSE && s->var_set[v]) lo[v] = lround(s->low[v]), hi[v] = lround(s->high[v]);
    cells *= (double)(hi[v] - lo[v] + 1);
    cur[v] = lo[v];
  }
  if (cells > MAX_GRID_CELLS)
    return ks_ctx_fail(S->ctx, KS_EINPUT, "optimize: the whole-number variables span %.0f regimens (expected at most %d; "
                       "narrow their ranges)", cells, MAX_GRID_CELLS);
  for (;;) {
    for (int v = 0; v < KS_OPT_VAR_N; v++) S->cell[v] = (double)cur[v];
    KS_TRY(search_cell(S));
    int v = KS_OPT_VAR_N - 1;
    while (v >= 0 && cur[v] == hi[v]) cur[v] = lo[v], v--;
    if (v < 0) return KS_OK;
    cur[v]++;
  }
}

/* Best feasible by objective 1 (ties: first evaluated); Pareto front among feasible points. */
static ks_status summarise(opt_state *S) {
  ks_opt_result *R = S->R;
  const ks_optimize_spec *s = S->spec;
  R->best = -1;
  for (size_t i = 0; i < R->n_evals; i++) {
    if (!R->evals[i].feasible) continue;
    if (R->best < 0 || sense(&s->objective, R->evals[i].objective) < sense(&s->objective, R->evals[R->best].objective))
      R->best = (long)i;
  }
  if (!S->has_obj2) return KS_OK;
  R->pareto = ks_calloc(S->ctx, R->n_evals + 1, sizeof *R->pareto);
  if (!R->pareto) return KS_ENOMEM;
  for (size_t i = 0; i < R->n_evals; i++) {
    const ks_opt_eval *a = &R->evals[i];
    if (!a->feasible) continue;
    int dominated = 0;
    for (size_t j = 0; j < R->n_evals && !dominated; j++) {
      const ks_opt_eval *b = &R->evals[j];
      if (j == i || !b->feasible) continue;
      double a1 = sense(&s->objective, a->objective), b1 = sense(&s->objective, b->objective);
      double a2 = sense(&s->objective2, a->objective2), b2 = sense(&s->objective2, b->objective2);
      /* A regimen equal in both objectives to an earlier one is not listed again. */
      dominated = b1 <= a1 && b2 <= a2 && (b1 < a1 || b2 < a2 || j < i);
    }
    if (!dominated) R->pareto[R->n_pareto++] = (long)i;
  }
  return KS_OK;
}

ks_status ks_opt_run(ks_ctx *ctx, const ks_scenario *sc, const ks_optimize_spec *spec, const ks_opt_options *opts,
                     ks_opt_result *out) {
  KS_CHECK_ARG(ctx, sc && spec && opts && out && spec->present);
  ks_opt_result R;
  memset(&R, 0, sizeof R);
  R.ctx = ctx;
  for (int v = 0; v < KS_OPT_VAR_N; v++)
    if (spec->var_set[v]) R.vars[R.n_vars++] = (ks_optimize_var)v;
  opt_state S = {.ctx = ctx, .sc = sc, .spec = spec, .opts = opts, .R = &R, .has_obj2 = spec->objective2.present};
  ks_status st = endpoint_of(ctx, &spec->objective, spec->arm, &S.obj);
  if (st == KS_OK && S.has_obj2) st = endpoint_of(ctx, &spec->objective2, spec->arm, &S.obj2);
  if (st == KS_OK) st = search_grid(&S);
  if (st == KS_OK && S.has_obj2) {
    /* Epsilon-constraint sweep: objective 2 held at levels spread over its observed feasible range. */
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < R.n_evals; i++)
      if (R.evals[i].feasible) {
        double v = sense(&spec->objective2, R.evals[i].objective2);
        lo = fmin(lo, v), hi = fmax(hi, v);
      }
    S.eps_active = 1;
    for (long k = 0; st == KS_OK && isfinite(lo) && hi > lo && k < spec->pareto_points; k++) {
      S.eps = lo + (hi - lo) * (double)k / (double)(spec->pareto_points - 1);
      st = search_grid(&S);
    }
  }
  if (st == KS_OK) st = summarise(&S);
  if (st != KS_OK) {
    ks_opt_result_fini(&R);
    return st;
  }
  *out = R;
  return KS_OK;
}

void ks_opt_result_fini(ks_opt_result *r) {
  if (!r || !r->ctx) return;
  ks_free(r->ctx, r->evals);
  ks_free(r->ctx, r->pareto);
  memset(r, 0, sizeof *r);
}
