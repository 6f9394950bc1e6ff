/* SPDX-License-Identifier: MIT */
/* The design of a trial as the patient experiences it: expectancy of benefit per arm from the
 * blinding and the allocation, updated by functional unblinding (how recognisable each drug is),
 * and what a therapy session of each kind does to the fear-memory layer. Equations and sources:
 * docs/model/design.md. */
#include "trial_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Recognisability at or above which a drug counts as recognisable for the design notes. */
#define KS_RECOGNISABLE 0.5

/* Reference posterior: the midazolam arm of a 1:1 double-blind ketamine (0.9) vs midazolam (0.5)
 * trial after one dose; the expectancy that the clinic layer was calibrated with (1.0, Feder 2021,
 * docs/model/trial.md) corresponds to this belief. Computed, not tuned: see design.md. */
static double reference_posterior(void) {
  return ks__trial_expectancy_after_dose(0.5, 0.5, 0.9, 0.5);
}

int ks__trial_arm_has_active_drug(const ks_scenario *sc, size_t arm) {
  const ks_scen_arm *a = &sc->arms[arm];
  for (size_t r = 0; r < a->n_regimen; r++)
    if (a->regimen[r].drug == KS_SCEN_KETAMINE || a->regimen[r].drug == KS_SCEN_ESKETAMINE) return 1;
  return 0;
}

double ks__trial_arm_recognisability(const ks_scenario *sc, size_t arm) {
  const ks_scen_arm *a = &sc->arms[arm];
  double r = 0.0;
  for (size_t i = 0; i < a->n_regimen; i++) r = fmax(r, a->regimen[i].recognisability);
  return r;
}

/* Allocation weight of an arm (its ratio in a parallel design; 1 otherwise). */
static double arm_weight(const ks_scenario *sc, size_t a) {
  return sc->design == KS_DESIGN_PARALLEL ? sc->arms[a].ratio : 1.0;
}

double ks__trial_arm_expectancy(const trial_plan *plan, size_t arm) {
  const ks_scenario *sc = plan->sc;
  const ks_scen_arm *a = &sc->arms[arm];
  if (a->control != KS_ARM_CONTROL_NONE) return 0.0;        /* knows they are untreated */
  if (sc->blinding == KS_BLINDING_OPEN || a->n_regimen == 0) /* knows what they get */
    return 1.0;
  /* Blinded: the probability of receiving the active drug, from the allocation of the arms
   * that get infusions (what the consent form tells a patient who is infused). */
  double w_active = 0.0, w_all = 0.0;
  for (size_t k = 0; k < sc->n_arms; k++) {
    if (sc->arms[k].n_regimen == 0) continue;
    w_all += arm_weight(sc, k);
    if (ks__trial_arm_has_active_drug(sc, k)) w_active += arm_weight(sc, k);
  }
  return w_all > 0.0 ? w_active / w_all : 0.0;
}

double ks__trial_expectancy_after_dose(double prior, double r_arm, double r_active, double r_control) {
  /* Bayes: a patient who notices strong acute effects (probability r_arm for their own drug)
   * revises the belief of receiving the active drug by the likelihood ratio r_active / r_control;
   * one who does not, by (1 - r_active) / (1 - r_control). Averaged over noticing. */
  double b = fmin(fmax(prior, 0.0), 1.0);
  if (b <= 0.0 || b >= 1.0) return b;
  double den_n = b * r_active + (1.0 - b) * r_control;
  double den_u = b * (1.0 - r_active) + (1.0 - b) * (1.0 - r_control);
  double post_n = den_n > 0.0 ? b * r_active / den_n : b;
  double post_u = den_u > 0.0 ? b * (1.0 - r_active) / den_u : b;
  return r_arm * post_n + (1.0 - r_arm) * post_u;
}

/* Allocation-weighted recognisability of the active-drug arms (ACTIVE = 1) or of the other dosed
 * arms (ACTIVE = 0); -1 when there are none. */
static double mean_recognisability(const ks_scenario *sc, int active) {
  double s = 0.0, w = 0.0;
  for (size_t k = 0; k < sc->n_arms; k++) {
    if (sc->arms[k].n_regimen == 0 || ks__trial_arm_has_active_drug(sc, k) != active) continue;
    s += arm_weight(sc, k) * ks__trial_arm_recognisability(sc, k);
    w += arm_weight(sc, k);
  }
  return w > 0.0 ? s / w : -1.0;
}

