/* SPDX-License-Identifier: MIT */
/* The built-in parameter sets: each builds the rate matrix and route maps of one drug for one
 * patient. Every number is in docs/model/pk.md with its unit and source. */
#include "pk_internal.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Unit assembly helpers. */

static int add_state(pk_unit *u, const char *prefix, const char *name, pk_state_kind kind) {
  int i = u->n++;
  u->kind[i] = kind;
  /* "prefix.name", truncated to fit; plain copies (snprintf here was a visible share of a
   * population run's cost). */
  size_t cap = sizeof u->name[i] - 1, lp = strlen(prefix), ln = strlen(name);
  if (lp > cap) lp = cap;
  memcpy(u->name[i], prefix, lp);
  size_t at = lp;
  if (at < cap) u->name[i][at++] = '.';
  if (ln > cap - at) ln = cap - at;
  memcpy(u->name[i] + at, name, ln);
  u->name[i][at + ln] = '\0';
  return i;
}

/* A first-order flow from state i to state j at rate k (1/h): mass leaves i and enters j. */
static void flow(pk_unit *u, int i, int j, double k) {
  int n = PK_MAXS;  /* assembled with stride PK_MAXS, compacted in finish() */
  u->A[i * n + i] -= k;
  u->A[j * n + i] += k;
}

/* Effect compartment of negligible volume: dCe/dt = ke0 (x_c / V - Ce) (Sheiner 1979). */
static void effect(pk_unit *u, int i_eff, int i_c, double v_L, double ke0_per_h) {
  int n = PK_MAXS;
  u->A[i_eff * n + i_c] += ke0_per_h / v_L;
  u->A[i_eff * n + i_eff] -= ke0_per_h;
}

/* Compact A from stride PK_MAXS to stride n. */
static void finish(pk_unit *u) {
  double tmp[PK_MAXS * PK_MAXS];
  for (int i = 0; i < u->n; i++)
    for (int j = 0; j < u->n; j++) tmp[i * u->n + j] = u->A[i * PK_MAXS + j];
  memset(u->A, 0, sizeof u->A);
  memcpy(u->A, tmp, sizeof(double) * (size_t)(u->n * u->n));
}

static void unit_init(pk_unit *u, ks_drug d, ks_species sp, int sp_met, double share) {
  /* Clear everything but the modal form (lambda, V, Vinv: 6.6 KB), which diagonalisation
   * writes in full; clearing it too was a visible share of a population run. */
  memset(u, 0, offsetof(pk_unit, lambda));
  memset(&u->row_out, 0, sizeof *u - offsetof(pk_unit, row_out));
  u->drug = d;
  u->sp_parent = sp;
  u->sp_met = sp_met;
  u->share = share;
  u->i_central = u->i_eff = u->i_met_central = u->i_met_eff = u->i_lost = -1;
  u->i_nasal = u->i_swallow = -1;
}

static void route_add(pk_unit *u, ks_route r, int state, double frac, double dur_h) {
  pk_route_map *m = &u->route[r];
  m->supported = 1;
  m->in[m->n_in++] = (pk_input){state, frac, dur_h};
}

static double logit_scale(double f, double odds_mult) {
  if (f <= 0.0) return 0.0;
  if (f >= 1.0) return 1.0;
  double o = f / (1.0 - f) * odds_mult;
  return o / (1.0 + o);
}

static double clamp01(double x) { return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x); }

/* ------------------------------------------------------------------------------------------ */
/* Generic mammillary parent (1-3 compartments) + 2-compartment metabolite + depots per route. */

typedef struct gen_params {
  double v1_L, cl_L_per_h, q_L_per_h[2], vp_L[2];
  int n_periph;
  int per_kg;                    /* 1: volumes and clearances proportional to weight */
  double ke0_per_h;
  int has_met;
  double fm, vm_L, clm_L_per_h, qm_L_per_h, vmp_L, ke0m_per_h;
  unsigned routes;               /* bit mask of ks_route */
  double ka_per_h[KS_ROUTE_N];   /* absorption from each route's own depot */
  double f_total[KS_ROUTE_N];    /* published bioavailability of the racemate per route */
  double f_oral_single;          /* published oral F when the set doses one enantiomer (esketamine) */
  double swallow_in;             /* share of an intranasal dose swallowed */
  /* First pass (portal routes): liver transit Vh/Qh, hepatic extraction 1 - CL/Qh (well
   * stirred), gut-wall availability Fg derived from the published oral F; zero-order delivery of
   * an oral dose (dpo_h) and of the swallowed part of an intranasal dose (dsw_h, ka_sw). */
  double qh_L_per_h, vh_L, dpo_h, dsw_h, ka_sw_per_h;
  /* Delays of the first pass (Simons 2022): gut-to-liver mean transit time, and the mean transit
   * time of the two-compartment chain through which norketamine formed before the systemic
   * circulation reaches plasma. */
  double mtt_portal_h, mtt_form_h;
  /* Sublingual (Simons 2022): mucosal fraction, its zero-order input time; the swallowed rest
   * reaches the gut zero-order over dsl_sw_h (then the oral ka). */
  double b_sl, dsl_h, dsl_sw_h;
  double r_cl_ratio;             /* CL(R) / CL(S) for racemic ketamine */
} gen_params;

static const char *const route_tag[KS_ROUTE_N] = {"iv", "im", "nasal", "gut", "sublingual",
                                                  "rectal"};

/* Fraction of a portal dose escaping the liver, F_H = 1 - CL/Qh (well-stirred liver whose
 * intrinsic clearance gives the systemic clearance CL), floored at 0.05 for patients whose
 * clearance exceeds the hepatic flow. */
static double hepatic_escape(double cl_L_per_h, double qh_L_per_h) {
  double fh = 1.0 - cl_L_per_h / qh_L_per_h;
  return fh < 0.05 ? 0.05 : fh;
}

