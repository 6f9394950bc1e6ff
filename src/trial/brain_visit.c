/* SPDX-License-Identifier: MIT */
/* The brain layer's measures at one visit of one patient (ks__brain_visit): structural volume,
 * cognitive tests, chronic pain NRS, suicidal ideation (SSI, MADRS item 10), the latent
 * depressive severity and the long-term safety flags. Called once per visit by the patient loop
 * (patient.c), after the visit's symptom scales; a pure function of its arguments and the
 * patient's own streams (KS_STREAM_BRAIN), so any thread count gives the same bytes. */
#include "trial_internal.h"

#include <ketasim/brain.h>
#include <ketasim/pk.h>
#include <ketasim/receptor.h>

#include "brain_visit.h"

/* Stream index of the MRI measurement errors: far above the visit streams (1 + v). */
#define KS_BRAIN_SCAN_INDEX (1u << 20)

/* Patient-level draws of the brain layer, keyed (seed, KS_STREAM_BRAIN, id, 0). */
typedef struct {
  double cog_trait_z;  /* stable cognitive offset, control SDs */
  int has_pain, pain_responder;
  double nrs0, ssi0;
  double hpc_anat_z;   /* the patient's own hippocampal anatomy, control SDs (d) */
  double scan0_e[KS_GMV_N]; /* measurement error of the baseline scan, standard normal per region */
} brain_patient;

static void brain_patient_draw(const ks_brain_params *bp, const trial_plan *plan, const ks_patient *cov,
                               brain_patient *out) {
  ks_rng r;
  ks_rng_init(&r, plan->seed, KS_STREAM_BRAIN, cov->id, 0);
  /* Test-retest r ~ 0.85 leaves a stable share of between-patient variance; the remaining SD
   * (about 0.9 control SD) is the patient's own offset. */
  out->cog_trait_z = 0.9 * ks_rng_normal(&r);
  out->has_pain = ks_rng_uniform(&r) < bp->pain_prevalence;
  out->pain_responder = ks_rng_uniform(&r) < bp->pain_p_response;
  double nrs = bp->pain_nrs_mean + bp->pain_nrs_sd * ks_rng_normal(&r);
  out->nrs0 = nrs < 1.0 ? 1.0 : nrs > 10.0 ? 10.0 : nrs;
  double lp = log(bp->si_prevalence_at_mean / (1.0 - bp->si_prevalence_at_mean)) + bp->si_logit_per_z * cov->depression_z;
  int si = ks_rng_uniform(&r) < 1.0 / (1.0 + exp(-lp));
  double ssi = bp->ssi_median * exp(log(bp->ssi_gsd) * ks_rng_normal(&r));
  out->ssi0 = si ? (ssi < 1.0 ? 1.0 : ssi > 38.0 ? 38.0 : ssi) : 0.0;
  /* Between-subject spread of hippocampal volume: SD 1 on the d scale by the definition of d. */
  out->hpc_anat_z = ks_rng_normal(&r);
  for (int g = 0; g < KS_GMV_N; g++) out->scan0_e[g] = ks_rng_normal(&r);
}

/* Structural MRI at visit v: each region's measured volume carries its scan's error (the baseline
 * scan's from the patient draws, a later scan's from its own stream), so the percent change from
 * baseline is what two real scans give: 100 (V(t)(1 + sd e_t) / (V(0)(1 + sd e_0)) - 1). */
static void mri_volumes(const ks_brain_params *bp, const trial_plan *plan, uint64_t id, size_t v, const brain_patient *b,
                        const ks_cascade_point *pc0, const ks_cascade_point *pc, double *row) {
  static const int meas[KS_GMV_N] = {KS_M_VOL_PFC_PCT, KS_M_VOL_HPC_PCT, KS_M_VOL_AHPC_PCT, KS_M_VOL_AMY_PCT};
  ks_brain_volume vol;
  ks_brain_volume_eval(bp, pc->spine_pfc, pc->spine_hpc, pc0->spine_pfc, pc0->spine_hpc, &vol);
  ks_rng sr;
  ks_rng_init(&sr, plan->seed, KS_STREAM_BRAIN, id, KS_BRAIN_SCAN_INDEX + v);
  double meas_e[KS_GMV_N];
  for (int g = 0; g < KS_GMV_N; g++) {
    double e = v == 0 ? b->scan0_e[g] : ks_rng_normal(&sr);
    meas_e[g] = 1.0 + bp->vol_scan_sd * e;
    row[meas[g]] = 100.0 * ((1.0 + vol.pct_change[g] / 100.0) * meas_e[g] / (1.0 + bp->vol_scan_sd * b->scan0_e[g]) - 1.0);
  }
  row[KS_M_VOL_HPC_D] =
      (vol.rel[KS_GMV_HIPPOCAMPUS] * meas_e[KS_GMV_HIPPOCAMPUS] - 1.0) / bp->vol_cv[KS_GMV_HIPPOCAMPUS] + b->hpc_anat_z;
}

/* MADRS item 10 of visit v: the clinic layer's item, regenerated with the stream patient.c used
 * for the MADRS of this visit (KS_STREAM_CLINIC, 1 + 8 v + 3) so that it is the item behind the
 * total, rated on the depressive latent moved by the direct anti-suicidal effect
 * (ks_brain_si_item_theta_shift; same uniform draw, so only the effect moves it). The total
 * carries the item's change: the MADRS stays the sum of its items. */
