/* SPDX-License-Identifier: MIT */
/* Fear memory: a trauma association, its extinction, relapse and avoidance, in event time (days).
 *
 * Two models share one handle (ks_fear) and one API:
 *  - KS_FEAR_MODEL_TWO_TRACE (default): an amygdala trauma association A and an extinction memory
 *    (labile E_l, consolidated E_c) whose recall needs vmPFC->amygdala gain and hippocampal context;
 *    extinction is learned at exposures at a rate scaled by the window of plasticity W(t).
 *  - KS_FEAR_MODEL_LATENT_CAUSE: latent-cause inference (Gershman, Blei & Niv 2010; Gershman et al.
 *    2017) with a particle filter and a time-sensitive Chinese-restaurant-process prior; W lowers the
 *    prior odds of a new cause, so extinction tends to modify the original fear cause.
 * Equations, parameters and sources: docs/model/fear.md.
 *
 * Lifecycle: ks_fear_create (allocates once) -> ks_fear_init (per patient; no allocation) ->
 * ks_fear_advance / ks_fear_exposure / ks_fear_stressor (no allocation) -> getters -> ks_fear_destroy.
 * Thread-safety: one thread per ks_fear; distinct handles may be used concurrently. */
#ifndef KETASIM_FEAR_H
#define KETASIM_FEAR_H

#include <ketasim/core.h>
#include <ketasim/rng.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { KS_FEAR_MODEL_TWO_TRACE = 0, KS_FEAR_MODEL_LATENT_CAUSE = 1 } ks_fear_model;

/* What an exposure is. REMINDER: a brief daily-life reminder (cut short by avoidance).
 * THERAPY: an exposure-therapy session (imaginal or in vivo), not cut short.
 * RETRIEVAL: a brief, isolated memory reactivation that destabilises the trauma memory for a few
 * hours (reconsolidation window): extinction, or an open plasticity window, during that time
 * weakens the association itself (post-retrieval extinction; Monfils 2009, Schiller 2010). */
typedef enum {
  KS_FEAR_EXPOSURE_REMINDER = 0,
  KS_FEAR_EXPOSURE_THERAPY = 1,
  KS_FEAR_EXPOSURE_RETRIEVAL = 2
} ks_fear_exposure_kind;

/* Inputs from the layers above, held constant over one advance() step. Plain doubles, so the fear
 * layer does not depend on how they are computed. */
typedef struct ks_fear_drive {
  double window;               /* plasticity window W(t): 0 closed (also midazolam, mTORC1 block),
                                  about 1 fully open after a ketamine dose; >= 0 */
  double vmpfc_amygdala_gain;  /* relative synaptic gain, 1 = healthy; PTSD about 0.7-0.9; > 0 */
  double hippocampal_context;  /* context match x hippocampal function in [0, 1]: 1 = the context
                                  where extinction was learned with intact hippocampus; lower values
                                  give renewal (a new context) */
  double stress;               /* background stress in [0, 1] (0 none); the reinstatement state
                                  relaxes toward it. Brief stressors: ks_fear_stressor(). */
  double approach;             /* [0, 1]: share of avoidance overcome in daily life (expectancy of
                                  improvement); reminders arrive at r0 (1 - Av (1 - approach)) */
} ks_fear_drive;

/** A drive for a PTSD patient without treatment: W 0, gain 0.8, context 1, stress 0, approach 0. */
KS_API ks_fear_drive ks_fear_drive_default(void);

