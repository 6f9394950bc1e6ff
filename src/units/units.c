/* SPDX-License-Identifier: MIT */
/* The unit parser: a table of unit spellings with their dimension and factor to canonical. */
#include "core/core_internal.h"
#include <ketasim/units.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
  const char *spelling;  /* compared case-sensitively first, then case-insensitively */
  ks_dim dim;
  double to_canonical;
} unit_def;

/* Mass units appear twice: as drug amount (mg) and as body mass (kg). */
static const unit_def units[] = {
    {"mg", KS_DIM_MASS, 1.0}, {"g", KS_DIM_MASS, 1e3}, {"ug", KS_DIM_MASS, 1e-3},
    {"µg", KS_DIM_MASS, 1e-3}, {"mcg", KS_DIM_MASS, 1e-3}, {"kg", KS_DIM_MASS, 1e6},
    {"kg", KS_DIM_BODY_MASS, 1.0}, {"g", KS_DIM_BODY_MASS, 1e-3}, {"lb", KS_DIM_BODY_MASS, 0.45359237},
    {"mg/kg", KS_DIM_MASS_PER_BODY_MASS, 1.0}, {"ug/kg", KS_DIM_MASS_PER_BODY_MASS, 1e-3},
    {"µg/kg", KS_DIM_MASS_PER_BODY_MASS, 1e-3}, {"mcg/kg", KS_DIM_MASS_PER_BODY_MASS, 1e-3},
    {"h", KS_DIM_TIME, 1.0}, {"hr", KS_DIM_TIME, 1.0}, {"hrs", KS_DIM_TIME, 1.0},
    {"hour", KS_DIM_TIME, 1.0}, {"hours", KS_DIM_TIME, 1.0},
    {"min", KS_DIM_TIME, 1.0 / 60.0}, {"mins", KS_DIM_TIME, 1.0 / 60.0},
    {"minute", KS_DIM_TIME, 1.0 / 60.0}, {"minutes", KS_DIM_TIME, 1.0 / 60.0},
    {"s", KS_DIM_TIME, 1.0 / 3600.0}, {"sec", KS_DIM_TIME, 1.0 / 3600.0},
    {"ms", KS_DIM_TIME, 1.0 / 3.6e6},
    {"d", KS_DIM_TIME, 24.0}, {"day", KS_DIM_TIME, 24.0}, {"days", KS_DIM_TIME, 24.0},
    {"wk", KS_DIM_TIME, 168.0}, {"week", KS_DIM_TIME, 168.0}, {"weeks", KS_DIM_TIME, 168.0},
    {"L", KS_DIM_VOLUME, 1.0}, {"mL", KS_DIM_VOLUME, 1e-3},
    {"ng/mL", KS_DIM_MASS_CONC, 1.0}, {"ug/L", KS_DIM_MASS_CONC, 1.0}, {"mg/L", KS_DIM_MASS_CONC, 1e3},
    {"ug/mL", KS_DIM_MASS_CONC, 1e3}, {"ng/L", KS_DIM_MASS_CONC, 1e-3},
    {"uM", KS_DIM_MOLAR_CONC, 1.0}, {"µM", KS_DIM_MOLAR_CONC, 1.0}, {"nM", KS_DIM_MOLAR_CONC, 1e-3},
    {"mM", KS_DIM_MOLAR_CONC, 1e3}, {"umol/L", KS_DIM_MOLAR_CONC, 1.0},
    {"mmHg", KS_DIM_PRESSURE, 1.0}, {"kPa", KS_DIM_PRESSURE, 7.500616827},
    {"/h", KS_DIM_RATE, 1.0}, {"1/h", KS_DIM_RATE, 1.0}, {"per h", KS_DIM_RATE, 1.0},
    {"/min", KS_DIM_RATE, 60.0}, {"1/min", KS_DIM_RATE, 60.0}, {"/d", KS_DIM_RATE, 1.0 / 24.0},
    {"/day", KS_DIM_RATE, 1.0 / 24.0}, {"per day", KS_DIM_RATE, 1.0 / 24.0},
    {"/week", KS_DIM_RATE, 1.0 / 168.0}, {"per week", KS_DIM_RATE, 1.0 / 168.0},
    {"Hz", KS_DIM_RATE, 3600.0},
    {"L/h", KS_DIM_CLEARANCE, 1.0}, {"L/min", KS_DIM_CLEARANCE, 60.0}, {"mL/min", KS_DIM_CLEARANCE, 0.06},
    {"%", KS_DIM_NONE, 0.01},
};

static const char *const dim_names[KS_DIM_N] = {
    "dimensionless", "mass", "dose per body mass", "time", "volume", "mass concentration",
    "molar concentration", "body mass", "pressure", "rate", "clearance"};
static const char *const dim_units[KS_DIM_N] = {"", "mg", "mg/kg", "h", "L", "ng/mL", "uM", "kg",
                                                "mmHg", "/h", "L/h"};
static const char *const dim_examples[KS_DIM_N] = {
    "a number such as 0.3 or 30 %", "a mass such as 84 mg", "a dose such as 0.5 mg/kg",
    "a time such as 40 min, 2 h or 14 d", "a volume such as 5 L", "a concentration such as 185 ng/mL",
    "a concentration such as 0.78 uM", "a body mass such as 70 kg", "a pressure such as 120 mmHg",
    "a rate such as 2 /day", "a clearance such as 79 L/h"};

