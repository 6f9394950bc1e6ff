/* SPDX-License-Identifier: MIT */
/* ketasim patient SCENARIO.yaml --id K [--arm NAME] --out DIR [--plot FILE]: one virtual
 * patient's full trajectory through every layer as CSV tables (and, on request, one figure per
 * panel). Patient K is row K of patients.csv from `ketasim run` with the same scenario. */
#include "cli.h"
#include "commands.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *const usage_text = "SCENARIO.yaml --id K [--arm NAME] --out DIR [--plot FILE] [--population-csv FILE] [--data FILE] [--quiet]";

/* ---- CSV ------------------------------------------------------------------------------------- */

/* One table as DIR/NAME.csv. The doses table names its drug and route; the visits table carries
 * the visit's label after its number (as patients.csv). */
static ks_status write_table(ks_ctx *ctx, const ks_trial_trace *tr, const ks_trace_table *t, const char *dir) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s.csv", dir, t->name);
  ks_afile *f = NULL;
  ks_status st = ks_afile_open(ctx, path, &f);
  if (st != KS_OK) return st;
  FILE *fp = ks_afile_stream(f);
  int is_visits = !strcmp(t->name, "visits"), is_doses = !strcmp(t->name, "doses");
  for (size_t c = 0; c < t->n_cols; c++) {
    ks_csv_field_str(fp, c == 0, t->col_names[c]);
    if (is_visits && c == 0) ks_csv_field_str(fp, 0, "visit_label");
  }
  ks_csv_end_row(fp);
  for (size_t r = 0; r < t->n_rows; r++) {
    const double *row = t->data + r * t->n_cols;
    for (size_t c = 0; c < t->n_cols; c++) {
      const char *nm = t->col_names[c];
      if (is_doses && !strcmp(nm, "drug")) ks_csv_field_str(fp, c == 0, ks_drug_name((ks_drug)row[c]));
      else if (is_doses && !strcmp(nm, "route")) ks_csv_field_str(fp, c == 0, ks_route_name((ks_route)row[c]));
      else ks_csv_field_num(fp, c == 0, row[c]);
      if (is_visits && c == 0) ks_csv_field_str(fp, 0, ks_trial_trace_visit_label(tr, r));
    }
    ks_csv_end_row(fp);
  }
  return ks_afile_commit(&f);
}

/* DIR/columns.csv: the data dictionary (table, column, unit) of every file. */
static ks_status write_dictionary(ks_ctx *ctx, const ks_trial_trace *tr, const char *dir) {
  char path[4200];
  snprintf(path, sizeof path, "%s/columns.csv", dir);
  ks_afile *f = NULL;
  ks_status st = ks_afile_open(ctx, path, &f);
  if (st != KS_OK) return st;
  FILE *fp = ks_afile_stream(f);
  ks_csv_field_str(fp, 1, "file");
  ks_csv_field_str(fp, 0, "column");
  ks_csv_field_str(fp, 0, "unit");
  ks_csv_end_row(fp);
  for (size_t i = 0; i < ks_trial_trace_n_tables(tr); i++) {
    const ks_trace_table *t = ks_trial_trace_table(tr, i);
    char file[96];
    snprintf(file, sizeof file, "%s.csv", t->name);
    for (size_t c = 0; c < t->n_cols; c++) {
      const char *nm = t->col_names[c];
      const char *unit = t->col_units[c];
      if (!strcmp(t->name, "doses") && (!strcmp(nm, "drug") || !strcmp(nm, "route"))) unit = "name";
      ks_csv_field_str(fp, 1, file);
      ks_csv_field_str(fp, 0, nm);
      ks_csv_field_str(fp, 0, unit);
      ks_csv_end_row(fp);
      if (!strcmp(t->name, "visits") && c == 0) {
        ks_csv_field_str(fp, 1, file);
        ks_csv_field_str(fp, 0, "visit_label");
        ks_csv_field_str(fp, 0, "text");
        ks_csv_end_row(fp);
      }
    }
  }
  return ks_afile_commit(&f);
}

/* ---- figures --------------------------------------------------------------------------------- */

#define MAX_SERIES 8
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

typedef struct panel_ctx {
  ks_ctx *ctx;
  const ks_trial_trace *tr;
  const char *stem, *ext;   /* FILE split at its extension */
  double *buf;              /* scratch: MAX_SERIES + 1 columns of the longest table */
  size_t buf_rows;
  ks_fig_marker marks[256];
  size_t n_marks;
  int n_written;
} panel_ctx;

