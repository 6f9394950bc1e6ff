/* SPDX-License-Identifier: MIT */
/* The SBML export is the model the simulator runs: the file is read back with libSBML, its rules
 * are compiled by a small interpreter of their MathML (numbers, names, time, + - * / ^, exp,
 * sqrt, piecewise, comparisons, and) and integrated with classical RK4, and the result is
 * compared with the PK layer (fanta2015, S/R ketamine with norketamine) and ks_cascade_solve for
 * the same dosing. No Debian package simulates SBML from C (libSBML only reads and checks it), so
 * the interpreter is here; it knows nothing of the model. */
#include "harness.h"
#include "plasticity/plasticity_internal.h"
#include <ketasim/plasticity.h>
#include <sbml/SBMLTypes.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- a compiled expression ---------------------------------------------------------------- */

enum { E_NUM, E_VAR, E_TIME, E_ADD, E_SUB, E_NEG, E_MUL, E_DIV, E_POW, E_EXP, E_SQRT, E_PIECE, E_GT, E_LT,
       E_GEQ, E_LEQ, E_AND };

typedef struct expr {
  int op;
  double num;
  size_t var;
  size_t n;
  struct expr **k;
} expr;

typedef struct sim {
  size_t n_par;
  char **id;
  double *v;
  int *is_assigned;
  size_t n_rate, n_assign;
  size_t *rate_var, *assign_var;
  expr **rate, **assign;
} sim;

static long find_par(const sim *s, const char *name) {
  for (size_t i = 0; i < s->n_par; i++)
    if (!strcmp(s->id[i], name)) return (long)i;
  return -1;
}

/* Compile an AST; NULL (with a message) for anything the interpreter does not know. */
static expr *compile(const sim *s, const ASTNode_t *a) {
  expr *e = calloc(1, sizeof *e);
  ASTNodeType_t t = ASTNode_getType(a);
  unsigned nc = ASTNode_getNumChildren(a);
  e->n = nc;
  e->k = nc ? calloc(nc, sizeof *e->k) : NULL;
  for (unsigned i = 0; i < nc; i++)
    if (!(e->k[i] = compile(s, ASTNode_getChild(a, i)))) return NULL;
  switch (t) {
  case AST_INTEGER: e->op = E_NUM; e->num = (double)ASTNode_getInteger(a); break;
  case AST_REAL: case AST_REAL_E: case AST_RATIONAL: e->op = E_NUM; e->num = ASTNode_getReal(a); break;
  case AST_NAME_TIME: e->op = E_TIME; break;
  case AST_NAME: {
    long i = find_par(s, ASTNode_getName(a));
    if (i < 0) {
      fprintf(stderr, "unknown name %s\n", ASTNode_getName(a));
      return NULL;
    }
    e->op = E_VAR;
    e->var = (size_t)i;
    break;
  }
  case AST_PLUS: e->op = E_ADD; break;
  case AST_MINUS: e->op = nc == 1 ? E_NEG : E_SUB; break;
  case AST_TIMES: e->op = E_MUL; break;
  case AST_DIVIDE: e->op = E_DIV; break;
  case AST_POWER: case AST_FUNCTION_POWER: e->op = E_POW; break;
  case AST_FUNCTION_EXP: e->op = E_EXP; break;
  case AST_FUNCTION_ROOT: e->op = E_SQRT; break;
  case AST_FUNCTION_PIECEWISE: e->op = E_PIECE; break;
  case AST_RELATIONAL_GT: e->op = E_GT; break;
  case AST_RELATIONAL_LT: e->op = E_LT; break;
  case AST_RELATIONAL_GEQ: e->op = E_GEQ; break;
  case AST_RELATIONAL_LEQ: e->op = E_LEQ; break;
  case AST_LOGICAL_AND: e->op = E_AND; break;
  default:
    fprintf(stderr, "unsupported MathML node type %d\n", (int)t);
    return NULL;
  }
  return e;
}

