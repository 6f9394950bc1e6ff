/* SPDX-License-Identifier: MIT */
/* Calibration and validation targets: each layer checks its model against published figures.
 * `ketasim validate` collects the entries of every layer. */
#ifndef KETASIM_VALIDATE_H
#define KETASIM_VALIDATE_H

#include <ketasim/core.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  KS_TARGET_CALIBRATED = 0,  /* a parameter was tuned to reproduce this figure */
  KS_TARGET_HELD_OUT = 1     /* not used in fitting: a test of the model */
} ks_target_role;

typedef struct ks_target_result {
  char id[64];           /* stable identifier, "pk.ketamine.iv40.cmax" */
  char quantity[160];    /* what is compared, in words */
  char unit[24];
  char source[160];      /* citation of the published figure */
  double published;      /* the published value (NAN when only a range is published) */
  double lo, hi;         /* acceptance interval */
  double simulated;
  ks_target_role role;
  int pass;              /* lo <= simulated <= hi */
} ks_target_result;

/** A layer's validation function: appends up to cap - *n entries to out[*n..], advancing *n. */
typedef ks_status (*ks_validate_fn)(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n);

/** Fill one entry (strings truncated to fit) and set pass from [lo, hi]. Returns KS_OK, or
 *  KS_EINVAL when *n == cap. */
KS_API ks_status ks_target_add(ks_target_result *out, size_t cap, size_t *n, const char *id,
                               const char *quantity, const char *unit, const char *source,
                               double published, double lo, double hi, double simulated,
                               ks_target_role role);

#ifdef __cplusplus
}
#endif
#endif
