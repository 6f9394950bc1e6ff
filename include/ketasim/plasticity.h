/* SPDX-License-Identifier: MIT */
/* Plasticity cascade: disinhibition -> glutamate surge -> AMPA -> BDNF -> mTORC1 -> synaptic
 * proteins -> spines and pathway gains; the window of plasticity W(t). (Owned by the plasticity
 * module; the pathway enum below is the interface the circuit and fear layers read.)
 *
 * One call, ks_cascade_solve(), integrates the cascade of one patient over a whole regimen with
 * CVODE (BDF), stopping at every dose event of the exposure. Model, parameters and sources:
 * docs/model/plasticity.md. */
#ifndef KETASIM_PLASTICITY_H
#define KETASIM_PLASTICITY_H

#include <ketasim/core.h>
#include <ketasim/pk.h>
#include <ketasim/receptor.h>
#include <ketasim/validate.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Long-range pathways whose synaptic gain the cascade sets (1 = healthy reference). */
typedef enum {
  KS_PATH_VMPFC_AMYGDALA = 0,  /* top-down control of the amygdala */
  KS_PATH_HIPPOCAMPUS_VMPFC,   /* contextual input to vmPFC */
  KS_PATH_DMN,                 /* vmPFC/PCC default-mode coupling */
  KS_PATH_SALIENCE,            /* anterior insula/dACC salience coupling */
  KS_PATH_N
} ks_pathway;

KS_API const char *ks_pathway_name(ks_pathway p);

/* Knockouts and blockers (bit flags). Each removes the drug-evoked part of one node of the cascade
 * and leaves its basal tone, as an acute local blocker does in the preclinical experiments. */
typedef enum {
  KS_KO_NONE = 0,
  KS_KO_MTORC1 = 1u << 0,  /* rapamycin: mTORC1 cannot rise above basal (Li 2010) */
  KS_KO_AMPA = 1u << 1,    /* NBQX: the glutamate surge cannot drive AMPA receptors (Maeng 2008) */
  KS_KO_BDNF = 1u << 2     /* BDNF loss: no evoked release or translation (Autry 2011; Lepack 2014) */
} ks_knockout;

/** Parse "mtorc1" (or "rapamycin"), "ampa" ("nbqx"), "bdnf", "none"; -1 when unknown. */
KS_API int ks_knockout_parse(const char *name);
KS_API const char *ks_knockout_name(ks_knockout k);

/** Parameters of the cascade of one patient. Times in hours unless the name says otherwise. */
typedef struct ks_cascade_params {
  /* --- patient (variability and disease state) --- */
  double spine_deficit_pfc;   /* chronic-stress loss of PFC spine density, fraction of healthy, 0..0.6 */
  double spine_deficit_hpc;   /* the same in hippocampus */
  double disinhibition_scale; /* multiplies the disinhibition gain (1: typical) */
  double bdnf_scale;          /* multiplies evoked BDNF release (1; ~0.7 for Val66Met carriers) */
  double plasticity_scale;    /* multiplies spine formation (1: typical) */
  double relax_scale;         /* multiplies spine and gain relaxation times (1: typical) */
  unsigned knockouts;         /* KS_KO_* flags */

  /* --- circuit: disinhibition and glutamate --- */
  double tau_interneuron_h;   /* population rate time constant (network, not membrane) */
  double tau_pyramidal_h;
  double interneuron_nmda_gain; /* fractional interneuron rate loss per unit effective block */
  double pyramidal_nmda_gain;   /* fractional pyramidal rate loss per unit effective block */
  double disinhibition_gain;    /* pyramidal rate rise per (interneuron rate loss)^2 */
  double gabaa_gain;            /* divisive inhibition per unit GABA-A potentiation */
  double tau_glutamate_h;       /* glutamate turnover (release -> uptake/cycling) */
  double tau_mglur_h;           /* mGluR2/3 autoreceptor feedback time constant */
  double mglur_gain;            /* release reduction per unit feedback rise (exponential) */
  double glx_fraction;          /* MRS Glx % change per % change in synaptic glutamate */

  /* --- AMPA, BDNF, mTORC1 --- */
  double tau_ampa_h;
  double tau_eef2_h;            /* eEF2 dephosphorylation after resting NMDA block */
  double tau_bdnf_h;
  double bdnf_release_gain;     /* evoked BDNF per unit AMPA drive above basal */
  double eef2_translation_gain; /* relative enlargement of the releasable BDNF pool per unit eEF2 de-repression */
  double tau_mtorc1_h;
  double mtorc1_gain;           /* mTORC1 rise per unit BDNF above basal (TrkB -> Akt -> mTORC1) */
  double tau_mtor_feedback_h;   /* S6K1 negative feedback time constant */
  double mtor_feedback_gain;

  /* --- synaptic proteins, spines, pathway gains, window --- */
  double protein_half_life_h;   /* synaptic protein (PSD-95, GluA1, synapsin) turnover */
  double protein_synthesis_gain;/* protein synthesis rise per unit mTORC1 above basal */
  double spine_formation_per_h_pfc; /* spine formation rate per unit protein rise, PFC */
  double spine_formation_per_h_hpc;
  double spine_max;             /* saturating spine density (healthy = 1) */
  double spine_relax_d;         /* relaxation time of spine density back to its set point, days */
  double gain_tau_h;            /* maturation of new spines into functional pathway gain */
  double salience_coupling;     /* salience over-coupling per unit PFC spine deficit */
  double window_k;              /* protein rise giving W = 0.5 */

  /* --- numerics --- */
  double rtol, atol;            /* CVODE tolerances (defaults 1e-7, 1e-10) */
  double max_step_h;            /* largest step (0: unlimited) */
} ks_cascade_params;