/* Gut-wall availability Fg that makes the typical oral F of the dosed drug equal the published
 * figure: for one enantiomer F = Fg F_H; for the racemate (S and R halves, clearances CL_S and
 * CL_R) the AUC ratio is F = Fg (1 - 2 / (Qh (1/CL_S + 1/CL_R))). */
static double gut_availability(const gen_params *g, int racemic) {
  double cs = g->cl_L_per_h, qh = g->qh_L_per_h;
  if (!racemic) return clamp01(g->f_oral_single / hepatic_escape(cs, qh));
  double cr = cs * g->r_cl_ratio;
  double fh = 1.0 - 2.0 / (qh * (1.0 / cs + 1.0 / cr));
  return clamp01(g->f_total[KS_ROUTE_ORAL] / fh);
}

/* One unit's first-pass states, created on first use: gut depots (oral, swallowed) -> portal
 * delay -> liver -> central, with the gut-wall and hepatic losses forming the metabolite through
 * a two-compartment formation chain. */
typedef struct first_pass {
  int portal, form, gut_oral, gut_swallow;
} first_pass;

/* Relative split of the two rates of the formation chain. Simons 2022's chain is Erlang-2 (both
 * rates 2/MTT), a defective matrix for the eigen-decomposition; here the first rate is
 * (1 + eps) 2/MTT and the second keeps the mean transit time exact. With eps = -0.15 the rates
 * are 5.07 and 7.24 /h (Erlang-2: 5.97 and 5.97), the transit time's squared CV is 0.516 instead
 * of 0.5, and both rates stay 10% or more away from the gut-to-liver rate 1/10.7 min (5.61 /h),
 * which keeps the eigenvectors well conditioned. */
#define PK_CHAIN_EPS (-0.15)

static int fp_portal(pk_unit *u, const char *prefix, first_pass *fp, const gen_params *g,
                     double qh, double vh, double fh, double fg, int c, int mc) {
  if (fp->portal >= 0) return fp->portal;
  /* Formation chain: two compartments in series, mean transit time mtt_form_h in total. */
  double k1 = 2.0 / g->mtt_form_h * (1.0 + PK_CHAIN_EPS);
  double k2 = 1.0 / (g->mtt_form_h - 1.0 / k1);
  fp->form = add_state(u, prefix, "nor.formation1", PK_ST_MASS);
  int f2 = add_state(u, prefix, "nor.formation2", PK_ST_MASS);
  u->transit[fp->form] = u->transit[f2] = 1;
  flow(u, fp->form, f2, k1);
  flow(u, f2, mc, k2);
  /* Well-stirred liver of volume Vh: drug leaves with the blood (Qh/Vh) and by metabolism
   * (CLint/Vh), CLint = CL Qh / (Qh - CL); the total rate is Qh / (Vh F_H) and the share
   * leaving intact is F_H. */
  int liver = add_state(u, prefix, "liver", PK_ST_MASS);
  u->transit[liver] = 1;
  double kh = qh / (vh * fh);
  flow(u, liver, c, kh * fh);
  flow(u, liver, fp->form, kh * (1.0 - fh));
  /* Gut wall to liver: one delay compartment (mean transit time mtt_portal_h); the gut wall
   * metabolises a share 1 - Fg on the way. */
  fp->portal = add_state(u, prefix, "portal", PK_ST_MASS);
  u->transit[fp->portal] = 1;
  double kp = 1.0 / g->mtt_portal_h;
  flow(u, fp->portal, liver, kp * fg);
  flow(u, fp->portal, fp->form, kp * (1.0 - fg));
  return fp->portal;
}

static int fp_gut(pk_unit *u, const char *prefix, const char *name, int portal, double ka) {
  int gd = add_state(u, prefix, name, PK_ST_MASS);
  flow(u, gd, portal, ka);
  return gd;
}

/* The extravascular routes of a unit (IM, intranasal, oral, sublingual, rectal): depots, the
 * first-pass states when a portal route is dosed, and the route maps. */
