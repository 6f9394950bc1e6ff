/* SPDX-License-Identifier: MIT */
/* Long-term brain outcomes: regional gray-matter volume from the synaptic state, cognition on the
 * tests' own units (acute NMDA-block impairment and course change), chronic pain on a 0-10 NRS
 * with ketamine's slow analgesic effect site, suicidal ideation (SSI), and the long-term safety
 * flags of repeated use (cumulative exposure). Every function here is pure: the same inputs give
 * the same outputs, nothing is shared, any thread may call it. Model, parameters and sources:
 * docs/model/brain.md; published targets (calibration and validation kept apart):
 * data/brain/targets.tsv. */
#ifndef KETASIM_BRAIN_H
#define KETASIM_BRAIN_H

#include <ketasim/core.h>
#include <ketasim/pk.h>
#include <ketasim/validate.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Regions of the structural readout. */
typedef enum {
  KS_GMV_PFC = 0,             /* medial prefrontal / anterior cingulate gray matter */
  KS_GMV_HIPPOCAMPUS,
  KS_GMV_ANTERIOR_HIPPOCAMPUS,
  KS_GMV_AMYGDALA,
  KS_GMV_N
} ks_gmv_region;

/** "pfc", "hippocampus", "anterior_hippocampus", "amygdala". */
KS_API const char *ks_gmv_region_name(ks_gmv_region r);

/* Cognitive tests, each on its own units. */
typedef enum {
  KS_COG_RAVLT = 0,  /* Rey AVLT total learning, trials 1-5, words (0-75); higher is better */
  KS_COG_TMT_A,      /* Trail Making Test part A, seconds; lower is better (processing speed) */
  KS_COG_TMT_B,      /* Trail Making Test part B, seconds (capped at 300); set-shifting */
  KS_COG_DSST,       /* Digit Symbol (WAIS), items in 120 s; higher is better (processing speed) */
  KS_COG_N
} ks_cog_test;

/** "ravlt_total", "tmt_a_s", "tmt_b_s", "dsst". */
KS_API const char *ks_cog_test_name(ks_cog_test t);

/** Every parameter of the layer; values, units and sources in docs/model/brain.md. */
typedef struct ks_brain_params {
  /* --- structural --- */
  double vol_per_spine[KS_GMV_N]; /* acquired part: fractional volume change per fractional spine change */
  double vol_trait_d[KS_GMV_N];   /* pre-existing (familial) difference of the PTSD population from
                                     controls, d; not synaptic, so no drug moves it (Gilbertson 2002) */
  double vol_cv[KS_GMV_N];        /* between-subject SD / mean of the volume in controls */
  double vol_scan_sd;             /* scan-rescan error of one measured volume, SD / mean */
  /* --- cognition --- */
  double cog_norm_mean[KS_COG_N];    /* trauma-exposed controls, test units */
  double cog_norm_sd[KS_COG_N];
  double cog_retest_sd[KS_COG_N];    /* within-patient visit noise, control SDs */
  double cog_d_ptsd[KS_COG_N];       /* PTSD minus controls at the mean deficit, control SDs (> 0: worse) */
  double cog_synaptic_share;         /* share of the PTSD deficit carried by the spine deficit (rest: mood) */
  double cog_ref_spine_deficit;      /* mean PFC spine deficit of the trial population */
  double cog_ref_theta_dep;          /* mean depressive latent (theta) above the healthy level */
  double cog_acute_d[KS_COG_N];      /* acute impairment at the reference NMDA occupancy, control SDs */
  double cog_acute_ref_occupancy;    /* occupancy at the end of 0.5 mg/kg racemic over 40 min */
  /* --- pain --- */
  double pain_prevalence;            /* share of PTSD patients with chronic pain */
  double pain_nrs_mean, pain_nrs_sd; /* baseline NRS of those with pain */
  double pain_c50_ng_mL;             /* effect-site S-ketamine equivalent for half the effect */
  double pain_t_half_d;              /* onset/offset half-time of the analgesic effect site, days */
  double pain_p_response;            /* chance that a patient's pain responds to ketamine */
  double pain_r_potency;             /* R-ketamine analgesic potency relative to S */
  double pain_retest_sd;             /* NRS points */
  /* --- suicidal ideation --- */
  double si_prevalence_at_mean;      /* P(SSI > 0 at baseline) for a patient at mean depression */
  double si_logit_per_z;             /* logit of P(SI) per SD of depressive severity */
  double ssi_median, ssi_gsd;        /* baseline SSI of those with ideation: median, geometric SD */
  double ssi_per_theta;              /* SSI change per unit change of the depressive latent, fraction of baseline */
  double ssi_direct_max;             /* direct (mood-independent) fractional SSI reduction at W = 1 */
  double ssi_retest_sd;              /* SSI points */
  /* --- long-term safety --- */
  double flag_frequent_per_week;     /* doses per week over 4 weeks that count as frequent use */
  double flag_cumulative_g;          /* cumulative ketamine exposure flag, grams */
} ks_brain_params;

/** Defaults (docs/model/brain.md). */
KS_API ks_brain_params ks_brain_params_default(void);

/* ---- structural imaging ---------------------------------------------------------------------- */

typedef struct ks_brain_volume {
  double rel[KS_GMV_N];           /* volume relative to a healthy control (1) */
  double pct_change[KS_GMV_N];    /* percent change from the patient's own baseline */
  double d_vs_control[KS_GMV_N];  /* (rel - 1) / vol_cv: the patient's standardised difference */
} ks_brain_volume;

