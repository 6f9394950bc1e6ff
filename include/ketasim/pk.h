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
#include <ketasim/validate.h>
#include <ketasim/vocab.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Active species tracked for the receptor layer. Racemic ketamine is dosed as 50% S + 50% R;
 * esketamine is S-ketamine. */
typedef enum {
  KS_SP_S_KETAMINE = 0, KS_SP_R_KETAMINE, KS_SP_S_NORKETAMINE, KS_SP_R_NORKETAMINE,
  KS_SP_MIDAZOLAM, KS_SPECIES_N
} ks_species;

/** Species names ("s-ketamine"); drugs and routes are named in vocab.h. */
KS_API const char *ks_species_name(ks_species s);

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


/* ---------------------------------------------------------------------------------------------
 * Parameter sets (models). Each is a published compartmental model, selectable by name:
 *   "fanta2015"       S-ketamine 3-cmt (Fanta 2015) + S-norketamine 2-cmt (Otto/Fanta); racemic
 *                     ketamine as S and R halves (R clearance x 0.84); every route; oral,
 *                     sublingual and rectal racemate with an explicit first pass (gut-to-liver
 *                     delay, gut wall and well-stirred liver forming norketamine through a
 *                     two-compartment formation chain, Simons 2022), sublingual mucosal share
 *                     and rates of Simons 2022, published oral and rectal F.
 *                     Default for ketamine.
 *   "domino1982"      racemic ketamine 3-cmt per kg (Domino 1982); S and R halves identical;
 *                     norketamine from the Otto/Fanta set; every route.
 *   "perezruixo2021"  esketamine 3-cmt + hepato-portal compartment + noresketamine 2-cmt (Perez-
 *                     Ruixo 2021); IV, intranasal (28-mg devices), oral. Default for esketamine.
 *   "albrecht1999"    midazolam 3-cmt with ke0 (Albrecht 1999): its young-adult set below 65 y,
 *                     its elderly set from 65 y; IV only. Default for midazolam.
 * Equations, parameters and sources: docs/model/pk.md.
 * ------------------------------------------------------------------------------------------- */

/** The studied psychiatric dose range of drug D by route R, the one table of the program (the
 *  pk layer's check, scenario checking and `ketasim pk` all read it; values and sources in
 *  docs/model/pk.md): the highest dose that may be given without allow_unstudied_doses, per kg
 *  (for doses written per body weight) and in mg (for fixed doses); either pointer may be NULL.
 *  Returns 1 when D has a studied use by R, 0 when not (then every dose needs the flag). */
KS_API int ks_pk_studied_dose_max(ks_drug d, ks_route r, double *max_mg_per_kg, double *max_mg);
/** 1 if a dose VALUE of D by R is within the studied range: VALUE in mg/kg when per_kg, else in
 *  mg (the rule `ketasim check` and `ketasim pk` share). 0 otherwise. */
KS_API int ks_pk_dose_studied(ks_drug d, ks_route r, double value, int per_kg);

/** Number of built-in parameter sets and the name of the i-th (NULL when out of range). */
KS_API size_t ks_pk_model_count(void);
KS_API const char *ks_pk_model_name(size_t i);
/** Citation of a parameter set (NULL for an unknown name). */
KS_API const char *ks_pk_model_citation(const char *model);
/** The documented default set of a drug ("fanta2015", "perezruixo2021", "albrecht1999"). */
KS_API const char *ks_pk_model_default(ks_drug d);
/** 1 if MODEL can simulate drug D given by route R, else 0 (also 0 for unknown names). */
KS_API int ks_pk_model_supports(const char *model, ks_drug d, ks_route r);
/** Typical bioavailability (fraction of the dose reaching the systemic circulation as parent
 *  drug) of drug D by route R in MODEL for a typical 70-kg adult and a dose of dose_mg (the dose
 *  matters only for multi-device intranasal esketamine). NAN when unsupported. */
KS_API double ks_pk_model_bioavailability(const char *model, ks_drug d, ks_route r,
                                          double dose_mg);

/* Parameters that carry between-patient variability. Each set maps them onto its own model:
 * KS_PKP_CL is the parent clearance (for the hepatic model of perezruixo2021: kel), KS_PKP_F the
 * odds F/(1-F) of every bioavailability (for perezruixo2021: the nasal fraction FRn). */
