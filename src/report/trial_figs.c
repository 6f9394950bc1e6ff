/* SPDX-License-Identifier: MIT */
/* Figures of the trial report that need more than visit means (issue 9): Kaplan-Meier curves of
 * time to loss of response per group, and for a typical patient of each group the window of
 * plasticity W(t) with dosing and therapy days marked and the FC matrix at the first and last scan.
 * Public API only: the trial result, the per-patient trace (ks_trial_patient_trace), the circuit. */
#include "report_internal.h"

#include <ketasim/circuit.h>
#include <ketasim/stats.h>
#include <ketasim/output.h>
#include <ketasim/trial.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUPS 16

/* Add an SVG that a figure call produced (ST), then free it. */
static ks_status add_svg(ks_report *rep, ks_ctx *ctx, ks_status st, char *svg, size_t n_svg, const char *caption) {
  if (st == KS_OK) st = ks_report_add_svg(rep, caption, svg, n_svg);
  ks_free(ctx, svg);
  return st;
}

/* ---- Kaplan-Meier: time to loss of response ----------------------------------------------- */

/* Is visit v in the first period (crossover visit labels of period 2 start with "P2 ")? */
static int first_period(const ks_trial_result *r, size_t v) {
  return strncmp(ks_trial_visit_label(r, v), "P2 ", 3) != 0;
}

/* Step curve of one group from its durability data: (0, 1), then survival after each event
 * time, carried to the last follow-up time. Writes n points into t/s/lo/hi and the censoring
 * times into ct. */
static ks_status km_curve(ks_ctx *ctx, const double *tt, const int *ev, size_t k, double *t, double *s, double *lo,
                          double *hi, size_t *n, double *ct, size_t *n_ct) {
  size_t nc = 0;
  ks_km_summary km;
  KS_TRY(ks_stats_km(ctx, tt, ev, k, t + 1, s + 1, lo + 1, hi + 1, &nc, &km));
  t[0] = 0.0;
  s[0] = lo[0] = hi[0] = 1.0;
  double t_max = 0.0;
  *n_ct = 0;
  for (size_t i = 0; i < k; i++) {
    t_max = fmax(t_max, tt[i]);
    if (!ev[i]) ct[(*n_ct)++] = tt[i];
  }
  size_t m = nc + 1;
  if (t_max > t[m - 1]) {
    t[m] = t_max;
    s[m] = s[m - 1];
    lo[m] = lo[m - 1];
    hi[m] = hi[m - 1];
    m++;
  }
  *n = m;
  return KS_OK;
}