/* Parameters (units in names; values and sources in docs/model/fear.md). */
typedef struct ks_fear_params {
  ks_fear_model model;
  /* two-trace model */
  double beta_extinction;        /* inhibition by recalled extinction, dimensionless */
  double gamma_topdown;          /* direct vmPFC inhibition of amygdala output per unit gain */
  double recall_gain_half;       /* gain at which extinction recall is half of its maximum */
  double recall_hill;            /* Hill coefficient of recall vs gain */
  double alpha_ext_per_min;      /* extinction learning rate per minute of exposure at W = 0 */
  double k_window_learning;      /* learning-rate gain per unit W: rate x (1 + k W) */
  double k_window_consolidation; /* consolidation-rate gain per unit W */
  double consolidation_per_day;  /* labile -> consolidated transfer at gain 1, W = 0 */
  double labile_loss_per_day;    /* forgetting of the labile extinction trace */
  double consolidated_halflife_days;
  double association_halflife_days; /* natural fading of the trauma association */
  double reminder_rate_per_day;  /* daily-life reminders without avoidance */
  double reminder_minutes;       /* length of one reminder */
  double avoidance_max;          /* maximum avoidance in [0, 1) */
  double avoidance_f50;          /* fear expression at half-maximal avoidance */
  double avoidance_hill;
  double stress_gain;            /* reinstatement: amygdala output x (1 + g s) */
  double stress_recall_loss;     /* reinstatement: extinction recall / (1 + l s) */
  double stress_tau_days;        /* relaxation time of the stress state */
  double recon_window_h;         /* reconsolidation lability time constant (hours) */
  double recon_fraction;         /* share of extinction learning that weakens A while labile */
  double recon_window_rate_per_day; /* A weakening per day per unit (lability x W) */
  /* latent-cause model */
  size_t lcm_particles;          /* 100-500 */
  size_t lcm_causes;             /* K <= KS_FEAR_LCM_MAX_CAUSES */
  double lcm_alpha;              /* CRP concentration [0, 10] */
  double lcm_stickiness;         /* [0, 5] */
  double lcm_beta_a, lcm_beta_b; /* Beta prior of feature probabilities */
  double lcm_us_learning_rate;   /* leak of a cause's US counts per trial (RW-like), [0, 1) */
  double lcm_window_alpha_drop;  /* alpha_eff = alpha / (1 + d W) */
  double lcm_kernel_tau_days[3]; /* time scales of the temporal kernel (sum of exponentials) */
  double lcm_kernel_weight[3];
  double lcm_kernel_weight_count;/* weight of the non-decaying count term */
  double lcm_trial_minutes;      /* minutes of exposure that make one trial */
  double lcm_trauma_trials;      /* acquisition trials at the trauma */
} ks_fear_params;

#define KS_FEAR_LCM_MAX_CAUSES 16

/* Contexts of the latent-cause model (features after the US and the CS). */
typedef enum {
  KS_FEAR_CTX_TRAUMA = 0, KS_FEAR_CTX_DAILY = 1, KS_FEAR_CTX_THERAPY = 2, KS_FEAR_CTX_NOVEL = 3,
  KS_FEAR_CTX_N
} ks_fear_context;

/** Defaults of a model (values in docs/model/fear.md). */
KS_API ks_fear_params ks_fear_params_default(ks_fear_model model);

typedef struct ks_fear ks_fear;

/** Create a fear-memory object; allocates everything it will ever need (the particle filter for the
 *  latent-cause model). Call ks_fear_init before use. Writes *out only on success.
 *  @return KS_OK, KS_EINVAL (bad parameter, message says which), KS_ENOMEM. */
KS_API ks_status ks_fear_create(ks_ctx *ctx, const ks_fear_params *p, ks_fear **out);
/** Destroy and set *f to NULL; does nothing when *f is NULL. */
KS_API void ks_fear_destroy(ks_fear **f);

/** Start a patient at time 0 with baseline fear expression `severity` in (0, 1) under the drive
 *  `baseline` (untreated). The two-trace model is put at its mean-field steady state, so an
 *  untreated patient stays near baseline; the latent-cause model replays the trauma (acquisition
 *  trials) and scales its US expectancy to `severity`. Random draws of the latent-cause model
 *  come from (ctx seed, KS_STREAM_LATENT_CAUSE, patient_id). No allocation.
 *  @return KS_OK, KS_EINVAL (severity outside (0, 1), bad drive). */
