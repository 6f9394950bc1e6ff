/* SPDX-License-Identifier: MIT */
/* SBML Level 3 export of the PK + receptor + cascade model the simulator runs (libSBML C API).
 * The PK part is written from the PK layer's own linear system (the matrix A of each unit of a
 * ks_pk_sim, pk/pk_internal.h), so the file is the default fanta2015 model with norketamine, not
 * a re-typed copy of it. */
#include "core/core_internal.h"
#include "pk/pk_internal.h"
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

/* The dosing of the export: one 0.5 mg/kg IV infusion over 40 min, typical 70-kg patient. */
#define SBML_WEIGHT_KG 70.0
#define SBML_DOSE_MG_PER_KG 0.5
#define SBML_INFUSION_H (40.0 / 60.0)

static void fail_b(builder *b, const char *what) {
  if (!b->failed) {
    b->failed = 1;
    snprintf(b->what, sizeof b->what, "%.150s", what);
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

/* An SBML identifier from a prefix and a name: letters, digits and '_' only. */
static void make_sid(char *out, size_t n, const char *prefix, const char *name) {
  snprintf(out, n, "%s%s", prefix, name);
  for (char *c = out; *c; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))) *c = '_';
}

static void species_id(char *out, size_t n, const char *prefix, ks_species sp) {
  make_sid(out, n, prefix, ks_species_name(sp));
}

/* Unit of state i of a PK unit: amounts in mg, effect-site states in mg/L. */
static const char *state_units(const pk_unit *u, int i) { return u->kind[i] == PK_ST_EFFECT ? "mg_per_L" : "mg"; }

/* Unit of A[i][j] (state i per hour per state j). */
static const char *rate_units(const pk_unit *u, int i, int j) {
  int ei = u->kind[i] == PK_ST_EFFECT, ej = u->kind[j] == PK_ST_EFFECT;
  return ei == ej ? "per_hour" : ei ? "per_hour_per_L" : "L_per_hour";
}

/* A bolus: an event at t0 that adds the amount to the state. */
static void bolus_event(builder *b, const char *state, const char *amount, const char *t0) {
  char trig[160], add[200];
  snprintf(trig, sizeof trig, "time >= %.140s", t0);
  snprintf(add, sizeof add, "%.79s + %.110s", state, amount);
  Event_t *e = Model_createEvent(b->m);
  Trigger_t *t = e ? Event_createTrigger(e) : NULL;
  EventAssignment_t *ea = e ? Event_createEventAssignment(e) : NULL;
  ASTNode_t *tm = SBML_parseL3Formula(trig), *am = SBML_parseL3Formula(add);
  if (!e || !t || !ea || !tm || !am || Trigger_setMath(t, tm) != LIBSBML_OPERATION_SUCCESS ||
      EventAssignment_setVariable(ea, state) != LIBSBML_OPERATION_SUCCESS ||
      EventAssignment_setMath(ea, am) != LIBSBML_OPERATION_SUCCESS)
    fail_b(b, state);
  if (t) {
    Trigger_setInitialValue(t, 0);
    Trigger_setPersistent(t, 1);
  }
  if (e) Event_setUseValuesFromTriggerTime(e, 1);
  ASTNode_free(tm);
  ASTNode_free(am);
}

/* The PK layer's system, unit by unit: dx/dt = A x + inputs. Every non-zero A[i][j] is a named
 * parameter a_<state i>__<state j> (per hour); every input of the dosing its amount, start and
 * duration; the concentrations of each species (plasma, effect site, unbound brain) assignment
 * rules, as ks_pk_sim_eval computes them. */