ks_status ks__report_trial_km(ks_ctx *ctx, ks_report *rep, const ks_trial_result *r) {
  const ks_scenario *sc = ks_trial_scenario(r);
  int by_response = sc->durability.responders_only;
  if (!sc->durability.enabled) return KS_OK;
  long v = -1; /* the response (remission) visit the durability times start from */
  size_t np = ks_trial_n_patients(r), ng = ks_trial_n_groups(r);
  if (ng > MAX_GROUPS) ng = MAX_GROUPS;
  /* Per group: times, events, and the curve (n + 2 points), band and censoring times. */
  size_t per = 7 * (np + 2);
  double *buf = ks_calloc(ctx, ng * per + 1, sizeof *buf);
  int *ev = ks_calloc(ctx, np + 1, sizeof *ev);
  if (!buf || !ev) {
    ks_free(ctx, buf);
    ks_free(ctx, ev);
    return KS_ENOMEM;
  }
  ks_fig_step_series ser[MAX_GROUPS];
  char labels[MAX_GROUPS][96];
  size_t ns = 0, n_resp = 0;
  ks_status st = KS_OK;
  for (size_t g = 0; g < ng && st == KS_OK; g++) {
    double *tt = buf + g * per, *t = tt + (np + 2), *s = t + (np + 2), *lo = s + (np + 2), *hi = lo + (np + 2),
           *ct = hi + (np + 2);
    size_t k = 0;
    if ((st = ks_trial_durability_data(ctx, r, g, tt, ev, &k, &v)) != KS_OK) break;
    n_resp += k;
    if (k == 0) continue;
    size_t n = 0, n_ct = 0;
    st = km_curve(ctx, tt, ev, k, t, s, lo, hi, &n, ct, &n_ct);
    char name[80];
    snprintf(labels[g], sizeof labels[g], "%s (%zu %s)", ks_trial_group_label(r, g, name, sizeof name), k,
             by_response ? "responders" : "remitters");
    ser[ns++] = (ks_fig_step_series){.label = labels[g], .t = t, .s = s, .n = n, .lo = lo, .hi = hi,
                                     .censor_t = ct, .n_censor = n_ct};
  }
  if (st == KS_OK && ns > 0 && v >= 0) {
    ks_fig_spec spec = {.title = by_response ? "Durability: time to loss of response" : "Durability: time to relapse",
                        .x_label = by_response ? "days after the response visit" : "days after the remission visit",
                        .y_label = by_response ? "still responding (share)" : "still in remission (share)",
                        .y_min = 0.0,
                        .y_max = 1.05};
    char *svg = NULL, cap[320], pdf[4200];
    size_t n_svg = 0;
    spec.pdf_path = ks_report_next_pdf_path(rep, pdf, sizeof pdf);
    snprintf(cap, sizeof cap,
             "Kaplan-Meier estimate per group among %s at the %s visit, with pointwise 95%% intervals "
             "(Greenwood, log scale); ticks mark patients censored at their last observed visit.",
             by_response ? "responders" : "remitters", ks_trial_visit_label(r, (size_t)v));
    st = ks_fig_steps_svg(ctx, &svg, &n_svg, &spec, ser, ns);
    st = add_svg(rep, ctx, st, svg, n_svg, cap);
  } else if (st == KS_OK && n_resp == 0) {
    st = ks_report_add_paragraph(rep, "No patient met the durability endpoint, so there is no time-to-loss curve.");
  }
  ks_free(ctx, buf);
  ks_free(ctx, ev);
  return st;
}

/* ---- a typical patient of each group: W(t), dosing and therapy days, FC matrices ------------ */

/* The typical patient of group G: among patients with the primary endpoint (in the imaging subset
 * when the scenario scans), the one whose endpoint is nearest the group's median. -1 if none. */
static long typical_patient(ks_ctx *ctx, const ks_trial_result *r, const ks_trial_endpoints *ep, size_t g,
                            double *work) {
  size_t n = ks_trial_n_patients(r);
  size_t n_img = ks_trial_n_imaged(r);
  for (int pass = 0; pass < 2; pass++) {
    size_t lim = pass == 0 ? KS_MIN(n_img, n) : n, k = 0;
    for (size_t i = 0; i < lim; i++)
      if ((size_t)ep->group[i] == g && !isnan(ep->y[i])) work[k++] = ep->y[i];
    double med;
    if (k == 0 || ks_stats_quantile(ctx, work, k, 0.5, KS_NAN_REJECT, &med) != KS_OK) continue;
    long best = -1;
    for (size_t i = 0; i < lim; i++)
      if ((size_t)ep->group[i] == g && !isnan(ep->y[i]) &&
          (best < 0 || fabs(ep->y[i] - med) < fabs(ep->y[(size_t)best] - med)))
        best = (long)i;
    return best;
  }
  return -1;
}

typedef struct {
  long patient;                 /* 0-based */
  ks_trial_trace *trace;
  const ks_trace_table *cas, *doses;
  int c_t, c_w, c_bi, c_bp, c_gaba, c_spine, c_gain[KS_PATH_N];
} typical;

