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
  double ka_per_h[KS_ROUTE_N];
  double f_total[KS_ROUTE_N];    /* published bioavailability per route */
  double swallow[KS_ROUTE_N];    /* share of the dose swallowed (goes the oral way) */
  double fpm;                    /* fraction of first-pass extraction forming the metabolite */
  double r_cl_ratio;             /* CL(R) / CL(S) for racemic ketamine */
  double limit_mg_per_kg;
} gen_params;

static const char *const route_tag[KS_ROUTE_N] = {"iv", "im", "nasal", "gut", "sublingual",
                                                  "rectal"};

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
  int lost = u->i_lost = add_state(u, prefix, "not_absorbed", PK_ST_LOST);
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
  double f_oral = logit_scale(g->f_total[KS_ROUTE_ORAL], mult[KS_PKP_F]);
  int gut = -1;
  for (int r = KS_ROUTE_IM; r < KS_ROUTE_N; r++) {
    if (!(g->routes & (1u << r))) continue;
    if (!(used & (1u << r))) {
      u->route[r].supported = 1;  /* available, but not dosed: no depot needed */
      continue;
    }
    double s = (r == KS_ROUTE_ORAL) ? 1.0 : g->swallow[r];
    if (s > 0.0 && gut < 0) {
      gut = add_state(u, prefix, "depot.gut", PK_ST_MASS);
      double ka = g->ka_per_h[KS_ROUTE_ORAL] * mult[KS_PKP_KA];
      flow(u, gut, c, ka * f_oral);
      if (g->has_met) flow(u, gut, mc, ka * (1.0 - f_oral) * g->fpm);
      flow(u, gut, lost, ka * (1.0 - f_oral) * (g->has_met ? 1.0 - g->fpm : 1.0));
    }
    if (r == KS_ROUTE_ORAL) {
      route_add(u, KS_ROUTE_ORAL, gut, 1.0, 0.0);
      continue;
    }
    /* Direct share: its own depot and bioavailability F' chosen so that the total,
     * (1 - s) F' + s F_oral, equals the published route bioavailability. */
    double f_tot = logit_scale(g->f_total[r], mult[KS_PKP_F]);
    double fd = s < 1.0 ? clamp01((f_tot - s * f_oral) / (1.0 - s)) : 0.0;
    int dep = add_state(u, prefix, route_tag[r], PK_ST_MASS);
    double ka = g->ka_per_h[r] * mult[KS_PKP_KA];
    flow(u, dep, c, ka * fd);
    /* Rectal: the part not reaching the circulation intact is first-pass metabolism (upper
     * rectal veins drain to the portal vein); other routes lose it unabsorbed. */
    double to_met = (r == KS_ROUTE_RECTAL && g->has_met) ? g->fpm : 0.0;
    if (to_met > 0.0) flow(u, dep, mc, ka * (1.0 - fd) * to_met);
    if (1.0 - to_met > 0.0) flow(u, dep, lost, ka * (1.0 - fd) * (1.0 - to_met));
    route_add(u, (ks_route)r, dep, 1.0 - s, 0.0);
    if (s > 0.0) route_add(u, (ks_route)r, gut, s, 0.0);
  }
  u->limit_mg_per_kg = g->limit_mg_per_kg;
  for (int r = 0; r < KS_ROUTE_N; r++) u->f_nominal[r] = g->f_total[r];
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
    u[0].limit_mg_per_kg = 0.5;
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

/* Routes of the ketamine sets: ka (1/h), published total F, swallowed share. */
#define KET_ROUTES                                                                            \
  .routes = 0x3Fu, .ka_per_h = {0.0, 6.0, 2.93, 1.0, 2.0, 1.5},                              \
  .swallow = {0.0, 0.0, 0.5, 1.0, 0.5, 0.0}, .fpm = 1.0, .r_cl_ratio = 0.84,                 \
  .limit_mg_per_kg = 1.0

/* Otto/Fanta S-norketamine, apparent 2-cmt (70 kg). */
#define NORKET                                                                                \
  .has_met = 1, .fm = 1.0, .vm_L = 98.6, .clm_L_per_h = 57.7, .qm_L_per_h = 42.8,            \
  .vmp_L = 160.0, .ke0m_per_h = KET_KE0_PER_H

/* Fanta 2015 S-ketamine 3-cmt for 70 kg. */
static const gen_params fanta = {
  .v1_L = 133.0, .cl_L_per_h = 95.2, .q_L_per_h = {23.2, 157.0}, .vp_L = {187.0, 98.8},
  .n_periph = 2, .per_kg = 0, .ke0_per_h = KET_KE0_PER_H, NORKET,
  .f_total = {1.0, 0.93, 0.45, 0.08, 0.29, 0.30}, KET_ROUTES};

/* Domino 1982 racemic 3-cmt, per kg: V1 0.063 L/kg; k10 0.4381, k12 0.5921, k13 0.5900,
 * k21 0.2470, k31 0.0146 /min. CL = k10 V1, Q = k1j V1, Vj = Q / kj1 (70 kg, per hour). */
