/* SPDX-License-Identifier: MIT */
/* NMDA channel block (competitive, four species), interneuron preference, GABA-A potentiation. */
#include "core/core_internal.h"
#include <ketasim/receptor.h>

#include <math.h>

ks_receptor_params ks_receptor_params_default(void) {
  ks_receptor_params p = {0};
  /* Ebert 1997 (Eur J Pharmacol 333:99), [3H]MK-801 displacement in rat brain membranes. */
  p.nmda_ki_uM[KS_SP_S_KETAMINE] = 0.30;
  p.nmda_ki_uM[KS_SP_R_KETAMINE] = 1.4;
  p.nmda_ki_uM[KS_SP_S_NORKETAMINE] = 1.7;
  p.nmda_ki_uM[KS_SP_R_NORKETAMINE] = 13.0;
  p.nmda_ki_uM[KS_SP_MIDAZOLAM] = 0.0; /* does not bind the NMDA channel */
  /* Kotermanski & Johnson 2009 (J Neurosci 29:2774): 1 mM Mg2+ raises ketamine's IC50 about
   * 16-fold at GluN2A/2B and only 2-4-fold at GluN2C/2D receptors. */
  p.mg_shift_interneuron = 3.0;
  p.mg_shift_pyramidal = 16.0;
  /* Use-dependent access (calibrated to the disinhibition needed for the Glx surge, see
   * docs/model/receptor.md): tonically firing interneurons (Homayoun & Moghaddam 2007) expose all
   * their channels, pyramidal cells about half during a 40-min exposure. */
  p.access_interneuron = 1.0;
  p.access_pyramidal = 0.5;
  /* Midazolam at alpha1beta2gamma2 GABA-A receptors: nanomolar potentiation, about +150% at most
   * (Walters 2000, Nat Neurosci 3:1274); EC50 ~ 50 nM unbound. */
  p.gabaa_emax = 1.5;
  p.gabaa_ec50_uM = 0.05;
  p.gabaa_hill = 1.0;
  /* Sedation index (calibrated: the 0.045 mg/kg active-placebo dose gives mild sedation, ~0.1-0.3,
   * and 0.1-0.2 mg/kg gives marked sedation). */
  p.sedation_p50 = 0.3;
  p.sedation_hill = 2.0;
  return p;
}

static const char *const species_names[KS_SPECIES_N] = {"s-ketamine", "r-ketamine",
                                                         "s-norketamine", "r-norketamine",
                                                         "midazolam"};

static int finite_pos(double x) { return isfinite(x) && x > 0.0; }

