/* SPDX-License-Identifier: MIT */
/* What a finished trial yields (src/output/): the files of the user contract (summary.json,
 * patients.csv, scenario.resolved.yaml, the streamed outputs and checkpoints of a large run, HDF5)
 * and the per-patient primary endpoint that the power analysis resamples.
 *
 * The statistics of a trial (ks_trial_summarise and friends, declared in trial.h) are computed in
 * this module too (src/output/summary.c): they read a finished ks_trial_result, never the run. */
#ifndef KETASIM_OUTPUT_H
#define KETASIM_OUTPUT_H

#include <ketasim/core.h>
#include <ketasim/trial.h>

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
