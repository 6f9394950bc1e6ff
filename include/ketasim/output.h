/* SPDX-License-Identifier: MIT */
/* What a finished trial yields (src/output/): the files of the user contract (summary.json,
 * patients.csv, scenario.resolved.yaml, the streamed outputs and checkpoints of a large run, HDF5)
 * and the per-patient primary endpoint that the power analysis resamples.
 *
 * The statistics of a trial (ks_trial_summarise and friends, below) are computed in this module
 * too (src/output/summary.c, validate.c): they read a finished ks_trial_result, never the run. */
#ifndef KETASIM_OUTPUT_H
#define KETASIM_OUTPUT_H

#include <ketasim/core.h>
#include <ketasim/trial.h>
#include <ketasim/validate.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Write summary.json, patients.csv and scenario.resolved.yaml into DIR (created if needed),
 *  each atomically. run_wall_s and n_processes go under the "run" key only. A result streamed with
 *  ks_trial_stream_sink must get the stream's DIR (its patients.csv is moved into place).
 *  @return KS_OK, KS_EIO, KS_ENOMEM. Thread-safety: one call per result at a time. */
KS_API ks_status ks_trial_write(ks_ctx *ctx, const ks_trial_result *r, const char *dir,
                                double run_wall_s, int n_threads, int n_processes);

/** After a successful ks_trial_write() of a streamed run: remove DIR/.checkpoint and its data.
 *  Harmless when there is none. */
KS_API ks_status ks_trial_finish(ks_ctx *ctx, const ks_trial_result *r);

/** PATH (doses.csv): every dose of every patient in the NONMEM / nlmixr2 layout (ID, TIME h,
 *  AMT mg, RATE mg/h, EVID 1, CMT 2 central for IV or 1 depot, MDV 1, DRUG, ROUTE, PERIOD, ARM,
 *  WT kg, AGE y, SEX 1 female) with '# units:' and '# cmt:' lines, readable by ks_nm_read.
 *  Written atomically. @return KS_OK, KS_EIO, KS_ENOMEM. */
KS_API ks_status ks_trial_write_doses(ks_ctx *ctx, const ks_trial_result *r, const char *path);

/** DIR/patients_long.csv from DIR/patients.csv (written by ks_trial_write): one row per
 *  patient x visit x measure with the visit number and label, nominal and actual time (h; equal:
 *  visits are on schedule), nominal day, measure, value (empty when missing), unit, assessed
 *  (1/0) and after_dropout (1/0; dropout is read from the symptom scales a visit schedules, which
 *  are always recorded unless the patient has dropped out, and lasts). Not assessed and after
 *  dropout are thus told apart. Written atomically. @return KS_OK, KS_EIO, KS_ENOMEM. */
KS_API ks_status ks_trial_write_long(ks_ctx *ctx, const ks_trial_result *r, const char *dir);

/** 1 when this build can write HDF5 (ks_trial_options.hdf5_path), else 0. */
KS_API int ks_trial_hdf5_available(void);

/** The streaming sink of a large run (docs/scaling.md): with ks_trial_options.sink =
 *  &ks_trial_stream_sink and stream_dir = DIR, rank 0 appends patients.csv rows to
 *  DIR/.patients.csv.part as batches finish, logs them to DIR/.checkpoint.rows and checkpoints
 *  (checkpoint_every_patients / _s, and on cancel). resume = 1 continues from DIR/.checkpoint
 *  (refused, KS_EINPUT, when it belongs to another scenario, seed or n). Without resume, a
 *  checkpoint of another run in DIR is refused too (KS_EINPUT: the message says how to resume or
 *  discard it); a leftover checkpoint of the same run is replaced. */
KS_API extern const ks_trial_sink ks_trial_stream_sink;

/* ---- the statistics of a finished trial (src/output/summary.c) ---------------------------------- */

/** The summary: the statistics of the user contract (DESIGN.md), computed once per run. */
typedef struct ks_trial_arm_summary {
  char name[KS_SCENARIO_NAME_MAX];
  size_t n, n_completed;
  double baseline_mean[KS_SCALE_N], baseline_sd[KS_SCALE_N];
  size_t response_k, response_n;             /* responders / evaluable at the response visit */
  double response_rate, response_lo, response_hi;      /* Wilson 95% */
  size_t remission_k, remission_n;
  double remission_rate, remission_lo, remission_hi;   /* Wilson 95% */
  /* Durability (Kaplan-Meier): days from the response (or remission) visit to loss of response
   * (or relapse) among responders (remitters); the median and its 95% interval (R survfit,
   * conf.type "log"); NaN when not reached. */
  size_t durability_n, durability_events;
  double median_days_to_loss_of_response, median_days_lo, median_days_hi;
} ks_trial_arm_summary;

/** Contrasts of the secondary endpoints, arms[0] against arms[1] (parallel designs). Fields that
 *  cannot be computed are NaN. */
