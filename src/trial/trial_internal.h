/* SPDX-License-Identifier: MIT */
/* What the trial module's files share: the plan of a run and the per-patient simulation. */
#ifndef KS_TRIAL_INTERNAL_H
#define KS_TRIAL_INTERNAL_H

#include "core/core_internal.h"
#include <math.h>
#include <stdio.h>
#include <ketasim/clinic.h>
#include <ketasim/fear.h>
#include <ketasim/link.h>
#include <ketasim/mood.h>
#include <ketasim/plasticity.h>
#include <ketasim/population.h>
#include <ketasim/receptor.h>
#include <ketasim/trial.h>

#define KS_VISIT_LABEL 40

/* One therapy session, resolved from the scenario (design.c): t_h on the study clock relative to
 * its period's start; what the fear layer gets: retrieval_min of trauma reactivation (0: none,
 * KS_FEAR_EXPOSURE_RETRIEVAL) and then exposure_min of extinction (KS_FEAR_EXPOSURE_THERAPY). */
typedef struct trial_session {
  double t_h;
  ks_scen_therapy_kind kind;
  double minutes;               /* the session's length as written */
  double exposure_min;          /* minutes of exposure the fear layer counts */
  double retrieval_min;         /* minutes of reactivation before the exposure (0: none) */
} trial_session;

/* What a therapy kind does in the fear layer (docs/model/design.md). */
typedef struct ks_trial_therapy_effect {
  double exposure_fraction;     /* share of the session's minutes that is exposure */
  double retrieval_min;         /* brief trauma reactivation before the exposure, minutes (0: none) */
} ks_trial_therapy_effect;
const ks_trial_therapy_effect *ks__trial_therapy_effect(ks_scen_therapy_kind k);

/* Per-arm plan: sessions in time order and the arm's expectancy (design.c). */
typedef struct trial_arm_plan {
  trial_session *sessions;
  size_t n_sessions;
  double expectancy_prior;           /* belief of receiving the active treatment, before any dose */
  double expectancy_after_first_dose; /* after functional unblinding by the first dose */
  double expectancy;                 /* what the clinic layer gets: the above / the reference, <= 1,
                                        combined with an open-label background antidepressant */
  double expectancy_same_day;        /* the doses' share only: the mood model's same-day response */
  double recognisability;            /* the arm's most recognisable drug, [0, 1] */
} trial_arm_plan;

/* Everything about a run that does not depend on the patient. Immutable during the patient loop. */
typedef struct trial_plan {
  const ks_scenario *sc;
  ks_population_params pop;
  uint64_t seed;
  uint64_t replicate;
  size_t n_periods;             /* 1, or 2 for a crossover */
  double period_offset_h;       /* start of period 2 on the study clock */
  size_t n_visits;
  double *visit_t_h;            /* study clock, ascending */
  unsigned *visit_scales;       /* bit s set: scale s assessed */
  int *visit_period;
  char (*visit_label)[KS_VISIT_LABEL];
  int *visit_day;               /* day relative to its period's start, for endpoint matching */
  double end_h;                 /* last visit */
  size_t n_imaged;              /* patients with index < n_imaged are scanned (the imaging subset) */
  int keep_trajectories;
  /* Doses given per patient instead of the regimen (ks_trial_options.doses_of); NULL: none. */
  const ks_pk_dose *(*doses_of)(void *ud, size_t patient, size_t *n);
  void *doses_ud;
  /* Layer parameters shared by every patient (read-only during the loop). */
  ks_clinic_model *clinic;
  ks_receptor_params receptor;
  ks_cascade_params cascade;
  ks_fear_params fear;
  ks_acute_params acute;
  ks_link_params link;           /* the joins between layers (docs/model/link.md) */
  ks_mood_params mood;
  trial_arm_plan *arms;         /* [n_arms]: sessions and expectancy (design.c) */
  size_t n_arms;
} trial_plan;

/* ---- design (design.c) ---------------------------------------------------------------------- */
#define KS_TRIAL_NOTE_LEN 320
/* 1 when arm ARM gives ketamine or esketamine. */
int ks__trial_arm_has_active_drug(const ks_scenario *sc, size_t arm);
/* The arm's most recognisable drug (0 for an arm without doses). */
double ks__trial_arm_recognisability(const ks_scenario *sc, size_t arm);
/* Prior expectancy of arm ARM: the belief of receiving the active treatment, from the blinding and
 * the allocation (open label: 1 for a treated arm, 0 for waitlist; blinded: the allocation share
 * of the active-drug arms among the infused arms). */
