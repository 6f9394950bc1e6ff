/* SPDX-License-Identifier: MIT */
/* The table of layers with validation targets. */
#include "validate_layers.h"

#include <string.h>

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
    {"trial", ks_trial_validate},
    {"brain-trial", ks_trial_brain_validate},
};

int ks_cli_validate_layer_known(const char *name) {
  for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++)
    if (!strcmp(name, layers[i].name)) return 1;
  return 0;
}

const char *ks_cli_validate_layer_list(void) { return "pk, receptor, cascade, circuit, clinic, acute, brain, stats, trial, brain-trial"; }

ks_status ks_cli_validate_run(ks_ctx *ctx, const char *only, ks_target_result *out, size_t cap, size_t *n) {
  for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
    if (only && strcmp(only, layers[i].name)) continue;
    ks_status st = layers[i].fn(ctx, out, cap, n);
    if (st != KS_OK) return st;
  }
  return KS_OK;
}