const char *ks_dim_name(ks_dim d) { return (unsigned)d < KS_DIM_N ? dim_names[d] : "unknown"; }
const char *ks_dim_canonical_unit(ks_dim d) { return (unsigned)d < KS_DIM_N ? dim_units[d] : "?"; }

static void set_err(char *err, size_t n, const char *fmt, const char *a, const char *b) {
  if (err && n) snprintf(err, n, fmt, a, b);
}

/* Find a unit spelling; exact case first (mM vs uM matter), then case-insensitive. When the
 * same spelling has several dimensions, prefer EXPECTED. */
static const unit_def *find_unit(const char *u, ks_dim expected) {
  const unit_def *hit = NULL;
  for (int pass = 0; pass < 2 && !hit; pass++) {
    for (size_t i = 0; i < KS_ARRAY_LEN(units); i++) {
      int eq = pass == 0 ? strcmp(units[i].spelling, u) == 0 : strcasecmp(units[i].spelling, u) == 0;
      if (!eq) continue;
      if (units[i].dim == expected) return &units[i];
      if (!hit) hit = &units[i];
    }
  }
  /* With no expectation, "kg" alone is a body mass. */
  if (hit && expected == KS_DIM_N && hit->dim == KS_DIM_MASS)
    for (size_t i = 0; i < KS_ARRAY_LEN(units); i++)
      if (units[i].dim == KS_DIM_BODY_MASS && strcmp(units[i].spelling, hit->spelling) == 0 &&
          strcmp(hit->spelling, "kg") == 0)
        return &units[i];
  return hit;
}

ks_status ks_units_parse_as(const char *text, ks_dim expected, double *value_canonical, ks_dim *dim_out,
                            char *err, size_t errlen) {
  const char *want = (unsigned)expected < KS_DIM_N ? dim_examples[expected] : "a number with a unit";
  if (!text) {
    set_err(err, errlen, "missing value (expected %s)%s", want, "");
    return KS_EINPUT;
  }
  const char *p = text;
  while (isspace((unsigned char)*p)) p++;
  if (!*p) {
    set_err(err, errlen, "empty value (expected %s)%s", want, "");
    return KS_EINPUT;
  }
  /* Only plain decimal numbers: strtod would also take "nan", "inf" and hex. */
  const char *q = p;
  if (*q == '+' || *q == '-') q++;
  if (!isdigit((unsigned char)*q) && !(*q == '.' && isdigit((unsigned char)q[1]))) {
    set_err(err, errlen, "'%s' is not a number (expected %s)", text, want);
    return KS_EINPUT;
  }
  errno = 0;
  char *end = NULL;
  double v = strtod(p, &end);
  if (end == p || errno == ERANGE || !isfinite(v)) {
    set_err(err, errlen, "'%s' is not a finite number (expected %s)", text, want);
    return KS_EINPUT;
  }
  while (isspace((unsigned char)*end)) end++;
  char unit[32];
  size_t ul = strlen(end);
  while (ul && isspace((unsigned char)end[ul - 1])) ul--;
  if (ul >= sizeof unit) {
    set_err(err, errlen, "unknown unit in '%s' (expected %s)", text, want);
    return KS_EINPUT;
  }
  memcpy(unit, end, ul);
  unit[ul] = '\0';
  ks_dim dim = KS_DIM_NONE;
  double f = 1.0;
  if (ul) {
    const unit_def *u = find_unit(unit, expected);
    if (!u) {
      set_err(err, errlen, "unknown unit '%s' (expected %s)", unit, want);
      return KS_EINPUT;
    }
    dim = u->dim;
    f = u->to_canonical;
  }
  if (expected != KS_DIM_N && dim != expected) {
    if (err && errlen) {
      if (ul)
        snprintf(err, errlen, "'%s' is a %s, not a %s (expected %s)", text, dim_names[dim],
                 dim_names[expected], want);
      else
        snprintf(err, errlen, "'%s' has no unit (expected %s)", text, want);
    }
    return KS_EINPUT;
  }
  double out = v * f;
  if (!isfinite(out)) {
    set_err(err, errlen, "'%s' is out of range (expected %s)", text, want);
    return KS_EINPUT;
  }
  *value_canonical = out;
  if (dim_out) *dim_out = dim;
  return KS_OK;
}

ks_status ks_units_parse(const char *text, ks_dim expected, double *value_canonical, char *err,
                         size_t errlen) {
  return ks_units_parse_as(text, expected, value_canonical, NULL, err, errlen);
}

ks_status ks_units_parse_any(const char *text, ks_dim *dim, double *value_canonical, char *err,
                             size_t errlen) {
  return ks_units_parse_as(text, KS_DIM_N, value_canonical, dim, err, errlen);
}

int ks_units_format(char *buf, size_t n, double value, ks_dim dim) {
  const char *u = ks_dim_canonical_unit(dim);
  return *u ? snprintf(buf, n, "%.10g %s", value, u) : snprintf(buf, n, "%.10g", value);
}

double ks_units_ng_per_mL_to_uM(double c, double mw) { return c / mw; }
double ks_units_uM_to_ng_per_mL(double c, double mw) { return c * mw; }
