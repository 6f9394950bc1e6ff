/* SPDX-License-Identifier: MIT */
/* Tests of the PK layer: closed forms, CVODE cross-check, mass balance, checks, variability. */
#include "harness.h"

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include <ketasim/pk.h>
#include "pk/pk_internal.h"


/* A hand-built one-compartment unit: central (V, k), effect (ke0), elimination, loss, and an
 * oral depot with first-order absorption ka and bioavailability F. */
static pk_unit one_cmt(double v_L, double k_per_h, double ke0_per_h, double ka_per_h, double f) {
  pk_unit u;
  memset(&u, 0, sizeof u);
  u.drug = KS_DRUG_MIDAZOLAM;
  u.share = 1.0;
  u.sp_parent = KS_SP_MIDAZOLAM;
  u.sp_met = -1;
  u.n = 5;
  enum { C = 0, E = 1, EL = 2, L = 3, D = 4 };
  u.i_central = C; u.i_eff = E; u.i_lost = L; u.i_met_central = u.i_met_eff = -1;
  u.kind[C] = PK_ST_MASS; u.kind[E] = PK_ST_EFFECT; u.kind[EL] = PK_ST_ELIM;
  u.kind[L] = PK_ST_LOST; u.kind[D] = PK_ST_MASS;
  u.v_central_L = v_L;
  int n = u.n;
  u.A[C * n + C] = -k_per_h;  u.A[EL * n + C] = k_per_h;
  u.A[E * n + C] = ke0_per_h / v_L;  u.A[E * n + E] = -ke0_per_h;
  u.A[D * n + D] = -ka_per_h;  u.A[C * n + D] = ka_per_h * f;  u.A[L * n + D] = ka_per_h * (1 - f);
  u.route[KS_ROUTE_IV] = (pk_route_map){1, 1, {{C, 1.0, 0.0}}};
  u.route[KS_ROUTE_ORAL] = (pk_route_map){1, 1, {{D, 1.0, 0.0}}};
  return u;
}

KS_TEST(one_cmt_iv_bolus_closed_form) {
  ks_ctx *ctx = ks_test_ctx();
  pk_unit u = one_cmt(20.0, 0.25, 6.0, 1.0, 1.0);
  ks_pk_dose d = {KS_DRUG_MIDAZOLAM, KS_ROUTE_IV, 100.0, 1.0, 0.0};
  ks_pk_sim *sim = NULL;
  KS_ASSERT_OK(ks__pk_sim_from_units(ctx, &u, 1, &d, 1, &sim));
  for (double t = 0.0; t <= 30.0; t += 0.37) {
    ks_pk_conc c;
    KS_ASSERT_OK(ks_pk_sim_eval(sim, t, &c));
    double tau = t - 1.0;
    double cp = tau < 0 ? 0.0 : 100.0 / 20.0 * exp(-0.25 * tau) * 1000.0;
    double ce = tau < 0 ? 0.0 : 100.0 / 20.0 * 6.0 / (6.0 - 0.25) *
                                    (exp(-0.25 * tau) - exp(-6.0 * tau)) * 1000.0;
    KS_ASSERT_REL(c.plasma_ng_per_mL[KS_SP_MIDAZOLAM], cp, 1e-10);
    KS_ASSERT_REL(c.effect_ng_per_mL[KS_SP_MIDAZOLAM], ce, 1e-9);
  }
  ks_pk_sim_destroy(&sim);
  KS_ASSERT_TRUE(sim == NULL);
  ks_ctx_destroy(&ctx);
}

KS_TEST(one_cmt_infusion_closed_form) {
  ks_ctx *ctx = ks_test_ctx();
  pk_unit u = one_cmt(30.0, 0.4, 6.0, 1.0, 1.0);
  ks_pk_dose d = {KS_DRUG_MIDAZOLAM, KS_ROUTE_IV, 60.0, 0.5, 2.0};  /* 30 mg/h for 2 h */
  ks_pk_sim *sim = NULL;
  KS_ASSERT_OK(ks__pk_sim_from_units(ctx, &u, 1, &d, 1, &sim));
  double r = 30.0, k = 0.4, v = 30.0;
  for (double t = 0.0; t <= 12.0; t += 0.13) {
    ks_pk_conc c;
    KS_ASSERT_OK(ks_pk_sim_eval(sim, t, &c));
    double cp;
    if (t < 0.5) cp = 0.0;
    else if (t < 2.5) cp = r / (k * v) * (1.0 - exp(-k * (t - 0.5)));
    else cp = r / (k * v) * (1.0 - exp(-k * 2.0)) * exp(-k * (t - 2.5));
    KS_ASSERT_REL(c.plasma_ng_per_mL[KS_SP_MIDAZOLAM], cp * 1000.0, 1e-10);
  }
  ks_pk_sim_destroy(&sim);
  ks_ctx_destroy(&ctx);
}

KS_TEST(one_cmt_first_order_absorption_closed_form) {
  ks_ctx *ctx = ks_test_ctx();
  double v = 50.0, k = 0.3, ka = 1.7, f = 0.6, dose = 80.0;
  pk_unit u = one_cmt(v, k, 6.0, ka, f);
  ks_pk_dose d[2] = {{KS_DRUG_MIDAZOLAM, KS_ROUTE_ORAL, dose, 0.0, 0.0},
                     {KS_DRUG_MIDAZOLAM, KS_ROUTE_ORAL, dose, 12.0, 0.0}};
  ks_pk_sim *sim = NULL;
  KS_ASSERT_OK(ks__pk_sim_from_units(ctx, &u, 1, d, 2, &sim));
  for (double t = 0.0; t <= 30.0; t += 0.29) {
    ks_pk_conc c;
    KS_ASSERT_OK(ks_pk_sim_eval(sim, t, &c));
    double cp = 0.0;
    for (int j = 0; j < 2; j++) {
      double tau = t - d[j].t_start_h;
      if (tau >= 0)
        cp += f * dose * ka / (v * (ka - k)) * (exp(-k * tau) - exp(-ka * tau)) * 1000.0;
    }
    KS_ASSERT_REL(c.plasma_ng_per_mL[KS_SP_MIDAZOLAM], cp, 1e-9);
  }
  ks_pk_sim_destroy(&sim);
  ks_ctx_destroy(&ctx);
}

KS_TEST(coincident_rates_are_separated) {
  /* ka == k makes the system defective; the solver must still give t e^{-kt}. */
  ks_ctx *ctx = ks_test_ctx();
  double v = 10.0, k = 0.5, dose = 10.0;
  pk_unit u = one_cmt(v, k, 6.0, k, 1.0);
  ks_pk_dose d = {KS_DRUG_MIDAZOLAM, KS_ROUTE_ORAL, dose, 0.0, 0.0};
  ks_pk_sim *sim = NULL;
  KS_ASSERT_OK(ks__pk_sim_from_units(ctx, &u, 1, &d, 1, &sim));
  for (double t = 0.5; t <= 10.0; t += 0.5) {
    ks_pk_conc c;
    KS_ASSERT_OK(ks_pk_sim_eval(sim, t, &c));
    KS_ASSERT_REL(c.plasma_ng_per_mL[KS_SP_MIDAZOLAM], dose * k * t * exp(-k * t) / v * 1000.0,
                  2e-5);
  }
  ks_pk_sim_destroy(&sim);
  ks_ctx_destroy(&ctx);
}

/* --------------------------------------------------------------------------------------------
 * CVODE cross-check: integrate dx/dt = A x + b(t) of every unit with BDF at tight tolerances,
 * stopping at every event, and compare every state. */

