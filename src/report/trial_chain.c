/* SPDX-License-Identifier: MIT */
/* Report sections that show the whole chain of a trial run beside its endpoints: participant flow,
 * exposure (PK percentiles per arm), safety (dissociation and blood pressure by arm), the
 * secondary analyses as a table, and per-patient trajectories. Each reads the trial result and the
 * scenario through the public API; the exposure figure re-simulates the PK layer for a virtual
 * population (it is not stored per patient in a trial result). */
#include "report_internal.h"
#include <ketasim/pk.h>
#include <ketasim/rng.h>
#include <ketasim/output.h>
#include <ketasim/trial.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUPS 16
#define PK_N_PATIENTS 200  /* virtual patients per exposure band */
#define PK_N_T 121         /* time points per exposure band */

static ks_status add_svg(ks_report *rep, ks_ctx *ctx, ks_status st, char *svg, size_t n_svg, const char *caption) {
  if (st == KS_OK) st = ks_report_add_svg(rep, caption, svg, n_svg);
  ks_free(ctx, svg);
  return st;
}

/* ---- participant flow ----------------------------------------------------------------------- */

/* Append printf-style text to a growing SVG buffer owned by ctx; returns 0 when out of memory. */
typedef struct {
  ks_ctx *ctx;
  char *p;
  size_t n, cap;
} svgbuf;

static int sv(svgbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sv(svgbuf *b, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (k < 0) return 0;
    if (b->p && b->n + (size_t)k < b->cap) {
      b->n += (size_t)k;
      return 1;
    }
    size_t cap = b->cap ? 2 * b->cap : 4096;
    while (cap <= b->n + (size_t)k) cap *= 2;
    char *q = ks_realloc(b->ctx, b->p, cap);
    if (!q) return 0;
    b->p = q;
    b->cap = cap;
  }
}

/* XML-safe copy of a label. */
static const char *xml(char *buf, size_t cap, const char *s) {
  size_t o = 0;
  for (; *s && o + 7 < cap; s++) {
    const char *e = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : *s == '"' ? "&quot;" : NULL;
    if (e) {
      memcpy(buf + o, e, strlen(e));
      o += strlen(e);
    } else {
      buf[o++] = *s;
    }
  }
  buf[o] = '\0';
  return buf;
}

static void box(svgbuf *b, double x, double y, double w, const char *l1, const char *l2) {
  sv(b, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"46\" rx=\"4\" fill=\"#f4f6f8\" stroke=\"#555\"/>", x, y, w);
  sv(b, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" font-size=\"13\">%s</text>", x + w / 2, y + 19, l1);
  sv(b, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\">%s</text>", x + w / 2,
     y + 37, l2);
}

static void arrow(svgbuf *b, double x0, double y0, double x1, double y1) {
  sv(b, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#555\" marker-end=\"url(#ks-arrow)\"/>", x0, y0,
     x1, y1);
}

/* A CONSORT-style diagram: randomised, then per group allocated, completed and dropped out. */
static ks_status flow_figure(ks_ctx *ctx, ks_report *rep, const ks_trial_result *r) {
  size_t ng = ks_trial_n_groups(r);
  if (ng > MAX_GROUPS) ng = MAX_GROUPS;
  size_t n_all = ks_trial_n_patients(r);
  double col = 190, w = 170, width = fmax(420, col * (double)ng + 20);
  svgbuf b = {ctx, NULL, 0, 0};
  int ok = sv(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f 290\" "
                 "width=\"%.0f\" height=\"290\" font-family=\"sans-serif\"><defs><marker id=\"ks-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" "
                 "refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" "
                 "fill=\"#555\"/></marker></defs>", width, width);
  char l2[96], name[96], esc[200];
  snprintf(l2, sizeof l2, "n = %zu", n_all);
  box(&b, width / 2 - 100, 8, 200, "randomised", l2);
  for (size_t g = 0; g < ng && ok; g++) {
    ks_trial_arm_summary s;
    ks_status st = ks_trial_arm_summarise(ctx, r, g, &s);
    if (st != KS_OK) {
      ks_free(ctx, b.p);
      return st;
    }
    double x = 10 + col * (double)g + (col - w) / 2;
    arrow(&b, width / 2, 54, x + w / 2, 92);
    snprintf(l2, sizeof l2, "allocated n = %zu", s.n);
    box(&b, x, 94, w, xml(esc, sizeof esc, ks_trial_group_label(r, g, name, sizeof name)), l2);
    arrow(&b, x + w / 2, 140, x + w / 2, 168);
    snprintf(l2, sizeof l2, "n = %zu", s.n_completed);
    box(&b, x, 170, w, "completed", l2);
    arrow(&b, x + w / 2, 216, x + w / 2, 232);
    snprintf(l2, sizeof l2, "n = %zu", s.n - s.n_completed);
    box(&b, x, 234, w, "dropped out", l2);
  }
  ok = ok && sv(&b, "</svg>");
  if (!ok) {
    ks_free(ctx, b.p);
    return KS_ENOMEM;
  }
  return add_svg(rep, ctx, KS_OK, b.p, b.n,
                 "Participant flow: every virtual patient randomised, allocated to a group, and whether they "
                 "completed the last visit or dropped out before it (the scenario's dropout model).");
}