double ks__trial_arm_expectancy_after_first_dose(const trial_plan *plan, size_t arm) {
  const ks_scenario *sc = plan->sc;
  double prior = ks__trial_arm_expectancy(plan, arm);
  if (sc->blinding == KS_BLINDING_OPEN || sc->arms[arm].n_regimen == 0) return prior;
  double ra = mean_recognisability(sc, 1), rc = mean_recognisability(sc, 0);
  if (ra < 0.0 || rc < 0.0) return prior; /* every dosed arm alike: nothing to tell apart */
  return ks__trial_expectancy_after_dose(prior, ks__trial_arm_recognisability(sc, arm), ra, rc);
}

double ks__trial_patient_expectancy_same_day(const trial_plan *plan, size_t arm) {
  double e = ks__trial_arm_expectancy_after_first_dose(plan, arm) / reference_posterior();
  return e > 1.0 ? 1.0 : e < 0.0 ? 0.0 : e;
}

double ks__trial_patient_expectancy(const trial_plan *plan, size_t arm) {
  /* An open-label background antidepressant is a treatment the patient knows they receive: the
   * expectancy of benefit is that of receiving at least one active treatment (Rutherford & Roose
   * 2013: expectancy rises with the probability of active treatment; docs/model/design.md). */
  const ks_scen_arm *a = &plan->sc->arms[arm];
  double e_bg = a->background.drug != KS_BACKGROUND_NONE && a->background.open_label ? 1.0 : 0.0;
  return 1.0 - (1.0 - ks__trial_patient_expectancy_same_day(plan, arm)) * (1.0 - e_bg);
}

double ks__trial_background_at(const trial_plan *plan, int arm, double t_h) {
  size_t p = 0;
  while (p + 1 < plan->n_periods && t_h >= (double)(p + 1) * plan->period_offset_h) p++;
  const ks_scen_arm *a = &plan->sc->arms[ks__trial_period_arm(plan, arm, p)];
  const ks_scen_background *b = &a->background;
  if (b->drug == KS_BACKGROUND_NONE) return 0.0;
  double day = (t_h - (double)p * plan->period_offset_h) / 24.0;
  return day >= b->from_day && (b->until_day == 0 || day < b->until_day + 1.0) ? 1.0 : 0.0;
}

int ks__trial_selected(const trial_plan *plan, size_t v, const double *values) {
  const ks_scenario *sc = plan->sc;
  const ks_scen_induction *ind = &sc->induction;
  if (!ind->enabled || fabs(plan->visit_t_h[v] - 24.0 * ind->until_day) > 1e-9) return 1;
  int resp = ind->select == KS_SELECT_RESPONSE;
  const ks_scen_endpoint *ep = resp ? &sc->response : &sc->remission;
  int m = ks_trial_scale_measure(ep->scale);
  if (m < 0 || !(plan->visit_scales[v] & (1u << ep->scale))) return 1;
  double y = values[v * KS_M_N + (size_t)m];
  if (isnan(y)) return 0;
  if (!resp) return y < ep->below;
  for (size_t w = 0; w < v; w++) /* the scale's baseline: its visit at t = 0 */
    if (plan->visit_t_h[w] == 0.0 && (plan->visit_scales[w] & (1u << ep->scale))) {
      double b0 = values[w * KS_M_N + (size_t)m];
      return b0 > 0 && (b0 - y) / b0 * 100.0 >= ep->drop_pct;
    }
  return 0;
}

size_t ks__trial_design_notes(const ks_scenario *sc, char (*notes)[KS_TRIAL_NOTE_LEN], size_t cap) {
  size_t n = 0;
  if (sc->blinding == KS_BLINDING_OPEN || sc->n_arms < 2) return 0;
  int any_rec = 0, any_unrec = 0;
  size_t rec = 0, unrec = 0;
  for (size_t a = 0; a < sc->n_arms; a++) {
    if (sc->arms[a].n_regimen == 0) continue;
    if (ks__trial_arm_recognisability(sc, a) >= KS_RECOGNISABLE) any_rec = 1, rec = a;
    else any_unrec = 1, unrec = a;
  }
  if (any_rec && any_unrec && n < cap)
    snprintf(notes[n++], KS_TRIAL_NOTE_LEN,
             "%s design, but arm '%s' has a recognisable drug (recognisability %.2g) and arm '%s' does not (%.2g): "
             "functional unblinding is likely and expectancy differs between the arms",
             ks_scen_blinding_name(sc->blinding), sc->arms[rec].name, ks__trial_arm_recognisability(sc, rec),
             sc->arms[unrec].name, ks__trial_arm_recognisability(sc, unrec));
  for (size_t a = 0; a < sc->n_arms && n < cap; a++)
    if (sc->arms[a].control != KS_ARM_CONTROL_NONE) {
      snprintf(notes[n++], KS_TRIAL_NOTE_LEN, "arm '%s' is a %s control in a %s design: its patients know they are "
               "untreated", sc->arms[a].name, ks_scen_arm_control_name(sc->arms[a].control),
               ks_scen_blinding_name(sc->blinding));
      break;
    }
  return n;
}

