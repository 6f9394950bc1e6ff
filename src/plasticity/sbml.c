/* SPDX-License-Identifier: MIT */
/* SBML Level 3 export of the reference PK + receptor + cascade model (libSBML C API). */
#include "core/core_internal.h"
#include "plasticity_internal.h"

#include <sbml/SBMLTypes.h>
#include <sbml/math/L3Parser.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Every quantity of the SBML model is a parameter: states are non-constant parameters driven by
 * rate rules, observables are assignment rules, so the file reads like the equations in
 * docs/model/plasticity.md and runs in COPASI, Tellurium or libRoadRunner unchanged. */

typedef struct builder {
  Model_t *m;
  int failed;
  char what[160];
} builder;

static void fail_b(builder *b, const char *what) {
  if (!b->failed) {
    b->failed = 1;
    snprintf(b->what, sizeof b->what, "%s", what);
  }
}

static void unit_def(builder *b, const char *id, const UnitKind_t *kinds, const int *exps,
                     const int *scales, const double *mults, int n) {
  UnitDefinition_t *ud = Model_createUnitDefinition(b->m);
  if (!ud || UnitDefinition_setId(ud, id) != LIBSBML_OPERATION_SUCCESS) {
    fail_b(b, id);
    return;
  }
  for (int i = 0; i < n; i++) {
    Unit_t *u = UnitDefinition_createUnit(ud);
    if (!u) {
      fail_b(b, id);
      return;
    }
    Unit_setKind(u, kinds[i]);
    Unit_setExponent(u, exps[i]);
    Unit_setScale(u, scales[i]);
    Unit_setMultiplier(u, mults[i]);
  }
}

static void param(builder *b, const char *id, double value, const char *units, int constant) {
  Parameter_t *p = Model_createParameter(b->m);
  if (!p || Parameter_setId(p, id) != LIBSBML_OPERATION_SUCCESS) {
    fail_b(b, id);
    return;
  }
  Parameter_setValue(p, value);
  Parameter_setUnits(p, units);
  Parameter_setConstant(p, constant);
}

static void rule(builder *b, int rate, const char *var, const char *formula) {
  ASTNode_t *ast = SBML_parseL3Formula(formula);
  if (!ast) {
    fail_b(b, var);
    return;
  }
  Rule_t *r = rate ? Model_createRateRule(b->m) : Model_createAssignmentRule(b->m);
  if (!r || Rule_setVariable(r, var) != LIBSBML_OPERATION_SUCCESS ||
      Rule_setMath(r, ast) != LIBSBML_OPERATION_SUCCESS)
    fail_b(b, var);
  ASTNode_free(ast);
}

/* max(x, 0) in MathML. */
#define POS(x) "piecewise(" x ", " x " > 0, 0)"

