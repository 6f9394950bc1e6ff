/* SPDX-License-Identifier: MIT */
/* Simulated fMRI: paradigms (rest, emotional faces, emotional conflict), BOLD processing
 * (band-pass), functional connectivity (Pearson, Fisher z), regional task activation (GLM with an
 * HRF-convolved regressor), task-modulated connectivity (generalised PPI), and the cheap per-scan
 * summary the clinic and trial layers read (ks_imaging_scan_summary, analytic, about 10 ms).
 * Everything here is a pure function of its inputs; thread-safe on distinct outputs. */
#ifndef KETASIM_IMAGING_H
#define KETASIM_IMAGING_H

#include <ketasim/core.h>
#include <ketasim/circuit.h>
#include <ketasim/validate.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { KS_PARADIGM_REST = 0, KS_PARADIGM_FACES, KS_PARADIGM_CONFLICT, KS_PARADIGM_N } ks_paradigm;

/** "rest", "faces", "conflict"; parse returns -1 for an unknown name. */
KS_API const char *ks_paradigm_name(ks_paradigm p);
KS_API int ks_paradigm_parse(const char *name);

#define KS_IMAGING_MAX_BLOCKS 256
#define KS_IMAGING_MAX_REGIONS 512

/* A block design on a circuit: up to two task conditions (faces: "faces"; conflict: "congruent",
 * "incongruent"), each with its input amplitudes per region and its blocks. Caller-allocated
 * (init/fini not needed: no heap). The stim field points into the struct: do not copy it by value
 * and use the copy's stim. */
typedef struct ks_imaging_design {
  ks_paradigm paradigm;
  size_t n_regions;
  size_t n_cond;
  char cond_name[KS_CIRCUIT_MAX_COND][24];
  double amp_nA[KS_CIRCUIT_MAX_COND][KS_IMAGING_MAX_REGIONS];
  double onset_s[KS_CIRCUIT_MAX_COND][KS_IMAGING_MAX_BLOCKS];
  double dur_s[KS_CIRCUIT_MAX_COND][KS_IMAGING_MAX_BLOCKS];
  size_t n_blocks[KS_CIRCUIT_MAX_COND];
  ks_circuit_stim stim;
} ks_imaging_design;

/** Build a paradigm's block design for a circuit and drive over duration_s:
 *  rest: no condition; faces (Hariri form): 21-s blocks, faces and shapes alternating, the faces
 *  block adding drive->threat_input_nA to the amygdala; conflict: 21-s blocks of congruent
 *  (threat to the amygdala) and incongruent (threat plus a conflict input of 0.01 nA to dACC)
 *  trials alternating with fixation. The amygdala and dACC are found by role.
 *  @return KS_OK, KS_EINVAL (unknown paradigm, too many regions, missing role). */
KS_API ks_status ks_imaging_design_build(ks_ctx *ctx, ks_paradigm p, const ks_circuit *c,
                                         const ks_circuit_drive *drive, double duration_s,
                                         ks_imaging_design *out);

/** Zero-phase band-pass in place (2nd-order Butterworth high-pass at lo_hz and low-pass at hi_hz,
 *  run forwards and backwards) on bold (n_t x n, row-major) sampled every tr_s. hi_hz is clipped
 *  below Nyquist. @return KS_OK, KS_EINVAL. */
KS_API ks_status ks_imaging_bandpass(ks_ctx *ctx, double *bold, size_t n_t, size_t n, double tr_s,
                                     double lo_hz, double hi_hz);

/** Pearson correlation matrix fc (n x n, symmetric, unit diagonal) of bold (n_t x n), and its
 *  Fisher z = atanh(r) in z (may be NULL; diagonal written as 0, |r| clipped to 1 - 1e-12).
 *  A constant series gives correlations 0. @return KS_OK, KS_EINVAL (n_t < 3). */
KS_API ks_status ks_imaging_fc(ks_ctx *ctx, const double *bold, size_t n_t, size_t n, double *fc,
                               double *z);

/** The canonical double-gamma HRF (SPM: peak 6 s, undershoot 16 s, ratio 1/6), unit sum. */
KS_API double ks_imaging_hrf(double t_s);

/** Task regressors of a design sampled at TR: each condition's boxcar convolved with the canonical
 *  HRF (at 0.1 s resolution); an infinitely long block plateaus at 1 (a 21-s block peaks at ~1.14). reg is n_t x n_cond. */
