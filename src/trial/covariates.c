/* SPDX-License-Identifier: MIT */
/* Read access to the covariates of a trial's patients (for "who responds" analyses). */
#include "trial_internal.h"

ks_status ks_trial_patient_covariates(const ks_trial_result *r, size_t i, ks_patient *out) {
  if (!r || !out || i >= r->n) return KS_EINVAL;
  *out = r->patients[i].cov;
  return KS_OK;
}
