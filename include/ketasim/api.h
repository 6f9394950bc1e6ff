/* SPDX-License-Identifier: MIT */
/* Flat tables for bindings (Python's ctypes, R's .C, Julia's ccall): one call per question, the
 * answer as an owned table of doubles with a name and a unit per column. No struct crosses this
 * boundary by value and every argument is a string with its unit ("0.5 mg/kg", "40 min") or a
 * plain number, so a binding needs no mirror of the library's structs.
 *
 *   ks_api_pk       concentrations of one regimen for the typical patient (as `ketasim pk`)
 *   ks_api_cascade  receptor and plasticity states of one regimen (as `ketasim cascade`)
 *   ks_api_trial    every patient x visit x measure of a trial result (patients.csv, wide)
 *   ks_api_trace    one table of a patient's trace (`ketasim patient`), copied
 *
 * Errors: a status; the context's last error (ks_ctx_last_error) says what was wrong in one line.
 * Tables are owned by the caller: ks_table_destroy. Thread-safety: as the functions they call. */
#ifndef KETASIM_API_H
#define KETASIM_API_H

#include <ketasim/core.h>
#include <ketasim/trial.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ks_table ks_table;

KS_API size_t ks_table_n_rows(const ks_table *t);
KS_API size_t ks_table_n_cols(const ks_table *t);
/** Column name and unit ("1" dimensionless); NULL when out of range. */
KS_API const char *ks_table_col_name(const ks_table *t, size_t c);
KS_API const char *ks_table_col_unit(const ks_table *t, size_t c);
/** Row-major data, n_rows x n_cols; NaN where a value does not exist. */
KS_API const double *ks_table_data(const ks_table *t);
KS_API void ks_table_destroy(ks_table **t);

/** A context with default options, this root SEED and N_THREADS (0: OpenMP's default), logging
 *  only errors. @return KS_OK, KS_EINVAL, KS_ENOMEM. */
KS_API ks_status ks_api_ctx_create(uint64_t seed, int n_threads, ks_ctx **out);

/** ks_trial_run with default options but N_PATIENTS (> 0 overrides the scenario's population n)
 *  and N_THREADS (0: the context's). @return as ks_trial_run. */
KS_API ks_status ks_api_trial_run(ks_ctx *ctx, const ks_scenario *sc, long n_patients, int n_threads,
                                  ks_trial_result **out);

/** One regimen: DRUG ketamine | esketamine | midazolam; ROUTE iv | im | intranasal | oral |
 *  sublingual | rectal; DOSE an amount ("35 mg") or per body weight ("0.5 mg/kg"); INFUSION a
 *  time ("40 min") or NULL/"" for a bolus (iv only); WEIGHT a body mass ("70 kg") or NULL for
 *  70 kg; REPEAT doses EVERY apart (repeat 1 and every NULL for one dose). MODEL a published
 *  parameter set (ks_pk_model_name) or NULL for the drug's default. Doses outside the studied
 *  range are refused unless ALLOW_UNSTUDIED is non-zero. */
typedef struct ks_api_regimen {
  const char *drug, *route, *dose, *infusion, *weight, *every, *model;
  int repeat;
  int allow_unstudied;
} ks_api_regimen;

/** Concentrations from 0 to DURATION_H every STEP_H hours: t_h, then per species the plasma,
 *  effect-site (ng/mL) and unbound brain (uM) concentrations. @return KS_OK; KS_EINPUT (a bad
 *  regimen field, with the field named in the last error); KS_ENOMEM. */
KS_API ks_status ks_api_pk(ks_ctx *ctx, const ks_api_regimen *reg, double duration_h, double step_h,
                           ks_table **out);

/** Receptor and plasticity cascade from 0 to DURATION_H every STEP_H hours: t_h then every
 *  field of ks_cascade_point. DEFICIT: the PFC spine deficit (0-0.6; < 0 for the default).
 *  @return as ks_api_pk, and KS_ESOLVER when the ODE solver fails. */
KS_API ks_status ks_api_cascade(ks_ctx *ctx, const ks_api_regimen *reg, double duration_h, double step_h,
                                double deficit, ks_table **out);

/** Every patient x visit of a trial result: columns patient (1-based), arm (0-based group),
 *  visit (0-based), t_h, then every measure (ks_measure_name), one row per patient x visit.
 *  @return KS_OK, KS_EINVAL, KS_ENOMEM. */
KS_API ks_status ks_api_trial(ks_ctx *ctx, const ks_trial_result *r, ks_table **out);

/** A copy of the trace table called NAME ("patient", "doses", "pk", "cascade", "fear",
 *  "visits"). @return KS_OK; KS_EINPUT (no such table); KS_ENOMEM. */
KS_API ks_status ks_api_trace(ks_ctx *ctx, const ks_trial_trace *t, const char *name, ks_table **out);

#ifdef __cplusplus
}
#endif
#endif
