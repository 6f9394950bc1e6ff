/* SPDX-License-Identifier: MIT */
/* Private to the plasticity module: the closed-form reference exposure, a cross-check of the PK
 * layer (tests compare it with the domino1982 and albrecht1999 sets; validation, calibration and
 * the SBML export use the PK layer itself). */
#ifndef KS_PLASTICITY_INTERNAL_H
#define KS_PLASTICITY_INTERNAL_H

#include <ketasim/plasticity.h>

#define KS__REF_MAX_DOSES 256

/* Closed-form 3-compartment PK with an effect site, for IV infusions or boluses of one drug:
 * racemic ketamine or esketamine (Domino 1982 rate constants), or midazolam (Albrecht 1999).
 * Norketamine is not formed in this reference model (documented in docs/model/plasticity.md). */
typedef struct ks__ref_exposure {
  ks_drug drug;
  size_t n_doses;
  double t_start_h[KS__REF_MAX_DOSES];
  double infusion_h[KS__REF_MAX_DOSES];
  double dose_mg[KS__REF_MAX_DOSES];
  double events_h[2 * KS__REF_MAX_DOSES];
  size_t n_events;
  /* Unit-dose coefficients (per mg, ng/mL) and exponents (1/h). */
  double coef[3], lambda[3], ke0_per_h, fu, mw;
} ks__ref_exposure;

/* Set up a reference exposure of n_doses identical doses of dose_mg at times t_start_h[i], each an
 * infusion of infusion_h (0: bolus). weight_kg scales the ketamine central volume. */
ks_status ks__ref_exposure_init(ks_ctx *ctx, ks__ref_exposure *r, ks_drug drug, double weight_kg,
                                double dose_mg, double infusion_h, const double *t_start_h,
                                size_t n_doses);
/* The exposure view (eval + events) of r; valid while r lives. */
void ks__ref_exposure_view(ks__ref_exposure *r, ks_exposure *out);

/* Micro-constants of the reference sets (per minute; V1 in L). */
typedef struct ks__ref_pk_set {
  double v1_L, k10, k12, k13, k21, k31, ke0; /* ke0 per minute */
  double fu, mw;
} ks__ref_pk_set;
ks__ref_pk_set ks__ref_pk_set_get(ks_drug drug, double weight_kg);

/* The state vector of the cascade. */
enum {
  KS__Y_INT = 0, KS__Y_PYR, KS__Y_GLU, KS__Y_MGLUR, KS__Y_AMPA, KS__Y_EEF2, KS__Y_BDNF,
  KS__Y_MTOR, KS__Y_MTORFB, KS__Y_PROT, KS__Y_SPFC, KS__Y_SHPC, KS__Y_GAIN0,
  KS__Y_N = KS__Y_GAIN0 + KS_PATH_N
};

#endif
