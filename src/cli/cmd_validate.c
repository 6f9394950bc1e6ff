/* SPDX-License-Identifier: MIT */
/* ketasim validate [--json] [--layer NAME] [--plot FILE]: every built-in target, simulated and
 * compared with the published figure; each is a calibration target (data/targets/calibration.tsv)
 * or a validation target, never both; checks that pass by construction
 * (data/targets/by_construction.tsv) are listed apart as unit tests and not counted. Exit 0 only
 * when every counted target passes.
 * ketasim validate --trials [--n-scale F] [--uncertainty K] [--plot FILE]: the library of published trials
 * (validate_trials.c) with a forest plot of published against simulated effects. */
#include "cli.h"
#include "commands.h"
#include "validate_layers.h"
#include "validate_trials.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#define MAX_TARGETS 256

static const char *role_name(int calibration) { return calibration ? "calibration" : "validation"; }

/* 1 when PATH ends in .png, .svg or .pdf (any case): the formats ks_fig_forest writes. */
static int plot_path_ok(const char *path) {
  size_t n = strlen(path);
  return n > 4 && (!strcasecmp(path + n - 4, ".png") || !strcasecmp(path + n - 4, ".svg") ||
                   !strcasecmp(path + n - 4, ".pdf"));
}

/* Forest plot: per row the band, the published value and the simulated one, each rescaled so that
 * the band spans [-1, 1] (the rows have different units). */
static ks_status write_plot(ks_ctx *ctx, const char *path, const char *title, const ks_fig_forest_row *rows, size_t n) {
  ks_fig_spec spec = {.title = title,
                      .x_label = "simulated relative to the acceptance band (-1 = low end, +1 = high end)"};
  return ks_fig_forest(ctx, path, &spec, rows, n, KS_FIG_FOREST_TOLERANCE);
}

static ks_status plot_layers(ks_ctx *ctx, const char *path, const ks_target_result *t, size_t n, size_t n_fail) {
  static ks_fig_forest_row rows[MAX_TARGETS];
  static char labels[MAX_TARGETS][80];
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (ks_target_is_by_construction(t[i].id)) continue;
    snprintf(labels[k], sizeof labels[k], "%.63s%s", t[i].id, t[i].role == KS_TARGET_CALIBRATED ? " (cal.)" : "");
    rows[k] = (ks_fig_forest_row){.label = labels[k], .published = t[i].published, .lo = t[i].lo, .hi = t[i].hi,
                                  .simulated = t[i].simulated};
    k++;
  }
  char title[128];
  snprintf(title, sizeof title, "ketasim validate: %zu targets, %zu passed", k, k - n_fail);
  return write_plot(ctx, path, title, rows, k);
}

static void json_num_or_null(ks_json *j, const char *key, double v) {
  ks_json_key(j, key);
  if (isfinite(v)) ks_json_num(j, v);
  else ks_json_null(j);
}

static void print_layers_json(const ks_ctx *ctx, const ks_target_result *t, size_t n, size_t n_counted, size_t n_fail) {
  ks_json j;
  ks_json_init(&j, stdout, 2);
  ks_json_begin_object(&j);
  ks_json_key(&j, "ketasim_version");
  ks_json_str(&j, ks_version());
  ks_json_key(&j, "n_targets");
  ks_json_int(&j, (long long)n_counted);
  ks_json_key(&j, "n_failed");
  ks_json_int(&j, (long long)n_fail);
  ks_json_key(&j, "targets");
  ks_json_begin_array(&j);
  for (size_t i = 0; i < n; i++) {
    ks_json_begin_object(&j);
    ks_json_key(&j, "id");
    ks_json_str(&j, t[i].id);
    ks_json_key(&j, "quantity");
    ks_json_str(&j, t[i].quantity);
    ks_json_key(&j, "unit");
    ks_json_str(&j, t[i].unit);
    ks_json_key(&j, "source");
    ks_json_str(&j, t[i].source);
    json_num_or_null(&j, "published", t[i].published);
    json_num_or_null(&j, "lo", t[i].lo);
    json_num_or_null(&j, "hi", t[i].hi);
    json_num_or_null(&j, "simulated", t[i].simulated);
    ks_json_key(&j, "role");
    ks_json_str(&j, ks_target_is_by_construction(t[i].id) ? "by-construction"
                                                           : role_name(t[i].role == KS_TARGET_CALIBRATED));
    ks_json_key(&j, "pass");
    ks_json_bool(&j, t[i].pass);
    ks_json_end_object(&j);
  }
  ks_json_end_array(&j);
  ks_json_provenance(&j, ctx);
  ks_json_end_object(&j);
  ks_json_finish(&j);
}