typedef enum {
  KS_PKP_CL = 0, KS_PKP_V1, KS_PKP_VP1, KS_PKP_VP2, KS_PKP_Q, KS_PKP_KA, KS_PKP_F,
  KS_PKP_CLM, KS_PKP_VM, KS_PKP_QH, KS_PKP_VH, KS_PKP_KMET, KS_PKP_N
} ks_pk_param;

/** Name of an IIV parameter ("cl", "v1", ...). */
KS_API const char *ks_pk_param_name(ks_pk_param p);
/** Between-patient SD of parameter P's log multiplier (logit for KS_PKP_F) in MODEL: the omega
 *  that turns ks_pk_patient.eta_z into a multiplier exp(omega * z). 0 when the set has no
 *  variability on P (or does not use it); NAN for an unknown model or parameter. */
KS_API double ks_pk_model_omega(const char *model, ks_pk_param p);

/** One patient as the PK layer sees them.
 *  eta_z holds standard-normal deviates (drawn by ks_pk_patient_sample_iiv, 0 for the typical
 *  patient); each parameter set turns them into multipliers exp(omega * (L z)) with its own
 *  published omegas and correlations (L: Cholesky factor of the set's correlation matrix), so one
 *  patient keeps their identity across parameter sets. mult is an extra multiplier per parameter
 *  (1 = none) for callers that fix a parameter directly (for F: a multiplier on the odds). */
typedef struct ks_pk_patient {
  double weight_kg;     /* 30-250 kg */
  double age_y;         /* adult, years */
  int female;           /* 1 female, 0 male (no covariate effect in the built-in sets) */
  int asian;            /* 1: Asian (perezruixo2021: kel x 0.36, CLn x 0.81) */
  int japanese;         /* 1: Japanese (perezruixo2021: FRn x 1.34) */
  double eta_z[KS_DRUG_N][KS_PKP_N];
  double mult[KS_DRUG_N][KS_PKP_N];
} ks_pk_patient;

/** A typical patient: no variability (eta_z 0, mult 1), not Asian. Never fails. */
KS_API ks_pk_patient ks_pk_patient_typical(double weight_kg, double age_y, int female);

/** Draw eta_z for every drug and parameter from R (standard normals in a fixed order: drug-major,
 *  then ks_pk_param). The caller keys R, e.g. ks_rng_init(&r, seed, KS_STREAM_PK_IIV, patient, 0).
 *  Thread-safety: touches only *p and *r. */
KS_API void ks_pk_patient_sample_iiv(ks_pk_patient *p, ks_rng *r);

/** Options of a simulation. */
typedef struct ks_pk_options {
  const char *model[KS_DRUG_N];  /* parameter set per drug; NULL: ks_pk_model_default() */
  int allow_unstudied_doses;     /* 1: accept doses above the studied psychiatric range */
  double t_end_h;                /* > 0: the simulated horizon; infusions must end by then */
} ks_pk_options;

/** Defaults: default models, unstudied doses refused, no horizon check. */
KS_API ks_pk_options ks_pk_options_default(void);

typedef struct ks_pk_sim ks_pk_sim;

/** Build the exact solution of one patient's PK for doses[0..n_doses) (any order, any mix of
 *  drugs and routes; n_doses may be 0). Writes *out only on success.
 *  Dose checks: non-finite or non-positive dose_mg, negative or non-finite times, an infusion for
 *  a route other than IV, a route the drug's set cannot do, intranasal esketamine not a multiple
 *  of 28 mg (one device), an infusion ending after opts->t_end_h, weight outside 30-250 kg ->
 *  KS_EINPUT; a dose outside the studied psychiatric range (ks_pk_studied_dose_max: above both
 *  the fixed-mg limit and the per-kg limit at the patient's weight, or a drug-route pair without
 *  studied use) -> KS_ERANGE unless opts->allow_unstudied_doses. Unknown model -> KS_EINPUT.
 *  KS_ENUMERIC if a system cannot be diagonalised, KS_ENOMEM. opts may be NULL (defaults).
 *  Thread-safety: distinct sims may be created concurrently with one ctx. */
KS_API ks_status ks_pk_sim_create(ks_ctx *ctx, const ks_pk_patient *patient,
                                  const ks_pk_dose *doses, size_t n_doses,
                                  const ks_pk_options *opts, ks_pk_sim **out);