typedef struct { const pk_unit *u; } cv_data;

static int cv_rhs(sunrealtype t, N_Vector y, N_Vector ydot, void *ud) {
  const pk_unit *u = ((cv_data *)ud)->u;
  double b[PK_MAXS];
  ks__pk_unit_input_rate(u, t, b);
  const double *x = N_VGetArrayPointer(y);
  double *dx = N_VGetArrayPointer(ydot);
  for (int i = 0; i < u->n; i++) {
    double s = b[i];
    for (int j = 0; j < u->n; j++) s += u->A[i * u->n + j] * x[j];
    dx[i] = s;
  }
  return 0;
}

/* Max relative deviation (relative to each state's peak) between CVODE and the exact solution
 * over sample times; returns a negative number on CVODE failure. */
static double cvode_compare(const ks_pk_sim *sim, int k, double t_end) {
  const pk_unit *u = ks__pk_sim_unit(sim, k);
  SUNContext sctx;
  if (SUNContext_Create(NULL, &sctx) != 0) return -1.0;
  N_Vector y = N_VNew_Serial(u->n, sctx);
  N_VConst(0.0, y);
  void *mem = CVodeCreate(CV_BDF, sctx);
  cv_data data = {u};
  CVodeInit(mem, cv_rhs, 0.0, y);
  CVodeSStolerances(mem, 1e-12, 1e-14);
  SUNMatrix J = SUNDenseMatrix(u->n, u->n, sctx);
  SUNLinearSolver LS = SUNLinSol_Dense(y, J, sctx);
  CVodeSetLinearSolver(mem, LS, J);
  CVodeSetUserData(mem, &data);
  CVodeSetMaxNumSteps(mem, 200000);
  double peak[PK_MAXS] = {0}, worst = 0.0;
  double exact[PK_MAXS * 2 * KS_DRUG_N];
  /* Offset of unit k in the sim's state vector. */
  size_t off = 0;
  for (int j = 0; j < k; j++) off += (size_t)ks__pk_sim_unit(sim, j)->n;
  size_t i_ev = 0, n_samples = 0;
  double t = 0.0;
  double samples_t[400], samples_cv[400][PK_MAXS];
  /* Apply boluses at t = 0. */
  double *x = N_VGetArrayPointer(y);
  ks__pk_unit_add_bolus(u, 0.0, x);
  CVodeReInit(mem, 0.0, y);
  while (i_ev < u->n_seg && u->seg_t[i_ev] <= 0.0) i_ev++;
  for (double ts = 0.05; ts <= t_end + 1e-12; ts += t_end / 300.0) {
    while (i_ev < u->n_seg && u->seg_t[i_ev] <= ts) {
      double te = u->seg_t[i_ev];
      if (te > t) {
        CVodeSetStopTime(mem, te);
        if (CVode(mem, te, y, &t, CV_NORMAL) < 0) return -1.0;
      }
      x = N_VGetArrayPointer(y);
      ks__pk_unit_add_bolus(u, te, x);
      CVodeReInit(mem, te, y);
      t = te;
      i_ev++;
    }
    if (ts > t) {
      CVodeSetStopTime(mem, ts);
      if (CVode(mem, ts, y, &t, CV_NORMAL) < 0) return -1.0;
    }
    x = N_VGetArrayPointer(y);
    samples_t[n_samples] = ts;
    for (int i = 0; i < u->n; i++) {
      samples_cv[n_samples][i] = x[i];
      peak[i] = fmax(peak[i], fabs(x[i]));
    }
    n_samples++;
  }
  for (size_t s = 0; s < n_samples; s++) {
    size_t n_all = 0;
    ks_pk_sim_amounts(sim, samples_t[s], exact, KS_ARRAY_LEN(exact), &n_all);
    for (int i = 0; i < u->n; i++) {
      if (peak[i] <= 0.0) continue;
      double a = exact[off + (size_t)i], c = samples_cv[s][i];
      /* Relative to the value, with a floor at 1e-6 of the state's peak. */
      double den = fmax(fabs(c), 1e-6 * peak[i]);
      worst = fmax(worst, fabs(a - c) / den);
    }
  }
  SUNLinSolFree(LS);
  SUNMatDestroy(J);
  N_VDestroy(y);
  CVodeFree(&mem);
  SUNContext_Free(&sctx);
  return worst;
}

KS_TEST(exact_solution_matches_cvode_every_set_and_route) {
  ks_ctx *ctx = ks_test_ctx();
  ks_pk_patient p = ks_pk_patient_typical(82.0, 67.0, 1);
  /* Ketamine by every route, esketamine by every route of its set, midazolam infusion. */
  ks_pk_dose doses[] = {
    {KS_DRUG_KETAMINE, KS_ROUTE_IV, 41.0, 0.0, 40.0 / 60.0},
    {KS_DRUG_KETAMINE, KS_ROUTE_IM, 30.0, 3.0, 0.0},
    {KS_DRUG_KETAMINE, KS_ROUTE_INTRANASAL, 50.0, 6.0, 0.0},
    {KS_DRUG_KETAMINE, KS_ROUTE_ORAL, 100.0, 9.0, 0.0},
    {KS_DRUG_KETAMINE, KS_ROUTE_SUBLINGUAL, 50.0, 12.5, 0.0},
    {KS_DRUG_KETAMINE, KS_ROUTE_RECTAL, 50.0, 15.0, 0.0},
    {KS_DRUG_ESKETAMINE, KS_ROUTE_INTRANASAL, 84.0, 1.0, 0.0},
    {KS_DRUG_ESKETAMINE, KS_ROUTE_IV, 20.0, 7.0, 0.25},
    {KS_DRUG_ESKETAMINE, KS_ROUTE_ORAL, 84.0, 11.0, 0.0},
    {KS_DRUG_MIDAZOLAM, KS_ROUTE_IV, 3.7, 2.0, 40.0 / 60.0},
  };
  const char *ket_models[2] = {"fanta2015", "domino1982"};
  for (int m = 0; m < 2; m++) {
    ks_pk_options o = ks_pk_options_default();
    o.model[KS_DRUG_KETAMINE] = ket_models[m];
    o.allow_unstudied_doses = 1;  /* rectal ketamine, oral esketamine: structure, not range */
    ks_pk_sim *sim = NULL;
    KS_ASSERT_OK(ks_pk_sim_create(ctx, &p, doses, KS_ARRAY_LEN(doses), &o, &sim));
    KS_ASSERT_EQ_INT(ks__pk_sim_n_units(sim), 4);
    for (int k = 0; k < ks__pk_sim_n_units(sim); k++) {
      double dev = cvode_compare(sim, k, 30.0);
      KS_ASSERT_RANGE(dev, 0.0, 1e-6);
    }
    ks_pk_sim_destroy(&sim);
  }
  ks_ctx_destroy(&ctx);
}

