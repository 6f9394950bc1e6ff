/* SPDX-License-Identifier: MIT */
/* Sensitivity of a trial endpoint on parameters (Morris, Sobol) and on patient covariates
 * ("who responds"), one virtual trial per design row with the scenario's seed (sweep.h). */
#include <ketasim/link.h>
#include <ketasim/sweep.h>

#include <math.h>
#include <string.h>

#include "core/core_internal.h"
#include "sweep_internal.h"

/* The endpoint of one trial of SC with the K parameters set to X. */
static ks_status eval_row(ks_ctx *ctx, const ks_scenario *sc, const ks_param_range *ranges, size_t k, const double *x,
                          const ks_endpoint *e, const ks_trial_options *topts, double *y) {
  ks_scenario *c = NULL;
  ks_trial_result *r = NULL;
  /* Layer parameters on a copy of the run's link parameters, scenario parameters on a copy of SC. */
  ks_link_params lp = topts->link ? *topts->link : ks_link_params_default();
  ks_trial_options to = *topts;
  to.link = &lp;
  ks_status st = ks_scenario_copy(ctx, sc, &c);
  for (size_t i = 0; st == KS_OK && i < k; i++)
    st = ks_param_set(ctx, ranges[i].binding, ranges[i].binding->target == KS_PARAM_LINK ? (void *)&lp : (void *)c, x[i]);
  if (st == KS_OK) st = ks_trial_run(ctx, c, &to, &r);
  if (st == KS_OK) st = ks_endpoint_value(ctx, r, e, y);
  if (st == KS_OK && !isfinite(*y)) {
    char msg[600];
    size_t o = (size_t)snprintf(msg, sizeof msg, "sensitivity: endpoint %s cannot be computed for", ks_endpoint_name(e->kind));
    for (size_t i = 0; i < k && o < sizeof msg; i++)
      o += (size_t)snprintf(msg + o, sizeof msg - o, "%s %s = %g", i ? "," : "", ranges[i].binding->name, x[i]);
    st = ks_ctx_fail(ctx, KS_EINPUT, "%s (expected more patients, --patients, or another --endpoint)", msg);
  }
  ks_trial_result_destroy(&r);
  ks_scenario_destroy(&c);
  return st;
}

/* Rows already in rank 0's log: their endpoints into R->y and done[row] = 1, on every rank. */
static ks_status logged_rows(ks_ctx *ctx, const ks_sens_options *o, ks_sens_result *R, double *done) {
  const ks_par_comm *c = ks__sweep_comm(o->comm);
  if (!c || c->rank == 0)
    for (size_t row = 0; row < R->n_rows; row++) done[row] = ks_eval_log_find(o->log, R->x + row * R->k, &R->y[row]);
  KS_TRY(ks__sweep_bcast(ctx, c, done, R->n_rows));
  KS_TRY(ks__sweep_bcast(ctx, c, R->y, R->n_rows));
  for (size_t row = 0; row < R->n_rows; row++) R->n_resumed += done[row] != 0;
  return KS_OK;
}

/* One round: rank q runs the trial of row ROWS[q] (q < n_round) alone on its threads. Every rank
 * returns the status of the lowest failing row, the one a single process would have stopped at. */
static ks_status run_round(ks_ctx *ctx, const ks_scenario *sc, const ks_endpoint *e, const ks_sens_options *o,
                           ks_sens_result *R, const size_t *rows, size_t n_round, double *y) {
  const ks_par_comm *c = ks__sweep_comm(o->comm);
  int rank = c ? c->rank : 0, size = c ? c->size : 1;
  ks_status st = KS_OK;
  *y = NAN;
  if ((size_t)rank < n_round) st = eval_row(ctx, sc, R->ranges, R->k, R->x + rows[rank] * R->k, e, &o->trial, y);
  if (!c) return st;
  long first_fail = c->agree_max(c->ud, st != KS_OK ? (long)(size - rank) : 0);
  if (first_fail == 0) return KS_OK;
  int q = size - (int)first_fail;
  long code = c->agree_max(c->ud, q == rank ? -(long)st : 0);
  if (q == rank) return st;
  return ks_ctx_fail(ctx, (ks_status)(-code), "sensitivity: trial %zu failed on another process (%s)", rows[q] + 1,
                     ks_status_message((ks_status)(-code)));
}

/* The design rows not in the log, in rounds of one trial per process; rank 0 gathers each round's
 * endpoints in row order, logs them and reports progress; at the end every rank gets them all.
 * A row's endpoint depends only on its parameters and the scenario's seed, never on the process
 * or thread that ran it. */