typedef struct ks_trial_secondary {
  int valid;                       /* 0 for crossover and single-arm designs */
  double response_diff, response_diff_lo, response_diff_hi, response_fisher_p;  /* Newcombe 95% */
  double remission_diff, remission_diff_lo, remission_diff_hi, remission_fisher_p;
  double durability_logrank_chi2, durability_logrank_p;
  /* Linear mixed model for repeated measures of the primary scale over the post-baseline visits
   * up to the primary visit: REML, random intercept and slope per patient, baseline covariate;
   * the arm difference at the primary day (Satterthwaite df). */
  int lmm_valid;
  double lmm_difference, lmm_ci_lo, lmm_ci_hi, lmm_p, lmm_slope_diff_per_day;
  size_t lmm_n_obs, lmm_n_subjects;
  /* Imaging subset (Norbury 2021): bootstrap 95% interval (2000 resamples) of r(FC change,
   * CAPS-5 improvement), and the AUC of baseline vmPFC-amygdala FC for response (DeLong 95%). */
  double imaging_r, imaging_r_lo, imaging_r_hi;
  size_t imaging_n;
  double baseline_fc_response_auc, baseline_fc_response_auc_lo, baseline_fc_response_auc_hi;
} ks_trial_secondary;

/** The secondary contrasts above; never fails on a statistic that cannot be computed (NaN). */
KS_API ks_status ks_trial_secondary_summarise(ks_ctx *ctx, const ks_trial_result *r, ks_trial_secondary *out);

typedef struct ks_trial_primary {
  int valid;
  ks_scen_scale scale;
  double day;
  char contrast[2 * KS_SCENARIO_NAME_MAX + 24];
  double difference, ci_lo, ci_hi, p, cohens_d, cohens_d_lo, cohens_d_hi, se;
  double df;                       /* of the test (Satterthwaite for the crossover model) */
  /* Effect sizes as papers define them: d on the pooled SD of the change (= cohens_d), d on the
   * pooled SD of the endpoint scores, Hedges' g (d on change x J(df)). Single arm: d_z = mean
   * change / SD of change (cohens_d and cohens_d_change_sd), g = J(n-1) d_z, no endpoint d. */
  double cohens_d_change_sd, cohens_d_endpoint_sd, hedges_g;
  /* Crossover: the period (period 2 - period 1) and sequence effects of the mixed model. */
  double period_effect, period_p, sequence_effect, sequence_p;
  char method[112];
} ks_trial_primary;

/** The primary analysis: ANCOVA on change with baseline as covariate (parallel designs: the
 *  scenario's first contrast, treatment arm minus control arm); a linear mixed model on the change
 *  from each period's baseline, y ~ treatment + period + sequence + (1 | patient), REML with
 *  Satterthwaite df (crossover: arms[0] minus arms[1]); the one-sample t test of the change from
 *  baseline (single arm). A statistic that cannot be computed (too few patients) leaves
 *  primary->valid at 0; that is not an error. */
KS_API ks_status ks_trial_summarise(ks_ctx *ctx, const ks_trial_result *r, ks_trial_primary *primary);

/** Every contrast of the scenario (parallel designs) in one ANCOVA on change with the baseline
 *  covariate, with the scenario's multiplicity adjustment. */
typedef struct ks_trial_contrast {
  int treat, ctrl;                 /* arm indices */
  char name[2 * KS_SCENARIO_NAME_MAX + 4];
  int valid;
  double difference, se, df, ci_lo, ci_hi, p;
  double p_adjusted, ci_adj_lo, ci_adj_hi;   /* Holm: p only (intervals unadjusted); Dunnett: simultaneous */
  double cohens_d_change_sd, cohens_d_endpoint_sd, hedges_g;
} ks_trial_contrast;

typedef struct ks_trial_contrasts {
  size_t n;
  ks_scen_multiplicity multiplicity;
  double critical_t;               /* of the (simultaneous) 95% intervals */
  double corr_max_error;           /* Dunnett: gap of the product-correlation form (0 exact) */
  ks_trial_contrast c[KS_SCENARIO_MAX_CONTRASTS];
} ks_trial_contrasts;

KS_API ks_status ks_trial_contrasts_summarise(ks_ctx *ctx, const ks_trial_result *r, ks_trial_contrasts *out);

/** Expectancy of arm A as the design sets it (src/trial/design.c, docs/model/design.md): the prior
 *  belief of receiving the active treatment, the belief after the first dose (functional
 *  unblinding), the value the clinic layer takes, and the arm's recognisability. */
typedef struct ks_trial_expectancy {
  double prior, after_first_dose, clinic, recognisability;
  double same_day;   /* of rapid improvement from the doses alone (mood's same-day response) */
} ks_trial_expectancy;
KS_API ks_status ks_trial_arm_expectancy(const ks_trial_result *r, size_t a, ks_trial_expectancy *out);

