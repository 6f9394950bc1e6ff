/* SPDX-License-Identifier: MIT */
/* Pharmacokinetics: from doses to plasma, effect-site and unbound brain concentrations.
 *
 * The layer's output to the receptor layer is ks_pk_conc, evaluated at any time by
 * ks_pk_sim_eval(): exact propagation of the linear compartment system between dose events.
 * A ks_pk_sim is immutable after creation, so one sim may be evaluated from many threads. */
#ifndef KETASIM_PK_H
#define KETASIM_PK_H

#include <ketasim/core.h>
#include <ketasim/rng.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { KS_DRUG_KETAMINE = 0, KS_DRUG_ESKETAMINE, KS_DRUG_MIDAZOLAM, KS_DRUG_N } ks_drug;

/* KS_ROUTE_IV with infusion_h == 0 is a bolus. */
typedef enum {
  KS_ROUTE_IV = 0, KS_ROUTE_IM, KS_ROUTE_INTRANASAL, KS_ROUTE_ORAL, KS_ROUTE_SUBLINGUAL,
  KS_ROUTE_RECTAL, KS_ROUTE_N
} ks_route;

/* Active species tracked for the receptor layer. Racemic ketamine is dosed as 50% S + 50% R;
 * esketamine is S-ketamine. */
typedef enum {
  KS_SP_S_KETAMINE = 0, KS_SP_R_KETAMINE, KS_SP_S_NORKETAMINE, KS_SP_R_NORKETAMINE,
  KS_SP_MIDAZOLAM, KS_SPECIES_N
} ks_species;

/** Name lookups ("ketamine", "iv", "s-ketamine"); parse returns -1 for an unknown name. */
KS_API const char *ks_drug_name(ks_drug d);
KS_API const char *ks_route_name(ks_route r);
KS_API const char *ks_species_name(ks_species s);
KS_API int ks_drug_parse(const char *name);
KS_API int ks_route_parse(const char *name);

/** Molar mass of a species, g/mol (ketamine base 237.7; norketamine 223.7; midazolam 325.8). */
KS_API double ks_species_molar_mass_g_per_mol(ks_species s);

/** One administration. */
typedef struct ks_pk_dose {
  ks_drug drug;
  ks_route route;
  double dose_mg;       /* total amount administered (for intranasal: amount sprayed) */
  double t_start_h;     /* start time, hours from time zero */
  double infusion_h;    /* IV infusion duration, hours; 0 for a bolus and for every other route */
} ks_pk_dose;

/** Concentrations at one time. Every array is indexed by ks_species. */
typedef struct ks_pk_conc {
  double t_h;
  double plasma_ng_per_mL[KS_SPECIES_N];       /* total (bound + unbound) plasma */
  double effect_ng_per_mL[KS_SPECIES_N];       /* effect-site (ke0) concentration */
  double brain_unbound_uM[KS_SPECIES_N];       /* unbound brain concentration at the effect site */
} ks_pk_conc;

/** A concentration source for the layers below PK, decoupled from how it is computed:
 *  eval(ud, t_h, out) fills *out at time t_h (hours) and returns KS_OK or a failure status.
 *  event_t_h[0..n_events) are the times (hours, ascending) where concentrations have kinks
 *  (dose starts and infusion ends); ODE solvers stop there. */
typedef ks_status (*ks_conc_fn)(void *ud, double t_h, ks_pk_conc *out);
typedef struct ks_exposure {
  ks_conc_fn eval;
  void *ud;
  const double *event_t_h;
  size_t n_events;
} ks_exposure;

#ifdef __cplusplus
}
#endif
#endif