static void print_layers_table(const ks_target_result *t, size_t n, size_t n_counted, size_t n_fail) {
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1)
      printf("\nchecks that pass by construction (unit tests, not validation; not counted):\n");
    else
      printf("%-38s %-11s %12s %21s %12s  %s\n", "target", "role", "published", "accepted", "simulated", "result");
    for (size_t i = 0; i < n; i++) {
      if (ks_target_is_by_construction(t[i].id) != pass) continue;
      char acc[48], pub[24];
      snprintf(acc, sizeof acc, "[%.4g, %.4g]", t[i].lo, t[i].hi);
      if (isfinite(t[i].published)) snprintf(pub, sizeof pub, "%.4g", t[i].published);
      else snprintf(pub, sizeof pub, "range");
      printf("%-38s %-11s %12s %21s %12.4g  %s  %s (%s)\n", t[i].id,
             pass ? "test" : role_name(t[i].role == KS_TARGET_CALIBRATED), pub, acc, t[i].simulated,
             t[i].pass ? "pass" : "FAIL", t[i].unit, t[i].source);
    }
  }
  printf("%zu targets, %zu passed, %zu failed\n", n_counted, n_counted - n_fail, n_fail);
}

static int run_layers(ks_ctx *ctx, const char *layer, const char *plot, int json, int quiet) {
  static ks_target_result t[MAX_TARGETS];
  size_t n = 0;
  ks_status st = ks_cli_validate_run(ctx, layer, quiet, t, MAX_TARGETS, &n);
  if (st != KS_OK) return cli_fail(ctx, st);
  size_t n_fail = 0, n_counted = 0;
  for (size_t i = 0; i < n; i++) {
    if (ks_target_is_by_construction(t[i].id)) continue;
    n_counted++;
    n_fail += !t[i].pass;
  }
  if (plot && n_counted > 0 && (st = plot_layers(ctx, plot, t, n, n_fail)) != KS_OK) return cli_fail(ctx, st);
  if (json) print_layers_json(ctx, t, n, n_counted, n_fail);
  else print_layers_table(t, n, n_counted, n_fail);
  size_t n_test_fail = 0;
  for (size_t i = 0; i < n; i++) n_test_fail += ks_target_is_by_construction(t[i].id) && !t[i].pass;
  return (n_fail || n_test_fail) ? 1 : 0;
}

/* ---- the trial library ---- */

static void print_trials_json(const ks_ctx *ctx, const vt_target *t, size_t n, double n_scale) {
  ks_json j;
  ks_json_init(&j, stdout, 2);
  ks_json_begin_object(&j);
  ks_json_key(&j, "ketasim_version");
  ks_json_str(&j, ks_version());
  ks_json_key(&j, "n_scale");
  ks_json_num(&j, n_scale);
  ks_json_key(&j, "targets");
  ks_json_begin_array(&j);
  for (size_t i = 0; i < n; i++) {
    ks_json_begin_object(&j);
    ks_json_key(&j, "id");
    ks_json_str(&j, t[i].id);
    ks_json_key(&j, "scenario");
    ks_json_str(&j, t[i].scenario);
    ks_json_key(&j, "contrast");
    ks_json_str(&j, t[i].contrast);
    ks_json_key(&j, "endpoint");
    ks_json_str(&j, t[i].endpoint);
    ks_json_key(&j, "role");
    ks_json_str(&j, role_name(t[i].calibration));
    json_num_or_null(&j, "published", t[i].published);
    json_num_or_null(&j, "ci_lo", t[i].ci_lo);
    json_num_or_null(&j, "ci_hi", t[i].ci_hi);
    json_num_or_null(&j, "band_lo", t[i].lo);
    json_num_or_null(&j, "band_hi", t[i].hi);
    json_num_or_null(&j, "band_published_lo", t[i].lo_published);
    json_num_or_null(&j, "band_published_hi", t[i].hi_published);
    json_num_or_null(&j, "simulated", t[i].simulated);
    json_num_or_null(&j, "simulated_ci_lo", t[i].sim_lo);
    json_num_or_null(&j, "simulated_ci_hi", t[i].sim_hi);
    json_num_or_null(&j, "prediction_lo", t[i].pred_lo);
    json_num_or_null(&j, "prediction_hi", t[i].pred_hi);
    ks_json_key(&j, "status");
    ks_json_str(&j, vt_status_name(t[i].status));
    ks_json_key(&j, "source");
    ks_json_str(&j, t[i].source);
    if (t[i].status == VT_SKIPPED) {
      ks_json_key(&j, "skipped_because");
      ks_json_str(&j, t[i].why);
    }
    ks_json_end_object(&j);
  }
  ks_json_end_array(&j);
  ks_json_provenance(&j, ctx);
  ks_json_end_object(&j);
  ks_json_finish(&j);
}

