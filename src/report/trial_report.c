/* SPDX-License-Identifier: MIT */
/* The HTML report of a trial run: the scenario in words, result tables, figures (symptom
 * trajectories, response rates, plasticity window, vmPFC-amygdala coupling), provenance. */
#include "report_internal.h"
#include <ketasim/report.h>
#include <ketasim/output.h>
#include <ketasim/trial.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#define MAX_GROUPS 16

/* Mean and 95% interval of measure m per visit for group g (visits where anyone has a value). */
static size_t visit_means(const ks_trial_result *r, size_t g, ks_measure m, int change, double *x, double *y,
                          double *lo, double *hi) {
  size_t nv = ks_trial_n_visits(r), np = ks_trial_n_patients(r), k = 0;
  for (size_t v = 0; v < nv; v++) {
    double s = 0, s2 = 0;
    size_t n = 0;
    for (size_t i = 0; i < np; i++) {
      if ((size_t)ks_trial_patient_arm(r, i) != g) continue;
      double val = ks_trial_value(r, i, v, m);
      if (change) val -= ks_trial_value(r, i, 0, m);
      if (isnan(val)) continue;
      s += val;
      s2 += val * val;
      n++;
    }
    if (!n) continue;
    double mean = s / (double)n, sd = n > 1 ? sqrt(fmax(0, (s2 - s * mean) / (double)(n - 1))) : 0;
    x[k] = ks_trial_visit_t_h(r, v) / 24.0;
    y[k] = mean;
    lo[k] = mean - 1.96 * sd / sqrt((double)n);
    hi[k] = mean + 1.96 * sd / sqrt((double)n);
    k++;
  }
  return k;
}

/* One line figure over study days (with its PDF twin), added to the report with its caption. */
static ks_status lines_figure(ks_ctx *ctx, ks_report *rep, const char *title, const char *ylab, const char *caption,
                              const ks_fig_series *ser, size_t ns) {
  ks_fig_spec spec;
  memset(&spec, 0, sizeof spec);
  spec.title = title;
  spec.x_label = "study day";
  spec.y_label = ylab;
  char *svg = NULL, pdf[4200];
  size_t n_svg = 0;
  spec.pdf_path = ks_report_next_pdf_path(rep, pdf, sizeof pdf);
  ks_status st = ks_fig_lines_svg(ctx, &svg, &n_svg, &spec, ser, ns, NULL, 0);
  if (st == KS_OK) st = ks_report_add_svg(rep, caption, svg, n_svg);
  ks_free(ctx, svg);
  return st;
}

static ks_status add_lines(ks_ctx *ctx, ks_report *rep, const ks_trial_result *r, int measure, int change,
                           const char *title, const char *ylab, const char *caption) {
  ks_measure m = (ks_measure)measure;
  size_t ng = ks_trial_n_groups(r), nv = ks_trial_n_visits(r);
  if (ng > MAX_GROUPS) ng = MAX_GROUPS;
  double *buf = ks_calloc(ctx, 4 * nv * ng + 1, sizeof *buf);
  if (!buf) return KS_ENOMEM;
  ks_fig_series ser[MAX_GROUPS];
  char labels[MAX_GROUPS][96];
  size_t ns = 0;
  for (size_t g = 0; g < ng; g++) {
    double *x = buf + 4 * nv * g, *y = x + nv, *lo = y + nv, *hi = lo + nv;
    size_t n = visit_means(r, g, m, change, x, y, lo, hi);
    if (!n) continue;
    memset(&ser[ns], 0, sizeof ser[ns]);
    ser[ns].label = ks_trial_group_label(r, g, labels[g], sizeof labels[g]);
    ser[ns].x = x;
    ser[ns].y = y;
    ser[ns].lo = lo;
    ser[ns].hi = hi;
    ser[ns].n = n;
    ser[ns].points = 1;
    /* Colour and dash by group, so legend entries differ in grey print and for colour-blind readers. */
    ser[ns].color = (int)(g % KS_FIG_N_COLORS) + 1;
    ser[ns].dashed = (int)(g % 2);
    ns++;
  }
  ks_status st = ns ? lines_figure(ctx, rep, title, ylab, caption, ser, ns) : KS_OK;
  ks_free(ctx, buf);
  return st;
}

/* One figure per group: benefit (CAPS-5, MADRS), cognition (RAVLT, TMT-B, digit symbol), pain,
 * suicidal ideation and the frequent-use flag over time, each as percent of the group's baseline
 * mean (the flag: percent of patients), so that measures on different units share an axis. */