static ks_status typical_open(ks_ctx *ctx, const ks_trial_result *r, long patient, typical *tp) {
  memset(tp, 0, sizeof *tp);
  tp->patient = patient;
  ks_trial_options o = ks_trial_options_default();
  o.n_patients = (long)ks_trial_n_patients(r);
  o.n_threads = 1;
  KS_TRY(ks_trial_patient_trace(ctx, ks_trial_scenario(r), &o, (size_t)patient + 1, -1, &tp->trace));
  tp->cas = ks_trial_trace_find(tp->trace, "cascade");
  tp->doses = ks_trial_trace_find(tp->trace, "doses");
  if (!tp->cas || !tp->doses)
    return ks_ctx_fail(ctx, KS_EINVAL, "report: the patient trace has no cascade or doses table");
  static const char *const gains[KS_PATH_N] = {"gain_vmpfc_amygdala", "gain_hippocampus_vmpfc", "gain_dmn",
                                               "gain_salience"};
  tp->c_t = ks_trace_table_column(tp->cas, "t_h");
  tp->c_w = ks_trace_table_column(tp->cas, "window");
  tp->c_bi = ks_trace_table_column(tp->cas, "block_interneuron");
  tp->c_bp = ks_trace_table_column(tp->cas, "block_pyramidal");
  tp->c_gaba = ks_trace_table_column(tp->cas, "gabaa_potentiation");
  tp->c_spine = ks_trace_table_column(tp->cas, "spine_pfc");
  int ok = tp->c_t >= 0 && tp->c_w >= 0 && tp->c_bi >= 0 && tp->c_bp >= 0 && tp->c_gaba >= 0 && tp->c_spine >= 0;
  for (int k = 0; k < KS_PATH_N; k++) ok &= (tp->c_gain[k] = ks_trace_table_column(tp->cas, gains[k])) >= 0;
  if (!ok) return ks_ctx_fail(ctx, KS_EINVAL, "report: the cascade table lacks a column the report reads");
  return KS_OK;
}

/* The circuit drive of the typical patient at study time T_H (the cascade row nearest T_H), as the
 * trial's scans use it: NMDA block, GABA-A potentiation, pathway gains, prefrontal spines. */
static ks_circuit_drive typical_drive(const typical *tp, double t_h) {
  const ks_trace_table *c = tp->cas;
  size_t best = 0;
  for (size_t i = 0; i < c->n_rows; i++)
    if (fabs(c->data[i * c->n_cols + (size_t)tp->c_t] - t_h) < fabs(c->data[best * c->n_cols + (size_t)tp->c_t] - t_h))
      best = i;
  const double *row = c->data + best * c->n_cols;
  ks_circuit_drive d = ks_circuit_drive_baseline();
  d.nmda_block_E = row[tp->c_bp];
  d.nmda_block_I = row[tp->c_bi];
  d.gabaa_potentiation = 1.0 + row[tp->c_gaba];
  for (int k = 0; k < KS_PATH_N; k++) d.gain[k] = row[tp->c_gain[k]];
  d.spine_pfc_rel = row[tp->c_spine];
  return d;
}