KS_TEST(mass_balance_to_1e9) {
  ks_ctx *ctx = ks_test_ctx();
  ks_pk_patient p = ks_pk_patient_typical(64.0, 35.0, 0);
  ks_rng r;
  ks_rng_init(&r, 7, KS_STREAM_PK_IIV, 3, 0);
  ks_pk_patient_sample_iiv(&p, &r);
  ks_pk_dose doses[] = {
    {KS_DRUG_KETAMINE, KS_ROUTE_IV, 32.0, 0.0, 40.0 / 60.0},
    {KS_DRUG_KETAMINE, KS_ROUTE_ORAL, 60.0, 2.0, 0.0},
    {KS_DRUG_KETAMINE, KS_ROUTE_RECTAL, 40.0, 4.0, 0.0},
    {KS_DRUG_ESKETAMINE, KS_ROUTE_INTRANASAL, 56.0, 0.1, 0.0},
    {KS_DRUG_MIDAZOLAM, KS_ROUTE_IV, 2.9, 0.0, 40.0 / 60.0},
  };
  ks_pk_options o = ks_pk_options_default();
  o.allow_unstudied_doses = 1;  /* rectal ketamine has no studied psychiatric use */
  ks_pk_sim *sim = NULL;
  KS_ASSERT_OK(ks_pk_sim_create(ctx, &p, doses, KS_ARRAY_LEN(doses), &o, &sim));
  double ts[] = {0.0, 0.1, 0.3, 0.5, 1.0, 2.0, 3.3, 6.0, 24.0, 100.0, 1000.0};
  for (size_t i = 0; i < KS_ARRAY_LEN(ts); i++) {
    ks_pk_mass_balance mb;
    KS_ASSERT_OK(ks_pk_sim_mass_balance(sim, ts[i], &mb));
    double rhs = mb.in_body_mg + mb.eliminated_mg + mb.not_absorbed_mg;
    KS_ASSERT_REL(rhs, mb.administered_mg, 1e-9);
    KS_ASSERT_TRUE(mb.in_body_mg >= -1e-9 && mb.eliminated_mg >= -1e-9);
  }
  ks_pk_mass_balance mb;
  KS_ASSERT_OK(ks_pk_sim_mass_balance(sim, 1000.0, &mb));
  KS_ASSERT_REL(mb.administered_mg, 32.0 + 60.0 + 40.0 + 56.0 + 2.9, 1e-12);
  KS_ASSERT_TRUE(mb.in_body_mg < 1e-6 * mb.administered_mg);  /* all gone after 1000 h */
  ks_pk_sim_destroy(&sim);
  ks_ctx_destroy(&ctx);
}

KS_TEST(racemate_is_half_s_half_r_and_superposes) {
  ks_ctx *ctx = ks_test_ctx();
  ks_pk_patient p = ks_pk_patient_typical(70.0, 40.0, 0);
  ks_pk_options o = ks_pk_options_default();
  o.model[KS_DRUG_ESKETAMINE] = "fanta2015";
  ks_pk_dose rac = {KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, 0.0, 40.0 / 60.0};
  ks_pk_dose esk = {KS_DRUG_ESKETAMINE, KS_ROUTE_IV, 17.5, 0.0, 40.0 / 60.0};
  ks_pk_sim *a = NULL, *b = NULL;
  KS_ASSERT_OK(ks_pk_sim_create(ctx, &p, &rac, 1, &o, &a));
  KS_ASSERT_OK(ks_pk_sim_create(ctx, &p, &esk, 1, &o, &b));
  ks_pk_conc ca, cb;
  for (double t = 0.2; t < 24.0; t += 1.7) {
    KS_ASSERT_OK(ks_pk_sim_eval(a, t, &ca));
    KS_ASSERT_OK(ks_pk_sim_eval(b, t, &cb));
    KS_ASSERT_REL(ca.plasma_ng_per_mL[KS_SP_S_KETAMINE], cb.plasma_ng_per_mL[KS_SP_S_KETAMINE],
                  1e-10);
    KS_ASSERT_REL(ca.plasma_ng_per_mL[KS_SP_S_NORKETAMINE],
                  cb.plasma_ng_per_mL[KS_SP_S_NORKETAMINE], 1e-10);
    /* R has the lower clearance: higher after the infusion. */
    if (t > 1.0)
      KS_ASSERT_TRUE(ca.plasma_ng_per_mL[KS_SP_R_KETAMINE] >
                     ca.plasma_ng_per_mL[KS_SP_S_KETAMINE]);
    KS_ASSERT_EQ_INT(cb.plasma_ng_per_mL[KS_SP_R_KETAMINE] == 0.0, 1);
  }
  ks_pk_sim_destroy(&a);
  ks_pk_sim_destroy(&b);
  ks_ctx_destroy(&ctx);
}

KS_TEST(oral_gives_more_norketamine_than_iv) {
  ks_ctx *ctx = ks_test_ctx();
  ks_pk_patient p = ks_pk_patient_typical(70.0, 40.0, 0);
  ks_pk_dose iv = {KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, 0.0, 40.0 / 60.0};
  ks_pk_dose po = {KS_DRUG_KETAMINE, KS_ROUTE_ORAL, 140.0, 0.0, 0.0};
  double ratio[2];
  const ks_pk_dose *ds[2] = {&iv, &po};
  for (int k = 0; k < 2; k++) {
    ks_pk_sim *sim = NULL;
    KS_ASSERT_OK(ks_pk_sim_create(ctx, &p, ds[k], 1, NULL, &sim));
    double ck[600], cn[600], mk = 0.0, mn = 0.0;
    KS_ASSERT_OK(ks_pk_sim_eval_grid_plasma(sim, 0.0, 1.0 / 60.0, 600, ck, cn));
    for (int i = 0; i < 600; i++) { mk = fmax(mk, ck[i]); mn = fmax(mn, cn[i]); }
    ratio[k] = mn / mk;
    ks_pk_sim_destroy(&sim);
  }
  KS_ASSERT_TRUE(ratio[1] > 3.0 * ratio[0]);
  KS_ASSERT_TRUE(ratio[1] > 1.0);
  ks_ctx_destroy(&ctx);
}

KS_TEST(grid_matches_pointwise_and_effect_brain_units) {
  ks_ctx *ctx = ks_test_ctx();
  ks_pk_patient p = ks_pk_patient_typical(70.0, 40.0, 0);
  ks_pk_dose d[2] = {{KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, 0.25, 40.0 / 60.0},
                     {KS_DRUG_KETAMINE, KS_ROUTE_IM, 20.0, 3.0, 0.0}};
  ks_pk_sim *sim = NULL;
  KS_ASSERT_OK(ks_pk_sim_create(ctx, &p, d, 2, NULL, &sim));
  enum { N = 24 * 60 + 1 };
  static double g[N], gm[N];
  KS_ASSERT_OK(ks_pk_sim_eval_grid_plasma(sim, 0.0, 1.0 / 60.0, N, g, gm));
  for (int i = 0; i < N; i += 7) {
    ks_pk_conc c;
    KS_ASSERT_OK(ks_pk_sim_eval(sim, i / 60.0, &c));
    double tot = c.plasma_ng_per_mL[KS_SP_S_KETAMINE] + c.plasma_ng_per_mL[KS_SP_R_KETAMINE];
    double totm = c.plasma_ng_per_mL[KS_SP_S_NORKETAMINE] + c.plasma_ng_per_mL[KS_SP_R_NORKETAMINE];
    KS_ASSERT_NEAR(g[i], tot, 1e-9 * fmax(1.0, tot));
    KS_ASSERT_NEAR(gm[i], totm, 1e-9 * fmax(1.0, totm));
    for (int s = 0; s < KS_SPECIES_N; s++) {
      KS_ASSERT_TRUE(isfinite(c.brain_unbound_uM[s]) && c.brain_unbound_uM[s] >= 0.0);
      double want = c.effect_ng_per_mL[s] * ks_species_fraction_unbound((ks_species)s) /
                    ks_species_molar_mass_g_per_mol((ks_species)s);
      KS_ASSERT_NEAR(c.brain_unbound_uM[s], want, 1e-12);
    }
  }
  /* The effect site lags the plasma: at the end of the infusion Ce < Cp, later Ce > Cp. */
  ks_pk_conc c1, c2;
  KS_ASSERT_OK(ks_pk_sim_eval(sim, 0.25 + 40.0 / 60.0, &c1));
  KS_ASSERT_OK(ks_pk_sim_eval(sim, 2.0, &c2));
  KS_ASSERT_TRUE(c1.effect_ng_per_mL[KS_SP_S_KETAMINE] < c1.plasma_ng_per_mL[KS_SP_S_KETAMINE]);
  KS_ASSERT_TRUE(c2.effect_ng_per_mL[KS_SP_S_KETAMINE] > c2.plasma_ng_per_mL[KS_SP_S_KETAMINE]);
  /* Exposure view. */
  ks_exposure ex;
  ks_pk_sim_exposure(sim, &ex);
  KS_ASSERT_EQ_INT(ex.n_events, 3);
  KS_ASSERT_NEAR(ex.event_t_h[0], 0.25, 1e-15);
  KS_ASSERT_NEAR(ex.event_t_h[1], 0.25 + 40.0 / 60.0, 1e-15);
  KS_ASSERT_NEAR(ex.event_t_h[2], 3.0, 1e-15);
  ks_pk_conc c3;
  KS_ASSERT_OK(ex.eval(ex.ud, 2.0, &c3));
  KS_ASSERT_NEAR(c3.plasma_ng_per_mL[0], c2.plasma_ng_per_mL[0], 0.0);
  ks_pk_sim_destroy(&sim);
  ks_ctx_destroy(&ctx);
}

