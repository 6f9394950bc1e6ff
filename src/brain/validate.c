/* SPDX-License-Identifier: MIT */
/* Calibration and validation entries of the brain layer. The published figures are those of
 * data/brain/targets.tsv (kept in step by tests/unit/test_brain.c); roles as declared there. */
#include "core/core_internal.h"

#include <ketasim/brain.h>
#include <ketasim/plasticity.h>
#include <ketasim/receptor.h>

#include <math.h>
#include <string.h>

/* The trial population's mean spine deficits and human spine relaxation (docs/model/trial.md). */
#define REF_DEFICIT_PFC 0.155
#define REF_DEFICIT_HPC 0.124
#define HUMAN_SPINE_RELAX_SCALE 3.0

/* Typical 70-kg patient: PK of DOSES, then the cascade at t_out (hours). */
static ks_status run_course(ks_ctx *ctx, const ks_pk_dose *doses, size_t n_doses, const double *t_out, size_t n_out,
                            ks_cascade_point *out, ks_pk_sim **sim_out) {
  ks_pk_patient pat = ks_pk_patient_typical(70.0, 40.0, 0);
  ks_pk_options po = ks_pk_options_default();
  po.allow_unstudied_doses = 1; /* the pain studies ran multi-day infusions */
  ks_pk_sim *sim = NULL;
  KS_TRY(ks_pk_sim_create(ctx, &pat, doses, n_doses, &po, &sim));
  ks_status st = KS_OK;
  if (out) {
    ks_exposure ex;
    ks_pk_sim_exposure(sim, &ex);
    ks_cascade_params cp = ks_cascade_params_default();
    cp.spine_deficit_pfc = REF_DEFICIT_PFC;
    cp.spine_deficit_hpc = REF_DEFICIT_HPC;
    cp.spine_relax_d *= HUMAN_SPINE_RELAX_SCALE;
    ks_receptor_params rp = ks_receptor_params_default();
    st = ks_cascade_solve(ctx, &cp, &rp, &ex, t_out, n_out, out);
  }
  if (st == KS_OK && sim_out) *sim_out = sim;
  else ks_pk_sim_destroy(&sim);
  return st;
}

/* Mean NRS ratio (treated / untreated) at T_H for a population with the responder share. */
static ks_status pain_ratio(ks_ctx *ctx, const ks_brain_params *bp, const ks_pk_dose *d, double t_h, double *ratio) {
  ks_pk_sim *sim = NULL;
  KS_TRY(run_course(ctx, d, 1, NULL, 0, NULL, &sim));
  double ce = 0.0;
  ks_status st = ks_brain_pain_effect_site(ctx, bp, sim, d, 1, t_h, &ce);
  ks_pk_sim_destroy(&sim);
  *ratio = 1.0 - bp->pain_p_response * ce / (bp->pain_c50_ng_mL + ce);
  return st;
}