/* ---- exposure ------------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The first regimen entry of arm a that the PK layer can simulate, as one dose; 0 if none. */
static int arm_first_dose(const ks_scen_arm *arm, ks_pk_dose *d, double weight_kg) {
  for (size_t k = 0; k < arm->n_regimen; k++) {
    const ks_scen_dose *s = &arm->regimen[k];
    int drug = ks_drug_parse(ks_scen_drug_name(s->drug)), route = ks_route_parse(ks_scen_route_name(s->route));
    if (drug < 0 || route < 0 || !(s->dose > 0)) continue;
    *d = (ks_pk_dose){(ks_drug)drug, (ks_route)route, s->per_kg ? s->dose * weight_kg : s->dose, 0.0, s->infusion_h};
    return 1;
  }
  return 0;
}

/* Plasma percentiles (5, 50, 95) of the first dose of every arm for PK_N_PATIENTS virtual 70-kg
 * patients with the model's between-patient variability: parent drug, or S-ketamine for the
 * racemate, the species the receptor layer reads most. */
static ks_status exposure_figure(ks_ctx *ctx, ks_report *rep, const ks_scenario *sc) {
  size_t na = sc->n_arms < MAX_GROUPS ? sc->n_arms : MAX_GROUPS;
  double *buf = ks_calloc(ctx, (size_t)na * 4 * PK_N_T + PK_N_PATIENTS, sizeof *buf);
  if (!buf) return KS_ENOMEM;
  double *col = buf + (size_t)na * 4 * PK_N_T;
  ks_fig_series ser[MAX_GROUPS];
  char labels[MAX_GROUPS][160];
  size_t ns = 0;
  double t_end = 0;
  ks_status st = KS_OK;
  for (size_t a = 0; a < na; a++) {
    ks_pk_dose d;
    if (arm_first_dose(&sc->arms[a], &d, 70.0)) t_end = fmax(t_end, d.infusion_h + 4.0);
  }
  for (size_t a = 0; a < na && st == KS_OK; a++) {
    ks_pk_dose d;
    if (!arm_first_dose(&sc->arms[a], &d, 70.0)) continue;
    ks_species sp = d.drug == KS_DRUG_MIDAZOLAM ? KS_SP_MIDAZOLAM : KS_SP_S_KETAMINE;
    double *x = buf + (size_t)a * 4 * PK_N_T, *p50 = x + PK_N_T, *p5 = p50 + PK_N_T, *p95 = p5 + PK_N_T;
    double *all = ks_calloc(ctx, (size_t)PK_N_PATIENTS * PK_N_T, sizeof *all);
    if (!all) {
      st = KS_ENOMEM;
      break;
    }
    for (int i = 0; i < PK_N_PATIENTS && st == KS_OK; i++) {
      ks_pk_patient pp = ks_pk_patient_typical(70.0, 40.0, i % 2);
      ks_rng rg;
      ks_rng_init(&rg, sc->seed, KS_STREAM_PK_IIV, 1000000u + (uint64_t)i, 0);
      ks_pk_patient_sample_iiv(&pp, &rg);
      ks_pk_options o = ks_pk_options_default();
      o.allow_unstudied_doses = 1; /* the scenario was checked when it was loaded */
      o.t_end_h = t_end;
      ks_pk_sim *sim = NULL;
      if ((st = ks_pk_sim_create(ctx, &pp, &d, 1, &o, &sim)) != KS_OK) break;
      for (int k = 0; k < PK_N_T && st == KS_OK; k++) {
        ks_pk_conc c;
        st = ks_pk_sim_eval(sim, t_end * k / (PK_N_T - 1), &c);
        all[(size_t)i * PK_N_T + (size_t)k] = c.plasma_ng_per_mL[sp];
      }
      ks_pk_sim_destroy(&sim);
    }
    for (int k = 0; k < PK_N_T && st == KS_OK; k++) {
      for (int i = 0; i < PK_N_PATIENTS; i++) col[i] = all[(size_t)i * PK_N_T + (size_t)k];
      qsort(col, PK_N_PATIENTS, sizeof *col, cmp_double);
      x[k] = 60.0 * t_end * k / (PK_N_T - 1);
      p5[k] = col[PK_N_PATIENTS * 5 / 100];
      p50[k] = 0.5 * (col[PK_N_PATIENTS / 2 - 1] + col[PK_N_PATIENTS / 2]);
      p95[k] = col[PK_N_PATIENTS * 95 / 100 - 1];
    }
    ks_free(ctx, all);
    snprintf(labels[ns], sizeof labels[ns], "%s: %s %s %g %s", sc->arms[a].name, ks_species_name(sp),
             ks_route_name(d.route), sc->arms[a].regimen[0].dose, sc->arms[a].regimen[0].per_kg ? "mg/kg" : "mg");
    memset(&ser[ns], 0, sizeof ser[ns]);
    ser[ns] = (ks_fig_series){labels[ns], x, p50, PK_N_T, p5, p95, (int)(a % KS_FIG_N_COLORS) + 1, (int)(a % 2), 0, 0, 0};
    ns++;
  }
  if (st == KS_OK && ns) {
    ks_fig_spec spec = {.title = "Exposure: plasma concentration after the first dose", .x_label = "minutes after the start of the dose",
                        .y_label = "plasma (ng/mL)"};
    char *svg = NULL, pdf[4200];
    size_t n_svg = 0;
    spec.pdf_path = ks_report_next_pdf_path(rep, pdf, sizeof pdf);
    st = ks_fig_lines_svg(ctx, &svg, &n_svg, &spec, ser, ns, NULL, 0);
    st = add_svg(rep, ctx, st, svg, n_svg,
                 "Median plasma concentration (line) and 5th-95th percentiles (band) of the first dose of each arm, for "
                 "200 virtual 70-kg patients with the PK model's between-patient variability (S-ketamine for "
                 "racemic ketamine and esketamine, midazolam for midazolam). Arms without a drug (saline, waiting list) "
                 "have no curve.");
  }
  ks_free(ctx, buf);
  return st;
}

