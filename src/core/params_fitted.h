/* SPDX-License-Identifier: MIT */
/* The committed fitted parameter set: generated from data/calibration/fitted.tsv at configure
 * time (src/core/CMakeLists.txt; `ketasim calibrate` writes the file). The NULL row ends the
 * table. ks__fitted_cov is the Laplace covariance, row-major over the parameters in table order
 * (NAN where a parameter is not identifiable), followed by one padding 0. */
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

static const double ks__fitted_cov[] = {
#include "params_fitted_cov.inc"
};

#endif
