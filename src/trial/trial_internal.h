/* SPDX-License-Identifier: MIT */
/* What the trial module's files share: the plan of a run and the per-patient simulation. */
#ifndef KS_TRIAL_INTERNAL_H
#define KS_TRIAL_INTERNAL_H

#include "core/core_internal.h"
#include <ketasim/clinic.h>
#include <ketasim/fear.h>
#include <ketasim/plasticity.h>
#include <ketasim/population.h>
#include <ketasim/receptor.h>
#include <ketasim/trial.h>

#define KS_VISIT_LABEL 24

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
  int keep_trajectories;
  /* Layer parameters shared by every patient (read-only during the loop). */
  ks_clinic_model *clinic;
  ks_receptor_params receptor;
  ks_cascade_params cascade;
  ks_fear_params fear;
  ks_acute_params acute;
} trial_plan;

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
  double *values;               /* [n][n_visits][KS_M_N] */
  size_t n_screened;
};

/* Randomised groups: arms (parallel), sequences (crossover: 2) or 1 (single arm). */
size_t ks__trial_n_groups(const ks_scenario *sc);

/* Pearson r, over the imaging subset (or group ARM_ONLY when >= 0), between the change in
 * vmPFC-amygdala FC and the CAPS-5 improvement from the first to the last scan; NaN when it cannot
 * be computed. */
double ks__trial_imaging_r(ks_ctx *ctx, const ks_trial_result *r, int arm_only);

/* The arm treated in PERIOD by a patient in arm/sequence ARM. */
int ks__trial_period_arm(const trial_plan *plan, int arm, size_t period);

/* Simulate one patient through every layer and fill values[n_visits][KS_M_N] (NaN where not
 * assessed). Pure function of (plan, patient): no shared mutable state. */
ks_status ks__trial_simulate_patient(ks_ctx *ctx, const trial_plan *plan, const trial_patient *pt,
                                     double *values);

#endif
