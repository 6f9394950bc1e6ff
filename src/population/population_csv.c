/* SPDX-License-Identifier: MIT */
/* A population from a CSV of covariates: each row is one patient whose given covariates replace
 * the drawn ones; what a row does not give is drawn from the preset as usual, and the latent
 * severities are moved so that they agree with a given CAPS-5 or MADRS. */
#include "core/core_internal.h"
#include <ketasim/io.h>
#include <ketasim/population.h>
#include <ketasim/units.h>
#include "population_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The covariates a table can give, with their accepted column names and ranges. */
enum { T_AGE = 0, T_FEMALE, T_WEIGHT, T_CAPS5, T_MADRS, T_SBP, T_DBP, T_MDD, T_COMBAT, T_HTN,
       T_YEARS, T_N };
typedef struct tcol {
  const char *name, *alias;
  double lo, hi;
  int boolean;
} tcol;
static const tcol tcols[T_N] = {
    {"age_y", "AGE", 18, 100, 0},          {"female", "SEX", 0, 1, 1},
    {"weight_kg", "WT", 30, 250, 0},       {"caps5", "caps5_true", 0, 80, 0},
    {"madrs", "madrs_true", 0, 60, 0},     {"sbp_mmHg", "SBP", 60, 260, 0},
    {"dbp_mmHg", "DBP", 30, 160, 0},       {"comorbid_mdd", "MDD", 0, 1, 1},
    {"combat", NULL, 0, 1, 1},             {"hypertension", "HTN", 0, 1, 1},
    {"years_since_trauma", NULL, 0, 90, 0}};

struct ks_population_table {
  size_t n;
  double *v;  /* n x T_N; NAN: not given */
};

#define MAX_COLS 256

size_t ks_population_table_n(const ks_population_table *t) { return t ? t->n : 0; }

void ks_population_table_destroy(ks_ctx *ctx, ks_population_table **t) {
  if (!t || !*t) return;
  ks_free(ctx, (*t)->v);
  ks_free(ctx, *t);
  *t = NULL;
}

/* "# units: WT=lb": the only declaration a covariate table needs (other columns carry their
 * unit in their name). Returns the weight factor to kg, or NAN with an error recorded. */
static double weight_unit(ks_ctx *ctx, const char *path, int line, const char *text) {
  const char *p = strstr(text, "WT=");
  if (!p) p = strstr(text, "weight=");
  if (!p) return 1.0;
  p = strchr(p, '=') + 1;
  char unit[32], buf[48], err[160];
  size_t k = 0;
  while (p[k] && p[k] != ' ' && p[k] != '\t' && p[k] != '\n' && p[k] != '\r' && k < sizeof unit - 1) {
    unit[k] = p[k];
    k++;
  }
  unit[k] = '\0';
  snprintf(buf, sizeof buf, "1 %s", unit);
  double f = NAN;
  if (ks_units_parse(buf, KS_DIM_BODY_MASS, &f, err, sizeof err) != KS_OK) {
    ks_ctx_fail_input(ctx, path, line, (int)(p - text) + 1, "unit '%s' of WT: %s", unit, err);
    return NAN;
  }
  return f;
}

/* One value: empty or "." is not given; booleans also take M/F for SEX. */
static ks_status cell(ks_ctx *ctx, const char *path, int line, int col, int c, const char *s,
                      double wt_factor, double *out) {
  *out = NAN;
  if (!*s || !strcmp(s, ".")) return KS_OK;
  if (c == T_FEMALE && (!strcasecmp(s, "F") || !strcasecmp(s, "female"))) s = "1";
  if (c == T_FEMALE && (!strcasecmp(s, "M") || !strcasecmp(s, "male"))) s = "0";
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  if (!end || *end || errno == ERANGE || !isfinite(v))
    return ks_ctx_fail_input(ctx, path, line, col, "%s '%s' is not a number (expected a number, "
                             "or empty to draw it)", tcols[c].name, s);
  if (c == T_WEIGHT) v *= wt_factor;
  if (tcols[c].boolean && v != 0.0 && v != 1.0)
    return ks_ctx_fail_input(ctx, path, line, col, "%s %g (expected 0 or 1%s)", tcols[c].name, v,
                             c == T_FEMALE ? ", M or F" : "");
  if (!(v >= tcols[c].lo && v <= tcols[c].hi))
    return ks_ctx_fail_input(ctx, path, line, col, "%s %g is out of range (expected %g to %g)",
                             tcols[c].name, v, tcols[c].lo, tcols[c].hi);
  *out = v;
  return KS_OK;
}

/* Header row: the column of each covariate (-1 absent); at least one must be there. */
static ks_status header(ks_ctx *ctx, const char *path, int line, char *text, int *col_of) {
  char *f[MAX_COLS];
  int cols[MAX_COLS];
  size_t n = ks_csv_split(text, f, cols, MAX_COLS);
  if (n > MAX_COLS)
    return ks_ctx_fail_input(ctx, path, line, 1, "more than %d columns (expected fewer)", MAX_COLS);
  int any = 0;
  for (int c = 0; c < T_N; c++) col_of[c] = -1;
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < T_N; c++) {
      if (strcasecmp(f[i], tcols[c].name) && (!tcols[c].alias || strcasecmp(f[i], tcols[c].alias)))
        continue;
      if (col_of[c] >= 0)
        return ks_ctx_fail_input(ctx, path, line, cols[i], "column %s appears twice (expected "
                                 "each covariate once)", tcols[c].name);
      col_of[c] = (int)i;
      any = 1;
    }
  if (!any)
    return ks_ctx_fail_input(ctx, path, line, 1, "no covariate column (expected a header with "
                             "some of age_y, female, weight_kg, caps5, madrs, sbp_mmHg, dbp_mmHg, "
                             "comorbid_mdd, combat, hypertension, years_since_trauma)");
  return KS_OK;
}

