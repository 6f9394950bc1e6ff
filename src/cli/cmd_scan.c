/* SPDX-License-Identifier: MIT */
/* ketasim scan: simulate (or solve) a brain scan of one circuit state and write BOLD, FC and a
 * heatmap. The drive (NMDA block, GABA-A potentiation, pathway gains, spines) is given by flags,
 * or comes from a regimen (--drug --route --dose [--infusion] [--repeat --every] --day): PK ->
 * receptor + plasticity cascade to that day; then the patient is scanned at baseline (before the
 * first dose) and on that day, with the same noise (paired), and the FC change is written too. */
#include "cli.h"
#include "commands.h"

#include <ketasim/brain.h>
#include <ketasim/circuit.h>
#include <ketasim/imaging.h>
#include <ketasim/io.h>
#include <ketasim/pk.h>
#include <ketasim/plasticity.h>
#include <ketasim/report.h>
#include <ketasim/units.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

/* Declared here until commands.h lists it (the lead wires the dispatcher). */
int ks_cli_scan(int argc, char **argv);

static const char usage[] =
    "[--paradigm rest|faces|conflict] [--nmda-block-e X --nmda-block-i Y] [--gain-vmpfc-amygdala G ...] "
    "[--drug D --route R --dose X [--infusion T] [--repeat N --every T] --day D] "
    "[--duration 10min] [--tr 2s] [--analytic] [--connectome DIR] --out DIR";

/* A fraction or multiplier flag in [lo, hi]; absent leaves *out. Returns 0 or 2. */
static int num_flag(cli_opt *o, double lo, double hi, const char *what, double *out) {
  if (!o->seen || !o->value) return 0;
  char *end = NULL;
  errno = 0;
  double v = strtod(o->value, &end);
  if (end == o->value || *end != '\0' || errno == ERANGE || !isfinite(v) || v < lo || v > hi) {
    cli_error("--%s: '%s' is not valid (expected %s between %g and %g)", o->name, o->value, what,
              lo, hi);
    return 2;
  }
  *out = v;
  return 0;
}

/* DIR/NAME as an atomic file (io.h: written beside it, renamed on commit, removed on failure).
 * Returns its stream, or NULL after printing the error (*rc gets the exit code). */
static FILE *out_open(ks_ctx *ctx, const char *dir, const char *name, ks_afile **af, int *rc) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  ks_status st = ks_afile_open(ctx, path, af);
  if (st != KS_OK) {
    *rc = cli_fail(ctx, st);
    return NULL;
  }
  return ks_afile_stream(*af);
}

/* Commit an atomic file: 0, or the exit code after printing the error. */
static int out_commit(ks_ctx *ctx, ks_afile **af) {
  ks_status st = ks_afile_commit(af);
  return st == KS_OK ? 0 : cli_fail(ctx, st);
}

/* A header row: FIRST, then the region labels. */
static void region_header(FILE *f, const char *first, const ks_circuit *c) {
  fputs(first, f);
  for (size_t j = 0; j < ks_circuit_n_regions(c); j++) fprintf(f, ",%s", ks_circuit_region_label(c, j));
  fputc('\n', f);
}

static int write_matrix_csv(ks_ctx *ctx, const char *dir, const char *name, const ks_circuit *c,
                            const double *m) {
  ks_afile *af = NULL;
  int rc = 0;
  FILE *f = out_open(ctx, dir, name, &af, &rc);
  if (!f) return rc;
  size_t n = ks_circuit_n_regions(c);
  region_header(f, "region", c);
  for (size_t i = 0; i < n; i++) {
    fputs(ks_circuit_region_label(c, i), f);
    for (size_t j = 0; j < n; j++) fprintf(f, ",%.6f", m[i * n + j]);
    fputc('\n', f);
  }
  return out_commit(ctx, &af);
}

/* One scan's results: BOLD (NULL when analytic), activation betas (task paradigms), FC. */
typedef struct scan_result {
  double *bold, *beta, *fc;
  size_t T;
} scan_result;

static void scan_result_free(scan_result *r) {
  free(r->bold);
  free(r->beta);
  free(r->fc);
  memset(r, 0, sizeof *r);
}

/* Simulate (or solve) one scan of circuit c under drive d. Returns 0, or 1 after printing the
 * error (numeric failure, out of memory). */
