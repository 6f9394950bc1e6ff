/* SPDX-License-Identifier: MIT */
/* Quantities written with their units ("0.5 mg/kg", "84 mg", "40 min", "185 ng/mL", "0.78 uM"),
 * parsed once, checked for dimension and converted to each dimension's canonical unit.
 * The one parser used everywhere: scenario files and CLI flags alike. */
#ifndef KETASIM_UNITS_H
#define KETASIM_UNITS_H

#include <ketasim/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Dimensions, each with one canonical unit (in the comment). */
typedef enum {
  KS_DIM_NONE = 0,           /* dimensionless: "0.3", "30 %" (percent is divided by 100) */
  KS_DIM_MASS,               /* mg (drug amounts) */
  KS_DIM_MASS_PER_BODY_MASS, /* mg/kg */
  KS_DIM_TIME,               /* h */
  KS_DIM_VOLUME,             /* L */
  KS_DIM_MASS_CONC,          /* ng/mL (= ug/L) */
  KS_DIM_MOLAR_CONC,         /* uM */
  KS_DIM_BODY_MASS,          /* kg (body weight: "70 kg", "154 lb") */
  KS_DIM_PRESSURE,           /* mmHg */
  KS_DIM_RATE,               /* 1/h ("0.5 /h", "2 per day") */
  KS_DIM_CLEARANCE,          /* L/h */
  KS_DIM_N
} ks_dim;

/** Name of a dimension ("time") and its canonical unit ("h"). */
KS_API const char *ks_dim_name(ks_dim d);
KS_API const char *ks_dim_canonical_unit(ks_dim d);

/** Parse TEXT as a number followed by an optional space and a unit, and convert it to the
 *  canonical unit of its dimension. A bare number is KS_DIM_NONE.
 *  Mass and body mass share their units (mg, g, kg, ug, lb): the expected dimension decides which
 *  is meant; with KS_DIM_N as expected, "kg" and "lb" parse as KS_DIM_BODY_MASS.
 *  @param expected  the required dimension, or KS_DIM_N to accept any.
 *  @param[out] value_canonical  written only on success. @param[out] dim_out may be NULL.
 *  @param err  on failure, receives "what is wrong (what was expected)" (may be NULL).
 *  @return KS_OK or KS_EINPUT (not a number, not finite, unknown unit, wrong dimension). */
KS_API ks_status ks_units_parse_as(const char *text, ks_dim expected, double *value_canonical,
                                   ks_dim *dim_out, char *err, size_t errlen);

/** ks_units_parse_as() with a required dimension. */
KS_API ks_status ks_units_parse(const char *text, ks_dim expected, double *value_canonical,
                                char *err, size_t errlen);

/** Parse with any dimension. */
KS_API ks_status ks_units_parse_any(const char *text, ks_dim *dim, double *value_canonical,
                                    char *err, size_t errlen);

/** Write VALUE (canonical unit of DIM) as "VALUE UNIT" with %.10g; returns snprintf's count. */
KS_API int ks_units_format(char *buf, size_t n, double value, ks_dim dim);

/** Convert between a mass concentration (ng/mL) and a molar one (uM) with a molar mass (g/mol). */
KS_API double ks_units_ng_per_mL_to_uM(double c_ng_per_mL, double molar_mass_g_per_mol);
KS_API double ks_units_uM_to_ng_per_mL(double c_uM, double molar_mass_g_per_mol);

#ifdef __cplusplus
}
#endif
#endif