double ks__trial_arm_expectancy(const trial_plan *plan, size_t arm);
/* The belief after one dose (Bayes over noticing the acute effects): PRIOR, the arm's own drug's
 * recognisability R_ARM, and those of the active-drug and control arms. */
double ks__trial_expectancy_after_dose(double prior, double r_arm, double r_active, double r_control);
double ks__trial_arm_expectancy_after_first_dose(const trial_plan *plan, size_t arm);
/* The expectancy the clinic layer takes for a patient of arm ARM (ks_clinic_patient_draw), in
 * [0, 1]: the belief after the first dose relative to the reference trial the placebo response was
 * calibrated on (double-blind ketamine vs midazolam, Feder 2021), capped at 1. */
double ks__trial_patient_expectancy(const trial_plan *plan, size_t arm);
/* The expectation of rapid improvement from the arm's doses alone (the same-day response of the
 * mood model): ks__trial_patient_expectancy without the background antidepressant. */
double ks__trial_patient_expectancy_same_day(const trial_plan *plan, size_t arm);
/* 1 while a patient randomised to ARM (a sequence in a crossover) takes the background oral
 * antidepressant of the arm of the period containing t_h (arm key `background`), else 0. */
double ks__trial_background_at(const trial_plan *plan, int arm, double t_h);
/* Randomized withdrawal (scenario induction): 0 when visit V is on the induction's last day and the
 * patient, whose values so far are VALUES (visit-major, KS_M_N per visit), does not meet the
 * selection rule (remission or response by the scenario's endpoint); 1 otherwise. */
int ks__trial_selected(const trial_plan *plan, size_t v, const double *values);
/* Notes about the design for summary.json and the report (functional unblinding, ...). */
size_t ks__trial_design_notes(const ks_scenario *sc, char (*notes)[KS_TRIAL_NOTE_LEN], size_t cap);
/* Resolve plan->arms (sessions, expectancy); free it. */
ks_status ks__trial_plan_arms(ks_ctx *ctx, trial_plan *plan);
void ks__trial_plan_arms_free(ks_ctx *ctx, trial_plan *plan);

/* One randomised patient. */
typedef struct trial_patient {
  size_t index;                 /* 0..n-1 in the trial */
  ks_patient cov;               /* covariates (cov.id is the candidate id: the stream entity) */
  int arm;                      /* parallel: arm; crossover: sequence (0: arms[0] first) */
} trial_patient;

struct ks_trial_result {
  ks_ctx *ctx;
  const ks_scenario *sc;
  trial_plan plan;
  size_t n;
  trial_patient *patients;
  double *values;               /* [n][n_visits][KS_M_N]; streamed: [n][n_visits][n_kept] */
  size_t n_screened;
  /* Scale-out (batch.c). A streamed run keeps only the measures of ks__trial_kept_measures its design assesses;
   * the others went to its sink (patients.csv/HDF5) batch by batch. */
  int streamed;
  size_t n_kept;
  signed char kept_slot[KS_M_N]; /* streamed: slot of measure m in values, -1 when not kept */
  size_t n_resumed;             /* patients restored from a checkpoint */
  const ks_trial_sink *sink;     /* ks_trial_options.sink (rank 0 only), or NULL */
  void *sink_state;             /* what sink->open made */
};

/* Value of measure m for patient i at visit v, from the full or the streamed (kept) layout. */
static inline double ks__trial_val(const ks_trial_result *r, size_t i, size_t v, int m) {
  if (!r->streamed) return r->values[(i * r->plan.n_visits + v) * KS_M_N + (size_t)m];
  int s = r->kept_slot[m];
  return s < 0 ? (double)NAN : r->values[(i * r->plan.n_visits + v) * r->n_kept + (size_t)s];
}

/* Measures a streamed run may keep in memory: those output/summary.c and the report read; of these
 * a run keeps the ones its design assesses (ks__trial_set_layout). A statistic that reads another
 * measure must add it here (else it sees NaN in streamed runs). */
extern const ks_measure ks__trial_kept_measures[];
extern const size_t ks__trial_n_kept_measures;

/* The batch loop (batch.c): simulate patients r->n_resumed..n-1 in batches, split across the
 * processes of o->comm, and on rank 0 keep values / stream them. */
