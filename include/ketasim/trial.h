/* SPDX-License-Identifier: MIT */
/* Virtual clinical trials: screening, randomisation, every layer per patient, visits, dropout,
 * and the statistics of the published endpoints.
 *
 * ks_trial_run() simulates every patient of a scenario (in parallel over patients; patient k's
 * result depends only on the scenario, the seed and k, so any thread count gives the same bytes)
 * and ks_trial_write() writes summary.json, patients.csv and scenario.resolved.yaml. */
#ifndef KETASIM_TRIAL_H
#define KETASIM_TRIAL_H

#include <signal.h>

#include <ketasim/circuit.h>
#include <ketasim/core.h>
#include <ketasim/plasticity.h>
#include <ketasim/scenario.h>
#include <ketasim/validate.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ks_trial_comm;

typedef struct ks_trial_options {
  int n_threads;                 /* 0: OpenMP's default */
  long n_patients;               /* > 0: override the scenario's population n (power analysis) */
  uint64_t replicate;            /* replicate index: keys every stream, 0 for a single trial */
  int keep_trajectories;         /* 1: keep each patient's daily trajectory (ks_trial_patient) */
  /* Progress: called from the calling thread only, done and total in patients. May be NULL. */
  void (*progress)(void *ud, size_t done, size_t total);
  void *progress_ud;
  /* Scale-out (docs/scaling.md). All of these are optional; zero/NULL keeps the in-memory run. */
  const struct ks_trial_comm *comm; /* processes sharing the run (MPI, see parallel.h); NULL: one */
  const char *stream_dir;        /* non-NULL: stream patients.csv rows (and checkpoints) into this
                                    directory as batches finish, and keep in memory only the
                                    measures the summary and report read (ks_trial_value gives NaN
                                    for the others). ks_trial_write() must then get the same DIR. */
  const char *hdf5_path;         /* with stream_dir: per-patient data in HDF5 (ks_trial_write) */
  size_t batch_patients;         /* patients per batch; 0: automatic (64 per worker, memory-capped) */
  size_t max_memory_bytes;       /* 0: no limit; else refuse (KS_ERANGE) a run that cannot fit */
  long checkpoint_every_patients; /* with stream_dir: checkpoint after this many patients (0: off) */
  double checkpoint_every_s;     /* with stream_dir: checkpoint at the first batch end after this
                                    many seconds since the last (0: off) */
  int resume;                    /* 1: continue from stream_dir/.checkpoint (refused, KS_EINPUT,
                                    when it belongs to another scenario, seed or n) */
  const volatile sig_atomic_t *cancel; /* polled at batch ends; non-zero: write a checkpoint (when
                                    streaming) and return KS_EINTERRUPTED */
  const struct ks_link_params *link; /* the joins between layers; NULL: ks_link_params_default()
                                    (ablations switch routes off here: docs/model/link.md) */
  /* Non-NULL: patient k is row k of this covariate table (ks_population_table_read), enrolled
   * without screening; at most its number of rows patients (KS_EINPUT otherwise). Borrowed. */
  const struct ks_population_table *population_table;
  /* Non-NULL: patient k's (0-based) doses are doses_of(doses_ud, k, &n) instead of their arm's
   * regimen ("give these patients these doses"; the array stays owned by the caller and must
   * live through the run). Visits, therapy and endpoints keep the scenario's schedule; the dose
   * checks (studied range) still apply. Called from worker threads: must be thread-safe. */
  const ks_pk_dose *(*doses_of)(void *doses_ud, size_t patient, size_t *n);
  void *doses_ud;
} ks_trial_options;

/* Processes sharing one run. Patients are split across ranks in contiguous blocks within each
 * batch; rank 0 gathers every batch (in patient order) and alone writes files. The callbacks are
 * collective: every rank calls them in the same order. src/parallel fills one over MPI. */
typedef struct ks_trial_comm {
  int rank, size;
  void *ud;
  /* Rank 0 receives each rank's n_send doubles, in rank order, into recv (counts[r] from rank r);
   * other ranks pass recv and counts as NULL. */
  ks_status (*gather)(void *ud, const double *send, size_t n_send, double *recv, const size_t *counts);
  /* Every rank passes v and gets the maximum over ranks. */
  long (*agree_max)(void *ud, long v);
} ks_trial_comm;

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
/** Unit of a measure ("points" for scale totals, "mmHg", "1" for dimensionless states). */
KS_API const char *ks_measure_unit(ks_measure m);


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
} ks_trial_expectancy;
KS_API ks_status ks_trial_arm_expectancy(const ks_trial_result *r, size_t a, ks_trial_expectancy *out);