static void build_pk(builder *b, const ks_pk_sim *sim) {
  char sid[PK_MAXS][80], id[200], formula[4096];
  char cp[KS_SPECIES_N][1024], ce[KS_SPECIES_N][1024];
  for (int sp = 0; sp < KS_SPECIES_N; sp++) cp[sp][0] = ce[sp][0] = '\0';
  for (int k = 0; k < ks__pk_sim_n_units(sim); k++) {
    const pk_unit *u = ks__pk_sim_unit(sim, k);
    for (int i = 0; i < u->n; i++) {
      make_sid(sid[i], sizeof sid[i], "", u->name[i]);
      param(b, sid[i], 0.0, state_units(u, i), 0);
    }
    for (int i = 0; i < u->n; i++) {
      size_t l = (size_t)snprintf(formula, sizeof formula, "0");
      for (int j = 0; j < u->n; j++) {
        double a = u->A[i * u->n + j];
        if (a == 0.0) continue;
        snprintf(id, sizeof id, "a_%.79s__%.79s", sid[i], sid[j]);
        param(b, id, a, rate_units(u, i, j), 1);
        l += (size_t)snprintf(formula + l, sizeof formula - l, " + %s * %s", id, sid[j]);
      }
      for (size_t q = 0; q < u->n_adm; q++) {
        const double *ad = &u->adm[4 * q];
        if ((int)ad[3] != i) continue;
        char amt[120], t0[120], dur[120];
        snprintf(amt, sizeof amt, "dose_%.79s_%zu", sid[i], q);
        snprintf(t0, sizeof t0, "start_%.79s_%zu", sid[i], q);
        param(b, amt, ad[2], "mg", 1);
        param(b, t0, ad[0], "hour", 1);
        if (ad[1] > 0.0) {
          snprintf(dur, sizeof dur, "duration_%.79s_%zu", sid[i], q);
          param(b, dur, ad[1], "hour", 1);
          l += (size_t)snprintf(formula + l, sizeof formula - l,
                                " + piecewise(%s / %s, time >= %s && time < %s + %s, 0)", amt, dur, t0, t0, dur);
        } else {
          bolus_event(b, sid[i], amt, t0);
        }
      }
      if (l >= sizeof formula) fail_b(b, sid[i]);
      rule(b, 1, sid[i], formula);
    }
    /* Concentrations (mg/L), summed over the units that carry a species. */
    struct { int sp, i; double scale; int effect; } out[4] = {
        {u->sp_parent, u->i_central, 1.0 / u->v_central_L, 0},
        {u->sp_parent, u->i_eff, 1.0, 1},
        {u->sp_met, u->i_met_central, u->v_met_L > 0 ? u->met_mass_ratio / u->v_met_L : 0.0, 0},
        {u->sp_met, u->i_met_eff, u->met_mass_ratio, 1}};
    for (int o = 0; o < 4; o++) {
      if (out[o].sp < 0 || out[o].i < 0) continue;
      char *f = out[o].effect ? ce[out[o].sp] : cp[out[o].sp];
      snprintf(id, sizeof id, "%s_%.79s", out[o].effect ? "f_effect" : "f_plasma", sid[out[o].i]);
      param(b, id, out[o].scale, out[o].effect ? "dimensionless" : "per_L", 1);
      size_t l = strlen(f);
      snprintf(f + l, 1024 - l, "%s%s * %s", l ? " + " : "", id, sid[out[o].i]);
    }
  }
  param(b, "uM_per_mM", 1000.0, "dimensionless", 1);
  for (int sp = 0; sp < KS_SPECIES_N; sp++) {
    if (!cp[sp][0] && !ce[sp][0]) continue;
    char p_id[64], e_id[64], u_id[64], fu[64], kp[64], mw[64];
    species_id(p_id, sizeof p_id, "Cp_", (ks_species)sp);
    species_id(e_id, sizeof e_id, "Ce_", (ks_species)sp);
    species_id(u_id, sizeof u_id, "Cu_", (ks_species)sp);
    species_id(fu, sizeof fu, "fu_", (ks_species)sp);
    species_id(kp, sizeof kp, "kpuu_", (ks_species)sp);
    species_id(mw, sizeof mw, "MW_", (ks_species)sp);
    param(b, p_id, 0.0, "mg_per_L", 0);
    param(b, e_id, 0.0, "mg_per_L", 0);
    param(b, u_id, 0.0, "uM", 0);
    param(b, fu, ks_species_fraction_unbound((ks_species)sp), "dimensionless", 1);
    param(b, kp, ks_species_kpuu_brain((ks_species)sp), "dimensionless", 1);
    param(b, mw, ks_species_molar_mass_g_per_mol((ks_species)sp), "g_per_mol", 1);
    /* Concentrations are never negative (round-off), as in ks_pk_sim_eval. */
    const char *fp = cp[sp][0] ? cp[sp] : "0", *fe = ce[sp][0] ? ce[sp] : "0";
    snprintf(formula, sizeof formula, "piecewise(%.1023s, %.1023s > 0, 0)", fp, fp);
    rule(b, 0, p_id, formula);
    snprintf(formula, sizeof formula, "piecewise(%.1023s, %.1023s > 0, 0)", fe, fe);
    rule(b, 0, e_id, formula);
    /* mg/L / (g/mol) = mmol/L; x1000 -> uM. */
    snprintf(formula, sizeof formula, "uM_per_mM * %s * %s * %s / %s", fu, kp, e_id, mw);
    rule(b, 0, u_id, formula);
  }
}