KS_API ks_status ks_fear_init(ks_fear *f, double severity, const ks_fear_drive *baseline,
                              uint64_t patient_id);

/** Advance by dt_days (> 0) with the drive held constant. Daily-life reminders arrive as a Poisson
 *  process at reminder_rate_per_day x (1 - avoidance), drawn from `rng` (the caller keys it with
 *  KS_STREAM_FEAR and the patient); rng may be NULL for no reminders. Keep dt_days small enough
 *  (<= 0.25 d) for the drive to be constant over the step. No allocation.
 *  @return KS_OK, KS_EINVAL. */
KS_API ks_status ks_fear_advance(ks_fear *f, double dt_days, const ks_fear_drive *drive, ks_rng *rng);

/** An exposure of `minutes` (> 0) of a given kind, at the current time, under `drive`.
 *  @return KS_OK, KS_EINVAL. */
KS_API ks_status ks_fear_exposure(ks_fear *f, const ks_fear_drive *drive, double minutes,
                                  ks_fear_exposure_kind kind);

/** A brief stressor of `magnitude` (>= 0, 1 = a strong one): reinstatement. In the latent-cause
 *  model it is a US-alone trial. @return KS_OK, KS_EINVAL. */
KS_API ks_status ks_fear_stressor(ks_fear *f, double magnitude);

/** Fear expression in [0, 1] (amygdala output to a trauma reminder) under the last drive used. */
KS_API double ks_fear_expression(const ks_fear *f);
/** Fear expression under another drive (renewal probes); does not change the state. */
KS_API double ks_fear_expression_under(const ks_fear *f, const ks_fear_drive *drive);
/** Avoidance in [0, 1) under the last drive used. */
KS_API double ks_fear_avoidance(const ks_fear *f);

/* A snapshot for trajectories and tests. Latent-cause fields are 0 in the two-trace model. */
typedef struct ks_fear_snapshot {
  double t_days;
  double association;          /* A */
  double extinction_labile;    /* E_l */
  double extinction_consolidated; /* E_c */
  double lability;             /* reconsolidation lability in [0, 1] */
  double stress_state;
  double fear_expression;
  double avoidance;
  double n_reminders;          /* reminders experienced since init */
  double n_exposure_minutes;   /* therapy minutes since init */
  double lcm_causes_mean;      /* mean number of causes in use across particles */
  double lcm_p_trauma_cause;   /* posterior weight of the trauma cause in the daily context */
} ks_fear_snapshot;

KS_API ks_status ks_fear_get_snapshot(const ks_fear *f, ks_fear_snapshot *out);

/** Latent-cause model only: one conditioning trial at time t_days (>= the last trial's time) with
 *  the CS present (cs != 0) or absent, in context ctx_id, with the US present (us != 0) or not,
 *  under plasticity window `window`. *cr_out (may be NULL) receives the US expectancy before the
 *  US is seen (the conditioned response, in [0, 1]). For laboratory paradigms (acquisition,
 *  extinction, tests). @return KS_OK, KS_EINVAL, KS_EUNSUPPORTED (two-trace model). */
KS_API ks_status ks_fear_lcm_trial(ks_fear *f, double t_days, int cs, ks_fear_context ctx_id,
                                   int us, double window, double *cr_out);
/** Latent-cause model only: US expectancy to the CS in context ctx_id at time t_days without
 *  learning (a probe). @return KS_OK, KS_EINVAL, KS_EUNSUPPORTED. */
KS_API ks_status ks_fear_lcm_probe(const ks_fear *f, double t_days, ks_fear_context ctx_id,
                                   double *cr_out);
/** Latent-cause model only: reset to a naive learner at time 0 (no trauma), for lab paradigms. */
KS_API ks_status ks_fear_lcm_reset_naive(ks_fear *f, uint64_t patient_id);

#ifdef __cplusplus
}
#endif
#endif