/** Number of randomised groups (arms; sequences for a crossover; 1 for a single arm) and their
 *  labels ("ketamine", or "ketamine-midazolam" for a crossover sequence). */
KS_API size_t ks_trial_n_groups(const ks_trial_result *r);
KS_API const char *ks_trial_group_label(const ks_trial_result *r, size_t g, char *buf, size_t n);
/** Per-group summary (baseline, completion, response, remission, durability). */
KS_API ks_status ks_trial_arm_summarise(ks_ctx *ctx, const ks_trial_result *r, size_t g,
                                        ks_trial_arm_summary *out);

/** The circuit drive of a cascade state, as the trial layer builds it for every patient: NMDA
 *  block on the E and I pools and GABA-A potentiation from the receptor layer, pathway gains and
 *  PFC spine density from the plasticity layer; threat input at its baseline default. */
KS_API ks_circuit_drive ks_trial_circuit_drive(const ks_cascade_point *p);

/** The measure holding the total of symptom scale S (CAPS-5 ... CADSS), or -1 (scans). */
KS_API int ks_trial_scale_measure(ks_scen_scale s);

/** Durability data of group G, by the rule of ks_trial_arm_summarise: among responders (or
 *  remitters) at the endpoint visit, days to the first later period-1 visit that no longer meets
 *  the endpoint (event 1), or to the last observed visit (censored, event 0). days and event hold
 *  ks_trial_n_patients(r) entries; *n gets the number written (0 when the scenario has no
 *  durability endpoint). *visit gets the endpoint visit (or -1); visit may be NULL. */
KS_API ks_status ks_trial_durability_data(ks_ctx *ctx, const ks_trial_result *r, size_t g, double *days, int *event,
                                          size_t *n, long *visit);

/** Write summary.json, patients.csv and scenario.resolved.yaml into DIR (created if needed),
 *  each atomically. run_wall_s and n_processes go under the "run" key only. */
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

/** Patients already finished in DIR's checkpoint on resume (0 when not resumed). */
KS_API size_t ks_trial_n_resumed(const ks_trial_result *r);

/** Trial-level targets (Feder 2021, Feder 2014, Norbury 2021) from large virtual samples
 *  (2000 per arm; a few minutes on 2 cores). Appends entries as validate.h describes. */
KS_API ks_status ks_trial_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n);

/* ---- one patient's full trajectory (`ketasim patient`; src/trial/trace.c) -------------------- */

/** A plain table of a trace: n_rows x n_cols doubles, row-major (data[r * n_cols + c]), with a
 *  name and a unit per column ("1" for dimensionless, "theta" for IRT units). NaN where a value
 *  does not exist (a scale not assessed at a visit, after dropout). Borrowed from the trace. */
typedef struct ks_trace_table {
  const char *name;
  size_t n_rows, n_cols;
  const char *const *col_names;
  const char *const *col_units;
  const double *data;
} ks_trace_table;

typedef struct ks_trial_trace ks_trial_trace;

/** Simulate one patient of scenario SC through every layer and record its trajectory. PATIENT is
 *  1-based: the patient of rows "patient = PATIENT" of patients.csv from ks_trial_run /
 *  `ketasim run` with the same scenario, seed, opts->replicate and opts->n_patients (same
 *  covariates, same random streams, same allocation), so the values at visits are identical.
 *  ARM: -1 for the randomised arm; otherwise the arm (parallel) or sequence (crossover, 0 =
 *  arms[0] first) to simulate instead, a counterfactual with everything else unchanged. opts may
 *  be NULL (defaults); only its replicate and n_patients are used. The tables, in order:
 *   "patient"  one row: covariates and the patient's drawn layer parameters;
 *   "doses"    one row per administration (start, infusion, mg, drug, route);
 *   "pk"       plasma, effect-site and unbound brain concentrations per species, NMDA occupancy and
 *              block, GABA-A potentiation, expected CADSS, blood pressure and heart rate, every
 *              minute from each dose's start to 3 h after its end and every hour elsewhere;
 *   "cascade"  every state and observable of the plasticity cascade (ks_cascade_point), hourly;
 *   "fear"     fear memory (association, extinction, expression, avoidance), its drive (W, gain,
 *              context) and the latent severities of CAPS-5 clusters B-E and depression, at 0 and
 *              after every fear-memory step (6 h, and at visits);
 *   "visits"   the patients.csv measures at every visit and the latent severities there.
 *  Writes *out only on success.
 *  @return KS_OK; KS_EINPUT (PATIENT outside 1..n, ARM outside the groups, or what ks_trial_run
 *  would refuse); KS_ESOLVER/KS_ENUMERIC; KS_ENOMEM. Thread-safety: as ks_trial_run. */