/** Number of randomised groups (arms; sequences for a crossover; 1 for a single arm) and their
 *  labels ("ketamine", or "ketamine-midazolam" for a crossover sequence). */
KS_API size_t ks_trial_n_groups(const ks_trial_result *r);
KS_API const char *ks_trial_group_label(const ks_trial_result *r, size_t g, char *buf, size_t n);
/** Per-group summary (baseline, completion, response, remission, durability). */
KS_API ks_status ks_trial_arm_summarise(ks_ctx *ctx, const ks_trial_result *r, size_t g,
                                        ks_trial_arm_summary *out);

/** Durability data of group G, by the rule of ks_trial_arm_summarise: among responders (or
 *  remitters) at the endpoint visit, days to the first later period-1 visit that no longer meets
 *  the endpoint (event 1), or to the last observed visit (censored, event 0). days and event hold
 *  ks_trial_n_patients(r) entries; *n gets the number written (0 when the scenario has no
 *  durability endpoint). *visit gets the endpoint visit (or -1); visit may be NULL. */
KS_API ks_status ks_trial_durability_data(ks_ctx *ctx, const ks_trial_result *r, size_t g, double *days, int *event,
                                          size_t *n, long *visit);

/* Trial-level targets are the trial library's rows (data/trials/library.tsv): `ketasim validate`
 * runs them (src/cli/validate_trials.c); there is no second, built-in list. */

/** The per-patient primary endpoint of a trial result, as ks_trial_summarise analyses it.
 *  Parallel designs: y = change from baseline at the primary visit, baseline = the baseline score.
 *  Crossover: y = change from each period's own baseline after arms[0] minus that after arms[1]
 *  (within patient; the raw scores when a period has no baseline visit), baseline NaN.
 *  NaN marks a patient without the endpoint (dropout). group = randomised group (arm; sequence
 *  for a crossover). Filled by ks_trial_endpoints_init, which owns the arrays until _fini. */
typedef struct ks_trial_endpoints {
  ks_ctx *ctx;             /* owner of the arrays */
  int paired;              /* 1: crossover, analysed with a paired t test */
  size_t n, n_groups;
  int *group;              /* [n] */
  double *y, *baseline;    /* [n] */
} ks_trial_endpoints;

/** Extract the primary endpoint of every patient of R into *out (a caller-allocated struct).
 *  @return KS_OK; KS_EINPUT (single-arm design, no primary endpoint, the primary visit or its
 *  baseline not in the schedule); KS_ENOMEM. *out is zeroed on failure. */
KS_API ks_status ks_trial_endpoints_init(ks_ctx *ctx, const ks_trial_result *r, ks_trial_endpoints *out);
/** Free the arrays of E and zero it; does nothing for a zeroed struct. */
KS_API void ks_trial_endpoints_fini(ks_trial_endpoints *e);

/** Result of the primary analysis on endpoint arrays. */
typedef struct ks_trial_test {
  int valid;                /* 0: not computable (too few patients with the endpoint, no variance) */
  size_t n_used;            /* patients with the endpoint */
  double difference, se, p; /* group 0 minus group 1 (arms[0] - arms[1]); two-sided p; NaN if !valid */
} ks_trial_test;

/** The primary analysis of ks_trial_summarise on plain arrays, for replicate loops.
 *  paired = 0: ANCOVA of y with baseline as covariate (ks_stats_ancova), group 0 minus group 1,
 *  other groups kept in the model; paired = 1 (crossover): the within-patient differences y
 *  adjusted for period with group = sequence, (mean y | seq 0 + mean y | seq 1) / 2 on n - 2 df,
 *  which is the random-intercept mixed model's treatment effect on complete pairs (baseline
 *  unused; group NULL: the one-sample t of y). NaN entries are missing. Does not allocate. An analysis that
 *  cannot be computed sets out->valid = 0 and returns KS_OK (a singular fit may leave a message
 *  in the context). Thread-safety: re-entrant.
 *  @return KS_OK, KS_EINVAL (NULL pointers). */
KS_API ks_status ks_trial_primary_test(ks_ctx *ctx, int paired, const double *y, const double *baseline,
                                       const int *group, size_t n, ks_trial_test *out);
/** The unpaired analysis of ks_trial_primary_test for the contrast group TREAT minus group CTRL
 *  (other groups kept in the model): a parallel scenario's primary contrast is its contrasts[0],
 *  the one ks_trial_summarise reports. @return KS_OK, KS_EINVAL (NULL pointers, treat == ctrl). */
KS_API ks_status ks_trial_contrast_test(ks_ctx *ctx, const double *y, const double *baseline, const int *group,
                                        size_t n, int treat, int ctrl, ks_trial_test *out);

#ifdef __cplusplus
}
#endif
#endif