/** Concentrations at t_h (hours, >= 0; before the first dose everything is 0; values below
 *  1e-9 ng/mL are reported as 0).
 *  Cost: O(states) exponentials, no allocation. Thread-safe (the sim is immutable).
 *  @return KS_OK or KS_EINVAL (NULL, negative or non-finite t_h). */
KS_API ks_status ks_pk_sim_eval(const ks_pk_sim *sim, double t_h, ks_pk_conc *out);

/** Total plasma concentrations on a regular grid t0_h + i*dt_h, i < n_t: parent_ng_per_mL[i] is
 *  the sum of the parent species (S+R ketamine, or midazolam when only midazolam is given),
 *  metabolite_ng_per_mL[i] the sum of S+R norketamine (either pointer may be NULL). Faster than
 *  repeated ks_pk_sim_eval: the exact one-step propagator is reused across steps. No allocation.
 *  @return KS_OK or KS_EINVAL. */
KS_API ks_status ks_pk_sim_eval_grid_plasma(const ks_pk_sim *sim, double t0_h, double dt_h,
                                            size_t n_t, double *parent_ng_per_mL,
                                            double *metabolite_ng_per_mL);

/** The same for n_sims sims on one grid, written time-major: parent_ng_per_mL[j * ld + k] is
 *  sim k at t0_h + j*dt_h (ld >= n_sims; either output may be NULL, not both). Equal to
 *  ks_pk_sim_eval_grid_plasma on each sim up to rounding (1e-13 relative). Sims that share
 *  their dose-event times (a population given the same doses) are marched in lockstep, in
 *  batches of 32, with the loop over sims innermost so that it vectorises; others one by one.
 *  No allocation (about 27 KB of stack). Thread-safe (the sims are only read).
 *  @return KS_OK or KS_EINVAL (NULL sims, ld < n_sims, bad t0_h or dt_h). */
KS_API ks_status ks_pk_sims_eval_grid_plasma(const ks_pk_sim *const *sims, size_t n_sims,
                                             double t0_h, double dt_h, size_t n_t,
                                             double *parent_ng_per_mL,
                                             double *metabolite_ng_per_mL, size_t ld);

/** Fill *out with a callback view of the sim (eval wraps ks_pk_sim_eval; event_t_h are the dose
 *  starts and zero-order input ends, ascending, owned by the sim). Valid while the sim lives. */
KS_API void ks_pk_sim_exposure(const ks_pk_sim *sim, ks_exposure *out);

/** Mass balance at t_h, in mg of parent-drug equivalents (metabolite amounts are counted as the
 *  parent mass they came from), summed over every drug. administered: boluses in full and
 *  zero-order inputs pro rata up to t_h, computed from the dose list alone; the other three from
 *  the solution: in_body (depots, plasma, tissues, metabolite), eliminated (parent and metabolite
 *  elimination), not_absorbed (never reached the circulation: unabsorbed or lost to first pass
 *  other than to the metabolite). administered = in_body + eliminated + not_absorbed. */
typedef struct ks_pk_mass_balance {
  double administered_mg, in_body_mg, eliminated_mg, not_absorbed_mg;
} ks_pk_mass_balance;
KS_API ks_status ks_pk_sim_mass_balance(const ks_pk_sim *sim, double t_h, ks_pk_mass_balance *out);

/** Number of state variables (amounts in mg parent-equivalents; effect-site states in mg/L)
 *  over all drugs, their names ("ketamine.S.central"), and their values at t_h into
 *  amounts[0..cap). *n receives the count. */
KS_API size_t ks_pk_sim_n_states(const ks_pk_sim *sim);
KS_API const char *ks_pk_sim_state_name(const ks_pk_sim *sim, size_t i);
KS_API ks_status ks_pk_sim_amounts(const ks_pk_sim *sim, double t_h, double *amounts,
                                   size_t cap, size_t *n);

/** Destroy a sim and set *sim to NULL; does nothing when *sim is NULL. */
KS_API void ks_pk_sim_destroy(ks_pk_sim **sim);

/** Unbound fraction in plasma and brain-to-plasma unbound partition (Kp,uu) of a species. */
KS_API double ks_species_fraction_unbound(ks_species s);
KS_API double ks_species_kpuu_brain(ks_species s);

/** The layer's calibration and validation entries (see validate.h). */
KS_API ks_status ks_pk_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
