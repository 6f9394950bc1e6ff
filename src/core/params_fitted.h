/* SPDX-License-Identifier: MIT */
/* The committed fitted parameter set: mirrors data/calibration/fitted.tsv (`ketasim calibrate`
 * writes the file; test_fitted_mirror checks this table equals it). Empty name ends nothing:
 * every row is a parameter. */
#ifndef KS_PARAMS_FITTED_H
#define KS_PARAMS_FITTED_H

typedef struct {
  const char *name;
  double value;  /* the fitted value */
  double sd;     /* its Laplace SD (NAN: not identifiable) */
  double lo, hi; /* the range it was fitted in */
} ks__fitted_param;

static const ks__fitted_param ks__fitted[] = {
#include "params_fitted.inc"
};

#endif
