/* SPDX-License-Identifier: MIT */
/* What the population module's files share: the constants of ks_population_draw that a
 * covariate table must respect when it replaces drawn values. */
#ifndef KS_POPULATION_INTERNAL_H
#define KS_POPULATION_INTERNAL_H

/* Correlation between latent PTSD and depressive severity (population.c). */
double ks__population_ptsd_depression_r(void);
/* Blood-pressure shift of hypertension (mmHg, systolic and diastolic; population.c). */
void ks__population_bp_shift(int hypertension, double *sbp_mmHg, double *dbp_mmHg);

#endif