static ks_status group_overviews(ks_ctx *ctx, ks_report *rep, const ks_trial_result *r) {
  static const struct {
    ks_measure m;
    const char *label;
    int as_share;
  } ms[] = {{KS_M_CAPS5, "CAPS-5", 0},         {KS_M_MADRS, "MADRS", 0},       {KS_M_RAVLT, "RAVLT", 0},
            {KS_M_TMT_B, "TMT-B time", 0},     {KS_M_DSST, "digit symbol", 0}, {KS_M_PAIN_NRS, "pain NRS", 0},
            {KS_M_SSI, "SSI", 0},              {KS_M_FLAG_FREQUENT, "frequent-use flag (% of patients)", 1}};
  enum { NM = sizeof ms / sizeof ms[0] };
  size_t ng = ks_trial_n_groups(r), nv = ks_trial_n_visits(r);
  if (ng > MAX_GROUPS) ng = MAX_GROUPS;
  double *buf = ks_calloc(ctx, 4 * nv * NM + 1, sizeof *buf);
  if (!buf) return KS_ENOMEM;
  ks_status st = KS_OK;
  for (size_t g = 0; g < ng && st == KS_OK; g++) {
    ks_fig_series ser[NM];
    size_t ns = 0;
    for (size_t k = 0; k < NM; k++) {
      double *x = buf + 4 * nv * k, *y = x + nv, *lo = y + nv, *hi = lo + nv;
      size_t n = visit_means(r, g, ms[k].m, 0, x, y, lo, hi);
      double base = ms[k].as_share ? 0.01 : y[0];
      if (n < 2 || !(fabs(base) > 1e-12)) continue;
      for (size_t j = 0; j < n; j++) {
        y[j] *= 100.0 / base;
        lo[j] *= 100.0 / base;
        hi[j] *= 100.0 / base;
      }
      memset(&ser[ns], 0, sizeof ser[ns]);
      ser[ns].label = ms[k].label;
      ser[ns].x = x;
      ser[ns].y = y;
      ser[ns].n = n;
      ser[ns].points = 1;
      ser[ns].dashed = k >= 2;
      ns++;
    }
    if (!ns) continue;
    char lbl[96], title[160];
    snprintf(title, sizeof title, "%s: benefit, cognition and safety", ks_trial_group_label(r, g, lbl, sizeof lbl));
    st = lines_figure(ctx, rep, title, "% of the group's baseline mean",
                      "Group means as percent of baseline (solid: symptoms; dashed: cognition, pain, suicidal "
                      "ideation, and the share of patients with the frequent-use flag). For TMT-B, lower is better.",
                      ser, ns);
  }
  ks_free(ctx, buf);
  return st;
}

/* Long-term brain outcomes and safety (docs/model/brain.md), next to benefit: one figure per
 * measure the scenario assessed, every group a series; measures never assessed draw nothing. */
static ks_status brain_section(ks_ctx *ctx, ks_report *rep, const ks_trial_result *r) {
  static const struct {
    ks_measure m;
    const char *title, *ylab, *caption;
  } figs[] = {
      {KS_M_VOL_HPC_PCT, "Hippocampal volume", "% change from baseline",
       "Structural MRI: hippocampal gray-matter volume from the spine state (calibrated to Logue 2018)."},
      {KS_M_VOL_PFC_PCT, "Prefrontal gray-matter volume", "% change from baseline",
       "Structural MRI: medial prefrontal gray matter from PFC spine density."},
      {KS_M_RAVLT, "Verbal learning (RAVLT total)", "words (trials 1-5, 0-75)",
       "Rey AVLT total learning; trauma-exposed controls 57.8 (SD 6.4)."},
      {KS_M_TMT_A, "Processing speed (TMT-A)", "seconds (lower is better)", "Trail Making Test A; controls 20.1 s (SD 6.3)."},
      {KS_M_TMT_B, "Set-shifting (TMT-B)", "seconds (lower is better)", "Trail Making Test B; controls 48.6 s (SD 13.1)."},
      {KS_M_DSST, "Processing speed (digit symbol)", "items", "Digit Symbol; controls 79.3 (SD 14.7)."},
      {KS_M_PAIN_NRS, "Chronic pain", "NRS (0-10)",
       "Patients with chronic pain only; analgesic effect site of Dahan 2011 (C50 10.5 ng/mL, half-time 10.9 days)."},
      {KS_M_SSI, "Suicidal ideation (SSI)", "SSI total (0-38)", "Scale for Suicidal Ideation."},
      {KS_M_KETAMINE_CUM_MG, "Cumulative ketamine exposure", "mg (ketamine + esketamine)",
       "Safety: cumulative exposure. Urinary tract injury is reported with heavy chronic use "
       "(Chu 2008, case series of recreational users: very low grade evidence; no therapeutic dose threshold)."},
      {KS_M_FLAG_FREQUENT, "Frequent-use flag", "share of patients",
       "Safety: 4 or more doses a week over the last 4 weeks, the frequency at which recreational users showed "
       "memory impairment over a year (Morgan 2010, observational cohort: low grade evidence)."},
  };
  /* Only when the scenario assessed a brain-layer scale (the safety measures exist at every visit). */
  int any = 0;
  for (size_t k = 0; k < 8 && !any; k++)
    for (size_t v = 0; v < ks_trial_n_visits(r) && !any; v++)
      for (size_t i = 0; i < ks_trial_n_patients(r) && !any; i++) any = isfinite(ks_trial_value(r, i, v, figs[k].m));
  if (!any) return KS_OK;
  KS_TRY(ks_report_add_section(rep, "Long-term brain outcomes and safety"));
  KS_TRY(group_overviews(ctx, rep, r));
  for (size_t k = 0; k < sizeof figs / sizeof figs[0]; k++)
    KS_TRY(add_lines(ctx, rep, r, figs[k].m, 0, figs[k].title, figs[k].ylab, figs[k].caption));
  return KS_OK;
}