/* Column NAME of table T into dst (scaled by `scale`, divided by its first finite value when
 * `normalise`); returns 0 when the column is missing or has no finite value. */
static int column(const ks_trace_table *t, const char *name, double scale, int normalise, double *dst) {
  int c = ks_trace_table_column(t, name);
  if (c < 0) return 0;
  double base = NAN;
  int any = 0;
  for (size_t r = 0; r < t->n_rows; r++) {
    double v = t->data[r * t->n_cols + (size_t)c] * scale;
    if (isfinite(v) && !isfinite(base)) base = v;
    dst[r] = v;
    any |= isfinite(v) && v != 0.0;
  }
  if (normalise && isfinite(base) && base != 0.0)
    for (size_t r = 0; r < t->n_rows; r++) dst[r] /= base;
  return any;
}

typedef struct series_def {
  const char *col, *label;
  double scale;
  int dashed;
} series_def;

/* One panel: the listed columns of a table against its time column (days, or hours since
 * t0_h when window_h > 0: only rows in [t0_h, t0_h + window_h]). Columns that are all zero or
 * missing are left out; a panel with none is skipped. */
static int panel(panel_ctx *p, const char *suffix, const char *table, const series_def *defs, size_t n_defs,
                 int normalise, int points, double t0_h, double window_h, ks_fig_spec spec) {
  const ks_trace_table *t = ks_trial_trace_find(p->tr, table);
  if (!t || t->n_rows == 0) return 0;
  double *x = p->buf;
  int tc = ks_trace_table_column(t, "t_h");
  size_t lo = 0, hi = t->n_rows;
  for (size_t r = 0; r < t->n_rows; r++) {
    double th = t->data[r * t->n_cols + (size_t)tc];
    x[r] = window_h > 0 ? th - t0_h : th / 24.0;
    if (window_h > 0 && th < t0_h - 1e-9) lo = r + 1;
    if (window_h > 0 && th > t0_h + window_h + 1e-9 && hi == t->n_rows) hi = r;
  }
  if (hi <= lo) return 0;
  ks_fig_series s[MAX_SERIES];
  size_t ns = 0;
  for (size_t k = 0; k < n_defs && ns < MAX_SERIES; k++) {
    double *y = p->buf + (ns + 1) * p->buf_rows;
    if (!column(t, defs[k].col, defs[k].scale, normalise, y)) continue;
    s[ns] = (ks_fig_series){.label = defs[k].label, .x = x + lo, .y = y + lo, .n = hi - lo, .points = points,
                            .dashed = defs[k].dashed};
    ns++;
  }
  if (ns == 0) return 0;
  char path[4200];
  snprintf(path, sizeof path, "%s-%s%s", p->stem, suffix, p->ext);
  ks_status st = ks_fig_lines(p->ctx, path, &spec, s, ns, window_h > 0 ? NULL : p->marks, window_h > 0 ? 0 : p->n_marks);
  if (st != KS_OK) return -1;
  p->n_written++;
  return 0;
}

/* The extension of a --plot FILE (".png", ".svg" or ".pdf"), or NULL with a message. */
static const char *plot_ext(const char *file) {
  const char *dot = strrchr(file, '.');
  const char *slash = strrchr(file, '/');
  if (!dot || (slash && dot < slash) || (strcasecmp(dot, ".png") && strcasecmp(dot, ".svg") && strcasecmp(dot, ".pdf"))) {
    cli_error("--plot: '%s' is not a .png, .svg or .pdf file name (expected e.g. --plot out/patient.png)", file);
    return NULL;
  }
  return dot;
}

