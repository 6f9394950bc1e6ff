/* SPDX-License-Identifier: MIT */
/* Population presets and per-patient covariate draws. Sources and the status of every figure
 * are in docs/model/population.md. */
#include "core/core_internal.h"
#include <ketasim/population.h>
#include "population_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Feder et al. 2021 (Am J Psychiatry 178:193) and Feder et al. 2014 (JAMA Psychiatry 71:681):
 * civilian-majority chronic PTSD, median duration 14 years, CAPS-5 inclusion >= 30; baseline
 * CAPS-5 about 41 (SD 7), MADRS about 27, half with comorbid depression. */
static const ks_population_params civilian = {
    .preset = "civilian-chronic-ptsd",
    .age_mean_y = 39.0, .age_sd_y = 11.0, .age_min_y = 18.0, .age_max_y = 70.0,
    .female_frac = 0.45,
    .weight_median_kg = 80.0, .weight_cv = 0.20, .weight_min_kg = 45.0, .weight_max_kg = 160.0,
    .caps5_mean = 40.0, .caps5_sd = 8.0, .caps5_min = 30.0,
    .madrs_mean = 27.0, .madrs_sd = 8.0, .comorbid_mdd_frac = 0.50,
    .combat_frac = 0.10,
    .years_since_trauma_median = 14.0, .years_since_trauma_cv = 0.8,
    .sbp_mean_mmHg = 122.0, .sbp_sd_mmHg = 13.0, .dbp_mean_mmHg = 78.0, .dbp_sd_mmHg = 9.0,
    .hypertension_frac = 0.15,
    .treatment_resistance = 0.3,
};

/* Abdallah et al. 2022 (Neuropsychopharmacology 47:1574): veterans and active-duty service members
 * with PTSD who failed at least one antidepressant; 8 infusions; n = 158; mostly men, combat
 * trauma; PCL-5 primary, CAPS-5 secondary; no significant PTSD effect. */
static const ks_population_params veterans = {
    .preset = "veterans-treatment-resistant",
    .age_mean_y = 42.0, .age_sd_y = 10.0, .age_min_y = 18.0, .age_max_y = 75.0,
    .female_frac = 0.15,
    .weight_median_kg = 90.0, .weight_cv = 0.18, .weight_min_kg = 50.0, .weight_max_kg = 170.0,
    .caps5_mean = 40.0, .caps5_sd = 9.0, .caps5_min = 25.0,
    .madrs_mean = 26.0, .madrs_sd = 8.0, .comorbid_mdd_frac = 0.60,
    .combat_frac = 0.85,
    .years_since_trauma_median = 12.0, .years_since_trauma_cv = 0.6,
    .sbp_mean_mmHg = 128.0, .sbp_sd_mmHg = 13.0, .dbp_mean_mmHg = 82.0, .dbp_sd_mmHg = 9.0,
    .hypertension_frac = 0.25,
    .treatment_resistance = 0.8,
};

static const ks_population_params *const presets[] = {&civilian, &veterans};
static const char *const preset_names[] = {"civilian-chronic-ptsd", "veterans-treatment-resistant", NULL};

const char *const *ks_population_preset_names(void) { return preset_names; }

ks_status ks_population_preset(const char *name, ks_population_params *out) {
  for (size_t i = 0; i < KS_ARRAY_LEN(presets); i++)
    if (name && strcmp(name, presets[i]->preset) == 0) {
      *out = *presets[i];
      return KS_OK;
    }
  return KS_EINPUT;
}

#define CHECK(cond, ...) \
  do { if (!(cond)) return ks_ctx_fail(ctx, KS_EINPUT, __VA_ARGS__); } while (0)

