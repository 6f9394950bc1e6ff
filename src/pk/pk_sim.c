/* SPDX-License-Identifier: MIT */
/* Exact solution of the linear compartment system: modal (eigenvector) form, propagated exactly
 * between dose events, with zero-order inputs solved in closed form. */
#include "pk_internal.h"

#include <ketasim/linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Names and species constants. */

static const char *const species_names[KS_SPECIES_N] = {
    "s-ketamine", "r-ketamine", "s-norketamine", "r-norketamine", "midazolam"};
static const char *const param_names[KS_PKP_N] = {"cl", "v1", "vp1", "vp2", "q", "ka",
                                                  "f", "clm", "vm", "qh", "vh", "kmet"};

const char *ks_species_name(ks_species s) {
  return (unsigned)s < KS_SPECIES_N ? species_names[s] : "?";
}
const char *ks_pk_param_name(ks_pk_param p) {
  return (unsigned)p < KS_PKP_N ? param_names[p] : "?";
}

double ks_species_molar_mass_g_per_mol(ks_species s) {
  switch (s) {
    case KS_SP_S_KETAMINE: case KS_SP_R_KETAMINE: return 237.7;
    case KS_SP_S_NORKETAMINE: case KS_SP_R_NORKETAMINE: return 223.7;
    case KS_SP_MIDAZOLAM: return 325.8;
    default: return NAN;
  }
}

/* Plasma unbound fractions: ketamine ~47% bound (Dayton 1983), norketamine assumed as ketamine,
 * midazolam 96-98% bound (Greenblatt 1984). */
double ks_species_fraction_unbound(ks_species s) {
  switch (s) {
    case KS_SP_S_KETAMINE: case KS_SP_R_KETAMINE: return 0.53;
    case KS_SP_S_NORKETAMINE: case KS_SP_R_NORKETAMINE: return 0.50;
    case KS_SP_MIDAZOLAM: return 0.04;
    default: return NAN;
  }
}

/* Brain-to-plasma unbound partition: 1 for these small lipophilic bases that cross the
 * blood-brain barrier by passive diffusion (assumption, docs/model/pk.md). */
double ks_species_kpuu_brain(ks_species s) {
  return (unsigned)s < KS_SPECIES_N ? 1.0 : NAN;
}

/* ------------------------------------------------------------------------------------------ */
/* Patients and options. */

ks_pk_patient ks_pk_patient_typical(double weight_kg, double age_y, int female) {
  ks_pk_patient p;
  memset(&p, 0, sizeof p);
  p.weight_kg = weight_kg;
  p.age_y = age_y;
  p.female = female ? 1 : 0;
  for (int d = 0; d < KS_DRUG_N; d++)
    for (int k = 0; k < KS_PKP_N; k++) p.mult[d][k] = 1.0;
  return p;
}

void ks_pk_patient_sample_iiv(ks_pk_patient *p, ks_rng *r) {
  if (!p || !r) return;
  for (int d = 0; d < KS_DRUG_N; d++)
    for (int k = 0; k < KS_PKP_N; k++) p->eta_z[d][k] = ks_rng_normal(r);
}

ks_pk_options ks_pk_options_default(void) {
  ks_pk_options o;
  memset(&o, 0, sizeof o);
  return o;
}

/* ------------------------------------------------------------------------------------------ */
/* Diagonalisation. */

static double max_abs(const double *a, int n) {
  double m = 0.0;
  for (int i = 0; i < n; i++) {
    double x = fabs(a[i]);
    m = x > m ? x : m;  /* not fmax: a libm call in the per-patient path */
  }
  return m;
}

/* Eigen-decomposition by LAPACK dgeev + LU inverse; returns 1 when the eigenvalues are complex
 * or a factorisation fails. */
static int lapack_eig(pk_unit *u) {
  int n = u->n;
  double a[PK_MAXS * PK_MAXS], wr[PK_MAXS], wi[PK_MAXS];
  memcpy(a, u->A, sizeof(double) * (size_t)(n * n));
  if (ks_la_eig((size_t)n, a, wr, wi, u->V) != 0) return 1;
  /* Compartment matrices of these models have real eigenvalues (they are similar to symmetric
   * matrices block by block). */
  double scale = max_abs(u->A, n * n);
  for (int i = 0; i < n; i++)
    if (fabs(wi[i]) > 1e-12 * scale) return 1;
  memcpy(u->lambda, wr, sizeof(double) * (size_t)n);
  memcpy(u->Vinv, u->V, sizeof(double) * (size_t)(n * n));
  return ks_la_inverse((size_t)n, u->Vinv) != 0;
}

/* Check V V^-1 = I and the condition of V: near-coincident eigenvalues make V nearly singular,
 * and the modal sums then lose about log10(cond) digits. Returns 1 when not good enough. */
static int eig_check(const pk_unit *u) {
  int n = u->n;
  double nv = max_abs(u->V, n * n), nvi = max_abs(u->Vinv, n * n);
  if (!(nv * nvi * n <= 1e8)) return 1;
  double err = 0.0, s[PK_MAXS];
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) s[j] = 0.0;
    for (int k = 0; k < n; k++) {  /* V is sparse (block-triangular): skip its zeros */
      double v = u->V[i * n + k];
      if (v != 0.0)
        for (int j = 0; j < n; j++) s[j] += v * u->Vinv[k * n + j];
    }
    for (int j = 0; j < n; j++) {
      double d = fabs(s[j] - (i == j ? 1.0 : 0.0));
      err = d > err ? d : err;
    }
  }
  return !(err <= 1e-10);
}

/* Try to diagonalise A = V diag(lambda) V^-1: first by the structured closed form (pk_eig.c),
 * then by LAPACK; returns 0 on success, 1 when the eigenvalues are complex or V is too
 * ill-conditioned for the exact-solution accuracy we promise. */
static int try_eig(pk_unit *u) {
  if (ks__pk_eig_structured(u) == 0 && eig_check(u) == 0) return 0;
  if (lapack_eig(u) != 0) return 1;
  return eig_check(u);
}

