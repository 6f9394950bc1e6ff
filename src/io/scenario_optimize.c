/* SPDX-License-Identifier: MIT */
/* The optimize block of a scenario (include/ketasim/scenario_optimize.h): checked by the loader
 * through a one-line hook, read again by ks_scenario_optimize_load for `ketasim optimize`. */
#include "scenario_optimize_internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const var_names[KS_OPT_VAR_N] = {"dose", "infusions", "spacing_days", "therapy_delay_days",
                                                     "maintenance_interval_days"};
static const char *const con_names[KS_OPT_CON_N] = {"cadss_mean", "cadss_p95", "sbp_peak_p95", "visits",
                                                     "total_drug"};
static const char *const endpoint_names[] = {"response", "remission", "change", "durability", "primary",
                                             "cadss_mean", "cadss_p95", "sbp_peak_p95"};
static const char *const algorithms[] = {"cobyla", "bobyqa", "global"};

const char *ks_optimize_var_name(ks_optimize_var v) { return (unsigned)v < KS_OPT_VAR_N ? var_names[v] : "?"; }
const char *ks_optimize_constraint_name(ks_optimize_constraint c) {
  return (unsigned)c < KS_OPT_CON_N ? con_names[c] : "?";
}

typedef struct {
  ks_ctx *ctx;
  const char *file;
} oparse;

static ks_status ofail(const oparse *P, const ynode *at, const char *fmt, ...) KS_PRINTF(3, 4);
static ks_status ofail(const oparse *P, const ynode *at, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return ks_ctx_fail_input(P->ctx, P->file, at ? at->line : 1, at ? at->col : 1, "%s", msg);
}

/* Fill vals[i] with the value of keys[i] in mapping Y; unknown or repeated keys are refused. */
static ks_status omap(const oparse *P, const ynode *y, const char *where, const char *const *keys, size_t nk,
                      const ynode **vals) {
  if (y->kind != YN_MAP) return ofail(P, y, "%s is not a mapping (expected keys such as %s: ...)", where, keys[0]);
  for (size_t i = 0; i < nk; i++) vals[i] = NULL;
  for (size_t p = 0; p < y->n; p++) {
    const ynode *k = y->items[2 * p];
    size_t hit = nk;
    for (size_t i = 0; k->kind == YN_SCALAR && i < nk; i++)
      if (!strcmp(k->text, keys[i])) hit = i;
    if (hit == nk) {
      char list[400] = "";
      for (size_t i = 0; i < nk; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", keys[i]);
      }
      return ofail(P, k, "%s: unknown key '%.40s' (expected one of: %s)", where,
                   k->kind == YN_SCALAR ? k->text : "?", list);
    }
    if (vals[hit]) return ofail(P, k, "%s.%s is given twice (expected each key once)", where, keys[hit]);
    vals[hit] = y->items[2 * p + 1];
  }
  return KS_OK;
}

/* A number, optionally followed by UNIT (when unit != NULL: "0.5 mg/kg"); *got_unit gets the
 * unit written ("" when none). */
static ks_status onum(const oparse *P, const ynode *y, const char *where, double lo, double hi, double *v,
                      char *got_unit, size_t n_unit) {
  if (!y || y->kind != YN_SCALAR || !y->len)
    return ofail(P, y, "%s is not a number (expected a number from %g to %g)", where, lo, hi);
  char *end = NULL;
  errno = 0;
  double x = strtod(y->text, &end);
  while (end && *end == ' ') end++;
  if (got_unit) snprintf(got_unit, n_unit, "%s", end ? end : "");
  if (end == y->text || errno || !isfinite(x) || (!got_unit && *end))
    return ofail(P, y, "%s is '%.40s' (expected a number from %g to %g)", where, y->text, lo, hi);
  if (x < lo || x > hi) return ofail(P, y, "%s is %g (expected a number from %g to %g)", where, x, lo, hi);
  *v = x;
  return KS_OK;
}

static ks_status oint(const oparse *P, const ynode *y, const char *where, long lo, long hi, long *v) {
  double x = 0;
  KS_TRY(onum(P, y, where, (double)lo, (double)hi, &x, NULL, 0));
  if (x != floor(x)) return ofail(P, y, "%s is %g (expected a whole number from %ld to %ld)", where, x, lo, hi);
  *v = (long)x;
  return KS_OK;
}

static ks_status oenum(const oparse *P, const ynode *y, const char *where, const char *const *names, size_t n,
                       int *out) {
  for (size_t i = 0; y && y->kind == YN_SCALAR && i < n; i++)
    if (!strcmp(y->text, names[i])) {
      *out = (int)i;
      return KS_OK;
    }
  char list[200] = "";
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(list);
    snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", names[i]);
  }
  return ofail(P, y, "%s is '%.40s' (expected one of: %s)", where, y && y->kind == YN_SCALAR ? y->text : "?", list);
}