/* W(t) of each group's typical patient, with its dose starts and therapy sessions marked. */
static ks_status window_figure(ks_ctx *ctx, ks_report *rep, const ks_trial_result *r, const typical *tp, size_t ng) {
  const ks_scenario *sc = ks_trial_scenario(r);
  size_t n_rows = 0, n_mark = 0;
  for (size_t g = 0; g < ng; g++) n_rows += tp[g].trace ? tp[g].cas->n_rows : 0;
  for (size_t g = 0; g < ng; g++) {
    if (!tp[g].trace) continue;
    n_mark += tp[g].doses->n_rows;
    for (size_t a = 0; a < sc->n_arms; a++)
      for (size_t k = 0; k < sc->arms[a].n_therapy; k++) n_mark += sc->arms[a].therapy[k].n_days;
  }
  double *xy = ks_calloc(ctx, 2 * n_rows + 2, sizeof *xy);
  ks_fig_marker *mk = ks_calloc(ctx, n_mark + 1, sizeof *mk);
  char(*mlab)[128] = ks_calloc(ctx, 2 * MAX_GROUPS, sizeof *mlab);
  if (!xy || !mk || !mlab) {
    ks_free(ctx, xy);
    ks_free(ctx, mk);
    ks_free(ctx, mlab);
    return KS_ENOMEM;
  }
  ks_fig_series ser[MAX_GROUPS];
  char labels[MAX_GROUPS][128];
  size_t ns = 0, off = 0, nm = 0;
  for (size_t g = 0; g < ng; g++) {
    if (!tp[g].trace) continue;
    const ks_trace_table *c = tp[g].cas;
    double *x = xy + off, *y = xy + n_rows + off;
    for (size_t i = 0; i < c->n_rows; i++) {
      x[i] = c->data[i * c->n_cols + (size_t)tp[g].c_t] / 24.0;
      y[i] = c->data[i * c->n_cols + (size_t)tp[g].c_w];
    }
    off += c->n_rows;
    char name[80];
    ks_trial_group_label(r, g, name, sizeof name);
    snprintf(labels[g], sizeof labels[g], "%s: patient %ld", name, tp[g].patient + 1);
    ser[ns++] = (ks_fig_series){.label = labels[g], .x = x, .y = y, .n = c->n_rows, .color = (int)g % 7 + 1};
    /* Dose starts of this patient (infusions or other routes). */
    snprintf(mlab[2 * g], sizeof mlab[0], "%s: dose", name);
    int ct = ks_trace_table_column(tp[g].doses, "t_start_h");
    for (size_t i = 0; ct >= 0 && i < tp[g].doses->n_rows; i++)
      mk[nm++] = (ks_fig_marker){.x = tp[g].doses->data[i * tp[g].doses->n_cols + (size_t)ct] / 24.0,
                                 .label = mlab[2 * g], .style = g ? KS_FIG_MARK_DASHED : KS_FIG_MARK_SOLID,
                                 .color = (int)g % 7 + 1};
    /* Therapy sessions of the arm(s) this group receives (period 1). */
    int arm = (int)g;
    if (sc->design == KS_DESIGN_PARALLEL && (size_t)arm < sc->n_arms) {
      snprintf(mlab[2 * g + 1], sizeof mlab[0], "%s: therapy session", name);
      for (size_t k = 0; k < sc->arms[arm].n_therapy; k++)
        for (size_t d = 0; d < sc->arms[arm].therapy[k].n_days; d++)
          mk[nm++] = (ks_fig_marker){.x = sc->arms[arm].therapy[k].days[d] + 0.5, .label = mlab[2 * g + 1],
                                     .style = KS_FIG_MARK_DOTTED, .color = (int)g % 7 + 1};
    }
  }
  ks_status st = KS_OK;
  if (ns) {
    ks_fig_spec spec = {.title = "Window of plasticity W(t) of a typical patient per group",
                        .x_label = "study day",
                        .y_label = "W (0-1)",
                        .y_min = 0.0,
                        .y_max = 1.05};
    char *svg = NULL, pdf[4200];
    size_t n_svg = 0;
    spec.pdf_path = ks_report_next_pdf_path(rep, pdf, sizeof pdf);
    st = ks_fig_lines_svg(ctx, &svg, &n_svg, &spec, ser, ns, mk, nm);
    st = add_svg(rep, ctx, st, svg, n_svg,
                 "W(t), hourly, of each group's typical patient (the patient whose primary endpoint is nearest "
                 "the group's median; from the imaging subset when there is one), with that patient's dose "
                 "starts and the arm's therapy sessions (drawn at midday) marked. W scales extinction "
                 "learning in the fear-memory layer, so sessions placed while W is high learn most.");
  }
  ks_free(ctx, xy);
  ks_free(ctx, mk);
  ks_free(ctx, mlab);
  return st;
}

