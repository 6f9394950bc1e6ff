/* SPDX-License-Identifier: MIT */
/* Reference exposure: exact 3-compartment mammillary PK with an effect-site compartment. */
#include "core/core_internal.h"
#include "plasticity_internal.h"

#include <math.h>
#include <string.h>

ks__ref_pk_set ks__ref_pk_set_get(ks_drug drug, double weight_kg) {
  ks__ref_pk_set s;
  if (drug == KS_DRUG_MIDAZOLAM) {
    /* Albrecht 1999 (< 65 y): V1 7.9 L, CL 0.399 L/min; ke0 0.11 /min. Unbound fraction 0.035
     * (midazolam is 96-98% bound). */
    s.v1_L = 7.9;
    s.k10 = 0.399 / 7.9;
    s.k12 = 0.19;
    s.k13 = 0.065;
    s.k21 = 0.06;
    s.k31 = 0.0083;
    s.ke0 = 0.11;
    s.fu = 0.035;
    s.mw = 325.8;
  } else {
    /* Domino 1982 racemic ketamine (as used in TCI software): V1 0.063 L/kg; per minute
     * k10 0.4381, k12 0.5921, k13 0.5900, k21 0.2470, k31 0.0146. ke0 from t1/2 35 s (Sleigh
     * 2019, EEG 23-47 s). fu 0.55 (Dayton 1983). Esketamine uses the same set. */
    s.v1_L = 0.063 * weight_kg;
    s.k10 = 0.4381;
    s.k12 = 0.5921;
    s.k13 = 0.5900;
    s.k21 = 0.2470;
    s.k31 = 0.0146;
    s.ke0 = log(2.0) / (35.0 / 60.0);
    s.fu = 0.55;
    s.mw = 237.7;
  }
  return s;
}

/* Eigenvalues of the 3-compartment system (the standard cubic of TCI programs) and the unit-bolus
 * coefficients of the central concentration: C(t) = sum_i coef_i exp(-lambda_i t) per unit dose. */
static void macro_constants(const ks__ref_pk_set *s, double coef[3], double lambda[3]) {
  double a0 = s->k10 * s->k21 * s->k31;
  double a1 = s->k10 * s->k31 + s->k21 * s->k31 + s->k21 * s->k13 + s->k10 * s->k21 +
              s->k31 * s->k12;
  double a2 = s->k10 + s->k12 + s->k13 + s->k21 + s->k31;
  double p = a1 - a2 * a2 / 3.0;
  double q = 2.0 * a2 * a2 * a2 / 27.0 - a1 * a2 / 3.0 + a0;
  double r1 = sqrt(-p * p * p / 27.0);
  double phi = acos(fmax(-1.0, fmin(1.0, -q / 2.0 / r1))) / 3.0;
  double r2 = 2.0 * cbrt(r1);
  for (int i = 0; i < 3; i++)
    lambda[i] = -(cos(phi + 2.0 * M_PI * i / 3.0) * r2 - a2 / 3.0);
  for (int i = 0; i < 3; i++) {
    double l = lambda[i], lj = lambda[(i + 1) % 3], lk = lambda[(i + 2) % 3];
    coef[i] = (s->k21 - l) * (s->k31 - l) / ((lj - l) * (lk - l)) / s->v1_L;
  }
}

