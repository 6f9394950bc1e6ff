/* SPDX-License-Identifier: MIT */
/* Writes a sample HTML report with every figure kind and two tables, for the headless-Chromium
 * render test (tests/report/chromium_check.sh). Uses the public API only.
 *   sample_report OUT.html      prints "figures N tables M" on stdout; exit 0 on success. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <ketasim/report.h>

#define N_T 121

static int fail(ks_ctx *ctx, const char *what) {
  fprintf(stderr, "sample_report: %s: %s\n", what, ks_ctx_last_error(ctx));
  return 1;
}

/* After a figure call returned `st` (the SVG in *svg, *n), add it with `caption` and free it.
 * The SVG is read through pointers because the figure call, an argument of this one, fills it. */
static int add(ks_ctx *ctx, ks_report *rep, ks_status st, char **svg, const size_t *n,
               const char *caption) {
  if (st != KS_OK) return fail(ctx, caption);
  st = ks_report_add_svg(rep, caption, *svg, *n);
  ks_free(ctx, *svg);
  *svg = NULL;
  return st == KS_OK ? 0 : fail(ctx, caption);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: sample_report OUT.html\n");
    return 2;
  }
  ks_ctx_opts o = ks_ctx_opts_default();
  ks_ctx *ctx = NULL;
  if (ks_ctx_create(&o, &ctx) != KS_OK) return 1;
  ks_report *rep = NULL;
  if (ks_report_create(ctx, "Sample ketasim report: repeated ketamine infusions", &rep) != KS_OK)
    return fail(ctx, "create");
  int bad = 0;
  bad |= ks_report_set_scenario_text(
             rep, "Thirty virtual adults with chronic civilian PTSD (baseline CAPS-5 about 40) "
                  "are randomised 1:1 to six 40-minute infusions of ketamine 0.5 mg/kg or "
                  "midazolam 0.045 mg/kg over two weeks, with CAPS-5 at days 0, 1, 7 and 14 and "
                  "weekly follow-up to day 56.\n\nThe figures below are synthetic test data that "
                  "exercise every figure kind of the report module.") != KS_OK;

  /* Pharmacokinetics: a band and a dashed metabolite curve, infusion days marked. */
  static double t[N_T], c[N_T], lo[N_T], hi[N_T], nk[N_T], w[N_T];
  for (int i = 0; i < N_T; i++) {
    t[i] = 0.1 * i;
    double tt = t[i];
    c[i] = tt < 0.67 ? 240.0 * tt / 0.67 : 240.0 * exp(-0.45 * (tt - 0.67));
    lo[i] = 0.65 * c[i];
    hi[i] = 1.45 * c[i];
    nk[i] = 90.0 * (exp(-0.2 * tt) - exp(-1.5 * tt));
  }
  ks_fig_series pk[2] = {
      {.label = "ketamine (median, 5-95%)", .x = t, .y = c, .n = N_T, .lo = lo, .hi = hi},
      {.label = "norketamine (median)", .x = t, .y = nk, .n = N_T, .dashed = 1},
  };
  ks_fig_spec spec = {.title = "Plasma concentrations after 0.5 mg/kg IV over 40 min",
                      .x_label = "time after start of infusion (h)",
                      .y_label = "concentration (ng/mL)"};
  char *svg = NULL;
  size_t n = 0;
  bad |= ks_report_add_section(rep, "Pharmacokinetics and plasticity") != KS_OK;
  bad |= add(ctx, rep, ks_fig_lines_svg(ctx, &svg, &n, &spec, pk, 2, NULL, 0), &svg, &n,
             "Plasma ketamine and norketamine, median and 5-95th percentiles");

  /* Plasticity window W(t) with infusion and therapy days. */
  double days[N_T];
  for (int i = 0; i < N_T; i++) {
    days[i] = 0.25 * i;
    w[i] = 0.0;
    const double inf[6] = {1, 3, 5, 8, 10, 12};
    for (int k = 0; k < 6; k++)
      if (days[i] >= inf[k]) w[i] += 0.35 * exp(-(days[i] - inf[k]) / 2.5);
  }
  ks_fig_series ws = {.label = "plasticity window W(t)", .x = days, .y = w, .n = N_T};
  ks_fig_marker marks[9];
  const double inf_d[6] = {1, 3, 5, 8, 10, 12}, ther_d[3] = {2, 9, 16};
  for (int k = 0; k < 6; k++)
    marks[k] = (ks_fig_marker){.x = inf_d[k], .label = "ketamine infusion", .color = 8};
  for (int k = 0; k < 3; k++)
    marks[6 + k] = (ks_fig_marker){.x = ther_d[k], .label = "exposure session",
                                   .style = KS_FIG_MARK_DASHED, .color = 3};
  ks_fig_spec wspec = {.title = "Window of plasticity", .x_label = "day",
                       .y_label = "W (dimensionless, 0-1)"};
  svg = NULL;
  bad |= add(ctx, rep, ks_fig_lines_svg(ctx, &svg, &n, &wspec, &ws, 1, marks, 9), &svg, &n,
             "W(t) with infusion and therapy days marked");

  /* FC heatmap. */
  const char *regions[6] = {"vmPFC", "dACC", "amygdala", "hippocampus", "insula", "dlPFC"};
  double fc[36];
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 6; j++) fc[i * 6 + j] = i == j ? 0.0 : 0.12 * sin(1.1 * i + 0.6 * j);
  ks_fig_spec hspec = {.title = "Resting FC change, day 14 minus baseline",
                       .z_label = "change in FC (r)"};
  svg = NULL;
  bad |= ks_report_add_section(rep, "Imaging") != KS_OK;
  bad |= add(ctx, rep, ks_fig_heatmap_svg(ctx, &svg, &n, &hspec, regions, 6, fc, 0, 0, 1), &svg,
             &n, "Change in resting functional connectivity");

  /* Outcomes: bars, KM, trajectories. */
  const char *arms[2] = {"ketamine", "midazolam"};
  double rate[2] = {0.67, 0.20}, rlo[2] = {0.42, 0.07}, rhi[2] = {0.85, 0.45};
  ks_fig_spec bspec = {.title = "Response at day 14 (CAPS-5 drop of 30% or more)",
                       .x_label = "arm", .y_label = "responders (fraction)"};
  svg = NULL;
  bad |= ks_report_add_section(rep, "Outcomes") != KS_OK;
  bad |= add(ctx, rep, ks_fig_bars_svg(ctx, &svg, &n, &bspec, arms, rate, rlo, rhi, 2), &svg, &n,
             "Response rates with 95% intervals");
  double kt[5] = {0, 7, 14, 21, 35}, ks1[5] = {1, 0.9, 0.7, 0.6, 0.5};
  double cens[2] = {28, 42};
  ks_fig_step_series km = {.label = "ketamine responders", .t = kt, .s = ks1, .n = 5,
                           .censor_t = cens, .n_censor = 2};
  ks_fig_spec kspec = {.title = "Durability of response", .x_label = "days after last infusion",
                       .y_label = "still responding (fraction)"};
  svg = NULL;
  bad |= add(ctx, rep, ks_fig_steps_svg(ctx, &svg, &n, &kspec, &km, 1), &svg, &n,
             "Kaplan-Meier curve of time to loss of response");
  ks_fig_forest_row rows[3] = {
      {"pk.ketamine.iv40.cmax (ng/mL)", 185, 140, 230, 201},
      {"clinic.caps5.day14.diff (points)", -8.8, -14, -3.6, -7.9},
      {"imaging.fc.change (r)", 0.1, 0.05, 0.15, 0.18},
  };
  ks_fig_spec fspec = {.title = "Validation targets"};
  svg = NULL;
  bad |= ks_report_add_section(rep, "Validation") != KS_OK;
  bad |= add(ctx, rep, ks_fig_forest_svg(ctx, &svg, &n, &fspec, rows, 3, KS_FIG_FOREST_TOLERANCE),
             &svg, &n, "Simulated against published validation targets");

  const char *hdr[4] = {"arm", "n", "CAPS-5 change at day 14", "responders"};
  const char *cells[8] = {"ketamine", "15", "-14.2 [-18.0, -10.4]", "67%",
                          "midazolam", "15", "-5.1 [-8.9, -1.3]", "20%"};
  bad |= ks_report_add_table(rep, "Primary endpoint by arm", hdr, 4, cells, 2) != KS_OK;
  const char *h2[3] = {"target", "published", "simulated"};
  const char *c2[9] = {"pk.ketamine.iv40.cmax", "185", "201", "clinic.caps5.day14.diff", "-8.8",
                       "-7.9", "imaging.fc.change", "0.1", "0.18"};
  bad |= ks_report_add_table(rep, "Validation targets", h2, 3, c2, 3) != KS_OK;
  bad |= ks_report_set_provenance(rep, NULL, 2021u,
                                  "ketasim: 1\nname: sample\nseed: 2021\n"
                                  "population: {n: 30, preset: civilian-chronic-ptsd}\n") != KS_OK;
  if (bad) return fail(ctx, "building the report");
  if (ks_report_write(rep, argv[1]) != KS_OK) return fail(ctx, "write");
  printf("figures %zu tables %zu\n", ks_report_n_figures(rep), ks_report_n_tables(rep));
  ks_report_destroy(&rep);
  ks_ctx_destroy(&ctx);
  return 0;
}
