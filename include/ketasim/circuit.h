/* SPDX-License-Identifier: MIT */
/* Circuit layer: NMDA-gated reduced Wong-Wang E/I neural masses (Deco et al. 2014) coupled by a
 * built-in PTSD circuit or a structural connectome, with Balloon-Windkessel BOLD.
 *
 * The layer reads the receptor layer's NMDA block and GABA-A potentiation and the plasticity
 * layer's pathway gains through ks_circuit_drive. A scan is a snapshot: the drive is frozen for the
 * duration of the scan. Two ways to get BOLD connectivity:
 *   - ks_circuit_simulate(): stochastic Heun integration (dt 0.1 ms) with hemodynamics, BOLD at TR;
 *   - ks_circuit_fc_analytic(): the stationary covariance of the linearised neural + hemodynamic
 *     system from a Lyapunov equation (LAPACK); no simulation, about a millisecond for 8 regions.
 * Equations, parameters and sources: docs/model/circuit.md. */
#ifndef KETASIM_CIRCUIT_H
#define KETASIM_CIRCUIT_H

#include <ketasim/core.h>
#include <ketasim/rng.h>
#include <ketasim/plasticity.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Regions of the built-in circuit, in this order (ks_circuit_region_index finds them by name). */
typedef enum {
  KS_REGION_VMPFC = 0,  /* ventromedial prefrontal cortex */
  KS_REGION_RACC,       /* rostral (pregenual) anterior cingulate */
  KS_REGION_DACC,       /* dorsal anterior cingulate */
  KS_REGION_DLPFC,      /* dorsolateral prefrontal cortex */
  KS_REGION_AMYGDALA,   /* basolateral amygdala complex */
  KS_REGION_AHIPP,      /* anterior hippocampus */
  KS_REGION_AINSULA,    /* anterior insula */
  KS_REGION_PCC,        /* posterior cingulate cortex */
  KS_REGION_N
} ks_region;

/** Short name of a built-in region ("vmPFC", "amygdala", ...); "?" when out of range. */
KS_API const char *ks_region_name(ks_region r);

/* What the layers above give the circuit for one scan. All fields are dimensionless unless the
 * name says otherwise; ks_circuit_drive_baseline() gives the drug-free healthy reference. */
typedef struct ks_circuit_drive {
  double nmda_block_E;        /* fraction of NMDA conductance blocked on pyramidal cells, 0..1 */
  double nmda_block_I;        /* ... on fast-spiking interneurons, 0..1 */
  double gabaa_potentiation;  /* multiplier of GABA-A conductance (midazolam), >= 1; 1 = none */
  double gain[KS_PATH_N];     /* plasticity gain of each pathway's synapses; 1 = healthy reference */
  double spine_pfc_rel;       /* prefrontal spine density relative to healthy, > 0; 1 = reference */
  double threat_input_nA;     /* amplitude of the threat (fearful faces) input to the amygdala */
} ks_circuit_drive;

/** The drug-free healthy drive: no block, potentiation 1, gains 1, spines 1, threat 0.01 nA. */
KS_API ks_circuit_drive ks_circuit_drive_baseline(void);

/* A patient's circuit phenotype: multipliers of the healthy circuit (1 = healthy). */
typedef struct ks_circuit_phenotype {
  double vmpfc_amygdala_control;  /* structural vmPFC<->amygdala coupling; < 1 in PTSD */
  double amygdala_reactivity;     /* gain of threat input and local excitation in the amygdala; > 1 */
  double salience_coupling;       /* insula/dACC/amygdala coupling; > 1 in PTSD */
  double dmn_coupling;            /* vmPFC/rACC/PCC/hippocampus coupling; < 1 in PTSD */
  double hippocampal_volume_rel;  /* scales the hippocampus' outgoing coupling; < 1 in PTSD */
  double global_coupling;         /* G, global coupling multiplier; 1 = the calibrated value */
} ks_circuit_phenotype;

/** The healthy reference phenotype (all multipliers 1). */
KS_API ks_circuit_phenotype ks_circuit_phenotype_healthy(void);

/** Draw one patient's phenotype. severity in [0, 1] scales the mean PTSD shift (0 = healthy mean,
 *  1 = the published group difference, see docs/model/circuit.md); the between-patient
 *  variability is lognormal around that mean. The caller keys rng, normally
 *  ks_rng_init(&r, seed, KS_STREAM_CIRCUIT_IIV, patient_id, 0). Never fails; severity is clamped. */
KS_API void ks_circuit_phenotype_sample(ks_rng *rng, double severity, ks_circuit_phenotype *out);

typedef struct ks_circuit ks_circuit;
typedef struct ks_connectome ks_connectome;

