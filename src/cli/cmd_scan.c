/* SPDX-License-Identifier: MIT */
/* ketasim scan: simulate (or solve) a brain scan of one circuit state and write BOLD, FC and a
 * heatmap. The drive (NMDA block, GABA-A potentiation, pathway gains, spines) is given by flags so
 * that a regimen's state on a chosen day can be passed in by the caller. */
#include "cli.h"
#include "commands.h"

#include <ketasim/circuit.h>
#include <ketasim/imaging.h>
#include <ketasim/report.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Declared here until commands.h lists it (the lead wires the dispatcher). */
int ks_cli_scan(int argc, char **argv);

static const char usage[] =
    "[--paradigm rest|faces|conflict] [--nmda-block-e X --nmda-block-i Y] [--gain-vmpfc-amygdala G ...] "
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

/* Write to DIR/name.tmp and rename, so no partial file is left under the final name. */
static FILE *open_tmp(const char *dir, const char *name, char *tmp, char *final, size_t cap) {
  snprintf(final, cap, "%s/%s", dir, name);
  snprintf(tmp, cap, "%s/.%s.tmp", dir, name);
  return fopen(tmp, "w");
}

static int close_rename(FILE *f, const char *tmp, const char *final) {
  int bad = ferror(f);
  if (fclose(f) != 0) bad = 1;
  if (bad || rename(tmp, final) != 0) {
    remove(tmp);
    cli_error("%s: cannot write (%s)", final, strerror(errno ? errno : EIO));
    return 1;
  }
  return 0;
}