ks_status ks_population_check(ks_ctx *ctx, const ks_population_params *p) {
  CHECK(p->age_min_y >= 18 && p->age_min_y < p->age_max_y && p->age_max_y <= 100,
        "population: ages %g-%g y are outside 18-100 or empty (expected 18 <= age_min < age_max <= 100)",
        p->age_min_y, p->age_max_y);
  CHECK(p->female_frac >= 0 && p->female_frac <= 1, "population: female_frac %g (expected 0 to 1)", p->female_frac);
  CHECK(p->comorbid_mdd_frac >= 0 && p->comorbid_mdd_frac <= 1, "population: comorbid_mdd_frac %g (expected 0 to 1)", p->comorbid_mdd_frac);
  CHECK(p->combat_frac >= 0 && p->combat_frac <= 1, "population: combat_frac %g (expected 0 to 1)", p->combat_frac);
  CHECK(p->hypertension_frac >= 0 && p->hypertension_frac <= 1, "population: hypertension_frac %g (expected 0 to 1)", p->hypertension_frac);
  CHECK(p->treatment_resistance >= 0 && p->treatment_resistance <= 1, "population: treatment_resistance %g (expected 0 to 1)", p->treatment_resistance);
  CHECK(p->weight_min_kg >= 30 && p->weight_max_kg <= 250 && p->weight_min_kg < p->weight_max_kg,
        "population: weights %g-%g kg (expected 30 <= weight_min < weight_max <= 250)", p->weight_min_kg, p->weight_max_kg);
  CHECK(p->weight_median_kg >= p->weight_min_kg && p->weight_median_kg <= p->weight_max_kg,
        "population: weight_median %g kg outside its bounds", p->weight_median_kg);
  CHECK(p->caps5_mean >= 0 && p->caps5_mean <= 80 && p->caps5_sd >= 0 && p->caps5_sd <= 40,
        "population: CAPS-5 mean %g SD %g (expected a mean in 0-80 and an SD in 0-40)", p->caps5_mean, p->caps5_sd);
  CHECK(p->caps5_min >= 0 && p->caps5_min <= 80, "population: caps5_min %g (expected 0 to 80)", p->caps5_min);
  CHECK(p->madrs_mean >= 0 && p->madrs_mean <= 60 && p->madrs_sd >= 0 && p->madrs_sd <= 30,
        "population: MADRS mean %g SD %g (expected a mean in 0-60 and an SD in 0-30)", p->madrs_mean, p->madrs_sd);
  CHECK(p->weight_cv >= 0 && p->weight_cv <= 1 && p->years_since_trauma_cv >= 0 && p->years_since_trauma_cv <= 3,
        "population: coefficients of variation out of range");
  CHECK(p->age_sd_y >= 0 && p->sbp_sd_mmHg >= 0 && p->dbp_sd_mmHg >= 0, "population: negative SD");
  return KS_OK;
}

/* Correlation between latent PTSD and depressive severity: PCL-5 with PHQ-9/BDI r ~ 0.6
 * (Blevins 2015, convergent validity); a documented assumption for MADRS. */
#define KS_PTSD_DEPRESSION_R 0.6

double ks__population_ptsd_depression_r(void) { return KS_PTSD_DEPRESSION_R; }

/* Hypertensive patients' blood pressure is 15/9 mmHg higher. */
void ks__population_bp_shift(int hypertension, double *sbp_mmHg, double *dbp_mmHg) {
  *sbp_mmHg = hypertension ? 15.0 : 0.0;
  *dbp_mmHg = 0.6 * *sbp_mmHg;
}

void ks_population_draw(const ks_population_params *p, uint64_t seed, uint64_t id, ks_patient *out) {
  ks_rng r;
  ks_rng_init(&r, seed, KS_STREAM_POPULATION, id, 0);
  memset(out, 0, sizeof *out);
  out->id = id;
  out->age_y = ks_rng_truncnormal(&r, p->age_mean_y, p->age_sd_y, p->age_min_y, p->age_max_y);
  out->female = ks_rng_bernoulli(&r, p->female_frac);
  /* Women weigh about 13% less than men (documented assumption); normalised so that the
   * population median stays at weight_median_kg. */
  double sex_factor = (out->female ? 0.87 : 1.0) / (1.0 - 0.13 * p->female_frac);
  double sw = sqrt(log1p(p->weight_cv * p->weight_cv));
  double w = p->weight_median_kg * sex_factor * exp(sw * ks_rng_normal(&r));
  out->weight_kg = KS_MIN(KS_MAX(w, p->weight_min_kg), p->weight_max_kg);
  double z1 = ks_rng_normal(&r), z2 = ks_rng_normal(&r);
  out->severity_z = z1;
  out->depression_z = KS_PTSD_DEPRESSION_R * z1 + sqrt(1.0 - KS_PTSD_DEPRESSION_R * KS_PTSD_DEPRESSION_R) * z2;
  out->caps5_true = KS_MIN(KS_MAX(p->caps5_mean + p->caps5_sd * z1, 0.0), 80.0);
  out->madrs_true = KS_MIN(KS_MAX(p->madrs_mean + p->madrs_sd * out->depression_z, 0.0), 60.0);
  /* Comorbid MDD is more likely with higher latent depression; E[tanh z] = 0 keeps the share. */
  out->comorbid_mdd = ks_rng_bernoulli(&r, p->comorbid_mdd_frac * (1.0 + 0.5 * tanh(out->depression_z)));
  out->combat = ks_rng_bernoulli(&r, p->combat_frac);
  double sy = sqrt(log1p(p->years_since_trauma_cv * p->years_since_trauma_cv));
  out->years_since_trauma = p->years_since_trauma_median * exp(sy * ks_rng_normal(&r));
  out->hypertension = ks_rng_bernoulli(&r, p->hypertension_frac);
  double dsbp, ddbp;
  ks__population_bp_shift(out->hypertension, &dsbp, &ddbp);
  out->sbp_mmHg = p->sbp_mean_mmHg + dsbp + p->sbp_sd_mmHg * ks_rng_normal(&r);
  out->dbp_mmHg = p->dbp_mean_mmHg + ddbp + p->dbp_sd_mmHg * ks_rng_normal(&r);
  out->treatment_resistance = p->treatment_resistance;
}
