/* SPDX-License-Identifier: MIT */
/* Private structures of the PK layer: linear compartment units, parameter sets, the sim. */
#ifndef KS_PK_INTERNAL_H
#define KS_PK_INTERNAL_H

#include <ketasim/pk.h>
#include "core/core_internal.h"

/* Most states one unit (one drug, one enantiomer, with its metabolite) can have. */
#define PK_MAXS 20
/* Most inputs one dose can produce (e.g. nasal depot + swallowed depot + first-pass loss). */
#define PK_MAXIN 4

typedef enum { PK_ST_MASS = 0, PK_ST_EFFECT, PK_ST_ELIM, PK_ST_LOST } pk_state_kind;

/* One input a dose produces: amount into a state, as a bolus (dur_h == 0) or zero-order over
 * dur_h hours. frac is the fraction of the unit's share of the dose. */
typedef struct pk_input {
  int state;
  double frac;
  double dur_h;
} pk_input;

/* How a route delivers a dose into a unit. The remainder 1 - sum(frac) goes to the unit's
 * "lost" state at dose time (not absorbed). */
typedef struct pk_route_map {
  int supported;
  int n_in;
  pk_input in[PK_MAXIN];
} pk_route_map;

/* One linear compartment system: a drug (or one enantiomer of it) with its metabolite.
 * dx/dt = A x + b(t), x in mg parent-equivalents (effect states in mg/L). */
typedef struct pk_unit {
  ks_drug drug;
  int n;
  double share;                 /* fraction of the drug's dose going to this unit (0.5 racemate) */
  ks_species sp_parent;
  int sp_met;                   /* ks_species of the metabolite, -1 for none */
  int i_central, i_eff, i_met_central, i_met_eff, i_lost;
  double v_central_L, v_met_L, met_mass_ratio;
  pk_state_kind kind[PK_MAXS];
  char name[PK_MAXS][64];
  double A[PK_MAXS * PK_MAXS];  /* row-major: A[i*n + j] is d x_i / d x_j */
  pk_route_map route[KS_ROUTE_N];
  /* Intranasal esketamine by 28-mg device (perezruixo2021): per-dose nasal fraction. */
  int nasal_devices;
  double frn, frn_repeat, fgut, dsw_h;
  int i_nasal, i_swallow;
  /* 1 for the transit states of the first pass (portal, liver, formation chain): their outflows
   * may be scaled together when near-coincident rates leave A badly conditioned. */
  unsigned char transit[PK_MAXS];
  /* Modal form, filled by pk__unit_diagonalise. */
  double lambda[PK_MAXS];
  double V[PK_MAXS * PK_MAXS];  /* row-major eigenvectors (columns) */
  double Vinv[PK_MAXS * PK_MAXS];
  double row_out[4][PK_MAXS];   /* plasma parent, effect parent, plasma met, effect met (ng/mL) */
  /* Event segments: state at each segment start in modal coordinates and the modal input. */
  size_t n_seg;
  double *seg_t;                /* n_seg start times, ascending */
  double *seg_z;                /* n_seg x n */
  double *seg_beta;             /* n_seg x n */
  /* Every input of every dose: (t0_h, dur_h, amount_mg, state); dur 0 is a bolus. */
  size_t n_adm;
  double *adm;                  /* n_adm x 4 */
} pk_unit;

/* A parameter set: a builder that fills the structural part of a unit for a drug and patient. */
typedef struct pk_set {
  const char *name;
  const char *citation;
  unsigned drugs;                                   /* bit mask of ks_drug */
  double omega[KS_PKP_N];                           /* SD of log multiplier (F: logit) */
  double corr[KS_PKP_N][KS_PKP_N];                  /* correlation, zero = independent */
  /* Build unit(s) of drug d: returns the number built (<= 2) into u[]. mult: the patient's
   * effective multipliers for this set; routes: bit mask of the routes dosed (depots of other
   * routes are left out, which keeps the system small; their route maps stay "supported"). */
  ks_status (*build)(ks_ctx *ctx, const struct pk_set *set, ks_drug d, const ks_pk_patient *p,
                     const double mult[KS_PKP_N], unsigned routes, pk_unit *u, int *n_units);
} pk_set;

const pk_set *ks__pk_set_find(const char *name);
/* The documented parameters (data/pk/parameter_sets.tsv rows: set, parameter, value in the
 * table's unit), computed from the builders' own structures; returns the count (fills at most
 * cap rows). Used by a test that checks the table and the code against each other. */
typedef struct pk_param_row { const char *set, *parameter; double value; } pk_param_row;
size_t ks__pk_param_rows(pk_param_row *out, size_t cap);
/* Effective multipliers exp(omega * L z) * mult for drug d under set s. */
void ks__pk_multipliers(const pk_set *s, const ks_pk_patient *p, ks_drug d,
                        double mult[KS_PKP_N]);
/* Inputs of one dose into a unit (handles intranasal devices); returns count, rest is lost. */
int ks__pk_dose_inputs(const pk_unit *u, const ks_pk_dose *dose, pk_input *in);
/* Eigen-decomposition of u->A; KS_ENUMERIC when not diagonalisable in floating point. */
ks_status ks__pk_unit_diagonalise(ks_ctx *ctx, pk_unit *u);
/* Structured eigen-decomposition of u->A (pk_eig.c): fills lambda, V and Vinv (left eigenvectors); returns 0 on success,
 * 1 when a block has more than 3 states, eigenvalues are not real or coincide. No LAPACK. */
int ks__pk_eig_structured(pk_unit *u);

struct ks_pk_sim {
  ks_ctx *ctx;
  int n_units;
  double *events;
  size_t n_events;
  ks_pk_dose *doses;
  size_t n_doses;
  pk_unit unit[];  /* room for the units of the dosed drugs only (at most 2 per drug) */
};

/* Test hooks: unit k of a sim; its zero-order input rates at t_h (mg/h, inputs active on
 * [t0, t0+dur)) and the bolus amounts given at exactly t_h (added to x). */
/* A sim from hand-built units (A, kinds, indices, route maps, share, species filled; n <= PK_MAXS);
 * used by tests for closed-form systems. */
ks_status ks__pk_sim_from_units(ks_ctx *ctx, const pk_unit *units, int n_units,
                                const ks_pk_dose *doses, size_t n_doses, ks_pk_sim **out);
int ks__pk_sim_n_units(const ks_pk_sim *sim);
const pk_unit *ks__pk_sim_unit(const ks_pk_sim *sim, int k);
void ks__pk_unit_input_rate(const pk_unit *u, double t_h, double *b);
void ks__pk_unit_add_bolus(const pk_unit *u, double t_h, double *x);

#endif