static double eval(const expr *e, const double *v, double t) {
  switch (e->op) {
  case E_NUM: return e->num;
  case E_VAR: return v[e->var];
  case E_TIME: return t;
  case E_ADD: { double r = 0; for (size_t i = 0; i < e->n; i++) r += eval(e->k[i], v, t); return r; }
  case E_MUL: { double r = 1; for (size_t i = 0; i < e->n; i++) r *= eval(e->k[i], v, t); return r; }
  case E_SUB: return eval(e->k[0], v, t) - eval(e->k[1], v, t);
  case E_NEG: return -eval(e->k[0], v, t);
  case E_DIV: return eval(e->k[0], v, t) / eval(e->k[1], v, t);
  case E_POW: return pow(eval(e->k[0], v, t), eval(e->k[1], v, t));
  case E_EXP: return exp(eval(e->k[0], v, t));
  case E_SQRT: /* root(x) or root(degree, x) */
    return e->n == 1 ? sqrt(eval(e->k[0], v, t)) : pow(eval(e->k[1], v, t), 1.0 / eval(e->k[0], v, t));
  case E_PIECE:
    for (size_t i = 0; i + 1 < e->n; i += 2)
      if (eval(e->k[i + 1], v, t) != 0.0) return eval(e->k[i], v, t);
    return e->n % 2 ? eval(e->k[e->n - 1], v, t) : 0.0;
  case E_GT: return eval(e->k[0], v, t) > eval(e->k[1], v, t);
  case E_LT: return eval(e->k[0], v, t) < eval(e->k[1], v, t);
  case E_GEQ: return eval(e->k[0], v, t) >= eval(e->k[1], v, t);
  case E_LEQ: return eval(e->k[0], v, t) <= eval(e->k[1], v, t);
  case E_AND: { for (size_t i = 0; i < e->n; i++) if (eval(e->k[i], v, t) == 0.0) return 0.0; return 1.0; }
  }
  return NAN;
}

static void expr_free(expr *e) {
  if (!e) return;
  for (size_t i = 0; i < e->n; i++) expr_free(e->k[i]);
  free(e->k);
  free(e);
}

/* Does e read a variable set by an assignment rule not yet placed (placed[var] == 0)? */
static int needs_unplaced(const sim *s, const expr *e, const int *placed) {
  if (e->op == E_VAR && s->is_assigned[e->var] && !placed[e->var]) return 1;
  for (size_t i = 0; i < e->n; i++)
    if (needs_unplaced(s, e->k[i], placed)) return 1;
  return 0;
}

/* Load the model: parameters with initial values, rate rules, assignment rules in dependency
 * order. Returns 0 on success. */
static int sim_load(sim *s, Model_t *m) {
  memset(s, 0, sizeof *s);
  s->n_par = Model_getNumParameters(m);
  s->id = calloc(s->n_par, sizeof *s->id);
  s->v = calloc(s->n_par, sizeof *s->v);
  s->is_assigned = calloc(s->n_par, sizeof *s->is_assigned);
  for (size_t i = 0; i < s->n_par; i++) {
    Parameter_t *p = Model_getParameter(m, (unsigned)i);
    s->id[i] = strdup(Parameter_getId(p));
    s->v[i] = Parameter_getValue(p);
  }
  unsigned nr = Model_getNumRules(m);
  s->rate = calloc(nr, sizeof *s->rate);
  s->assign = calloc(nr, sizeof *s->assign);
  s->rate_var = calloc(nr, sizeof *s->rate_var);
  s->assign_var = calloc(nr, sizeof *s->assign_var);
  expr **tmp = calloc(nr, sizeof *tmp);
  size_t *tmp_var = calloc(nr, sizeof *tmp_var);
  size_t n_tmp = 0;
  for (unsigned i = 0; i < nr; i++) {
    Rule_t *r = Model_getRule(m, i);
    long var = find_par(s, Rule_getVariable(r));
    if (var < 0) return 1;
    expr *e = compile(s, Rule_getMath(r));
    if (!e) return 1;
    if (Rule_isRate(r)) {
      s->rate[s->n_rate] = e;
      s->rate_var[s->n_rate++] = (size_t)var;
    } else {
      s->is_assigned[var] = 1;
      tmp[n_tmp] = e;
      tmp_var[n_tmp++] = (size_t)var;
    }
  }
  int *placed = calloc(s->n_par, sizeof *placed), *used = calloc(n_tmp ? n_tmp : 1, sizeof *used);
  for (size_t pass = 0; pass < n_tmp && s->n_assign < n_tmp; pass++)
    for (size_t i = 0; i < n_tmp; i++)
      if (!used[i] && !needs_unplaced(s, tmp[i], placed)) {
        used[i] = 1;
        placed[tmp_var[i]] = 1;
        s->assign[s->n_assign] = tmp[i];
        s->assign_var[s->n_assign++] = tmp_var[i];
      }
  free(placed);
  free(used);
  free(tmp);
  free(tmp_var);
  return s->n_assign == n_tmp ? 0 : 2;
}

static void sim_free(sim *s) {
  for (size_t i = 0; i < s->n_par; i++) free(s->id[i]);
  for (size_t i = 0; i < s->n_rate; i++) expr_free(s->rate[i]);
  for (size_t i = 0; i < s->n_assign; i++) expr_free(s->assign[i]);
  free(s->id);
  free(s->v);
  free(s->is_assigned);
  free(s->rate);
  free(s->assign);
  free(s->rate_var);
  free(s->assign_var);
}

static void assignments(sim *s, double *v, double t) {
  for (size_t i = 0; i < s->n_assign; i++) v[s->assign_var[i]] = eval(s->assign[i], v, t);
}

