/* SPDX-License-Identifier: MIT */
/* Acute effects of an infusion: CADSS dissociation, blood pressure, heart rate and sedation from
 * effect-site concentrations (sigmoid Emax models), and a closed-form reference concentration time
 * course for a single IV infusion. Equations and sources: docs/model/clinic.md. */
#include "clinic_internal.h"
#include "core/core_internal.h"

#include <math.h>
#include <string.h>

ks_acute_params ks_acute_params_default(void) {
  ks_acute_params p;
  memset(&p, 0, sizeof p);
  p.cadss_emax = 15.2;
  p.cadss_ec50_ng_per_mL = 150.0;
  p.cadss_hill = 2.5;
  p.r_potency_rel = 0.3;
  p.cadss_iiv_sd = 0.9;
  p.tolerance_floor = 0.5;
  p.tolerance_n = 2.0;
  p.sbp_emax_mmHg = 8.84;
  p.dbp_emax_mmHg = 7.17;
  p.hr_emax_bpm = 2.27;
  p.hemo_ec50_ng_per_mL = 100.0;
  p.hemo_hill = 2.0;
  p.hemo_iiv_sd = 0.5;
  p.age50_factor = 1.3;
  p.hypertension_factor = 1.4;
  p.sedation_ec50_midazolam_ng_per_mL = 60.0;
  p.sedation_hill = 2.0;
  p.sedation_ec50_ketamine_ng_per_mL = 600.0;
  return p;
}

static double hill(double c, double ec50, double n) {
  if (!(c > 0.0)) return 0.0;
  double r = pow(c / ec50, n);
  return r / (1.0 + r);
}

ks_status ks_acute_patient_draw(const ks_acute_params *p, ks_rng *rng, double age_y, int hypertension,
                                ks_acute_patient *out) {
  if (!p || !rng || !out || !(age_y >= 0.0 && age_y < 130.0)) return KS_EINVAL;
  memset(out, 0, sizeof *out);
  out->age_y = age_y;
  out->hypertension = hypertension != 0;
  /* Log-normal with mean 1: exp(sd z - sd^2 / 2). */
  out->cadss_sensitivity = exp(p->cadss_iiv_sd * ks_rng_normal(rng) - 0.5 * p->cadss_iiv_sd * p->cadss_iiv_sd);
  out->hemo_sensitivity = exp(p->hemo_iiv_sd * ks_rng_normal(rng) - 0.5 * p->hemo_iiv_sd * p->hemo_iiv_sd);
  return KS_OK;
}

ks_status ks_acute_eval(ks_ctx *ctx, const ks_acute_params *p, const ks_acute_patient *pt, const ks_acute_conc *c,
                        ks_acute_effects *out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, p != NULL && pt != NULL && c != NULL && out != NULL);
  if (!(c->s_ketamine_ng_per_mL >= 0.0 && isfinite(c->s_ketamine_ng_per_mL)) ||
      !(c->r_ketamine_ng_per_mL >= 0.0 && isfinite(c->r_ketamine_ng_per_mL)) ||
      !(c->midazolam_ng_per_mL >= 0.0 && isfinite(c->midazolam_ng_per_mL)))
    return ks_ctx_fail(ctx, KS_EINVAL, "ks_acute_eval: concentrations must be finite and >= 0 ng/mL");
  if (pt->n_prior_infusions < 0 || !(pt->cadss_sensitivity >= 0.0) || !(pt->hemo_sensitivity >= 0.0) ||
      !isfinite(pt->cadss_sensitivity) || !isfinite(pt->hemo_sensitivity))
    return ks_ctx_fail(ctx, KS_EINVAL, "ks_acute_eval: bad patient (prior infusions >= 0, sensitivities >= 0)");
  /* S-equivalent concentration: R-ketamine is weaker at the NMDA receptor (Ki 1.4 vs 0.30 uM,
   * Ebert 1997) and in psychotomimetic potency. */
  double seq = c->s_ketamine_ng_per_mL + p->r_potency_rel * c->r_ketamine_ng_per_mL;
  double tol = p->tolerance_floor + (1.0 - p->tolerance_floor) * exp(-pt->n_prior_infusions / p->tolerance_n);
  out->cadss_mean = p->cadss_emax * pt->cadss_sensitivity * tol * hill(seq, p->cadss_ec50_ng_per_mL, p->cadss_hill);
  if (out->cadss_mean > 92.0) out->cadss_mean = 92.0;
  double mult = pt->hemo_sensitivity * (pt->age_y >= 50.0 ? p->age50_factor : 1.0) *
                (pt->hypertension ? p->hypertension_factor : 1.0);
  double e = hill(seq, p->hemo_ec50_ng_per_mL, p->hemo_hill) * mult;
  out->dsbp_mmHg = p->sbp_emax_mmHg * e;
  out->ddbp_mmHg = p->dbp_emax_mmHg * e;
  out->dhr_bpm = p->hr_emax_bpm * e;
  /* Sedation: GABA-A potentiation by midazolam, plus ketamine's own at high concentration;
   * combined as independent actions (1 - (1 - a)(1 - b)). */
  double sm = hill(c->midazolam_ng_per_mL, p->sedation_ec50_midazolam_ng_per_mL, p->sedation_hill);
  double sk = hill(seq, p->sedation_ec50_ketamine_ng_per_mL, p->sedation_hill);
  out->sedation = 1.0 - (1.0 - sm) * (1.0 - sk);
  return KS_OK;
}

/* Relative weights of the 23 CADSS items (Bremner 1998): perceptual items (derealisation, time,
 * body) carry most of ketamine's dissociation; amnesia items little. Assumed. */
