/* SPDX-License-Identifier: MIT */
/* Virtual clinical trials: screening, randomisation, every layer per patient, visits, dropout,
 * and the statistics of the published endpoints.
 *
 * ks_trial_run() simulates every patient of a scenario (in parallel over patients; patient k's
 * result depends only on the scenario, the seed and k, so any thread count gives the same bytes)
 * and ks_trial_write() writes summary.json, patients.csv and scenario.resolved.yaml. */
#ifndef KETASIM_TRIAL_H
#define KETASIM_TRIAL_H

#include <ketasim/core.h>
#include <ketasim/scenario.h>
#include <ketasim/validate.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ks_trial_options {
  int n_threads;                 /* 0: OpenMP's default */
  long n_patients;               /* > 0: override the scenario's population n (power analysis) */
  uint64_t replicate;            /* replicate index: keys every stream, 0 for a single trial */
  int keep_trajectories;         /* 1: keep each patient's daily trajectory (ks_trial_patient) */
  /* Progress: called from the calling thread only, done and total in patients. May be NULL. */
  void (*progress)(void *ud, size_t done, size_t total);
  void *progress_ud;
} ks_trial_options;

typedef struct ks_trial_result ks_trial_result;

KS_API ks_trial_options ks_trial_options_default(void);

/** Threads the patient loop uses when n_threads is 0 (OpenMP's default, or 1 without OpenMP). */
KS_API int ks_trial_default_threads(void);

/** The scenario a result was run from (borrowed). */
KS_API const ks_scenario *ks_trial_scenario(const ks_trial_result *r);

/* Measures recorded at each visit of each patient (columns of patients.csv). */
typedef enum {
  KS_M_CAPS5 = 0, KS_M_CAPS5_B, KS_M_CAPS5_C, KS_M_CAPS5_D, KS_M_CAPS5_E,
  KS_M_PCL5, KS_M_IESR, KS_M_MADRS, KS_M_CADSS,
  KS_M_FC_VMPFC_AMYGDALA,        /* Fisher z, at scan visits */
  KS_M_WINDOW, KS_M_GAIN_VMPFC_AMYGDALA, KS_M_SPINE_PFC, KS_M_FEAR, KS_M_AVOIDANCE,
  KS_M_SBP_PEAK, KS_M_DBP_PEAK,  /* on infusion days: peak during the session, mmHg */
  KS_M_N
} ks_measure;

KS_API const char *ks_measure_name(ks_measure m);


/** Run the trial of scenario SC. Writes *out only on success.
 *  @return KS_OK, KS_EINPUT (a dose outside the studied range, a scenario the layers refuse; the
 *  message names the arm), KS_ESOLVER/KS_ENUMERIC (with the patient), KS_ENOMEM.
 *  Thread-safety: uses the context from several threads (allocation and errors are safe). */
KS_API ks_status ks_trial_run(ks_ctx *ctx, const ks_scenario *sc, const ks_trial_options *opts,
                              ks_trial_result **out);
KS_API void ks_trial_result_destroy(ks_trial_result **r);

/* Read access to the results. */
KS_API size_t ks_trial_n_patients(const ks_trial_result *r);
KS_API size_t ks_trial_n_visits(const ks_trial_result *r);
/** Study-clock hours and label ("day 14", "24 h", "P2 day 1") of visit v. */
KS_API double ks_trial_visit_t_h(const ks_trial_result *r, size_t v);
KS_API const char *ks_trial_visit_label(const ks_trial_result *r, size_t v);
/** Arm index of patient i (for a crossover, the sequence: 0 = arms[0] first). */
KS_API int ks_trial_patient_arm(const ks_trial_result *r, size_t i);
/** Value of measure m for patient i at visit v; NaN when not assessed or after dropout. */
KS_API double ks_trial_value(const ks_trial_result *r, size_t i, size_t v, ks_measure m);

/** The summary: the statistics of the user contract (DESIGN.md), computed once per run. */
typedef struct ks_trial_arm_summary {
  char name[KS_SCENARIO_NAME_MAX];
  size_t n, n_completed;
  double baseline_mean[KS_SCALE_N], baseline_sd[KS_SCALE_N];
  double response_rate, response_lo, response_hi;
  double remission_rate;
  double median_days_to_loss_of_response;   /* NaN when not reached */
} ks_trial_arm_summary;

typedef struct ks_trial_primary {
  int valid;
  ks_scen_scale scale;
  double day;
  char contrast[2 * KS_SCENARIO_NAME_MAX + 4];
  double difference, ci_lo, ci_hi, p, cohens_d, cohens_d_lo, cohens_d_hi, se;
  char method[48];                 /* "ANCOVA (baseline)" or "paired t (crossover)" */
} ks_trial_primary;

/** The primary contrast: ANCOVA on change with baseline as covariate (parallel designs, arms[0]
 *  minus arms[1]) or a paired t test of the within-patient difference (crossover). A statistic
 *  that cannot be computed (too few patients) leaves primary->valid at 0; that is not an error. */
KS_API ks_status ks_trial_summarise(ks_ctx *ctx, const ks_trial_result *r, ks_trial_primary *primary);

/** Number of randomised groups (arms; sequences for a crossover; 1 for a single arm) and their
 *  labels ("ketamine", or "ketamine-midazolam" for a crossover sequence). */
KS_API size_t ks_trial_n_groups(const ks_trial_result *r);
KS_API const char *ks_trial_group_label(const ks_trial_result *r, size_t g, char *buf, size_t n);
/** Per-group summary (baseline, completion, response, remission, durability). */
KS_API ks_status ks_trial_arm_summarise(ks_ctx *ctx, const ks_trial_result *r, size_t g,
                                        ks_trial_arm_summary *out);

/** Write summary.json, patients.csv and scenario.resolved.yaml into DIR (created if needed),
 *  each atomically. run_wall_s and n_processes go under the "run" key only. */
KS_API ks_status ks_trial_write(ks_ctx *ctx, const ks_trial_result *r, const char *dir,
                                double run_wall_s, int n_threads, int n_processes);

/** Trial-level targets (Feder 2021, Feder 2014, Norbury 2021) from large virtual samples
 *  (300 per arm; about a minute on 2 cores). Appends entries as validate.h describes. */
KS_API ks_status ks_trial_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