/* The closed-form (structured) eigen-decomposition: A V = V diag(lambda) and V^-1 V = I for every
 * set, drug and route it handles, and it does handle every unit of the fanta2015, domino1982
 * and albrecht1999 sets (so population runs never fall back to LAPACK there). */
KS_TEST(structured_eigen_decomposition_is_exact_and_used) {
  int n_ok = 0;
  for (size_t mi = 0; mi < ks_pk_model_count(); mi++) {
    const char *model = ks_pk_model_name(mi);
    const pk_set *set = ks__pk_set_find(model);
    for (int d = 0; d < KS_DRUG_N; d++) {
      if (!(set->drugs & (1u << d))) continue;
      ks_pk_patient p = ks_pk_patient_typical(82.0, 50.0, 0);
      ks_rng r;
      ks_rng_init(&r, 7, KS_STREAM_PK_IIV, (uint64_t)(mi * 8 + (size_t)d), 0);
      ks_pk_patient_sample_iiv(&p, &r);
      double mult[KS_PKP_N];
      ks__pk_multipliers(set, &p, (ks_drug)d, mult);
      pk_unit u[2];
      int nu = 0;
      KS_ASSERT_OK(set->build(NULL, set, (ks_drug)d, &p, mult, 0x3Fu, u, &nu));
      for (int k = 0; k < nu; k++) {
        int st = ks__pk_eig_structured(&u[k]);
        int must = strcmp(model, "perezruixo2021") != 0;
        if (must) KS_ASSERT_EQ_INT(st, 0);
        if (st != 0) continue;
        n_ok++;
        int n = u[k].n;
        double na = 0.0;
        for (int i = 0; i < n * n; i++) na = fmax(na, fabs(u[k].A[i]));
        for (int i = 0; i < n; i++)
          for (int c = 0; c < n; c++) {
            double av = 0.0, vi = 0.0;
            for (int j = 0; j < n; j++) {
              av += u[k].A[i * n + j] * u[k].V[j * n + c];
              vi += u[k].Vinv[i * n + j] * u[k].V[j * n + c];
            }
            KS_ASSERT_NEAR(av, u[k].V[i * n + c] * u[k].lambda[c], 1e-12 * na);
            KS_ASSERT_NEAR(vi, i == c ? 1.0 : 0.0, 1e-12);
          }
      }
    }
  }
  KS_ASSERT_TRUE(n_ok >= 6);
}

/* The grid paths (one sim, and a batch of sims in lockstep or one by one) agree with
 * ks_pk_sim_eval at t0 + j dt to 1e-9 of each profile's peak, for parent and metabolite, for
 * every drug. (Until the first-pass delays, 1e-9 of each value: in the first minutes after an
 * oral dose the metabolite passes gut, portal, liver and a two-compartment formation chain with
 * rates near 3-7 /h, its concentration is the small difference of large modal terms, and the two
 * paths then differ by up to 5e-8 of that small value, 1e-10 of the peak.) */
static void expect_grid_matches_eval(const ks_pk_sim *sim, const double *gp, const double *gm,
                                     size_t ld, double t0, double dt, size_t n_t,
                                     int *ks_failed_) {
  double peak_p = 0.0, peak_m = 0.0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t j = 0; j < n_t; j++) {
      ks_pk_conc c;
      KS_ASSERT_OK(ks_pk_sim_eval(sim, t0 + (double)j * dt, &c));
      double p = c.plasma_ng_per_mL[KS_SP_S_KETAMINE] + c.plasma_ng_per_mL[KS_SP_R_KETAMINE] +
                 c.plasma_ng_per_mL[KS_SP_MIDAZOLAM];
      double m = c.plasma_ng_per_mL[KS_SP_S_NORKETAMINE] + c.plasma_ng_per_mL[KS_SP_R_NORKETAMINE];
      if (pass == 0) {
        peak_p = p > peak_p ? p : peak_p;
        peak_m = m > peak_m ? m : peak_m;
        continue;
      }
      KS_ASSERT_NEAR(gp[j * ld], p, 1e-9 * peak_p + 1e-12);
      if (gm) KS_ASSERT_NEAR(gm[j * ld], m, 1e-9 * peak_m + 1e-12);
    }
}

KS_TEST(grid_paths_agree_with_pointwise_eval_to_1e9_relative) {
  ks_ctx *ctx = ks_test_ctx();
  enum { NP = 40, NT = 24 * 60 / 5 + 1 };
  const double t0 = 0.1, dt = 5.0 / 60.0;
  static double bp[NT * NP], bm[NT * NP], gp[NT], gm[NT];
  struct { ks_drug d; ks_route r; double mg, t_h, inf_h; } cases[] = {
    {KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, 0.25, 40.0 / 60.0},   /* infusion ends off-grid */
    {KS_DRUG_KETAMINE, KS_ROUTE_ORAL, 50.0, 0.6, 0.0},
    {KS_DRUG_ESKETAMINE, KS_ROUTE_INTRANASAL, 56.0, 0.5, 0.0},  /* LAPACK path */
    {KS_DRUG_MIDAZOLAM, KS_ROUTE_IV, 3.0, 1.0, 0.5},
  };
  for (size_t c = 0; c < KS_ARRAY_LEN(cases); c++) {
    ks_pk_sim *sims[NP] = {0};
    for (int k = 0; k < NP; k++) {
      ks_pk_patient p = ks_pk_patient_typical(60.0 + k, 40.0, 0);
      ks_rng r;
      ks_rng_init(&r, 11, KS_STREAM_PK_IIV, (uint64_t)k, 0);
      ks_pk_patient_sample_iiv(&p, &r);
      /* Patients 30-39 get a second dose at their own time: no lockstep for their batch. */
      ks_pk_dose d[2] = {{cases[c].d, cases[c].r, cases[c].mg, cases[c].t_h, cases[c].inf_h},
                         {cases[c].d, cases[c].r, cases[c].mg, 6.0 + 0.01 * k, cases[c].inf_h}};
      KS_ASSERT_OK(ks_pk_sim_create(ctx, &p, d, k >= 30 ? 2 : 1, NULL, &sims[k]));
    }
    KS_ASSERT_OK(ks_pk_sims_eval_grid_plasma((const ks_pk_sim *const *)sims, NP, t0, dt, NT, bp,
                                             bm, NP));
    for (int k = 0; k < NP; k++) {
      expect_grid_matches_eval(sims[k], bp + k, bm + k, NP, t0, dt, NT, ks_failed_);
      if (*ks_failed_) return;
      KS_ASSERT_OK(ks_pk_sim_eval_grid_plasma(sims[k], t0, dt, NT, gp, gm));
      expect_grid_matches_eval(sims[k], gp, gm, 1, t0, dt, NT, ks_failed_);
      if (*ks_failed_) return;
    }
    /* Parent only, and bad arguments. */
    KS_ASSERT_OK(ks_pk_sims_eval_grid_plasma((const ks_pk_sim *const *)sims, NP, t0, dt, NT, bp,
                                             NULL, NP));
    expect_grid_matches_eval(sims[3], bp + 3, NULL, NP, t0, dt, NT, ks_failed_);
    if (*ks_failed_) return;
    KS_ASSERT_EQ_INT(ks_pk_sims_eval_grid_plasma((const ks_pk_sim *const *)sims, NP, t0, dt, NT,
                                                 bp, NULL, NP - 1), KS_EINVAL);
    KS_ASSERT_EQ_INT(ks_pk_sims_eval_grid_plasma((const ks_pk_sim *const *)sims, NP, t0, 0.0, NT,
                                                 bp, NULL, NP), KS_EINVAL);
    for (int k = 0; k < NP; k++) ks_pk_sim_destroy(&sims[k]);
  }
  ks_ctx_destroy(&ctx);
}