static ks_status run_design(ks_ctx *ctx, const ks_scenario *sc, const ks_endpoint *e, const ks_sens_options *o,
                            ks_sens_result *R) {
  const ks_par_comm *c = ks__sweep_comm(o->comm);
  int rank = c ? c->rank : 0, size = c ? c->size : 1;
  size_t *pend = ks_calloc(ctx, R->n_rows + 2 * (size_t)size, sizeof *pend), n_pend = 0;
  double *buf = ks_calloc(ctx, R->n_rows + (size_t)size, sizeof *buf);
  ks_status st = pend && buf ? KS_OK : KS_ENOMEM;
  if (st == KS_OK) st = logged_rows(ctx, o, R, buf);
  for (size_t row = 0; st == KS_OK && row < R->n_rows; row++)
    if (buf[row] == 0) pend[n_pend++] = row;
  size_t *counts = pend + R->n_rows;
  double *recv = buf + R->n_rows;
  for (size_t first = 0; st == KS_OK && first < n_pend; first += (size_t)size) {
    size_t done = R->n_resumed + first, n_round = n_pend - first < (size_t)size ? n_pend - first : (size_t)size;
    if (ks__sweep_cancelled(c, o->trial.cancel)) {
      st = ks_ctx_fail(ctx, KS_EINTERRUPTED, "sensitivity: interrupted after %zu of %zu trials", done, R->n_rows);
      break;
    }
    double y;
    if ((st = run_round(ctx, sc, e, o, R, pend + first, n_round, &y)) != KS_OK) break;
    if (c) {
      for (int q = 0; q < size; q++) counts[q] = (size_t)q < n_round;
      st = c->gather(c->ud, &y, (size_t)rank < n_round, rank == 0 ? recv : NULL, rank == 0 ? counts : NULL);
      if (st != KS_OK) st = ks_ctx_fail(ctx, st, "MPI: gathering the endpoints of trials %zu-%zu failed", done + 1, done + n_round);
    } else {
      recv[0] = y;
    }
    for (size_t q = 0; st == KS_OK && rank == 0 && q < n_round; q++) {
      size_t row = pend[first + q];
      R->y[row] = recv[q];
      if (o->log) st = ks_eval_log_add(ctx, o->log, R->x + row * R->k, &R->y[row]);
    }
    if (st == KS_OK && rank == 0 && o->progress) o->progress(o->progress_ud, done + n_round, R->n_rows);
    st = ks_sweep_agree(ctx, c, st);
  }
  if (st == KS_OK) st = ks__sweep_bcast(ctx, c, R->y, R->n_rows);
  ks_free(ctx, pend);
  ks_free(ctx, buf);
  return st;
}

ks_status ks_sens_run(ks_ctx *ctx, const ks_scenario *sc, const ks_param_range *ranges, size_t k, const ks_endpoint *e,
                      const ks_sens_options *o, ks_sens_result *out) {
  KS_CHECK_ARG(ctx, sc && ranges && e && o && out && k >= 1 && k <= KS_PARAM_MAX && o->n >= 2);
  ks_sens_result R;
  memset(&R, 0, sizeof R);
  R.ctx = ctx, R.method = o->method, R.k = k;
  memcpy(R.ranges, ranges, k * sizeof *ranges);
  double lo[KS_PARAM_MAX], hi[KS_PARAM_MAX];
  for (size_t i = 0; i < k; i++) lo[i] = ranges[i].low, hi[i] = ranges[i].high;
  R.n_rows = o->method == KS_SENS_SOBOL ? ks_sobol_n_rows(k, o->n) : ks_morris_n_rows(k, o->n);
  R.x = ks_calloc(ctx, R.n_rows * k, sizeof *R.x);
  R.y = ks_calloc(ctx, R.n_rows, sizeof *R.y);
  ks_status st = R.x && R.y ? KS_OK : KS_ENOMEM;
  size_t n_boot = o->n_boot ? o->n_boot : 1000;
  double level = o->level > 0 ? o->level : 0.95;
  int levels = o->morris_levels ? o->morris_levels : 4;
  if (st == KS_OK)
    st = o->method == KS_SENS_SOBOL ? ks_sobol_design(ctx, k, o->n, lo, hi, R.x)
                                    : ks_morris_design(ctx, k, o->n, levels, lo, hi, sc->seed, R.x);
  if (st == KS_OK) st = run_design(ctx, sc, e, o, &R);
  if (st == KS_OK && o->method == KS_SENS_SOBOL)
    st = ks_sobol_indices(ctx, k, o->n, R.y, n_boot, level, sc->seed, R.sobol, &R.variance);
  if (st == KS_OK && o->method == KS_SENS_MORRIS)
    st = ks_morris_indices(ctx, k, o->n, R.x, R.y, lo, hi, n_boot, level, sc->seed, R.morris);
  if (st == KS_OK) {
    size_t m = o->method == KS_SENS_SOBOL ? 2 * o->n : R.n_rows;
    double s = 0.0, s2 = 0.0;
    for (size_t i = 0; i < m; i++) s += R.y[i];
    R.mean = s / (double)m;
    for (size_t i = 0; i < m; i++) s2 += (R.y[i] - R.mean) * (R.y[i] - R.mean);
    if (o->method == KS_SENS_MORRIS) R.variance = m > 1 ? s2 / (double)(m - 1) : 0.0;
  }
  if (st != KS_OK) {
    ks_sens_result_fini(&R);
    return st;
  }
  *out = R;
  return KS_OK;
}

