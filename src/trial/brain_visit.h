/* SPDX-License-Identifier: MIT */
/* The brain layer's hook in the patient loop (brain_visit.c). */
#ifndef KS_TRIAL_BRAIN_VISIT_H
#define KS_TRIAL_BRAIN_VISIT_H

#include "trial_internal.h"

#include <ketasim/pk.h>

/* Fill the brain-layer measures (KS_M_VOL_* .. KS_M_FLAG_CUMULATIVE) of visit V in
 * values[V * KS_M_N ..] for a patient not dropped out: volume at scan/mri visits, the cognitive
 * tests, NRS, SSI and MADRS item 10 where assessed, theta_dep and the safety measures at every
 * visit. pc0 is the cascade at time 0 (baseline), pc at the visit; lat the visit's latent
 * severities; values holds the patient's earlier visits (visit 0's theta_dep is the baseline).
 * @return KS_OK, or a PK/clinic failure. Thread-safety: pure (patient streams only). */
ks_status ks__brain_visit(ks_ctx *ctx, const trial_plan *plan, const trial_patient *pt, const ks_pk_sim *pk,
                          const ks_pk_dose *doses, size_t n_doses, const ks_cascade_point *pc0,
                          const ks_cascade_point *pc, const ks_clinic_patient *cpt, const ks_clinic_latent *lat,
                          double t_visit_h, double *values, size_t v);

#endif