static int write_figures(ks_ctx *ctx, const ks_trial_trace *tr, const char *file, int quiet) {
  const char *dot = plot_ext(file);
  if (!dot) return 2;
  char stem[4096];
  snprintf(stem, sizeof stem, "%.*s", (int)(dot - file), file);
  size_t rows = 1;
  for (size_t i = 0; i < ks_trial_trace_n_tables(tr); i++)
    if (ks_trial_trace_table(tr, i)->n_rows > rows) rows = ks_trial_trace_table(tr, i)->n_rows;
  panel_ctx p = {.ctx = ctx, .tr = tr, .stem = stem, .ext = dot, .buf_rows = rows};
  p.buf = calloc((MAX_SERIES + 1) * rows, sizeof *p.buf);
  if (!p.buf) {
    cli_error("patient: out of memory");
    return 1;
  }
  const ks_trace_table *d = ks_trial_trace_find(tr, "doses");
  double first_dose_h = 0.0, infusion_h = 0.0;
  for (size_t r = 0; r < d->n_rows && p.n_marks < 256; r++) {
    double t0 = d->data[r * d->n_cols], drug = d->data[r * d->n_cols + 3];
    if (r == 0) first_dose_h = t0, infusion_h = d->data[r * d->n_cols + 1];
    p.marks[p.n_marks++] = (ks_fig_marker){.x = t0 / 24.0, .label = ks_drug_name((ks_drug)drug),
                                           .style = KS_FIG_MARK_DOTTED};
  }
  double win_h = infusion_h + 3.0;
  static const series_def conc[] = {
      {"plasma_s_ketamine_ng_per_mL", "plasma S-ketamine", 1, 0}, {"plasma_r_ketamine_ng_per_mL", "plasma R-ketamine", 1, 0},
      {"plasma_s_norketamine_ng_per_mL", "plasma S-norketamine", 1, 0},
      {"plasma_r_norketamine_ng_per_mL", "plasma R-norketamine", 1, 0}, {"plasma_midazolam_ng_per_mL", "plasma midazolam", 1, 0},
      {"effect_s_ketamine_ng_per_mL", "effect site S-ketamine", 1, 1},
      {"effect_r_ketamine_ng_per_mL", "effect site R-ketamine", 1, 1},
      {"effect_midazolam_ng_per_mL", "effect site midazolam", 1, 1}};
  static const series_def rec[] = {{"nmda_occupancy", "NMDA occupancy (no Mg2+)", 1, 0},
                                   {"block_interneuron", "block, interneurons", 1, 0},
                                   {"block_pyramidal", "block, pyramidal cells", 1, 0},
                                   {"gabaa_potentiation", "GABA-A potentiation", 1, 0},
                                   {"sedation", "sedation", 1, 0}};
  static const series_def acute[] = {{"cadss_expected", "CADSS (expected, points)", 1, 0},
                                     {"dsbp_mmHg", "systolic BP change (mmHg)", 1, 0},
                                     {"ddbp_mmHg", "diastolic BP change (mmHg)", 1, 0},
                                     {"dhr_bpm", "heart rate change (/min)", 1, 0}};
  static const series_def cas[] = {{"glutamate", "glutamate", 1, 0}, {"bdnf", "BDNF", 1, 0}, {"mtorc1", "mTORC1", 1, 0},
                                   {"proteins", "synaptic proteins", 1, 0}, {"spine_pfc", "spines, PFC", 1, 0},
                                   {"spine_hpc", "spines, hippocampus", 1, 0}};
  static const series_def gains[] = {{"gain_vmpfc_amygdala", "vmPFC->amygdala", 1, 0},
                                     {"gain_hippocampus_vmpfc", "hippocampus->vmPFC", 1, 0},
                                     {"gain_dmn", "default mode", 1, 0}, {"gain_salience", "salience", 1, 0},
                                     {"window", "window of plasticity W", 1, 1}};
  static const series_def fear[] = {{"association", "trauma association", 1, 0},
                                    {"extinction_labile", "extinction (labile)", 1, 0},
                                    {"extinction_consolidated", "extinction (consolidated)", 1, 0},
                                    {"fear_expression", "fear expression", 1, 0}, {"avoidance", "avoidance", 1, 0},
                                    {"window", "W (step mean)", 1, 1}};
  static const series_def clusters[] = {{"theta_b", "B intrusion", 1, 0}, {"theta_c", "C avoidance", 1, 0},
                                        {"theta_d", "D cognition/mood", 1, 0}, {"theta_e", "E arousal", 1, 0},
                                        {"theta_dep", "depression", 1, 0}};
  static const series_def scales[] = {{"caps5", "CAPS-5", 1, 0}, {"pcl5", "PCL-5", 1, 0}, {"iesr", "IES-R", 1, 0},
                                      {"madrs", "MADRS", 1, 0}, {"caps5_b", "CAPS-5 B", 1, 0}, {"caps5_c", "CAPS-5 C", 1, 0},
                                      {"caps5_d", "CAPS-5 D", 1, 0}, {"caps5_e", "CAPS-5 E", 1, 0}};
  int rc = 0;
  char title[160];
  snprintf(title, sizeof title, "Concentrations, first dose (from day %.2f)", first_dose_h / 24.0);
  if (d->n_rows)
    rc |= panel(&p, "concentrations", "pk", conc, N_OF(conc), 0, 0, first_dose_h, win_h,
                (ks_fig_spec){.title = title, .x_label = "time from the start of the dose (h)",
                              .y_label = "concentration (ng/mL)"});
  if (d->n_rows)
    rc |= panel(&p, "receptor", "pk", rec, N_OF(rec), 0, 0, first_dose_h, win_h,
                (ks_fig_spec){.title = "Receptor layer, first dose", .x_label = "time from the start of the dose (h)",
                              .y_label = "fraction (1)"});
  if (d->n_rows)
    rc |= panel(&p, "acute", "pk", acute, N_OF(acute), 0, 0, first_dose_h, win_h,
                (ks_fig_spec){.title = "Acute effects, first dose", .x_label = "time from the start of the dose (h)",
                              .y_label = "expected value (points, mmHg, /min)"});
  rc |= panel(&p, "cascade", "cascade", cas, N_OF(cas), 1, 0, 0, 0,
              (ks_fig_spec){.title = "Plasticity cascade", .x_label = "study day (d)",
                            .y_label = "relative to baseline (1)"});
  rc |= panel(&p, "gains", "cascade", gains, N_OF(gains), 0, 0, 0, 0,
              (ks_fig_spec){.title = "Pathway gains and the window of plasticity", .x_label = "study day (d)",
                            .y_label = "gain (1 = healthy); W (0-1)"});
  rc |= panel(&p, "fear", "fear", fear, N_OF(fear), 0, 0, 0, 0,
              (ks_fig_spec){.title = "Fear memory", .x_label = "study day (d)", .y_label = "state (1)"});
  rc |= panel(&p, "clusters", "fear", clusters, N_OF(clusters), 0, 0, 0, 0,
              (ks_fig_spec){.title = "Latent symptom severities", .x_label = "study day (d)",
                            .y_label = "severity (IRT theta)"});
  rc |= panel(&p, "scales", "visits", scales, N_OF(scales), 0, 1, 0, 0,
              (ks_fig_spec){.title = "Scale scores at visits", .x_label = "study day (d)",
                            .y_label = "total score (points)"});
  free(p.buf);
  if (rc) return cli_fail(ctx, ks_ctx_last_status(ctx));
  if (!quiet) fprintf(stderr, "ketasim: wrote %d figures %s-*%s\n", p.n_written, stem, dot);
  return 0;
}