/* ---- means per visit, per-patient lines ------------------------------------------------------ */

/* Lines of measure m per patient (at most 40 per group, thin, coloured by group). */
static ks_status spaghetti(ks_ctx *ctx, ks_report *rep, const ks_trial_result *r, ks_measure m, const char *title,
                           const char *ylab, const char *caption) {
  size_t ng = ks_trial_n_groups(r), np = ks_trial_n_patients(r), nv = ks_trial_n_visits(r);
  if (ng > MAX_GROUPS) ng = MAX_GROUPS;
  size_t cap = 40 * ng;
  double *buf = ks_calloc(ctx, 2 * nv * cap + 1, sizeof *buf);
  ks_fig_series *ser = ks_calloc(ctx, cap + 1, sizeof *ser);
  char (*labels)[96] = ks_calloc(ctx, ng + 1, sizeof *labels);
  size_t per[MAX_GROUPS] = {0}, ns = 0;
  ks_status st = buf && ser && labels ? KS_OK : KS_ENOMEM;
  for (size_t i = 0; i < np && st == KS_OK; i++) {
    size_t g = (size_t)ks_trial_patient_arm(r, i);
    if (g >= ng || per[g] >= 40) continue;
    double *x = buf + 2 * nv * ns, *y = x + nv;
    size_t k = 0;
    for (size_t v = 0; v < nv; v++) {
      double val = ks_trial_value(r, i, v, m);
      if (isnan(val)) continue;
      x[k] = ks_trial_visit_t_h(r, v) / 24.0;
      y[k++] = val;
    }
    if (k < 2) continue;
    memset(&ser[ns], 0, sizeof ser[ns]);
    ser[ns].label = per[g] == 0 ? ks_trial_group_label(r, g, labels[g], sizeof labels[g]) : NULL;
    ser[ns].x = x;
    ser[ns].y = y;
    ser[ns].n = k;
    ser[ns].color = (int)(g % KS_FIG_N_COLORS) + 1;
    ser[ns].dashed = (int)(g % 2);
    per[g]++;
    ns++;
  }
  if (st == KS_OK && ns) {
    ks_fig_spec spec = {.title = title, .x_label = "study day", .y_label = ylab};
    char *svg = NULL, pdf[4200];
    size_t n_svg = 0;
    spec.pdf_path = ks_report_next_pdf_path(rep, pdf, sizeof pdf);
    st = ks_fig_lines_svg(ctx, &svg, &n_svg, &spec, ser, ns, NULL, 0);
    st = add_svg(rep, ctx, st, svg, n_svg, caption);
  }
  ks_free(ctx, buf);
  ks_free(ctx, ser);
  ks_free(ctx, labels);
  return st;
}

/* ---- secondary analyses --------------------------------------------------------------------- */

