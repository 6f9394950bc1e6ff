/* SPDX-License-Identifier: MIT */
/* The joins between layers (include/ketasim/link.h). Equations, parameters and sources:
 * docs/model/link.md. */
#include <ketasim/link.h>

#include "core/core_internal.h"

#include <math.h>
#include <string.h>

ks_link_params ks_link_params_default(void) {
  ks_link_params p;
  memset(&p, 0, sizeof p);
  p.spine_deficit_ref = 0.15;
  p.spine_deficit_per_severity_z = 0.25;
  p.spine_deficit_per_resistance = 0.3;
  p.resistance_ref = 0.3;
  p.spine_deficit_iiv_sd = 0.25;
  p.spine_deficit_min = 0.02;
  p.spine_deficit_max = 0.5;
  p.hpc_deficit_ratio = 0.8;
  p.plasticity_iiv_sd = 0.3;
  p.bdnf_iiv_sd = 0.2;
  p.human_spine_relax_scale = 3.0;
  p.extinction_rate_iiv_sd = 1.2;
  p.appraisal_rate_iiv_sd = 1.2;
  p.placebo_response_iiv_sd = 1.2;
  p.acute_response_iiv_sd = 1.2;
  p.phenotype_severity_ref = 0.6;
  p.phenotype_severity_per_z = 0.25;
  p.control_gain_min = 0.05;
  p.control_gain_max = 3.0;
  p.caps5_at_ref = 40.0;
  p.caps5_per_logit = 14.0;
  p.fear0_min = 0.02;
  p.fear0_max = 0.98;
  p.mood_value_ref = 0.5;
  p.mood_logit_per_depression_z = 0.25;
  p.acute_ref_eef2_h = 0.07;
  p.acute_control_gain = 0.6;
  p.blinded_expectancy = 1.0;
  p.approach_per_expectancy = 0.3;
  p.route_window_learning = p.route_spine_capacity = p.route_acute_mood = 1;
  p.route_everyday_exposure = p.route_expectancy = p.route_therapy = 1;
  p.retrieval_minutes = 5.0;
  p.bp_window_h = 3.0;
  p.bp_steps_per_h = 12.0;
  p.dropout_mar_per_caps5 = 0.05;
  p.dropout_mnar_per_fear = 3.0;
  p.fear_step_d = 0.25;
  p.cascade_step_h = 1.0;
  p.cascade_rtol = 1e-5;
  p.cascade_atol = 1e-8;
  return p;
}