ks_status ks_brain_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n) {
  KS_CHECK_ARG(ctx, out && n);
  ks_brain_params bp = ks_brain_params_default();
  const ks_target_role CAL = KS_TARGET_CALIBRATED, VAL = KS_TARGET_HELD_OUT;

  /* Structural deficits of PTSD at the population's mean spine deficits. */
  ks_brain_volume v;
  ks_brain_volume_eval(&bp, 1.0 - REF_DEFICIT_PFC, 1.0 - REF_DEFICIT_HPC, 1.0, 1.0, &v);
  KS_TRY(ks_target_add(out, cap, n, "brain.hippocampus.ptsd_d", "hippocampal volume, PTSD vs trauma-exposed controls",
                       "d", "Logue 2018 Biol Psychiatry 83:244 (ENIGMA-PGC, n=1868)", -0.17, -0.262, -0.078,
                       v.d_vs_control[KS_GMV_HIPPOCAMPUS], CAL));
  KS_TRY(ks_target_add(out, cap, n, "brain.amygdala.ptsd_d", "amygdala volume, PTSD vs trauma-exposed controls", "d",
                       "Logue 2018 Biol Psychiatry 83:244 (ENIGMA-PGC, n=1868)", -0.11, -0.202, -0.018,
                       v.d_vs_control[KS_GMV_AMYGDALA], CAL));
  KS_TRY(ks_target_add(out, cap, n, "brain.pfc.ptsd_direction", "vmPFC/ACC gray matter smaller in PTSD (direction)",
                       "d", "Kuhn & Gallinat 2013 Biol Psychiatry 73:70 (VBM meta-analysis)", NAN, -1.0, -0.01,
                       v.d_vs_control[KS_GMV_PFC], VAL));

  /* One 0.5 mg/kg racemic infusion over 40 min: hippocampal volume at day 1 and 10, the window
   * at 24 h (SSI calibration) and NMDA occupancy at the end of the infusion. */
  ks_pk_dose d1 = {KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, 0.0, 40.0 / 60.0};
  double t[4] = {0.0, 40.0 / 60.0, 24.0, 240.0};
  ks_cascade_point cp[4];
  KS_TRY(run_course(ctx, &d1, 1, t, 4, cp, NULL));
  double day1[KS_GMV_N], day10[KS_GMV_N];
  ks_brain_volume_eval(&bp, cp[2].spine_pfc, cp[2].spine_hpc, cp[0].spine_pfc, cp[0].spine_hpc, &v);
  memcpy(day1, v.pct_change, sizeof day1);
  ks_brain_volume_eval(&bp, cp[3].spine_pfc, cp[3].spine_hpc, cp[0].spine_pfc, cp[0].spine_hpc, &v);
  memcpy(day10, v.pct_change, sizeof day10);
  const char *sr = "Sci Rep 2024 14:4538 (3T/7T, TRD and HV, 1-2 and 9-10 d)";
  KS_TRY(ks_target_add(out, cap, n, "brain.hippocampus.single_infusion_day1_pct",
                       "whole-hippocampus change 1 day after 0.5 mg/kg (no detectable change)", "%", sr, 0.0, -1.0, 1.0,
                       day1[KS_GMV_HIPPOCAMPUS], VAL));
  KS_TRY(ks_target_add(out, cap, n, "brain.hippocampus.single_infusion_day10_pct",
                       "whole-hippocampus change 10 days after 0.5 mg/kg (no detectable change)", "%", sr, 0.0, -1.0,
                       1.0, day10[KS_GMV_HIPPOCAMPUS], VAL));
  KS_TRY(ks_target_add(out, cap, n, "brain.amygdala.single_infusion_day1_pct",
                       "amygdala change 1 day after 0.5 mg/kg (no detectable change)", "%", sr, 0.0, -1.0, 1.0,
                       day1[KS_GMV_AMYGDALA], VAL));
  KS_TRY(ks_target_add(out, cap, n, "brain.amygdala.single_infusion_day10_direction",
                       "amygdala change 10 days after 0.5 mg/kg (slight increase in TRD: > 0)", "%", sr, NAN, 0.01,
                       5.0, day10[KS_GMV_AMYGDALA], VAL));
  KS_TRY(ks_target_add(out, cap, n, "brain.cognition.acute_ref_occupancy",
                       "NMDA occupancy at the end of 0.5 mg/kg over 40 min (the acute-cognition reference)", "1",
                       "receptor layer (derived constant of docs/model/brain.md)", bp.cog_acute_ref_occupancy,
                       0.8 * bp.cog_acute_ref_occupancy, 1.2 * bp.cog_acute_ref_occupancy, cp[1].nmda_occupancy, CAL));

  /* Cognition at the population's mean deficit: the PTSD-vs-control differences (by construction). */
  double z[KS_COG_N];
  ks_brain_cognition_z(&bp, 1.0 - REF_DEFICIT_PFC, bp.cog_ref_theta_dep, 0.0, 0.0, z);
  static const char *const cog_id[KS_COG_N] = {"brain.cognition.ravlt_d", "brain.cognition.tmt_a_d",
                                               "brain.cognition.tmt_b_d", "brain.cognition.dsst_d"};
  static const double pub[KS_COG_N] = {0.34, 0.49, 0.57, 0.20};
  for (int k = 0; k < KS_COG_N; k++)
    KS_TRY(ks_target_add(out, cap, n, cog_id[k], "PTSD minus trauma-exposed controls (worse = positive)", "d",
                         "PMC8555514 Table 3 (PTSD n=31, trauma-exposed n=30)", pub[k], pub[k] - 0.1, pub[k] + 0.1,
                         -z[k], CAL));

  /* Suicidal ideation at 24 h: the direct (mood-independent) part of the differential reduction. */
  double direct = bp.ssi_direct_max * cp[2].window;
  KS_TRY(ks_target_add(out, cap, n, "brain.ssi.direct_24h",
                       "mood-independent SSI reduction at 24 h, share of baseline (0.664 x (81% - 36%))", "1",
                       "Price 2014 (BSS 6.11->1.13 vs 6.19->3.95); Grunebaum 2018 (mood mediates 33.6%)", 0.30, 0.25,
                       0.35, direct, CAL));

  /* Pain: S-ketamine 20 mg/h for 100 h in CRPS-1 (week 1, ketamine / placebo NRS), and racemic
   * ketamine 30 mg/h for 5 days (day 5 / baseline NRS). */
  double r1 = NAN, r2 = NAN;
  ks_pk_dose ds = {KS_DRUG_ESKETAMINE, KS_ROUTE_IV, 2000.0, 0.0, 100.0};
  KS_TRY(pain_ratio(ctx, &bp, &ds, 7.0 * 24.0, &r1));
  KS_TRY(ks_target_add(out, cap, n, "brain.pain.crps_week1_ratio", "NRS ketamine / placebo at the end of week 1", "1",
                       "Sigtermans 2009 Pain 145:304 (2.68 +- 0.51 vs 5.45 +- 0.48); fitted by Dahan 2011", 2.68 / 5.45,
                       0.29, 0.69, r1, CAL));
  ks_pk_dose dr = {KS_DRUG_KETAMINE, KS_ROUTE_IV, 3600.0, 0.0, 120.0};
  KS_TRY(pain_ratio(ctx, &bp, &dr, 5.0 * 24.0, &r2));
  KS_TRY(ks_target_add(out, cap, n, "brain.pain.racemic_day5_ratio", "NRS at day 5 / baseline, racemic 5-day infusion",
                       "1", "Goldberg 2010 Pain Physician (PMC2950807): 8-9 -> 3-5", 0.47, 0.33, 0.625, r2, VAL));
  return KS_OK;
}
