/* SPDX-License-Identifier: MIT */
/* Validation of the cascade against the published time courses (CALIBRATION.md sections 2-3;
 * copied with citations to data/plasticity/targets.tsv), driven by the PK layer's exposure. */
#include "core/core_internal.h"
#include "plasticity_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Output grid: every minute for 4 h, then every hour to 21 days. */
#define N_FINE 241
#define N_COARSE (21 * 24 - 4)
#define N_GRID (N_FINE + N_COARSE)

typedef struct run {
  ks_cascade_point pt[N_GRID];
} run;

static double grid_t(size_t i) {
  return i < N_FINE ? (double)i / 60.0 : 4.0 + (double)(i - N_FINE + 1);
}

static size_t idx_at_h(double t_h) {
  if (t_h <= 4.0) return (size_t)lround(t_h * 60.0);
  return N_FINE - 1 + (size_t)lround(t_h - 4.0);
}

/* One 40-min IV infusion through the PK layer's default parameter set of the drug (fanta2015 for
 * racemic ketamine, albrecht1999 for midazolam), typical 70-kg, 40-year-old man. */
static ks_status simulate(ks_ctx *ctx, ks_drug drug, double dose_mg, unsigned ko, double *t,
                          run *out) {
  ks_pk_patient patient = ks_pk_patient_typical(70.0, 40.0, 0);
  ks_pk_dose dose = {drug, KS_ROUTE_IV, dose_mg, 0.0, 40.0 / 60.0};
  ks_pk_options opts = ks_pk_options_default();
  ks_pk_sim *sim = NULL;
  KS_TRY(ks_pk_sim_create(ctx, &patient, &dose, 1, &opts, &sim));
  ks_exposure ex;
  ks_pk_sim_exposure(sim, &ex);
  ks_cascade_params p = ks_cascade_params_default();
  p.knockouts = ko;
  ks_receptor_params rp = ks_receptor_params_default();
  ks_status st = ks_cascade_solve(ctx, &p, &rp, &ex, t, N_GRID, out->pt);
  ks_pk_sim_destroy(&sim);
  return st;
}

/* Peak of a field over the first 4 h: value and time in minutes. */
static void peak(const run *r, size_t field, double *v, double *t_min) {
  *v = -INFINITY;
  *t_min = 0.0;
  for (size_t i = 0; i < N_FINE; i++) {
    double x = ks_cascade_point_field(&r->pt[i], field);
    if (x > *v) {
      *v = x;
      *t_min = 60.0 * r->pt[i].t_h;
    }
  }
}

static size_t field_index(const char *name) {
  for (size_t i = 0; i < ks_cascade_point_n_fields(); i++)
    if (!strcmp(ks_cascade_point_field_name(i), name)) return i;
  return 0;
}

static double spine_peak_increment(const run *r) {
  double base = r->pt[0].spine_pfc, m = 0.0;
  for (size_t i = 0; i < N_GRID; i++) m = fmax(m, r->pt[i].spine_pfc - base);
  return m;
}

