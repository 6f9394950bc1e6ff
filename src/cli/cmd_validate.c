/* SPDX-License-Identifier: MIT */
/* ketasim validate [--json] [--plot FILE]: every built-in calibration and validation target,
 * simulated and compared with the published figure; exit 0 only when all pass. --plot draws the
 * forest plot of every target (ks_fig_forest). */
#include "cli.h"
#include "commands.h"
#include "validate_layers.h"

#include <math.h>
#include <stdio.h>
#include <strings.h>
#include <string.h>

#define MAX_TARGETS 256

/* 1 when PATH ends in .png, .svg or .pdf (any case): the formats ks_fig_forest writes. */
static int plot_path_ok(const char *path) {
  size_t n = strlen(path);
  return n > 4 && (!strcasecmp(path + n - 4, ".png") || !strcasecmp(path + n - 4, ".svg") ||
                   !strcasecmp(path + n - 4, ".pdf"));
}

/* Forest plot of the targets: per row the acceptance interval, the published value and the
 * simulated one, each rescaled so that the interval spans [-1, 1] (the rows have different units). */
static ks_status write_plot(ks_ctx *ctx, const char *path, const ks_target_result *t, size_t n, size_t n_fail) {
  static ks_fig_forest_row rows[MAX_TARGETS];
  static char labels[MAX_TARGETS][80];
  for (size_t i = 0; i < n; i++) {
    snprintf(labels[i], sizeof labels[i], "%.63s%s", t[i].id, t[i].role == KS_TARGET_CALIBRATED ? " (cal.)" : "");
    rows[i] = (ks_fig_forest_row){.label = labels[i], .published = t[i].published, .lo = t[i].lo, .hi = t[i].hi,
                                  .simulated = t[i].simulated};
  }
  char title[128];
  snprintf(title, sizeof title, "ketasim validate: %zu targets, %zu passed", n, n - n_fail);
  ks_fig_spec spec = {.title = title,
                      .x_label = "simulated relative to the acceptance interval (-1 = low end, +1 = high end)"};
  return ks_fig_forest(ctx, path, &spec, rows, n, KS_FIG_FOREST_TOLERANCE);
}

static void print_json(const ks_ctx *ctx, const ks_target_result *t, size_t n, size_t n_fail) {
  ks_json j;
  ks_json_init(&j, stdout, 2);
  ks_json_begin_object(&j);
  ks_json_key(&j, "ketasim_version");
  ks_json_str(&j, ks_version());
  ks_json_key(&j, "n_targets");
  ks_json_int(&j, (long long)n);
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
    ks_json_key(&j, "published");
    if (isfinite(t[i].published)) ks_json_num(&j, t[i].published);
    else ks_json_null(&j);
    ks_json_key(&j, "lo");
    ks_json_num(&j, t[i].lo);
    ks_json_key(&j, "hi");
    ks_json_num(&j, t[i].hi);
    ks_json_key(&j, "simulated");
    ks_json_num(&j, t[i].simulated);
    ks_json_key(&j, "role");
    ks_json_str(&j, t[i].role == KS_TARGET_CALIBRATED ? "calibrated" : "held-out");
    ks_json_key(&j, "pass");
    ks_json_bool(&j, t[i].pass);
    ks_json_end_object(&j);
  }
  ks_json_end_array(&j);
  ks_json_provenance(&j, ctx);
  ks_json_end_object(&j);
  ks_json_finish(&j);
}

int ks_cli_validate(int argc, char **argv) {
  cli_opt opts[] = {
      {"json", NULL, "print one JSON document instead of a table", NULL, 0},
      {"layer", "NAME", "only this layer (pk, receptor, cascade, acute, clinic, trial)", NULL, 0},
      {"plot", "FILE", "also draw a forest plot of every target to FILE (.png, .svg or .pdf)", NULL, 0},
      CLI_COMMON_OPTS,
  };
  size_t no = sizeof opts / sizeof opts[0];
  const char *pos[1];
  size_t n_pos = 0;
  int rc = cli_parse("validate", "[--json] [--layer NAME] [--plot FILE]", argc, argv, opts, no, pos, 0, &n_pos);
  if (rc) return rc < 0 ? 0 : rc;
  cli_opt *layer = cli_get(opts, no, "layer");
  if (layer->seen && !ks_cli_validate_layer_known(layer->value)) {
    cli_error("--layer: unknown layer '%s' (expected one of %s)", layer->value, ks_cli_validate_layer_list());
    return 2;
  }
  cli_opt *plot = cli_get(opts, no, "plot");
  if (plot->seen && !plot_path_ok(plot->value)) {
    cli_error("--plot: '%s' has no figure extension (expected FILE.png, FILE.svg or FILE.pdf)", plot->value);
    return 2;
  }
  ks_ctx *ctx = cli_ctx(opts, no, 1);
  if (!ctx) return 1;
  static ks_target_result t[MAX_TARGETS];
  size_t n = 0;
  ks_status st = ks_cli_validate_run(ctx, layer->seen ? layer->value : NULL, t, MAX_TARGETS, &n);
  if (st != KS_OK) {
    rc = cli_fail(ctx, st);
    ks_ctx_destroy(&ctx);
    return rc;
  }
  size_t n_fail = 0;
  for (size_t i = 0; i < n; i++) n_fail += !t[i].pass;
  if (plot->seen && n > 0 && (st = write_plot(ctx, plot->value, t, n, n_fail)) != KS_OK) {
    rc = cli_fail(ctx, st);
    ks_ctx_destroy(&ctx);
    return rc;
  }
  if (cli_get(opts, no, "json")->seen) {
    print_json(ctx, t, n, n_fail);
  } else {
    printf("%-38s %-10s %12s %21s %12s  %s\n", "target", "role", "published", "accepted", "simulated", "result");
    for (size_t i = 0; i < n; i++) {
      char acc[48], pub[24];
      snprintf(acc, sizeof acc, "[%.4g, %.4g]", t[i].lo, t[i].hi);
      if (isfinite(t[i].published)) snprintf(pub, sizeof pub, "%.4g", t[i].published);
      else snprintf(pub, sizeof pub, "range");
      printf("%-38s %-10s %12s %21s %12.4g  %s  %s (%s)\n", t[i].id,
             t[i].role == KS_TARGET_CALIBRATED ? "calibrated" : "held-out", pub, acc, t[i].simulated,
             t[i].pass ? "pass" : "FAIL", t[i].unit, t[i].source);
    }
    printf("%zu targets, %zu passed, %zu failed\n", n, n - n_fail, n_fail);
  }
  ks_ctx_destroy(&ctx);
  return n_fail ? 1 : 0;
}