/** Build the 8-region PTSD circuit for one patient (phenotype NULL = healthy). Feedback
 *  inhibition control is tuned here, once, at the drug-free baseline drive; later drives are
 *  NOT re-tuned (so disinhibition shows; docs/model/circuit.md).
 *  @return KS_OK, KS_EINVAL (NULL out or non-finite/non-positive multipliers), KS_ENOMEM.
 *  Thread-safety: a ks_circuit is read-only after creation; the analytic functions may be called
 *  on it from several threads at once. */
KS_API ks_status ks_circuit_create_default(ks_ctx *ctx, const ks_circuit_phenotype *phen,
                                           ks_circuit **out);

/* Options for a whole-brain circuit built on a connectome. */
typedef struct ks_circuit_brain_opts {
  double global_coupling;      /* G applied to the weights after normalising them to max 0.2; 2.0 */
  double speed_mm_per_ms;      /* conduction speed for delays = tract length / speed; 3.0 */
  int use_delays;              /* 0: instantaneous coupling; 1: delays by ring buffer (default) */
} ks_circuit_brain_opts;

KS_API ks_circuit_brain_opts ks_circuit_brain_opts_default(void);

/** Build a whole-brain circuit on a structural connectome (borrowed, may be destroyed after).
 *  Regions whose labels map to a built-in region (ks_connectome_map_label) take that region's
 *  role: pathway gains scale edges between mapped regions, the threat input goes to the amygdala.
 *  @return KS_OK, KS_EINVAL, KS_ENOMEM. */
KS_API ks_status ks_circuit_create_brain(ks_ctx *ctx, const ks_connectome *conn,
                                         const ks_circuit_brain_opts *opts,
                                         const ks_circuit_phenotype *phen, ks_circuit **out);

/** Destroy and set *c to NULL; nothing when *c is NULL. */
KS_API void ks_circuit_destroy(ks_circuit **c);

KS_API size_t ks_circuit_n_regions(const ks_circuit *c);
/** Label of region i (borrowed, lives as long as the circuit); NULL when out of range. */
KS_API const char *ks_circuit_region_label(const ks_circuit *c, size_t i);
/** Index of the region with this label (case-insensitive), or of the first region mapped to the
 *  built-in region of that name ("amygdala" finds "rAMYG"); -1 when none. */
KS_API long ks_circuit_region_index(const ks_circuit *c, const char *name);
/** Index of the first region playing a built-in role, -1 when none is mapped. */
KS_API long ks_circuit_role_index(const ks_circuit *c, ks_region role);

/** Deterministic fixed point of the neural model under a drive (no noise), from the FIC baseline
 *  by damped iteration. Outputs (each may be NULL) have n_regions entries: excitatory rate (Hz),
 *  NMDA gating S_E, inhibitory rate (Hz).
 *  @return KS_OK, KS_EINVAL, KS_ENUMERIC (no convergence: the drive pushes the network out of its
 *  low-activity state). */
KS_API ks_status ks_circuit_steady_state(ks_ctx *ctx, const ks_circuit *c,
                                         const ks_circuit_drive *drive, const double *input_nA,
                                         double *r_E_Hz, double *S_E, double *r_I_Hz);

/* Balloon-Windkessel parameter sets. */
typedef enum {
  KS_BOLD_STEPHAN2007 = 0,  /* SPM12 priors, revised BOLD equation (HRF peak about 4.5-5 s) */
  KS_BOLD_FRISTON2003 = 1   /* classic parameters and BOLD coefficients (HRF peak about 3-4 s) */
} ks_bold_params;

/** Resting-state BOLD functional connectivity from the linearised system's stationary covariance
 *  (continuous Lyapunov equation A P + P A' + Q = 0, solved with LAPACK dgees/dtrsyl). fc is
 *  n*n row-major Pearson correlations (symmetric, unit diagonal). input_nA (n, may be NULL) is a
 *  constant external input, which lets a task state be linearised too.
 *  Cost: about 1 ms for the 8-region circuit; O(n^3) with 6n states, so use it for n <= ~100.
 *  @return KS_OK, KS_EINVAL, KS_ENOMEM, KS_ENUMERIC (unstable linearisation or LAPACK failure). */
KS_API ks_status ks_circuit_fc_analytic(ks_ctx *ctx, const ks_circuit *c,
                                        const ks_circuit_drive *drive, const double *input_nA,
                                        ks_bold_params bold, double *fc);

/** Stationary BOLD signal change (percent of baseline) of each region under a constant input
 *  relative to no input, from the hemodynamic fixed point (exact for sustained blocks). */
KS_API ks_status ks_circuit_bold_steady_change(ks_ctx *ctx, const ks_circuit *c,
                                               const ks_circuit_drive *drive,
                                               const double *input_nA, ks_bold_params bold,
                                               double *dbold_pct);

/* An external input schedule: n_cond conditions; condition k adds amp_nA[k*n + i] to region i
 * while one of its blocks is on (onset_s[k][b] <= t < onset_s[k][b] + dur_s[k][b]). */
