/* SPDX-License-Identifier: MIT */
/* Sweeps over a scenario: global sensitivity of a trial endpoint on the model's parameters
 * and on the patient covariates, and regimen optimisation (`ketasim sensitivity`, `ketasim
 * optimize`). Every evaluation is one virtual trial (ks_trial_run, patients in parallel) with the
 * scenario's seed: common random numbers, so two evaluations differ only by what was changed, and
 * the answer is the same for any thread or process count (MPI: ks_sens_options.comm deals the
 * trials out over processes, ks_opt_options.trial.comm splits each trial's patients). The
 * estimators are those of sensitivity.h.
 *
 * Parameters are bound by name through a table (ks_param_binding): each entry sets one number of
 * a target object, by a setter or by the offset of a double field. Today's target is the scenario
 * (population overrides, the studied arm's dose); the layer parameters (ks_link_params, being
 * gathered from the layers) are meant to be added as KS_PARAM_LINK entries with their offsets. */
#ifndef KETASIM_SWEEP_H
#define KETASIM_SWEEP_H

#include <stdio.h>

#include <ketasim/core.h>
#include <ketasim/scenario.h>
#include <ketasim/scenario_optimize.h>
#include <ketasim/sensitivity.h>
#include <ketasim/output.h>
#include <ketasim/trial.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- parameters ----------------------------------------------------------------------------- */

typedef enum {
  KS_PARAM_SCENARIO = 0, /* the object is a ks_scenario */
  KS_PARAM_LINK,         /* the object is a ks_link_params (the joins between layers) */
  KS_PARAM_MOOD,         /* the object is a ks_mood_params (bound for `ketasim calibrate`) */
  KS_PARAM_CLINIC        /* the object is a ks_clinic_params (bound for `ketasim calibrate`) */
} ks_param_target;

typedef struct ks_param_binding {
  const char *name;          /* as written in a parameter TSV */
  const char *label;         /* short label for figures ("CAPS-5 mean") */
  const char *unit;          /* "1" for dimensionless */
  const char *what;          /* one line for --help and the output */
  ks_param_target target;
  double min, max;           /* values the model accepts */
  /* Setter, or NULL: the value is the double at byte OFFSET of the target object. A setter
   * returns 0, or -1 when the scenario has nothing to set (e.g. no dose in the studied arm). */
  int (*set)(void *obj, double v);
  size_t offset;
  /* The documented default range and its source (data/sensitivity/params.tsv mirrors these). */
  double default_low, default_high;
  const char *source;
  /* Layer rows: the field as a C expression on the target struct ("weight[KS_CLUSTER_B][0]"),
   * written from the same tokens as OFFSET (KS_FIELD below). `ketasim calibrate` writes it into
   * data/calibration/fitted.tsv, from which the build generates the trial layer's reads of the
   * committed set. NULL for scenario rows. */
  const char *field;
} ks_param_binding;

/** The binding table (n entries). */
KS_API const ks_param_binding *ks_param_bindings(size_t *n);
/** The binding called NAME, or NULL. */
KS_API const ks_param_binding *ks_param_find(const char *name);
/** Set binding B to V on OBJ (a ks_scenario for KS_PARAM_SCENARIO, a ks_link_params for
 *  KS_PARAM_LINK, a ks_mood_params for KS_PARAM_MOOD, a ks_clinic_params for KS_PARAM_CLINIC). @return KS_OK; KS_EINPUT (V outside [min, max], or nothing to set in this
 *  scenario). */
KS_API ks_status ks_param_set(ks_ctx *ctx, const ks_param_binding *b, void *obj, double v);

typedef struct ks_param_range {
  const ks_param_binding *binding;
  double low, high;
  char source[256];
} ks_param_range;

#define KS_PARAM_MAX 20 /* factors per analysis (the Sobol sequence's limit) */

/** Read a parameter TSV (columns name, low, high, unit, source; '#' comments; a header row
 *  starting with "name" is skipped) into out[cap]. Names must be bindings, units must match,
 *  min <= low < high <= max. @return KS_OK; KS_EINPUT ("FILE:LINE:COL: ..."); KS_EIO. */
KS_API ks_status ks_param_ranges_load(ks_ctx *ctx, const char *path, ks_param_range *out, size_t cap, size_t *n);
/** The default ranges of every binding, in table order. */
KS_API size_t ks_param_ranges_default(ks_param_range *out, size_t cap);

/** A deep copy of SC (through the scenario writer and loader), owned by CTX. */
KS_API ks_status ks_scenario_copy(ks_ctx *ctx, const ks_scenario *sc, ks_scenario **out);

/* ---- endpoints ------------------------------------------------------------------------------ */

typedef enum {
  KS_EP_PRIMARY = 0,   /* the primary contrast, contrasts[0]: treatment minus control (points) */
  KS_EP_RESPONSE,      /* response rate of the group (scenario's response definition; day may differ) */
  KS_EP_REMISSION,     /* remission rate of the group */
  KS_EP_CHANGE,        /* mean change from baseline of the scale at the day (points; negative = better) */
  KS_EP_DURABILITY,    /* restricted mean days to loss of response among responders (Kaplan-Meier
                          area up to the last follow-up visit) */
  KS_EP_CADSS_MEAN,    /* mean CADSS total over the group's CADSS assessments */
  KS_EP_CADSS_P95,     /* 95th percentile of the patients' highest CADSS */
  KS_EP_SBP_PEAK_P95,  /* 95th percentile of the patients' highest peak systolic pressure, mmHg */
  KS_EP_N
} ks_endpoint_kind;