KS_API ks_status ks_imaging_regressors(ks_ctx *ctx, const ks_imaging_design *d, size_t n_t,
                                       double tr_s, double *reg);

/** GLM activation: for each region, OLS fit of bold = b0 + sum_k b_k reg_k; beta (n_cond x n,
 *  row-major) is the percent BOLD change of a sustained block. @return KS_OK, KS_EINVAL,
 *  KS_ENUMERIC (singular design). */
KS_API ks_status ks_imaging_glm(ks_ctx *ctx, const double *bold, size_t n_t, size_t n,
                                const double *reg, size_t n_cond, double *beta);

/** Generalised PPI (McLaren 2012) with a seed region: for each target j, OLS of
 *  y_j = b0 + sum_k a_k reg_k + b y_seed + sum_k c_k (y_seed * (reg_k - mean reg_k)); ppi
 *  (n_cond x n) receives c_k, the change of seed-target coupling in condition k (the seed's own
 *  entry is 0). Interaction formed at the BOLD level (no deconvolution; docs/model/circuit.md). */
KS_API ks_status ks_imaging_gppi(ks_ctx *ctx, const double *bold, size_t n_t, size_t n,
                                 size_t seed, const double *reg, size_t n_cond, double *ppi);

/* The per-scan readout the clinic and trial layers use. Fisher z values; activations in percent
 * BOLD change of a sustained block. */
typedef struct ks_imaging_summary {
  double vmpfc_amygdala_rest_z;    /* resting vmPFC-amygdala FC */
  double vmpfc_amygdala_faces_z;   /* vmPFC-amygdala FC in the faces (threat) state */
  double vmpfc_amygdala_ppi_z;     /* faces minus rest: task-modulated coupling */
  double amygdala_threat_pct;      /* amygdala activation to threat (faces > shapes) */
  double dacc_conflict_pct;        /* dACC activation in incongruent blocks vs fixation */
  double salience_z;               /* mean FC of insula-dACC, insula-amygdala, dACC-amygdala */
  double dmn_z;                    /* mean FC of vmPFC-PCC, rACC-PCC, hippocampus-PCC */
  double vmpfc_insula_rest_z;      /* resting vmPFC-anterior insula FC */
  double mean_rE_Hz;               /* mean excitatory rate at rest */
} ks_imaging_summary;

/** The summary for a circuit under a drive, without simulating: FC from the Lyapunov covariance
 *  at the resting and the threat-state fixed points, activations from the hemodynamic steady
 *  state of sustained blocks. The circuit must map every built-in role (the default circuit
 *  does). Cost: 3 analytic FCs + fixed points, about 2.5 ms for 8 regions.
 *  @return KS_OK, KS_EINVAL (missing role), KS_ENUMERIC (unstable drive), KS_ENOMEM. */
KS_API ks_status ks_imaging_scan_summary(ks_ctx *ctx, const ks_circuit *c,
                                         const ks_circuit_drive *drive, ks_imaging_summary *out);
/** Only the faces-state vmPFC-amygdala FC (Fisher z) of ks_imaging_scan_summary, the same value
 *  (vmpfc_amygdala_faces_z) at one analytic FC instead of the summary's five fixed points: what a
 *  trial's scan visit records. Same roles and errors as ks_imaging_scan_summary. */
KS_API ks_status ks_imaging_faces_fc_z(ks_ctx *ctx, const ks_circuit *c, const ks_circuit_drive *drive,
                                       double *vmpfc_amygdala_z);

/** Validation targets of the circuit and imaging layers (a ks_validate_fn, `ketasim validate
 *  --layer circuit`): hemodynamic impulse-response peaks, isolated-node Wong-Wang rates under
 *  NMDA block (CALIBRATION.md s5), analytic vs 40-min simulated FC (r >= 0.9), the PTSD resting
 *  and task phenotype (mean PTSD vs healthy circuit) and the directions after a ketamine-like
 *  course (Norbury 2021). Cost: about 2-5 s (one 8-region simulation).
 *  @return KS_OK, KS_EINVAL (no room: *n reached cap), KS_ENOMEM, KS_ENUMERIC. */
KS_API ks_status ks_circuit_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