/* dy = the rate rules at (v, t), after the assignment rules. */
static void rates(sim *s, double *v, double t, double *dy) {
  assignments(s, v, t);
  for (size_t i = 0; i < s->n_rate; i++) dy[i] = eval(s->rate[i], v, t);
}

/* Classical RK4 from t0 to t1 in steps of dt (t1 - t0 a multiple of dt). The first and last
 * stages are evaluated just inside the step, so a switch of the dosing at a step boundary (the end
 * of the infusion) belongs to one step only and RK4 keeps its order. */
static void rk4(sim *s, double t0, double t1, double dt) {
  size_t n = s->n_rate;
  double *y0 = calloc(n, sizeof *y0), *k1 = calloc(n, sizeof *k1), *k2 = calloc(n, sizeof *k2),
         *k3 = calloc(n, sizeof *k3), *k4 = calloc(n, sizeof *k4);
  double *v = s->v;
  long steps = lround((t1 - t0) / dt);
  for (long st = 0; st < steps; st++) {
    double t = t0 + (double)st * dt;
    for (size_t i = 0; i < n; i++) y0[i] = v[s->rate_var[i]];
    const double in = 1e-9 * dt;
    rates(s, v, t + in, k1);
    for (size_t i = 0; i < n; i++) v[s->rate_var[i]] = y0[i] + 0.5 * dt * k1[i];
    rates(s, v, t + 0.5 * dt, k2);
    for (size_t i = 0; i < n; i++) v[s->rate_var[i]] = y0[i] + 0.5 * dt * k2[i];
    rates(s, v, t + 0.5 * dt, k3);
    for (size_t i = 0; i < n; i++) v[s->rate_var[i]] = y0[i] + dt * k3[i];
    rates(s, v, t + dt - in, k4);
    for (size_t i = 0; i < n; i++) v[s->rate_var[i]] = y0[i] + dt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }
  assignments(s, v, t1);
  free(y0);
  free(k1);
  free(k2);
  free(k3);
  free(k4);
}

static double get(const sim *s, const char *name) {
  long i = find_par(s, name);
  return i < 0 ? NAN : s->v[i];
}

/* ---- tests ---------------------------------------------------------------------------------- */

static SBMLDocument_t *export_and_read(ks_ctx *ctx, const ks_cascade_params *p, const char *name) {
  const char *dir = getenv("KS_BINARY_DIR");
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", name);
  if (ks_cascade_export_sbml(ctx, p, path) != KS_OK) return NULL;
  SBMLDocument_t *doc = readSBMLFromFile(path);
  remove(path);
  return doc;
}

/* The export holds one rate rule per state of the C model: every PK state of the default set's
 * sim for the export's dosing, and every cascade state. */
KS_TEST(sbml_states_match_the_c_model) {
  ks_ctx *ctx = ks_test_ctx();
  ks_cascade_params p = ks_cascade_params_default();
  SBMLDocument_t *doc = export_and_read(ctx, &p, "test_sbml_states.xml");
  KS_ASSERT_TRUE(doc != NULL);
  Model_t *m = SBMLDocument_getModel(doc);
  ks_pk_patient pat = ks_pk_patient_typical(70.0, 40.0, 0);
  ks_pk_dose d = {KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, 0.0, 40.0 / 60.0};
  ks_pk_sim *pk = NULL;
  KS_ASSERT_OK(ks_pk_sim_create(ctx, &pat, &d, 1, NULL, &pk));
  size_t n_rate = 0;
  for (unsigned i = 0; i < Model_getNumRules(m); i++) n_rate += Rule_isRate(Model_getRule(m, i)) != 0;
  fprintf(stderr, "SBML: %zu rate rules = %zu PK states + %d cascade states; %u parameters, %u rules\n", n_rate,
          ks_pk_sim_n_states(pk), KS__Y_N, Model_getNumParameters(m), Model_getNumRules(m));
  KS_ASSERT_EQ_INT(n_rate, ks_pk_sim_n_states(pk) + KS__Y_N);
  for (size_t i = 0; i < ks_pk_sim_n_states(pk); i++) {
    char id[128];
    snprintf(id, sizeof id, "%s", ks_pk_sim_state_name(pk, i));
    for (char *c = id; *c; c++)
      if (*c == '.' || *c == '-') *c = '_';
    KS_ASSERT_TRUE(Model_getRuleByVar(m, id) != NULL && Rule_isRate(Model_getRuleByVar(m, id)));
  }
  /* Norketamine is in the model, with its own NMDA Ki. */
  static const char *const need[] = {"Cp_s_ketamine", "Cp_r_ketamine", "Cp_s_norketamine", "Cp_r_norketamine",
                                     "Cu_s_norketamine", "Ki_s_norketamine", "Ki_r_norketamine", "W"};
  for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) KS_ASSERT_TRUE(Model_getParameterById(m, need[i]) != NULL);
  ks_pk_sim_destroy(&pk);
  SBMLDocument_free(doc);
  ks_ctx_destroy(&ctx);
}