/* ---- the command ----------------------------------------------------------------------------- */

/* The group (arm, or crossover sequence starting with that arm, also by its patients.csv label
 * "FIRST-SECOND") called NAME; -1 (with a message) when there is none. */
static int find_arm(const ks_scenario *sc, const char *name) {
  size_t n = sc->design == KS_DESIGN_SINGLE_ARM ? 1 : sc->design == KS_DESIGN_CROSSOVER ? 2 : sc->n_arms;
  for (size_t a = 0; a < n && a < sc->n_arms; a++) {
    if (!strcmp(sc->arms[a].name, name)) return (int)a;
    char seq[2 * KS_SCENARIO_NAME_MAX + 2];
    if (sc->design == KS_DESIGN_CROSSOVER && sc->n_arms >= 2) {
      snprintf(seq, sizeof seq, "%s-%s", sc->arms[a].name, sc->arms[1 - a].name);
      if (!strcmp(seq, name)) return (int)a;
    }
  }
  char list[512] = "";
  for (size_t a = 0; a < n && a < sc->n_arms; a++) {
    size_t l = strlen(list);
    snprintf(list + l, sizeof list - l, "%s%s", a ? ", " : "", sc->arms[a].name);
  }
  cli_error("--arm: no arm '%s' in %s (expected one of: %s)", name, sc->name, list);
  return -1;
}