ks_status ks_link_params_check(ks_ctx *ctx, const ks_link_params *p) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, p != NULL);
#define REQ(cond, what) \
  do { if (!(cond)) return ks_ctx_fail(ctx, KS_EINVAL, "ks_link_params: %s", what); } while (0)
  REQ(p->spine_deficit_ref >= 0 && p->spine_deficit_ref < 0.6, "spine_deficit_ref must be in [0, 0.6)");
  REQ(isfinite(p->spine_deficit_per_severity_z) && isfinite(p->spine_deficit_per_resistance) &&
          isfinite(p->resistance_ref), "deficit slopes must be finite");
  REQ(p->spine_deficit_iiv_sd >= 0 && p->plasticity_iiv_sd >= 0 && p->bdnf_iiv_sd >= 0, "IIV SDs must be >= 0");
  REQ(p->extinction_rate_iiv_sd >= 0 && p->extinction_rate_iiv_sd <= 2 && p->appraisal_rate_iiv_sd >= 0 &&
          p->appraisal_rate_iiv_sd <= 2 && p->placebo_response_iiv_sd >= 0 && p->placebo_response_iiv_sd <= 2 &&
          p->acute_response_iiv_sd >= 0 && p->acute_response_iiv_sd <= 2,
      "response IIV SDs must be in [0, 2] (log units)");
  REQ(p->spine_deficit_min >= 0 && p->spine_deficit_max <= 0.6 && p->spine_deficit_min <= p->spine_deficit_max,
      "deficit clamp must satisfy 0 <= min <= max <= 0.6");
  REQ(p->hpc_deficit_ratio >= 0 && p->human_spine_relax_scale > 0, "hpc ratio >= 0, relax scale > 0");
  REQ(isfinite(p->phenotype_severity_ref) && isfinite(p->phenotype_severity_per_z), "phenotype severity finite");
  REQ(p->control_gain_min > 0 && p->control_gain_max > p->control_gain_min, "control gain clamp 0 < min < max");
  REQ(p->caps5_per_logit > 0 && isfinite(p->caps5_at_ref), "caps5_per_logit > 0");
  REQ(p->fear0_min > 0 && p->fear0_max < 1 && p->fear0_min < p->fear0_max, "fear0 clamp inside (0, 1)");
  REQ(p->mood_value_ref > 0 && p->mood_value_ref < 1 && isfinite(p->mood_logit_per_depression_z),
      "mood_value_ref in (0, 1)");
  REQ(p->acute_ref_eef2_h > 0 && isfinite(p->acute_ref_eef2_h), "acute_ref_eef2_h > 0");
  REQ(p->acute_control_gain >= 0 && isfinite(p->acute_control_gain), "acute_control_gain >= 0");
  REQ(p->blinded_expectancy >= 0 && p->blinded_expectancy <= 1, "blinded_expectancy in [0, 1]");
  REQ(p->approach_per_expectancy >= 0 && p->approach_per_expectancy <= 1, "approach_per_expectancy in [0, 1]");
  {
    const int r[6] = {p->route_window_learning, p->route_spine_capacity, p->route_acute_mood,
                      p->route_everyday_exposure, p->route_expectancy, p->route_therapy};
    for (int i = 0; i < 6; i++) REQ(r[i] == 0 || r[i] == 1, "route switches must be 0 or 1");
  }
  REQ(p->retrieval_minutes > 0, "event times");
  REQ(p->bp_window_h > 0 && p->bp_steps_per_h >= 1.0 / p->bp_window_h, "bp window and step");
  REQ(isfinite(p->dropout_mar_per_caps5) && isfinite(p->dropout_mnar_per_fear), "dropout coefficients");
  REQ(p->fear_step_d > 0 && p->fear_step_d <= 0.25 && p->cascade_step_h > 0, "step sizes");
  REQ(p->cascade_rtol >= 1e-12 && p->cascade_rtol <= 1e-3 && p->cascade_atol >= 1e-16 && p->cascade_atol <= 1e-3,
      "cascade tolerances must be in [1e-12, 1e-3] (rtol) and [1e-16, 1e-3] (atol)");
#undef REQ
  return KS_OK;
}