KS_TEST(bad_input_is_refused_with_the_right_status) {
  ks_ctx *ctx = ks_test_ctx();
  ks_pk_patient p = ks_pk_patient_typical(70.0, 40.0, 0);
  ks_pk_sim *sim = NULL;
  struct { ks_pk_dose d; int st; } cases[] = {
    {{KS_DRUG_KETAMINE, KS_ROUTE_IV, 0.0, 0.0, 0.0}, KS_EINPUT},
    {{KS_DRUG_KETAMINE, KS_ROUTE_IV, -5.0, 0.0, 0.0}, KS_EINPUT},
    {{KS_DRUG_KETAMINE, KS_ROUTE_IV, NAN, 0.0, 0.0}, KS_EINPUT},
    {{KS_DRUG_KETAMINE, KS_ROUTE_IV, INFINITY, 0.0, 0.0}, KS_EINPUT},
    {{KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, -1.0, 0.0}, KS_EINPUT},
    {{KS_DRUG_KETAMINE, KS_ROUTE_IM, 35.0, 0.0, 0.5}, KS_EINPUT},
    {{KS_DRUG_MIDAZOLAM, KS_ROUTE_ORAL, 5.0, 0.0, 0.0}, KS_EINPUT},
    {{KS_DRUG_ESKETAMINE, KS_ROUTE_IM, 20.0, 0.0, 0.0}, KS_EINPUT},
    {{KS_DRUG_ESKETAMINE, KS_ROUTE_INTRANASAL, 30.0, 0.0, 0.0}, KS_EINPUT},
    {{KS_DRUG_ESKETAMINE, KS_ROUTE_INTRANASAL, 140.0, 0.0, 0.0}, KS_ERANGE},
    {{KS_DRUG_KETAMINE, KS_ROUTE_IV, 140.0, 0.0, 40.0 / 60.0}, KS_ERANGE},
    {{KS_DRUG_MIDAZOLAM, KS_ROUTE_IV, 14.0, 0.0, 0.0}, KS_ERANGE},
    {{KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, 0.0, 30.0}, KS_EINPUT},  /* beyond t_end 24 h */
  };
  ks_pk_options o = ks_pk_options_default();
  o.t_end_h = 24.0;
  for (size_t i = 0; i < KS_ARRAY_LEN(cases); i++) {
    int st = ks_pk_sim_create(ctx, &p, &cases[i].d, 1, &o, &sim);
    if (st != cases[i].st) fprintf(stderr, "case %zu: %s\n", i, ks_ctx_last_error(ctx));
    KS_ASSERT_EQ_INT(st, cases[i].st);
    KS_ASSERT_TRUE(sim == NULL);
    KS_ASSERT_TRUE(strlen(ks_ctx_last_error(ctx)) > 10);
  }
  /* Unstudied doses run when allowed. */
  o.allow_unstudied_doses = 1;
  KS_ASSERT_OK(ks_pk_sim_create(ctx, &p, &cases[10].d, 1, &o, &sim));
  ks_pk_sim_destroy(&sim);
  /* Weight and model checks. */
  ks_pk_dose d = {KS_DRUG_KETAMINE, KS_ROUTE_IV, 10.0, 0.0, 0.0};
  ks_pk_patient light = ks_pk_patient_typical(25.0, 40.0, 0);
  KS_ASSERT_EQ_INT(ks_pk_sim_create(ctx, &light, &d, 1, NULL, &sim), KS_EINPUT);
  ks_pk_patient heavy = ks_pk_patient_typical(260.0, 40.0, 0);
  KS_ASSERT_EQ_INT(ks_pk_sim_create(ctx, &heavy, &d, 1, NULL, &sim), KS_EINPUT);
  o = ks_pk_options_default();
  o.model[KS_DRUG_KETAMINE] = "nosuch";
  KS_ASSERT_EQ_INT(ks_pk_sim_create(ctx, &p, &d, 1, &o, &sim), KS_EINPUT);
  o.model[KS_DRUG_KETAMINE] = "albrecht1999";
  KS_ASSERT_EQ_INT(ks_pk_sim_create(ctx, &p, &d, 1, &o, &sim), KS_EINPUT);
  KS_ASSERT_EQ_INT(ks_pk_sim_create(ctx, NULL, &d, 1, NULL, &sim), KS_EINVAL);
  /* Evaluation rejects bad times. */
  KS_ASSERT_OK(ks_pk_sim_create(ctx, &p, &d, 1, NULL, &sim));
  ks_pk_conc c;
  KS_ASSERT_EQ_INT(ks_pk_sim_eval(sim, -1.0, &c), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_pk_sim_eval(sim, NAN, &c), KS_EINVAL);
  ks_pk_sim_destroy(&sim);
  ks_pk_sim_destroy(&sim);  /* NULL is fine */
  ks_ctx_destroy(&ctx);
}

KS_TEST(allocation_failures_are_clean) {
  ks_pk_patient p = ks_pk_patient_typical(70.0, 40.0, 0);
  ks_pk_dose d[2] = {{KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, 0.0, 0.5},
                     {KS_DRUG_MIDAZOLAM, KS_ROUTE_IV, 3.0, 0.0, 0.5}};
  int saw_ok = 0;
  for (long n = 1; n < 40 && !saw_ok; n++) {
    ks_ctx_opts o = ks_ctx_opts_default();
    o.log_level = KS_LOG_ERROR;
    ks_ctx *ctx = NULL;
    KS_ASSERT_OK(ks_ctx_create(&o, &ctx));
    o.fail_alloc_at = n;
    ks_ctx_destroy(&ctx);
    if (ks_ctx_create(&o, &ctx) != KS_OK) continue;  /* the context itself may need allocs */
    ks_pk_sim *sim = NULL;
    int st = ks_pk_sim_create(ctx, &p, d, 2, NULL, &sim);
    if (st == KS_OK) saw_ok = 1; else KS_ASSERT_EQ_INT(st, KS_ENOMEM);
    ks_pk_sim_destroy(&sim);
    ks_ctx_destroy(&ctx);
  }
  KS_ASSERT_TRUE(saw_ok);
}