int ks_cli_patient(int argc, char **argv) {
  cli_opt opts[] = {
      {"id", "K", "the patient: row K of patients.csv from ketasim run (1-based)", NULL, 0},
      {"arm", "NAME", "simulate this arm (crossover: the sequence starting with it); default: the randomised one",
       NULL, 0},
      {"out", "DIR", "directory for patient.csv, doses.csv, pk.csv, cascade.csv, fear.csv, visits.csv, columns.csv",
       NULL, 0},
      {"plot", "FILE", "also draw figures, one per panel: FILE-<panel>.png, .svg or .pdf", NULL, 0},
      {"data", "FILE", "the doses data set given to ketasim run --data (patient K gets the K-th ID's doses)", NULL, 0},
      {"population-csv", "FILE", "the covariate table of ketasim run --population-csv (patient K = row K)", NULL, 0},
      CLI_COMMON_OPTS,
  };
  size_t no = sizeof opts / sizeof opts[0];
  const char *pos[1];
  size_t n_pos = 0;
  int rc = cli_parse("patient", usage_text, argc, argv, opts, no, pos, 1, &n_pos);
  if (rc) return rc < 0 ? 0 : rc;
  if (n_pos != 1) {
    cli_error("patient: missing SCENARIO.yaml (usage: ketasim patient %s)", usage_text);
    return 2;
  }
  cli_opt *out = cli_get(opts, no, "out"), *id = cli_get(opts, no, "id"), *arm = cli_get(opts, no, "arm");
  cli_opt *plot = cli_get(opts, no, "plot");
  if (!id->seen) {
    cli_error("--id: missing (expected the patient's number, e.g. --id 3)");
    return 2;
  }
  if (!out->seen || !*out->value) {
    cli_error("--out: missing (expected an output directory, e.g. --out out/patient3)");
    return 2;
  }
  long k = 0;
  if ((rc = cli_int(id, 1, 10000000, &k))) return rc;
  if (plot->seen && !plot_ext(plot->value)) return 2;
  int quiet = cli_get(opts, no, "quiet")->seen;

  ks_ctx *ctx = cli_ctx(opts, no, 1);
  if (!ctx) return 1;
  ks_scenario *sc = NULL;
  ks_trial_trace *tr = NULL;
  ks_population_table *pop_table = NULL;
  cli_given_doses given = {0};
  ks_status st = ks_scenario_load(ctx, pos[0], &sc);
  if (st != KS_OK) goto fail;
  ks_ctx_set_seed(ctx, sc->seed);
  int a = -1;
  if (arm->seen && (a = find_arm(sc, arm->value)) < 0) {
    rc = 2;
    goto end;
  }
  cli_opt *pop_csv = cli_get(opts, no, "population-csv");
  ks_trial_options to = ks_trial_options_default();
  if (pop_csv->seen) {
    if ((st = ks_population_table_read(ctx, pop_csv->value, &pop_table)) != KS_OK) goto fail;
    to.population_table = pop_table;
    to.n_patients = (long)ks_population_table_n(pop_table);
  }
  cli_opt *data_opt = cli_get(opts, no, "data");
  if (data_opt->seen) {
    if ((st = cli_doses_load(ctx, data_opt->value, &given)) != KS_OK) goto fail;
    if ((size_t)k > given.n_subj) {
      cli_error("--data: %s has %zu IDs, no ID for patient %ld (expected an ID per patient)",
                data_opt->value, given.n_subj, k);
      rc = 2;
      goto end;
    }
    to.doses_of = cli_doses_of;
    to.doses_ud = &given;
  }
  long n_total = pop_table ? to.n_patients : (long)sc->population.n;
  if (k > n_total) {
    cli_error("--id: patient %ld does not exist (expected 1 to %ld, the %s)", k, n_total,
              pop_table ? "rows of --population-csv" : "scenario's population n");
    rc = 2;
    goto end;
  }
  if ((st = ks_trial_patient_trace(ctx, sc, &to, (size_t)k, a, &tr)) != KS_OK) goto fail;
  if ((st = ks_mkdirs(ctx, out->value)) != KS_OK) goto fail;
  for (size_t i = 0; i < ks_trial_trace_n_tables(tr); i++)
    if ((st = write_table(ctx, tr, ks_trial_trace_table(tr, i), out->value)) != KS_OK) goto fail;
  if ((st = write_dictionary(ctx, tr, out->value)) != KS_OK) goto fail;
  int ra = ks_trial_trace_randomised_arm(tr), sa = ks_trial_trace_arm(tr);
  if (!quiet) {
    fprintf(stderr, "ketasim: patient %ld of %s, randomised to %s", k, sc->name, sc->arms[ra].name);
    if (sa != ra) fprintf(stderr, "; simulated on %s instead (counterfactual)", sc->arms[sa].name);
    fprintf(stderr, "\nketasim: wrote %s/{patient,doses,pk,cascade,fear,visits,columns}.csv\n", out->value);
  }
  if (plot->seen) rc = write_figures(ctx, tr, plot->value, quiet);
  goto end;
fail:
  rc = cli_fail(ctx, st);
end:
  ks_trial_trace_destroy(&tr);
  ks_population_table_destroy(ctx, &pop_table);
  cli_doses_free(ctx, &given);
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
  return rc;
}