ks_status ks_cascade_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n) {
  KS_CHECK_ARG(ctx, out && n && *n <= cap);
  double *t = ks_malloc(ctx, N_GRID * sizeof *t);
  run *r = ks_malloc(ctx, 6 * sizeof *r);
  ks_status st = KS_OK;
  if (!t || !r) {
    st = KS_ENOMEM;
    goto done;
  }
  for (size_t i = 0; i < N_GRID; i++) t[i] = grid_t(i);
  const double dose_ket_mg = 0.5 * 70.0, dose_mdz_mg = 0.045 * 70.0;
  static const unsigned kos[3] = {KS_KO_MTORC1, KS_KO_AMPA, KS_KO_BDNF};
  if ((st = simulate(ctx, KS_DRUG_KETAMINE, dose_ket_mg, KS_KO_NONE, t, &r[0])) != KS_OK) goto done;
  if ((st = simulate(ctx, KS_DRUG_MIDAZOLAM, dose_mdz_mg, KS_KO_NONE, t, &r[1])) != KS_OK) goto done;
  for (int k = 0; k < 3; k++)
    if ((st = simulate(ctx, KS_DRUG_KETAMINE, dose_ket_mg, kos[k], t, &r[2 + k])) != KS_OK) goto done;

  const run *ket = &r[0], *mdz = &r[1];
  size_t f_glx = field_index("glx_pct"), f_mtor = field_index("mtorc1");
  double glx_pk, glx_t, m_pk, m_t;
  peak(ket, f_glx, &glx_pk, &glx_t);
  peak(ket, f_mtor, &m_pk, &m_t);
  double glx_3h = ket->pt[idx_at_h(3.0)].glx_pct;
  double m_2h_rel = (ket->pt[idx_at_h(2.0)].mtorc1 - 1.0) / (m_pk - 1.0);
  double prot_2h = 100.0 * (ket->pt[idx_at_h(2.0)].proteins - 1.0);
  double prot_72h = 100.0 * (ket->pt[idx_at_h(72.0)].proteins - 1.0);
  double s0 = ket->pt[0].spine_pfc, s_pk = spine_peak_increment(ket);
  double s_24 = ket->pt[idx_at_h(24.0)].spine_pfc - s0;
  double s_7d = (ket->pt[idx_at_h(168.0)].spine_pfc - s0) / s_pk;
  double s_14d = (ket->pt[idx_at_h(336.0)].spine_pfc - s0) / s_pk;
  double mglx_pk, mglx_t;
  peak(mdz, f_glx, &mglx_pk, &mglx_t);
  double mdz_spine = spine_peak_increment(mdz), mdz_w = 0.0;
  for (size_t i = 0; i < N_GRID; i++) mdz_w = fmax(mdz_w, mdz->pt[i].window);

  const char *src_glx = "Milak 2016 Mol Psychiatry (1H-MRS, mPFC)";
  const char *src_li = "Li 2010 Science (rat; times U)";
  if ((st = ks_target_add(out, cap, n, "plasticity.glx.peak_pct",
                          "Glx-like rise at its peak, 0.5 mg/kg IV over 40 min", "%", src_glx,
                          38.0, 23.0, 53.0, glx_pk, KS_TARGET_CALIBRATED)) != KS_OK) goto full;
  if ((st = ks_target_add(out, cap, n, "plasticity.glx.peak_time",
                          "time of the Glx-like peak", "min", src_glx, 26.0, 20.0, 40.0, glx_t,
                          KS_TARGET_CALIBRATED)) != KS_OK) goto full;
  if ((st = ks_target_add(out, cap, n, "plasticity.glx.at_3h",
                          "Glx-like change 3 h after the start of the infusion", "%", src_glx,
                          0.0, -8.0, 8.0, glx_3h, KS_TARGET_HELD_OUT)) != KS_OK) goto full;
  if ((st = ks_target_add(out, cap, n, "plasticity.mtorc1.peak_time",
                          "time of the mTORC1 activity peak", "min", src_li, NAN, 30.0, 60.0, m_t,
                          KS_TARGET_CALIBRATED)) != KS_OK) goto full;
  if ((st = ks_target_add(out, cap, n, "plasticity.mtorc1.at_2h",
                          "mTORC1 excess at 2 h as a fraction of its peak excess", "fraction",
                          src_li, 0.0, -0.25, 0.25, m_2h_rel, KS_TARGET_CALIBRATED)) != KS_OK)
    goto full;
  if ((st = ks_target_add(out, cap, n, "plasticity.proteins.at_2h",
                          "synaptic proteins (PSD-95, GluA1, synapsin) at 2 h", "% change", src_li,
                          NAN, 5.0, 100.0, prot_2h, KS_TARGET_CALIBRATED)) != KS_OK) goto full;
  if ((st = ks_target_add(out, cap, n, "plasticity.proteins.at_72h",
                          "synaptic proteins still raised at 72 h", "% change", src_li, NAN, 1.0,
                          100.0, prot_72h, KS_TARGET_HELD_OUT)) != KS_OK) goto full;
  if ((st = ks_target_add(out, cap, n, "plasticity.spines.at_24h",
                          "PFC spine density rise at 24 h (healthy = 1)", "density",
                          "Li 2010; Moda-Sava 2019 Science", NAN, 0.02, 0.5, s_24,
                          KS_TARGET_CALIBRATED)) != KS_OK) goto full;
  if ((st = ks_target_add(out, cap, n, "plasticity.spines.at_7d",
                          "PFC spine rise at 7 d as a fraction of its peak", "fraction",
                          "Moda-Sava 2019 (still raised for days)", NAN, 0.3, 1.0, s_7d,
                          KS_TARGET_CALIBRATED)) != KS_OK) goto full;
  if ((st = ks_target_add(out, cap, n, "plasticity.spines.at_14d",
                          "PFC spine rise at 14 d as a fraction of its peak", "fraction",
                          "decay over 1-2 weeks (CALIBRATION.md sec. 3)", NAN, 0.0, 0.6, s_14d,
                          KS_TARGET_CALIBRATED)) != KS_OK) goto full;
  static const char *const ko_id[3] = {"plasticity.knockout.rapamycin",
                                       "plasticity.knockout.nbqx", "plasticity.knockout.bdnf"};
  static const char *const ko_src[3] = {"Li 2010 Science", "Maeng 2008 Biol Psychiatry",
                                        "Autry 2011 Nature; Lepack 2014"};
  for (int k = 0; k < 3; k++) {
    const run *rk = &r[2 + k];
    double g_pk, g_t;
    peak(rk, f_glx, &g_pk, &g_t);
    double ratio = spine_peak_increment(rk) / s_pk;
    char q[160];
    snprintf(q, sizeof q, "%s: spine rise as a fraction of intact (Glx surge kept: %.0f%%)",
             ks_knockout_name((ks_knockout)kos[k]), g_pk);
    /* The surge must remain: a failed check shows up as a NaN simulated value. */
    double v = fabs(g_pk - glx_pk) <= 0.05 * glx_pk ? ratio : NAN;
    if ((st = ks_target_add(out, cap, n, ko_id[k], q, "fraction", ko_src[k], 0.0, 0.0, 0.05, v,
                            KS_TARGET_HELD_OUT)) != KS_OK) goto full;
  }
  if ((st = ks_target_add(out, cap, n, "plasticity.midazolam.glx",
                          "midazolam 0.045 mg/kg: Glx-like peak rise", "%",
                          "Feder 2014 active control (no glutamate surge expected)", 0.0, -100.0,
                          5.0, mglx_pk, KS_TARGET_HELD_OUT)) != KS_OK) goto full;
  if ((st = ks_target_add(out, cap, n, "plasticity.midazolam.spines",
                          "midazolam: PFC spine rise", "density", "Feder 2014 active control",
                          0.0, 0.0, 1e-3, mdz_spine, KS_TARGET_HELD_OUT)) != KS_OK) goto full;
  if ((st = ks_target_add(out, cap, n, "plasticity.midazolam.window",
                          "midazolam: largest window of plasticity", "W",
                          "Feder 2014 active control", 0.0, 0.0, 0.01, mdz_w,
                          KS_TARGET_HELD_OUT)) != KS_OK) goto full;
  goto done;
full:
  st = ks_ctx_fail(ctx, st, "ks_cascade_validate: no room for more entries (cap %zu)", cap);
done:
  ks_free(ctx, t);
  ks_free(ctx, r);
  return st;
}