ks_status ks__pk_unit_diagonalise(ks_ctx *ctx, pk_unit *u) {
  if (try_eig(u) == 0) return KS_OK;
  /* Coincident eigenvalues (e.g. an absorption rate equal to a disposition eigenvalue) make A
   * defective. Separate them by scaling every outflow of each depot (a mass state nothing flows
   * into) and each effect state by 1 + 1e-6 k: mass balance stays exact (a column is scaled as a
   * whole), concentrations move by about 1e-6 relative, and V's condition stays near 1e6.
   * Nearly coincident rates along the first pass (a patient's ka or liver rate within about 1%
   * of a transit rate, or of each other) leave V too ill-conditioned instead: then the outflows
   * of the depots, effect states and first-pass transit states are scaled by 1 + s h_i, with h_i
   * = frac(0.618 (i + 1)) spread over [0, 1) so that neighbouring states move apart, s = 1e-3,
   * 1e-2, 3e-2, 1e-1 in turn (attempts 4-7). That moves an absorption or transit time of such a
   * patient by at most 10% (a fraction of the between-patient spread of ka, omega 0.5) and leaves
   * every AUC and F unchanged (the split of each state's outflow is kept). Of 120,000 sims
   * (20,000 patients with sampled variability; ketamine by each extravascular route and by all
   * at once) 74 needed attempt 4 or later, none failed. */
  double saved[PK_MAXS * PK_MAXS];
  memcpy(saved, u->A, sizeof saved);
  static const double step[8] = {0.0, 1e-6, 2e-6, 3e-6, 1e-3, 1e-2, 3e-2, 1e-1};
  for (int attempt = 1; attempt <= 7; attempt++) {
    int n = u->n, wide = attempt >= 4;
    if (wide) memcpy(u->A, saved, sizeof saved);  /* attempts 1-3 compound, as they always did */
    for (int i = 0; i < n; i++) {
      int inflow = 0;
      for (int j = 0; j < n; j++)
        if (j != i && u->A[i * n + j] != 0.0) inflow = 1;
      int depot_or_effect = u->kind[i] == PK_ST_EFFECT || (u->kind[i] == PK_ST_MASS && !inflow);
      if (!depot_or_effect && !(wide && u->transit[i])) continue;
      double h = wide ? fmod(0.6180339887498949 * (double)(i + 1), 1.0)
                      : (double)(i + 1) / (double)n;
      double f = 1.0 + step[attempt] * h;
      for (int j = 0; j < n; j++) u->A[j * n + i] *= f;
    }
    if (try_eig(u) == 0) {
      ks_log(ctx, KS_LOG_DEBUG, "pk: coincident eigenvalues separated (attempt %d)", attempt);
      return KS_OK;
    }
  }
  return ks_ctx_fail(ctx, KS_ENUMERIC, "pk: the compartment system of %s could not be "
                     "diagonalised (coincident rate constants)", ks_drug_name(u->drug));
}

/* ------------------------------------------------------------------------------------------ */
/* Inputs. */

void ks__pk_unit_input_rate(const pk_unit *u, double t_h, double *b) {
  for (int i = 0; i < u->n; i++) b[i] = 0.0;
  for (size_t k = 0; k < u->n_adm; k++) {
    const double *a = &u->adm[4 * k];
    if (a[1] > 0.0 && t_h >= a[0] && t_h < a[0] + a[1]) b[(int)a[3]] += a[2] / a[1];
  }
}