static void add_routes(const gen_params *g, ks_drug d, const char *prefix, double cl_factor,
                       double fv, double fcl, double cl, const double mult[KS_PKP_N],
                       unsigned used, pk_unit *u) {
  int c = u->i_central, mc = u->i_met_central, lost = u->i_lost;
  /* Typical (70 kg, no variability) oral F of this unit, for the bypass shares below. */
  int racemic = d == KS_DRUG_KETAMINE;
  double fg_typ = gut_availability(g, racemic);
  double f_oral_typ = fg_typ * hepatic_escape(g->cl_L_per_h * cl_factor, g->qh_L_per_h);
  double fg = logit_scale(fg_typ, mult[KS_PKP_F]);
  double qh = g->qh_L_per_h * fcl * mult[KS_PKP_QH], vh = g->vh_L * fv * mult[KS_PKP_VH];
  double fh = hepatic_escape(cl, qh);
  first_pass fp = {-1, -1, -1, -1};
  for (int r = KS_ROUTE_IM; r < KS_ROUTE_N; r++) {
    if (!(g->routes & (1u << r))) continue;
    u->route[r].supported = 1;
    if (!(used & (1u << r))) continue;  /* available, but not dosed: no depot needed */
    double ka = g->ka_per_h[r] * mult[KS_PKP_KA];
    if (r != KS_ROUTE_IM) {
      int pv = fp_portal(u, prefix, &fp, g, qh, vh, fh, fg, c, mc);
      if (r != KS_ROUTE_INTRANASAL && fp.gut_oral < 0)
        fp.gut_oral = fp_gut(u, prefix, "gut.oral", pv,
                             g->ka_per_h[KS_ROUTE_ORAL] * mult[KS_PKP_KA]);
      if (r == KS_ROUTE_INTRANASAL && fp.gut_swallow < 0)
        fp.gut_swallow = fp_gut(u, prefix, "gut.swallowed", pv, g->ka_sw_per_h * mult[KS_PKP_KA]);
    }
    if (r == KS_ROUTE_ORAL) {
      route_add(u, KS_ROUTE_ORAL, fp.gut_oral, 1.0, g->dpo_h);
      continue;
    }
    int dep = add_state(u, prefix, route_tag[r], PK_ST_MASS);
    if (r == KS_ROUTE_SUBLINGUAL) {
      /* Simons 2022: a share b is absorbed through the oral mucosa (zero-order into the mucosal
       * depot over dsl_h, then ka) completely; the rest is swallowed over dsl_sw_h and takes
       * the oral path (gut, gut wall, liver). */
      double b = logit_scale(g->b_sl, mult[KS_PKP_F]);
      flow(u, dep, c, ka);
      route_add(u, KS_ROUTE_SUBLINGUAL, dep, b, g->dsl_h);
      route_add(u, KS_ROUTE_SUBLINGUAL, fp.gut_oral, 1.0 - b, g->dsl_sw_h);
      continue;
    }
    if (r == KS_ROUTE_RECTAL) {
      /* A share b reaches the systemic circulation directly (middle and lower rectal veins),
       * complete; the rest drains to the portal vein and passes the gut wall and the liver. b
       * gives the published route F: b + (1 - b) F_oral = F_route. */
      double b = clamp01((g->f_total[r] - f_oral_typ) / (1.0 - f_oral_typ));
      flow(u, dep, c, ka);
      route_add(u, KS_ROUTE_RECTAL, dep, b, 0.0);
      route_add(u, KS_ROUTE_RECTAL, fp.gut_oral, 1.0 - b, 0.0);
      continue;
    }
    /* IM and intranasal: the direct share's own bioavailability F' gives the published total,
     * (1 - s) F' + s F_oral = F (s: swallowed share, intranasal only); the rest of the direct
     * share is not absorbed. */
    double s = r == KS_ROUTE_INTRANASAL ? g->swallow_in : 0.0;
    double f_tot = logit_scale(g->f_total[r], mult[KS_PKP_F]);
    double fd = clamp01((f_tot - s * f_oral_typ) / (1.0 - s));
    flow(u, dep, c, ka * fd);
    flow(u, dep, lost, ka * (1.0 - fd));
    route_add(u, (ks_route)r, dep, 1.0 - s, 0.0);
    if (s > 0.0) route_add(u, (ks_route)r, fp.gut_swallow, s, g->dsw_h);
  }
}

static void build_generic(const gen_params *g, ks_drug d, ks_species sp, int sp_met,
                          double share, double cl_factor, const ks_pk_patient *p,
                          const double mult[KS_PKP_N], unsigned used, pk_unit *u) {
  unit_init(u, d, sp, sp_met, share);
  char prefix[32];
  const char *dn = ks_drug_name(d);
  size_t ld = strlen(dn) < sizeof prefix - 3 ? strlen(dn) : sizeof prefix - 3;
  memcpy(prefix, dn, ld);
  prefix[ld] = '.';
  prefix[ld + 1] = sp == KS_SP_R_KETAMINE ? 'R' : (sp == KS_SP_MIDAZOLAM ? 'P' : 'S');
  prefix[ld + 2] = '\0';
  double w = p->weight_kg / 70.0;
  double fv = w, fcl = g->per_kg ? w : pow(w, 0.75);
  double v1 = g->v1_L * fv * mult[KS_PKP_V1];
  double cl = g->cl_L_per_h * fcl * mult[KS_PKP_CL] * cl_factor;
  int c = u->i_central = add_state(u, prefix, "central", PK_ST_MASS);
  u->v_central_L = v1;
  int pidx[2];
  for (int k = 0; k < g->n_periph; k++) {
    pidx[k] = add_state(u, prefix, k == 0 ? "periph1" : "periph2", PK_ST_MASS);
  }
  int mc = -1, mp = -1;
  if (g->has_met) {
    mc = u->i_met_central = add_state(u, prefix, "nor.central", PK_ST_MASS);
    mp = add_state(u, prefix, "nor.periph", PK_ST_MASS);
  }
  u->i_eff = add_state(u, prefix, "effect", PK_ST_EFFECT);
  if (g->has_met) u->i_met_eff = add_state(u, prefix, "nor.effect", PK_ST_EFFECT);
  int el = add_state(u, prefix, "eliminated", PK_ST_ELIM);
  int mel = g->has_met ? add_state(u, prefix, "nor.eliminated", PK_ST_ELIM) : -1;
  u->i_lost = add_state(u, prefix, "not_absorbed", PK_ST_LOST);
  /* Parent disposition. */
  double fm = g->has_met ? g->fm : 0.0;
  flow(u, c, el, cl / v1 * (1.0 - fm));
  if (g->has_met) flow(u, c, mc, cl / v1 * fm);
  for (int k = 0; k < g->n_periph; k++) {
    double vp = g->vp_L[k] * fv * mult[k == 0 ? KS_PKP_VP1 : KS_PKP_VP2];
    double q = g->q_L_per_h[k] * fcl * mult[KS_PKP_Q];
    flow(u, c, pidx[k], q / v1);
    flow(u, pidx[k], c, q / vp);
  }
  effect(u, u->i_eff, c, v1, g->ke0_per_h);
  /* Metabolite disposition (apparent parameters, mass in parent equivalents). */
  if (g->has_met) {
    double vm = g->vm_L * fv * mult[KS_PKP_VM], vmp = g->vmp_L * fv * mult[KS_PKP_VM];
    double clm = g->clm_L_per_h * fcl * mult[KS_PKP_CLM], qm = g->qm_L_per_h * fcl;
    u->v_met_L = vm;
    u->met_mass_ratio = ks_species_molar_mass_g_per_mol(KS_SP_S_NORKETAMINE) /
                        ks_species_molar_mass_g_per_mol(KS_SP_S_KETAMINE);
    flow(u, mc, mel, clm / vm);
    flow(u, mc, mp, qm / vm);
    flow(u, mp, mc, qm / vmp);
    effect(u, u->i_met_eff, mc, vm, g->ke0m_per_h);
  }
  /* Routes. IV: straight into the central compartment. */
  route_add(u, KS_ROUTE_IV, c, 1.0, 0.0);
  if (g->routes & ~1u) add_routes(g, d, prefix, cl_factor, fv, fcl, cl, mult, used, u);
  finish(u);
}