static void print_trials_table(const vt_target *t, size_t n, size_t n_pass, size_t n_miss) {
  printf("%-42s %-11s %10s %22s %10s %22s  %s\n", "target", "role", "published", "band", "simulated",
         "simulated 95% CI", "result");
  for (size_t i = 0; i < n; i++) {
    char band[48] = "-", pub[24] = "NA", sim[24] = "-", sci[48] = "-";
    if (isfinite(t[i].published)) snprintf(pub, sizeof pub, "%.4g", t[i].published);
    if (isfinite(t[i].lo)) snprintf(band, sizeof band, "[%.4g, %.4g]", t[i].lo, t[i].hi);
    if (isfinite(t[i].simulated)) snprintf(sim, sizeof sim, "%.4g", t[i].simulated);
    if (isfinite(t[i].sim_lo)) snprintf(sci, sizeof sci, "[%.4g, %.4g]", t[i].sim_lo, t[i].sim_hi);
    printf("%-42s %-11s %10s %22s %10s %22s  %s\n", t[i].id, role_name(t[i].calibration), pub, band, sim, sci,
           vt_status_name(t[i].status));
  }
  char last[48] = "";
  for (size_t i = 0; i < n; i++)
    if (t[i].status == VT_SKIPPED && strcmp(last, t[i].scenario)) {
      printf("SKIP %s: %s\n", t[i].scenario, t[i].why);
      snprintf(last, sizeof last, "%s", t[i].scenario);
    }
  printf("%zu targets: %zu passed, %zu missed, %zu without a published number or run\n", n, n_pass, n_miss,
         n - n_pass - n_miss);
}

static ks_status plot_trials(ks_ctx *ctx, const char *path, const vt_target *t, size_t n, size_t n_pass) {
  static ks_fig_forest_row rows[MAX_TARGETS];
  static char labels[MAX_TARGETS][96];
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (t[i].status != VT_PASS && t[i].status != VT_MISS) continue;
    snprintf(labels[k], sizeof labels[k], "%.80s%s", t[i].id + (strncmp(t[i].id, "trial.", 6) ? 0 : 6),
             t[i].calibration ? " (cal.)" : "");
    rows[k] = (ks_fig_forest_row){.label = labels[k], .published = t[i].published, .lo = t[i].lo, .hi = t[i].hi,
                                  .simulated = t[i].simulated};
    k++;
  }
  if (k == 0) return ks_ctx_fail(ctx, KS_EINVAL, "--plot: no trial of the library ran with a published number");
  char title[128];
  snprintf(title, sizeof title, "trial library: %zu figures, %zu inside the published 95%% CI", k, n_pass);
  return write_plot(ctx, path, title, rows, k);
}

static int run_trials(ks_ctx *ctx, const vt_options *o, const char *plot, int json) {
  static vt_target t[MAX_TARGETS];
  size_t n = 0;
  ks_status st = vt_run(ctx, o, t, MAX_TARGETS, &n);
  if (st != KS_OK) return cli_fail(ctx, st);
  size_t n_pass = 0, n_miss = 0;
  for (size_t i = 0; i < n; i++) {
    n_pass += t[i].status == VT_PASS;
    n_miss += t[i].status == VT_MISS;
  }
  if (plot && (st = plot_trials(ctx, plot, t, n, n_pass)) != KS_OK) return cli_fail(ctx, st);
  if (json) print_trials_json(ctx, t, n, o->n_scale);
  else print_trials_table(t, n, n_pass, n_miss);
  return n_miss ? 1 : 0;
}