static ks_status parse_objective(const oparse *P, const ynode *y, const char *where, ks_optimize_objective *o) {
  static const char *const keys[] = {"endpoint", "day", "scale", "goal"};
  const ynode *v[4];
  KS_TRY(omap(P, y, where, keys, 4, v));
  char w[96];
  snprintf(w, sizeof w, "%s.endpoint", where);
  if (!v[0]) return ofail(P, y, "%s has no endpoint (expected endpoint: response, remission, change, durability, primary, cadss_mean, cadss_p95 or sbp_peak_p95)", where);
  int e = 0;
  KS_TRY(oenum(P, v[0], w, endpoint_names, KS_ARRAY_LEN(endpoint_names), &e));
  snprintf(o->endpoint, sizeof o->endpoint, "%s", endpoint_names[e]);
  o->present = 1;
  o->day = 0;
  if (v[1]) {
    long d = 0;
    snprintf(w, sizeof w, "%s.day", where);
    KS_TRY(oint(P, v[1], w, 0, KS_SCENARIO_MAX_DAY, &d));
    o->day = (int)d;
  }
  if (v[2]) {
    int s = v[2]->kind == YN_SCALAR ? ks_scen_scale_parse(v[2]->text) : -1;
    if (s < 0) return ofail(P, v[2], "%s.scale is not a symptom scale (expected caps5, pcl5, iesr, madrs or cadss)", where);
    o->scale_set = 1;
    o->scale = (ks_scen_scale)s;
  }
  static const char *const goals[] = {"minimize", "maximize"};
  int g = !strcmp(o->endpoint, "response") || !strcmp(o->endpoint, "remission") || !strcmp(o->endpoint, "durability");
  if (v[3]) {
    snprintf(w, sizeof w, "%s.goal", where);
    KS_TRY(oenum(P, v[3], w, goals, 2, &g));
  }
  o->maximize = g;
  return KS_OK;
}

static ks_status parse_variables(const oparse *P, const ynode *y, const ks_scenario *sc, ks_optimize_spec *s) {
  const ynode *v[KS_OPT_VAR_N];
  KS_TRY(omap(P, y, "optimize.variables", var_names, KS_OPT_VAR_N, v));
  int any = 0;
  const ks_scen_arm *arm = &sc->arms[s->arm];
  for (int i = 0; i < KS_OPT_VAR_N; i++) {
    if (!v[i]) continue;
    char w[96];
    snprintf(w, sizeof w, "optimize.variables.%s", var_names[i]);
    if (v[i]->kind != YN_SEQ || v[i]->n != 2)
      return ofail(P, v[i], "%s is not a range (expected [low, high], such as %s)", w,
                   i == KS_OPT_DOSE ? "[0.2 mg/kg, 0.5 mg/kg]" : "[1, 6]");
    double b[2];
    for (int e = 0; e < 2; e++) {
      if (i == KS_OPT_DOSE) {
        char unit[16];
        KS_TRY(onum(P, v[i]->items[e], w, 0.0, 1e4, &b[e], unit, sizeof unit));
        const char *want = arm->n_regimen && arm->regimen[0].per_kg ? "mg/kg" : "mg";
        if (*unit && strcmp(unit, want))
          return ofail(P, v[i]->items[e], "%s is in '%s' (expected %s, the unit of the arm's dose)", w, unit, want);
        if (!(b[e] > 0)) return ofail(P, v[i]->items[e], "%s is %g (expected a dose above 0)", w, b[e]);
      } else {
        long x = 0;
        long lo = i == KS_OPT_THERAPY_DELAY_DAYS ? 0 : 1;
        KS_TRY(oint(P, v[i]->items[e], w, lo, i == KS_OPT_INFUSIONS ? 100 : KS_SCENARIO_MAX_DAY, &x));
        b[e] = (double)x;
      }
    }
    if (b[0] > b[1]) return ofail(P, v[i], "%s is [%g, %g] (expected low <= high)", w, b[0], b[1]);
    if (i == KS_OPT_THERAPY_DELAY_DAYS && !arm->n_therapy)
      return ofail(P, v[i], "%s is set but arm '%s' has no therapy (expected therapy sessions in that arm to move)", w, arm->name);
    if (!arm->n_regimen)
      return ofail(P, v[i], "%s is set but arm '%s' has no regimen (expected an arm with doses)", w, arm->name);
    s->var_set[i] = 1, s->low[i] = b[0], s->high[i] = b[1], any = 1;
  }
  if (!any) return ofail(P, y, "optimize.variables is empty (expected at least one of dose, infusions, spacing_days, "
                               "therapy_delay_days, maintenance_interval_days)");
  return KS_OK;
}