KS_TEST(iiv_is_reproducible_and_has_the_published_spread) {
  ks_ctx *ctx = ks_test_ctx();
  enum { N = 4000 };
  double sum = 0.0, sum2 = 0.0;
  for (int i = 0; i < N; i++) {
    ks_pk_patient p = ks_pk_patient_typical(70.0, 40.0, 0), q = p;
    ks_rng r1, r2;
    ks_rng_init(&r1, 11, KS_STREAM_PK_IIV, (uint64_t)i, 0);
    ks_rng_init(&r2, 11, KS_STREAM_PK_IIV, (uint64_t)i, 0);
    ks_pk_patient_sample_iiv(&p, &r1);
    ks_pk_patient_sample_iiv(&q, &r2);
    KS_ASSERT_TRUE(memcmp(p.eta_z, q.eta_z, sizeof p.eta_z) == 0);
    double m[KS_PKP_N];
    ks__pk_multipliers(ks__pk_set_find("perezruixo2021"), &p, KS_DRUG_ESKETAMINE, m);
    double l = log(m[KS_PKP_CL]);
    sum += l;
    sum2 += l * l;
  }
  double sd = sqrt(sum2 / N - (sum / N) * (sum / N));
  KS_ASSERT_REL(sd, 0.944, 0.05);  /* Perez-Ruixo 2021: omega^2(kel) = 0.892 */
  KS_ASSERT_NEAR(sum / N, 0.0, 0.05);
  ks_ctx_destroy(&ctx);
}

KS_TEST(covariates_move_exposure_the_right_way) {
  ks_ctx *ctx = ks_test_ctx();
  ks_pk_dose d = {KS_DRUG_ESKETAMINE, KS_ROUTE_ORAL, 84.0, 0.0, 0.0};
  ks_pk_dose div = {KS_DRUG_ESKETAMINE, KS_ROUTE_IV, 20.0, 0.0, 0.0};
  double auc[3];
  ks_pk_patient ps[3] = {ks_pk_patient_typical(70.0, 40.0, 0), ks_pk_patient_typical(70.0, 80.0, 0),
                         ks_pk_patient_typical(70.0, 40.0, 0)};
  ps[2].asian = 1;
  ks_pk_options o = ks_pk_options_default();
  o.allow_unstudied_doses = 1;  /* oral esketamine has no studied psychiatric use */
  for (int k = 0; k < 3; k++) {
    ks_pk_sim *sim = NULL;
    KS_ASSERT_OK(ks_pk_sim_create(ctx, &ps[k], k == 1 ? &div : &d, 1, &o, &sim));
    static double c[48 * 60];
    KS_ASSERT_OK(ks_pk_sim_eval_grid_plasma(sim, 0.0, 1.0 / 60.0, 48 * 60, c, NULL));
    auc[k] = 0.0;
    for (int i = 0; i < 48 * 60; i++) auc[k] += c[i] / 60.0;
    ks_pk_sim_destroy(&sim);
  }
  KS_ASSERT_TRUE(auc[2] > auc[0]);  /* Asian: kel x 0.36, lower intrinsic clearance */
  /* Age 80: hepatic blood flow 151 - 2.19 * 20 L/h, so a lower systemic clearance after IV. */
  {
    ks_pk_sim *sim = NULL;
    static double c[48 * 60];
    KS_ASSERT_OK(ks_pk_sim_create(ctx, &ps[0], &div, 1, NULL, &sim));
    KS_ASSERT_OK(ks_pk_sim_eval_grid_plasma(sim, 0.0, 1.0 / 60.0, 48 * 60, c, NULL));
    double a0 = 0.0;
    for (int i = 0; i < 48 * 60; i++) a0 += c[i] / 60.0;
    ks_pk_sim_destroy(&sim);
    KS_ASSERT_TRUE(auc[1] > 1.05 * a0);
  }
  /* Domino is per kg: twice the weight and twice the dose give the same concentrations. */
  o.model[KS_DRUG_KETAMINE] = "domino1982";
  ks_pk_patient a = ks_pk_patient_typical(50.0, 40.0, 0), b = ks_pk_patient_typical(100.0, 40.0, 0);
  ks_pk_dose da = {KS_DRUG_KETAMINE, KS_ROUTE_IV, 25.0, 0.0, 0.5};
  ks_pk_dose db = {KS_DRUG_KETAMINE, KS_ROUTE_IV, 50.0, 0.0, 0.5};
  ks_pk_sim *sa = NULL, *sb = NULL;
  KS_ASSERT_OK(ks_pk_sim_create(ctx, &a, &da, 1, &o, &sa));
  KS_ASSERT_OK(ks_pk_sim_create(ctx, &b, &db, 1, &o, &sb));
  ks_pk_conc ca, cb;
  KS_ASSERT_OK(ks_pk_sim_eval(sa, 1.5, &ca));
  KS_ASSERT_OK(ks_pk_sim_eval(sb, 1.5, &cb));
  KS_ASSERT_REL(ca.plasma_ng_per_mL[0], cb.plasma_ng_per_mL[0], 1e-10);
  ks_pk_sim_destroy(&sa);
  ks_pk_sim_destroy(&sb);
  ks_ctx_destroy(&ctx);
}

/* Albrecht 1999 midazolam: the elderly set from 65 y. AUC(0-inf) = dose / CL, so the AUC ratio
 * elderly / young is CL 399 / 388 mL/min; the elderly set's larger peripheral volume keeps
 * more drug late. The weight scaling is the same for both sets. */
KS_TEST(midazolam_age_uses_the_elderly_set) {
  ks_ctx *ctx = ks_test_ctx();
  ks_pk_dose d = {KS_DRUG_MIDAZOLAM, KS_ROUTE_IV, 3.0, 0.0, 0.5};
  const double ages[3] = {40.0, 64.9, 65.0};
  double auc[3], c24[3];
  enum { N = 100 * 600 + 1 };  /* 100 h at 6 s */
  static double c[N];
  for (int k = 0; k < 3; k++) {
    ks_pk_patient p = ks_pk_patient_typical(70.0, ages[k], 0);
    ks_pk_sim *sim = NULL;
    KS_ASSERT_OK(ks_pk_sim_create(ctx, &p, &d, 1, NULL, &sim));
    KS_ASSERT_OK(ks_pk_sim_eval_grid_plasma(sim, 0.0, 0.1 / 60.0, N, c, NULL));
    auc[k] = 0.0;
    for (int i = 1; i < N; i++) auc[k] += 0.5 * (c[i] + c[i - 1]) * (0.1 / 60.0);
    c24[k] = c[24 * 600];
    ks_pk_sim_destroy(&sim);
  }
  KS_ASSERT_REL(auc[1], auc[0], 1e-12);          /* same set below 65 y */
  KS_ASSERT_REL(auc[2] / auc[0], 399.0 / 388.0, 2e-3);
  KS_ASSERT_TRUE(c24[2] > 1.2 * c24[0]);
  ks_ctx_destroy(&ctx);
}

