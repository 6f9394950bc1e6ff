/* SPDX-License-Identifier: MIT */
/* Receptor layer: NMDA-receptor occupancy and effective block on interneurons and pyramidal cells
 * from unbound brain concentrations; GABA-A potentiation and sedation for midazolam.
 *
 * Algebraic (the receptor equilibrates within seconds, far faster than the layers it feeds):
 * ks_receptor_eval() is a pure function, safe from any thread. Model and sources:
 * docs/model/receptor.md. */
#ifndef KETASIM_RECEPTOR_H
#define KETASIM_RECEPTOR_H

#include <ketasim/core.h>
#include <ketasim/pk.h>
#include <ketasim/validate.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ks_receptor_params {
  /* Channel-site inhibition constants in the absence of Mg2+, uM, indexed by ks_species
   * ([3H]MK-801 displacement, Ebert 1997); 0 means the species does not bind (midazolam). */
  double nmda_ki_uM[KS_SPECIES_N];
  /* Apparent-affinity loss in physiological Mg2+ (1 mM): Ki is multiplied by this factor.
   * Interneuron NMDA receptors (GluN2C/2D-rich, depolarised by tonic firing) lose less. */
  double mg_shift_interneuron;
  double mg_shift_pyramidal;
  /* Fraction of receptors reachable by an open-channel (trapping) blocker during an exposure:
   * tonically firing interneurons open their channels continually, quiet pyramidal cells rarely. */
  double access_interneuron;
  double access_pyramidal;
  /* GABA-A potentiation by midazolam: Emax (fractional increase of the GABA response), EC50 of
   * the unbound brain concentration (uM) and a Hill coefficient. */
  double gabaa_emax;
  double gabaa_ec50_uM;
  double gabaa_hill;
  /* Sedation index: potentiation at half-maximal sedation, and its Hill coefficient. */
  double sedation_p50;
  double sedation_hill;
} ks_receptor_params;

/** Receptor state at one time; every field is finite and in its stated range. */
typedef struct ks_receptor_state {
  double nmda_occupancy;      /* channel-site occupancy without Mg2+ (binding assays), 0..1 */
  double block_interneuron;   /* effective NMDA block on fast-spiking interneurons, 0..1 */
  double block_pyramidal;     /* effective NMDA block on pyramidal cells, 0..1 */
  double gabaa_potentiation;  /* fractional increase of GABA-A current, 0..gabaa_emax */
  double sedation;            /* sedation index, 0 (alert) .. 1 (deeply sedated) */
} ks_receptor_state;

/** Defaults (values and sources in docs/model/receptor.md). */
KS_API ks_receptor_params ks_receptor_params_default(void);

/** Check every parameter (finite, positive where required, fractions in [0, 1]).
 *  @return KS_OK or KS_EINVAL with a message naming the field. */
KS_API ks_status ks_receptor_params_check(ks_ctx *ctx, const ks_receptor_params *p);

/** Evaluate the receptor state for the unbound brain concentrations in conc->brain_unbound_uM
 *  (negative or non-finite concentrations count as 0). Pure; thread-safe. */
KS_API void ks_receptor_eval(const ks_receptor_params *p, const ks_pk_conc *conc,
                             ks_receptor_state *out);

/** Validation entries of the receptor layer (per validate.h): occupancy and block at the
 *  concentrations of a 0.5 mg/kg, 40-min racemic infusion, the interneuron preference, the
 *  enantiomer potency ratio and midazolam's lack of NMDA block. */
KS_API ks_status ks_receptor_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