static int scan_run(ks_ctx *ctx, const ks_circuit *c, const ks_circuit_drive *d, int paradigm,
                    const ks_circuit_sim_opts *so, int analytic, int bandpass, ks_imaging_design *des,
                    scan_result *r) {
  size_t n = ks_circuit_n_regions(c);
  memset(r, 0, sizeof *r);
  r->fc = calloc(n * n, sizeof *r->fc);
  if (!r->fc) goto oom;
  ks_status st;
  if (analytic) {
    st = ks_circuit_fc_analytic(ctx, c, d, NULL, so->bold, r->fc);
    return st == KS_OK ? 0 : cli_fail(ctx, st);
  }
  r->T = ks_circuit_sim_n_samples(so);
  r->bold = calloc(r->T * n, sizeof *r->bold);
  if (!r->bold) goto oom;
  st = ks_imaging_design_build(ctx, (ks_paradigm)paradigm, c, d, so->duration_s, des);
  if (st == KS_OK)
    st = ks_circuit_simulate(ctx, c, d, des->n_cond ? &des->stim : NULL, so, r->bold, NULL);
  if (st != KS_OK) return cli_fail(ctx, st);
  if (des->n_cond) {
    double *reg = calloc(r->T * des->n_cond, sizeof *reg);
    r->beta = calloc(des->n_cond * n, sizeof *r->beta);
    if (!reg || !r->beta) {
      free(reg);
      goto oom;
    }
    st = ks_imaging_regressors(ctx, des, r->T, so->tr_s, reg);
    if (st == KS_OK) st = ks_imaging_glm(ctx, r->bold, r->T, n, reg, des->n_cond, r->beta);
    free(reg);
    if (st != KS_OK) return cli_fail(ctx, st);
  }
  /* FC of the (optionally band-passed) copy; bold.csv keeps the raw series. */
  double *y = malloc(r->T * n * sizeof *y);
  if (!y) goto oom;
  memcpy(y, r->bold, r->T * n * sizeof *y);
  st = bandpass ? ks_imaging_bandpass(ctx, y, r->T, n, so->tr_s, 0.01, 0.1) : KS_OK;
  if (st == KS_OK) st = ks_imaging_fc(ctx, y, r->T, n, r->fc, NULL);
  free(y);
  return st == KS_OK ? 0 : cli_fail(ctx, st);
oom:
  cli_error("out of memory");
  return 1;
}

static int write_bold_csv(ks_ctx *ctx, const char *dir, const char *name, const ks_circuit *c,
                          const scan_result *r, double tr_s) {
  ks_afile *af = NULL;
  int rc = 0;
  FILE *f = out_open(ctx, dir, name, &af, &rc);
  if (!f) return rc;
  size_t n = ks_circuit_n_regions(c);
  region_header(f, "time_s", c);
  for (size_t t = 0; t < r->T; t++) {
    fprintf(f, "%g", (double)(t + 1) * tr_s);
    for (size_t j = 0; j < n; j++) fprintf(f, ",%.6g", r->bold[t * n + j]);
    fputc('\n', f);
  }
  return out_commit(ctx, &af);
}

static int write_activation_csv(ks_ctx *ctx, const char *dir, const char *name, const ks_circuit *c,
                                const ks_imaging_design *des, const double *beta) {
  ks_afile *af = NULL;
  int rc = 0;
  FILE *f = out_open(ctx, dir, name, &af, &rc);
  if (!f) return rc;
  size_t n = ks_circuit_n_regions(c);
  fputs("condition,region,beta_pct\n", f);
  for (size_t k = 0; k < des->n_cond; k++)
    for (size_t j = 0; j < n; j++)
      fprintf(f, "%s,%s,%.6f\n", des->cond_name[k], ks_circuit_region_label(c, j), beta[k * n + j]);
  return out_commit(ctx, &af);
}

/* Heatmap of an n x n matrix with the region labels; a failure is a warning (the CSV is the
 * result). */