ks_status ks__scenario_optimize_parse(ks_ctx *ctx, const char *file, const ynode *y, const ks_scenario *sc,
                                      ks_optimize_spec *out) {
  static const char *const keys[] = {"arm", "objective", "second_objective", "pareto_points", "variables",
                                     "maintenance_until_day", "constraints", "algorithm", "evaluations"};
  enum { ARM, OBJ, OBJ2, PARETO, VARS, MUNTIL, CONS, ALG, EVALS, NK };
  oparse P = {ctx, file};
  const ynode *v[NK];
  ks_optimize_spec s;
  memset(&s, 0, sizeof s);
  KS_TRY(omap(&P, y, "optimize", keys, NK, v));
  s.present = 1;
  if (v[ARM]) {
    int found = -1;
    for (size_t a = 0; v[ARM]->kind == YN_SCALAR && a < sc->n_arms; a++)
      if (!strcmp(sc->arms[a].name, v[ARM]->text)) found = (int)a;
    if (found < 0) return ofail(&P, v[ARM], "optimize.arm is not an arm of this scenario (expected one of the arms' names)");
    s.arm = found;
  }
  if (!v[OBJ]) return ofail(&P, y, "optimize has no objective (expected objective: {endpoint: response, day: 14})");
  KS_TRY(parse_objective(&P, v[OBJ], "optimize.objective", &s.objective));
  if (v[OBJ2]) KS_TRY(parse_objective(&P, v[OBJ2], "optimize.second_objective", &s.objective2));
  s.pareto_points = 5;
  if (v[PARETO]) KS_TRY(oint(&P, v[PARETO], "optimize.pareto_points", 2, 50, &s.pareto_points));
  if (!v[VARS]) return ofail(&P, y, "optimize has no variables (expected variables: {dose: [0.2 mg/kg, 0.5 mg/kg]})");
  KS_TRY(parse_variables(&P, v[VARS], sc, &s));
  if (s.var_set[KS_OPT_MAINTENANCE_INTERVAL_DAYS]) {
    long d = 0;
    if (!v[MUNTIL]) return ofail(&P, v[VARS], "optimize.variables.maintenance_interval_days needs maintenance_until_day (expected the last day of maintenance, such as 56)");
    KS_TRY(oint(&P, v[MUNTIL], "optimize.maintenance_until_day", 1, KS_SCENARIO_MAX_DAY, &d));
    s.maintenance_until_day = (int)d;
  } else if (v[MUNTIL]) {
    return ofail(&P, v[MUNTIL], "optimize.maintenance_until_day is set without variables.maintenance_interval_days (expected both or neither)");
  }
  if (v[CONS]) {
    const ynode *c[KS_OPT_CON_N];
    KS_TRY(omap(&P, v[CONS], "optimize.constraints", con_names, KS_OPT_CON_N, c));
    for (int i = 0; i < KS_OPT_CON_N; i++) {
      if (!c[i]) continue;
      char w[64];
      snprintf(w, sizeof w, "optimize.constraints.%s", con_names[i]);
      KS_TRY(onum(&P, c[i], w, 0.0, 1e6, &s.con_max[i], NULL, 0));
      s.con_set[i] = 1;
    }
  }
  int alg = 0;
  if (v[ALG]) KS_TRY(oenum(&P, v[ALG], "optimize.algorithm", algorithms, KS_ARRAY_LEN(algorithms), &alg));
  snprintf(s.algorithm, sizeof s.algorithm, "%s", algorithms[alg]);
  s.evaluations = 20;
  if (v[EVALS]) KS_TRY(oint(&P, v[EVALS], "optimize.evaluations", 1, 100000, &s.evaluations));
  if (out) *out = s;
  return KS_OK;
}

ks_status ks_scenario_optimize_load(ks_ctx *ctx, const char *path, const ks_scenario *sc, ks_optimize_spec *out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, path && sc && out);
  memset(out, 0, sizeof *out);
  FILE *fp = fopen(path, "rb");
  if (!fp) return ks_ctx_fail_input(ctx, path, 0, 0, "cannot open the file: %s (expected a readable scenario file)", strerror(errno));
  char *buf = ks_malloc(ctx, KS_SCENARIO_MAX_FILE_BYTES + 1);
  size_t len = buf ? fread(buf, 1, KS_SCENARIO_MAX_FILE_BYTES + 1, fp) : 0;
  fclose(fp);
  if (!buf) return KS_ENOMEM;
  if (len > KS_SCENARIO_MAX_FILE_BYTES) {
    ks_free(ctx, buf);
    return ks_ctx_fail_input(ctx, path, 0, 0, "the file is above the 4 MiB limit for a scenario (expected a smaller file)");
  }
  yarena arena = {.ctx = ctx, .head = NULL};
  ynode *root = NULL;
  ks_status st = ks__yaml_parse(ctx, &arena, path, buf, len, &root);
  for (size_t p = 0; st == KS_OK && root && root->kind == YN_MAP && p < root->n; p++) {
    const ynode *k = root->items[2 * p];
    if (k->kind == YN_SCALAR && !strcmp(k->text, "optimize"))
      st = ks__scenario_optimize_parse(ctx, path, root->items[2 * p + 1], sc, out);
  }
  ks__yarena_free(&arena);
  ks_free(ctx, buf);
  return st;
}
