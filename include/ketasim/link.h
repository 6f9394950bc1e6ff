/* SPDX-License-Identifier: MIT */
/* Link: the joins between layers. Every equation that turns one layer's output into the next
 * layer's input for a virtual patient lives here, as a small pure function of a parameter struct:
 *
 *   disease state   -> cascade     (chronic-stress spine deficit, plasticity variability)
 *   cascade         -> circuit     (pathway gains, receptor block: ks_link_circuit_drive)
 *   disease state   -> circuit     (phenotype severity)
 *   cascade+circuit -> fear        (window, vmPFC control capacity, hippocampal context)
 *   cascade         -> mood        (acute antidepressant state, window -> appraisal learning rate)
 *   fear            -> mood        (avoidance cuts everyday activity and so learning)
 *   design          -> fear, mood  (expectancy: approach in daily life; the clinic's placebo term)
 *   fear+mood+circuit -> clinic    (the latent drivers the symptom items read)
 *   pk              -> acute       (effect-site concentrations for CADSS and blood pressure)
 *   trial schedule  -> events      (therapy time in the day, retrieval reminder length)
 *   symptoms        -> dropout     (MAR / MNAR hazard multipliers)
 *
 * Each field of ks_link_params has its unit and source (or "calibrated to ...") in
 * docs/model/link.md. The route switches (`route_*`, 1 on, 0 off) exist for ablation: turning
 * one off removes that causal route from the chain without touching any other equation
 * (`ketasim ablation`).
 *
 * Thread-safety: every function is pure (reads its arguments only); ks_link_cascade_patient and
 * ks_link_phenotype draw from the caller's rng. */
#ifndef KETASIM_LINK_H
#define KETASIM_LINK_H

#include <ketasim/circuit.h>
#include <ketasim/clinic.h>
#include <ketasim/core.h>
#include <ketasim/fear.h>
#include <ketasim/mood.h>
#include <ketasim/pk.h>
#include <ketasim/plasticity.h>
#include <ketasim/rng.h>
#include <ketasim/scenario.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ks_link_params {
  /* --- disease state -> cascade --- */
  double spine_deficit_ref;            /* PFC spine deficit of the typical patient (fraction) */
  double spine_deficit_per_severity_z; /* relative rise per SD of latent PTSD severity */
  double spine_deficit_per_resistance; /* relative rise per unit treatment resistance */
  double resistance_ref;               /* treatment resistance at which the deficit is the ref */
  double spine_deficit_iiv_sd;         /* log-normal between-patient SD */
  double spine_deficit_min, spine_deficit_max;
  double hpc_deficit_ratio;            /* hippocampal / PFC deficit */
  double plasticity_iiv_sd;            /* log-normal SD of the spine-formation gain */
  double bdnf_iiv_sd;                  /* log-normal SD of evoked BDNF */
  double human_spine_relax_scale;      /* human / rodent spine relaxation time */
  /* --- disease state -> fear, mood, clinic: between-patient variability of the response --- */
  double extinction_rate_iiv_sd;       /* log-normal SD of the extinction learning rate */
  double appraisal_rate_iiv_sd;        /* log-normal SD of the appraisal (mood) learning rate */
  double placebo_response_iiv_sd;      /* log-normal SD of placebo (expectancy) responsiveness */
  double acute_response_iiv_sd;        /* log-normal SD of the rapid (eEF2-driven) antidepressant state */
  /* --- disease state -> circuit --- */
  double phenotype_severity_ref;       /* circuit phenotype severity of the typical patient */
  double phenotype_severity_per_z;     /* per SD of latent PTSD severity */
  /* --- cascade + circuit -> fear --- */
  double control_gain_min, control_gain_max; /* clamp of the vmPFC->amygdala control gain */
  /* --- fear -> clinic --- */
  double caps5_at_ref;                 /* baseline CAPS-5 at the clinic's reference fear (0.5) */
  double caps5_per_logit;              /* CAPS-5 points per logit of baseline fear expression */
  double fear0_min, fear0_max;         /* clamp of the baseline fear expression */
  /* --- disease state -> mood --- */
  double mood_value_ref;               /* learned value V of the reference patient (clinic 0.5) */
  double mood_logit_per_depression_z;  /* logit V lower per SD of latent depressive severity */
  /* --- cascade -> mood --- */
  double acute_ref_eef2_h;             /* eEF2 de-repression x hours of one 0.5 mg/kg infusion */
  double acute_control_gain;           /* relative rise of vmPFC->amygdala control per unit acute state */
  /* --- design -> fear, mood, clinic --- */
  double blinded_expectancy;           /* expectancy in an arm that receives an infusion */
  double approach_per_expectancy;      /* share of avoidance overcome per unit expectancy */
  /* --- route switches (1 on, 0 off; ablation) --- */
  int route_window_learning;           /* W raises fear and mood learning and consolidation */
  int route_spine_capacity;            /* the cascade's vmPFC->amygdala gain sets fear control */
  int route_acute_mood;                /* the drug's brief antidepressant state */
  int route_everyday_exposure;         /* daily-life reminders and activities (learning outside therapy) */
  int route_expectancy;                /* expectancy: placebo term and approach */
  int route_therapy;                   /* the scenario's therapy sessions */
  /* --- trial schedule -> fear events --- */
  double retrieval_minutes;            /* length of a pre-dose retrieval reminder */
  /* --- pk -> acute (blood-pressure peak search) --- */
  double bp_window_h;                  /* peak searched over [dose, dose + window] */
  double bp_steps_per_h;               /* in steps of 1/this hour */
  /* --- symptoms -> dropout --- */
  double dropout_mar_per_caps5;        /* log hazard per CAPS-5 point of worsening (MAR) */
  double dropout_mnar_per_fear;        /* log hazard per unit rise in fear expression (MNAR) */
  /* --- numerics of the event loop --- */
  double fear_step_d;                  /* fear-memory step (fear.h asks for <= 0.25 d) */
  double cascade_step_h;               /* resolution of the cascade trajectory */
  double cascade_rtol, cascade_atol;   /* CVODE tolerances of a trial patient's cascade */
} ks_link_params;

