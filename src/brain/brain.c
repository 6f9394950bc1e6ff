/* SPDX-License-Identifier: MIT */
/* Long-term brain outcomes: structural volume, cognition, chronic pain, suicidal ideation and the
 * safety flags of repeated use. Every equation and parameter is explained, with its source, in
 * docs/model/brain.md; the parameter defaults below carry the short form of that reasoning. */
#include "core/core_internal.h"

#include <ketasim/brain.h>
#include <ketasim/receptor.h>

#include <math.h>
#include <string.h>

static const char *const region_names[KS_GMV_N] = {"pfc", "hippocampus", "anterior_hippocampus", "amygdala"};
static const char *const test_names[KS_COG_N] = {"ravlt_total", "tmt_a_s", "tmt_b_s", "dsst"};

const char *ks_gmv_region_name(ks_gmv_region r) { return (unsigned)r < KS_GMV_N ? region_names[r] : "?"; }
const char *ks_cog_test_name(ks_cog_test t) { return (unsigned)t < KS_COG_N ? test_names[t] : "?"; }

static double clampd(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

ks_brain_params ks_brain_params_default(void) {
  ks_brain_params p;
  memset(&p, 0, sizeof p);
  /* Between-subject CV of regional volumes in controls: 10% (assumed; no pooled figure retrieved). */
  for (int r = 0; r < KS_GMV_N; r++) p.vol_cv[r] = 0.10;
  /* Hippocampus: the smaller volume of PTSD is a pre-existing familial trait, shared by the
   * trauma-unexposed identical co-twins (Gilbertson 2002; Pitman 2006), so Logue 2018's d = -0.17
   * is a trait offset and no acquired (synaptic) part is modelled; the anterior hippocampus has no
   * state of its own. Amygdala: acquired, calibrated so that the trial population's mean limbic
   * spine deficit (0.124) gives Logue 2018's d = -0.11. PFC: acquired (pregenual ACC loss is not
   * shared by co-twins, Kasai 2008), with the amygdala's scaling (Keifer 2015: spine density is
   * the morphometric that tracks the VBM signal). */
  p.vol_trait_d[KS_GMV_HIPPOCAMPUS] = -0.17;
  p.vol_trait_d[KS_GMV_ANTERIOR_HIPPOCAMPUS] = -0.17;
  p.vol_per_spine[KS_GMV_AMYGDALA] = 0.11 * 0.10 / 0.124;
  p.vol_per_spine[KS_GMV_PFC] = p.vol_per_spine[KS_GMV_AMYGDALA];
  /* Scan-rescan: whole-hippocampus test-retest absolute error about 2% (multisite 3T, FreeSurfer
   * longitudinal pipeline); E|e1 - e2| = 2 sd / sqrt(pi) gives sd = 0.02 sqrt(pi) / 2 per scan,
   * applied to every region (assumption for the others). */
  p.vol_scan_sd = 0.02 * sqrt(acos(-1.0)) / 2.0;
  /* Cognition: trauma-exposed controls and PTSD-vs-control d of PMC8555514 (Table 3). */
  static const double mean[KS_COG_N] = {57.77, 20.13, 48.63, 79.33};
  static const double sd[KS_COG_N] = {6.37, 6.34, 13.14, 14.73};
  static const double d[KS_COG_N] = {0.34, 0.49, 0.57, 0.20};
  /* Acute impairment at the reference occupancy: Zhornitsky 2022 meta-analysis grades acute
   * effects "small to moderate", largest for verbal learning/memory (assumed d 0.6 vs 0.3-0.4). */
  static const double acute[KS_COG_N] = {0.6, 0.3, 0.3, 0.4};
  for (int t = 0; t < KS_COG_N; t++) {
    p.cog_norm_mean[t] = mean[t];
    p.cog_norm_sd[t] = sd[t];
    p.cog_d_ptsd[t] = d[t];
    p.cog_acute_d[t] = acute[t];
    p.cog_retest_sd[t] = 0.4; /* assumed: test-retest r ~ 0.85 leaves 0.4 SD of visit noise */
  }
  p.cog_synaptic_share = 0.3;       /* assumed: Shiroma 2014 / Zhou 2018 find course change mostly mood-related */
  p.cog_ref_spine_deficit = 0.155;  /* trial population mean PFC deficit (docs/model/trial.md) */
  p.cog_ref_theta_dep = 2.0;        /* assumed: IRT span from the trial's mean depressive severity to remission */
  p.cog_acute_ref_occupancy = 0.42; /* NMDA occupancy at the end of 0.5 mg/kg over 40 min (receptor layer, derived) */
  /* Pain. */
  p.pain_prevalence = 0.532;        /* Hadlandsmyth 2024: VA patients with PTSD who have chronic pain */
  p.pain_nrs_mean = 6.0;            /* assumed: moderate-severe chronic pain */
  p.pain_nrs_sd = 1.5;
  p.pain_c50_ng_mL = 10.5;          /* Dahan 2011 */
  p.pain_t_half_d = 10.9;           /* Dahan 2011: onset/offset half-time */
  p.pain_p_response = 0.67;         /* Dahan 2011: chance of an analgesic effect */
  ks_receptor_params rp = ks_receptor_params_default();
  p.pain_r_potency = rp.nmda_ki_uM[KS_SP_S_KETAMINE] / rp.nmda_ki_uM[KS_SP_R_KETAMINE]; /* Ebert 1997 Ki ratio */
  p.pain_retest_sd = 0.8;           /* assumed */
  /* Suicidal ideation. */
  p.si_prevalence_at_mean = 0.35;   /* assumed */
  p.si_logit_per_z = 1.0;           /* assumed */
  p.ssi_median = 8.0;               /* assumed; Price 2014 baseline BSS 6.1 +- 6.8 in TRD */
  p.ssi_gsd = 1.8;
  p.ssi_per_theta = 0.35;           /* assumed */
  p.ssi_direct_max = 0.38;          /* calibrated to Price 2014 (docs/model/brain.md) */
  p.ssi_retest_sd = 1.5;            /* assumed */
  /* Safety. */
  p.flag_frequent_per_week = 4.0;   /* Morgan 2010: frequent recreational users (4+ times a week, assumed reading) */
  p.flag_cumulative_g = 10.0;       /* assumed: no published dose threshold for uropathy */
  return p;
}

/* ---- structural ---------------------------------------------------------------------------- */

void ks_brain_volume_eval(const ks_brain_params *p, double spine_pfc, double spine_hpc, double spine_pfc0,
                          double spine_hpc0, ks_brain_volume *out) {
  double s[2] = {spine_pfc, spine_hpc}, s0[2] = {spine_pfc0, spine_hpc0};
  for (int k = 0; k < 2; k++) {
    if (!(isfinite(s[k]) && s[k] > 0.05)) s[k] = 0.05;
    if (!(isfinite(s0[k]) && s0[k] > 0.05)) s0[k] = 0.05;
  }
  for (int r = 0; r < KS_GMV_N; r++) {
    int k = r == KS_GMV_PFC ? 0 : 1;
    /* A pre-existing part times an acquired part; the acquired part tracks synaptic (spine)
     * density linearly near the healthy state. */
    double trait = 1.0 + p->vol_cv[r] * p->vol_trait_d[r];
    double rel = trait * (1.0 - p->vol_per_spine[r] * (1.0 - s[k]));
    double rel0 = trait * (1.0 - p->vol_per_spine[r] * (1.0 - s0[k]));
    out->rel[r] = rel;
    out->pct_change[r] = 100.0 * (rel / rel0 - 1.0);
    out->d_vs_control[r] = (rel - 1.0) / p->vol_cv[r];
  }
}

/* ---- cognition ----------------------------------------------------------------------------- */

void ks_brain_cognition_z(const ks_brain_params *p, double spine_pfc, double theta_dep, double nmda_occupancy,
                          double trait_z, double z[KS_COG_N]) {
  double syn = (1.0 - clampd(spine_pfc, 0.05, 2.0)) / p->cog_ref_spine_deficit;
  double mood = theta_dep / p->cog_ref_theta_dep;
  double acute = clampd(nmda_occupancy, 0.0, 1.0) / p->cog_acute_ref_occupancy;
  for (int t = 0; t < KS_COG_N; t++)
    z[t] = trait_z - p->cog_d_ptsd[t] * (p->cog_synaptic_share * syn + (1.0 - p->cog_synaptic_share) * mood) -
           p->cog_acute_d[t] * acute;
}

double ks_brain_cognition_score(const ks_brain_params *p, ks_cog_test t, double z, double e) {
  if ((unsigned)t >= KS_COG_N) return NAN;
  double zz = z + p->cog_retest_sd[t] * e;
  switch (t) {
    case KS_COG_RAVLT: return clampd(round(p->cog_norm_mean[t] + zz * p->cog_norm_sd[t]), 0.0, 75.0);
    case KS_COG_DSST: return clampd(round(p->cog_norm_mean[t] + zz * p->cog_norm_sd[t]), 0.0, 133.0);
    /* Completion times: slower (larger) is worse; TMT-B is discontinued at 300 s, TMT-A at 150 s. */
    case KS_COG_TMT_A: return clampd(round(10.0 * (p->cog_norm_mean[t] - zz * p->cog_norm_sd[t])) / 10.0, 8.0, 150.0);
    case KS_COG_TMT_B: return clampd(round(10.0 * (p->cog_norm_mean[t] - zz * p->cog_norm_sd[t])) / 10.0, 15.0, 300.0);
    default: return NAN;
  }
}

/* ---- pain ---------------------------------------------------------------------------------- */

/* Plasma followed after each dose's end (h): the PK sets have a slow peripheral phase, and 48 h
 * holds all but a negligible part of the AUC (the brute-force test checks the sum). */
#define KS_BRAIN_PK_TAIL_H 48.0

ks_status ks_brain_pain_effect_site(ks_ctx *ctx, const ks_brain_params *p, const ks_pk_sim *sim,
                                    const ks_pk_dose *doses, size_t n_doses, double t_h, double *ce_ng_mL) {
  KS_CHECK_ARG(ctx, p && sim && ce_ng_mL && (doses || n_doses == 0) && isfinite(t_h));
  const double ke0 = log(2.0) / (24.0 * p->pain_t_half_d), dt = 1.0 / 6.0; /* per hour; 10-min samples */
  double ce = 0.0, t_done = 0.0;
  /* Walk the NMDA-antagonist doses in start order, merging overlapping windows so that no plasma
   * interval is counted twice (the plasma of the sim already sums every dose). */
  for (;;) {
    double w0 = INFINITY, w1 = 0.0, f = 1.0;
    for (size_t i = 0; i < n_doses; i++) {
      if (doses[i].drug == KS_DRUG_MIDAZOLAM || doses[i].t_start_h < t_done - 1e-9) continue;
      if (doses[i].t_start_h < w0) {
        w0 = doses[i].t_start_h;
        w1 = w0 + doses[i].infusion_h + KS_BRAIN_PK_TAIL_H;
        f = doses[i].drug == KS_DRUG_ESKETAMINE ? 1.0 : 0.5 * (1.0 + p->pain_r_potency);
      }
    }
    if (!isfinite(w0) || w0 >= t_h) break;
    for (int grown = 1; grown;) { /* absorb doses that start inside the window */
      grown = 0;
      for (size_t i = 0; i < n_doses; i++)
        if (doses[i].drug != KS_DRUG_MIDAZOLAM && doses[i].t_start_h > w0 && doses[i].t_start_h < w1 &&
            doses[i].t_start_h + doses[i].infusion_h + KS_BRAIN_PK_TAIL_H > w1) {
          w1 = doses[i].t_start_h + doses[i].infusion_h + KS_BRAIN_PK_TAIL_H;
          grown = 1;
        }
    }
    double end = fmin(w1, t_h);
    size_t n = (size_t)ceil((end - w0) / dt);
    double buf[256];
    for (size_t k0 = 0; k0 < n; k0 += 256) {
      size_t m = n - k0 < 256 ? n - k0 : 256;
      KS_TRY(ks_pk_sim_eval_grid_plasma(sim, w0 + (double)k0 * dt + 0.5 * dt, dt, m, buf, NULL));
      /* Effect compartment: Ce(t) = sum ke0 Cp(s) ds exp(-ke0 (t - s)), midpoint rule. */
      for (size_t k = 0; k < m; k++) {
        double s = w0 + ((double)(k0 + k) + 0.5) * dt;
        ce += ke0 * f * buf[k] * dt * exp(-ke0 * (t_h - s));
      }
    }
    t_done = w1;
  }
  *ce_ng_mL = ce;
  return KS_OK;
}

double ks_brain_pain_nrs(const ks_brain_params *p, double nrs0, int responder, double ce_ng_mL, double e) {
  double c = fmax(ce_ng_mL, 0.0);
  double eff = responder ? c / (p->pain_c50_ng_mL + c) : 0.0;
  return clampd(round(10.0 * (nrs0 * (1.0 - eff) + p->pain_retest_sd * e)) / 10.0, 0.0, 10.0);
}

/* ---- suicidal ideation --------------------------------------------------------------------- */

double ks_brain_ssi(const ks_brain_params *p, double ssi0, double d_theta_dep, double window, double e) {
  if (!(ssi0 > 0.0)) return 0.0;
  double mood = clampd(1.0 + p->ssi_per_theta * d_theta_dep, 0.0, 2.0);
  double direct = 1.0 - p->ssi_direct_max * clampd(window, 0.0, 1.0);
  return clampd(round(ssi0 * mood * direct + p->ssi_retest_sd * e), 0.0, 38.0);
}

double ks_brain_si_item_theta_shift(const ks_brain_params *p, double window) {
  return -(p->ssi_direct_max / p->ssi_per_theta) * clampd(window, 0.0, 1.0);
}

/* ---- safety -------------------------------------------------------------------------------- */

void ks_brain_safety_eval(const ks_brain_params *p, const ks_pk_dose *doses, size_t n_doses, double t_h,
                          ks_brain_safety *out) {
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < n_doses; i++) {
    if (doses[i].drug == KS_DRUG_MIDAZOLAM || !(doses[i].t_start_h < t_h)) continue;
    out->cumulative_mg += doses[i].dose_mg;
    if (doses[i].t_start_h >= t_h - 28.0 * 24.0) out->doses_last_28d += 1.0;
  }
  out->doses_per_week_28d = out->doses_last_28d / 4.0;
  out->frequent_use = out->doses_per_week_28d >= p->flag_frequent_per_week;
  out->cumulative_exposure = out->cumulative_mg >= 1000.0 * p->flag_cumulative_g;
}