KS_API ks_status ks_trial_patient_trace(ks_ctx *ctx, const ks_scenario *sc, const ks_trial_options *opts,
                                        size_t patient, int arm, ks_trial_trace **out);
KS_API void ks_trial_trace_destroy(ks_trial_trace **t);
/** Number of tables and table i (NULL when out of range), or the table called NAME (NULL if none). */
KS_API size_t ks_trial_trace_n_tables(const ks_trial_trace *t);
KS_API const ks_trace_table *ks_trial_trace_table(const ks_trial_trace *t, size_t i);
KS_API const ks_trace_table *ks_trial_trace_find(const ks_trial_trace *t, const char *name);
/** Index of the column called NAME in a table, or -1. */
KS_API int ks_trace_table_column(const ks_trace_table *tab, const char *name);
/** The simulated arm/sequence and the one the patient was randomised to. */
KS_API int ks_trial_trace_arm(const ks_trial_trace *t);
KS_API int ks_trial_trace_randomised_arm(const ks_trial_trace *t);
/** Label of visit v ("day 14", "24 h"), as in patients.csv; "" when out of range. */
KS_API const char *ks_trial_trace_visit_label(const ks_trial_trace *t, size_t v);

/* ---- Power of the primary endpoint (src/trial/power.c; `ketasim power`) -------------------- */

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

/** Options of ks_trial_power. Zero-initialise, then set n_per_group, n_sizes and n_replicates. */
typedef struct ks_power_options {
  const long *n_per_group;  /* sample sizes, patients randomised per group (>= 2); with unequal
                               allocation a group of ratio q gets round(n q / q_min) */
  size_t n_sizes;
  size_t n_replicates;      /* trials per sample size, > 0 */
  double alpha;             /* two-sided significance level in (0, 1); 0: 0.05 */
  long pool_per_group;      /* resampling pool of the smallest group; 0: max(2000, 10 x largest n) */
  int fresh;                /* 1: simulate fresh patients for every replicate (slow; no pool) */
  int n_threads;            /* 0: the context's setting, else OpenMP's default */
  /* Progress, from the calling thread only; stage is "pool", "replicates" or "trials". */
  void (*progress)(void *ud, const char *stage, size_t done, size_t total);
  void *progress_ud;
} ks_power_options;

/** Power at one sample size. */
typedef struct ks_power_point {
  long n_per_group;
  size_t n_replicates, n_rejected, n_invalid; /* invalid replicates count as not rejected */
  double power, power_lo, power_hi;           /* share with p < alpha; Wilson 95% interval */
  double mean_difference;                     /* mean primary difference over valid replicates (NaN: none) */
} ks_power_point;

#define KS_POWER_MAX_GROUPS 16

/** What ks_trial_power did besides the points. */
typedef struct ks_power_info {
  int fresh, paired;
  size_t n_groups;
  size_t pool_n[KS_POWER_MAX_GROUPS];  /* patients per group in the pool (0 when fresh) */
  size_t pool_total;
  ks_trial_test pool_test;             /* ks_trial_primary_test on the whole pool */
  ks_trial_primary pool_primary;       /* ks_trial_summarise of the pool, the same analysis */
  double alpha;
} ks_power_info;

/** Power of the scenario's primary endpoint at each sample size of opts->n_per_group.
 *  Resampling (default): one pool is simulated once (ks_trial_run, replicate 0: the patients of
 *  `ketasim run --patients <pool_total>`); replicate r at size n draws n patients per group
 *  without replacement from that group's pool with the stream (seed, KS_STREAM_REPLICATE, r, n)
 *  and runs ks_trial_primary_test. Drawn dropouts stay missing, as in the trial. The replicates
 *  run in parallel (opts->n_threads); each depends only on (seed, r, n), so any thread count gives
 *  the same points. Fresh (opts->fresh): replicate r at size index k is a new trial, ks_trial_run
 *  with replicate 1 + k n_replicates + r and the groups' sizes as patients.
 *  @param points  [opts->n_sizes], written on success
 *  @param info    may be NULL
 *  @return KS_OK; KS_EINPUT (single arm, no primary endpoint, n < 2, more than
 *  KS_POWER_MAX_GROUPS groups, a pool smaller than the largest sample, alpha outside (0, 1));
 *  the failures of ks_trial_run; KS_ENOMEM. */
KS_API ks_status ks_trial_power(ks_ctx *ctx, const ks_scenario *sc, const ks_power_options *opts,
                                ks_power_point *points, ks_power_info *info);

#ifdef __cplusplus
}
#endif
#endif