#define DOM_V1 (0.063 * 70.0)
static const gen_params domino = {
  .v1_L = DOM_V1, .cl_L_per_h = 0.4381 * 60.0 * DOM_V1,
  .q_L_per_h = {0.5921 * 60.0 * DOM_V1, 0.5900 * 60.0 * DOM_V1},
  .vp_L = {0.5921 / 0.2470 * DOM_V1, 0.5900 / 0.0146 * DOM_V1},
  .n_periph = 2, .per_kg = 1, .ke0_per_h = KET_KE0_PER_H, NORKET,
  .f_total = {1.0, 0.93, 0.45, 0.17, 0.29, 0.30}, KET_ROUTES};

/* Albrecht 1999 midazolam (< 65 y): V1 7.9 L; CL 0.399 L/min; k12 0.19, k13 0.065, k21 0.06,
 * k31 0.0083 /min; ke0 0.11 /min. */
static const gen_params albrecht = {
  .v1_L = 7.9, .cl_L_per_h = 0.399 * 60.0, .q_L_per_h = {0.19 * 60.0 * 7.9, 0.065 * 60.0 * 7.9},
  .vp_L = {0.19 / 0.06 * 7.9, 0.065 / 0.0083 * 7.9}, .n_periph = 2, .per_kg = 0,
  .ke0_per_h = 0.11 * 60.0, .has_met = 0, .routes = 0x1u, .limit_mg_per_kg = 0.1};

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
  .ke0_per_h = 0.08 * 60.0, .has_met = 0, .routes = 0x1u, .limit_mg_per_kg = 0.1};
#define ALBRECHT_ELDERLY_AGE_Y 65.0

static ks_status b_albrecht(ks_ctx *ctx, const pk_set *s, ks_drug d, const ks_pk_patient *p,
                            const double mult[KS_PKP_N], unsigned used, pk_unit *u, int *n_units) {
  (void)ctx; (void)s;
  const gen_params *g = p->age_y >= ALBRECHT_ELDERLY_AGE_Y ? &albrecht_elderly : &albrecht;
  return build_gen_drug(g, d, p, mult, used, u, n_units);
}

/* ------------------------------------------------------------------------------------------ */
/* Perez-Ruixo 2021 esketamine: 3-cmt + hepato-portal compartment, noresketamine 2-cmt. */

static ks_status b_perez(ks_ctx *ctx, const pk_set *s, ks_drug d, const ks_pk_patient *p,
                         const double mult[KS_PKP_N], unsigned used, pk_unit *u, int *n_units) {
  (void)s; (void)used;
  if (d != KS_DRUG_ESKETAMINE)
    return ks_ctx_fail(ctx, KS_EINPUT, "model 'perezruixo2021' simulates esketamine only");
  unit_init(u, d, KS_SP_S_KETAMINE, KS_SP_S_NORKETAMINE, 1.0);
  const char *px = "esketamine.S";
  double vc = 192.0 * mult[KS_PKP_V1], vp1 = 143.0 * mult[KS_PKP_VP1],
         vp2 = 417.0 * mult[KS_PKP_VP2];
  double q1 = 84.3 * mult[KS_PKP_Q], q2 = 37.6 * mult[KS_PKP_Q];
  /* Hepatic blood flow falls by 2.19 L/h per year above 60 (Table 3). */
  double qh = (151.0 - 2.19 * fmax(0.0, p->age_y - 60.0)) * mult[KS_PKP_QH];
  if (qh < 15.0) qh = 15.0;  /* floor: beyond age 122 the linear covariate would go negative */
  double vh = 101.0 * mult[KS_PKP_VH];
  double kel = 1.11 * mult[KS_PKP_CL] * (p->asian ? 0.36 : 1.0);
  double kmet = 2.77 * mult[KS_PKP_KMET];
  double vcn = 70.0 * mult[KS_PKP_VM], vpn = 115.0;
  double cln = 38.0 * mult[KS_PKP_CLM] * (p->asian ? 0.81 : 1.0), q3 = 26.1;
  /* One KA deviate drives every absorption rate, scaled by each rate's own omega. */
  double lka = log(mult[KS_PKP_KA]);
  double ka_n = 2.93 * mult[KS_PKP_KA];
  double ka_sw = 1.45 * exp(lka * 1.004 / 0.565), ka_po = 0.97 * exp(lka * 1.004 / 0.565);
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
  u->fgut = 0.64;
  route_add(u, KS_ROUTE_IV, c, 1.0, 0.0);
  route_add(u, KS_ROUTE_ORAL, dpo, u->fgut, 0.32);  /* zero-order over Dpo = 0.32 h */
  /* Intranasal: per-dose fractions depend on the number of devices (ks__pk_dose_inputs). */
  u->route[KS_ROUTE_INTRANASAL].supported = 1;
  u->nasal_devices = 1;
  double frn = logit_scale(0.54, mult[KS_PKP_F]) * (p->japanese ? 1.34 : 1.0);
  u->frn = frn > 1.0 ? 1.0 : frn;
  u->frn_repeat = 0.62;
  u->dsw_h = 0.53;
  u->limit_mg_per_kg = 0.5;
  u->limit_in_mg = 112.0;
  u->f_nominal[KS_ROUTE_IV] = 1.0;
  /* Oral: Fgut (1 - E_H), E_H = CLint / (Qh + CLint), CLint = Vh (kel + kmet) (well-stirred). */
  u->f_nominal[KS_ROUTE_ORAL] = 0.64 * 151.0 / (151.0 + 101.0 * (1.11 + 2.77));
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