static int write_matrix_csv(const char *dir, const char *name, const ks_circuit *c,
                            const double *m) {
  char tmp[4200], fin[4200];
  size_t n = ks_circuit_n_regions(c);
  FILE *f = open_tmp(dir, name, tmp, fin, sizeof tmp);
  if (!f) {
    cli_error("%s: cannot create (%s)", fin, strerror(errno));
    return 1;
  }
  fputs("region", f);
  for (size_t j = 0; j < n; j++) fprintf(f, ",%s", ks_circuit_region_label(c, j));
  fputc('\n', f);
  for (size_t i = 0; i < n; i++) {
    fputs(ks_circuit_region_label(c, i), f);
    for (size_t j = 0; j < n; j++) fprintf(f, ",%.6f", m[i * n + j]);
    fputc('\n', f);
  }
  return close_rename(f, tmp, fin);
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
  double dur_h = 10.0 / 60.0, tr_h = 2.0 / 3600.0;
  if ((rc = cli_quantity(cli_get(opts, n_opts, "duration"), KS_DIM_TIME, &dur_h)) ||
      (rc = cli_quantity(cli_get(opts, n_opts, "tr"), KS_DIM_TIME, &tr_h)))
    return rc;
  ks_circuit_sim_opts so = ks_circuit_sim_opts_default();
  so.duration_s = dur_h * 3600.0;
  so.tr_s = round(tr_h * 3600.0 * 1000.0) / 1000.0;
  so.seed = (uint64_t)seed;
  so.patient = (uint64_t)patient;
  if (!(so.tr_s >= 0.1 && so.tr_s <= 10.0)) {
    cli_error("--tr: %g s (expected 0.1 s to 10 s)", so.tr_s);
    return 2;
  }
  if (!(so.duration_s >= 10.0 * so.tr_s && so.duration_s <= 4.0 * 3600.0)) {
    cli_error("--duration: %g s (expected at least 10 TRs and at most 4 h)", so.duration_s);
    return 2;
  }
  cli_opt *o_bold = cli_get(opts, n_opts, "bold");
  if (o_bold->seen) {
    if (strcmp(o_bold->value, "friston2003") == 0) so.bold = KS_BOLD_FRISTON2003;
    else if (strcmp(o_bold->value, "stephan2007") != 0) {
      cli_error("--bold: unknown set '%s' (expected stephan2007 or friston2003)", o_bold->value);
      return 2;
    }
  }
  const int analytic = cli_get(opts, n_opts, "analytic")->seen;
  if (analytic && paradigm != KS_PARADIGM_REST) {
    cli_error("--analytic: only for --paradigm rest (expected no --analytic with a task)");
    return 2;
  }
  const char *out = o_out->value;
  if (mkdir(out, 0777) != 0 && errno != EEXIST) {
    cli_error("--out: cannot create '%s' (%s)", out, strerror(errno));
    return 1;
  }

  ks_ctx *ctx = cli_ctx(opts, n_opts, so.seed);
  if (!ctx) return 1;
  ks_circuit *c = NULL;
  ks_connectome *conn = NULL;
  double *bold = NULL, *fc = NULL, *reg = NULL, *beta = NULL;
  ks_imaging_design *des = NULL;
  ks_status st;
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
  fc = calloc(n * n, sizeof *fc);
  if (!fc) {
    cli_error("out of memory");
    rc = 1;
    goto done;
  }
  if (analytic) {
    st = ks_circuit_fc_analytic(ctx, c, &d, NULL, so.bold, fc);
    if (st != KS_OK) {
      rc = cli_fail(ctx, st);
      goto done;
    }
  } else {
    size_t T = ks_circuit_sim_n_samples(&so);
    bold = calloc(T * n, sizeof *bold);
    des = calloc(1, sizeof *des);
    if (!bold || !des) {
      cli_error("out of memory");
      rc = 1;
      goto done;
    }
    st = ks_imaging_design_build(ctx, (ks_paradigm)paradigm, c, &d, so.duration_s, des);
    if (st == KS_OK)
      st = ks_circuit_simulate(ctx, c, &d, des->n_cond ? &des->stim : NULL, &so, bold, NULL);
    if (st != KS_OK) {
      rc = cli_fail(ctx, st);
      goto done;
    }
    char tmp[4200], fin[4200];
    FILE *f = open_tmp(out, "bold.csv", tmp, fin, sizeof tmp);
    if (!f) {
      cli_error("%s: cannot create (%s)", fin, strerror(errno));
      rc = 1;
      goto done;
    }
    fputs("time_s", f);
    for (size_t j = 0; j < n; j++) fprintf(f, ",%s", ks_circuit_region_label(c, j));
    fputc('\n', f);
    for (size_t t = 0; t < T; t++) {
      fprintf(f, "%g", (double)(t + 1) * so.tr_s);
      for (size_t j = 0; j < n; j++) fprintf(f, ",%.6g", bold[t * n + j]);
      fputc('\n', f);
    }
    if ((rc = close_rename(f, tmp, fin)) != 0) goto done;
    if (des->n_cond) {
      reg = calloc(T * des->n_cond, sizeof *reg);
      beta = calloc(des->n_cond * n, sizeof *beta);
      if (!reg || !beta) {
        cli_error("out of memory");
        rc = 1;
        goto done;
      }
      st = ks_imaging_regressors(ctx, des, T, so.tr_s, reg);
      if (st == KS_OK) st = ks_imaging_glm(ctx, bold, T, n, reg, des->n_cond, beta);
      if (st != KS_OK) {
        rc = cli_fail(ctx, st);
        goto done;
      }
      f = open_tmp(out, "activation.csv", tmp, fin, sizeof tmp);
      if (!f) {
        cli_error("%s: cannot create (%s)", fin, strerror(errno));
        rc = 1;
        goto done;
      }
      fputs("condition,region,beta_pct\n", f);
      for (size_t k = 0; k < des->n_cond; k++)
        for (size_t j = 0; j < n; j++)
          fprintf(f, "%s,%s,%.6f\n", des->cond_name[k], ks_circuit_region_label(c, j), beta[k * n + j]);
      if ((rc = close_rename(f, tmp, fin)) != 0) goto done;
    }
    if (cli_get(opts, n_opts, "bandpass")->seen) {
      st = ks_imaging_bandpass(ctx, bold, T, n, so.tr_s, 0.01, 0.1);
      if (st != KS_OK) {
        rc = cli_fail(ctx, st);
        goto done;
      }
    }
    st = ks_imaging_fc(ctx, bold, T, n, fc, NULL);
    if (st != KS_OK) {
      rc = cli_fail(ctx, st);
      goto done;
    }
  }
  if ((rc = write_matrix_csv(out, "fc.csv", c, fc)) != 0) goto done;
  {
    const char **labels = calloc(n, sizeof *labels);
    if (labels) {
      for (size_t i = 0; i < n; i++) labels[i] = ks_circuit_region_label(c, i);
      char path[4200];
      snprintf(path, sizeof path, "%s/fc.png", out);
      ks_fig_spec spec = {.title = "BOLD functional connectivity", .z_label = "FC (Pearson r)"};
      st = ks_fig_heatmap(ctx, path, &spec, labels, n, fc, -1.0, 1.0, 1);
      if (st != KS_OK) ks_log(ctx, KS_LOG_WARN, "fc.png not written: %s", ks_ctx_last_error(ctx));
      free(labels);
    }
  }
  if (!conn) {
    ks_imaging_summary s;
    st = ks_imaging_scan_summary(ctx, c, &d, &s);
    if (st == KS_OK) {
      char tmp[4200], fin[4200];
      FILE *f = open_tmp(out, "summary.json", tmp, fin, sizeof tmp);
      if (f) {
        fprintf(f, "{\n  \"paradigm\": \"%s\",\n  \"analytic\": {\n", ks_paradigm_name((ks_paradigm)paradigm));
        fprintf(f, "    \"vmpfc_amygdala_rest_z\": %.6f,\n    \"vmpfc_amygdala_faces_z\": %.6f,\n",
                s.vmpfc_amygdala_rest_z, s.vmpfc_amygdala_faces_z);
        fprintf(f, "    \"vmpfc_amygdala_ppi_z\": %.6f,\n    \"amygdala_threat_pct\": %.6f,\n",
                s.vmpfc_amygdala_ppi_z, s.amygdala_threat_pct);
        fprintf(f, "    \"dacc_conflict_pct\": %.6f,\n    \"salience_z\": %.6f,\n    \"dmn_z\": %.6f,\n",
                s.dacc_conflict_pct, s.salience_z, s.dmn_z);
        fprintf(f, "    \"vmpfc_insula_rest_z\": %.6f,\n    \"mean_rE_Hz\": %.6f\n  }\n}\n",
                s.vmpfc_insula_rest_z, s.mean_rE_Hz);
        if ((rc = close_rename(f, tmp, fin)) != 0) goto done;
      }
    } else {
      ks_log(ctx, KS_LOG_WARN, "summary.json not written: %s", ks_ctx_last_error(ctx));
    }
  }
  rc = 0;
done:
  free(bold);
  free(fc);
  free(reg);
  free(beta);
  free(des);
  ks_circuit_destroy(&c);
  ks_connectome_destroy(&conn);
  ks_ctx_destroy(&ctx);
  return rc;
}