int ks_cli_validate(int argc, char **argv) {
  cli_opt opts[] = {
      {"json", NULL, "print one JSON document instead of a table", NULL, 0},
      {"layer", "NAME", "only this layer (pk, receptor, cascade, circuit, clinic, acute, brain, stats, trial, brain-trial)", NULL, 0},
      {"plot", "FILE", "also draw a forest plot of every target to FILE (.png, .svg or .pdf)", NULL, 0},
      {"trials", NULL, "run the library of published trials (examples/trials) instead of the layer targets", NULL, 0},
      {"n-scale", "F", "with --trials: patients = the published n times F (default 1)", NULL, 0},
      {"library", "DIR", "with --trials: the scenarios (default examples/trials)", NULL, 0},
      {"data", "DIR", "with --trials: library.tsv and the published tables (default data/trials)", NULL, 0},
      {"threads", "N", "with --trials: worker threads (default: all cores)", NULL, 0},
      {"uncertainty", "K", "with --trials: also run the library over K draws of the calibrated parameter ensemble: "
                           "each target's 95% prediction interval, which widens its band", NULL, 0},
      CLI_COMMON_OPTS,
  };
  size_t no = sizeof opts / sizeof opts[0];
  const char *pos[1];
  size_t n_pos = 0;
  int rc = cli_parse("validate", "[--json] [--layer NAME] [--plot FILE] [--trials [--n-scale F] [--uncertainty K]]", argc, argv, opts,
                     no, pos, 0, &n_pos);
  if (rc) return rc < 0 ? 0 : rc;
  int trials = cli_get(opts, no, "trials")->seen;
  cli_opt *layer = cli_get(opts, no, "layer");
  if (layer->seen && trials) {
    cli_error("--layer: not with --trials (the library is the trial-level validation)");
    return 2;
  }
  if (layer->seen && !ks_cli_validate_layer_known(layer->value)) {
    cli_error("--layer: unknown layer '%s' (expected one of %s)", layer->value, ks_cli_validate_layer_list());
    return 2;
  }
  cli_opt *plot = cli_get(opts, no, "plot");
  if (plot->seen && !plot_path_ok(plot->value)) {
    cli_error("--plot: '%s' has no figure extension (expected FILE.png, FILE.svg or FILE.pdf)", plot->value);
    return 2;
  }
  vt_options vo = {.library_dir = "examples/trials", .data_dir = "data/trials", .n_scale = 1.0, .n_threads = 0};
  cli_opt *ns = cli_get(opts, no, "n-scale");
  if (ns->seen) {
    char *end;
    vo.n_scale = strtod(ns->value, &end);
    if (*end || !(vo.n_scale > 0.0 && vo.n_scale <= 1000.0)) {
      cli_error("--n-scale: '%s' is not a scale factor (expected a number in (0, 1000])", ns->value);
      return 2;
    }
  }
  long threads = 0;
  if ((rc = cli_int(cli_get(opts, no, "threads"), 1, 4096, &threads))) return rc;
  vo.n_threads = (int)threads;
  long unc = 0;
  if ((rc = cli_int(cli_get(opts, no, "uncertainty"), 2, 10000, &unc))) return rc;
  vo.uncertainty_k = (size_t)unc;
  if (cli_get(opts, no, "library")->seen) vo.library_dir = cli_get(opts, no, "library")->value;
  if (cli_get(opts, no, "data")->seen) vo.data_dir = cli_get(opts, no, "data")->value;
  if (!trials && (ns->seen || unc || cli_get(opts, no, "library")->seen || cli_get(opts, no, "data")->seen)) {
    cli_error("--n-scale, --uncertainty, --library and --data go with --trials");
    return 2;
  }
  ks_ctx *ctx = cli_ctx(opts, no, 1);
  if (!ctx) return 1;
  int json = cli_get(opts, no, "json")->seen;
  const char *plot_path = plot->seen ? plot->value : NULL;
  vo.quiet = cli_get(opts, no, "quiet")->seen || json;
  rc = trials ? run_trials(ctx, &vo, plot_path, json) : run_layers(ctx, layer->seen ? layer->value : NULL, plot_path, json,
                                                                     cli_get(opts, no, "quiet")->seen || json);
  ks_ctx_destroy(&ctx);
  return rc;
}