static ks_status madrs_suicide_item(const trial_plan *plan, const ks_brain_params *bp, const ks_clinic_patient *cpt,
                                    const ks_clinic_latent *lat, uint64_t id, size_t v, double window, double *row) {
  int items[16];
  ks_scale_score sc;
  ks_rng mr;
  ks_rng_init(&mr, plan->seed, KS_STREAM_CLINIC, id, 1 + v * 8 + 3);
  KS_TRY(ks_clinic_scale_generate(plan->clinic, cpt, KS_SCALE_MADRS, lat, &mr, items, 16, &sc));
  int mood_item = items[9];
  double shift = ks_brain_si_item_theta_shift(bp, window);
  if (shift < 0.0) {
    ks_clinic_latent moved = *lat;
    moved.theta[KS_CLUSTER_DEP] += shift;
    ks_rng_init(&mr, plan->seed, KS_STREAM_CLINIC, id, 1 + v * 8 + 3);
    KS_TRY(ks_clinic_scale_generate(plan->clinic, cpt, KS_SCALE_MADRS, &moved, &mr, items, 16, &sc));
  }
  row[KS_M_MADRS_SI] = items[9];
  if (!isnan(row[KS_M_MADRS])) row[KS_M_MADRS] += items[9] - mood_item;
  return KS_OK;
}

ks_status ks__brain_visit(ks_ctx *ctx, const trial_plan *plan, const trial_patient *pt, const ks_pk_sim *pk,
                          const ks_pk_dose *doses, size_t n_doses, const ks_cascade_point *pc0,
                          const ks_cascade_point *pc, const ks_clinic_patient *cpt, const ks_clinic_latent *lat,
                          double t_visit_h, double *values, size_t v) {
  const ks_brain_params bp = ks_brain_params_default();
  const uint64_t id = pt->cov.id;
  double *row = values + v * KS_M_N;
  unsigned scales = plan->visit_scales[v];
  brain_patient b;
  brain_patient_draw(&bp, plan, &pt->cov, &b);
  ks_rng vr; /* visit noise: one stream per visit, consumed in a fixed order */
  ks_rng_init(&vr, plan->seed, KS_STREAM_BRAIN, id, 1 + v);

  /* Latent depressive severity and its change since the baseline visit (visit 0, always assessed). */
  double theta = lat->theta[KS_CLUSTER_DEP];
  row[KS_M_THETA_DEP] = theta;
  double d_theta = v > 0 && !isnan(values[KS_M_THETA_DEP]) ? theta - values[KS_M_THETA_DEP] : 0.0;

  /* Safety: exposure up to this visit. */
  ks_brain_safety s;
  ks_brain_safety_eval(&bp, doses, n_doses, t_visit_h, &s);
  row[KS_M_KETAMINE_CUM_MG] = s.cumulative_mg;
  row[KS_M_DOSES_PER_WEEK] = s.doses_per_week_28d;
  row[KS_M_FLAG_FREQUENT] = s.frequent_use;
  row[KS_M_FLAG_CUMULATIVE] = s.cumulative_exposure;

  /* Structural MRI: acquired at every scan or mri visit. */
  if (scales & ((1u << KS_SCALE_SCAN) | (1u << KS_SCALE_MRI))) mri_volumes(&bp, plan, id, v, &b, pc0, pc, row);

  /* Cognition: NMDA occupancy at the exact test time (acute block), PFC spines, mood. */
  static const ks_scen_scale cog_scale[KS_COG_N] = {KS_SCALE_RAVLT, KS_SCALE_TMT_A, KS_SCALE_TMT_B, KS_SCALE_DSST};
  static const int cog_meas[KS_COG_N] = {KS_M_RAVLT, KS_M_TMT_A, KS_M_TMT_B, KS_M_DSST};
  unsigned cog_bits = 0;
  for (int k = 0; k < KS_COG_N; k++) cog_bits |= 1u << cog_scale[k];
  if (scales & cog_bits) {
    ks_pk_conc c;
    KS_TRY(ks_pk_sim_eval(pk, t_visit_h, &c));
    ks_receptor_state rs;
    ks_receptor_eval(&plan->receptor, &c, &rs);
    double z[KS_COG_N];
    ks_brain_cognition_z(&bp, pc->spine_pfc, bp.cog_ref_theta_dep + d_theta, rs.nmda_occupancy, b.cog_trait_z, z);
    for (int k = 0; k < KS_COG_N; k++) {
      double e = ks_rng_normal(&vr);
      if (scales & (1u << cog_scale[k])) row[cog_meas[k]] = ks_brain_cognition_score(&bp, (ks_cog_test)k, z[k], e);
    }
  }

  /* Chronic pain: the slow analgesic effect site of the whole dosing history. */
  if ((scales & (1u << KS_SCALE_NRS)) && b.has_pain) {
    double ce = 0.0;
    KS_TRY(ks_brain_pain_effect_site(ctx, &bp, pk, doses, n_doses, t_visit_h, &ce));
    row[KS_M_PAIN_NRS] = ks_brain_pain_nrs(&bp, b.nrs0, b.pain_responder, ce, ks_rng_normal(&vr));
  }

  /* Suicidal ideation: SSI (mood plus a direct part tied to the window of plasticity), and MADRS
   * item 10, the same ideation rated by the clinician. */
  if (scales & (1u << KS_SCALE_SSI)) row[KS_M_SSI] = ks_brain_ssi(&bp, b.ssi0, d_theta, pc->window, ks_rng_normal(&vr));
  if (scales & (1u << KS_SCALE_MADRS)) KS_TRY(madrs_suicide_item(plan, &bp, cpt, lat, id, v, pc->window, row));
  return KS_OK;
}
