/* SPDX-License-Identifier: MIT */
/* The table of layers with validation targets. */
#include "validate_layers.h"
#include "validate_trials.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct {
  const char *name;
  ks_validate_fn fn;
} layer;

static const layer layers[] = {
    {"pk", ks_pk_validate},
    {"receptor", ks_receptor_validate},
    {"cascade", ks_cascade_validate},
    {"circuit", ks_circuit_validate},
    {"clinic", ks_clinic_validate},
    {"acute", ks_acute_validate},
    {"brain", ks_brain_validate},
    {"stats", ks_stats_validate},
    {"trial", vt_layer_targets}, /* the trial library's rows (validate_trials.c) */
    {"brain-trial", ks_trial_brain_validate},
};

int ks_cli_validate_layer_known(const char *name) {
  for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++)
    if (!strcmp(name, layers[i].name)) return 1;
  return 0;
}

const char *ks_cli_validate_layer_list(void) { return "pk, receptor, cascade, circuit, clinic, acute, brain, stats, trial, brain-trial"; }

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

ks_status ks_cli_validate_run(ks_ctx *ctx, const char *only, int quiet, ks_target_result *out, size_t cap, size_t *n) {
  const size_t n_layers = sizeof layers / sizeof layers[0];
  double t0 = now_s();
  for (size_t i = 0; i < n_layers; i++) {
    if (only && strcmp(only, layers[i].name)) continue;
    size_t first = *n;
    if (!quiet) fprintf(stderr, "ketasim: validate: %s (layer %zu of %zu, %.0f s so far)\n", layers[i].name, i + 1, n_layers, now_s() - t0);
    ks_status st = layers[i].fn(ctx, out, cap, n);
    if (st != KS_OK) return st;
    /* The role is the declared list's (data/targets/calibration.tsv), never the layer's guess. */
    for (size_t k = first; k < *n; k++)
      out[k].role = ks_target_is_calibration(out[k].id) ? KS_TARGET_CALIBRATED : KS_TARGET_HELD_OUT;
  }
  return KS_OK;
}