static void build(builder *b, const ks_cascade_params *p, const ks_receptor_params *rp, const ks_pk_sim *sim) {
  Model_t *m = b->m;
  Model_setId(m, "ketasim_cascade");
  Model_setName(m, "ketasim: ketamine PK (fanta2015, S/R with norketamine) -> NMDA block -> plasticity cascade");
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
    UnitKind_t kli[1] = {UNIT_KIND_LITRE};
    unit_def(b, "per_L", kli, em1, s0, one, 1);
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
    UnitKind_t kls[2] = {UNIT_KIND_LITRE, UNIT_KIND_SECOND};
    int els[2] = {-1, -1}, sls[2] = {0, 0};
    double mls[2] = {1.0, 3600.0};
    unit_def(b, "per_hour_per_L", kls, els, sls, mls, 2);
    int elh[2] = {1, -1};
    unit_def(b, "L_per_hour", kls, elh, sls, mls, 2);
  }
  Model_setTimeUnits(m, "hour");

  build_pk(b, sim);
  if (b->failed) return;

  /* Receptor layer (docs/model/receptor.md R1-R3). */
  char x_formula[512] = "0";
  for (int sp = 0; sp < KS_SPECIES_N; sp++) {
    if (!(rp->nmda_ki_uM[sp] > 0.0)) continue;
    char id[64], ki[64];
    species_id(id, sizeof id, "Cu_", (ks_species)sp);
    species_id(ki, sizeof ki, "Ki_", (ks_species)sp);
    param(b, ki, rp->nmda_ki_uM[sp], "uM", 1);
    size_t l = strlen(x_formula);
    snprintf(x_formula + l, sizeof x_formula - l, " + %s / %s", id, ki);
  }
  param(b, "mg_int", rp->mg_shift_interneuron, "dimensionless", 1);
  param(b, "mg_pyr", rp->mg_shift_pyramidal, "dimensionless", 1);
  param(b, "acc_int", rp->access_interneuron, "dimensionless", 1);
  param(b, "acc_pyr", rp->access_pyramidal, "dimensionless", 1);
  param(b, "x_nmda", 0.0, "dimensionless", 0);
  param(b, "occupancy", 0.0, "dimensionless", 0);
  param(b, "bI", 0.0, "dimensionless", 0);
  param(b, "bP", 0.0, "dimensionless", 0);
  rule(b, 0, "x_nmda", x_formula);
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
  /* The PK the simulator runs for this dosing: default parameter set, typical patient. */
  ks_pk_patient pat = ks_pk_patient_typical(SBML_WEIGHT_KG, 40.0, 0);
  ks_pk_dose dose = {KS_DRUG_KETAMINE, KS_ROUTE_IV, SBML_DOSE_MG_PER_KG * SBML_WEIGHT_KG, 0.0, SBML_INFUSION_H};
  ks_pk_sim *sim = NULL;
  KS_TRY(ks_pk_sim_create(ctx, &pat, &dose, 1, NULL, &sim));
  SBMLDocument_t *doc = SBMLDocument_createWithLevelAndVersion(3, 2);
  if (!doc) {
    ks_pk_sim_destroy(&sim);
    return ks_ctx_fail(ctx, KS_ENOMEM, "ks_cascade_export_sbml: libSBML out of memory");
  }
  builder b = {.m = SBMLDocument_createModel(doc)};
  if (!b.m) fail_b(&b, "model");
  else build(&b, p, &rp, sim);
  ks_pk_sim_destroy(&sim);
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
