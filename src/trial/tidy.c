/* SPDX-License-Identifier: MIT */
/* The one place that decides a patient's doses (the arm's regimen, or the doses given), the
 * units of the measures and when a patient's values show dropout; the files built from them
 * (doses.csv, patients_long.csv) are written by src/output/tidy_write.c. */
#include "trial_internal.h"

#include <stdlib.h>
#include <string.h>

ks_status ks__trial_patient_doses(ks_ctx *ctx, const trial_plan *plan, const trial_patient *pt,
                                  ks_pk_dose **out, size_t *n_out) {
  if (plan->doses_of) {  /* given doses ("give these patients these doses") */
    size_t nd = 0;
    const ks_pk_dose *given = plan->doses_of(plan->doses_ud, pt->index, &nd);
    ks_pk_dose *copy = ks_calloc(ctx, nd ? nd : 1, sizeof *copy);
    if (!copy) return KS_ENOMEM;
    if (nd) memcpy(copy, given, nd * sizeof *copy);
    *out = copy;
    *n_out = nd;
    return KS_OK;
  }
  const ks_scenario *sc = plan->sc;
  size_t n = 0;
  for (size_t p = 0; p < plan->n_periods; p++) {
    const ks_scen_arm *a = &sc->arms[ks__trial_period_arm(plan, pt->arm, p)];
    for (size_t r = 0; r < a->n_regimen; r++) n += KS_SCEN_DRUG_HAS_PK(a->regimen[r].drug) ? a->regimen[r].n_days : 0;
  }
  ks_pk_dose *doses = ks_calloc(ctx, n ? n : 1, sizeof *doses);
  if (!doses) return KS_ENOMEM;
  size_t k = 0;
  for (size_t p = 0; p < plan->n_periods; p++) {
    const ks_scen_arm *a = &sc->arms[ks__trial_period_arm(plan, pt->arm, p)];
    double off = (double)p * plan->period_offset_h;
    for (size_t r = 0; r < a->n_regimen; r++) {
      const ks_scen_dose *d = &a->regimen[r];
      if (!KS_SCEN_DRUG_HAS_PK(d->drug)) continue; /* saline, active placebo: no PK (design.c) */
      for (size_t j = 0; j < d->n_days; j++) {
        ks_pk_dose *o = &doses[k++];
        o->drug = (ks_drug)d->drug;
        o->route = (ks_route)d->route;
        o->dose_mg = d->per_kg ? d->dose * pt->cov.weight_kg : d->dose;
        o->t_start_h = off + 24.0 * d->days[j];
        o->infusion_h = d->infusion_h;
      }
    }
  }
  *out = doses;
  *n_out = k;
  return KS_OK;
}

/* ---- measures ------------------------------------------------------------------------------- */

int ks_trial_scale_measure(ks_scen_scale s) {
  switch (s) {
    case KS_SCALE_CAPS5: return KS_M_CAPS5;
    case KS_SCALE_PCL5: return KS_M_PCL5;
    case KS_SCALE_IESR: return KS_M_IESR;
    case KS_SCALE_MADRS: return KS_M_MADRS;
    case KS_SCALE_CADSS: return KS_M_CADSS;
    default: return -1;
  }
}

const char *ks_measure_unit(ks_measure m) {
  if (m == KS_M_SBP_PEAK || m == KS_M_DBP_PEAK) return "mmHg";
  if ((unsigned)m <= KS_M_CADSS) return "points";
  return (unsigned)m < KS_M_N ? "1" : "?";
}

/* Symptom scales whose value is always recorded at a visit that schedules them, unless the
 * patient has dropped out (patient.c): NaN there is dropout. */
int ks__trial_dropout_seen(const trial_plan *plan, size_t v, const double *vals) {
  static const ks_scen_scale sym[] = {KS_SCALE_CAPS5, KS_SCALE_PCL5, KS_SCALE_IESR, KS_SCALE_MADRS};
  for (size_t k = 0; k < KS_ARRAY_LEN(sym); k++) {
    if (!(plan->visit_scales[v] & (1u << sym[k]))) continue;
    int m = ks_trial_scale_measure(sym[k]);
    if (m >= 0 && isnan(vals[m])) return 1;
  }
  return 0;
}