#define KS_CIRCUIT_MAX_COND 4
typedef struct ks_circuit_stim {
  size_t n_cond;
  const double *amp_nA[KS_CIRCUIT_MAX_COND];    /* n_regions each */
  const double *onset_s[KS_CIRCUIT_MAX_COND];
  const double *dur_s[KS_CIRCUIT_MAX_COND];
  size_t n_blocks[KS_CIRCUIT_MAX_COND];
} ks_circuit_stim;

typedef struct ks_circuit_sim_opts {
  double dt_ms;             /* neural step; 0.1 */
  double duration_s;        /* length of the recorded scan */
  double warmup_s;          /* discarded transient before t = 0 (hemodynamics settle); 20 */
  double tr_s;              /* BOLD sampling interval; 2.0 */
  double noise_sigma;       /* sigma of the gating noise (Deco 2014: 0.01); per sqrt(ms) */
  ks_bold_params bold;
  uint64_t seed;            /* noise stream key: (seed, KS_STREAM_CIRCUIT_NOISE, patient, scan) */
  uint64_t patient;
  uint64_t scan;
} ks_circuit_sim_opts;

KS_API ks_circuit_sim_opts ks_circuit_sim_opts_default(void);

/** Number of BOLD samples a simulation with these options writes: floor(duration / TR). */
KS_API size_t ks_circuit_sim_n_samples(const ks_circuit_sim_opts *opts);

/** Simulate a scan: stochastic Heun for the neural masses (same noise in both stages), Heun at
 *  1 ms for the hemodynamics fed by the mean NMDA gating over the millisecond, BOLD (percent
 *  signal change) sampled every TR after the warm-up. bold is n_samples x n_regions, row-major.
 *  stim may be NULL (resting state). mean_rE_Hz (n, may be NULL) receives the mean excitatory
 *  rate over the recorded part. Noise depends only on (seed, patient, scan): the same on any
 *  thread. Allocates its work space once, never inside the step loop.
 *  @return KS_OK, KS_EINVAL, KS_ENOMEM, KS_ENUMERIC (state left the physical range). */
KS_API ks_status ks_circuit_simulate(ks_ctx *ctx, const ks_circuit *c,
                                     const ks_circuit_drive *drive, const ks_circuit_stim *stim,
                                     const ks_circuit_sim_opts *opts, double *bold,
                                     double *mean_rE_Hz);

/** Closed-loop hemodynamic impulse response: BOLD (percent) of one region to a 1-ms unit pulse of
 *  the neural input z, sampled every dt_s for n points. */
KS_API ks_status ks_circuit_bold_impulse(ks_ctx *ctx, ks_bold_params bold, double dt_s, size_t n,
                                         double *bold_pct);

/* ---- Structural connectomes (TVB text format) ---- */

/** Load a connectome from a directory holding weights.txt (n x n, whitespace-separated; row =
 *  target, column = source), tract_lengths.txt (n x n, mm) and centres.txt (n lines "label x y z",
 *  mm). tract_lengths.txt may be missing: Euclidean distances between centres are used.
 *  @return KS_OK, KS_EINVAL, KS_ENOMEM, KS_EIO (missing file), KS_EINPUT (malformed; the context
 *  message is "FILE:LINE:COL: what is wrong (what was expected)"). */
KS_API ks_status ks_connectome_load(ks_ctx *ctx, const char *dir, ks_connectome **out);

/** A synthetic sparse connectome of n regions (for benchmarks): each region connects to about
 *  density*n others, lognormal weights, lengths from random centres on a 70-mm sphere shell; the
 *  eight built-in regions' labels are given to regions 0..7 so the circuit roles map. */
KS_API ks_status ks_connectome_create_synthetic(ks_ctx *ctx, size_t n, double density,
                                                uint64_t seed, ks_connectome **out);

KS_API void ks_connectome_destroy(ks_connectome **c);
KS_API size_t ks_connectome_n_regions(const ks_connectome *c);
KS_API const char *ks_connectome_label(const ks_connectome *c, size_t i);
/** Weight and tract length (mm) of the edge source -> target. */
KS_API double ks_connectome_weight(const ks_connectome *c, size_t target, size_t source);
KS_API double ks_connectome_length_mm(const ks_connectome *c, size_t target, size_t source);

/** The built-in region a connectome label stands for ("rAMYG", "Left-Amygdala", "lh_insula" ...),
 *  or -1. Hemisphere prefixes are stripped; aliases are listed in docs/model/circuit.md. */
KS_API int ks_connectome_map_label(const char *label);

/** Write the built-in circuit's structural weights (for the given phenotype; NULL = healthy) as
 *  a TVB-format directory (weights.txt, tract_lengths.txt, centres.txt). KS_EIO on failure. */
KS_API ks_status ks_circuit_write_default_connectome(ks_ctx *ctx, const char *dir);

#ifdef __cplusplus
}
#endif
#endif
