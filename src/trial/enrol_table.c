/* SPDX-License-Identifier: MIT */
/* Enrolment from a covariate table (ks_trial_options.population_table): patient k is row k, as
 * given; no screening (the rows are the enrolled patients), randomisation as usual. */
#include "trial_internal.h"

ks_status ks__trial_table_patients(ks_ctx *ctx, const trial_plan *plan,
                                   const ks_population_table *t, size_t n, trial_patient *out,
                                   size_t *n_screened) {
  size_t rows = ks_population_table_n(t);
  if (n > rows)
    return ks_ctx_fail(ctx, KS_EINPUT, "population table: %zu patients asked for, the table has "
                       "%zu rows (expected at most as many patients as rows)", n, rows);
  for (size_t k = 0; k < n; k++) {
    /* The candidate id keys every stream of the patient; replicates use their own id range, as
     * in screening (trial.c). */
    uint64_t id = (plan->replicate << 40) | (uint64_t)k;
    out[k].index = k;
    ks_population_table_patient(t, k, &plan->pop, plan->seed, id, &out[k].cov);
  }
  *n_screened = n;
  return KS_OK;
}