/** One output time: every state and observable. */
typedef struct ks_cascade_point {
  double t_h;
  /* receptor layer at t */
  double nmda_occupancy, block_interneuron, block_pyramidal, gabaa_potentiation, sedation;
  /* states (1 = basal; eef2 0 = basal) */
  double interneuron, pyramidal, glutamate, mglur_feedback, ampa, eef2, bdnf, mtorc1,
         mtor_feedback, proteins, spine_pfc, spine_hpc;
  double gain[KS_PATH_N];
  /* observables */
  double glx_pct;               /* MRS-Glx-like change from baseline, % */
  double window;                /* window of plasticity W in [0, 1) */
} ks_cascade_point;

/** Defaults: a typical PTSD patient (PFC spine deficit 0.15, hippocampus 0.10), no knockouts. */
KS_API ks_cascade_params ks_cascade_params_default(void);

/** Check every field. @return KS_OK or KS_EINVAL naming the field. */
KS_API ks_status ks_cascade_params_check(ks_ctx *ctx, const ks_cascade_params *p);

/** The drug-free steady state of a patient (spines at 1 - deficit, every other state basal),
 *  with t_h = 0. @return KS_OK, KS_EINVAL. */
KS_API ks_status ks_cascade_steady_state(ks_ctx *ctx, const ks_cascade_params *p,
                                         ks_cascade_point *out);

/** Solver counters of one solve. */
typedef struct ks_cascade_stats {
  long n_steps, n_rhs, n_restarts;
} ks_cascade_stats;

/** Integrate the cascade of one patient and write out[0..n_out) at t_out_h[0..n_out) (hours,
 *  non-decreasing, finite). The patient starts at the drug-free steady state at
 *  t0 = min(t_out_h[0], first exposure event): doses before t0 are not seen. exposure may be NULL
 *  (no drug). The integrator stops at every exposure event and restarts there.
 *  @return KS_OK; KS_EINVAL (bad arguments or parameters); KS_ESOLVER (message names the time,
 *  the state and the parameter set); a failure of exposure->eval (its status, with a message).
 *  out is fully written only on KS_OK; never NaN. Thread-safety: reentrant, no shared state;
 *  the exposure's eval must be safe to call from the calling thread. */
KS_API ks_status ks_cascade_solve(ks_ctx *ctx, const ks_cascade_params *p,
                                  const ks_receptor_params *rp, const ks_exposure *exposure,
                                  const double *t_out_h, size_t n_out, ks_cascade_point *out);

/** ks_cascade_solve that also reports the solver's counters in *stats (may be NULL). */
KS_API ks_status ks_cascade_solve_stats(ks_ctx *ctx, const ks_cascade_params *p,
                                        const ks_receptor_params *rp, const ks_exposure *exposure,
                                        const double *t_out_h, size_t n_out, ks_cascade_point *out,
                                        ks_cascade_stats *stats);

/** Flags of ks_cascade_solve_flags. */
#define KS_CASCADE_STATES_ONLY 1u /* the receptor fields of out (nmda_occupancy .. sedation) are
                                     NaN, not evaluated at the output times: for callers that read
                                     only the cascade's states and observables (the trial does);
                                     saves one concentration evaluation per output time */

/** ks_cascade_solve_stats with flags (0 or KS_CASCADE_STATES_ONLY); the states are the same. */
KS_API ks_status ks_cascade_solve_flags(ks_ctx *ctx, const ks_cascade_params *p,
                                        const ks_receptor_params *rp, const ks_exposure *exposure,
                                        const double *t_out_h, size_t n_out, ks_cascade_point *out,
                                        unsigned flags, ks_cascade_stats *stats);

/** Column names and values of a point for CSV output: ks_cascade_point_n_fields() columns,
 *  name i from ks_cascade_point_field_name(i) ("t_h", "glx_pct", "gain_vmpfc_amygdala", ...),
 *  value i from ks_cascade_point_field(pt, i) (NAN when i is out of range). */
KS_API size_t ks_cascade_point_n_fields(void);
KS_API const char *ks_cascade_point_field_name(size_t i);
KS_API double ks_cascade_point_field(const ks_cascade_point *pt, size_t i);

/** Validation entries of the plasticity layer (per validate.h): 0.5 mg/kg racemic ketamine IV
 *  over 40 min (Glx peak and timing, mTORC1, proteins, spines, knockouts) and midazolam
 *  0.045 mg/kg (none of these), typical 70-kg patient, through the PK layer's default sets
 *  (fanta2015, albrecht1999; docs/model/plasticity.md). */
KS_API ks_status ks_cascade_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n);

/** Write the PK + receptor + cascade system the simulator runs as an SBML Level 3 Version 2 model
 *  with units to path: the PK layer's default racemic ketamine set (fanta2015: S and R ketamine
 *  with norketamine and effect sites, from the PK layer's own linear system), the receptor layer
 *  (all four NMDA-binding species) and the cascade with parameters p. The dosing is one 0.5 mg/kg
 *  infusion over 40 min for a typical 70-kg patient (amount, start and duration are parameters in
 *  the file).
 *  @return KS_OK, KS_EINVAL, KS_EIO (libSBML could not write the file; message says why). */
KS_API ks_status ks_cascade_export_sbml(ks_ctx *ctx, const ks_cascade_params *p, const char *path);

#ifdef __cplusplus
}
#endif
#endif
