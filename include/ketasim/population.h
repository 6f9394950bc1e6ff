/* SPDX-License-Identifier: MIT */
/* Virtual patients: the covariates of a trial population, drawn per patient from its own stream.
 *
 * A preset describes the population of a published trial; every field can be overridden by a
 * scenario. Patient k's covariates depend only on (seed, k), never on other patients or threads.
 * Screening (inclusion criteria) is applied by the trial layer on the screening visit's scores. */
#ifndef KETASIM_POPULATION_H
#define KETASIM_POPULATION_H

#include <ketasim/core.h>
#include <ketasim/rng.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ks_population_params {
  char preset[48];
  double age_mean_y, age_sd_y, age_min_y, age_max_y;
  double female_frac;
  double weight_median_kg, weight_cv;        /* log-normal body weight */
  double weight_min_kg, weight_max_kg;
  double caps5_mean, caps5_sd;               /* true baseline CAPS-5 severity of referred patients */
  double caps5_min;                          /* inclusion: screening CAPS-5 at least this */
  double madrs_mean, madrs_sd;               /* baseline depressive severity (MADRS) */
  double comorbid_mdd_frac;
  double combat_frac;                        /* combat (vs civilian) index trauma */
  double years_since_trauma_median, years_since_trauma_cv;
  double sbp_mean_mmHg, sbp_sd_mmHg, dbp_mean_mmHg, dbp_sd_mmHg;
  double hypertension_frac;
  double treatment_resistance;               /* 0..1: share of previous failed treatments; scales
                                                the expectancy response and the spine deficit */
} ks_population_params;

/** Names of the built-in presets, NULL-terminated. */
KS_API const char *const *ks_population_preset_names(void);
/** Fill *out with a preset. @return KS_OK or KS_EINPUT (unknown name). */
KS_API ks_status ks_population_preset(const char *name, ks_population_params *out);
/** Check ranges (fractions in [0, 1], SDs >= 0, min <= max, ...); KS_EINPUT with a message. */
KS_API ks_status ks_population_check(ks_ctx *ctx, const ks_population_params *p);

typedef struct ks_patient {
  uint64_t id;               /* candidate index: the entity of every stream of this patient */
  double age_y;
  int female;
  double weight_kg;
  double severity_z;         /* standardised latent PTSD severity (0 = preset mean) */
  double caps5_true;         /* true baseline CAPS-5 (0-80) */
  double depression_z;       /* standardised latent depressive severity, correlated with PTSD */
  double madrs_true;         /* true baseline MADRS (0-60) */
  int comorbid_mdd;
  int combat;
  double years_since_trauma;
  double sbp_mmHg, dbp_mmHg;
  int hypertension;
  double treatment_resistance;
} ks_patient;

/** Draw candidate ID's covariates from stream (seed, KS_STREAM_POPULATION, id). Never fails. */
KS_API void ks_population_draw(const ks_population_params *p, uint64_t seed, uint64_t id, ks_patient *out);

/* ---- a population from a CSV of covariates ---------------------------------------------------- */

/** A table of given covariates, one row per patient. Columns (case-insensitive; any order; others
 *  ignored): age_y (AGE), female (SEX: 0/1, M/F), weight_kg (WT; "# units: WT=lb" for pounds),
 *  caps5, madrs (true baseline scores), sbp_mmHg, dbp_mmHg, comorbid_mdd, combat, hypertension
 *  (0/1), years_since_trauma. An empty cell or "." is not given. Lines starting with '#' are
 *  comments. */
typedef struct ks_population_table ks_population_table;

/** Read a table. Writes *out only on success. @return KS_OK; KS_EINPUT with "FILE:LINE:COL: ..."
 *  (no covariate column, a value that is not a number or out of range: age 18-100, weight
 *  30-250 kg, CAPS-5 0-80, MADRS 0-60, booleans 0/1; no rows); KS_ENOMEM. */
KS_API ks_status ks_population_table_read(ks_ctx *ctx, const char *path, ks_population_table **out);
KS_API size_t ks_population_table_n(const ks_population_table *t);
KS_API void ks_population_table_destroy(ks_ctx *ctx, ks_population_table **t);

/** Patient ROW of the table as candidate ID: everything drawn by ks_population_draw(p, seed, id),
 *  then the row's given covariates in place of the drawn ones. A given CAPS-5 sets the latent PTSD
 *  severity (z = (caps5 - mean) / sd of P) and moves the depressive severity with it (its own part
 *  kept); a given MADRS sets the depressive severity; a given hypertension status moves the drawn
 *  blood pressure by the hypertension shift. Never fails (row out of range: the draw alone).
 *  Thread-safe. */
KS_API void ks_population_table_patient(const ks_population_table *t, size_t row,
                                        const ks_population_params *p, uint64_t seed, uint64_t id,
                                        ks_patient *out);

#ifdef __cplusplus
}
#endif
#endif
