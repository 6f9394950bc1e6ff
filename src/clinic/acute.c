/* SPDX-License-Identifier: MIT */
/* Acute effects of an infusion: CADSS dissociation, blood pressure, heart rate and sedation from
 * effect-site concentrations (sigmoid Emax models). The concentrations come from the PK layer
 * (the one the trials run); equations and sources: docs/model/clinic.md. */
#include "clinic_internal.h"
#include "core/core_internal.h"

#include <math.h>
#include <string.h>

ks_acute_params ks_acute_params_default(void) {
  ks_acute_params p;
  memset(&p, 0, sizeof p);
  p.cadss_emax = 18.0;
  p.cadss_ec50_ng_per_mL = 110.0;
  p.cadss_hill = 3.0;
  p.r_potency_rel = 0.3;
  p.cadss_iiv_sd = 0.9;
  p.tolerance_floor = 0.5;
  p.tolerance_n = 2.0;
  p.sbp_emax_mmHg = 9.40;
  p.dbp_emax_mmHg = 7.62;
  p.hr_emax_bpm = 2.41;
  p.hemo_ec50_ng_per_mL = 80.0;
  p.hemo_hill = 3.0;
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