/* First and last scan visits: visits at which anyone has a vmPFC-amygdala FC value. */
static int scan_visits(const ks_trial_result *r, double *t0_h, double *t1_h, long *v0, long *v1) {
  *v0 = *v1 = -1;
  for (size_t v = 0; v < ks_trial_n_visits(r); v++)
    for (size_t i = 0; i < ks_trial_n_patients(r); i++)
      if (first_period(r, v) && !isnan(ks_trial_value(r, i, v, KS_M_FC_VMPFC_AMYGDALA))) {
        if (*v0 < 0) *v0 = (long)v;
        *v1 = (long)v;
        break;
      }
  if (*v0 < 0 || *v1 == *v0) return 0;
  *t0_h = ks_trial_visit_t_h(r, (size_t)*v0);
  *t1_h = ks_trial_visit_t_h(r, (size_t)*v1);
  return 1;
}

/* Faces-task FC matrix (Pearson r) of the typical-phenotype circuit under DRIVE. */
static ks_status faces_fc(ks_ctx *ctx, const ks_circuit *c, const ks_circuit_drive *d, double *fc) {
  double in[KS_REGION_N] = {0};
  long am = ks_circuit_role_index(c, KS_REGION_AMYGDALA);
  if (am >= 0) in[am] = d->threat_input_nA;
  return ks_circuit_fc_analytic(ctx, c, d, in, KS_BOLD_STEPHAN2007, fc);
}

/* Heatmap of an FC matrix (Pearson r, colours over [-1, 1]) or, with diverging set, of a change
 * in FC with colours over [-vabs, vabs] so that every group's difference reads on one scale. */
static ks_status heatmap(ks_ctx *ctx, ks_report *rep, const char *title, const double *m, int diverging, double vabs,
                         const char *caption) {
  static const char *labels[KS_REGION_N];
  for (int k = 0; k < KS_REGION_N; k++) labels[k] = ks_region_name((ks_region)k);
  ks_fig_spec spec = {.title = title, .z_label = diverging ? "change in FC (r)" : "FC (Pearson r)", .width_px = 760,
                      .height_px = 640};
  char *svg = NULL, pdf[4200];
  size_t n_svg = 0;
  spec.pdf_path = ks_report_next_pdf_path(rep, pdf, sizeof pdf);
  ks_status st = ks_fig_heatmap_svg(ctx, &svg, &n_svg, &spec, labels, KS_REGION_N, m, diverging ? -vabs : -1.0,
                                    diverging ? vabs : 1.0, diverging);
  return add_svg(rep, ctx, st, svg, n_svg, caption);
}

/* FC at the first and last scan for each group's typical patient: the baseline and after-treatment
 * matrices of arms[0]'s group and the difference of every group, all differences on one colour
 * scale (the largest absolute change of any group). */