ks_status ks__trial_run_batches(ks_ctx *ctx, ks_trial_result *r, const ks_trial_options *o);
/* Store the kept measures of patients first..first+count-1 (vals: row blocks) in r->values. */
void ks__trial_keep_values(ks_trial_result *r, size_t first, size_t count, const double *vals);
/* The run's value layout (full, or the kept measures when o->stream_dir is set). */
void ks__trial_set_layout(ks_trial_result *r, const ks_trial_options *o);
/* Refuse (KS_ERANGE, with what would fit) a run whose least memory exceeds o->max_memory_bytes;
 * called once n and the schedule are known, before anything is allocated or written. */
ks_status ks__trial_check_memory(ks_ctx *ctx, const ks_trial_result *r, const ks_trial_options *o);
/* Allocate r->values for the run's layout (full, or the kept measures when o->stream_dir is set;
 * nothing on ranks other than 0). Called by the setup once the schedule and n are known. */
ks_status ks__trial_alloc_values(ks_ctx *ctx, ks_trial_result *r, const ks_trial_options *o);

/* The doses of patient PT, every period, in regimen order (tidy.c); *out allocated via ctx. */
ks_status ks__trial_patient_doses(ks_ctx *ctx, const trial_plan *plan, const trial_patient *pt,
                                  ks_pk_dose **out, size_t *n_out);

/* 1 when visit v's values (vals[KS_M_N]) show that the patient has dropped out: a symptom scale
 * the visit schedules is missing (tidy.c). Dropout is never at baseline and lasts. */
int ks__trial_dropout_seen(const trial_plan *plan, size_t v, const double *vals);

/* Patients 0..n-1 from rows of a covariate table, without screening (enrol_table.c). */
ks_status ks__trial_table_patients(ks_ctx *ctx, const trial_plan *plan,
                                   const ks_population_table *t, size_t n, trial_patient *out,
                                   size_t *n_screened);

/* Size of the imaging subset of a trial of n patients (patients 0..k-1 are scanned): the
 * scenario's imaging.n, or ceil(imaging.fraction * n), or n when it sets neither. */
size_t ks__trial_imaging_subset(const ks_scenario *sc, size_t n);

/* Randomised groups: arms (parallel), sequences (crossover: 2) or 1 (single arm). */
size_t ks__trial_n_groups(const ks_scenario *sc);

/* The arm treated in PERIOD by a patient in arm/sequence ARM. */
int ks__trial_period_arm(const trial_plan *plan, int arm, size_t period);

/* Everything of a run before the patient loop: population, visit schedule, layer parameters,
 * screening and randomisation of opts->n_patients (or the scenario's n) patients. *out is a
 * result whose values are not yet filled. */
ks_status ks__trial_setup(ks_ctx *ctx, const ks_scenario *sc, const ks_trial_options *opts, ks_trial_result **out);

/* The full trajectory of one patient (trace.c); NULL in normal runs. */
typedef struct ks_trial_trace trial_trace;

/* Simulate one patient through every layer and fill values[n_visits][KS_M_N] (NaN where not
 * assessed). Pure function of (plan, patient): no shared mutable state. When trace is not NULL,
 * every layer's trajectory is recorded into it as well (the values are the same either way). */
ks_status ks__trial_simulate_patient(ks_ctx *ctx, const trial_plan *plan, const trial_patient *pt,
                                     double *values, trial_trace *trace);

/* Trace hooks (trace.c), called by ks__trial_simulate_patient when its trace is not NULL.
 * begin: once the PK, the cascade and the patient's draws are known: records the covariates, the
 * doses, the concentrations with receptor state and acute effects (every minute around doses,
 * hourly elsewhere) and the hourly cascade. step: at time 0 and after every fear-memory step
 * (the drive held over the step, the fear-memory state and the latent symptom severities). */
ks_status ks__trace_begin(ks_ctx *ctx, trial_trace *tr, const trial_plan *plan, const trial_patient *pt,
                          const ks_cascade_params *cp, const ks_pk_sim *pk, const ks_pk_dose *doses,
                          size_t n_doses, const ks_cascade_point *cas, size_t n_cas, const ks_acute_patient *apt);
ks_status ks__trace_step(ks_ctx *ctx, trial_trace *tr, double t_h, const ks_fear_drive *fd, const ks_fear *fear,
                         const ks_clinic_latent *lat);
/* visit_latent: the latent severities visit v's scores were generated from (not after dropout). */
void ks__trace_visit_latent(trial_trace *tr, size_t v, const ks_clinic_latent *lat);

#endif