static void cell(char *b, size_t n, const char *f, double v, double lo, double hi, double p) {
  if (!isfinite(v)) {
    snprintf(b, n, "n/a");
    return;
  }
  int k = snprintf(b, n, f, v);
  if (k > 0 && (size_t)k < n && isfinite(lo) && isfinite(hi)) k += snprintf(b + k, n - (size_t)k, " (%.3g to %.3g)", lo, hi);
  if (k > 0 && (size_t)k < n && isfinite(p)) snprintf(b + k, n - (size_t)k, ", p = %.3g", p);
}

static ks_status secondary_table(ks_ctx *ctx, ks_report *rep, const ks_trial_result *r) {
  ks_trial_secondary s;
  KS_TRY(ks_trial_secondary_summarise(ctx, r, &s));
  if (!s.valid) return ks_report_add_paragraph(rep, "Secondary contrasts are computed for two-group parallel designs only.");
  static const char *const head[] = {"analysis", "estimate (95% CI), p"};
  char c[7][2][200];
  snprintf(c[0][0], 200, "response rate difference (Newcombe), Fisher p");
  cell(c[0][1], 200, "%.3f", s.response_diff, s.response_diff_lo, s.response_diff_hi, s.response_fisher_p);
  snprintf(c[1][0], 200, "remission rate difference, Fisher p");
  cell(c[1][1], 200, "%.3f", s.remission_diff, s.remission_diff_lo, s.remission_diff_hi, s.remission_fisher_p);
  snprintf(c[2][0], 200, "time to loss of response, log-rank chi-square");
  cell(c[2][1], 200, "%.3g", s.durability_logrank_chi2, NAN, NAN, s.durability_logrank_p);
  snprintf(c[3][0], 200, "mixed model, difference at the primary day (REML, Satterthwaite; %zu obs, %zu patients)",
           s.lmm_n_obs, s.lmm_n_subjects);
  cell(c[3][1], 200, "%.2f", s.lmm_valid ? s.lmm_difference : NAN, s.lmm_ci_lo, s.lmm_ci_hi, s.lmm_p);
  snprintf(c[4][0], 200, "mixed model, slope difference per day");
  cell(c[4][1], 200, "%.3f", s.lmm_valid ? s.lmm_slope_diff_per_day : NAN, NAN, NAN, NAN);
  snprintf(c[5][0], 200, "r (FC change, CAPS-5 improvement), bootstrap CI, n = %zu", s.imaging_n);
  cell(c[5][1], 200, "%.2f", s.imaging_r, s.imaging_r_lo, s.imaging_r_hi, NAN);
  snprintf(c[6][0], 200, "AUC of baseline vmPFC-amygdala FC for response (DeLong)");
  cell(c[6][1], 200, "%.2f", s.baseline_fc_response_auc, s.baseline_fc_response_auc_lo, s.baseline_fc_response_auc_hi,
       NAN);
  const char *cp[14];
  for (int i = 0; i < 7; i++) cp[2 * i] = c[i][0], cp[2 * i + 1] = c[i][1];
  return ks_report_add_table(rep, "Secondary analyses (as in summary.json \"secondary\")", head, 2, cp, 7);
}

/* ---- the sections --------------------------------------------------------------------------- */

ks_status ks__report_trial_flow(ks_ctx *ctx, ks_report *rep, const ks_trial_result *r) {
  return flow_figure(ctx, rep, r);
}

ks_status ks__report_trial_chain(ks_ctx *ctx, ks_report *rep, const ks_trial_result *r, ks__report_means_fn means) {
  const ks_scenario *sc = ks_trial_scenario(r);
  KS_TRY(ks_report_add_section(rep, "Secondary analyses"));
  KS_TRY(secondary_table(ctx, rep, r));
  KS_TRY(ks_report_add_section(rep, "Exposure"));
  KS_TRY(exposure_figure(ctx, rep, sc));
  KS_TRY(ks_report_add_section(rep, "Safety"));
  KS_TRY(means(ctx, rep, r, KS_M_CADSS, 0, "Dissociation (CADSS)", "CADSS total (0-92)",
               "Mean CADSS per group at its assessments (the scenario's cadss times), with 95% intervals."));
  KS_TRY(means(ctx, rep, r, KS_M_SBP_PEAK, 0, "Peak systolic blood pressure on dosing days", "systolic (mmHg)",
               "Mean peak systolic pressure during the 3 h after each dose, per group and dosing day, with 95% intervals."));
  KS_TRY(means(ctx, rep, r, KS_M_DBP_PEAK, 0, "Peak diastolic blood pressure on dosing days", "diastolic (mmHg)",
               "Mean peak diastolic pressure during the 3 h after each dose, per group and dosing day."));
  KS_TRY(ks_report_add_section(rep, "Individual patients"));
  return spaghetti(ctx, rep, r, KS_M_CAPS5, "CAPS-5 per patient", "CAPS-5 total (0-80)",
                   "CAPS-5 of up to 40 patients per group, one line each (colour and dash by group; the legend names "
                   "each group once).");
}