static ks_status fc_figures(ks_ctx *ctx, ks_report *rep, const ks_trial_result *r, const typical *tp, size_t ng) {
  double t0, t1;
  long v0, v1;
  if (!scan_visits(r, &t0, &t1, &v0, &v1)) return KS_OK;
  /* The mean PTSD phenotype at the severity of an average trial patient (0.6; src/trial). */
  ks_circuit_phenotype ph;
  ks_circuit_phenotype_sample(NULL, 0.6, &ph);
  ks_circuit *c = NULL;
  KS_TRY(ks_circuit_create_default(ctx, &ph, &c));
  if (ks_circuit_n_regions(c) != KS_REGION_N) {
    ks_circuit_destroy(&c);
    return KS_OK;
  }
  const size_t nn = KS_REGION_N * KS_REGION_N;
  double *m = ks_calloc(ctx, 3 * nn * (ng ? ng : 1), sizeof *m); /* per group: before, after, change */
  if (!m) {
    ks_circuit_destroy(&c);
    return KS_ENOMEM;
  }
  ks_status st = KS_OK;
  double vabs = 1e-3;
  for (size_t g = 0; g < ng && st == KS_OK; g++) {
    if (!tp[g].trace) continue;
    double *a = m + 3 * nn * g, *b = a + nn, *dlt = b + nn;
    ks_circuit_drive d0 = typical_drive(&tp[g], t0), d1 = typical_drive(&tp[g], t1);
    if ((st = faces_fc(ctx, c, &d0, a)) != KS_OK || (st = faces_fc(ctx, c, &d1, b)) != KS_OK) break;
    for (size_t k = 0; k < nn; k++) {
      dlt[k] = b[k] - a[k];
      vabs = fmax(vabs, fabs(dlt[k]));
    }
  }
  const char *how = "Analytic (Lyapunov) BOLD connectivity in the faces-task state of the mean PTSD circuit, driven by "
                    "the typical patient's NMDA block, pathway gains and prefrontal spines at the scan (the trial "
                    "records only the vmPFC-amygdala value per patient; this shows the whole matrix).";
  int shown = 0;
  for (size_t g = 0; g < ng && st == KS_OK; g++) {
    if (!tp[g].trace) continue;
    double *a = m + 3 * nn * g, *b = a + nn, *dlt = b + nn;
    char name[80], title[160], cap[1000];
    ks_trial_group_label(r, g, name, sizeof name);
    if (!shown) {
      snprintf(title, sizeof title, "FC at baseline (%s): %s, patient %ld", ks_trial_visit_label(r, (size_t)v0), name,
               tp[g].patient + 1);
      snprintf(cap, sizeof cap, "Functional connectivity at the first scan. %s", how);
      if ((st = heatmap(ctx, rep, title, a, 0, 0.0, cap)) != KS_OK) break;
      snprintf(title, sizeof title, "FC after treatment (%s): %s, patient %ld", ks_trial_visit_label(r, (size_t)v1),
               name, tp[g].patient + 1);
      snprintf(cap, sizeof cap, "Functional connectivity at the last scan, same patient. %s", how);
      if ((st = heatmap(ctx, rep, title, b, 0, 0.0, cap)) != KS_OK) break;
      shown = 1;
    }
    snprintf(title, sizeof title, "FC change, %s minus %s: %s, patient %ld", ks_trial_visit_label(r, (size_t)v1),
             ks_trial_visit_label(r, (size_t)v0), name, tp[g].patient + 1);
    snprintf(cap, sizeof cap, "After minus baseline (red: stronger coupling after treatment), on the same colour scale "
             "for every group (+-%.3f). %s", vabs, how);
    st = heatmap(ctx, rep, title, dlt, 1, vabs, cap);
  }
  ks_free(ctx, m);
  ks_circuit_destroy(&c);
  return st;
}

/* Expected CADSS and systolic pressure over the first dose (start to 3 h after its end) of each
 * group's typical patient, from the trace's minute-by-minute "pk" table. */