static void write_heatmap(ks_ctx *ctx, const char *dir, const char *name, const ks_circuit *c,
                          const double *m, const char *title, const char *z_label, double lo,
                          double hi) {
  size_t n = ks_circuit_n_regions(c);
  const char **labels = calloc(n, sizeof *labels);
  if (!labels) return;
  for (size_t i = 0; i < n; i++) labels[i] = ks_circuit_region_label(c, i);
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  ks_fig_spec spec = {.title = title, .z_label = z_label};
  if (ks_fig_heatmap(ctx, path, &spec, labels, n, m, lo, hi, 1) != KS_OK)
    ks_log(ctx, KS_LOG_WARN, "%s not written: %s", name, ks_ctx_last_error(ctx));
  free(labels);
}

/* Summary entries of one drive (analytic, the 8-region circuit only). */
static void print_summary(FILE *f, const char *key, const ks_imaging_summary *s,
                          const ks_circuit_drive *d, int last) {
  fprintf(f, "  \"%s\": {\n", key);
  fprintf(f, "    \"nmda_block_E\": %.6f,\n    \"nmda_block_I\": %.6f,\n    \"spine_pfc_rel\": %.6f,\n",
          d->nmda_block_E, d->nmda_block_I, d->spine_pfc_rel);
  fprintf(f, "    \"gain_vmpfc_amygdala\": %.6f,\n", d->gain[KS_PATH_VMPFC_AMYGDALA]);
  fprintf(f, "    \"vmpfc_amygdala_rest_z\": %.6f,\n    \"vmpfc_amygdala_faces_z\": %.6f,\n",
          s->vmpfc_amygdala_rest_z, s->vmpfc_amygdala_faces_z);
  fprintf(f, "    \"vmpfc_amygdala_ppi_z\": %.6f,\n    \"amygdala_threat_pct\": %.6f,\n",
          s->vmpfc_amygdala_ppi_z, s->amygdala_threat_pct);
  fprintf(f, "    \"dacc_conflict_pct\": %.6f,\n    \"salience_z\": %.6f,\n    \"dmn_z\": %.6f,\n",
          s->dacc_conflict_pct, s->salience_z, s->dmn_z);
  fprintf(f, "    \"vmpfc_insula_rest_z\": %.6f,\n    \"mean_rE_Hz\": %.6f\n  }%s\n",
          s->vmpfc_insula_rest_z, s->mean_rE_Hz, last ? "" : ",");
}

/* Structural readout (ks_brain_volume_eval): regional gray-matter volume relative to healthy,
 * percent change from the baseline scan and d vs controls, as morphometry studies report it. */
static void print_volume(FILE *f, const double spine_pfc[2], const double spine_hpc[2]) {
  ks_brain_params bp = ks_brain_params_default();
  ks_brain_volume v;
  ks_brain_volume_eval(&bp, spine_pfc[1], spine_hpc[1], spine_pfc[0], spine_hpc[0], &v);
  fputs("  \"volume\": {\n", f);
  for (int r = 0; r < KS_GMV_N; r++)
    fprintf(f, "    \"%s\": {\"rel\": %.6f, \"pct_change\": %.6f, \"d_vs_control\": %.6f}%s\n",
            ks_gmv_region_name((ks_gmv_region)r), v.rel[r], v.pct_change[r], v.d_vs_control[r],
            r + 1 < KS_GMV_N ? "," : "");
  fputs("  }", f); /* the object's last member: ks_json adds the provenance after it */
}

/* A regimen given by flags. */
typedef struct regimen {
  int on;
  ks_pk_dose dose[200];
  size_t n_doses;
  double day;
} regimen;