typedef struct ks_endpoint {
  ks_endpoint_kind kind;
  int group;               /* randomised group (arm) the endpoint is read in; primary: unused */
  int day;                 /* response/remission/change: study day of the visit; 0: the scenario's */
  int scale_set;           /* change: the scale (default: the primary scale) */
  ks_scen_scale scale;
} ks_endpoint;

KS_API const char *ks_endpoint_name(ks_endpoint_kind k);
KS_API int ks_endpoint_parse(const char *name);
/** Unit of an endpoint ("points", "proportion", "days", "mmHg"). */
KS_API const char *ks_endpoint_unit(ks_endpoint_kind k);

/** The value of E on a trial result. NaN (and KS_OK) when it cannot be computed from these
 *  patients (no responders, no evaluable patient). @return KS_OK; KS_EINPUT (the scenario has no
 *  such endpoint or visit: the message says which); KS_ENOMEM. */
KS_API ks_status ks_endpoint_value(ks_ctx *ctx, const ks_trial_result *r, const ks_endpoint *e, double *value);

/* ---- evaluation log (resume) ---------------------------------------------------------------- */

/** A log of evaluations keyed by their inputs: each line holds the inputs and outputs as exact
 *  hexadecimal doubles. A command writes each evaluation as it finishes (flushed); after a kill,
 *  it reopens the log and takes the logged values instead of re-running those trials, so the
 *  resumed run gives the same bytes as an uninterrupted one. */
typedef struct ks_eval_log ks_eval_log;
/** Open PATH; RESUME = 1 loads its evaluations (a missing file is empty), 0 starts it anew. KEY
 *  identifies the run (scenario, seed, patients, method): a log with another key is refused
 *  (KS_EINPUT) on resume. n_in/n_out: numbers per evaluation. */
KS_API ks_status ks_eval_log_open(ks_ctx *ctx, const char *path, const char *key, size_t n_in, size_t n_out, int resume,
                                  ks_eval_log **out);
/** 1 and OUT filled when IN was logged, else 0. */
KS_API int ks_eval_log_find(const ks_eval_log *log, const double *in, double *out);
KS_API ks_status ks_eval_log_add(ks_ctx *ctx, ks_eval_log *log, const double *in, const double *out);
KS_API size_t ks_eval_log_n_loaded(const ks_eval_log *log);
/** Close; REMOVE = 1 deletes the file (the run finished and wrote its outputs). */
KS_API void ks_eval_log_close(ks_eval_log **log, int remove_file);

/* ---- processes ------------------------------------------------------------------------------ */

/** Collective over C (parallel.h; NULL or one rank: returns ST): every rank passes its status
 *  and gets one agreed status: its own failure; else another rank's (the highest code), with a
 *  message saying it failed on another process; else KS_OK. Lets every rank stop at one point. */
KS_API ks_status ks_sweep_agree(ks_ctx *ctx, const ks_par_comm *c, ks_status st);

/* ---- sensitivity ---------------------------------------------------------------------------- */

typedef enum { KS_SENS_MORRIS = 0, KS_SENS_SOBOL } ks_sens_method;

typedef struct ks_sens_options {
  ks_sens_method method;
  size_t n;                /* Sobol: base sample N (trials N (k + 2)); Morris: trajectories r (r (k + 1)) */
  int morris_levels;       /* 0: 4 */
  size_t n_boot;           /* 0: 1000 */
  double level;            /* 0: 0.95 */
  ks_trial_options trial;  /* n_patients, n_threads for every trial (trial.comm: must be NULL) */
  /* Processes sharing the sweep (parallel.h; NULL: one): the design rows are dealt out over the
   * ranks, each trial whole inside one process on its threads; rank 0 gathers the endpoints and
   * alone holds the log and the progress. Every rank gets the whole result. */
  const ks_par_comm *comm;
  ks_eval_log *log;        /* optional (rank 0's is used): resume from and append to */
  void (*progress)(void *ud, size_t done, size_t total);
  void *progress_ud;
} ks_sens_options;

typedef struct ks_sens_result {
  ks_sens_method method;
  size_t k, n_rows;
  ks_param_range ranges[KS_PARAM_MAX];
  double *x, *y;           /* design [n_rows][k] and outputs [n_rows], owned */
  ks_sobol_index sobol[KS_PARAM_MAX];
  ks_morris_index morris[KS_PARAM_MAX];
  double variance, mean;   /* of the outputs (Sobol: over A and B) */
  size_t n_resumed;        /* evaluations taken from the log */
  ks_ctx *ctx;
} ks_sens_result;