static ks_status safety_figure(ks_ctx *ctx, ks_report *rep, const ks_trial_result *r, const typical *tp, size_t ng,
                               const char *column, const char *title, const char *ylab, const char *caption) {
  ks_fig_series ser[MAX_GROUPS];
  char labels[MAX_GROUPS][96];
  double *buf = NULL;
  size_t ns = 0, cap_pts = 0;
  for (size_t g = 0; g < ng; g++) {
    const ks_trace_table *pk = tp[g].trace ? ks_trial_trace_find(tp[g].trace, "pk") : NULL;
    if (pk) cap_pts += pk->n_rows;
  }
  if (!cap_pts) return KS_OK;
  buf = ks_calloc(ctx, 2 * cap_pts, sizeof *buf);
  if (!buf) return KS_ENOMEM;
  size_t used = 0;
  for (size_t g = 0; g < ng; g++) {
    if (!tp[g].trace || !tp[g].doses || tp[g].doses->n_rows == 0) continue;
    const ks_trace_table *pk = ks_trial_trace_find(tp[g].trace, "pk");
    int ct = pk ? ks_trace_table_column(pk, "t_h") : -1, cv = pk ? ks_trace_table_column(pk, column) : -1;
    int ds = ks_trace_table_column(tp[g].doses, "t_start_h"), di = ks_trace_table_column(tp[g].doses, "infusion_h");
    if (ct < 0 || cv < 0 || ds < 0) continue;
    double t0 = tp[g].doses->data[ds], t1 = t0 + (di >= 0 ? tp[g].doses->data[di] : 0.0) + 3.0;
    double *x = buf + used, *y = x + cap_pts;
    size_t k = 0;
    for (size_t i = 0; i < pk->n_rows; i++) {
      double t = pk->data[i * pk->n_cols + (size_t)ct];
      if (t < t0 - 1e-9 || t > t1 + 1e-9) continue;
      x[k] = 60.0 * (t - t0);
      y[k++] = pk->data[i * pk->n_cols + (size_t)cv];
    }
    if (k < 2) continue;
    memset(&ser[ns], 0, sizeof ser[ns]);
    ser[ns].label = ks_trial_group_label(r, g, labels[g], sizeof labels[g]);
    ser[ns].x = x;
    ser[ns].y = y;
    ser[ns].n = k;
    ser[ns].color = (int)(g % KS_FIG_N_COLORS) + 1;
    ser[ns].dashed = (int)(g % 2);
    used += k;
    ns++;
  }
  ks_status st = KS_OK;
  if (ns) {
    ks_fig_spec spec = {.title = title, .x_label = "minutes after the start of the first dose", .y_label = ylab};
    char *svg = NULL, pdf[4200];
    size_t n_svg = 0;
    spec.pdf_path = ks_report_next_pdf_path(rep, pdf, sizeof pdf);
    st = ks_fig_lines_svg(ctx, &svg, &n_svg, &spec, ser, ns, NULL, 0);
    st = add_svg(rep, ctx, st, svg, n_svg, caption);
  }
  ks_free(ctx, buf);
  return st;
}

ks_status ks__report_trial_typical(ks_ctx *ctx, ks_report *rep, const ks_trial_result *r) {
  size_t ng = ks_trial_n_groups(r), np = ks_trial_n_patients(r);
  if (ng > MAX_GROUPS) ng = MAX_GROUPS;
  ks_trial_endpoints ep;
  if (ks_trial_endpoints_init(ctx, r, &ep) != KS_OK) {
    /* Single arm or no primary endpoint: no typical patient to pick; not an error for the report. */
    ks_ctx_clear_error(ctx);
    return KS_OK;
  }
  typical tp[MAX_GROUPS];
  memset(tp, 0, sizeof tp);
  double *work = ks_calloc(ctx, np + 1, sizeof *work);
  ks_status st = work ? KS_OK : KS_ENOMEM;
  for (size_t g = 0; g < ng && st == KS_OK; g++) {
    long p = typical_patient(ctx, r, &ep, g, work);
    if (p >= 0) st = typical_open(ctx, r, p, &tp[g]);
  }
  if (st == KS_OK) st = window_figure(ctx, rep, r, tp, ng);
  if (st == KS_OK)
    st = safety_figure(ctx, rep, r, tp, ng, "cadss_expected", "Dissociation over the first dose", "expected CADSS (0-92)",
                       "Expected CADSS total of each group's typical patient, minute by minute from the start of the "
                       "first dose to 3 h after it ends (acute-effects model on the trial's PK).");
  if (st == KS_OK)
    st = safety_figure(ctx, rep, r, tp, ng, "sbp_mmHg", "Systolic blood pressure over the first dose", "systolic (mmHg)",
                       "Systolic pressure of each group's typical patient over the first dose (baseline plus the "
                       "concentration-driven rise).");
  if (st == KS_OK) st = fc_figures(ctx, rep, r, tp, ng);
  for (size_t g = 0; g < ng; g++) ks_trial_trace_destroy(&tp[g].trace);
  ks_free(ctx, work);
  ks_trial_endpoints_fini(&ep);
  return st;
}