/** Defaults (docs/model/link.md). */
KS_API ks_link_params ks_link_params_default(void);

/** Check every field. @return KS_OK or KS_EINVAL naming the field. */
KS_API ks_status ks_link_params_check(ks_ctx *ctx, const ks_link_params *lp);

/** Chronic-stress PFC spine deficit (fraction of healthy) from latent severity z, treatment
 *  resistance and a standard normal deviate eps:
 *  ref (1 + a z + b (R - R_ref)) exp(sd eps), clamped to [min, max]. */
KS_API double ks_link_spine_deficit(const ks_link_params *lp, double severity_z, double resistance,
                                    double eps);

/** A patient's cascade parameters: deficits (PFC, hippocampus), plasticity and BDNF variability
 *  drawn from rng (three normals, in that order), the human spine relaxation time. */
KS_API void ks_link_cascade_patient(const ks_link_params *lp, double severity_z, double resistance,
                                    ks_rng *rng, ks_cascade_params *cp);

/* A patient's learning and placebo responsiveness: multipliers (1 = typical patient) of the
 * two-trace extinction learning rate, the mood model's appraisal learning rate, and the response
 * to expectancy (the clinic's placebo term and the mood model's same-day expectancy response), and
 * the drug's rapid antidepressant state (ks_link_mood_drive's acute rate). */
typedef struct ks_link_response {
  double extinction_rate;
  double appraisal_rate;
  double placebo_gain;
  double acute_gain;
} ks_link_response;

/** Draw a patient's response multipliers exp(sd eps - sd^2 / 2) (mean 1: the typical patient's
 *  calibrated values stay the population mean) from rng (four normals, in the field order;
 *  the caller keys rng with KS_STREAM_RESPONSE_IIV, the patient and index 0). */
KS_API ks_link_response ks_link_response_draw(const ks_link_params *lp, ks_rng *rng);

/** Apply r to a patient's fear and mood parameters: alpha_ext x extinction_rate; eta x
 *  appraisal_rate (clamped to 1); the same-day expectancy readout (clamped to 1) and expectancy bias x
 *  placebo_gain. The clinic's placebo term takes placebo_gain through ks_clinic_patient. */