/* Parse --drug/--route/--dose/--infusion/--weight/--repeat/--every/--day. Returns 0 or 2. */
static int parse_regimen(cli_opt *opts, size_t n_opts, regimen *g) {
  cli_opt *o_drug = cli_get(opts, n_opts, "drug");
  const char *need[] = {"route", "dose", "day", "infusion", "repeat", "every", "weight"};
  memset(g, 0, sizeof *g);
  if (!o_drug->seen) {
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++)
      if (cli_get(opts, n_opts, need[k])->seen) {
        cli_error("--%s: only with --drug (expected --drug D --route R --dose X --day D)", need[k]);
        return 2;
      }
    return 0;
  }
  const char *drive_flags[] = {"nmda-block-e", "nmda-block-i", "gabaa-potentiation", "gain-vmpfc-amygdala",
                               "gain-hippocampus-vmpfc", "gain-dmn", "gain-salience", "spine-pfc"};
  for (size_t k = 0; k < sizeof drive_flags / sizeof drive_flags[0]; k++)
    if (cli_get(opts, n_opts, drive_flags[k])->seen) {
      cli_error("--%s: not with --drug (expected the drive to come from the regimen)", drive_flags[k]);
      return 2;
    }
  for (size_t k = 0; k < 3; k++)
    if (!cli_get(opts, n_opts, need[k])->seen) {
      cli_error("--%s: missing (expected --drug D --route R --dose X --day D)", need[k]);
      return 2;
    }
  int drug = ks_drug_parse(o_drug->value);
  if (drug < 0) {
    cli_error("--drug: unknown drug '%s' (expected ketamine, esketamine or midazolam)", o_drug->value);
    return 2;
  }
  const char *rs = cli_get(opts, n_opts, "route")->value;
  int route = ks_route_parse(rs);
  if (route < 0) {
    cli_error("--route: unknown route '%s' (expected iv, im, intranasal, oral, sublingual or rectal)", rs);
    return 2;
  }
  int rc;
  double weight_kg = 70.0, infusion_h = 0.0, every_h = 48.0, day = 0.0;
  long repeat = 1;
  if ((rc = cli_quantity(cli_get(opts, n_opts, "weight"), KS_DIM_BODY_MASS, &weight_kg)) ||
      (rc = cli_quantity(cli_get(opts, n_opts, "infusion"), KS_DIM_TIME, &infusion_h)) ||
      (rc = cli_quantity(cli_get(opts, n_opts, "every"), KS_DIM_TIME, &every_h)) ||
      (rc = cli_int(cli_get(opts, n_opts, "repeat"), 1, 200, &repeat)) ||
      (rc = num_flag(cli_get(opts, n_opts, "day"), 0, 365, "a day after the first dose", &day)))
    return rc;
  if (!(weight_kg >= 30.0 && weight_kg <= 250.0)) {
    cli_error("--weight: %g kg (expected 30-250 kg)", weight_kg);
    return 2;
  }
  const char *ds = cli_get(opts, n_opts, "dose")->value;
  char err[160];
  double v = 0.0, mg;
  ks_dim dim = KS_DIM_NONE;
  if (ks_units_parse_any(ds, &dim, &v, err, sizeof err) != KS_OK) {
    cli_error("--dose: %s", err);
    return 2;
  }
  if (dim == KS_DIM_MASS) mg = v;
  else if (dim == KS_DIM_MASS_PER_BODY_MASS) mg = v * weight_kg;
  else {
    cli_error("--dose: '%s' is not an amount (expected mg or mg/kg, e.g. 35mg or 0.5mg/kg)", ds);
    return 2;
  }
  if (!(isfinite(mg) && mg > 0.0)) {
    cli_error("--dose: '%s' (expected a positive amount such as 35mg)", ds);
    return 2;
  }
  if (!(infusion_h >= 0.0 && infusion_h <= 24.0) || (infusion_h > 0.0 && route != KS_ROUTE_IV)) {
    cli_error("--infusion: %g h (expected 0-24 h, and the iv route only)", infusion_h);
    return 2;
  }
  if (repeat > 1 && !(every_h > infusion_h)) {
    cli_error("--every: %g h (expected longer than the infusion)", every_h);
    return 2;
  }
  g->on = 1;
  g->n_doses = (size_t)repeat;
  g->day = day;
  for (size_t i = 0; i < g->n_doses; i++)
    g->dose[i] = (ks_pk_dose){(ks_drug)drug, (ks_route)route, mg, (double)i * every_h, infusion_h};
  return 0;
}

/* Circuit drive from a cascade state, as the trial layer builds it, with the scan's threat input. */
static ks_circuit_drive drive_of(const ks_cascade_point *p, double threat_nA) {
  ks_circuit_drive d = ks_trial_circuit_drive(p);
  d.threat_input_nA = threat_nA;
  return d;
}

/* PK -> receptor + cascade (default parameters, typical 40-year-old) at t = 0 (before the first
 * dose) and at the chosen day. Returns 0 or 1. */