static ks_status build_gen_drug(const gen_params *g, ks_drug d, const ks_pk_patient *p,
                                const double mult[KS_PKP_N], unsigned used, pk_unit *u,
                                int *n_units) {
  if (d == KS_DRUG_KETAMINE) {
    /* Racemate: 50% S + 50% R, each with its own clearance (R: x r_cl_ratio). */
    build_generic(g, d, KS_SP_S_KETAMINE, KS_SP_S_NORKETAMINE, 0.5, 1.0, p, mult, used, &u[0]);
    build_generic(g, d, KS_SP_R_KETAMINE, KS_SP_R_NORKETAMINE, 0.5, g->r_cl_ratio, p, mult,
                  used, &u[1]);
    *n_units = 2;
  } else if (d == KS_DRUG_ESKETAMINE) {
    build_generic(g, d, KS_SP_S_KETAMINE, KS_SP_S_NORKETAMINE, 1.0, 1.0, p, mult, used, &u[0]);
    *n_units = 1;
  } else {
    build_generic(g, d, KS_SP_MIDAZOLAM, -1, 1.0, 1.0, p, mult, used, &u[0]);
    *n_units = 1;
  }
  return KS_OK;
}

/* Effect-site equilibration of ketamine, norketamine and esketamine: t1/2ke0 35 s, the middle of
 * the EEG-derived 23-47 s (Sleigh 2019; brain peak < 1 min after IV, Cohen 1973). */
#define KET_KE0_PER_H (0.6931471805599453 * 3600.0 / 35.0)

/* Routes of the ketamine sets: ka of each route's own depot (1/h): IM 6.0 calibrated to the IM
 * Tmax; intranasal the nasal mucosa's 2.93 of Perez-Ruixo 2021; oral (gut depot) 2.94 = KA2
 * 0.049 /min and sublingual (mucosal depot) 2.4 = KA1 0.04 /min of Simons 2022; rectal as oral
 * (assumption). Swallowed share of an intranasal dose 0.5, delivered zero-order over 0.53 h,
 * then ka 1.45 /h (Perez-Ruixo 2021). First pass: hepatic plasma flow Qh 151 L/h, liver volume
 * Vh 101 L (Perez-Ruixo 2021); gut-to-liver mean transit time 10.7 min and norketamine
 * formation chain 20.1 min (Simons 2022). Sublingual (Simons 2022): mucosal fraction 0.263,
 * zero-order over 13.1 min; the swallowed rest zero-order over 29.9 min. CL(R)/CL(S) 0.84.
 * Sources: docs/model/pk.md. */
#define KET_ROUTES                                                                            \
  .routes = 0x3Fu, .ka_per_h = {0.0, 6.0, 2.93, 0.049 * 60.0, 0.04 * 60.0, 0.049 * 60.0},     \
  .swallow_in = 0.5, .qh_L_per_h = 151.0, .vh_L = 101.0, .dpo_h = 0.0, .dsw_h = 0.53,          \
  .ka_sw_per_h = 1.45, .mtt_portal_h = 10.7 / 60.0, .mtt_form_h = 20.1 / 60.0, .b_sl = 0.263,  \
  .dsl_h = 13.1 / 60.0, .dsl_sw_h = 29.9 / 60.0, .r_cl_ratio = 0.84

/* Published bioavailability of racemic ketamine per route (iv, im, intranasal, oral,
 * sublingual, rectal) where the model takes it as a parameter: Clements 1982 (im 0.93, oral
 * 0.17), Yanagihara 2003 (intranasal 0.45, rectal 0.30). Sublingual: not a parameter (0 here);
 * it follows from the mucosal fraction and the oral path (Rolan 2014's 0.29 is a check). */
#define KET_F_RACEMATE {1.0, 0.93, 0.45, 0.17, 0.0, 0.30}

/* Otto/Fanta S-norketamine, apparent 2-cmt (70 kg). */
#define NORKET                                                                                \
  .has_met = 1, .fm = 1.0, .vm_L = 98.6, .clm_L_per_h = 57.7, .qm_L_per_h = 42.8,            \
  .vmp_L = 160.0, .ke0m_per_h = KET_KE0_PER_H

/* Fanta 2015 S-ketamine 3-cmt for 70 kg. */
static const gen_params fanta = {
  .v1_L = 133.0, .cl_L_per_h = 95.2, .q_L_per_h = {23.2, 157.0}, .vp_L = {187.0, 98.8},
  .n_periph = 2, .per_kg = 0, .ke0_per_h = KET_KE0_PER_H, NORKET,
  .f_total = KET_F_RACEMATE, .f_oral_single = 0.08, KET_ROUTES};

/* Domino 1982 racemic 3-cmt, per kg: V1 0.063 L/kg; k10 0.4381, k12 0.5921, k13 0.5900,
 * k21 0.2470, k31 0.0146 /min. CL = k10 V1, Q = k1j V1, Vj = Q / kj1 (70 kg, per hour). */
