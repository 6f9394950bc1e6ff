/* SPDX-License-Identifier: MIT */
/* The layers whose targets `ketasim validate` checks, lowest first. */
#ifndef KS_CLI_VALIDATE_LAYERS_H
#define KS_CLI_VALIDATE_LAYERS_H

#include <ketasim/ketasim.h>

int ks_cli_validate_layer_known(const char *name);
const char *ks_cli_validate_layer_list(void);
/* Run every layer's validation (or only LAYER when not NULL), appending to out[0..cap). */
ks_status ks_cli_validate_run(ks_ctx *ctx, const char *layer, int quiet, ks_target_result *out, size_t cap, size_t *n);

#endif