void ks__pk_unit_add_bolus(const pk_unit *u, double t_h, double *x) {
  for (size_t k = 0; k < u->n_adm; k++) {
    const double *a = &u->adm[4 * k];
    if (a[1] == 0.0 && a[0] == t_h) x[(int)a[3]] += a[2];
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* phi(lambda, tau) = (exp(lambda tau) - 1) / lambda, = tau at lambda = 0. */
static inline double phi(double lam, double tau) {
  return lam != 0.0 ? expm1(lam * tau) / lam : tau;
}

/* Record every input of the unit's doses, then propagate the modal state across events. */
static ks_status unit_schedule(ks_ctx *ctx, pk_unit *u, const ks_pk_dose *doses, size_t nd) {
  int n = u->n;
  size_t n_adm = 0;
  for (size_t k = 0; k < nd; k++)
    if (doses[k].drug == u->drug) n_adm += PK_MAXIN + 1;
  u->adm = ks_malloc(ctx, sizeof(double) * 4 * (n_adm ? n_adm : 1));
  double *tev = ks_malloc(ctx, sizeof(double) * 2 * (n_adm ? n_adm : 1));
  if (!u->adm || !tev) {
    ks_free(ctx, tev);
    return KS_ENOMEM;
  }
  u->n_adm = 0;
  size_t n_ev = 0;
  for (size_t k = 0; k < nd; k++) {
    if (doses[k].drug != u->drug) continue;
    pk_input in[PK_MAXIN];
    int m = ks__pk_dose_inputs(u, &doses[k], in);
    double amount = doses[k].dose_mg * u->share, used = 0.0;
    for (int j = 0; j < m; j++) {
      if (in[j].frac <= 0.0) continue;
      double *a = &u->adm[4 * u->n_adm++];
      a[0] = doses[k].t_start_h;
      a[1] = in[j].dur_h;
      a[2] = amount * in[j].frac;
      a[3] = in[j].state;
      used += in[j].frac;
      tev[n_ev++] = a[0];
      if (a[1] > 0.0) tev[n_ev++] = a[0] + a[1];
    }
    if (used < 1.0 - 1e-15) {
      double *a = &u->adm[4 * u->n_adm++];
      a[0] = doses[k].t_start_h;
      a[1] = 0.0;
      a[2] = amount * (1.0 - used);
      a[3] = u->i_lost;
      tev[n_ev++] = a[0];
    }
  }
  qsort(tev, n_ev, sizeof(double), cmp_double);
  size_t n_seg = 0;
  for (size_t k = 0; k < n_ev; k++)
    if (n_seg == 0 || tev[k] != tev[n_seg - 1]) tev[n_seg++] = tev[k];
  u->n_seg = n_seg;
  u->seg_t = tev;
  u->seg_z = ks_calloc(ctx, (n_seg ? n_seg : 1) * (size_t)n, sizeof(double));
  u->seg_beta = ks_calloc(ctx, (n_seg ? n_seg : 1) * (size_t)n, sizeof(double));
  if (!u->seg_z || !u->seg_beta) return KS_ENOMEM;
  double x[PK_MAXS], b[PK_MAXS];
  for (size_t s = 0; s < n_seg; s++) {
    double *z = &u->seg_z[s * (size_t)n], *beta = &u->seg_beta[s * (size_t)n];
    if (s > 0) {
      /* z(t_s) = e^{lambda tau} z(t_{s-1}) + phi(lambda, tau) beta_{s-1}: exact. */
      const double *z0 = &u->seg_z[(s - 1) * (size_t)n], *b0 = &u->seg_beta[(s - 1) * (size_t)n];
      double tau = u->seg_t[s] - u->seg_t[s - 1];
      for (int i = 0; i < n; i++)
        z[i] = exp(u->lambda[i] * tau) * z0[i] + phi(u->lambda[i], tau) * b0[i];
    }
    for (int i = 0; i < n; i++) x[i] = 0.0;
    ks__pk_unit_add_bolus(u, u->seg_t[s], x);
    ks__pk_unit_input_rate(u, u->seg_t[s], b);
    for (int i = 0; i < n; i++) {
      double zb = 0.0, bb = 0.0;
      for (int j = 0; j < n; j++) {
        zb += u->Vinv[i * n + j] * x[j];
        bb += u->Vinv[i * n + j] * b[j];
      }
      z[i] += zb;
      beta[i] = bb;
    }
  }
  /* Output rows in ng/mL: mg/L = ug/mL = 1000 ng/mL. */
  for (int i = 0; i < n; i++) {
    u->row_out[0][i] = 1000.0 / u->v_central_L * u->V[u->i_central * n + i];
    u->row_out[1][i] = 1000.0 * u->V[u->i_eff * n + i];
    u->row_out[2][i] = u->i_met_central >= 0
                           ? 1000.0 * u->met_mass_ratio / u->v_met_L * u->V[u->i_met_central * n + i]
                           : 0.0;
    u->row_out[3][i] =
        u->i_met_eff >= 0 ? 1000.0 * u->met_mass_ratio * u->V[u->i_met_eff * n + i] : 0.0;
  }
  return KS_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Creation and checks. */

static ks_status check_dose(ks_ctx *ctx, size_t k, const ks_pk_dose *d, const pk_unit *u,
                            const char *model, const ks_pk_patient *p, const ks_pk_options *o) {
  if (!(isfinite(d->dose_mg) && d->dose_mg > 0.0))
    return ks_ctx_fail(ctx, KS_EINPUT, "dose %zu: dose must be a positive finite amount (got "
                       "%g mg)", k + 1, d->dose_mg);
  if (!(isfinite(d->t_start_h) && d->t_start_h >= 0.0))
    return ks_ctx_fail(ctx, KS_EINPUT, "dose %zu: start time must be finite and >= 0 h (got %g)",
                       k + 1, d->t_start_h);
  if (!(isfinite(d->infusion_h) && d->infusion_h >= 0.0))
    return ks_ctx_fail(ctx, KS_EINPUT, "dose %zu: infusion duration must be finite and >= 0 h "
                       "(got %g)", k + 1, d->infusion_h);
  if (d->infusion_h > 0.0 && d->route != KS_ROUTE_IV)
    return ks_ctx_fail(ctx, KS_EINPUT, "dose %zu: an infusion duration applies to the iv route "
                       "only (got route %s)", k + 1, ks_route_name(d->route));
  if (!u->route[d->route].supported) {
    char avail[96] = "";
    for (int r = 0; r < KS_ROUTE_N; r++)
      if (u->route[r].supported) {
        if (avail[0]) strncat(avail, ", ", sizeof avail - strlen(avail) - 1);
        strncat(avail, ks_route_name((ks_route)r), sizeof avail - strlen(avail) - 1);
      }
    return ks_ctx_fail(ctx, KS_EINPUT, "dose %zu: route %s is not available for %s in model %s "
                       "(expected one of: %s)", k + 1, ks_route_name(d->route), ks_drug_name(d->drug),
                       model, avail);
  }
  if (o->t_end_h > 0.0 && d->t_start_h + d->infusion_h > o->t_end_h * (1.0 + 1e-12))
    return ks_ctx_fail(ctx, KS_EINPUT, "dose %zu: the infusion ends at %g h, after the end of "
                       "the simulation (%g h)", k + 1, d->t_start_h + d->infusion_h, o->t_end_h);
  if (d->route == KS_ROUTE_INTRANASAL && u->nasal_devices) {
    double nd = d->dose_mg / 28.0;
    if (fabs(nd - floor(nd + 0.5)) > 1e-9 || nd < 0.5)
      return ks_ctx_fail(ctx, KS_EINPUT, "dose %zu: intranasal esketamine is given in 28-mg "
                         "devices (got %g mg; expected 28, 56, 84 or 112 mg)", k + 1, d->dose_mg);
  }
  if (o->allow_unstudied_doses) return KS_OK;
  /* The one studied-dose table (ks_pk_studied_dose_max): a dose in mg is studied when it is
   * within the fixed-dose limit or the per-kg limit at this patient's weight, so that every dose
   * a scenario accepts (per kg, or fixed) is accepted here for any patient. */
  double max_kg = 0.0, max_mg = 0.0;
  if (!ks_pk_studied_dose_max(d->drug, d->route, &max_kg, &max_mg))
    return ks_ctx_fail(ctx, KS_ERANGE, "dose %zu: %s by the %s route has no studied psychiatric "
                       "dose (expected another route, or allow_unstudied_doses / "
                       "--allow-unstudied-doses)", k + 1, ks_drug_name(d->drug),
                       ks_route_name(d->route));
  double lim = fmax(max_mg, max_kg * p->weight_kg);
  if (d->dose_mg > lim * (1.0 + 1e-12))
    return ks_ctx_fail(ctx, KS_ERANGE, "dose %zu: %g mg %s %s is above the studied psychiatric "
                       "range (expected at most %g mg or %g mg/kg, or allow_unstudied_doses / "
                       "--allow-unstudied-doses)", k + 1, d->dose_mg, ks_route_name(d->route),
                       ks_drug_name(d->drug), max_mg, max_kg);
  return KS_OK;
}

static void units_free(ks_ctx *ctx, pk_unit *u) {
  ks_free(ctx, u->seg_t);
  ks_free(ctx, u->seg_z);
  ks_free(ctx, u->seg_beta);
  ks_free(ctx, u->adm);
  u->seg_t = u->seg_z = u->seg_beta = u->adm = NULL;
}

void ks_pk_sim_destroy(ks_pk_sim **sim) {
  if (!sim || !*sim) return;
  ks_pk_sim *s = *sim;
  for (int k = 0; k < s->n_units; k++) units_free(s->ctx, &s->unit[k]);
  ks_free(s->ctx, s->events);
  ks_free(s->ctx, s->doses);
  ks_free(s->ctx, s);
  *sim = NULL;
}

/* Merge the event times of all units and keep a copy of the doses. */
static ks_status merge_events(ks_ctx *ctx, ks_pk_sim *s, const ks_pk_dose *doses, size_t n_doses) {
  ks_status st = KS_OK;
  if (st == KS_OK) {
    size_t total = 0;
    for (int k = 0; k < s->n_units; k++) total += s->unit[k].n_seg;
    s->events = ks_malloc(ctx, sizeof(double) * (total ? total : 1));
    s->doses = ks_malloc(ctx, sizeof(ks_pk_dose) * (n_doses ? n_doses : 1));
    if (!s->events || !s->doses) {
      st = KS_ENOMEM;
    } else {
      size_t m = 0;
      for (int k = 0; k < s->n_units; k++)
        for (size_t j = 0; j < s->unit[k].n_seg; j++) s->events[m++] = s->unit[k].seg_t[j];
      qsort(s->events, m, sizeof(double), cmp_double);
      s->n_events = 0;
      for (size_t j = 0; j < m; j++)
        if (s->n_events == 0 || s->events[j] != s->events[s->n_events - 1])
          s->events[s->n_events++] = s->events[j];
      if (n_doses) memcpy(s->doses, doses, sizeof(ks_pk_dose) * n_doses);
      s->n_doses = n_doses;
    }
  }
  return st;
}

/* A sim with room for max_units units and none built: only the header is cleared (a unit is
 * fully initialised by its builder before n_units counts it). */
static ks_pk_sim *sim_alloc(ks_ctx *ctx, int max_units) {
  ks_pk_sim *s = ks_malloc(ctx, sizeof *s + sizeof(pk_unit) * (size_t)(max_units > 0 ? max_units : 1));
  if (!s) return NULL;
  s->ctx = ctx;
  s->n_units = 0;
  s->events = NULL;
  s->n_events = 0;
  s->doses = NULL;
  s->n_doses = 0;
  return s;
}

ks_status ks_pk_sim_create(ks_ctx *ctx, const ks_pk_patient *patient, const ks_pk_dose *doses,
                           size_t n_doses, const ks_pk_options *opts, ks_pk_sim **out) {
  KS_CHECK_ARG(ctx, patient != NULL);
  KS_CHECK_ARG(ctx, out != NULL);
  KS_CHECK_ARG(ctx, doses != NULL || n_doses == 0);
  ks_pk_options o = opts ? *opts : ks_pk_options_default();
  if (!(isfinite(patient->weight_kg) && patient->weight_kg >= 30.0 && patient->weight_kg <= 250.0))
    return ks_ctx_fail(ctx, KS_EINPUT, "body weight %g kg is outside the supported range "
                       "(30-250 kg)", patient->weight_kg);
  if (!(isfinite(patient->age_y) && patient->age_y >= 0.0 && patient->age_y <= 120.0))
    return ks_ctx_fail(ctx, KS_EINPUT, "age %g y is outside the supported range (0-120 y)",
                       patient->age_y);
  for (size_t k = 0; k < n_doses; k++) {
    if ((unsigned)doses[k].drug >= KS_DRUG_N || (unsigned)doses[k].route >= KS_ROUTE_N)
      return ks_ctx_fail(ctx, KS_EINPUT, "dose %zu: unknown drug or route", k + 1);
  }
  int max_units = 0;
  for (int d = 0; d < KS_DRUG_N; d++)
    for (size_t k = 0; k < n_doses; k++)
      if (doses[k].drug == (ks_drug)d) { max_units += 2; break; }
  ks_pk_sim *s = sim_alloc(ctx, max_units);
  if (!s) return KS_ENOMEM;
  ks_status st = KS_OK;
  for (int d = 0; d < KS_DRUG_N && st == KS_OK; d++) {
    int used = 0;
    for (size_t k = 0; k < n_doses; k++) used |= doses[k].drug == (ks_drug)d;
    if (!used) continue;
    const char *model = o.model[d] ? o.model[d] : ks_pk_model_default((ks_drug)d);
    const pk_set *set = ks__pk_set_find(model);
    if (!set) {
      st = ks_ctx_fail(ctx, KS_EINPUT, "unknown PK model '%s' (expected fanta2015, domino1982, "
                       "perezruixo2021 or albrecht1999)", model);
      break;
    }
    if (!(set->drugs & (1u << d))) {
      st = ks_ctx_fail(ctx, KS_EINPUT, "PK model '%s' cannot simulate %s (default: %s)", model,
                       ks_drug_name((ks_drug)d), ks_pk_model_default((ks_drug)d));
      break;
    }
    double mult[KS_PKP_N];
    ks__pk_multipliers(set, patient, (ks_drug)d, mult);
    int nu = 0;
    unsigned routes = 0;
    for (size_t k = 0; k < n_doses; k++)
      if (doses[k].drug == (ks_drug)d) routes |= 1u << doses[k].route;
    pk_unit *u = &s->unit[s->n_units];
    if ((st = set->build(ctx, set, (ks_drug)d, patient, mult, routes, u, &nu)) != KS_OK) break;
    s->n_units += nu;
    for (size_t k = 0; k < n_doses && st == KS_OK; k++)
      if (doses[k].drug == (ks_drug)d) st = check_dose(ctx, k, &doses[k], u, model, patient, &o);
    for (int j = 0; j < nu && st == KS_OK; j++) {
      if ((st = ks__pk_unit_diagonalise(ctx, &u[j])) != KS_OK) break;
      st = unit_schedule(ctx, &u[j], doses, n_doses);
    }
  }
  if (st == KS_OK) st = merge_events(ctx, s, doses, n_doses);
  if (st != KS_OK) {
    ks_pk_sim_destroy(&s);
    return st;
  }
  *out = s;
  return KS_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Evaluation. */

/* Index of the last segment starting at or before t, or -1. */
static long find_seg(const pk_unit *u, double t) {
  if (u->n_seg == 0 || t < u->seg_t[0]) return -1;
  size_t lo = 0, hi = u->n_seg;  /* invariant: seg_t[lo] <= t < seg_t[hi] */
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (u->seg_t[mid] <= t) lo = mid; else hi = mid;
  }
  return (long)lo;
}

/* Modal state at t (zeros before the first event). */
static void modal_at(const pk_unit *u, double t, double *z) {
  long s = find_seg(u, t);
  int n = u->n;
  if (s < 0) {
    for (int i = 0; i < n; i++) z[i] = 0.0;
    return;
  }
  const double *z0 = &u->seg_z[(size_t)s * (size_t)n], *b = &u->seg_beta[(size_t)s * (size_t)n];
  double tau = t - u->seg_t[s];
  /* Outside an infusion a segment has no input (b = 0): skip phi, the same value. */
  for (int i = 0; i < n; i++)
    z[i] = b[i] != 0.0 ? exp(u->lambda[i] * tau) * z0[i] + phi(u->lambda[i], tau) * b[i] : exp(u->lambda[i] * tau) * z0[i];
}

static double dot(const double *a, const double *b, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* Concentrations are never negative. Rounding in the modal sum leaves about 1e-16 of the
 * largest term (e.g. 6e-14 ng/mL in plasma at the instant of a nasal dose), so values below
 * 1e-9 ng/mL (4e-15 uM, physically nothing) are reported as 0. */
static double nonneg(double x) { return x > 1e-9 ? x : 0.0; }

ks_status ks_pk_sim_eval(const ks_pk_sim *sim, double t_h, ks_pk_conc *out) {
  if (!sim || !out) return KS_EINVAL;
  if (!(isfinite(t_h) && t_h >= 0.0))
    return ks_ctx_fail(sim->ctx, KS_EINVAL, "ks_pk_sim_eval: time must be finite and >= 0 h "
                       "(got %g)", t_h);
  memset(out, 0, sizeof *out);
  out->t_h = t_h;
  for (int k = 0; k < sim->n_units; k++) {
    const pk_unit *u = &sim->unit[k];
    double z[PK_MAXS];
    modal_at(u, t_h, z);
    out->plasma_ng_per_mL[u->sp_parent] += nonneg(dot(u->row_out[0], z, u->n));
    out->effect_ng_per_mL[u->sp_parent] += nonneg(dot(u->row_out[1], z, u->n));
    if (u->sp_met >= 0) {
      out->plasma_ng_per_mL[u->sp_met] += nonneg(dot(u->row_out[2], z, u->n));
      out->effect_ng_per_mL[u->sp_met] += nonneg(dot(u->row_out[3], z, u->n));
    }
  }
  for (int s = 0; s < KS_SPECIES_N; s++)
    out->brain_unbound_uM[s] = out->effect_ng_per_mL[s] *
                               ks_species_fraction_unbound((ks_species)s) *
                               ks_species_kpuu_brain((ks_species)s) /
                               ks_species_molar_mass_g_per_mol((ks_species)s);
  return KS_OK;
}

/* Modes of a unit that carry weight in the requested plasma outputs, at most PK_MAXS, padded
 * with inert lanes (zero state, zero weight) to a multiple of GRID_W so that the inner loops
 * have a fixed width and vectorise. */
enum { GRID_W = 4 };
typedef struct grid_modes {
  int m, idx[PK_MAXS + GRID_W];
  double e[PK_MAXS + GRID_W], f[PK_MAXS + GRID_W];       /* exp(lambda dt), phi(lambda, dt) */
  double rp[PK_MAXS + GRID_W], rm[PK_MAXS + GRID_W];     /* plasma weights: parent, metabolite */
} grid_modes;

static void grid_modes_init(const pk_unit *u, double dt_h, int want_parent, int want_met,
                            grid_modes *g) {
  int m = 0;
  for (int i = 0; i < u->n; i++) {
    double rp = want_parent ? u->row_out[0][i] : 0.0, rm = want_met ? u->row_out[2][i] : 0.0;
    if (rp == 0.0 && rm == 0.0) continue;  /* exact zero: the mode never reaches plasma */
    g->idx[m] = i;
    g->e[m] = exp(u->lambda[i] * dt_h);
    g->f[m] = phi(u->lambda[i], dt_h);
    g->rp[m] = rp;
    g->rm[m] = rm;
    m++;
  }
  for (; m % GRID_W; m++) {
    g->idx[m] = -1;
    g->e[m] = g->f[m] = g->rp[m] = g->rm[m] = 0.0;
  }
  g->m = m;
}

/* One unit's plasma outputs on the grid t0_h + j dt_h, added to parent[j ld] / met[j ld]
 * (NULL: not wanted). Between events, z_{j+1} = e z_j + f beta per mode (exact); at each event the modal
 * state is recomputed from the segment start, as ks_pk_sim_eval does. */
static void unit_grid(const pk_unit *u, double t0_h, double dt_h, size_t n_t, double *parent,
                      double *met, size_t ld) {
  grid_modes g;
  grid_modes_init(u, dt_h, parent != NULL, met != NULL && u->sp_met >= 0, &g);
  if (g.m == 0) return;
  int n = u->n, m = g.m;
  double z[PK_MAXS + GRID_W], gb[PK_MAXS + GRID_W], zf[PK_MAXS];
  size_t j = 0;
  while (j < n_t) {
    double t = t0_h + (double)j * dt_h;
    long s = find_seg(u, t);
    double t_next = s + 1 < (long)u->n_seg ? u->seg_t[s + 1] : INFINITY;
    modal_at(u, t, zf);
    for (int k = 0; k < m; k++) {
      int i = g.idx[k];
      z[k] = i >= 0 ? zf[i] : 0.0;
      gb[k] = i >= 0 && s >= 0 ? g.f[k] * u->seg_beta[(size_t)s * (size_t)n + (size_t)i] : 0.0;
    }
    for (;;) {
      double cp = 0.0, cm = 0.0;
      for (int c = 0; c < m; c += GRID_W)
        for (int l = 0; l < GRID_W; l++) {
          cp += g.rp[c + l] * z[c + l];
          cm += g.rm[c + l] * z[c + l];
        }
      if (parent) parent[j * ld] += nonneg(cp);
      if (met) met[j * ld] += nonneg(cm);
      if (++j >= n_t || !(t0_h + (double)j * dt_h < t_next)) break;
      /* No event in (t - dt, t]: one exact step with the reused propagator. Fast modes decay
       * into subnormal numbers, which are 100x slower to multiply; below 1e-250 (mg) a mode
       * contributes nothing measurable. */
      for (int c = 0; c < m; c += GRID_W)
        for (int l = 0; l < GRID_W; l++) {
          double zi = g.e[c + l] * z[c + l] + gb[c + l];
          z[c + l] = fabs(zi) < 1e-250 ? 0.0 : zi;
        }
    }
  }
}

ks_status ks_pk_sim_eval_grid_plasma(const ks_pk_sim *sim, double t0_h, double dt_h, size_t n_t,
                                     double *parent, double *met) {
  if (!sim) return KS_EINVAL;
  if (!(isfinite(t0_h) && t0_h >= 0.0 && isfinite(dt_h) && dt_h > 0.0))
    return ks_ctx_fail(sim->ctx, KS_EINVAL, "ks_pk_sim_eval_grid_plasma: need t0 >= 0, dt > 0");
  for (size_t i = 0; i < n_t; i++) {
    if (parent) parent[i] = 0.0;
    if (met) met[i] = 0.0;
  }
  for (int k = 0; k < sim->n_units; k++)
    unit_grid(&sim->unit[k], t0_h, dt_h, n_t, parent, met, 1);
  return KS_OK;
}

/* Lockstep evaluation of up to LS_K sims that share their units' event times: the state of
 * every (plasma-weighted mode, sim) pair sits in slot-major arrays, so each step is a loop over
 * sims that vectorises. LS_S bounds the modes per sim (ketamine: 2 units x 3 parent modes). */
enum { LS_K = 32, LS_S = 16 };
typedef struct lockstep {
  int n_slots, unit_first[2 * KS_DRUG_N + 1];
  int idx[LS_S][LS_K];
  double e[LS_S][LS_K], f[LS_S][LS_K], rp[LS_S][LS_K], rm[LS_S][LS_K];
  double z[LS_S][LS_K], g[LS_S][LS_K];
} lockstep;

/* 1 if sims[0..nk) can be marched in lockstep (same units, event times and mode counts). */
static int lockstep_init(lockstep *L, const ks_pk_sim *const *sims, size_t nk, double dt_h,
                         int want_parent, int want_met) {
  const ks_pk_sim *s0 = sims[0];
  int ns = 0;
  for (int u = 0; u < s0->n_units; u++) {
    L->unit_first[u] = ns;
    int m0 = -1;
    for (size_t k = 0; k < nk; k++) {
      const ks_pk_sim *sk = sims[k];
      if (!sk || sk->n_units != s0->n_units) return 0;
      const pk_unit *a = &sk->unit[u], *b = &s0->unit[u];
      if (a->n_seg != b->n_seg || a->sp_met != b->sp_met) return 0;
      for (size_t q = 0; q < a->n_seg; q++)
        if (a->seg_t[q] != b->seg_t[q]) return 0;
      grid_modes g;
      grid_modes_init(a, dt_h, want_parent, want_met && a->sp_met >= 0, &g);
      int m = 0;
      while (m < g.m && g.idx[m] >= 0) m++;
      if (m0 < 0) m0 = m;
      if (m != m0 || ns + m > LS_S) return 0;
      for (int i = 0; i < m; i++) {
        L->idx[ns + i][k] = g.idx[i];
        L->e[ns + i][k] = g.e[i];
        L->f[ns + i][k] = g.f[i];
        L->rp[ns + i][k] = g.rp[i];
        L->rm[ns + i][k] = g.rm[i];
      }
    }
    ns += m0 > 0 ? m0 : 0;
  }
  L->unit_first[s0->n_units] = ns;
  L->n_slots = ns;
  return 1;
}

/* The lockstep loop is the population hot spot: on x86-64 Linux with GCC it is also compiled
 * for AVX2 and picked at load time (ifunc). Lanes are independent, so every clone does the same
 * IEEE operations in the same order per sim: results are identical bit for bit. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(__SANITIZE_ADDRESS__)
#define KS_PK_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define KS_PK_CLONES
#endif

KS_PK_CLONES
static void lockstep_run(lockstep *L, const ks_pk_sim *const *sims, size_t nk, double t0_h,
                         double dt_h, size_t n_t, double *parent, double *met, size_t ld) {
  const ks_pk_sim *s0 = sims[0];
  int nu = s0->n_units;
  size_t j = 0;
  while (j < n_t) {
    double t = t0_h + (double)j * dt_h, t_next = INFINITY;
    /* Restart every unit from its exact modal state at t (an event was crossed). */
    for (int u = 0; u < nu; u++) {
      const pk_unit *u0 = &s0->unit[u];
      long sg = find_seg(u0, t);
      if (sg + 1 < (long)u0->n_seg) t_next = fmin(t_next, u0->seg_t[sg + 1]);
      for (size_t k = 0; k < nk; k++) {
        const pk_unit *uk = &sims[k]->unit[u];
        double zf[PK_MAXS];
        modal_at(uk, t, zf);
        for (int q = L->unit_first[u]; q < L->unit_first[u + 1]; q++) {
          int i = L->idx[q][k];
          L->z[q][k] = zf[i];
          L->g[q][k] = sg >= 0 ? L->f[q][k] * uk->seg_beta[(size_t)sg * (size_t)uk->n + (size_t)i]
                               : 0.0;
        }
      }
    }
    for (;;) {
      /* Sum of the units' (non-negative) outputs, written once per step: the output is
       * stored, never read back. */
      double tp[LS_K] = {0}, tm[LS_K] = {0}, a[LS_K];
      for (int u = 0; u < nu; u++) {
        if (parent) {
          for (size_t k = 0; k < nk; k++) a[k] = 0.0;
          for (int q = L->unit_first[u]; q < L->unit_first[u + 1]; q++)
            for (size_t k = 0; k < nk; k++) a[k] += L->rp[q][k] * L->z[q][k];
          for (size_t k = 0; k < nk; k++) tp[k] += nonneg(a[k]);
        }
        if (met) {
          for (size_t k = 0; k < nk; k++) a[k] = 0.0;
          for (int q = L->unit_first[u]; q < L->unit_first[u + 1]; q++)
            for (size_t k = 0; k < nk; k++) a[k] += L->rm[q][k] * L->z[q][k];
          for (size_t k = 0; k < nk; k++) tm[k] += nonneg(a[k]);
        }
      }
      if (parent)
        for (size_t k = 0; k < nk; k++) parent[j * ld + k] = tp[k];
      if (met)
        for (size_t k = 0; k < nk; k++) met[j * ld + k] = tm[k];
      if (++j >= n_t || !(t0_h + (double)j * dt_h < t_next)) break;
      for (int q = 0; q < L->n_slots; q++)
        for (size_t k = 0; k < nk; k++) {
          double zi = L->e[q][k] * L->z[q][k] + L->g[q][k];
          L->z[q][k] = fabs(zi) < 1e-250 ? 0.0 : zi;
        }
    }
  }
}

ks_status ks_pk_sims_eval_grid_plasma(const ks_pk_sim *const *sims, size_t n_sims, double t0_h,
                                      double dt_h, size_t n_t, double *parent, double *met,
                                      size_t ld) {
  if (!sims || (n_sims > 0 && ld < n_sims) || (n_t > 0 && n_sims > 0 && !parent && !met))
    return KS_EINVAL;
  for (size_t k = 0; k < n_sims; k++)
    if (!sims[k]) return KS_EINVAL;
  if (!(isfinite(t0_h) && t0_h >= 0.0 && isfinite(dt_h) && dt_h > 0.0)) {
    if (n_sims > 0)
      return ks_ctx_fail(sims[0]->ctx, KS_EINVAL, "ks_pk_sims_eval_grid_plasma: need t0 >= 0, "
                         "dt > 0 (got %g, %g)", t0_h, dt_h);
    return KS_EINVAL;
  }
  lockstep L;
  for (size_t k0 = 0; k0 < n_sims; k0 += LS_K) {
    size_t nk = n_sims - k0 < LS_K ? n_sims - k0 : LS_K;
    double *p = parent ? parent + k0 : NULL, *m = met ? met + k0 : NULL;
    if (lockstep_init(&L, sims + k0, nk, dt_h, parent != NULL, met != NULL)) {
      lockstep_run(&L, sims + k0, nk, t0_h, dt_h, n_t, p, m, ld);
    } else {
      for (size_t j = 0; j < n_t; j++)
        for (size_t k = 0; k < nk; k++) {
          if (p) p[j * ld + k] = 0.0;
          if (m) m[j * ld + k] = 0.0;
        }
      for (size_t k = 0; k < nk; k++)
        for (int u = 0; u < sims[k0 + k]->n_units; u++)
          unit_grid(&sims[k0 + k]->unit[u], t0_h, dt_h, n_t, p ? p + k : NULL, m ? m + k : NULL,
                    ld);
    }
  }
  return KS_OK;
}

static ks_status exposure_eval(void *ud, double t_h, ks_pk_conc *out) {
  return ks_pk_sim_eval((const ks_pk_sim *)ud, t_h, out);
}

void ks_pk_sim_exposure(const ks_pk_sim *sim, ks_exposure *out) {
  if (!out) return;
  memset(out, 0, sizeof *out);
  if (!sim) return;
  out->eval = exposure_eval;
  out->ud = (void *)(uintptr_t)sim;  /* the callback only reads through it */
  out->event_t_h = sim->events;
  out->n_events = sim->n_events;
}

/* ------------------------------------------------------------------------------------------ */
/* States and mass balance. */

size_t ks_pk_sim_n_states(const ks_pk_sim *sim) {
  size_t n = 0;
  if (sim)
    for (int k = 0; k < sim->n_units; k++) n += (size_t)sim->unit[k].n;
  return n;
}

const char *ks_pk_sim_state_name(const ks_pk_sim *sim, size_t i) {
  if (!sim) return NULL;
  for (int k = 0; k < sim->n_units; k++) {
    if (i < (size_t)sim->unit[k].n) return sim->unit[k].name[i];
    i -= (size_t)sim->unit[k].n;
  }
  return NULL;
}

static void unit_amounts(const pk_unit *u, double t, double *x) {
  double z[PK_MAXS];
  modal_at(u, t, z);
  for (int i = 0; i < u->n; i++) x[i] = dot(&u->V[i * u->n], z, u->n);
}

ks_status ks_pk_sim_amounts(const ks_pk_sim *sim, double t_h, double *amounts, size_t cap,
                            size_t *n) {
  if (!sim || !n || (!amounts && cap > 0)) return KS_EINVAL;
  if (!(isfinite(t_h) && t_h >= 0.0)) return KS_EINVAL;
  size_t m = 0;
  for (int k = 0; k < sim->n_units; k++) {
    double x[PK_MAXS];
    unit_amounts(&sim->unit[k], t_h, x);
    for (int i = 0; i < sim->unit[k].n; i++, m++)
      if (m < cap) amounts[m] = x[i];
  }
  *n = m;
  return m <= cap ? KS_OK : KS_EINVAL;
}

ks_status ks_pk_sim_mass_balance(const ks_pk_sim *sim, double t_h, ks_pk_mass_balance *out) {
  if (!sim || !out) return KS_EINVAL;
  if (!(isfinite(t_h) && t_h >= 0.0)) return KS_EINVAL;
  memset(out, 0, sizeof *out);
  /* Administered, from the dose list alone. */
  for (size_t k = 0; k < sim->n_doses; k++) {
    const ks_pk_dose *d = &sim->doses[k];
    if (t_h < d->t_start_h) continue;
    if (d->infusion_h > 0.0)
      out->administered_mg += d->dose_mg * fmin(1.0, (t_h - d->t_start_h) / d->infusion_h);
    else
      out->administered_mg += d->dose_mg;
  }
  for (int k = 0; k < sim->n_units; k++) {
    const pk_unit *u = &sim->unit[k];
    double x[PK_MAXS];
    unit_amounts(u, t_h, x);
    for (int i = 0; i < u->n; i++) {
      if (u->kind[i] == PK_ST_MASS) out->in_body_mg += x[i];
      else if (u->kind[i] == PK_ST_ELIM) out->eliminated_mg += x[i];
      else if (u->kind[i] == PK_ST_LOST) out->not_absorbed_mg += x[i];
    }
    /* Zero-order gut inputs (perezruixo2021) not yet delivered are still in the gut. */
    for (size_t j = 0; j < u->n_adm; j++) {
      const double *a = &u->adm[4 * j];
      if (a[1] > 0.0 && (int)a[3] != u->i_central && t_h >= a[0] && t_h < a[0] + a[1])
        out->in_body_mg += a[2] * (1.0 - (t_h - a[0]) / a[1]);
    }
  }
  return KS_OK;
}

int ks__pk_sim_n_units(const ks_pk_sim *sim) { return sim ? sim->n_units : 0; }
const pk_unit *ks__pk_sim_unit(const ks_pk_sim *sim, int k) {
  return sim && k >= 0 && k < sim->n_units ? &sim->unit[k] : NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Bioavailability: AUC of the parent in plasma after the route, over AUC after an IV bolus,
 * both to infinity, from the modal form: AUC = sum_i row_i z_i / (-lambda_i). */

static double auc_inf(const pk_unit *u, const double *x0) {
  int n = u->n;
  double auc = 0.0;
  for (int i = 0; i < n; i++) {
    if (!(u->lambda[i] < -1e-12)) continue;  /* accumulators: zero weight in plasma */
    double zi = dot(&u->Vinv[i * n], x0, n);
    auc += u->V[u->i_central * n + i] * zi / (-u->lambda[i]);
  }
  return auc;
}

double ks_pk_model_bioavailability(const char *model, ks_drug d, ks_route r, double dose_mg) {
  const pk_set *s = ks__pk_set_find(model);
  if (!s || (unsigned)d >= KS_DRUG_N || (unsigned)r >= KS_ROUTE_N) return NAN;
  if (!(s->drugs & (1u << d))) return NAN;
  pk_unit *u = malloc(sizeof(pk_unit) * 2);
  if (!u) return NAN;
  int nu = 0;
  ks_pk_patient p = ks_pk_patient_typical(70.0, 40.0, 0);
  double mult[KS_PKP_N], f = NAN;
  ks__pk_multipliers(s, &p, d, mult);
  if (s->build(NULL, s, d, &p, mult, 1u << r, u, &nu) == KS_OK && u[0].route[r].supported) {
    /* Parent AUC over all units (racemate: S + R, each with its share), route over IV. */
    double auc = 0.0, auc_iv = 0.0;
    ks_pk_dose dose = {d, r, dose_mg > 0.0 ? dose_mg : 28.0, 0.0, 0.0};
    for (int k = 0; k < nu; k++) {
      if (ks__pk_unit_diagonalise(NULL, &u[k]) != KS_OK) {
        auc_iv = NAN;
        break;
      }
      pk_input in[PK_MAXIN];
      int m = ks__pk_dose_inputs(&u[k], &dose, in);
      double x[PK_MAXS] = {0}, xiv[PK_MAXS] = {0};
      for (int j = 0; j < m; j++) x[in[j].state] += in[j].frac * u[k].share;
      xiv[u[k].i_central] = u[k].share;
      auc += auc_inf(&u[k], x);
      auc_iv += auc_inf(&u[k], xiv);
    }
    f = auc / auc_iv;
  }
  free(u);
  return f;
}

ks_status ks__pk_sim_from_units(ks_ctx *ctx, const pk_unit *units, int n_units,
                                const ks_pk_dose *doses, size_t n_doses, ks_pk_sim **out) {
  KS_CHECK_ARG(ctx, units != NULL && n_units > 0 && n_units <= 2 * KS_DRUG_N && out != NULL);
  ks_pk_sim *s = sim_alloc(ctx, n_units);
  if (!s) return KS_ENOMEM;
  ks_status st = KS_OK;
  for (int k = 0; k < n_units && st == KS_OK; k++) {
    s->unit[k] = units[k];
    s->unit[k].seg_t = s->unit[k].seg_z = s->unit[k].seg_beta = s->unit[k].adm = NULL;
    s->n_units = k + 1;
    if ((st = ks__pk_unit_diagonalise(ctx, &s->unit[k])) == KS_OK)
      st = unit_schedule(ctx, &s->unit[k], doses, n_doses);
  }
  if (st == KS_OK) st = merge_events(ctx, s, doses, n_doses);
  if (st != KS_OK) {
    ks_pk_sim_destroy(&s);
    return st;
  }
  *out = s;
  return KS_OK;
}