#define DOM_V1 (0.063 * 70.0)
static const gen_params domino = {
  .v1_L = DOM_V1, .cl_L_per_h = 0.4381 * 60.0 * DOM_V1,
  .q_L_per_h = {0.5921 * 60.0 * DOM_V1, 0.5900 * 60.0 * DOM_V1},
  .vp_L = {0.5921 / 0.2470 * DOM_V1, 0.5900 / 0.0146 * DOM_V1},
  .n_periph = 2, .per_kg = 1, .ke0_per_h = KET_KE0_PER_H, NORKET,
  .f_total = KET_F_RACEMATE, KET_ROUTES};

/* Albrecht 1999 midazolam (< 65 y): V1 7.9 L; CL 0.399 L/min; k12 0.19, k13 0.065, k21 0.06,
 * k31 0.0083 /min; ke0 0.11 /min. */
static const gen_params albrecht = {
  .v1_L = 7.9, .cl_L_per_h = 0.399 * 60.0, .q_L_per_h = {0.19 * 60.0 * 7.9, 0.065 * 60.0 * 7.9},
  .vp_L = {0.19 / 0.06 * 7.9, 0.065 / 0.0083 * 7.9}, .n_periph = 2, .per_kg = 0,
  .ke0_per_h = 0.11 * 60.0, .has_met = 0, .routes = 0x1u};

static ks_status b_fanta(ks_ctx *ctx, const pk_set *s, ks_drug d, const ks_pk_patient *p,
                         const double mult[KS_PKP_N], unsigned used, pk_unit *u, int *n_units) {
  (void)ctx; (void)s;
  return build_gen_drug(&fanta, d, p, mult, used, u, n_units);
}
static ks_status b_domino(ks_ctx *ctx, const pk_set *s, ks_drug d, const ks_pk_patient *p,
                          const double mult[KS_PKP_N], unsigned used, pk_unit *u, int *n_units) {
  (void)ctx; (void)s;
  return build_gen_drug(&domino, d, p, mult, used, u, n_units);
}
/* Albrecht 1999 elderly group (67-81 y; the published model has separate young and elderly
 * parameter sets, used below and from 65 y as in open TCI code): V1 8.5 L; CL 0.388 L/min;
 * k12 0.10, k13 0.066, k21 0.051, k31 0.0069 /min; ke0 0.08 /min. */
static const gen_params albrecht_elderly = {
  .v1_L = 8.5, .cl_L_per_h = 0.388 * 60.0, .q_L_per_h = {0.10 * 60.0 * 8.5, 0.066 * 60.0 * 8.5},
  .vp_L = {0.10 / 0.051 * 8.5, 0.066 / 0.0069 * 8.5}, .n_periph = 2, .per_kg = 0,
  .ke0_per_h = 0.08 * 60.0, .has_met = 0, .routes = 0x1u};
#define ALBRECHT_ELDERLY_AGE_Y 65.0

static ks_status b_albrecht(ks_ctx *ctx, const pk_set *s, ks_drug d, const ks_pk_patient *p,
                            const double mult[KS_PKP_N], unsigned used, pk_unit *u, int *n_units) {
  (void)ctx; (void)s;
  const gen_params *g = p->age_y >= ALBRECHT_ELDERLY_AGE_Y ? &albrecht_elderly : &albrecht;
  return build_gen_drug(g, d, p, mult, used, u, n_units);
}

/* ------------------------------------------------------------------------------------------ */
/* Perez-Ruixo 2021 esketamine: 3-cmt + hepato-portal compartment, noresketamine 2-cmt. */

/* Perez-Ruixo 2021 Table 3 (70 kg; volumes L, flows and clearances L/h, rates 1/h, times h). */
static const struct perez_params {
  double vc, q1, vp1, q2, vp2, qh, qh_per_year, vh, kel, kel_asian, kmet, frn, frn_japanese,
      frn_repeat, ka_n, dsw_h, ka_sw, dpo_h, ka_po, fgut, vcn, cln, cln_asian, vpn, q3;
} PR = {192.0, 84.3, 143.0, 37.6, 417.0, 151.0, 2.19, 101.0, 1.11, 0.36, 2.77, 0.54, 1.34,
        0.62, 2.93, 0.53, 1.45, 0.32, 0.97, 0.64, 70.0, 38.0, 0.81, 115.0, 26.1};