static void build(builder *b, const ks_cascade_params *p, const ks_receptor_params *rp) {
  Model_t *m = b->m;
  Model_setId(m, "ketasim_cascade");
  Model_setName(m, "ketasim: ketamine PK (Domino 1982 3-cmt) -> NMDA block -> plasticity cascade");
  /* Units. */
  {
    UnitKind_t k[2] = {UNIT_KIND_SECOND, UNIT_KIND_LITRE};
    int e1[1] = {1}, s0[2] = {0, 0};
    double m3600[1] = {3600.0};
    unit_def(b, "hour", k, e1, s0, m3600, 1);
    int em1[1] = {-1};
    unit_def(b, "per_hour", k, em1, s0, m3600, 1);
    UnitKind_t kg[1] = {UNIT_KIND_GRAM};
    int sm3[1] = {-3};
    double one[2] = {1.0, 1.0};
    unit_def(b, "mg", kg, e1, sm3, one, 1);
    UnitKind_t kgs[2] = {UNIT_KIND_GRAM, UNIT_KIND_SECOND};
    int egs[2] = {1, -1}, sgs[2] = {-3, 0};
    double mgs[2] = {1.0, 3600.0};
    unit_def(b, "mg_per_hour", kgs, egs, sgs, mgs, 2);
    UnitKind_t kgl[2] = {UNIT_KIND_GRAM, UNIT_KIND_LITRE};
    int egl[2] = {1, -1}, sgl[2] = {-3, 0};
    unit_def(b, "mg_per_L", kgl, egl, sgl, one, 2);
    UnitKind_t kml[2] = {UNIT_KIND_MOLE, UNIT_KIND_LITRE};
    int eml[2] = {1, -1}, sml[2] = {-6, 0};
    unit_def(b, "uM", kml, eml, sml, one, 2);
    UnitKind_t kgm[2] = {UNIT_KIND_GRAM, UNIT_KIND_MOLE};
    int egm[2] = {1, -1}, sgm[2] = {0, 0};
    unit_def(b, "g_per_mol", kgm, egm, sgm, one, 2);
    UnitKind_t kl[1] = {UNIT_KIND_LITRE};
    unit_def(b, "L", kl, e1, s0, one, 1);
  }
  Model_setTimeUnits(m, "hour");

  /* Reference PK: racemic ketamine, Domino 1982, 70 kg, 0.5 mg/kg over 40 min. */
  ks__ref_pk_set s = ks__ref_pk_set_get(KS_DRUG_KETAMINE, 70.0);
  param(b, "dose", 35.0, "mg", 1);
  param(b, "T_inf", 40.0 / 60.0, "hour", 1);
  param(b, "V1", s.v1_L, "L", 1);
  param(b, "k10", s.k10 * 60.0, "per_hour", 1);
  param(b, "k12", s.k12 * 60.0, "per_hour", 1);
  param(b, "k13", s.k13 * 60.0, "per_hour", 1);
  param(b, "k21", s.k21 * 60.0, "per_hour", 1);
  param(b, "k31", s.k31 * 60.0, "per_hour", 1);
  param(b, "ke0", s.ke0 * 60.0, "per_hour", 1);
  param(b, "fu", s.fu, "dimensionless", 1);
  param(b, "MW", s.mw, "g_per_mol", 1);
  param(b, "A1", 0.0, "mg", 0);
  param(b, "A2", 0.0, "mg", 0);
  param(b, "A3", 0.0, "mg", 0);
  param(b, "Ce", 0.0, "mg_per_L", 0);
  param(b, "Rinf", 0.0, "mg_per_hour", 0);
  param(b, "Cp", 0.0, "mg_per_L", 0);
  param(b, "Cu", 0.0, "uM", 0);
  rule(b, 0, "Rinf", "piecewise(dose / T_inf, time < T_inf, 0)");
  rule(b, 0, "Cp", "A1 / V1");
  rule(b, 1, "A1", "Rinf - (k10 + k12 + k13) * A1 + k21 * A2 + k31 * A3");
  rule(b, 1, "A2", "k12 * A1 - k21 * A2");
  rule(b, 1, "A3", "k13 * A1 - k31 * A3");
  rule(b, 1, "Ce", "ke0 * (Cp - Ce)");
  /* mg/L / (g/mol) = mmol/L; x1000 -> uM. */
  param(b, "uM_per_mM", 1000.0, "dimensionless", 1);
  rule(b, 0, "Cu", "uM_per_mM * fu * Ce / MW");

  /* Receptor layer (docs/model/receptor.md R1-R3). */
  param(b, "Ki_S", rp->nmda_ki_uM[KS_SP_S_KETAMINE], "uM", 1);
  param(b, "Ki_R", rp->nmda_ki_uM[KS_SP_R_KETAMINE], "uM", 1);
  param(b, "mg_int", rp->mg_shift_interneuron, "dimensionless", 1);
  param(b, "mg_pyr", rp->mg_shift_pyramidal, "dimensionless", 1);
  param(b, "acc_int", rp->access_interneuron, "dimensionless", 1);
  param(b, "acc_pyr", rp->access_pyramidal, "dimensionless", 1);
  param(b, "x_nmda", 0.0, "dimensionless", 0);
  param(b, "occupancy", 0.0, "dimensionless", 0);
  param(b, "bI", 0.0, "dimensionless", 0);
  param(b, "bP", 0.0, "dimensionless", 0);
  rule(b, 0, "x_nmda", "0.5 * Cu / Ki_S + 0.5 * Cu / Ki_R");
  rule(b, 0, "occupancy", "x_nmda / (1 + x_nmda)");
  rule(b, 0, "bI", "acc_int * (x_nmda / mg_int) / (1 + x_nmda / mg_int)");
  rule(b, 0, "bP", "acc_pyr * (x_nmda / mg_pyr) / (1 + x_nmda / mg_pyr)");

  /* Cascade (docs/model/plasticity.md P1-P15); knockouts are 0/1 switches. */
  param(b, "ko_mtorc1", (p->knockouts & KS_KO_MTORC1) ? 1.0 : 0.0, "dimensionless", 1);
  param(b, "ko_ampa", (p->knockouts & KS_KO_AMPA) ? 1.0 : 0.0, "dimensionless", 1);
  param(b, "ko_bdnf", (p->knockouts & KS_KO_BDNF) ? 1.0 : 0.0, "dimensionless", 1);
  param(b, "deficit_pfc", p->spine_deficit_pfc, "dimensionless", 1);
  param(b, "deficit_hpc", p->spine_deficit_hpc, "dimensionless", 1);
  param(b, "tau_I", p->tau_interneuron_h, "hour", 1);
  param(b, "tau_E", p->tau_pyramidal_h, "hour", 1);
  param(b, "phi_I", p->interneuron_nmda_gain, "dimensionless", 1);
  param(b, "phi_P", p->pyramidal_nmda_gain, "dimensionless", 1);
  param(b, "w_dis", p->disinhibition_gain * p->disinhibition_scale, "dimensionless", 1);
  param(b, "tau_G", p->tau_glutamate_h, "hour", 1);
  param(b, "tau_H", p->tau_mglur_h, "hour", 1);
  param(b, "k_H", p->mglur_gain, "dimensionless", 1);
  param(b, "glx_frac", p->glx_fraction, "dimensionless", 1);
  param(b, "tau_A", p->tau_ampa_h, "hour", 1);
  param(b, "tau_e", p->tau_eef2_h, "hour", 1);
  param(b, "tau_B", p->tau_bdnf_h, "hour", 1);
  param(b, "r_A", p->bdnf_release_gain * p->bdnf_scale, "dimensionless", 1);
  param(b, "r_T", p->eef2_translation_gain, "dimensionless", 1);
  param(b, "tau_M", p->tau_mtorc1_h, "hour", 1);
  param(b, "k_M", p->mtorc1_gain, "dimensionless", 1);
  param(b, "tau_F", p->tau_mtor_feedback_h, "hour", 1);
  param(b, "k_F", p->mtor_feedback_gain, "dimensionless", 1);
  param(b, "k_P", log(2.0) / p->protein_half_life_h, "per_hour", 1);
  param(b, "a_P", p->protein_synthesis_gain, "dimensionless", 1);
  param(b, "kf_pfc", p->spine_formation_per_h_pfc * p->plasticity_scale, "per_hour", 1);
  param(b, "kf_hpc", p->spine_formation_per_h_hpc * p->plasticity_scale, "per_hour", 1);
  param(b, "S_max", p->spine_max, "dimensionless", 1);
  param(b, "k_relax", 1.0 / (p->spine_relax_d * 24.0 * p->relax_scale), "per_hour", 1);
  param(b, "tau_g", p->gain_tau_h * p->relax_scale, "hour", 1);
  param(b, "k_sal", p->salience_coupling, "dimensionless", 1);
  param(b, "K_W", p->window_k, "dimensionless", 1);
  static const char *const states[] = {"I", "E", "G", "H", "A", "B", "M", "F", "P"};
  for (size_t i = 0; i < KS_ARRAY_LEN(states); i++) param(b, states[i], 1.0, "dimensionless", 0);
  param(b, "e", 0.0, "dimensionless", 0);
  double s_pfc = 1.0 - p->spine_deficit_pfc, s_hpc = 1.0 - p->spine_deficit_hpc;
  param(b, "S_pfc", s_pfc, "dimensionless", 0);
  param(b, "S_hpc", s_hpc, "dimensionless", 0);
  param(b, "g_vmpfc_amygdala", s_pfc, "dimensionless", 0);
  param(b, "g_hippocampus_vmpfc", sqrt(s_pfc * s_hpc), "dimensionless", 0);
  param(b, "g_dmn", s_pfc, "dimensionless", 0);
  param(b, "g_salience", 1.0 + p->salience_coupling * (1.0 - s_pfc), "dimensionless", 0);
  param(b, "glx_pct", 0.0, "dimensionless", 0);
  param(b, "W", 0.0, "dimensionless", 0);

  rule(b, 1, "I", "(" POS("1 - phi_I * bI") " - I) / tau_I");
  rule(b, 1, "E", "(" POS("1 + w_dis * " POS("1 - I") "^2 - phi_P * bP") " - E) / tau_E");
  rule(b, 1, "G", "(E * exp(-k_H * (H - 1)) - G) / tau_G");
  rule(b, 1, "H", "(G - H) / tau_H");
  rule(b, 1, "A", "(ko_ampa + (1 - ko_ampa) * G - A) / tau_A");
  rule(b, 1, "e", "(bP - e) / tau_e");
  rule(b, 1, "B", "(1 + (1 - ko_bdnf) * r_A * " POS("A - 1") " * (1 + r_T * e) - B) / tau_B");
  rule(b, 1, "M", "(ko_mtorc1 + (1 - ko_mtorc1) * " POS("(1 + k_M * (B - 1)) * exp(-k_F * (F - 1))")
                  " - M) / tau_M");
  rule(b, 1, "F", "(M - F) / tau_F");
  rule(b, 1, "P", "k_P * (" POS("1 + a_P * (M - 1)") " - P)");
  rule(b, 1, "S_pfc", "kf_pfc * " POS("P - 1") " * " POS("S_max - S_pfc")
                      " - k_relax * (S_pfc - (1 - deficit_pfc))");
  rule(b, 1, "S_hpc", "kf_hpc * " POS("P - 1") " * " POS("S_max - S_hpc")
                      " - k_relax * (S_hpc - (1 - deficit_hpc))");
  rule(b, 1, "g_vmpfc_amygdala", "(S_pfc - g_vmpfc_amygdala) / tau_g");
  rule(b, 1, "g_hippocampus_vmpfc", "(sqrt(S_pfc * S_hpc) - g_hippocampus_vmpfc) / tau_g");
  rule(b, 1, "g_dmn", "(S_pfc - g_dmn) / tau_g");
  rule(b, 1, "g_salience", "(1 + k_sal * (1 - S_pfc) - g_salience) / tau_g");
  rule(b, 0, "glx_pct", "100 * glx_frac * (G - 1)");
  rule(b, 0, "W", POS("P - 1") " / (" POS("P - 1") " + K_W)");
}

