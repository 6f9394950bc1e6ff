/* SPDX-License-Identifier: MIT */
/* The studied psychiatric dose range per drug and route: the one table every consumer reads
 * (the pk layer's own check, scenario checking, `ketasim pk`). Sources: docs/model/pk.md,
 * "Studied-range checks". */
#include <ketasim/pk.h>

/* Highest studied dose per kg (for doses written per body weight) and in mg (fixed doses). A
 * fixed-mg limit is the per-kg limit at a 70-kg reference adult unless the source doses in mg.
 * 0: the drug has no studied psychiatric use by that route. */
static const double studied_mg_per_kg[KS_DRUG_N][KS_ROUTE_N] = {
    /*               iv    im    in    oral  sl    rectal */
    /* ketamine   */ {1.0, 1.0, 1.0, 3.0, 1.0, 0.0},
    /* esketamine */ {0.4, 0.0, 1.2, 0.0, 0.0, 0.0},
    /* midazolam  */ {0.1, 0.1, 0.0, 0.3, 0.0, 0.0},
};
static const double studied_mg[KS_DRUG_N][KS_ROUTE_N] = {
    {70.0, 70.0, 100.0, 250.0, 70.0, 0.0},
    {28.0, 0.0, 84.0, 0.0, 0.0, 0.0},
    {7.0, 7.0, 0.0, 15.0, 0.0, 0.0},
};

int ks_pk_studied_dose_max(ks_drug d, ks_route r, double *max_mg_per_kg, double *max_mg) {
  if ((unsigned)d >= KS_DRUG_N || (unsigned)r >= KS_ROUTE_N) return 0;
  if (max_mg_per_kg) *max_mg_per_kg = studied_mg_per_kg[d][r];
  if (max_mg) *max_mg = studied_mg[d][r];
  return studied_mg[d][r] > 0.0;
}

int ks_pk_dose_studied(ks_drug d, ks_route r, double value, int per_kg) {
  double max_kg = 0.0, max_mg = 0.0;
  if (!ks_pk_studied_dose_max(d, r, &max_kg, &max_mg)) return 0;
  return !(value > (per_kg ? max_kg : max_mg));
}