static void fmt(char *b, size_t n, double v, const char *f) {
  if (isfinite(v)) snprintf(b, n, f, v);
  else snprintf(b, n, "n/a");
}

ks_status ks_report_trial_html(ks_ctx *ctx, const ks_trial_result *r, const char *dir) {
  return ks_report_trial_html_cmd(ctx, r, dir, NULL);
}

/* Revision, generation date (UTC) and command line for the provenance section. */
static ks_status add_run_provenance(ks_report *rep, const char *command_line) {
  KS_TRY(ks_report_add_provenance(rep, "revision", ks_git_revision()));
  time_t now = time(NULL);
  struct tm tmv;
  char date[64];
  if (gmtime_r(&now, &tmv) && strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tmv))
    KS_TRY(ks_report_add_provenance(rep, "generated", date));
  if (command_line) KS_TRY(ks_report_add_provenance(rep, "command line", command_line));
  return KS_OK;
}

ks_status ks_report_trial_html_cmd(ks_ctx *ctx, const ks_trial_result *r, const char *dir, const char *command_line) {
  return ks_report_trial_html_pdf(ctx, r, dir, command_line, NULL);
}

ks_status ks_report_trial_html_pdf(ks_ctx *ctx, const ks_trial_result *r, const char *dir,
                                   const char *command_line, const char *pdf_dir) {
  KS_CHECK_ARG(ctx, r && dir);
  const ks_scenario *sc = ks_trial_scenario(r);
  char title[160];
  snprintf(title, sizeof title, "ketasim: %s", sc->name);
  ks_report *rep = NULL;
  KS_TRY(ks_report_create(ctx, title, &rep));
  ks_report_set_pdf_dir(rep, pdf_dir);
  ks_status st = KS_OK;
  char *resolved = NULL;
  size_t n_resolved = 0;

  /* The scenario in words. */
  char words[4096];
  size_t o = 0;
  o += (size_t)snprintf(words + o, sizeof words - o, "A %s %s trial of %zu virtual patients (population: %s). ",
                        ks_scen_blinding_name(sc->blinding), ks_scen_design_name(sc->design), ks_trial_n_patients(r), ks_scen_preset_name(sc->population.preset));
  for (size_t a = 0; a < sc->n_arms && o < sizeof words - 200; a++) {
    const ks_scen_arm *arm = &sc->arms[a];
    o += (size_t)snprintf(words + o, sizeof words - o, "Arm %s:%s", arm->name,
                          arm->control != KS_ARM_CONTROL_NONE ? " no treatment (waiting list or no-treatment control);" : "");
    for (size_t k = 0; k < arm->n_regimen && o < sizeof words - 200; k++) {
      const ks_scen_dose *d = &arm->regimen[k];
      if (d->drug == KS_SCEN_SALINE) {
        o += (size_t)snprintf(words + o, sizeof words - o, " saline (inert placebo) on %zu day%s;", d->n_days,
                              d->n_days == 1 ? "" : "s");
        continue;
      }
      char inf[48] = "";
      if (d->infusion_h > 0) snprintf(inf, sizeof inf, " over a %g-min infusion", 60.0 * d->infusion_h);
      o += (size_t)snprintf(words + o, sizeof words - o, " %s %g %s %s%s on %zu day%s;", ks_scen_drug_name(d->drug), d->dose,
                            d->per_kg ? "mg/kg" : "mg", ks_scen_route_name(d->route), inf, d->n_days, d->n_days == 1 ? "" : "s");
    }
    for (size_t k = 0; k < arm->n_therapy && o < sizeof words - 200; k++)
      o += (size_t)snprintf(words + o, sizeof words - o, " %s therapy, %zu sessions of %g min;",
                            ks_scen_therapy_kind_name(arm->therapy[k].kind), arm->therapy[k].n_days, arm->therapy[k].minutes);
    o += (size_t)snprintf(words + o, sizeof words - o, " ");
  }
  if (o < sizeof words - 200 && sc->followup_days > 0)
    snprintf(words + o, sizeof words - o, "Patients are followed for %d days after treatment.", sc->followup_days);
  if ((st = ks_report_set_scenario_text(rep, words)) != KS_OK) goto done;

  /* Primary result. */
  ks_trial_primary pr;
  if ((st = ks_trial_summarise(ctx, r, &pr)) != KS_OK) goto done;
  if ((st = ks_report_add_section(rep, "Primary endpoint")) != KS_OK) goto done;
  if (pr.valid) {
    char p[512];
    snprintf(p, sizeof p,
             "%s at day %g, contrast %s (%s): difference %.2f points (95%% CI %.2f to %.2f), p = %.3g, "
             "Cohen's d = %.2f (95%% CI %.2f to %.2f). Negative differences favour the first arm.",
             ks_scen_scale_name(pr.scale), pr.day, pr.contrast, pr.method, pr.difference, pr.ci_lo, pr.ci_hi,
             pr.p, pr.cohens_d, pr.cohens_d_lo, pr.cohens_d_hi);
    if ((st = ks_report_add_paragraph(rep, p)) != KS_OK) goto done;
  } else if ((st = ks_report_add_paragraph(rep, "The primary contrast could not be computed (too few completers or a single arm).")) != KS_OK) {
    goto done;
  }

  /* Per-arm table and response bars. */
  size_t ng = ks_trial_n_groups(r);
  if (ng > MAX_GROUPS) ng = MAX_GROUPS;
  static const char *const head[] = {"group", "n", "completed", "baseline CAPS-5", "response rate", "95% CI",
                                     "remission rate", "median days to loss of response"};
  char cells[MAX_GROUPS][8][128];
  const char *cp[MAX_GROUPS * 8];
  char labels[MAX_GROUPS][96];
  const char *lab[MAX_GROUPS];
  double resp[MAX_GROUPS], rlo[MAX_GROUPS], rhi[MAX_GROUPS];
  for (size_t g = 0; g < ng; g++) {
    ks_trial_arm_summary s;
    if ((st = ks_trial_arm_summarise(ctx, r, g, &s)) != KS_OK) goto done;
    lab[g] = ks_trial_group_label(r, g, labels[g], sizeof labels[g]);
    snprintf(cells[g][0], 128, "%s", lab[g]);
    snprintf(cells[g][1], 128, "%zu", s.n);
    snprintf(cells[g][2], 128, "%zu", s.n_completed);
    char m[32], sd[32];
    fmt(m, sizeof m, s.baseline_mean[KS_SCALE_CAPS5], "%.1f");
    fmt(sd, sizeof sd, s.baseline_sd[KS_SCALE_CAPS5], "%.1f");
    snprintf(cells[g][3], 128, "%s (SD %s)", m, sd);
    fmt(cells[g][4], 128, 100 * s.response_rate, "%.0f%%");
    char lo[32], hi[32];
    fmt(lo, sizeof lo, 100 * s.response_lo, "%.0f");
    fmt(hi, sizeof hi, 100 * s.response_hi, "%.0f");
    snprintf(cells[g][5], 128, "%s-%s%%", lo, hi);
    fmt(cells[g][6], 128, 100 * s.remission_rate, "%.0f%%");
    fmt(cells[g][7], 128, s.median_days_to_loss_of_response, "%.1f");
    for (int c = 0; c < 8; c++) cp[g * 8 + (size_t)c] = cells[g][c];
    resp[g] = 100 * s.response_rate;
    rlo[g] = 100 * s.response_lo;
    rhi[g] = 100 * s.response_hi;
  }
  if ((st = ks_report_add_section(rep, "Arms")) != KS_OK) goto done;
  if ((st = ks_report_add_table(rep, "Per-group results", head, 8, cp, ng)) != KS_OK) goto done;
  if ((st = ks__report_trial_flow(ctx, rep, r)) != KS_OK) goto done;
  if (isfinite(resp[0])) {
    ks_fig_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.title = "Response rate";
    spec.x_label = "group";
    spec.y_label = "responders (%)";
    spec.y_min = 0;
    spec.y_max = 100;
    char *svg = NULL, pdf[4200];
    size_t n_svg = 0;
    spec.pdf_path = ks_report_next_pdf_path(rep, pdf, sizeof pdf);
    if ((st = ks_fig_bars_svg(ctx, &svg, &n_svg, &spec, lab, resp, rlo, rhi, ng)) != KS_OK) goto done;
    st = ks_report_add_svg(rep, "Responders at the response visit, with Wilson 95% intervals.", svg, n_svg);
    ks_free(ctx, svg);
    if (st != KS_OK) goto done;
  }

  if ((st = ks_report_add_section(rep, "Durability")) != KS_OK) goto done;
  if ((st = ks__report_trial_km(ctx, rep, r)) != KS_OK) goto done;

  /* Trajectories. */
  if ((st = ks_report_add_section(rep, "Symptoms over time")) != KS_OK) goto done;
  if ((st = add_lines(ctx, rep, r, KS_M_CAPS5, 0, "CAPS-5", "CAPS-5 total (0-80)",
                      "Mean CAPS-5 per group and visit with 95% intervals of the mean.")) != KS_OK)
    goto done;
  if ((st = add_lines(ctx, rep, r, KS_M_MADRS, 0, "MADRS", "MADRS total (0-60)",
                      "Mean MADRS per group and visit with 95% intervals.")) != KS_OK)
    goto done;
  if ((st = ks_report_add_section(rep, "Mechanism")) != KS_OK) goto done;
  if ((st = add_lines(ctx, rep, r, KS_M_WINDOW, 0, "Window of plasticity W(t)", "W (0-1)",
                      "The window of plasticity at each visit: it scales extinction learning in the fear-memory layer.")) != KS_OK)
    goto done;
  if ((st = add_lines(ctx, rep, r, KS_M_GAIN_VMPFC_AMYGDALA, 0, "vmPFC to amygdala synaptic gain", "gain (1 = healthy)",
                      "Synaptic gain of the vmPFC to amygdala pathway set by the plasticity cascade.")) != KS_OK)
    goto done;
  if ((st = add_lines(ctx, rep, r, KS_M_FEAR, 0, "Trauma-memory expression", "fear expression (0-1)",
                      "Fear expression to trauma reminders (amygdala output) from the fear-memory layer.")) != KS_OK)
    goto done;
  if ((st = add_lines(ctx, rep, r, KS_M_FC_VMPFC_AMYGDALA, 0, "vmPFC-amygdala connectivity (faces task)",
                      "Fisher z", "Simulated vmPFC-amygdala functional connectivity at scan visits.")) != KS_OK)
    goto done;
  if ((st = ks__report_trial_chain(ctx, rep, r, add_lines)) != KS_OK) goto done;
  if ((st = brain_section(ctx, rep, r)) != KS_OK) goto done;
  if ((st = ks_report_add_section(rep, "A typical patient per group")) != KS_OK) goto done;
  if ((st = ks__report_trial_typical(ctx, rep, r)) != KS_OK) goto done;

  /* Provenance. */
  {
    FILE *mf = open_memstream(&resolved, &n_resolved);
    if (!mf) {
      st = ks_ctx_fail(ctx, KS_ENOMEM, "report: cannot buffer the resolved scenario");
      goto done;
    }
    st = ks_scenario_write_resolved(ctx, sc, mf);
    fclose(mf);
    if (st != KS_OK) goto done;
  }
  if ((st = ks_report_set_provenance(rep, NULL, sc->seed, resolved)) != KS_OK) goto done;
  if ((st = add_run_provenance(rep, command_line)) != KS_OK) goto done;
  char path[4096];
  snprintf(path, sizeof path, "%s/report.html", dir);
  st = ks_report_write(rep, path);
done:
  free(resolved);
  ks_report_destroy(&rep);
  return st;
}