/** Sensitivity of endpoint E of scenario SC on the K parameters RANGES. Writes *out only on
 *  success (free with ks_sens_result_fini). A trial whose endpoint is NaN is an error (KS_EINPUT:
 *  choose a larger --patients or another endpoint). @return KS_OK; what ks_trial_run returns;
 *  KS_EINPUT; KS_EINTERRUPTED (opts->trial.cancel). */
KS_API ks_status ks_sens_run(ks_ctx *ctx, const ks_scenario *sc, const ks_param_range *ranges, size_t k,
                             const ks_endpoint *e, const ks_sens_options *opts, ks_sens_result *out);
KS_API void ks_sens_result_fini(ks_sens_result *r);

/* "Who responds": how much of the between-patient variance of a patient's outcome each covariate
 * explains, from one trial (given-data first-order index, ks_stats in sensitivity.h). */
typedef enum { KS_COV_AGE = 0, KS_COV_FEMALE, KS_COV_WEIGHT, KS_COV_CAPS5, KS_COV_MADRS, KS_COV_MDD, KS_COV_COMBAT,
               KS_COV_YEARS_SINCE_TRAUMA, KS_COV_SBP, KS_COV_HYPERTENSION, KS_COV_TREATMENT_RESISTANCE,
               KS_COV_N } ks_covariate;
KS_API const char *ks_covariate_name(ks_covariate c);
/** Short label for figures ("age", "CAPS-5", "MDD", "HTN", "TR" = treatment resistance). */
KS_API const char *ks_covariate_label(ks_covariate c);

typedef struct ks_who_responds {
  size_t n_patients;        /* with the outcome */
  double outcome_mean, outcome_sd;
  ks_given_data_index index[KS_COV_N];
} ks_who_responds;

/** Per-patient outcome of group E->group: the percent drop of the response scale from baseline
 *  at the response visit (100 = symptom-free), regressed on each covariate. With topts->comm over
 *  several processes the trial's patients are split over the ranks and only rank 0 gets *out
 *  filled (the others get it zeroed); every rank returns the same status. */
KS_API ks_status ks_who_responds_run(ks_ctx *ctx, const ks_scenario *sc, const ks_endpoint *e,
                                     const ks_trial_options *topts, size_t n_boot, ks_who_responds *out);

/* ---- regimen optimisation ------------------------------------------------------------------- */

/** Apply the decision vector X (ks_optimize_spec's variables, in ks_optimize_var order, only
 *  those present) to a copy of SC: the studied arm's regimen and therapy days. *out is a new
 *  scenario (validated by the loader) owned by CTX. @return KS_OK; KS_EINPUT (the regimen does
 *  not fit the study days, an unstudied dose). */
KS_API ks_status ks_regimen_apply(ks_ctx *ctx, const ks_scenario *sc, const ks_optimize_spec *spec, const double *x,
                                  ks_scenario **out);
/** Visits (distinct days with a dose or a therapy session in the studied arm) and total drug
 *  (mg/kg, or mg for fixed doses) of a regimen. */
KS_API void ks_regimen_burden(const ks_scenario *sc, int arm, double *n_visits, double *total_drug);

/** One evaluated regimen. */
typedef struct ks_opt_eval {
  double x[KS_OPT_VAR_N];   /* decision variables (integers rounded) */
  double objective;         /* the endpoint, as reported (not negated) */
  double objective2;        /* the second objective (Pareto), NaN when none */
  double constraint[KS_OPT_CON_N]; /* constraint quantities (NaN when not constrained) */
  int feasible;
} ks_opt_eval;

typedef struct ks_opt_options {
  /* Every regimen's trial. trial.comm (parallel.h) shares the search between processes: the
   * optimiser's evaluations are sequential (each point depends on the last value), so each
   * trial's patients are split over the ranks; rank 0 computes the endpoints and broadcasts them,
   * and every rank follows the same search. */
  ks_trial_options trial;
  ks_eval_log *log;        /* rank 0's is used */
  void (*progress)(void *ud, size_t done, const ks_opt_eval *last);
  void *progress_ud;
} ks_opt_options;

typedef struct ks_opt_result {
  size_t n_vars;
  ks_optimize_var vars[KS_OPT_VAR_N];   /* the variables in x order */
  ks_opt_eval *evals;                   /* every distinct regimen evaluated, in order */
  size_t n_evals;
  long best;                            /* index of the best feasible evaluation, or -1 */
  long *pareto;                         /* indices of the Pareto front (two objectives) */
  size_t n_pareto;
  size_t n_resumed;
  ks_ctx *ctx;
} ks_opt_result;

/** Search the regimen space of SPEC for the best value of its objective subject to its
 *  constraints: an exhaustive grid over the integer variables, NLopt over the continuous ones
 *  within each grid cell (from the middle of the box). With a second objective, an
 *  epsilon-constraint sweep of spec->pareto_points levels of it gives the Pareto front.
 *  @return KS_OK; KS_EINPUT; what ks_trial_run returns. */
KS_API ks_status ks_opt_run(ks_ctx *ctx, const ks_scenario *sc, const ks_optimize_spec *spec,
                            const ks_opt_options *opts, ks_opt_result *out);
KS_API void ks_opt_result_fini(ks_opt_result *r);

#ifdef __cplusplus
}
#endif
#endif