ks_status ks__ref_exposure_init(ks_ctx *ctx, ks__ref_exposure *r, ks_drug drug, double weight_kg,
                                double dose_mg, double infusion_h, const double *t_start_h,
                                size_t n_doses) {
  KS_CHECK_ARG(ctx, r && (n_doses == 0 || t_start_h) && n_doses <= KS__REF_MAX_DOSES);
  KS_CHECK_ARG(ctx, drug >= 0 && drug < KS_DRUG_N && weight_kg > 0.0 && dose_mg >= 0.0);
  KS_CHECK_ARG(ctx, isfinite(infusion_h) && infusion_h >= 0.0);
  memset(r, 0, sizeof *r);
  r->drug = drug;
  ks__ref_pk_set s = ks__ref_pk_set_get(drug, weight_kg);
  macro_constants(&s, r->coef, r->lambda);
  for (int i = 0; i < 3; i++) {
    r->lambda[i] *= 60.0; /* per minute -> per hour */
    r->coef[i] *= 1000.0; /* mg/L per mg -> ng/mL per mg */
  }
  r->ke0_per_h = s.ke0 * 60.0;
  r->fu = s.fu;
  r->mw = s.mw;
  r->n_doses = n_doses;
  for (size_t i = 0; i < n_doses; i++) {
    KS_CHECK_ARG(ctx, isfinite(t_start_h[i]) && (i == 0 || t_start_h[i] >= t_start_h[i - 1]));
    r->t_start_h[i] = t_start_h[i];
    r->infusion_h[i] = infusion_h;
    r->dose_mg[i] = dose_mg;
  }
  /* Events: starts and ends, ascending (merge; doses may overlap). */
  size_t ne = 0;
  for (size_t i = 0; i < n_doses; i++) {
    r->events_h[ne++] = t_start_h[i];
    if (infusion_h > 0.0) r->events_h[ne++] = t_start_h[i] + infusion_h;
  }
  for (size_t i = 1; i < ne; i++) { /* insertion sort: small, nearly sorted */
    double v = r->events_h[i];
    size_t j = i;
    while (j > 0 && r->events_h[j - 1] > v) {
      r->events_h[j] = r->events_h[j - 1];
      j--;
    }
    r->events_h[j] = v;
  }
  r->n_events = ne;
  return KS_OK;
}

/* Response at time tau after the start of a zero-order input of unit total amount lasting T
 * (T = 0: bolus) through exp(-l t): integral of exp(-l (tau - s)) / T over s in [0, min(tau,T)]. */
static double input_response(double l, double tau, double T) {
  if (tau <= 0.0) return 0.0;
  if (T <= 0.0) return exp(-l * tau);
  double u = fmin(tau, T);
  return (exp(-l * (tau - u)) - exp(-l * tau)) / (l * T);
}

static ks_status ref_eval(void *ud, double t_h, ks_pk_conc *out) {
  const ks__ref_exposure *r = ud;
  memset(out, 0, sizeof *out);
  out->t_h = t_h;
  double cp = 0.0, ce = 0.0, ke0 = r->ke0_per_h;
  for (size_t d = 0; d < r->n_doses; d++) {
    double tau = t_h - r->t_start_h[d], T = r->infusion_h[d];
    if (tau <= 0.0) continue;
    double fe = input_response(ke0, tau, T);
    for (int i = 0; i < 3; i++) {
      double l = r->lambda[i], f = input_response(l, tau, T);
      cp += r->dose_mg[d] * r->coef[i] * f;
      /* Effect site: Ce' = ke0 (Cp - Ce); each exponential term of Cp gives
       * ke0/(ke0 - l) (exp(-l t) - exp(-ke0 t)), and the same for the input integral. */
      ce += r->dose_mg[d] * r->coef[i] * ke0 / (ke0 - l) * (f - fe);
    }
  }
  cp = fmax(cp, 0.0);
  ce = fmax(ce, 0.0);
  if (r->drug == KS_DRUG_MIDAZOLAM) {
    out->plasma_ng_per_mL[KS_SP_MIDAZOLAM] = cp;
    out->effect_ng_per_mL[KS_SP_MIDAZOLAM] = ce;
    out->brain_unbound_uM[KS_SP_MIDAZOLAM] = r->fu * ce / r->mw;
  } else {
    double fs = r->drug == KS_DRUG_ESKETAMINE ? 1.0 : 0.5;
    out->plasma_ng_per_mL[KS_SP_S_KETAMINE] = fs * cp;
    out->effect_ng_per_mL[KS_SP_S_KETAMINE] = fs * ce;
    out->brain_unbound_uM[KS_SP_S_KETAMINE] = fs * r->fu * ce / r->mw;
    if (fs < 1.0) {
      out->plasma_ng_per_mL[KS_SP_R_KETAMINE] = (1.0 - fs) * cp;
      out->effect_ng_per_mL[KS_SP_R_KETAMINE] = (1.0 - fs) * ce;
      out->brain_unbound_uM[KS_SP_R_KETAMINE] = (1.0 - fs) * r->fu * ce / r->mw;
    }
  }
  return KS_OK;
}

void ks__ref_exposure_view(ks__ref_exposure *r, ks_exposure *out) {
  out->eval = ref_eval;
  out->ud = r;
  out->event_t_h = r->events_h;
  out->n_events = r->n_events;
}