void ks_sens_result_fini(ks_sens_result *r) {
  if (!r || !r->ctx) return;
  ks_free(r->ctx, r->x);
  ks_free(r->ctx, r->y);
  memset(r, 0, sizeof *r);
}

/* ---- who responds --------------------------------------------------------------------------- */

static const char *const cov_names[KS_COV_N] = {"age_y", "female", "weight_kg", "caps5_baseline_true",
                                                "madrs_baseline_true", "comorbid_mdd", "combat_trauma",
                                                "years_since_trauma", "sbp_mmHg", "hypertension",
                                                "treatment_resistance"};

static const char *const cov_labels[KS_COV_N] = {"age", "female", "weight", "CAPS-5", "MADRS", "MDD", "combat",
                                                 "years", "SBP", "HTN", "TR"};

const char *ks_covariate_name(ks_covariate c) { return (unsigned)c < KS_COV_N ? cov_names[c] : "?"; }
const char *ks_covariate_label(ks_covariate c) { return (unsigned)c < KS_COV_N ? cov_labels[c] : "?"; }

static double covariate(const ks_patient *p, int c) {
  switch (c) {
  case KS_COV_AGE: return p->age_y;
  case KS_COV_FEMALE: return p->female;
  case KS_COV_WEIGHT: return p->weight_kg;
  case KS_COV_CAPS5: return p->caps5_true;
  case KS_COV_MADRS: return p->madrs_true;
  case KS_COV_MDD: return p->comorbid_mdd;
  case KS_COV_COMBAT: return p->combat;
  case KS_COV_YEARS_SINCE_TRAUMA: return p->years_since_trauma;
  case KS_COV_SBP: return p->sbp_mmHg;
  case KS_COV_HYPERTENSION: return p->hypertension;
  default: return p->treatment_resistance;
  }
}

ks_status ks_who_responds_run(ks_ctx *ctx, const ks_scenario *sc, const ks_endpoint *e, const ks_trial_options *topts,
                              size_t n_boot, ks_who_responds *out) {
  KS_CHECK_ARG(ctx, sc && e && topts && out);
  ks_trial_result *r = NULL;
  ks_trial_endpoints ep;
  memset(&ep, 0, sizeof ep);
  double *buf = NULL;
  const ks_par_comm *pc = ks__sweep_comm(topts->comm);
  memset(out, 0, sizeof *out);
  ks_status st = ks_trial_run(ctx, sc, topts, &r);
  if (st == KS_OK && pc && pc->rank != 0) goto done; /* rank 0 alone holds the patients' values */
  if (st == KS_OK) st = ks_trial_endpoints_init(ctx, r, &ep);
  size_t n = r ? ks_trial_n_patients(r) : 0, m = 0;
  if (st == KS_OK && !(buf = ks_calloc(ctx, (KS_COV_N + 1) * n + 1, sizeof *buf))) st = KS_ENOMEM;
  if (st != KS_OK) goto done;
  double *y = buf, *x = buf + n;
  /* Outcome: percent improvement of the primary scale from baseline at the primary visit. */
  for (size_t i = 0; i < n; i++) {
    if (ep.group[i] != e->group || !isfinite(ep.y[i]) || !(ep.baseline[i] > 0)) continue;
    ks_patient p;
    if ((st = ks_trial_patient_covariates(r, i, &p)) != KS_OK) goto done;
    y[m] = -100.0 * ep.y[i] / ep.baseline[i];
    for (int c = 0; c < KS_COV_N; c++) x[(size_t)c * n + m] = covariate(&p, c);
    m++;
  }
  out->n_patients = m;
  double s = 0, s2 = 0;
  for (size_t i = 0; i < m; i++) s += y[i];
  out->outcome_mean = m ? s / (double)m : NAN;
  for (size_t i = 0; i < m; i++) s2 += (y[i] - out->outcome_mean) * (y[i] - out->outcome_mean);
  out->outcome_sd = m > 1 ? sqrt(s2 / (double)(m - 1)) : NAN;
  if (m < 20) {
    st = ks_ctx_fail(ctx, KS_EINPUT, "who responds: %zu patients with the outcome in group %d (expected at least 20; "
                     "use more --patients)", m, e->group);
    goto done;
  }
  for (int c = 0; c < KS_COV_N && st == KS_OK; c++) {
    /* 10 equiprobable bins: at least 20 patients a bin from 200 patients on. A covariate with a
     * single value in these patients (no one hypertensive) explains nothing: NaN. */
    st = ks_given_data_first_order(ctx, x + (size_t)c * n, y, m, 10, n_boot ? n_boot : 1000, 0.95, sc->seed,
                                   &out->index[c]);
    if (st == KS_EINVAL) {
      ks_ctx_clear_error(ctx);
      out->index[c] = (ks_given_data_index){.s1 = NAN, .s1_lo = NAN, .s1_hi = NAN};
      st = KS_OK;
    }
  }
done:
  ks_free(ctx, buf);
  ks_trial_endpoints_fini(&ep);
  ks_trial_result_destroy(&r);
  return ks_sweep_agree(ctx, pc, st);
}