static int regimen_drives(ks_ctx *ctx, const regimen *g, double weight_kg, double threat_nA,
                          ks_circuit_drive *d0, ks_circuit_drive *d1, double spine_pfc[2], double spine_hpc[2]) {
  ks_pk_patient pat = ks_pk_patient_typical(weight_kg, 40.0, 0);
  ks_pk_options o = ks_pk_options_default();
  const ks_pk_dose *last = &g->dose[g->n_doses - 1];
  o.t_end_h = fmax(g->day * 24.0, last->t_start_h + last->infusion_h) + 1.0;
  ks_pk_sim *sim = NULL;
  ks_status st = ks_pk_sim_create(ctx, &pat, g->dose, g->n_doses, &o, &sim);
  if (st != KS_OK) {
    cli_error("--dose: %s", ks_ctx_last_error(ctx));
    return st == KS_EINPUT || st == KS_ERANGE ? 2 : 1;
  }
  ks_exposure ex;
  ks_pk_sim_exposure(sim, &ex);
  ks_cascade_params cp = ks_cascade_params_default();
  ks_receptor_params rp = ks_receptor_params_default();
  double t[2] = {0.0, g->day * 24.0};
  ks_cascade_point pt[2];
  st = ks_cascade_solve(ctx, &cp, &rp, &ex, t, g->day > 0.0 ? 2 : 1, pt);
  ks_pk_sim_destroy(&sim);
  if (st != KS_OK) return cli_fail(ctx, st);
  if (!(g->day > 0.0)) pt[1] = pt[0];
  *d0 = drive_of(&pt[0], threat_nA);
  *d1 = drive_of(&pt[1], threat_nA);
  for (int k = 0; k < 2; k++) {
    spine_pfc[k] = pt[k].spine_pfc;
    spine_hpc[k] = pt[k].spine_hpc;
  }
  return 0;
}