static ks_status b_perez(ks_ctx *ctx, const pk_set *s, ks_drug d, const ks_pk_patient *p,
                         const double mult[KS_PKP_N], unsigned used, pk_unit *u, int *n_units) {
  (void)s; (void)used;
  if (d != KS_DRUG_ESKETAMINE)
    return ks_ctx_fail(ctx, KS_EINPUT, "model 'perezruixo2021' simulates esketamine only");
  unit_init(u, d, KS_SP_S_KETAMINE, KS_SP_S_NORKETAMINE, 1.0);
  const char *px = "esketamine.S";
  double vc = PR.vc * mult[KS_PKP_V1], vp1 = PR.vp1 * mult[KS_PKP_VP1],
         vp2 = PR.vp2 * mult[KS_PKP_VP2];
  double q1 = PR.q1 * mult[KS_PKP_Q], q2 = PR.q2 * mult[KS_PKP_Q];
  /* Hepatic blood flow falls by 2.19 L/h per year above 60 (Table 3). */
  double qh = (PR.qh - PR.qh_per_year * fmax(0.0, p->age_y - 60.0)) * mult[KS_PKP_QH];
  if (qh < 15.0) qh = 15.0;  /* floor: beyond age 122 the linear covariate would go negative */
  double vh = PR.vh * mult[KS_PKP_VH];
  double kel = PR.kel * mult[KS_PKP_CL] * (p->asian ? PR.kel_asian : 1.0);
  double kmet = PR.kmet * mult[KS_PKP_KMET];
  double vcn = PR.vcn * mult[KS_PKP_VM], vpn = PR.vpn;
  double cln = PR.cln * mult[KS_PKP_CLM] * (p->asian ? PR.cln_asian : 1.0), q3 = PR.q3;
  /* One KA deviate drives every absorption rate, scaled by each rate's own omega. */
  double lka = log(mult[KS_PKP_KA]);
  double ka_n = PR.ka_n * mult[KS_PKP_KA];
  double ka_sw = PR.ka_sw * exp(lka * 1.004 / 0.565), ka_po = PR.ka_po * exp(lka * 1.004 / 0.565);
  int c = u->i_central = add_state(u, px, "central", PK_ST_MASS);
  u->v_central_L = vc;
  int p1 = add_state(u, px, "periph1", PK_ST_MASS);
  int p2 = add_state(u, px, "periph2", PK_ST_MASS);
  int h = add_state(u, px, "liver", PK_ST_MASS);
  int mc = u->i_met_central = add_state(u, px, "nor.central", PK_ST_MASS);
  int mp = add_state(u, px, "nor.periph", PK_ST_MASS);
  int dn = u->i_nasal = add_state(u, px, "nasal", PK_ST_MASS);
  int dsw = u->i_swallow = add_state(u, px, "gut.swallowed", PK_ST_MASS);
  int dpo = add_state(u, px, "gut.oral", PK_ST_MASS);
  u->i_eff = add_state(u, px, "effect", PK_ST_EFFECT);
  u->i_met_eff = add_state(u, px, "nor.effect", PK_ST_EFFECT);
  int el = add_state(u, px, "eliminated", PK_ST_ELIM);
  int mel = add_state(u, px, "nor.eliminated", PK_ST_ELIM);
  u->i_lost = add_state(u, px, "not_absorbed", PK_ST_LOST);
  flow(u, c, p1, q1 / vc);
  flow(u, p1, c, q1 / vp1);
  flow(u, c, p2, q2 / vc);
  flow(u, p2, c, q2 / vp2);
  flow(u, c, h, qh / vc);
  flow(u, h, c, qh / vh);
  flow(u, h, el, kel);
  flow(u, h, mc, kmet);
  flow(u, mc, mel, cln / vcn);
  flow(u, mc, mp, q3 / vcn);
  flow(u, mp, mc, q3 / vpn);
  flow(u, dn, c, ka_n);
  flow(u, dsw, h, ka_sw);
  flow(u, dpo, h, ka_po);
  effect(u, u->i_eff, c, vc, KET_KE0_PER_H);
  effect(u, u->i_met_eff, mc, vcn, KET_KE0_PER_H);
  u->v_met_L = vcn;
  u->met_mass_ratio = ks_species_molar_mass_g_per_mol(KS_SP_S_NORKETAMINE) /
                      ks_species_molar_mass_g_per_mol(KS_SP_S_KETAMINE);
  u->fgut = PR.fgut;
  route_add(u, KS_ROUTE_IV, c, 1.0, 0.0);
  route_add(u, KS_ROUTE_ORAL, dpo, u->fgut, PR.dpo_h);  /* zero-order over Dpo */
  /* Intranasal: per-dose fractions depend on the number of devices (ks__pk_dose_inputs). */
  u->route[KS_ROUTE_INTRANASAL].supported = 1;
  u->nasal_devices = 1;
  double frn = logit_scale(PR.frn, mult[KS_PKP_F]) * (p->japanese ? PR.frn_japanese : 1.0);
  u->frn = frn > 1.0 ? 1.0 : frn;
  u->frn_repeat = PR.frn_repeat;
  u->dsw_h = PR.dsw_h;
  finish(u);
  *n_units = 1;
  return KS_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* The registry. Omegas: SD of the log (logit for F) deviate; see docs/model/pk.md. */

#define ASSUMED_OMEGA {0.30, 0.30, 0.40, 0.40, 0.30, 0.50, 0.50, 0.30, 0.30, 0.0, 0.0, 0.0}

static const pk_set sets[] = {
  {"fanta2015",
   "Fanta S et al. Eur J Clin Pharmacol 2015;71:441 (S-ketamine); S-norketamine: Otto/Fanta "
   "(nlmixr2 model library)",
   (1u << KS_DRUG_KETAMINE) | (1u << KS_DRUG_ESKETAMINE), ASSUMED_OMEGA, {{0}}, b_fanta},
  {"domino1982", "Domino EF et al. Clin Pharmacol Ther 1982;31:350 (racemic ketamine)",
   (1u << KS_DRUG_KETAMINE), ASSUMED_OMEGA, {{0}}, b_domino},
  {"perezruixo2021", "Perez-Ruixo C et al. Clin Pharmacokinet 2021;60:501 (esketamine)",
   (1u << KS_DRUG_ESKETAMINE),
   /* CL=kel, V1=Vc, VP1, VP2 (none), Q (none), KA=ka_n, F=logit FRn, CLM=CLn, VM=Vcn, QH, VH,
    * KMET (Table 3 omits the value: 30% CV placeholder as in nlmixr2lib). */
   {0.944, 0.270, 0.467, 0.0, 0.0, 0.565, 0.708, 0.250, 0.309, 0.229, 0.336, 0.294},
   {{0}}, b_perez},
  {"albrecht1999", "Albrecht S et al. Clin Pharmacol Ther 1999;65:630 (midazolam; young and "
   "elderly (>= 65 y) sets)",
   (1u << KS_DRUG_MIDAZOLAM), {0.30, 0.30, 0.40, 0.40, 0.30, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0},
   {{0}}, b_albrecht},
};

const pk_set *ks__pk_set_find(const char *name) {
  if (!name) return NULL;
  for (size_t i = 0; i < KS_ARRAY_LEN(sets); i++)
    if (strcmp(sets[i].name, name) == 0) return &sets[i];
  return NULL;
}

size_t ks_pk_model_count(void) { return KS_ARRAY_LEN(sets); }
const char *ks_pk_model_name(size_t i) { return i < KS_ARRAY_LEN(sets) ? sets[i].name : NULL; }
const char *ks_pk_model_citation(const char *model) {
  const pk_set *s = ks__pk_set_find(model);
  return s ? s->citation : NULL;
}
double ks_pk_model_omega(const char *model, ks_pk_param p) {
  const pk_set *s = ks__pk_set_find(model);
  if (!s || (unsigned)p >= KS_PKP_N) return NAN;
  return s->omega[p];
}
const char *ks_pk_model_default(ks_drug d) {
  switch (d) {
    case KS_DRUG_KETAMINE: return "fanta2015";
    case KS_DRUG_ESKETAMINE: return "perezruixo2021";
    case KS_DRUG_MIDAZOLAM: return "albrecht1999";
    default: return NULL;
  }
}

void ks__pk_multipliers(const pk_set *s, const ks_pk_patient *p, ks_drug d,
                        double mult[KS_PKP_N]) {
  /* Correlated deviates e = L z with L the Cholesky factor of the set's correlation matrix
   * (identity where the source gives no correlation). */
  int any_corr = 0;
  for (int i = 0; i < KS_PKP_N; i++)
    for (int j = 0; j < KS_PKP_N; j++) any_corr |= i != j && s->corr[i][j] != 0.0;
  if (!any_corr) {  /* independent deviates (every built-in set today): L = I */
    for (int i = 0; i < KS_PKP_N; i++) {
      double m = p->mult[d][i];
      if (!(m > 0.0) || !isfinite(m)) m = 1.0;
      mult[i] = exp(s->omega[i] * p->eta_z[d][i]) * m;
    }
    return;
  }
  double C[KS_PKP_N][KS_PKP_N], L[KS_PKP_N][KS_PKP_N];
  for (int i = 0; i < KS_PKP_N; i++)
    for (int j = 0; j < KS_PKP_N; j++) {
      C[i][j] = (i == j) ? 1.0 : (i > j ? s->corr[i][j] + s->corr[j][i] : 0.0);
      L[i][j] = 0.0;
    }
  for (int j = 0; j < KS_PKP_N; j++) {
    double sum = C[j][j];
    for (int k = 0; k < j; k++) sum -= L[j][k] * L[j][k];
    L[j][j] = sum > 0.0 ? sqrt(sum) : 0.0;
    for (int i = j + 1; i < KS_PKP_N; i++) {
      double t = C[i][j];
      for (int k = 0; k < j; k++) t -= L[i][k] * L[j][k];
      L[i][j] = L[j][j] > 0.0 ? t / L[j][j] : 0.0;
    }
  }
  for (int i = 0; i < KS_PKP_N; i++) {
    double e = 0.0;
    for (int k = 0; k <= i; k++) e += L[i][k] * p->eta_z[d][k];
    double m = p->mult[d][i];
    if (!(m > 0.0) || !isfinite(m)) m = 1.0;
    mult[i] = exp(s->omega[i] * e) * m;
  }
}

int ks__pk_dose_inputs(const pk_unit *u, const ks_pk_dose *dose, pk_input *in) {
  if (dose->route == KS_ROUTE_IV) {
    in[0] = (pk_input){u->i_central, 1.0, dose->infusion_h};
    return 1;
  }
  if (dose->route == KS_ROUTE_INTRANASAL && u->nasal_devices) {
    /* Perez-Ruixo 2021: FRn per 28-mg device; every device after the first absorbs x0.62. */
    double nd = fmax(1.0, floor(dose->dose_mg / 28.0 + 0.5));
    double frn = u->frn * (1.0 + (nd - 1.0) * u->frn_repeat) / nd;
    in[0] = (pk_input){u->i_nasal, frn, 0.0};
    in[1] = (pk_input){u->i_swallow, (1.0 - frn) * u->fgut, u->dsw_h};
    return 2;
  }
  const pk_route_map *m = &u->route[dose->route];
  for (int k = 0; k < m->n_in; k++) in[k] = m->in[k];
  return m->n_in;
}

int ks_pk_model_supports(const char *model, ks_drug d, ks_route r) {
  const pk_set *s = ks__pk_set_find(model);
  if (!s || (unsigned)d >= KS_DRUG_N || (unsigned)r >= KS_ROUTE_N) return 0;
  if (!(s->drugs & (1u << d))) return 0;
  pk_unit u[2];
  int nu = 0;
  ks_pk_patient p = ks_pk_patient_typical(70.0, 40.0, 0);
  double mult[KS_PKP_N];
  ks__pk_multipliers(s, &p, d, mult);
  if (s->build(NULL, s, d, &p, mult, 1u << r, u, &nu) != KS_OK || nu < 1) return 0;
  return u[0].route[r].supported;
}

/* ------------------------------------------------------------------------------------------ */
/* The documented parameter table (data/pk/parameter_sets.tsv), computed from the structures the
 * builders use, so a test can check the two against each other. */

size_t ks__pk_param_rows(pk_param_row *out, size_t cap) {
  const gen_params *f = &fanta, *dm = &domino;
  const gen_params *al[2] = {&albrecht, &albrecht_elderly};
  const double v1d = dm->v1_L / 70.0, v1 = dm->v1_L;
  pk_param_row r[] = {
    {"fanta2015", "V1 (S-ketamine central)", f->v1_L}, {"fanta2015", "CL", f->cl_L_per_h},
    {"fanta2015", "Vp1", f->vp_L[0]}, {"fanta2015", "Q1", f->q_L_per_h[0]},
    {"fanta2015", "Vp2", f->vp_L[1]}, {"fanta2015", "Q2", f->q_L_per_h[1]},
    {"fanta2015", "F oral (esketamine in this set)", f->f_oral_single},
    {"fanta2015", "CL(R)/CL(S)", f->r_cl_ratio},
    {"fanta2015", "S-norketamine V", f->vm_L}, {"fanta2015", "S-norketamine CL", f->clm_L_per_h},
    {"fanta2015", "S-norketamine Vp", f->vmp_L}, {"fanta2015", "S-norketamine Q", f->qm_L_per_h},
    {"fanta2015", "fraction of CL forming norketamine", f->fm},
    {"domino1982", "V1", v1d}, {"domino1982", "k10", dm->cl_L_per_h / v1 / 60.0},
    {"domino1982", "k12", dm->q_L_per_h[0] / v1 / 60.0},
    {"domino1982", "k13", dm->q_L_per_h[1] / v1 / 60.0},
    {"domino1982", "k21", dm->q_L_per_h[0] / dm->vp_L[0] / 60.0},
    {"domino1982", "k31", dm->q_L_per_h[1] / dm->vp_L[1] / 60.0},
    {"perezruixo2021", "Vc", PR.vc}, {"perezruixo2021", "Q1", PR.q1},
    {"perezruixo2021", "Vp1", PR.vp1}, {"perezruixo2021", "Q2", PR.q2},
    {"perezruixo2021", "Vp2", PR.vp2}, {"perezruixo2021", "Qh", PR.qh},
    {"perezruixo2021", "Vh", PR.vh}, {"perezruixo2021", "kel (x0.36 Asian)", PR.kel},
    {"perezruixo2021", "kmet", PR.kmet},
    {"perezruixo2021", "FRn per 28-mg device (x1.34 Japanese)", PR.frn},
    {"perezruixo2021", "FRn factor for each further device", PR.frn_repeat},
    {"perezruixo2021", "ka nasal", PR.ka_n},
    {"perezruixo2021", "Dsw (zero-order, swallowed)", PR.dsw_h},
    {"perezruixo2021", "ka swallowed", PR.ka_sw},
    {"perezruixo2021", "Dpo (zero-order, oral)", PR.dpo_h},
    {"perezruixo2021", "ka oral", PR.ka_po}, {"perezruixo2021", "Fgut", PR.fgut},
    {"perezruixo2021", "noresketamine Vcn/F", PR.vcn},
    {"perezruixo2021", "noresketamine CLn/F (x0.81 Asian)", PR.cln},
    {"perezruixo2021", "noresketamine Vpn/F", PR.vpn},
    {"perezruixo2021", "noresketamine Q3/F", PR.q3},
    {"ketamine-routes", "F oral (racemate)", f->f_total[KS_ROUTE_ORAL]},
    {"ketamine-routes", "sublingual mucosal fraction", f->b_sl},
    {"ketamine-routes", "sublingual mucosal zero-order time", f->dsl_h},
    {"ketamine-routes", "sublingual swallowed share: zero-order time", f->dsl_sw_h},
    {"ketamine-routes", "gut-to-liver mean transit time", f->mtt_portal_h},
    {"ketamine-routes", "norketamine formation chain mean transit time", f->mtt_form_h},
    {"ketamine-routes", "F rectal", f->f_total[KS_ROUTE_RECTAL]},
    {"ketamine-routes", "F intranasal", f->f_total[KS_ROUTE_INTRANASAL]},
    {"ketamine-routes", "F IM", f->f_total[KS_ROUTE_IM]},
    {"ketamine-routes", "Qh (hepatic plasma flow, first pass)", f->qh_L_per_h},
    {"ketamine-routes", "Vh (liver, first pass)", f->vh_L},
    {"ketamine-routes", "ka oral and rectal", f->ka_per_h[KS_ROUTE_ORAL]},
    {"ketamine-routes", "ka sublingual", f->ka_per_h[KS_ROUTE_SUBLINGUAL]},
    {"ketamine-routes", "ka intranasal", f->ka_per_h[KS_ROUTE_INTRANASAL]},
    {"ketamine-routes", "ka IM", f->ka_per_h[KS_ROUTE_IM]},
    {"ketamine-routes", "intranasal swallowed share: zero-order time", f->dsw_h},
    {"ketamine-routes", "intranasal swallowed share: ka", f->ka_sw_per_h},
    {"ketamine-routes", "intranasal swallowed share", f->swallow_in},
  };
  size_t n = 0;
  for (size_t i = 0; i < KS_ARRAY_LEN(r); i++, n++)
    if (n < cap) out[n] = r[i];
  /* Albrecht: the young set, then the elderly set, in the table's units (L, L/min, 1/min). */
  static const char *const nm[2][7] = {
    {"V1", "CL", "k12", "k13", "k21", "k31", "ke0"},
    {"V1_elderly", "CL_elderly", "k12_elderly", "k13_elderly", "k21_elderly", "k31_elderly",
     "ke0_elderly"}};
  for (int e = 0; e < 2; e++) {
    const gen_params *a = al[e];
    double v = a->v1_L;
    double m[7] = {v, a->cl_L_per_h / 60.0, a->q_L_per_h[0] / v / 60.0, a->q_L_per_h[1] / v / 60.0,
                   a->q_L_per_h[0] / a->vp_L[0] / 60.0, a->q_L_per_h[1] / a->vp_L[1] / 60.0,
                   a->ke0_per_h / 60.0};
    for (int i = 0; i < 7; i++, n++)
      if (n < cap) out[n] = (pk_param_row){"albrecht1999", nm[e][i], m[i]};
  }
  return n;
}
