/* SPDX-License-Identifier: MIT */
/* Private declarations of the clinic layer (item tables, the calibrated model). */
#ifndef KS_CLINIC_INTERNAL_H
#define KS_CLINIC_INTERNAL_H

#include <ketasim/clinic.h>

typedef struct ks__item_spec {
  ks_scale scale;
  int item;           /* 1-based as in the instrument */
  const char *label;
  ks_cluster cluster;
  double a;           /* GRM discrimination */
  double target_mean; /* calibration target; < 0: thresholds fixed as published */
} ks__item_spec;

extern const ks__item_spec ks__items[];
extern const size_t ks__n_items;
extern const double ks__madrs10_thresholds[6];

typedef struct ks__scale_model {
  size_t n;
  int max;
  double a[KS_CLINIC_MAX_ITEMS];
  double b[KS_CLINIC_MAX_ITEMS][6];
  int cluster[KS_CLINIC_MAX_ITEMS];
} ks__scale_model;

struct ks_clinic_model {
  ks_ctx *ctx;
  ks_clinic_params p;
  ks__scale_model sc[KS_CLINIC_SCALE_N];
};

/* Expected item score under theta ~ N(0, var) (Gauss-Hermite-free: fine trapezoid grid). */
double ks__grm_expected(const double *b, int max, double a, double var);

#endif