/** Regional gray-matter volume of the PTSD population's mean patient: a pre-existing part
 *  (1 + vol_cv vol_trait_d) times an acquired part from spine densities relative to healthy
 *  (spine_pfc, spine_hpc; 1 = healthy) now and at the patient's baseline (spine_pfc0, spine_hpc0).
 *  A patient's own anatomy (between-subject spread, SD 1 in d) is the caller's draw. Pure; never
 *  fails (non-finite or non-positive densities are clamped to 0.05). */
KS_API void ks_brain_volume_eval(const ks_brain_params *p, double spine_pfc, double spine_hpc,
                                 double spine_pfc0, double spine_hpc0, ks_brain_volume *out);

/* ---- cognition ------------------------------------------------------------------------------- */

/** Latent cognitive state of a patient at a moment: z[test] in control SDs (0 = control mean,
 *  positive = better performance), from the PFC spine density relative to healthy, the
 *  depressive latent theta_dep above its healthy level, and the NMDA occupancy at test time
 *  (acute block). trait_z is the patient's stable offset (control SDs). */
KS_API void ks_brain_cognition_z(const ks_brain_params *p, double spine_pfc, double theta_dep,
                                 double nmda_occupancy, double trait_z, double z[KS_COG_N]);

/** One administration of test T at latent z with a standard normal draw e (retest noise): the
 *  score on the test's units, rounded as the test scores it and bounded by its range. */
KS_API double ks_brain_cognition_score(const ks_brain_params *p, ks_cog_test t, double z, double e);

/* ---- chronic pain (NRS 0-10) --------------------------------------------------------------- */

/** Analgesic effect-site concentration (ng/mL S-ketamine equivalent) at t_h from the plasma
 *  profile of SIM: the effect compartment of Dahan 2011, dCe/dt = ke0 (Cp - Ce) with
 *  ke0 = ln 2 / pain_t_half_d, integrated by the midpoint rule on 10-minute plasma samples of
 *  every dose (each dose's plasma followed to 48 h after its end, overlapping doses merged).
 *  @return KS_OK; a failure of ks_pk_sim_eval; KS_EINVAL (NULL). */
KS_API ks_status ks_brain_pain_effect_site(ks_ctx *ctx, const ks_brain_params *p, const ks_pk_sim *sim,
                                           const ks_pk_dose *doses, size_t n_doses, double t_h,
                                           double *ce_ng_mL);

/** NRS (0-10, one decimal) for a patient with baseline NRS nrs0, responder flag, analgesic
 *  effect-site concentration ce (ng/mL), and a standard normal draw e. Emax model of Dahan
 *  2011: NRS = nrs0 (1 - R Ce / (C50 + Ce)) + noise, clamped to [0, 10]. */
KS_API double ks_brain_pain_nrs(const ks_brain_params *p, double nrs0, int responder, double ce_ng_mL,
                                double e);

/* ---- suicidal ideation (SSI 0-38) ----------------------------------------------------------- */

/** SSI total (integer 0-38) for a patient with baseline ideation ssi0 (0 = none), the change of
 *  the depressive latent since baseline (d_theta_dep, < 0 = better), the window of plasticity W
 *  (0..1; the direct, mood-independent part of ketamine's rapid anti-suicidal effect) and a
 *  standard normal draw e. */
KS_API double ks_brain_ssi(const ks_brain_params *p, double ssi0, double d_theta_dep, double window, double e);

/** The direct anti-suicidal effect on the depressive latent that a suicide item is rated on
 *  (MADRS item 10): the shift of theta (< 0 = less ideation) whose mood effect on the SSI equals
 *  the direct factor, 1 + ssi_per_theta shift = 1 - ssi_direct_max W, so shift =
 *  -(ssi_direct_max / ssi_per_theta) W with W clamped to [0, 1]. Both scales then measure one
 *  ideation (docs/model/brain.md section 4). */
KS_API double ks_brain_si_item_theta_shift(const ks_brain_params *p, double window);

/* ---- long-term safety flags ---------------------------------------------------------------- */

typedef struct ks_brain_safety {
  double cumulative_mg;          /* ketamine + esketamine given so far */
  double doses_last_28d;
  double doses_per_week_28d;
  int frequent_use;              /* doses_per_week_28d >= flag_frequent_per_week */
  int cumulative_exposure;       /* cumulative_mg >= 1000 flag_cumulative_g */
} ks_brain_safety;

/** Exposure to NMDA antagonists before t_h (dose starts < t_h) and the flags a clinician would
 *  see next to benefit (memory impairment with frequent heavy use, Morgan 2010; urinary tract
 *  injury with cumulative exposure, Chu 2008 / Jalil 2019). Midazolam doses are not counted. */
KS_API void ks_brain_safety_eval(const ks_brain_params *p, const ks_pk_dose *doses, size_t n_doses, double t_h,
                                 ks_brain_safety *out);

/** Validation and calibration entries of the layer (validate.h), from data/brain/targets.tsv's
 *  figures compiled in: structural deficits in PTSD (Logue 2018), cognition (PMC8555514),
 *  S-ketamine analgesia in CRPS (Sigtermans 2009 / Dahan 2011), SSI at day 1 (Grunebaum 2018,
 *  Price 2014). Cost: a few PK simulations (< 1 s). */
KS_API ks_status ks_brain_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