KS_TEST(model_registry) {
  KS_ASSERT_EQ_INT(ks_pk_model_count(), 4);
  KS_ASSERT_EQ_STR(ks_pk_model_default(KS_DRUG_KETAMINE), "fanta2015");
  KS_ASSERT_TRUE(ks_pk_model_supports("fanta2015", KS_DRUG_KETAMINE, KS_ROUTE_RECTAL));
  KS_ASSERT_TRUE(ks_pk_model_supports("perezruixo2021", KS_DRUG_ESKETAMINE, KS_ROUTE_INTRANASAL));
  KS_ASSERT_TRUE(!ks_pk_model_supports("perezruixo2021", KS_DRUG_ESKETAMINE, KS_ROUTE_IM));
  KS_ASSERT_TRUE(!ks_pk_model_supports("albrecht1999", KS_DRUG_KETAMINE, KS_ROUTE_IV));
  KS_ASSERT_EQ_INT(ks_drug_parse("esketamine"), KS_DRUG_ESKETAMINE);
  KS_ASSERT_EQ_INT(ks_route_parse("intranasal"), KS_ROUTE_INTRANASAL);
  KS_ASSERT_EQ_INT(ks_route_parse("nope"), -1);
  KS_ASSERT_NEAR(ks_pk_model_bioavailability("fanta2015", KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0),
                 1.0, 1e-9);
  KS_ASSERT_NEAR(ks_pk_model_bioavailability("fanta2015", KS_DRUG_KETAMINE, KS_ROUTE_IM, 35.0),
                 0.93, 1e-6);
}

KS_TEST(validation_targets_pass) {
  ks_ctx *ctx = ks_test_ctx();
  ks_target_result res[64];
  size_t n = 0;
  KS_ASSERT_OK(ks_pk_validate(ctx, res, 64, &n));
  KS_ASSERT_TRUE(n >= 10);
  /* The documented misses (docs/model/pk.md, "Oral, sublingual and rectal racemate"): every
   * other target must pass, and these are listed so that a change that fixes or adds a miss
   * shows here. Prefix match on the ids. */
  static const char *const known_miss[] = {
    "pk.ketamine.oral25.cmax", "pk.ketamine.oral25.auc_per_mg", "pk.ketamine.oral25.nor_cmax",
    "pk.ketamine.oral.f_chong", "pk.ketamine.sublingual25.tmax",
    "pk.ketamine.sublingual25.nor_cmax", "pk.ketamine.sublingual.f"};
  int unexpected = 0, misses = 0;
  for (size_t i = 0; i < n; i++) {
    int listed = 0;
    for (size_t k = 0; k < KS_ARRAY_LEN(known_miss); k++)
      listed |= strcmp(res[i].id, known_miss[k]) == 0;
    printf("  %-40s %10.4g  [%g, %g] %s%s\n", res[i].id, res[i].simulated, res[i].lo, res[i].hi,
           res[i].pass ? "pass" : "FAIL", listed ? " (documented miss)" : "");
    misses += listed && !res[i].pass;
    unexpected += !res[i].pass && !listed;
  }
  KS_ASSERT_EQ_INT(unexpected, 0);
  KS_ASSERT_EQ_INT(misses, (int)KS_ARRAY_LEN(known_miss));
  ks_ctx_destroy(&ctx);
}

/* data/pk/parameter_sets.tsv and the compiled-in sets are checked against each other: every row
 * of the table is a parameter the code uses, with the same value (1e-9 relative), and every
 * parameter the code lists is in the table. The route bioavailabilities are also checked on the
 * model's output (AUC ratio of the exact solution), for both racemic sets. */
KS_TEST(parameter_table_matches_the_model) {
  const char *dir = getenv("KS_SOURCE_DIR");
  char path[1024];
  snprintf(path, sizeof path, "%s/data/pk/parameter_sets.tsv", dir ? dir : ".");
  FILE *f = fopen(path, "r");
  KS_ASSERT_TRUE(f != NULL);
  pk_param_row rows[128];
  size_t nr = ks__pk_param_rows(rows, KS_ARRAY_LEN(rows));
  KS_ASSERT_TRUE(nr > 40 && nr <= KS_ARRAY_LEN(rows));
  int seen[128] = {0};
  char line[512];
  int n_tsv = 0, n_f = 0;
  static const struct { const char *name; ks_route r; } fr[] = {
    {"F oral (racemate)", KS_ROUTE_ORAL}, {"F rectal", KS_ROUTE_RECTAL}, {"F intranasal", KS_ROUTE_INTRANASAL}, {"F IM", KS_ROUTE_IM}};
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#' || strncmp(line, "set\t", 4) == 0) continue;
    char set[64], par[128];
    double v = NAN;
    if (sscanf(line, "%63[^\t]\t%127[^\t]\t%lf", set, par, &v) != 3) continue;
    n_tsv++;
    size_t k = 0;
    while (k < nr && !(strcmp(rows[k].set, set) == 0 && strcmp(rows[k].parameter, par) == 0)) k++;
    if (k == nr) printf("  not in the code: %s / %s\n", set, par);
    KS_ASSERT_TRUE(k < nr);
    KS_ASSERT_REL(rows[k].value, v, 1e-9);
    seen[k] = 1;
    if (strcmp(set, "ketamine-routes") != 0) {
      KS_ASSERT_TRUE(ks_pk_model_citation(set) != NULL);
      continue;
    }
    for (size_t q = 0; q < KS_ARRAY_LEN(fr); q++) {
      if (strcmp(par, fr[q].name) != 0) continue;
      for (int m = 0; m < 2; m++) {
        const char *model = m ? "domino1982" : "fanta2015";
        KS_ASSERT_NEAR(ks_pk_model_bioavailability(model, KS_DRUG_KETAMINE, fr[q].r, 25.0), v, 1e-9);
      }
      n_f++;
    }
  }
  fclose(f);
  for (size_t k = 0; k < nr; k++) {
    if (!seen[k]) printf("  not in the table: %s / %s\n", rows[k].set, rows[k].parameter);
    KS_ASSERT_TRUE(seen[k]);
  }
  KS_ASSERT_EQ_INT(n_tsv, (int)nr);
  KS_ASSERT_EQ_INT(n_f, 4);
  KS_ASSERT_NEAR(ks_pk_model_bioavailability("fanta2015", KS_DRUG_ESKETAMINE, KS_ROUTE_ORAL, 20.0),
                 0.08, 1e-9);
}

/* Sublingual racemate (Simons 2022): a mucosal share b = 0.263 reaches the circulation
 * completely, the swallowed rest takes the oral path, so F = b + (1 - b) F_oral exactly (the AUC
 * ratio over the S and R halves is linear in each half's F). The first-pass delays conserve
 * mass and have the published mean transit times: after an oral dose every milligram passes
 * the gut-to-liver compartment (its amount integrates to dose x 10.7 min) and every milligram
 * metabolised before the systemic circulation passes the formation chain (dose (1 - F) x
 * 20.1 min), for esketamine by mouth in fanta2015 (F 0.08). */
