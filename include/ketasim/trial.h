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
#include <ketasim/parallel.h>
#include <ketasim/plasticity.h>
#include <ketasim/population.h>
#include <ketasim/scenario.h>
#include <ketasim/validate.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Processes sharing one run: see ks_par_comm in parallel.h. */
typedef ks_par_comm ks_trial_comm;
typedef struct ks_trial_result ks_trial_result;
struct ks_trial_sink;

typedef struct ks_trial_options {
  int n_threads;                 /* 0: OpenMP's default */
  long n_patients;               /* > 0: override the scenario's population n (power analysis) */
  uint64_t replicate;            /* replicate index: keys every stream, 0 for a single trial */
  int keep_trajectories;         /* 1: keep each patient's daily trajectory (ks_trial_patient) */
  /* Progress: called from the calling thread only, done and total in patients. May be NULL. */
  void (*progress)(void *ud, size_t done, size_t total);
  void *progress_ud;
  /* Scale-out (docs/scaling.md). All of these are optional; zero/NULL keeps the in-memory run. */
  const ks_par_comm *comm;       /* processes sharing the run (MPI, see parallel.h); NULL: one */
  const struct ks_trial_sink *sink; /* receives every patient's rows as batches finish (rank 0);
                                    NULL: none. &ks_trial_stream_sink (output.h) streams them to
                                    stream_dir. */
  void *sink_ud;                 /* passed to sink->open */
  const char *stream_dir;        /* non-NULL: keep in memory only the measures the summary and
                                    report read (ks_trial_value gives NaN for the others); the
                                    stream sink writes patients.csv rows and checkpoints into this
                                    directory. ks_trial_write() must then get the same DIR. */
  const char *hdf5_path;         /* stream sink: per-patient data in HDF5 (ks_trial_write) */
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
  /* The mood and clinic layers' parameters; NULL: their defaults with the committed calibrated
   * set (data/calibration/fitted.tsv) applied, as for link. `ketasim calibrate` passes its own. */
  const struct ks_mood_params *mood;
  const struct ks_clinic_params *clinic;
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

/* Where a run's per-patient rows go (ks_trial_options.sink): rank 0 calls it from the calling
 * thread, batches in patient order, so a sink sees patient k's row block exactly once (after a
 * resume: the patients after those it restored). A row block is [n_visits][KS_M_N] doubles, the
 * values of ks_trial_value at every visit. batch is required; the others may be NULL. */
typedef struct ks_trial_sink {
  /* Before the loop, after screening and randomisation. *state: the sink's own state for this run
   * (given to the other callbacks, freed by close). *n_done: patients already finished (a sink
   * that restores a checkpoint hands their rows back with ks_trial_restore_rows; else 0). */
  ks_status (*open)(void *ud, ks_ctx *ctx, ks_trial_result *r, const ks_trial_options *o, void **state,
                    size_t *n_done);
  /* Patients first..first+count-1 finished; vals: count row blocks. */
  ks_status (*batch)(void *state, ks_ctx *ctx, const ks_trial_result *r, size_t first, size_t count,
                     const double *vals);
  /* The run stops early (o->cancel) with n_done patients done: save what a resume needs. */
  ks_status (*checkpoint)(void *state, ks_ctx *ctx, const ks_trial_result *r, size_t n_done);
  /* Free the state (from ks_trial_result_destroy, or when the run fails). */
  void (*close)(void *state, ks_ctx *ctx);
} ks_trial_sink;

/** The state a run's sink made in open (NULL when R ran without SINK or SINK has none). */
KS_API void *ks_trial_sink_state(const ks_trial_result *r, const ks_trial_sink *sink);
/** For a sink's open: store the row blocks of finished patients first..first+count-1 (vals:
 *  count row blocks) in R, as the run would have. @return KS_OK, KS_EINVAL (outside 1..n). */
KS_API ks_status ks_trial_restore_rows(ks_trial_result *r, size_t first, size_t count, const double *vals);

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
  /* brain layer (ks_brain_*, docs/model/brain.md), appended */
  KS_M_VOL_PFC_PCT, KS_M_VOL_HPC_PCT, KS_M_VOL_AHPC_PCT, KS_M_VOL_AMY_PCT, /* % change from baseline, MRI/scan visits */
  KS_M_VOL_HPC_D,                /* hippocampal volume vs controls, d */
  KS_M_RAVLT, KS_M_TMT_A, KS_M_TMT_B, KS_M_DSST,  /* words; seconds; seconds; items */
  KS_M_PAIN_NRS,                 /* 0-10; NaN for patients without chronic pain */
  KS_M_SSI, KS_M_MADRS_SI,       /* Scale for Suicidal Ideation 0-38; MADRS item 10 (0-6) */
  KS_M_THETA_DEP,                /* latent depressive severity (IRT) */
  KS_M_KETAMINE_CUM_MG, KS_M_DOSES_PER_WEEK, KS_M_FLAG_FREQUENT, KS_M_FLAG_CUMULATIVE, /* safety */
  KS_M_N
} ks_measure;