static double clamp(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* Krystal 2017 synaptic-connectivity hypothesis: more severe and more treatment-resistant
 * patients have a larger synaptic deficit (slopes assumed). Unclamped. */
static double deficit_raw(const ks_link_params *lp, double severity_z, double resistance, double eps) {
  return lp->spine_deficit_ref *
         (1.0 + lp->spine_deficit_per_severity_z * severity_z +
          lp->spine_deficit_per_resistance * (resistance - lp->resistance_ref)) *
         exp(lp->spine_deficit_iiv_sd * eps);
}

double ks_link_spine_deficit(const ks_link_params *lp, double severity_z, double resistance, double eps) {
  return clamp(deficit_raw(lp, severity_z, resistance, eps), lp->spine_deficit_min, lp->spine_deficit_max);
}

void ks_link_cascade_patient(const ks_link_params *lp, double severity_z, double resistance, ks_rng *rng,
                             ks_cascade_params *cp) {
  double eps = ks_rng_normal(rng);
  /* The unclamped PFC deficit sets the hippocampal one, so both clamp independently. */
  double raw = deficit_raw(lp, severity_z, resistance, eps);
  cp->spine_deficit_pfc = clamp(raw, lp->spine_deficit_min, lp->spine_deficit_max);
  cp->spine_deficit_hpc = clamp(raw * lp->hpc_deficit_ratio, lp->spine_deficit_min, lp->spine_deficit_max);
  cp->plasticity_scale = exp(lp->plasticity_iiv_sd * ks_rng_normal(rng));
  cp->bdnf_scale = exp(lp->bdnf_iiv_sd * ks_rng_normal(rng));
  cp->spine_relax_d *= lp->human_spine_relax_scale;
  cp->rtol = lp->cascade_rtol;
  cp->atol = lp->cascade_atol;
}

/* A mean-one log-normal multiplier: exp(sd eps - sd^2 / 2). */
static double mean_one_lognormal(double sd, ks_rng *rng) { return exp(sd * ks_rng_normal(rng) - 0.5 * sd * sd); }

ks_link_response ks_link_response_draw(const ks_link_params *lp, ks_rng *rng) {
  ks_link_response r;
  r.extinction_rate = mean_one_lognormal(lp->extinction_rate_iiv_sd, rng);
  r.appraisal_rate = mean_one_lognormal(lp->appraisal_rate_iiv_sd, rng);
  r.placebo_gain = mean_one_lognormal(lp->placebo_response_iiv_sd, rng);
  r.acute_gain = mean_one_lognormal(lp->acute_response_iiv_sd, rng);
  return r;
}

void ks_link_response_apply(const ks_link_response *r, ks_fear_params *fp, ks_mood_params *mp) {
  fp->alpha_ext_per_min *= r->extinction_rate;
  mp->eta_per_activity = fmin(mp->eta_per_activity * r->appraisal_rate, 1.0);
  mp->expectancy_readout = fmin(mp->expectancy_readout * r->placebo_gain, 1.0);
  mp->expectancy_bias *= r->placebo_gain;
}

double ks_link_phenotype_severity(const ks_link_params *lp, double severity_z) {
  return clamp(lp->phenotype_severity_ref + lp->phenotype_severity_per_z * severity_z, 0.0, 1.0);
}

ks_circuit_drive ks_link_circuit_drive(const ks_cascade_point *p) {
  ks_circuit_drive d = ks_circuit_drive_baseline();
  d.nmda_block_E = p->block_pyramidal;
  d.nmda_block_I = p->block_interneuron;
  d.gabaa_potentiation = 1.0 + p->gabaa_potentiation;
  for (int k = 0; k < KS_PATH_N; k++) d.gain[k] = p->gain[k];
  d.spine_pfc_rel = p->spine_pfc;
  return d;
}

ks_fear_drive ks_link_fear_drive(const ks_link_params *lp, const ks_cascade_point *p, const ks_cascade_point *p0,
                                 const ks_circuit_phenotype *ph, double window, double expectancy) {
  const ks_cascade_point *g = lp->route_spine_capacity ? p : p0;
  ks_fear_drive d = ks_fear_drive_default();
  d.window = lp->route_window_learning ? window : 0.0;
  d.vmpfc_amygdala_gain = clamp(g->gain[KS_PATH_VMPFC_AMYGDALA] * ph->vmpfc_amygdala_control, lp->control_gain_min,
                                lp->control_gain_max);
  d.hippocampal_context = clamp(g->gain[KS_PATH_HIPPOCAMPUS_VMPFC] * ph->hippocampal_volume_rel, 0.0, 1.0);
  d.stress = 0.0;
  d.approach = clamp(lp->approach_per_expectancy * ks_link_expectancy(lp, expectancy), 0.0, 1.0);
  return d;
}

double ks_link_acute_control(const ks_link_params *lp, double gain, double acute) {
  if (!lp->route_acute_mood || !(acute > 0.0)) return gain;
  return clamp(gain * (1.0 + lp->acute_control_gain * acute), lp->control_gain_min, lp->control_gain_max);
}

ks_fear_params ks_link_fear_params(const ks_link_params *lp, const ks_fear_params *base) {
  ks_fear_params f = *base;
  if (!lp->route_everyday_exposure) f.reminder_rate_per_day = 0.0;
  return f;
}

ks_mood_params ks_link_mood_params(const ks_link_params *lp, const ks_mood_params *base) {
  ks_mood_params m = *base;
  if (!lp->route_everyday_exposure) m.activities_per_day = 0.0;
  return m;
}

double ks_link_mood_baseline(const ks_link_params *lp, double depression_z) {
  double v = lp->mood_value_ref;
  double x = log(v / (1.0 - v)) - lp->mood_logit_per_depression_z * depression_z;
  return clamp(1.0 / (1.0 + exp(-x)), 0.01, 0.99);
}

ks_mood_drive ks_link_mood_drive(const ks_link_params *lp, double window, double avoidance, double expectancy,
                                 double eef2_mean, int treated) {
  ks_mood_drive d;
  double e = ks_link_expectancy(lp, expectancy);
  d.window = lp->route_window_learning ? window : 0.0;
  d.avoidance = clamp(avoidance, 0.0, 0.999);
  d.approach = clamp(lp->approach_per_expectancy * e, 0.0, 1.0);
  d.acute_rate_per_day = lp->route_acute_mood ? fmax(0.0, eef2_mean) / lp->acute_ref_eef2_h * 24.0 : 0.0;
  d.expectancy = treated ? e : 0.0;
  d.antidepressant = 0.0; /* a background antidepressant is the trial's (patient.c) */
  return d;
}

double ks_link_expectancy(const ks_link_params *lp, double design_expectancy) {
  return lp->route_expectancy ? clamp(design_expectancy, 0.0, 1.0) : 0.0;
}

double ks_link_fear_baseline(const ks_link_params *lp, double caps5_true) {
  double f = 1.0 / (1.0 + exp(-(caps5_true - lp->caps5_at_ref) / lp->caps5_per_logit));
  return clamp(f, lp->fear0_min, lp->fear0_max);
}

ks_clinic_inputs ks_link_clinic_inputs(const ks_circuit_phenotype *ph, double fear, double avoidance,
                                       double mood_value) {
  ks_clinic_inputs in = ks_clinic_inputs_reference();
  in.fear_expression = clamp(fear, 1e-4, 1 - 1e-4);
  in.avoidance = clamp(avoidance, 1e-4, 0.999);
  in.mood_appraisal = clamp(1.0 - mood_value, 1e-3, 1 - 1e-3);
  in.amygdala_reactivity = clamp(ph->amygdala_reactivity, 0.2, 5.0);
  in.salience_coupling = clamp(ph->salience_coupling, 0.2, 5.0);
  return in;
}

ks_acute_conc ks_link_acute_conc(const ks_pk_conc *c) {
  ks_acute_conc ac = {c->effect_ng_per_mL[KS_SP_S_KETAMINE], c->effect_ng_per_mL[KS_SP_R_KETAMINE],
                      c->effect_ng_per_mL[KS_SP_MIDAZOLAM]};
  return ac;
}

double ks_link_dropout_hazard(const ks_link_params *lp, double rate_per_week, ks_scen_dropout_mech mech,
                              double last_caps5, double caps5_base, double fear_now, double fear_base) {
  if (!(rate_per_week > 0.0)) return 0.0;
  double lam = -log(1.0 - rate_per_week);
  if (mech == KS_DROPOUT_MAR && !isnan(last_caps5) && !isnan(caps5_base))
    lam *= exp(lp->dropout_mar_per_caps5 * (last_caps5 - caps5_base));
  else if (mech == KS_DROPOUT_MNAR)
    lam *= exp(lp->dropout_mnar_per_fear * (fear_now - fear_base));
  return lam;
}