static const double cadss_w[23] = {1.0, 1.2, 1.2, 1.0, 1.2, 1.3, 1.3, 1.0, 0.8, 1.2, 1.0, 0.8,
                                   0.8, 1.0, 1.0, 1.2, 1.0, 0.6, 0.6, 0.8, 1.2, 1.0, 0.8};

ks_status ks_acute_cadss_items(const ks_acute_effects *eff, ks_rng *rng, int *items, size_t cap, int *total) {
  if (!eff || !rng || !total || (items && cap < 23) || !(eff->cadss_mean >= 0.0) || !isfinite(eff->cadss_mean))
    return KS_EINVAL;
  double wsum = 0.0;
  for (int i = 0; i < 23; i++) wsum += cadss_w[i];
  int t = 0;
  for (int i = 0; i < 23; i++) {
    double pi = eff->cadss_mean * cadss_w[i] / (4.0 * wsum);
    if (pi > 1.0) pi = 1.0;
    int x = 0;
    for (int k = 0; k < 4; k++) x += ks_rng_bernoulli(rng, pi);
    if (items) items[i] = x;
    t += x;
  }
  *total = t;
  return KS_OK;
}

/* ---- closed-form 3-compartment infusion with an effect site ------------------------------- */

typedef struct {
  double lam[3], A[3]; /* central-compartment unit response sum A_i exp(-lam_i t), per litre */
  double ke0;
} disposition;

/* Eigenvalues of the mammillary 3-compartment model (roots of s^3 - a2 s^2 + a1 s - a0 = 0 in the
 * decay rates) by the trigonometric method, and the unit-disposition coefficients (Shafer's
 * STANPUMP formulation). */
static void disposition_3cmt(double k10, double k12, double k13, double k21, double k31, double v1_L, double ke0,
                             disposition *d) {
  double a0 = k10 * k21 * k31;
  double a1 = k10 * k31 + k21 * k31 + k21 * k13 + k10 * k21 + k31 * k12;
  double a2 = k10 + k12 + k13 + k21 + k31;
  double p = a1 - a2 * a2 / 3.0;
  double q = 2.0 * a2 * a2 * a2 / 27.0 - a1 * a2 / 3.0 + a0;
  double r1 = sqrt(-(p * p * p) / 27.0);
  double phi = acos(fmax(-1.0, fmin(1.0, -q / 2.0 / r1))) / 3.0;
  double r2 = 2.0 * exp(log(r1) / 3.0);
  d->lam[0] = -(cos(phi) * r2 - a2 / 3.0);
  d->lam[1] = -(cos(phi + 2.0 * M_PI / 3.0) * r2 - a2 / 3.0);
  d->lam[2] = -(cos(phi + 4.0 * M_PI / 3.0) * r2 - a2 / 3.0);
  for (int i = 0; i < 3; i++) {
    double li = d->lam[i], lj = d->lam[(i + 1) % 3], lk = d->lam[(i + 2) % 3];
    d->A[i] = (k21 - li) * (k31 - li) / ((lj - li) * (lk - li)) / v1_L;
  }
  d->ke0 = ke0;
}

/* Plasma and effect-site concentration (mg/L) at t (min) for rate R (mg/min) over [0, T]. */
static void infusion_conc(const disposition *d, double R, double T, double t, double *cp, double *ce) {
  double u = t < T ? t : T;
  double sp = 0.0, se = 0.0;
  for (int i = 0; i < 3; i++) {
    double l = d->lam[i];
    double xi = (exp(-l * (t - u)) - exp(-l * t)) / l;
    sp += d->A[i] * xi;
    double xe = (exp(-d->ke0 * (t - u)) - exp(-d->ke0 * t)) / d->ke0;
    se += d->A[i] * d->ke0 / (d->ke0 - l) * (xi - xe);
  }
  *cp = R * sp;
  *ce = R * se;
}

ks_status ks_acute_reference_conc(int drug, double dose_mg_per_kg, double weight_kg, double infusion_min,
                                  double t_min, double *plasma_ng_per_mL, ks_acute_conc *effect) {
  if (drug < 0 || drug > 2 || !(dose_mg_per_kg >= 0.0 && dose_mg_per_kg < 20.0) ||
      !(weight_kg > 0.0 && weight_kg < 400.0) || !(infusion_min > 0.0 && infusion_min < 1e4) ||
      !(t_min >= 0.0 && isfinite(t_min)) || !effect)
    return KS_EINVAL;
  disposition d;
  if (drug == 2) /* midazolam, Albrecht 1999 (< 65 y): V1 7.9 L, CL 0.399 L/min, ke0 0.11 /min */
    disposition_3cmt(0.399 / 7.9, 0.19, 0.065, 0.06, 0.0083, 7.9, 0.11, &d);
  else /* racemic ketamine, Domino 1982: V1 0.063 L/kg; effect site t1/2 3 min (Sleigh 2019, U) */
    disposition_3cmt(0.4381, 0.5921, 0.5900, 0.2470, 0.0146, 0.063 * weight_kg, 0.23, &d);
  double R = dose_mg_per_kg * weight_kg / infusion_min;
  double cp, ce;
  infusion_conc(&d, R, infusion_min, t_min, &cp, &ce);
  cp = fmax(0.0, cp) * 1000.0; /* mg/L -> ng/mL */
  ce = fmax(0.0, ce) * 1000.0;
  memset(effect, 0, sizeof *effect);
  if (drug == 0) {
    effect->s_ketamine_ng_per_mL = 0.5 * ce;
    effect->r_ketamine_ng_per_mL = 0.5 * ce;
  } else if (drug == 1) {
    effect->s_ketamine_ng_per_mL = ce;
  } else {
    effect->midazolam_ng_per_mL = ce;
  }
  if (plasma_ng_per_mL) *plasma_ng_per_mL = cp;
  return KS_OK;
}