/* Simulating the file gives the simulator's answer: PK of each species against ks_pk_sim_eval,
 * receptor block and cascade observables against ks_cascade_solve, over 3 days. */
KS_TEST(sbml_simulated_matches_the_simulator) {
  ks_ctx *ctx = ks_test_ctx();
  ks_cascade_params p = ks_cascade_params_default();
  SBMLDocument_t *doc = export_and_read(ctx, &p, "test_sbml_sim.xml");
  KS_ASSERT_TRUE(doc != NULL);
  sim s;
  KS_ASSERT_EQ_INT(sim_load(&s, SBMLDocument_getModel(doc)), 0);
  ks_pk_patient pat = ks_pk_patient_typical(70.0, 40.0, 0);
  ks_pk_dose d = {KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, 0.0, 40.0 / 60.0};
  ks_pk_sim *pk = NULL;
  KS_ASSERT_OK(ks_pk_sim_create(ctx, &pat, &d, 1, NULL, &pk));
  ks_exposure ex;
  ks_pk_sim_exposure(pk, &ex);
  static const double t_out[] = {0.25, 40.0 / 60.0, 1.0, 2.0, 4.0, 8.0, 24.0, 72.0};
  enum { N = sizeof t_out / sizeof t_out[0] };
  ks_cascade_point cp[N];
  ks_receptor_params rp = ks_receptor_params_default();
  KS_ASSERT_OK(ks_cascade_solve(ctx, &p, &rp, &ex, t_out, N, cp));
  const double dt = 1.0 / 600.0; /* 6 s; the infusion ends on a step */
  double t = 0.0, worst = 0.0;
  for (size_t i = 0; i < N; i++) {
    rk4(&s, t, t_out[i], dt);
    t = t_out[i];
    ks_pk_conc c;
    KS_ASSERT_OK(ks_pk_sim_eval(pk, t, &c));
    static const char *const cps[] = {"Cp_s_ketamine", "Cp_r_ketamine", "Cp_s_norketamine", "Cp_r_norketamine"};
    static const char *const ces[] = {"Ce_s_ketamine", "Ce_r_ketamine", "Ce_s_norketamine", "Ce_r_norketamine"};
    for (int sp = 0; sp < 4; sp++) {
      /* mg/L in the file, ng/mL in the PK layer. */
      KS_ASSERT_REL(1000.0 * get(&s, cps[sp]), c.plasma_ng_per_mL[sp], 1e-5);
      KS_ASSERT_REL(1000.0 * get(&s, ces[sp]), c.effect_ng_per_mL[sp], 1e-5);
    }
    struct { const char *id; double c; double scale; } cmp[] = {
        {"occupancy", cp[i].nmda_occupancy, 1}, {"bI", cp[i].block_interneuron, 1},
        {"bP", cp[i].block_pyramidal, 1},     {"G", cp[i].glutamate, 1},
        {"glx_pct", cp[i].glx_pct, 100},      {"B", cp[i].bdnf, 1},
        {"M", cp[i].mtorc1, 1},               {"P", cp[i].proteins, 1},
        {"S_pfc", cp[i].spine_pfc, 1},        {"S_hpc", cp[i].spine_hpc, 1},
        {"g_vmpfc_amygdala", cp[i].gain[KS_PATH_VMPFC_AMYGDALA], 1},
        {"g_salience", cp[i].gain[KS_PATH_SALIENCE], 1},
        {"W", cp[i].window, 1}};
    for (size_t k = 0; k < sizeof cmp / sizeof cmp[0]; k++) {
      double a = get(&s, cmp[k].id), b = cmp[k].c;
      double err = fabs(a - b) / cmp[k].scale;
      if (err > worst) worst = err;
      if (!(err <= 2e-5)) fprintf(stderr, "t = %g h: %s SBML %.8g, simulator %.8g\n", t, cmp[k].id, a, b);
      KS_ASSERT_NEAR(a, b, 2e-5 * cmp[k].scale);
    }
  }
  fprintf(stderr, "SBML vs simulator, 0-72 h: largest difference %.2g\n", worst);
  /* And the drug did something over those 3 days (the comparison is not of two flat lines). */
  KS_ASSERT_TRUE(cp[2].block_interneuron > 0.05 && cp[6].spine_pfc > 1.0 - p.spine_deficit_pfc + 0.02);
  ks_pk_sim_destroy(&pk);
  sim_free(&s);
  SBMLDocument_free(doc);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