ks_status ks_receptor_params_check(ks_ctx *ctx, const ks_receptor_params *p) {
  KS_CHECK_ARG(ctx, p != NULL);
  for (int s = 0; s < KS_SPECIES_N; s++)
    if (!isfinite(p->nmda_ki_uM[s]) || p->nmda_ki_uM[s] < 0.0)
      return ks_ctx_fail(ctx, KS_EINVAL, "receptor: nmda_ki_uM[%s] = %g must be >= 0 (0: no binding)",
                         species_names[s], p->nmda_ki_uM[s]);
#define CHECK(cond, field)                                                                  \
  if (!(cond))                                                                              \
  return ks_ctx_fail(ctx, KS_EINVAL, "receptor: %s = %g is out of range (%s)", #field, p->field, \
                     #cond)
  CHECK(isfinite(p->mg_shift_interneuron) && p->mg_shift_interneuron >= 1.0, mg_shift_interneuron);
  CHECK(isfinite(p->mg_shift_pyramidal) && p->mg_shift_pyramidal >= 1.0, mg_shift_pyramidal);
  CHECK(p->access_interneuron >= 0.0 && p->access_interneuron <= 1.0, access_interneuron);
  CHECK(p->access_pyramidal >= 0.0 && p->access_pyramidal <= 1.0, access_pyramidal);
  CHECK(isfinite(p->gabaa_emax) && p->gabaa_emax >= 0.0, gabaa_emax);
  CHECK(finite_pos(p->gabaa_ec50_uM), gabaa_ec50_uM);
  CHECK(finite_pos(p->gabaa_hill) && p->gabaa_hill <= 8.0, gabaa_hill);
  CHECK(finite_pos(p->sedation_p50), sedation_p50);
  CHECK(finite_pos(p->sedation_hill) && p->sedation_hill <= 8.0, sedation_hill);
#undef CHECK
  return KS_OK;
}

static double clean_conc(double c) { return (isfinite(c) && c > 0.0) ? c : 0.0; }

/* Hill function x^h / (x^h + k^h) for x >= 0, k > 0, written to avoid overflow. */
static double hill(double x, double k, double h) {
  if (x <= 0.0) return 0.0;
  double r = pow(k / x, h);
  return isfinite(r) ? 1.0 / (1.0 + r) : 0.0;
}

void ks_receptor_eval(const ks_receptor_params *p, const ks_pk_conc *conc, ks_receptor_state *out) {
  /* Competitive binding at the one channel site (Ebert 1997 used this form to derive Ki):
   * occupancy = sum_i (C_i/Ki_i) / (1 + sum_i C_i/Ki_i). */
  double x = 0.0;
  for (int s = 0; s < KS_SPECIES_N; s++) {
    double ki = p->nmda_ki_uM[s];
    if (ki > 0.0) x += clean_conc(conc->brain_unbound_uM[s]) / ki;
  }
  out->nmda_occupancy = x / (1.0 + x);
  /* In Mg2+ every Ki is scaled by the cell type's Mg2+ shift; the reachable fraction of receptors
   * (use-dependent open-channel trapping block) caps the effective block. */
  double xi = x / p->mg_shift_interneuron, xp = x / p->mg_shift_pyramidal;
  out->block_interneuron = p->access_interneuron * xi / (1.0 + xi);
  out->block_pyramidal = p->access_pyramidal * xp / (1.0 + xp);
  /* Midazolam: Emax model of GABA-A potentiation on the unbound brain concentration. */
  double cm = clean_conc(conc->brain_unbound_uM[KS_SP_MIDAZOLAM]);
  out->gabaa_potentiation = p->gabaa_emax * hill(cm, p->gabaa_ec50_uM, p->gabaa_hill);
  out->sedation = hill(out->gabaa_potentiation, p->sedation_p50, p->sedation_hill);
}

/* Steady total concentration of a racemate giving 50% channel occupancy (no Mg2+): with S and R
 * each at c/2, sum c/2/Ki = 1. */
static double racemic_ki(const ks_receptor_params *p) {
  return 1.0 / (0.5 / p->nmda_ki_uM[KS_SP_S_KETAMINE] + 0.5 / p->nmda_ki_uM[KS_SP_R_KETAMINE]);
}

ks_status ks_receptor_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n) {
  KS_CHECK_ARG(ctx, out && n && *n <= cap);
  ks_receptor_params p = ks_receptor_params_default();
  KS_TRY(ks_receptor_params_check(ctx, &p));
  /* Racemic Ki follows from the enantiomers' Ki: a held-out check of the competitive model. */
  double ki_rac = racemic_ki(&p);
  /* Concentrations at the end of a 0.5 mg/kg, 40-min infusion: total plasma ketamine 185 ng/mL
   * (Zarate 2006), unbound fraction 0.55 (Dayton 1983), unbound brain = unbound plasma. */
  ks_pk_conc c = {0};
  double u_total = 185.0 * 0.55 / 237.7;
  c.brain_unbound_uM[KS_SP_S_KETAMINE] = 0.5 * u_total;
  c.brain_unbound_uM[KS_SP_R_KETAMINE] = 0.5 * u_total;
  ks_receptor_state r;
  ks_receptor_eval(&p, &c, &r);
  double pref = r.block_pyramidal > 0.0 ? r.block_interneuron / r.block_pyramidal : 0.0;
  /* Midazolam at the concentrations of 0.045 mg/kg over 40 min: ~45 ng/mL total (Albrecht 1999
   * model), 3.5% unbound. */
  ks_pk_conc m = {0};
  m.brain_unbound_uM[KS_SP_MIDAZOLAM] = 45.0 * 0.035 / 325.8;
  ks_receptor_state rm;
  ks_receptor_eval(&p, &m, &rm);
  /* Esketamine vs racemate: the S enantiomer alone is the more potent blocker (Ebert 1997). */
  double potency_ratio = p.nmda_ki_uM[KS_SP_R_KETAMINE] / p.nmda_ki_uM[KS_SP_S_KETAMINE];

  KS_TRY(ks_target_add(out, cap, n, "receptor.nmda.racemic_ki",
                       "racemic ketamine Ki at the NMDA channel from S and R Ki (competition)", "uM",
                       "Zanos 2016 Nature (~0.5 uM); Salat 2015 (0.12 uM)", 0.5, 0.12, 0.8, ki_rac,
                       KS_TARGET_HELD_OUT));
  KS_TRY(ks_target_add(out, cap, n, "receptor.nmda.s_over_r_potency",
                       "S- vs R-ketamine potency ratio at the channel site", "ratio",
                       "Ebert 1997 Eur J Pharmacol", 4.67, 3.0, 5.0, potency_ratio,
                       KS_TARGET_CALIBRATED));
  KS_TRY(ks_target_add(out, cap, n, "receptor.nmda.interneuron_preference",
                       "interneuron / pyramidal effective NMDA block at 0.5 mg/kg end of infusion",
                       "ratio", "Homayoun & Moghaddam 2007 J Neurosci (interneurons blocked first)",
                       NAN, 3.0, 30.0, pref, KS_TARGET_CALIBRATED));
  KS_TRY(ks_target_add(out, cap, n, "receptor.midazolam.no_nmda_block",
                       "NMDA block by midazolam 0.045 mg/kg (active placebo)", "fraction",
                       "Feder 2014 (midazolam as active control)", 0.0, 0.0, 1e-9,
                       rm.block_interneuron, KS_TARGET_HELD_OUT));
  KS_TRY(ks_target_add(out, cap, n, "receptor.midazolam.sedation",
                       "sedation index of midazolam 0.045 mg/kg at end of infusion", "index 0-1",
                       "calibrated: mild sedation of the active placebo (Feder 2014)", NAN, 0.03,
                       0.4, rm.sedation, KS_TARGET_CALIBRATED));
  return KS_OK;
}
