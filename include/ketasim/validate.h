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
  KS_TARGET_CALIBRATED = 0,  /* calibration: a parameter was tuned to reproduce this figure */
  KS_TARGET_HELD_OUT = 1     /* validation: not used in fitting, a test of the model */
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

/* What is published about a validation target, and the model's own prediction interval. */
typedef struct ks_band_input {
  double published;      /* the published point estimate */
  double ci_lo, ci_hi;   /* the published 95% CI; NAN when none was published */
  double sd;             /* the published SD of the quantity (per patient); NAN when unknown */
  double n;              /* the number of patients that SD and estimate come from; NAN when unknown */
  double simulated;      /* the simulated value (only used with a prediction interval) */
  double pred_lo, pred_hi; /* the model's prediction interval around `simulated`; NAN: none */
} ks_band_input;

/** The acceptance band of a validation target, written once (issue 14): the published 95% CI
 *  when one is published; otherwise published +- 1.96 sd / sqrt(n); then widened only by the
 *  model's own prediction interval, the low end down by (simulated - pred_lo) and the high end up
 *  by (pred_hi - simulated), so a target passes exactly when the published interval and the
 *  prediction interval overlap. Nothing else widens a band.
 *  @return KS_OK; KS_EINVAL when neither a CI nor (published, sd > 0, n > 0) is given, or a given
 *          prediction interval does not contain `simulated`. */
KS_API ks_status ks_target_band(const ks_band_input *in, double *lo, double *hi);

/** Calibration targets (data/targets/calibration.tsv, mirrored in src/core/validate.c and checked
 *  by a test): 1 when ID is one of them, else 0. Every other target is a validation target. */
KS_API int ks_target_is_calibration(const char *id);
/** The i-th calibration target id (NULL past the end). */
KS_API const char *ks_target_calibration_id(size_t i);
/** Checks that pass by construction (data/targets/by_construction.tsv): unit tests, not
 *  validation; `ketasim validate` lists them apart. 1 when ID is one of them. */
KS_API int ks_target_is_by_construction(const char *id);
KS_API const char *ks_target_by_construction_id(size_t i);

#ifdef __cplusplus
}
#endif
#endif