ks_status ks_cascade_export_sbml(ks_ctx *ctx, const ks_cascade_params *p, const char *path) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, p && path && path[0]);
  KS_TRY(ks_cascade_params_check(ctx, p));
  ks_receptor_params rp = ks_receptor_params_default();
  SBMLDocument_t *doc = SBMLDocument_createWithLevelAndVersion(3, 2);
  if (!doc) return ks_ctx_fail(ctx, KS_ENOMEM, "ks_cascade_export_sbml: libSBML out of memory");
  builder b = {.m = SBMLDocument_createModel(doc)};
  if (!b.m) fail_b(&b, "model");
  else build(&b, p, &rp);
  ks_status st = KS_OK;
  if (b.failed) {
    st = ks_ctx_fail(ctx, KS_EIO, "ks_cascade_export_sbml: libSBML rejected element '%s'", b.what);
  } else {
    /* Write beside the target and rename, so a failure never leaves a partial file at path. */
    char tmp[4096];
    int len = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (len < 0 || (size_t)len >= sizeof tmp) {
      st = ks_ctx_fail(ctx, KS_EINVAL, "ks_cascade_export_sbml: path too long");
    } else if (!writeSBMLToFile(doc, tmp)) {
      remove(tmp);
      st = ks_ctx_fail(ctx, KS_EIO, "ks_cascade_export_sbml: cannot write %s", path);
    } else if (rename(tmp, path) != 0) {
      remove(tmp);
      st = ks_ctx_fail(ctx, KS_EIO, "ks_cascade_export_sbml: cannot rename %s to %s", tmp, path);
    }
  }
  SBMLDocument_free(doc);
  return st;
}