/* What a session of each kind does in the fear layer (docs/model/design.md): the share of the
 * session's minutes that is exposure (extinction trials), and a brief trauma reactivation
 * (retrieval) before the exposure. */
static const ks_trial_therapy_effect therapy_effects[KS_THERAPY_N] = {
    /* prolonged-exposure: imaginal + in-vivo exposure for the session (Foa 2007 manual) */ {1.0, 0.0},
    /* imaginal-exposure */ {1.0, 0.0},
    /* in-vivo-exposure */ {1.0, 0.0},
    /* written-exposure (Sloan 2018) */ {1.0, 0.0},
    /* mindfulness-based extinction and reactivation (TIMBER; Pradhan 2017, 2018): a brief
     * reactivation of the trauma memory, then mindfulness-based extinction */ {1.0, 5.0},
    /* trauma-focused CBT: cognitive restructuring with reliving for part of the session
     * (Ehlers 2005): half of the session counted as exposure (assumed, design.md) */ {0.5, 0.0},
};

const ks_trial_therapy_effect *ks__trial_therapy_effect(ks_scen_therapy_kind k) {
  return (unsigned)k < KS_THERAPY_N ? &therapy_effects[k] : &therapy_effects[0];
}

static int session_cmp(const void *a, const void *b) {
  const trial_session *x = a, *y = b;
  return (x->t_h > y->t_h) - (x->t_h < y->t_h);
}

ks_status ks__trial_plan_arms(ks_ctx *ctx, trial_plan *plan) {
  const ks_scenario *sc = plan->sc;
  plan->arms = ks_calloc(ctx, sc->n_arms, sizeof *plan->arms);
  if (!plan->arms) return KS_ENOMEM;
  plan->n_arms = sc->n_arms;
  for (size_t a = 0; a < sc->n_arms; a++) {
    trial_arm_plan *ap = &plan->arms[a];
    const ks_scen_arm *arm = &sc->arms[a];
    ap->expectancy_prior = ks__trial_arm_expectancy(plan, a);
    ap->expectancy_after_first_dose = ks__trial_arm_expectancy_after_first_dose(plan, a);
    ap->expectancy = ks__trial_patient_expectancy(plan, a);
    ap->expectancy_same_day = ks__trial_patient_expectancy_same_day(plan, a);
    ap->recognisability = ks__trial_arm_recognisability(sc, a);
    size_t n = 0;
    for (size_t k = 0; k < arm->n_therapy; k++) n += arm->therapy[k].n_days;
    ap->sessions = ks_calloc(ctx, n ? n : 1, sizeof *ap->sessions);
    if (!ap->sessions) return KS_ENOMEM;
    for (size_t k = 0; k < arm->n_therapy; k++) {
      const ks_scen_therapy *t = &arm->therapy[k];
      const ks_trial_therapy_effect *fx = ks__trial_therapy_effect(t->kind);
      for (size_t j = 0; j < t->n_days; j++)
        ap->sessions[ap->n_sessions++] = (trial_session){24.0 * t->days[j] + t->at_h, t->kind, t->minutes,
                                                         fx->exposure_fraction * t->minutes, fx->retrieval_min};
    }
    qsort(ap->sessions, ap->n_sessions, sizeof *ap->sessions, session_cmp);
  }
  return KS_OK;
}

void ks__trial_plan_arms_free(ks_ctx *ctx, trial_plan *plan) {
  for (size_t a = 0; plan->arms && a < plan->n_arms; a++) ks_free(ctx, plan->arms[a].sessions);
  ks_free(ctx, plan->arms);
  plan->arms = NULL;
  plan->n_arms = 0;
}