KS_API const char *ks_measure_name(ks_measure m);
/** Unit of measure M for data dictionaries: "points", "z", "mmHg", "%", "d", "words", "s",
 *  "items", "theta", "mg", "1/week" or "1" ("?" out of range). */
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
/** Size of the imaging subset: patients 0..n-1 are scanned at scan visits (the scenario's
 *  imaging.n or fraction; every patient when it sets neither). */
KS_API size_t ks_trial_n_imaged(const ks_trial_result *r);
/** Study-clock hours and label ("day 14", "24 h", "P2 day 1") of visit v. */
KS_API double ks_trial_visit_t_h(const ks_trial_result *r, size_t v);
KS_API const char *ks_trial_visit_label(const ks_trial_result *r, size_t v);
/** Arm index of patient i (for a crossover, the sequence: 0 = arms[0] first). */
KS_API int ks_trial_patient_arm(const ks_trial_result *r, size_t i);
/** Covariates of patient i as drawn by the population layer (src/trial/covariates.c).
 *  @return KS_OK, KS_EINVAL (i out of range, NULL). */
KS_API ks_status ks_trial_patient_covariates(const ks_trial_result *r, size_t i, ks_patient *out);
/** Value of measure m for patient i at visit v; NaN when not assessed or after dropout. */
KS_API double ks_trial_value(const ks_trial_result *r, size_t i, size_t v, ks_measure m);

/** Randomised groups of scenario SC's design: its arms, 2 sequences for a crossover, 1 for a
 *  single arm. */
KS_API size_t ks_trial_design_n_groups(const ks_scenario *sc);

/** Slots of group g in one permuted randomisation block: 2 x the arm's allocation ratio, rounded,
 *  at least 1 (sequences of a crossover: 2). A block holds at most 64 slots (ks_trial_run refuses
 *  more). */
KS_API long ks_trial_block_slots(const ks_scenario *sc, size_t g);

/** The circuit drive of a cascade state, as the trial layer builds it for every patient: NMDA
 *  block on the E and I pools and GABA-A potentiation from the receptor layer, pathway gains and
 *  PFC spine density from the plasticity layer; threat input at its baseline default. */
KS_API ks_circuit_drive ks_trial_circuit_drive(const ks_cascade_point *p);

/** The measure holding the total of symptom scale S (CAPS-5 ... CADSS), or -1 (scans). */
KS_API int ks_trial_scale_measure(ks_scen_scale s);

/** Patients already finished in DIR's checkpoint on resume (0 when not resumed). */
KS_API size_t ks_trial_n_resumed(const ks_trial_result *r);

/** Trial-level targets of the brain layer (src/trial/brain_validate.c), all held out: SSI and
 *  MADRS item 10 at day 1 after one infusion (Grunebaum 2018, Wilkinson 2018; 2000 per arm) and
 *  cognition right after and over six infusions (Murrough 2014, Zhou 2018, Shiroma 2014).
 *  Appends entries as validate.h describes. Cost: about a minute on 2 cores. */
KS_API ks_status ks_trial_brain_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n);

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

#ifdef __cplusplus
}
#endif
#endif