KS_TEST(sublingual_and_first_pass_delays_follow_simons) {
  double f_or = ks_pk_model_bioavailability("fanta2015", KS_DRUG_KETAMINE, KS_ROUTE_ORAL, 25.0);
  double f_sl = ks_pk_model_bioavailability("fanta2015", KS_DRUG_KETAMINE, KS_ROUTE_SUBLINGUAL,
                                            25.0);
  KS_ASSERT_NEAR(f_or, 0.17, 1e-9);
  KS_ASSERT_NEAR(f_sl, 0.263 + (1.0 - 0.263) * 0.17, 1e-9);
  ks_ctx *ctx = ks_test_ctx();
  ks_pk_options o = ks_pk_options_default();
  o.model[KS_DRUG_ESKETAMINE] = "fanta2015";
  o.allow_unstudied_doses = 1;
  ks_pk_patient p = ks_pk_patient_typical(70.0, 40.0, 0);
  ks_pk_dose d = {KS_DRUG_ESKETAMINE, KS_ROUTE_ORAL, 20.0, 0.0, 0.0};
  ks_pk_sim *sim = NULL;
  KS_ASSERT_OK(ks_pk_sim_create(ctx, &p, &d, 1, &o, &sim));
  size_t ns = ks_pk_sim_n_states(sim);
  int i_portal = -1, i_f1 = -1, i_f2 = -1;
  for (size_t i = 0; i < ns; i++) {
    const char *nm = ks_pk_sim_state_name(sim, i);
    if (strcmp(nm, "esketamine.S.portal") == 0) i_portal = (int)i;
    if (strcmp(nm, "esketamine.S.nor.formation1") == 0) i_f1 = (int)i;
    if (strcmp(nm, "esketamine.S.nor.formation2") == 0) i_f2 = (int)i;
  }
  KS_ASSERT_TRUE(i_portal >= 0 && i_f1 >= 0 && i_f2 >= 0);
  double x[64], prev_p = 0.0, prev_f = 0.0, auc_p = 0.0, auc_f = 0.0;
  const double dt = 0.5 / 60.0;
  for (int k = 1; k <= 24 * 120; k++) {
    size_t n = 0;
    KS_ASSERT_OK(ks_pk_sim_amounts(sim, k * dt, x, 64, &n));
    double ap = x[i_portal], af = x[i_f1] + x[i_f2];
    auc_p += 0.5 * (ap + prev_p) * dt;
    auc_f += 0.5 * (af + prev_f) * dt;
    prev_p = ap;
    prev_f = af;
  }
  ks_pk_sim_destroy(&sim);
  KS_ASSERT_REL(auc_p, 20.0 * 10.7 / 60.0, 1e-3);
  KS_ASSERT_REL(auc_f, 20.0 * (1.0 - 0.08) * 20.1 / 60.0, 1e-3);
  ks_ctx_destroy(&ctx);
}

/* The first pass puts five similar rates in series (ka, gut-to-liver, liver, two formation
 * rates); sampled variability brings some patients' rates within 1% of each other. Before the
 * wider separation in ks__pk_unit_diagonalise about 1 in 400 such patients failed with
 * KS_ENUMERIC; now every one of 3000 patients (oral, sublingual, and every extravascular route
 * at once) is diagonalised, keeps its exact oral F (the separation never changes an AUC) and
 * balances its mass. */
KS_TEST(near_coincident_first_pass_rates_still_diagonalise) {
  ks_ctx *ctx = ks_test_ctx();
  ks_pk_options o = ks_pk_options_default();
  o.allow_unstudied_doses = 1;
  int n_fail = 0;
  double worst = 0.0;
  for (int k = 0; k < 3000; k++) {
    ks_pk_patient p = ks_pk_patient_typical(45.0 + (k % 90), 40.0, 0);
    ks_rng r;
    ks_rng_init(&r, 23, KS_STREAM_PK_IIV, (uint64_t)k, 0);
    ks_pk_patient_sample_iiv(&p, &r);
    ks_pk_dose d[5] = {{KS_DRUG_KETAMINE, KS_ROUTE_ORAL, 25.0, 0.0, 0.0},
                       {KS_DRUG_KETAMINE, KS_ROUTE_SUBLINGUAL, 25.0, 1.0, 0.0},
                       {KS_DRUG_KETAMINE, KS_ROUTE_RECTAL, 25.0, 2.0, 0.0},
                       {KS_DRUG_KETAMINE, KS_ROUTE_INTRANASAL, 25.0, 3.0, 0.0},
                       {KS_DRUG_KETAMINE, KS_ROUTE_IM, 25.0, 4.0, 0.0}};
    for (int q = 0; q < 3; q++) {
      ks_pk_sim *sim = NULL;
      size_t nd = q == 2 ? 5 : 1;
      ks_status st = ks_pk_sim_create(ctx, &p, q == 1 ? &d[1] : d, nd, &o, &sim);
      n_fail += st != KS_OK;
      if (st != KS_OK) continue;
      ks_pk_mass_balance mb;
      KS_ASSERT_OK(ks_pk_sim_mass_balance(sim, 7.5, &mb));
      double err = fabs(mb.administered_mg - mb.in_body_mg - mb.eliminated_mg - mb.not_absorbed_mg);
      worst = err / mb.administered_mg > worst ? err / mb.administered_mg : worst;
      ks_pk_sim_destroy(&sim);
    }
  }
  KS_ASSERT_EQ_INT(n_fail, 0);
  KS_ASSERT_TRUE(worst < 1e-9);
  ks_ctx_destroy(&ctx);
}

/* First pass, by hand: for esketamine by mouth in fanta2015 the model must give
 * F = Fg (1 - CL/Qh) with Fg = 0.08 / (1 - 95.2/151) (Fanta's F at the typical clearance) for
 * any clearance: a patient with 1.3x clearance has the smaller F that a well-stirred liver
 * predicts, and AUC_oral = F dose / CL (numerical AUC over 120 h, 1e-3 relative). The racemate
 * forms more norketamine by mouth than the same dose IV over 24 h (the first pass). */
KS_TEST(first_pass_follows_the_well_stirred_liver) {
  ks_ctx *ctx = ks_test_ctx();
  ks_pk_options o = ks_pk_options_default();
  o.model[KS_DRUG_ESKETAMINE] = "fanta2015";
  o.allow_unstudied_doses = 1;
  const double qh = 151.0, cl0 = 95.2, fg = 0.08 / (1.0 - cl0 / qh);
  const double cl_mult[2] = {1.0, 1.3};
  enum { NT = 120 * 60 + 1 };
  static double c[NT];
  for (int k = 0; k < 2; k++) {
    ks_pk_patient p = ks_pk_patient_typical(70.0, 40.0, 0);
    p.mult[KS_DRUG_ESKETAMINE][KS_PKP_CL] = cl_mult[k];
    ks_pk_dose d = {KS_DRUG_ESKETAMINE, KS_ROUTE_ORAL, 20.0, 0.0, 0.0};
    ks_pk_sim *sim = NULL;
    KS_ASSERT_OK(ks_pk_sim_create(ctx, &p, &d, 1, &o, &sim));
    KS_ASSERT_OK(ks_pk_sim_eval_grid_plasma(sim, 0.0, 1.0 / 60.0, NT, c, NULL));
    ks_pk_sim_destroy(&sim);
    double auc = 0.0;
    for (int i = 1; i < NT; i++) auc += 0.5 * (c[i] + c[i - 1]) / 60.0;  /* ng h/mL */
    double cl = cl0 * cl_mult[k];
    double f_hand = fg * (1.0 - cl / qh);
    KS_ASSERT_REL(auc, f_hand * 20.0 / cl * 1000.0, 1e-3);
  }
  ks_pk_patient p = ks_pk_patient_typical(70.0, 40.0, 0);
  double nor[2];
  for (int k = 0; k < 2; k++) {
    ks_pk_dose d = {KS_DRUG_KETAMINE, k ? KS_ROUTE_ORAL : KS_ROUTE_IV, 50.0, 0.0, 0.0};
    ks_pk_sim *sim = NULL;
    KS_ASSERT_OK(ks_pk_sim_create(ctx, &p, &d, 1, NULL, &sim));
    KS_ASSERT_OK(ks_pk_sim_eval_grid_plasma(sim, 0.0, 1.0 / 60.0, 24 * 60, NULL, c));
    ks_pk_sim_destroy(&sim);
    nor[k] = 0.0;
    for (int i = 1; i < 24 * 60; i++) nor[k] += 0.5 * (c[i] + c[i - 1]) / 60.0;
  }
  KS_ASSERT_TRUE(nor[1] > nor[0]);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
