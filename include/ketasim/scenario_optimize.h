/* SPDX-License-Identifier: MIT */
/* The `optimize:` block of a scenario: the regimen space `ketasim optimize` searches, its
 * objective(s) and constraints (docs/user-guide.md, "Optimise a regimen"). The scenario loader checks the
 * block when present (bad input is refused like any other key); ks_scenario_optimize_load reads it
 * for the optimize command. A scenario with the block runs with `ketasim run` as if it were absent.
 *
 *   optimize:
 *     arm: ketamine                          # the arm whose regimen is searched (default: the first)
 *     objective: {endpoint: response, day: 14, goal: maximize}
 *     second_objective: {endpoint: change, scale: caps5, day: 56, goal: minimize}  # optional: Pareto
 *     pareto_points: 5
 *     variables:                             # each [low, high]; at least one
 *       dose: [0.2 mg/kg, 0.5 mg/kg]         # continuous; the unit of the arm's dose
 *       infusions: [1, 6]                    # whole numbers from here on
 *       spacing_days: [1, 7]
 *       therapy_delay_days: [0, 3]           # therapy session this many days after each infusion
 *       maintenance_interval_days: [7, 28]   # then one infusion every so many days ...
 *     maintenance_until_day: 56              # ... up to this day
 *     constraints: {cadss_mean: 20, cadss_p95: 40, sbp_peak_p95: 160, visits: 12, total_drug: 3}
 *     algorithm: cobyla                      # cobyla | bobyqa | global
 *     evaluations: 30                        # NLopt evaluations per grid cell of the whole numbers
 */
#ifndef KETASIM_SCENARIO_OPTIMIZE_H
#define KETASIM_SCENARIO_OPTIMIZE_H

#include <ketasim/core.h>
#include <ketasim/scenario.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  KS_OPT_DOSE = 0,                  /* mg/kg or mg (the arm's unit), continuous */
  KS_OPT_INFUSIONS,                 /* induction infusions, whole number */
  KS_OPT_SPACING_DAYS,              /* days between induction infusions */
  KS_OPT_THERAPY_DELAY_DAYS,        /* days from each infusion to its therapy session */
  KS_OPT_MAINTENANCE_INTERVAL_DAYS, /* days between maintenance infusions after induction */
  KS_OPT_VAR_N
} ks_optimize_var;

typedef enum {
  KS_OPT_CON_CADSS_MEAN = 0, KS_OPT_CON_CADSS_P95, KS_OPT_CON_SBP_PEAK_P95, KS_OPT_CON_VISITS, KS_OPT_CON_TOTAL_DRUG,
  KS_OPT_CON_N
} ks_optimize_constraint;

/** Names as written in the block ("dose", "cadss_p95", ...). */
KS_API const char *ks_optimize_var_name(ks_optimize_var v);
KS_API const char *ks_optimize_constraint_name(ks_optimize_constraint c);

typedef struct ks_optimize_objective {
  int present;
  char endpoint[24];        /* response, remission, change, durability, primary, cadss_mean,
                               cadss_p95, sbp_peak_p95 (the names of sweep.h) */
  int day;                  /* 0: the scenario's endpoint day */
  int scale_set;
  ks_scen_scale scale;
  int maximize;
} ks_optimize_objective;

typedef struct ks_optimize_spec {
  int present;              /* 0: the scenario has no optimize block */
  int arm;                  /* index of the studied arm */
  int var_set[KS_OPT_VAR_N];
  double low[KS_OPT_VAR_N], high[KS_OPT_VAR_N];
  int maintenance_until_day;
  ks_optimize_objective objective, objective2;
  long pareto_points;
  int con_set[KS_OPT_CON_N];
  double con_max[KS_OPT_CON_N];
  char algorithm[16];       /* cobyla, bobyqa, global */
  long evaluations;
} ks_optimize_spec;

/** Read the optimize block of scenario file PATH (already loaded as SC) into *out; out->present
 *  is 0 when the file has none. @return KS_OK; KS_EINPUT ("FILE:LINE:COL: ..."); KS_EIO. */
KS_API ks_status ks_scenario_optimize_load(ks_ctx *ctx, const char *path, const ks_scenario *sc, ks_optimize_spec *out);

#ifdef __cplusplus
}
#endif
#endif