KS_API void ks_link_response_apply(const ks_link_response *r, ks_fear_params *fp, ks_mood_params *mp);

/** Circuit phenotype severity in [0, 1] from latent severity z. */
KS_API double ks_link_phenotype_severity(const ks_link_params *lp, double severity_z);

/** The circuit drive of a cascade state: NMDA block on the E and I pools and GABA-A potentiation
 *  from the receptor layer, pathway gains and PFC spine density from the plasticity layer. */
KS_API ks_circuit_drive ks_link_circuit_drive(const ks_cascade_point *p);

/** The fear layer's drive: window (mean over the step; 0 with route_window_learning off),
 *  vmPFC->amygdala control = pathway gain (at p, or at the baseline point p0 with
 *  route_spine_capacity off) x phenotype control (clamped), hippocampal context =
 *  hippocampus->vmPFC gain x volume, approach = approach_per_expectancy x expectancy. */
KS_API ks_fear_drive ks_link_fear_drive(const ks_link_params *lp, const ks_cascade_point *p,
                                        const ks_cascade_point *p0, const ks_circuit_phenotype *ph,
                                        double window, double expectancy);

/** vmPFC->amygdala control under the acute state a (>= 0) of the drug (the mood model's eEF2-driven
 *  state, mean over the step): gain x (1 + acute_control_gain x a), clamped as in
 *  ks_link_fear_drive; the gain unchanged with route_acute_mood off. Rapid, spine-independent
 *  synaptic potentiation after NMDA block at rest (docs/model/link.md). */
KS_API double ks_link_acute_control(const ks_link_params *lp, double gain, double acute);

/** The fear layer's parameters for a trial: base, without daily-life reminders when
 *  route_everyday_exposure is off. */
KS_API ks_fear_params ks_link_fear_params(const ks_link_params *lp, const ks_fear_params *base);
/** The mood model's parameters: base, without everyday activities when route_everyday_exposure
 *  is off. */
KS_API ks_mood_params ks_link_mood_params(const ks_link_params *lp, const ks_mood_params *base);

/** Baseline learned value V0 in (0, 1) from latent depressive severity z:
 *  logistic(logit V_ref - k z). */
KS_API double ks_link_mood_baseline(const ks_link_params *lp, double depression_z);

/** The mood model's drive over a step: window (as for fear), avoidance from the fear layer,
 *  approach from expectancy, acute rate u = mean eEF2 de-repression / acute_ref_eef2_h x 24 per day
 *  (0 with route_acute_mood off), expectancy while treated (treated != 0). */
KS_API ks_mood_drive ks_link_mood_drive(const ks_link_params *lp, double window, double avoidance,
                                        double expectancy, double eef2_mean, int treated);

/** The expectancy the model uses: the design's value, or 0 with route_expectancy off. */
KS_API double ks_link_expectancy(const ks_link_params *lp, double design_expectancy);

/** Baseline fear expression from true baseline CAPS-5: logistic((caps5 - ref) / per_logit),
 *  clamped. */
KS_API double ks_link_fear_baseline(const ks_link_params *lp, double caps5_true);

/** The clinic's inputs: what the patient has learned (fear expression, avoidance, negative
 *  appraisal 1 - mood value) and the circuit phenotype (amygdala reactivity, salience coupling:
 *  stable traits of the patient, not read off the drug-changed synaptic state). */
KS_API ks_clinic_inputs ks_link_clinic_inputs(const ks_circuit_phenotype *ph, double fear, double avoidance,
                                              double mood_value);

/** Effect-site concentrations the acute layer reads, from a PK evaluation. */
KS_API ks_acute_conc ks_link_acute_conc(const ks_pk_conc *c);

/** Weekly dropout hazard (1/week) from the scenario's weekly rate and mechanism: MAR multiplies
 *  by exp(a (last CAPS-5 - baseline)) when both are known; MNAR by exp(b (F - F_baseline)). */
KS_API double ks_link_dropout_hazard(const ks_link_params *lp, double rate_per_week,
                                     ks_scen_dropout_mech mech, double last_caps5, double caps5_base,
                                     double fear_now, double fear_base);

#ifdef __cplusplus
}
#endif
#endif