static ks_status row(ks_ctx *ctx, const char *path, int line, char *text, const int *col_of,
                     double wt_factor, double *v) {
  char *f[MAX_COLS];
  int cols[MAX_COLS];
  size_t n = ks_csv_split(text, f, cols, MAX_COLS);
  if (n > MAX_COLS)
    return ks_ctx_fail_input(ctx, path, line, 1, "more than %d fields (expected fewer)", MAX_COLS);
  for (int c = 0; c < T_N; c++) {
    v[c] = NAN;
    if (col_of[c] < 0) continue;
    if ((size_t)col_of[c] >= n)
      return ks_ctx_fail_input(ctx, path, line, 0, "missing field for %s (expected as many fields "
                               "as the header)", tcols[c].name);
    KS_TRY(cell(ctx, path, line, cols[col_of[c]], c, f[col_of[c]], wt_factor, &v[c]));
  }
  return KS_OK;
}

ks_status ks_population_table_read(ks_ctx *ctx, const char *path, ks_population_table **out) {
  KS_CHECK_ARG(ctx, path && out);
  FILE *fp = fopen(path, "r");
  if (!fp) return ks_ctx_fail(ctx, KS_EINPUT, "%s: cannot open (%s)", path, strerror(errno));
  ks_population_table *t = ks_calloc(ctx, 1, sizeof *t);
  if (!t) {
    fclose(fp);
    return KS_ENOMEM;
  }
  char *buf = NULL;
  size_t cap = 0, cap_rows = 0;
  int line = 0, have_header = 0, col_of[T_N];
  double wt_factor = 1.0;
  ks_status st = KS_OK;
  while (st == KS_OK && getline(&buf, &cap, fp) >= 0) {
    line++;
    char *s = buf;
    while (*s == ' ' || *s == '\t') s++;
    if (*s == '\0' || *s == '\n' || *s == '\r') continue;
    if (*s == '#') {
      if (strstr(s, "units:") && isnan(wt_factor = weight_unit(ctx, path, line, buf))) st = KS_EINPUT;
      continue;
    }
    if (!have_header) {
      st = header(ctx, path, line, buf, col_of);
      have_header = 1;
      continue;
    }
    if (t->n == cap_rows) {
      size_t nc = cap_rows ? 2 * cap_rows : 64;
      double *nv = ks_realloc(ctx, t->v, nc * T_N * sizeof *nv);
      if (!nv) {
        st = KS_ENOMEM;
        break;
      }
      t->v = nv;
      cap_rows = nc;
    }
    st = row(ctx, path, line, buf, col_of, wt_factor, t->v + t->n * T_N);
    if (st == KS_OK) t->n++;
  }
  free(buf);
  fclose(fp);
  if (st == KS_OK && t->n == 0)
    st = ks_ctx_fail_input(ctx, path, line, 0, "no patients (expected a header row and one row "
                           "per patient)");
  if (st != KS_OK) {
    ks_population_table_destroy(ctx, &t);
    return st;
  }
  *out = t;
  return KS_OK;
}

void ks_population_table_patient(const ks_population_table *t, size_t i,
                                 const ks_population_params *p, uint64_t seed, uint64_t id,
                                 ks_patient *out) {
  ks_population_draw(p, seed, id, out);
  if (!t || i >= t->n) return;
  const double *v = t->v + i * T_N;
  if (!isnan(v[T_AGE])) out->age_y = v[T_AGE];
  if (!isnan(v[T_FEMALE])) out->female = (int)v[T_FEMALE];
  if (!isnan(v[T_WEIGHT])) out->weight_kg = v[T_WEIGHT];
  /* A given CAPS-5 fixes the latent PTSD severity; the depressive severity keeps its own
   * (independent) part and follows the new PTSD part, as in ks_population_draw. */
  if (!isnan(v[T_CAPS5])) {
    double r = ks__population_ptsd_depression_r();
    double own = out->depression_z - r * out->severity_z;
    out->caps5_true = v[T_CAPS5];
    out->severity_z = p->caps5_sd > 0.0 ? (v[T_CAPS5] - p->caps5_mean) / p->caps5_sd : 0.0;
    out->depression_z = r * out->severity_z + own;
    if (isnan(v[T_MADRS]))
      out->madrs_true = fmin(fmax(p->madrs_mean + p->madrs_sd * out->depression_z, 0.0), 60.0);
  }
  if (!isnan(v[T_MADRS])) {
    out->madrs_true = v[T_MADRS];
    out->depression_z = p->madrs_sd > 0.0 ? (v[T_MADRS] - p->madrs_mean) / p->madrs_sd : 0.0;
  }
  if (!isnan(v[T_HTN]) && (int)v[T_HTN] != out->hypertension) {
    /* Move the drawn blood pressure with the given hypertension status. */
    double s0, d0, s1, d1;
    ks__population_bp_shift(out->hypertension, &s0, &d0);
    ks__population_bp_shift((int)v[T_HTN], &s1, &d1);
    out->sbp_mmHg += s1 - s0;
    out->dbp_mmHg += d1 - d0;
    out->hypertension = (int)v[T_HTN];
  }
  if (!isnan(v[T_SBP])) out->sbp_mmHg = v[T_SBP];
  if (!isnan(v[T_DBP])) out->dbp_mmHg = v[T_DBP];
  if (!isnan(v[T_MDD])) out->comorbid_mdd = (int)v[T_MDD];
  if (!isnan(v[T_COMBAT])) out->combat = (int)v[T_COMBAT];
  if (!isnan(v[T_YEARS])) out->years_since_trauma = v[T_YEARS];
}