int ks_cli_scan(int argc, char **argv) {
  cli_opt opts[] = {
      {"paradigm", "NAME", "rest (default), faces or conflict", NULL, 0},
      {"nmda-block-e", "X", "NMDA block on pyramidal cells, 0..1 (default 0)", NULL, 0},
      {"nmda-block-i", "X", "NMDA block on interneurons, 0..1 (default 0)", NULL, 0},
      {"gabaa-potentiation", "X", "GABA-A conductance multiplier, e.g. midazolam (default 1)", NULL, 0},
      {"gain-vmpfc-amygdala", "G", "plasticity gain of the vmPFC-amygdala pathway (default 1)", NULL, 0},
      {"gain-hippocampus-vmpfc", "G", "gain of the hippocampus-vmPFC pathway (default 1)", NULL, 0},
      {"gain-dmn", "G", "gain of default-mode coupling (default 1)", NULL, 0},
      {"gain-salience", "G", "gain of salience coupling (default 1)", NULL, 0},
      {"spine-pfc", "S", "prefrontal spine density relative to healthy (default 1)", NULL, 0},
      {"threat-input", "NA", "threat input to the amygdala in nA (default 0.01)", NULL, 0},
      {"drug", "D", "scan after a regimen of ketamine, esketamine or midazolam (with --route --dose --day)", NULL, 0},
      {"route", "R", "iv, im, intranasal, oral, sublingual or rectal", NULL, 0},
      {"dose", "X", "amount per dose, e.g. 35mg or 0.5mg/kg", NULL, 0},
      {"infusion", "T", "iv infusion duration, e.g. 40min (default 0: bolus)", NULL, 0},
      {"repeat", "N", "number of doses (default 1)", NULL, 0},
      {"every", "T", "interval between doses (default 48h)", NULL, 0},
      {"weight", "W", "body weight for mg/kg doses (default 70kg)", NULL, 0},
      {"day", "D", "day of the scan after the first dose starts, 0-365 (fractions allowed)", NULL, 0},
      {"severity", "S", "PTSD phenotype severity 0..1 (default 0: healthy circuit)", NULL, 0},
      {"patient", "ID", "patient number: keys the phenotype and the noise (default 0)", NULL, 0},
      {"seed", "N", "root seed (default 1)", NULL, 0},
      {"duration", "T", "scan length (default 10min)", NULL, 0},
      {"tr", "T", "repetition time (default 2s)", NULL, 0},
      {"bold", "SET", "hemodynamic parameters: stephan2007 (default) or friston2003", NULL, 0},
      {"bandpass", NULL, "band-pass BOLD 0.01-0.1 Hz before FC", NULL, 0},
      {"analytic", NULL, "resting FC from the Lyapunov covariance; no simulation, no bold.csv", NULL, 0},
      {"connectome", "DIR", "whole-brain connectome (TVB text format) instead of the 8-region circuit", NULL, 0},
      {"no-delays", NULL, "with --connectome: ignore conduction delays", NULL, 0},
      {"out", "DIR", "output directory (created if missing)", NULL, 0},
      CLI_COMMON_OPTS,
  };
  const size_t n_opts = sizeof opts / sizeof opts[0];
  size_t n_pos = 0;
  int rc = cli_parse("scan", usage, argc, argv, opts, n_opts, NULL, 0, &n_pos);
  if (rc == -1) return 0;
  if (rc != 0) return rc;
  cli_opt *o_out = cli_get(opts, n_opts, "out");
  if (!o_out->seen || !o_out->value || !*o_out->value) {
    cli_error("--out: missing (expected an output directory)");
    return 2;
  }
  int paradigm = KS_PARADIGM_REST;
  cli_opt *o_par = cli_get(opts, n_opts, "paradigm");
  if (o_par->seen && (paradigm = ks_paradigm_parse(o_par->value)) < 0) {
    cli_error("--paradigm: unknown paradigm '%s' (expected rest, faces or conflict)", o_par->value);
    return 2;
  }
  ks_circuit_drive d = ks_circuit_drive_baseline();
  double severity = 0.0, patient = 0.0, seed = 1.0;
  if ((rc = num_flag(cli_get(opts, n_opts, "nmda-block-e"), 0, 1, "a fraction", &d.nmda_block_E)) ||
      (rc = num_flag(cli_get(opts, n_opts, "nmda-block-i"), 0, 1, "a fraction", &d.nmda_block_I)) ||
      (rc = num_flag(cli_get(opts, n_opts, "gabaa-potentiation"), 0.1, 10, "a multiplier", &d.gabaa_potentiation)) ||
      (rc = num_flag(cli_get(opts, n_opts, "gain-vmpfc-amygdala"), 0, 10, "a gain", &d.gain[KS_PATH_VMPFC_AMYGDALA])) ||
      (rc = num_flag(cli_get(opts, n_opts, "gain-hippocampus-vmpfc"), 0, 10, "a gain", &d.gain[KS_PATH_HIPPOCAMPUS_VMPFC])) ||
      (rc = num_flag(cli_get(opts, n_opts, "gain-dmn"), 0, 10, "a gain", &d.gain[KS_PATH_DMN])) ||
      (rc = num_flag(cli_get(opts, n_opts, "gain-salience"), 0, 10, "a gain", &d.gain[KS_PATH_SALIENCE])) ||
      (rc = num_flag(cli_get(opts, n_opts, "spine-pfc"), 0.01, 5, "a relative density", &d.spine_pfc_rel)) ||
      (rc = num_flag(cli_get(opts, n_opts, "threat-input"), -1, 1, "a current in nA", &d.threat_input_nA)) ||
      (rc = num_flag(cli_get(opts, n_opts, "severity"), 0, 1, "a severity", &severity)) ||
      (rc = num_flag(cli_get(opts, n_opts, "patient"), 0, 1e15, "a patient number", &patient)) ||
      (rc = num_flag(cli_get(opts, n_opts, "seed"), 0, 1.8e19, "a seed", &seed)))
    return rc;
  regimen *g = calloc(1, sizeof *g);
  if (!g) {
    cli_error("out of memory");
    return 1;
  }
  double weight_kg = 70.0;
  if ((rc = parse_regimen(opts, n_opts, g)) != 0 ||
      (rc = cli_quantity(cli_get(opts, n_opts, "weight"), KS_DIM_BODY_MASS, &weight_kg))) {
    free(g);
    return rc;
  }
  double dur_h = 10.0 / 60.0, tr_h = 2.0 / 3600.0;
  if ((rc = cli_quantity(cli_get(opts, n_opts, "duration"), KS_DIM_TIME, &dur_h)) ||
      (rc = cli_quantity(cli_get(opts, n_opts, "tr"), KS_DIM_TIME, &tr_h))) {
    free(g);
    return rc;
  }
  ks_circuit_sim_opts so = ks_circuit_sim_opts_default();
  so.duration_s = dur_h * 3600.0;
  so.tr_s = round(tr_h * 3600.0 * 1000.0) / 1000.0;
  so.seed = (uint64_t)seed;
  so.patient = (uint64_t)patient;
  rc = 2;
  if (!(so.tr_s >= 0.1 && so.tr_s <= 10.0)) {
    cli_error("--tr: %g s (expected 0.1 s to 10 s)", so.tr_s);
    goto early;
  }
  if (!(so.duration_s >= 10.0 * so.tr_s && so.duration_s <= 4.0 * 3600.0)) {
    cli_error("--duration: %g s (expected at least 10 TRs and at most 4 h)", so.duration_s);
    goto early;
  }
  cli_opt *o_bold = cli_get(opts, n_opts, "bold");
  if (o_bold->seen) {
    if (strcmp(o_bold->value, "friston2003") == 0) so.bold = KS_BOLD_FRISTON2003;
    else if (strcmp(o_bold->value, "stephan2007") != 0) {
      cli_error("--bold: unknown set '%s' (expected stephan2007 or friston2003)", o_bold->value);
      goto early;
    }
  }
  const int analytic = cli_get(opts, n_opts, "analytic")->seen;
  const int bandpass = cli_get(opts, n_opts, "bandpass")->seen;
  if (analytic && paradigm != KS_PARADIGM_REST) {
    cli_error("--analytic: only for --paradigm rest (expected no --analytic with a task)");
    goto early;
  }
  const char *out = o_out->value;
  if (mkdir(out, 0777) != 0 && errno != EEXIST) {
    cli_error("--out: cannot create '%s' (%s)", out, strerror(errno));
    rc = 1;
    goto early;
  }

  ks_ctx *ctx = cli_ctx(opts, n_opts, so.seed);
  const int quiet = cli_get(opts, n_opts, "quiet")->seen;
  struct timespec ts0;
  clock_gettime(CLOCK_MONOTONIC, &ts0);
  if (!quiet) fprintf(stderr, "ketasim: scan: simulating into %s ...\n", o_out->value);
  if (!ctx) {
    rc = 1;
    goto early;
  }
  ks_circuit *c = NULL;
  ks_connectome *conn = NULL;
  scan_result r1 = {0}, r0 = {0};
  double *diff = NULL;
  ks_imaging_design *des = calloc(2, sizeof *des);
  ks_status st;
  ks_circuit_drive d0 = d;
  if (!des) {
    cli_error("out of memory");
    rc = 1;
    goto done;
  }
  /* Spine densities (baseline, scan day) for the structural readout: from the regimen's cascade,
   * or the --spine-pfc flag (hippocampus then healthy). */
  double spine_pfc[2] = {d.spine_pfc_rel, d.spine_pfc_rel}, spine_hpc[2] = {1.0, 1.0};
  if (g->on && (rc = regimen_drives(ctx, g, weight_kg, d.threat_input_nA, &d0, &d, spine_pfc, spine_hpc)) != 0)
    goto done;
  ks_circuit_phenotype ph;
  ks_rng r;
  ks_rng_init(&r, so.seed, KS_STREAM_CIRCUIT_IIV, so.patient, 0);
  ks_circuit_phenotype_sample(severity > 0.0 ? &r : NULL, severity, &ph);
  cli_opt *o_conn = cli_get(opts, n_opts, "connectome");
  if (o_conn->seen) {
    st = ks_connectome_load(ctx, o_conn->value, &conn);
    if (st == KS_OK) {
      ks_circuit_brain_opts bo = ks_circuit_brain_opts_default();
      bo.use_delays = !cli_get(opts, n_opts, "no-delays")->seen;
      st = ks_circuit_create_brain(ctx, conn, &bo, &ph, &c);
    }
  } else {
    st = ks_circuit_create_default(ctx, &ph, &c);
  }
  if (st != KS_OK) {
    rc = cli_fail(ctx, st);
    goto done;
  }
  size_t n = ks_circuit_n_regions(c);
  /* Compute every scan first, then write, so a numeric failure leaves no partial result set.
   * Baseline and on-treatment scans share the noise key (a paired comparison). */
  if (g->on && (rc = scan_run(ctx, c, &d0, paradigm, &so, analytic, bandpass, &des[1], &r0)) != 0)
    goto done;
  if ((rc = scan_run(ctx, c, &d, paradigm, &so, analytic, bandpass, &des[0], &r1)) != 0) goto done;
  if (g->on) {
    diff = calloc(n * n, sizeof *diff);
    if (!diff) {
      cli_error("out of memory");
      rc = 1;
      goto done;
    }
    for (size_t i = 0; i < n * n; i++) diff[i] = r1.fc[i] - r0.fc[i];
  }
  if (!analytic && (rc = write_bold_csv(ctx, out, "bold.csv", c, &r1, so.tr_s)) != 0) goto done;
  if (r1.beta && (rc = write_activation_csv(ctx, out, "activation.csv", c, &des[0], r1.beta)) != 0) goto done;
  if ((rc = write_matrix_csv(ctx, out, "fc.csv", c, r1.fc)) != 0) goto done;
  write_heatmap(ctx, out, "fc.png", c, r1.fc,
                g->on ? "BOLD functional connectivity, after the regimen" : "BOLD functional connectivity",
                "FC (Pearson r)", -1.0, 1.0);
  if (g->on) {
    if (!analytic && (rc = write_bold_csv(ctx, out, "bold_baseline.csv", c, &r0, so.tr_s)) != 0) goto done;
    if (r0.beta && (rc = write_activation_csv(ctx, out, "activation_baseline.csv", c, &des[1], r0.beta)) != 0)
      goto done;
    if ((rc = write_matrix_csv(ctx, out, "fc_baseline.csv", c, r0.fc)) != 0 ||
        (rc = write_matrix_csv(ctx, out, "fc_change.csv", c, diff)) != 0)
      goto done;
    write_heatmap(ctx, out, "fc_baseline.png", c, r0.fc, "BOLD functional connectivity, baseline",
                  "FC (Pearson r)", -1.0, 1.0);
    double m = 0.05;
    for (size_t i = 0; i < n * n; i++) m = fmax(m, fabs(diff[i]));
    write_heatmap(ctx, out, "fc_change.png", c, diff, "FC change, after minus baseline",
                  "change of Pearson r", -m, m);
  }
  if (!conn) {
    ks_imaging_summary s1, s0;
    st = ks_imaging_scan_summary(ctx, c, &d, &s1);
    if (st == KS_OK && g->on) st = ks_imaging_scan_summary(ctx, c, &d0, &s0);
    if (st == KS_OK) {
      ks_afile *af = NULL;
      FILE *f = out_open(ctx, out, "summary.json", &af, &rc);
      if (!f) goto done;
      fprintf(f, "{\n  \"paradigm\": \"%s\",\n", ks_paradigm_name((ks_paradigm)paradigm));
      if (g->on) fprintf(f, "  \"day\": %g,\n", g->day);
      if (g->on) print_summary(f, "baseline_analytic", &s0, &d0, 0);
      print_summary(f, "analytic", &s1, &d, 0);
      print_volume(f, spine_pfc, spine_hpc);
      ks_json j;
      ks_json_init_in_object(&j, f, 2, 1);
      ks_json_provenance(&j, ctx);
      ks_json_end_object(&j);
      ks_json_finish(&j);
      if ((rc = out_commit(ctx, &af)) != 0) goto done;
    } else {
      ks_log(ctx, KS_LOG_WARN, "summary.json not written: %s", ks_ctx_last_error(ctx));
    }
  }
  rc = 0;
  if (!quiet) {
    struct timespec ts1;
    clock_gettime(CLOCK_MONOTONIC, &ts1);
    fprintf(stderr, "ketasim: scan: wrote %s in %.1f s\n", o_out->value,
            (double)(ts1.tv_sec - ts0.tv_sec) + 1e-9 * (double)(ts1.tv_nsec - ts0.tv_nsec));
  }
done:
  scan_result_free(&r1);
  scan_result_free(&r0);
  free(diff);
  free(des);
  ks_circuit_destroy(&c);
  ks_connectome_destroy(&conn);
  ks_ctx_destroy(&ctx);
early:
  free(g);
  return rc;
}
