/* SPDX-License-Identifier: MIT */
/* Scenario loading: the schema of docs/scenario.md, applied to the YAML tree, with one error
 * message per kind of mistake, each pointing at the offending node. Keep this file and the doc in
 * step: every key, type, default and limit here has a row there. */
#include "scenario_internal.h"
#include "scenario_optimize_internal.h"

#include <ketasim/pk.h>

#include <ketasim/units.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct loader {
  ks_ctx *ctx;
  const char *file;
  ks_scenario *sc;
} loader;

/* ---- messages ------------------------------------------------------------------------------- */

static ks_status fail(loader *L, const ynode *at, const char *fmt, ...) KS_PRINTF(3, 4);
static ks_status fail(loader *L, const ynode *at, const char *fmt, ...) {
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return ks_ctx_fail_input(L->ctx, L->file, at ? at->line : 1, at ? at->col : 1, "%s", msg);
}

/* "a mapping", "a list", "the text 'abc'": what a node is, for type errors. */
static const char *describe(const ynode *y, char *buf, size_t n) {
  if (y->kind == YN_MAP) return "a mapping";
  if (y->kind == YN_SEQ) return "a list";
  if (!y->quoted && (y->len == 0 || !strcmp(y->text, "~") || !strcasecmp(y->text, "null")))
    return "empty";
  snprintf(buf, n, "'%.40s%s'", y->text, y->len > 40 ? "..." : "");
  return buf;
}

static int is_null(const ynode *y) {
  return !y || (y->kind == YN_SCALAR && !y->quoted &&
                (y->len == 0 || !strcmp(y->text, "~") || !strcasecmp(y->text, "null")));
}

/* PATH + "." + KEY (or "[i]") into out. */
static void join(char *out, size_t n, const char *path, const char *key) {
  size_t lp = path ? strlen(path) : 0, lk = strlen(key), o = 0;
  int dot = lp > 0 && key[0] != '[';
  if (n == 0) return;
  for (size_t i = 0; i < lp && o + 1 < n; i++) out[o++] = path[i];
  if (dot && o + 1 < n) out[o++] = '.';
  for (size_t i = 0; i < lk && o + 1 < n; i++) out[o++] = key[i];
  out[o] = '\0';
}

/* ---- mappings ------------------------------------------------------------------------------- */

/* Check that Y is a mapping whose keys are all in KEYS (no duplicates) and fill vals[i] with the
 * value of keys[i] (NULL when absent). WHERE names the mapping in messages ("" = top level). */
static ks_status map_fields(loader *L, const ynode *y, const char *where, const char *const *keys,
                            size_t n_keys, const ynode **vals) {
  char d[64];
  if (y->kind != YN_MAP)
    return fail(L, y, "%s%s%s is %s (expected a mapping of keys such as %s: ...)", *where ? "" : "the file",
                where, *where ? "" : "", describe(y, d, sizeof d), keys[0]);
  for (size_t i = 0; i < n_keys; i++) vals[i] = NULL;
  for (size_t p = 0; p < y->n; p++) {
    const ynode *k = y->items[2 * p], *v = y->items[2 * p + 1];
    if (k->kind != YN_SCALAR)
      return fail(L, k, "%s%sa key is %s (expected a plain name such as %s)", where, *where ? ": " : "",
                  describe(k, d, sizeof d), keys[0]);
    size_t hit = n_keys;
    for (size_t i = 0; i < n_keys; i++)
      if (strcmp(k->text, keys[i]) == 0) hit = i;
    if (hit == n_keys) {
      const char *best = NULL;
      size_t bd = 99;
      for (size_t i = 0; i < n_keys; i++) {
        size_t dist = ks_edit_distance(k->text, keys[i]);
        if (dist < bd) bd = dist, best = keys[i];
      }
      size_t kl = strlen(k->text);
      if (best && bd <= (kl <= 4 ? 1u : kl <= 8 ? 2u : 3u))
        return fail(L, k, "%s%sunknown key '%.40s' (did you mean '%s'?)", where, *where ? ": " : "", k->text, best);
      char list[512] = "";
      for (size_t i = 0; i < n_keys; i++) {
        size_t ll = strlen(list);
        snprintf(list + ll, sizeof list - ll, "%s%s", i ? ", " : "", keys[i]);
      }
      return fail(L, k, "%s%sunknown key '%.40s' (expected one of: %s)", where, *where ? ": " : "", k->text, list);
    }
    if (vals[hit]) {
      char path[160];
      join(path, sizeof path, where, keys[hit]);
      return fail(L, k, "%s is given twice (expected each key once)", path);
    }
    /* A key written with nothing after it ("name:") counts as present but empty. */
    vals[hit] = v;
  }
  return KS_OK;
}

/* The value of KEY in mapping Y, or NULL. */
static const ynode *map_get(const ynode *y, const char *key) {
  if (!y || y->kind != YN_MAP) return NULL;
  for (size_t p = 0; p < y->n; p++)
    if (y->items[2 * p]->kind == YN_SCALAR && strcmp(y->items[2 * p]->text, key) == 0) return y->items[2 * p + 1];
  return NULL;
}

static ks_status missing(loader *L, const ynode *map, const char *where, const char *key, const char *expect) {
  if (*where) return fail(L, map, "%s: missing required key '%s' (expected %s)", where, key, expect);
  return fail(L, map, "missing required key '%s' (expected %s)", key, expect);
}

/* ---- scalars -------------------------------------------------------------------------------- */

static ks_status need_scalar(loader *L, const ynode *y, const char *path, const char *expect) {
  char d[64];
  if (is_null(y)) return fail(L, y, "%s is empty (expected %s)", path, expect);
  if (y->kind != YN_SCALAR) return fail(L, y, "%s is %s (expected %s)", path, describe(y, d, sizeof d), expect);
  return KS_OK;
}

static int looks_nonfinite(const char *t) {
  const char *p = t;
  if (*p == '+' || *p == '-') p++;
  return !strcasecmp(p, ".nan") || !strcasecmp(p, ".inf") || !strcasecmp(p, "nan") ||
         !strcasecmp(p, "inf") || !strcasecmp(p, "infinity");
}

/* A plain decimal number: digits with an optional sign, fraction and exponent. */
static int parse_number(const char *t, double *out) {
  const char *p = t;
  if (*p == '+' || *p == '-') p++;
  if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1]))) return 0;
  errno = 0;
  char *end = NULL;
  double v = strtod(t, &end);
  if (end == t || *end != '\0' || errno == ERANGE || !isfinite(v)) return 0;
  *out = v;
  return 1;
}

static ks_status get_int(loader *L, const ynode *y, const char *path, long lo, long hi, long *out) {
  char expect[128];
  snprintf(expect, sizeof expect, "a whole number from %ld to %ld", lo, hi);
  KS_TRY(need_scalar(L, y, path, expect));
  if (y->quoted) return fail(L, y, "%s is the text '%.40s' (expected %s, without quotes)", path, y->text, expect);
  if (looks_nonfinite(y->text)) return fail(L, y, "%s is %s, not a finite number (expected %s)", path, y->text, expect);
  const char *p = y->text;
  if (*p == '+' || *p == '-') p++;
  int digits = *p != '\0';
  for (const char *q = p; *q; q++)
    if (!isdigit((unsigned char)*q)) digits = 0;
  double v;
  if (!digits) {
    if (parse_number(y->text, &v))
      return fail(L, y, "%s is %s, not a whole number (expected %s)", path, y->text, expect);
    return fail(L, y, "%s is '%.40s', not a number (expected %s)", path, y->text, expect);
  }
  errno = 0;
  long long x = strtoll(y->text, NULL, 10);
  if (errno == ERANGE || x < lo || x > hi)
    return fail(L, y, "%s is %.40s, out of range (expected %s)", path, y->text, expect);
  *out = (long)x;
  return KS_OK;
}

/* A finite number in [lo, hi] (or (lo, hi] when lo_open). */
static ks_status get_num(loader *L, const ynode *y, const char *path, double lo, int lo_open, double hi,
                         double *out) {
  char expect[128];
  snprintf(expect, sizeof expect, "a number %s %g and at most %g", lo_open ? "above" : "of at least", lo, hi);
  KS_TRY(need_scalar(L, y, path, expect));
  if (y->quoted) return fail(L, y, "%s is the text '%.40s' (expected %s, without quotes)", path, y->text, expect);
  if (looks_nonfinite(y->text)) return fail(L, y, "%s is %s, not a finite number (expected %s)", path, y->text, expect);
  double v;
  if (!parse_number(y->text, &v)) return fail(L, y, "%s is '%.40s', not a number (expected %s)", path, y->text, expect);
  if (v < lo || (lo_open && v == lo) || v > hi)
    return fail(L, y, "%s is %s, out of range (expected %s)", path, y->text, expect);
  *out = v;
  return KS_OK;
}

static ks_status get_bool(loader *L, const ynode *y, const char *path, int *out) {
  KS_TRY(need_scalar(L, y, path, "true or false"));
  if (!y->quoted && !strcmp(y->text, "true")) return *out = 1, KS_OK;
  if (!y->quoted && !strcmp(y->text, "false")) return *out = 0, KS_OK;
  return fail(L, y, "%s is '%.40s' (expected true or false)", path, y->text);
}

/* One of NAMES (case-insensitive), with a suggestion for a near miss. */
static ks_status get_enum(loader *L, const ynode *y, const char *path, const char *what,
                          const char *const *names, size_t n, int *out) {
  char list[256] = "";
  for (size_t i = 0; i < n; i++) {
    size_t ll = strlen(list);
    snprintf(list + ll, sizeof list - ll, "%s%s", i ? (i + 1 == n ? " or " : ", ") : "", names[i]);
  }
  KS_TRY(need_scalar(L, y, path, list));
  const char *best = NULL;
  size_t bd = 99;
  for (size_t i = 0; i < n; i++) {
    if (strcasecmp(y->text, names[i]) == 0) return *out = (int)i, KS_OK;
    size_t dist = ks_edit_distance(y->text, names[i]);
    if (dist < bd) bd = dist, best = names[i];
  }
  if (best && bd <= 2)
    return fail(L, y, "%s: unknown %s '%.40s' (did you mean '%s'?)", path, what, y->text, best);
  return fail(L, y, "%s: unknown %s '%.40s' (expected %s)", path, what, y->text, list);
}

/* A name: 1..63 characters of letters, digits, space and . _ - + ( ). */
static ks_status get_name(loader *L, const ynode *y, const char *path, char *out, size_t cap) {
  const char *expect = "a name of up to 63 letters, digits, spaces or . _ - + ( )";
  KS_TRY(need_scalar(L, y, path, expect));
  if (y->len >= cap) return fail(L, y, "%s is %zu characters long (expected %s)", path, y->len, expect);
  if (y->len == 0) return fail(L, y, "%s is empty (expected %s)", path, expect);
  for (size_t i = 0; i < y->len; i++) {
    unsigned char c = (unsigned char)y->text[i];
    if (!(isalnum(c) || strchr(" ._-+()", c)))
      return fail(L, y, "%s contains the character '%c' (expected %s)", path, isprint(c) ? c : '?', expect);
  }
  if (y->text[0] == ' ' || y->text[y->len - 1] == ' ')
    return fail(L, y, "%s starts or ends with a space (expected %s)", path, expect);
  memcpy(out, y->text, y->len + 1);
  return KS_OK;
}

/* A quantity of dimension DIM, via the one units parser. */
static ks_status get_qty(loader *L, const ynode *y, const char *path, ks_dim dim, double *out) {
  char err[256];
  KS_TRY(need_scalar(L, y, path, "a value with a unit"));
  if (ks_units_parse(y->text, dim, out, err, sizeof err) != KS_OK) return fail(L, y, "%s: %s", path, err);
  return KS_OK;
}

/* A time given as a bare number of UNIT_WORD (UNIT_H hours each) or as a quantity with a time unit. */
static ks_status get_time_or_number(loader *L, const ynode *y, const char *path, double unit_h, double *out_h) {
  double v;
  KS_TRY(need_scalar(L, y, path, "a time such as 90 min"));
  if (!y->quoted && parse_number(y->text, &v)) return *out_h = v * unit_h, KS_OK;
  return get_qty(L, y, path, KS_DIM_TIME, out_h);
}

/* ---- lists of days -------------------------------------------------------------------------- */

static ks_status get_days(loader *L, const ynode *y, const char *path, int lo, int hi, int **out, size_t *n_out) {
  char d[64];
  if (y->kind != YN_SEQ)
    return fail(L, y, "%s is %s (expected a list of days such as [1, 3, 5])", path, describe(y, d, sizeof d));
  if (y->n == 0) return fail(L, y, "%s is an empty list (expected at least one day)", path);
  if (y->n > (size_t)(hi - lo + 1))
    return fail(L, y, "%s lists %zu days (expected at most %d distinct days from %d to %d)", path, y->n,
                hi - lo + 1, lo, hi);
  int *days = ks_calloc(L->ctx, y->n, sizeof *days);
  if (!days) return KS_ENOMEM;
  for (size_t i = 0; i < y->n; i++) {
    char p[192], idx[24];
    snprintf(idx, sizeof idx, "[%zu]", i);
    join(p, sizeof p, path, idx);
    long v;
    ks_status st = get_int(L, y->items[i], p, lo, hi, &v);
    if (st == KS_OK && i > 0 && v == days[i - 1])
      st = fail(L, y->items[i], "%s: day %ld appears twice (expected each day once)", path, v);
    if (st == KS_OK && i > 0 && v < days[i - 1])
      st = fail(L, y->items[i], "%s: day %ld comes after day %d (expected days in ascending order)", path, v, days[i - 1]);
    if (st != KS_OK) {
      ks_free(L->ctx, days);
      return st;
    }
    days[i] = (int)v;
  }
  *out = days;
  *n_out = y->n;
  return KS_OK;
}

/* The day of infusion K (1-based; -1: the last) in every arm that has doses; they must agree
 * because visits are shared by all arms. */
static ks_status infusion_day(loader *L, const ynode *at, const char *path, int k, int *day_out) {
  const ks_scenario *sc = L->sc;
  int day = -1;
  size_t from_arm = 0;
  for (size_t a = 0; a < sc->n_arms; a++) {
    int days[KS_SCENARIO_MAX_DAY + 1];
    size_t n = ks_scenario_arm_dose_days(sc, a, days, KS_ARRAY_LEN(days));
    if (n == 0) continue;
    if (k > 0 && (size_t)k > n)
      return fail(L, at, "%s: infusion %d does not exist, arm '%s' has %zu infusion%s (expected after_infusion from 1 to "
                  "%zu, or last)", path, k, sc->arms[a].name, n, n == 1 ? "" : "s", n);
    int d = days[k > 0 ? (size_t)k - 1 : n - 1];
    if (day >= 0 && d != day) {
      char which[24];
      if (k > 0) snprintf(which, sizeof which, "infusion %d", k);
      else snprintf(which, sizeof which, "the last infusion");
      return fail(L, at, "%s: %s is on day %d in arm '%s' but on day %d in arm '%s' (expected it on the same day in "
                  "every arm, or a visit given as a study day)", path, which, day, sc->arms[from_arm].name, d,
                  sc->arms[a].name);
    }
    if (day < 0) day = d, from_arm = a;
  }
  if (day < 0) return fail(L, at, "%s: no arm has infusions (expected a visit given as a study day)", path);
  *day_out = day;
  return KS_OK;
}

/* "24 h after infusion 4", "day 1 after the last infusion": *k (or -1 for last), *days_form and
 * the amount (hours or days). Returns 0 when TEXT is not of this form. */
static int parse_relative_visit(const char *text, int *k, int *days_form, double *amount) {
  const char *after = strstr(text, " after ");
  if (!after) return 0;
  char left[64];
  size_t ll = (size_t)(after - text);
  if (ll == 0 || ll >= sizeof left) return 0;
  memcpy(left, text, ll);
  left[ll] = '\0';
  const char *right = after + 7;
  if (!strncmp(right, "the ", 4)) right += 4;
  int kk = 0, used = 0;
  if (!strcmp(right, "last infusion")) kk = -1;
  else if (!strcmp(right, "first infusion")) kk = 1;
  else if (sscanf(right, "infusion %d%n", &kk, &used) != 1 || right[used] != '\0' || kk < 1) return 0;
  double v;
  if (!strncmp(left, "day ", 4) && parse_number(left + 4, &v)) {
    *days_form = 1;
    *amount = v;
  } else if (ks_units_parse(left, KS_DIM_TIME, &v, NULL, 0) == KS_OK) {
    *days_form = 0;
    *amount = v;
  } else {
    return 0;
  }
  *k = kk;
  return 1;
}

/* A visit relative to an infusion, from the mapping {after_infusion: K|last, hours|minutes|days: X}
 * or the text form; resolved into a day or a time after the first dose. */
static ks_status get_relative_visit(loader *L, const ynode *y, const char *path, ks_scen_visit *out) {
  int k = 0, days_form = 0;
  double amount = 0;
  char p[160];
  const ynode *num = y;
  if (y->kind == YN_MAP) {
    const ynode *v[4];
    KS_TRY(map_fields(L, y, path, (const char *const[]){"after_infusion", "hours", "minutes", "days"}, 4, v));
    if (!v[0]) return missing(L, y, path, "after_infusion", "the infusion, such as after_infusion: 4 or last");
    if ((v[1] != NULL) + (v[2] != NULL) + (v[3] != NULL) != 1)
      return fail(L, y, "%s: give one of hours, minutes or days after the infusion (expected e.g. {after_infusion: 4, "
                  "hours: 24})", path);
    join(p, sizeof p, path, "after_infusion");
    if (v[0]->kind == YN_SCALAR && !v[0]->quoted && !strcasecmp(v[0]->text, "last")) {
      k = -1;
    } else {
      long kl;
      KS_TRY(get_int(L, v[0], p, 1, KS_SCENARIO_MAX_DAY, &kl));
      k = (int)kl;
    }
    num = v[1] ? v[1] : v[2] ? v[2] : v[3];
    join(p, sizeof p, path, v[1] ? "hours" : v[2] ? "minutes" : "days");
    if (v[3]) {
      long d;
      KS_TRY(get_int(L, v[3], p, 0, KS_SCENARIO_MAX_DAY, &d));
      days_form = 1, amount = (double)d;
    } else {
      KS_TRY(get_num(L, num, p, 0, 1, 24.0 * KS_SCENARIO_MAX_DAY * (v[2] ? 60.0 : 1.0), &amount));
      if (v[2]) amount /= 60.0;
    }
  } else if (!parse_relative_visit(y->text, &k, &days_form, &amount)) {
    return fail(L, y, "%s: cannot read '%.60s' as a visit (expected a study day, a time such as 24 h, or "
                "\"24 h after infusion 4\" / \"day 1 after the last infusion\")", path, y->text);
  } else if (days_form ? (amount < 0 || amount != floor(amount)) : !(amount > 0)) {
    return fail(L, y, "%s: '%.60s' (expected %s)", path, y->text,
                days_form ? "a whole number of days, 0 or more" : "a time above 0 after the infusion");
  }
  int day;
  KS_TRY(infusion_day(L, y, path, k, &day));
  int first = ks_scenario_first_dose_day(L->sc);
  out->after_infusion = k;
  out->after_days = days_form;
  out->after_value = amount;
  if (days_form) {
    out->by_time = 0;
    out->value = day + amount;
  } else {
    out->by_time = 1;
    out->value = 24.0 * (day - first) + amount;
  }
  if (out->value > (days_form ? KS_SCENARIO_MAX_DAY : 24.0 * KS_SCENARIO_MAX_DAY))
    return fail(L, num, "%s is beyond day %d (expected a visit within the study)", path, KS_SCENARIO_MAX_DAY);
  return KS_OK;
}

/* A visit: a study day (whole number), a time after the first dose ("24 h"), or a visit relative
 * to an infusion. */
static ks_status get_visit(loader *L, const ynode *y, const char *path, ks_scen_visit *out) {
  const char *expect = "a study day from 0 to 3650, a time after the first dose such as 24 h, or "
                       "{after_infusion: 4, hours: 24}";
  memset(out, 0, sizeof *out);
  if (y && y->kind == YN_MAP) return get_relative_visit(L, y, path, out);
  KS_TRY(need_scalar(L, y, path, expect));
  double v;
  if (!y->quoted && parse_number(y->text, &v)) {
    long day;
    KS_TRY(get_int(L, y, path, 0, KS_SCENARIO_MAX_DAY, &day));
    out->by_time = 0;
    out->value = (double)day;
    return KS_OK;
  }
  if (!y->quoted && looks_nonfinite(y->text)) return fail(L, y, "%s is %s, not a finite number (expected %s)", path, y->text, expect);
  if (strstr(y->text, " after ")) return get_relative_visit(L, y, path, out);
  double h;
  char err[256];
  if (ks_units_parse(y->text, KS_DIM_TIME, &h, err, sizeof err) != KS_OK) return fail(L, y, "%s: %s", path, err);
  if (h <= 0.0 || h > 24.0 * KS_SCENARIO_MAX_DAY)
    return fail(L, y, "%s is %s, out of range (expected a time after the first dose above 0 and at most 3650 d)", path, y->text);
  out->by_time = 1;
  out->value = h;
  return KS_OK;
}

/* ---- sections ------------------------------------------------------------------------------- */

/* The presets, then their short names (civilians, veterans). */
static const char *const preset_list[] = {"civilian-chronic-ptsd", "veterans-treatment-resistant",
                                          "treatment-resistant-depression", "civilians", "veterans"};


/* `SCALE: ">= X"` or `"<= X"` under population.inclusion (X within the scale). */
static ks_status load_inclusion_criterion(loader *L, const ynode *y, const char *key, ks_scen_scale s,
                                          int has_caps5_min) {
  char path[64];
  snprintf(path, sizeof path, "population.inclusion.%s", key);
  double mx = ks_scen_scale_max(s);
  char expect[96];
  snprintf(expect, sizeof expect, "a criterion such as \">= 33\" or \"<= 60\", with a score from 0 to %g", mx);
  KS_TRY(need_scalar(L, y, path, expect));
  const char *t = y->text;
  while (*t == ' ') t++;
  int ge = 0;
  if (!strncmp(t, ">=", 2)) ge = 1;
  else if (strncmp(t, "<=", 2)) return fail(L, y, "%s is '%.40s' (expected %s)", path, y->text, expect);
  t += 2;
  while (*t == ' ') t++;
  double x;
  if (!parse_number(t, &x)) return fail(L, y, "%s is '%.40s', not a score threshold (expected %s)", path, y->text, expect);
  if (x < 0.0 || x > mx)
    return fail(L, y, "%s: %s can never be met, %s scores run from 0 to %g (expected a threshold within the scale)",
                path, y->text, ks_scen_scale_name(s), mx);
  ks_scen_population *p = &L->sc->population;
  if (s == KS_SCALE_CAPS5 && ge) {
    if (has_caps5_min)
      return fail(L, y, "%s: caps5_min is given as well (expected one of caps5_min or caps5: \">= X\")", path);
    p->caps5_min_set = 1;
    p->caps5_min = x;
    return KS_OK;
  }
  if (ge) p->incl_min_set[s] = 1, p->incl_min[s] = x;
  else p->incl_max_set[s] = 1, p->incl_max[s] = x;
  if (p->incl_min_set[s] && p->incl_max_set[s] && p->incl_max[s] < p->incl_min[s])
    return fail(L, y, "%s: no score is both >= %g and <= %g (expected a range that can be met)", path, p->incl_min[s],
                p->incl_max[s]);
  return KS_OK;
}

/* population.baseline: {caps5: {mean, sd}, madrs: {mean, sd}}. */
static ks_status load_baseline_targets(loader *L, const ynode *y) {
  static const char *const keys[] = {"caps5", "madrs"};
  static const ks_scen_scale sc_of[] = {KS_SCALE_CAPS5, KS_SCALE_MADRS};
  const ynode *v[2];
  KS_TRY(map_fields(L, y, "population.baseline", keys, 2, v));
  for (int k = 0; k < 2; k++) {
    if (!v[k]) continue;
    char path[64], p[96];
    snprintf(path, sizeof path, "population.baseline.%s", keys[k]);
    const ynode *mv[2];
    KS_TRY(map_fields(L, v[k], path, (const char *const[]){"mean", "sd"}, 2, mv));
    if (!mv[0]) return missing(L, v[k], path, "mean", "the enrolled patients' mean, such as mean: 41.5");
    if (!mv[1]) return missing(L, v[k], path, "sd", "the enrolled patients' SD, such as sd: 6.5");
    ks_scen_population *pp = &L->sc->population;
    ks_scen_scale s = sc_of[k];
    join(p, sizeof p, path, "mean");
    KS_TRY(get_num(L, mv[0], p, 0, 1, ks_scen_scale_max(s), &pp->baseline_mean[s]));
    join(p, sizeof p, path, "sd");
    KS_TRY(get_num(L, mv[1], p, 0, 1, 40, &pp->baseline_sd[s]));
    pp->baseline_set[s] = 1;
  }
  return KS_OK;
}

static ks_status load_population(loader *L, const ynode *y) {
  static const char *const keys[] = {"n", "preset", "caps5_mean", "caps5_sd", "age_mean", "age_sd",
                                     "weight_mean", "weight_sd", "female_fraction", "depression_fraction",
                                     "hypertension_fraction", "inclusion", "baseline"};
  enum { N, PRESET, CAPS_M, CAPS_SD, AGE_M, AGE_SD, W_M, W_SD, FEM, DEP, HTN, INCL, BASE, NK };
  const ynode *v[NK];
  ks_scen_population *p = &L->sc->population;
  KS_TRY(map_fields(L, y, "population", keys, NK, v));
  if (!v[N]) return missing(L, y, "population", "n", "the number of patients, such as n: 30");
  KS_TRY(get_int(L, v[N], "population.n", 1, KS_SCENARIO_MAX_PATIENTS, &p->n));
  int preset = 0;
  if (v[PRESET]) KS_TRY(get_enum(L, v[PRESET], "population.preset", "preset", preset_list, KS_ARRAY_LEN(preset_list), &preset));
  p->preset = (ks_scen_preset)(preset == 3 ? KS_PRESET_CIVILIAN_CHRONIC_PTSD
                               : preset == 4 ? KS_PRESET_VETERANS_TREATMENT_RESISTANT : preset);
  if (v[CAPS_M]) {
    KS_TRY(get_num(L, v[CAPS_M], "population.caps5_mean", 0, 1, 80, &p->caps5_mean));
    p->caps5_mean_set = 1;
  }
  if (v[CAPS_SD]) {
    KS_TRY(get_num(L, v[CAPS_SD], "population.caps5_sd", 0, 1, 40, &p->caps5_sd));
    p->caps5_sd_set = 1;
  }
  if (v[AGE_M]) {
    KS_TRY(get_num(L, v[AGE_M], "population.age_mean", 18, 0, 100, &p->age_mean_y));
    p->age_mean_set = 1;
  }
  if (v[AGE_SD]) {
    KS_TRY(get_num(L, v[AGE_SD], "population.age_sd", 0, 1, 40, &p->age_sd_y));
    p->age_sd_set = 1;
  }
  if (v[W_M]) {
    KS_TRY(get_qty(L, v[W_M], "population.weight_mean", KS_DIM_BODY_MASS, &p->weight_mean_kg));
    if (p->weight_mean_kg < 30.0 || p->weight_mean_kg > 250.0)
      return fail(L, v[W_M], "population.weight_mean is %s, out of range (expected 30 kg to 250 kg)", v[W_M]->text);
    p->weight_mean_set = 1;
  }
  if (v[W_SD]) {
    KS_TRY(get_qty(L, v[W_SD], "population.weight_sd", KS_DIM_BODY_MASS, &p->weight_sd_kg));
    if (p->weight_sd_kg <= 0.0 || p->weight_sd_kg > 60.0)
      return fail(L, v[W_SD], "population.weight_sd is %s, out of range (expected above 0 kg and at most 60 kg)", v[W_SD]->text);
    p->weight_sd_set = 1;
  }
  if (v[FEM]) {
    KS_TRY(get_num(L, v[FEM], "population.female_fraction", 0, 0, 1, &p->female_fraction));
    p->female_fraction_set = 1;
  }
  if (v[DEP]) {
    KS_TRY(get_num(L, v[DEP], "population.depression_fraction", 0, 0, 1, &p->depression_fraction));
    p->depression_fraction_set = 1;
  }
  if (v[HTN]) {
    KS_TRY(get_num(L, v[HTN], "population.hypertension_fraction", 0, 0, 1, &p->hypertension_fraction));
    p->hypertension_fraction_set = 1;
  }
  if (v[INCL]) {
    static const char *const ik[] = {"caps5_min", "age_min", "age_max", "caps5", "pcl5", "madrs"};
    const ynode *iv[6];
    KS_TRY(map_fields(L, v[INCL], "population.inclusion", ik, 6, iv));
    static const ks_scen_scale iscale[3] = {KS_SCALE_CAPS5, KS_SCALE_PCL5, KS_SCALE_MADRS};
    for (int k = 0; k < 3; k++)
      if (iv[3 + k]) KS_TRY(load_inclusion_criterion(L, iv[3 + k], ik[3 + k], iscale[k], iv[0] != NULL));
    if (iv[0]) {
    KS_TRY(get_num(L, iv[0], "population.inclusion.caps5_min", 0, 0, 80, &p->caps5_min));
    p->caps5_min_set = 1;
  }
    if (iv[1]) {
    KS_TRY(get_num(L, iv[1], "population.inclusion.age_min", 18, 0, 100, &p->age_min_y));
    p->age_min_set = 1;
  }
    if (iv[2]) {
    KS_TRY(get_num(L, iv[2], "population.inclusion.age_max", 18, 0, 100, &p->age_max_y));
    p->age_max_set = 1;
  }
    if (p->age_min_set && p->age_max_set && p->age_max_y < p->age_min_y)
      return fail(L, iv[2], "population.inclusion.age_max %g is below age_min %g (expected age_max >= age_min)",
                  p->age_max_y, p->age_min_y);
  }
  if (v[BASE]) {
    if (v[CAPS_M] || v[CAPS_SD]) {
      const ynode *o = v[CAPS_M] ? v[CAPS_M] : v[CAPS_SD];
      return fail(L, o, "population: both %s and baseline are given (expected one of the two: baseline sets the "
                  "enrolled patients' mean and SD)", v[CAPS_M] ? "caps5_mean" : "caps5_sd");
    }
    KS_TRY(load_baseline_targets(L, v[BASE]));
  }
  return KS_OK;
}

static const char *const knockout_list[] = {"none", "mtorc1", "ampa", "bdnf"};

/* Expand every/from/until into days. */
static ks_status expand_every(loader *L, const ynode *every, const ynode *from, const ynode *until,
                              const char *path, int **out, size_t *n_out) {
  char p[192];
  double every_h;
  join(p, sizeof p, path, "every");
  KS_TRY(get_time_or_number(L, every, p, 24.0, &every_h));
  double every_d = every_h / 24.0;
  if (every_d < 1.0 || every_d > KS_SCENARIO_MAX_DAY || every_d != floor(every_d))
    return fail(L, every, "%s is %s (expected a whole number of days from 1 d to 3650 d, such as 7 d)", p, every->text);
  long first = 1, last;
  if (from) {
    join(p, sizeof p, path, "from");
    KS_TRY(get_int(L, from, p, 1, KS_SCENARIO_MAX_DAY, &first));
  }
  join(p, sizeof p, path, "until");
  KS_TRY(get_int(L, until, p, 1, KS_SCENARIO_MAX_DAY, &last));
  if (last < first) return fail(L, until, "%s is day %ld, before the first day %ld (expected until >= from)", p, last, first);
  size_t n = (size_t)((last - first) / (long)every_d) + 1;
  int *days = ks_calloc(L->ctx, n, sizeof *days);
  if (!days) return KS_ENOMEM;
  for (size_t i = 0; i < n; i++) days[i] = (int)(first + (long)i * (long)every_d);
  *out = days;
  *n_out = n;
  return KS_OK;
}

/* pk_model: a PK parameter set of the pk layer that can simulate this drug by this route (y may be
 * NULL: the drug's default set), and the same set for a drug everywhere in the scenario (a
 * patient's PK is one sim per drug); at is where a conflict is reported. */
static ks_status load_pk_model(loader *L, const ynode *y, const ynode *at, const char *path, ks_scen_dose *d) {
  int pd = ks_drug_parse(ks_scen_drug_name(d->drug)), pr = ks_route_parse(ks_scen_route_name(d->route));
  char p[192];
  join(p, sizeof p, path, "pk_model");
  const char *m = ks_pk_model_default((ks_drug)pd);
  if (y) {
    const char *names[8];
    size_t n = 0;
    for (; n < ks_pk_model_count() && n < 8; n++) names[n] = ks_pk_model_name(n);
    int im = 0;
    KS_TRY(get_enum(L, y, p, "PK model", names, n, &im));
    m = names[im];
    if (!ks_pk_model_supports(m, (ks_drug)pd, (ks_route)pr))
      return fail(L, y, "%s: model %s cannot simulate %s by the %s route (expected the default, %s)", p, m,
                  ks_scen_drug_name(d->drug), ks_scen_route_name(d->route), ks_pk_model_default((ks_drug)pd));
    snprintf(d->pk_model, sizeof d->pk_model, "%s", m);
  }
  for (size_t a = 0; a < L->sc->n_arms; a++)
    for (size_t k = 0; k < L->sc->arms[a].n_regimen; k++) {
      const ks_scen_dose *o = &L->sc->arms[a].regimen[k];
      if (o == d || o->drug != d->drug) continue;
      const char *om = o->pk_model[0] ? o->pk_model : ks_pk_model_default((ks_drug)pd);
      if (strcmp(om, m) != 0)
        return fail(L, at, "%s is %s%s, but arm %s.regimen[%zu] gives %s with %s (expected one PK model per drug)",
                    p, m, y ? "" : " (the default)", L->sc->arms[a].name, k, ks_scen_drug_name(d->drug), om);
    }
  return KS_OK;
}

/* Days of a weekly pattern: PER_WEEK doses in each of WEEKS weeks from day FROM, on the week's
 * days of per_week_offsets (docs/scenario.md). */
static const int per_week_offsets[8][7] = {
    {0}, {0}, {0, 3}, {0, 2, 4}, {0, 1, 3, 4}, {0, 1, 2, 3, 4}, {0, 1, 2, 3, 4, 5}, {0, 1, 2, 3, 4, 5, 6}};

static ks_status days_alloc(loader *L, size_t n, int **out) {
  *out = ks_calloc(L->ctx, n ? n : 1, sizeof **out);
  return *out ? KS_OK : KS_ENOMEM;
}

/* The schedule forms of a regimen entry: {per_week, weeks}, "N per week for W weeks",
 * esketamine-label. FROM is the first day. */
static ks_status expand_schedule(loader *L, const ynode *y, const char *path, long from, int **out, size_t *n_out) {
  char p[192];
  join(p, sizeof p, path, "schedule");
  const char *expect = "{per_week: 3, weeks: 2}, \"3 per week for 2 weeks\" or esketamine-label";
  long per_week = 0, weeks = 0;
  if (y->kind == YN_MAP) {
    const ynode *v[2];
    KS_TRY(map_fields(L, y, p, (const char *const[]){"per_week", "weeks"}, 2, v));
    if (!v[0]) return missing(L, y, p, "per_week", "doses per week, such as per_week: 2");
    if (!v[1]) return missing(L, y, p, "weeks", "the number of weeks, such as weeks: 4");
    char q[224];
    join(q, sizeof q, p, "per_week");
    KS_TRY(get_int(L, v[0], q, 1, 7, &per_week));
    join(q, sizeof q, p, "weeks");
    KS_TRY(get_int(L, v[1], q, 1, 520, &weeks));
  } else {
    KS_TRY(need_scalar(L, y, p, expect));
    if (!strcasecmp(y->text, "esketamine-label")) {
      /* Spravato label: twice weekly in weeks 1-4 (days 0 and 3 of the week), weekly in weeks 5-8. */
      KS_TRY(days_alloc(L, 12, out));
      size_t n = 0;
      for (int w = 0; w < 8; w++) {
        (*out)[n++] = (int)from + 7 * w;
        if (w < 4) (*out)[n++] = (int)from + 7 * w + 3;
      }
      *n_out = n;
      return KS_OK;
    }
    char word[16] = "";
    int a = 0, b = 0, used = 0;
    if (sscanf(y->text, "%d per week for %d week%n", &a, &b, &used) == 2 ||
        sscanf(y->text, "%d times per week for %d week%n", &a, &b, &used) == 2) {
      per_week = a, weeks = b;
    } else if (sscanf(y->text, "%15s weekly for %d week%n", word, &b, &used) == 2) {
      per_week = !strcasecmp(word, "once") ? 1 : !strcasecmp(word, "twice") ? 2 : !strcasecmp(word, "thrice") ? 3 : 0;
      weeks = b;
    } else if (sscanf(y->text, "weekly for %d week%n", &b, &used) == 1) {
      per_week = 1, weeks = b;
    }
    if (used == 0 || (y->text[used] != '\0' && strcmp(y->text + used, "s") != 0) || per_week < 1 || per_week > 7 ||
        weeks < 1 || weeks > 520)
      return fail(L, y, "%s: cannot read '%.60s' as a schedule (expected %s)", p, y->text, expect);
  }
  size_t n = (size_t)(per_week * weeks);
  KS_TRY(days_alloc(L, n, out));
  for (long w = 0, k = 0; w < weeks; w++)
    for (long i = 0; i < per_week; i++) (*out)[k++] = (int)(from + 7 * w + per_week_offsets[per_week][i]);
  *n_out = n;
  return KS_OK;
}

/* maintenance: {every: 2 weeks, until: 180}: more doses after the last of DAYS. */
static ks_status add_maintenance(loader *L, const ynode *y, const char *path, int **days, size_t *n_days) {
  char p[192], q[224];
  join(p, sizeof p, path, "maintenance");
  const ynode *v[2];
  KS_TRY(map_fields(L, y, p, (const char *const[]){"every", "until"}, 2, v));
  if (!v[0]) return missing(L, y, p, "every", "an interval such as every: 2 weeks");
  if (!v[1]) return missing(L, y, p, "until", "the last day, such as until: 180");
  double every_h;
  join(q, sizeof q, p, "every");
  KS_TRY(get_time_or_number(L, v[0], q, 24.0, &every_h));
  double every_d = every_h / 24.0;
  if (every_d < 1.0 || every_d > KS_SCENARIO_MAX_DAY || every_d != floor(every_d))
    return fail(L, v[0], "%s is %s (expected a whole number of days or weeks, such as 2 weeks)", q, v[0]->text);
  long until;
  join(q, sizeof q, p, "until");
  KS_TRY(get_int(L, v[1], q, 1, KS_SCENARIO_MAX_DAY, &until));
  int last = (*days)[*n_days - 1];
  if (until < last + (long)every_d)
    return fail(L, v[1], "%s is day %ld, before the first maintenance dose on day %ld (expected a later day)", q, until,
                last + (long)every_d);
  size_t extra = (size_t)((until - last) / (long)every_d);
  int *nd = ks_realloc(L->ctx, *days, (*n_days + extra) * sizeof *nd);
  if (!nd) return KS_ENOMEM;
  for (size_t i = 0; i < extra; i++) nd[*n_days + i] = last + (int)((long)(i + 1) * (long)every_d);
  *days = nd;
  *n_days += extra;
  return KS_OK;
}

/* Recognisability of each drug by its acute effects (functional unblinding; docs/model/design.md). */
static double default_recognisability(ks_scen_drug d) {
  switch (d) {
    case KS_SCEN_KETAMINE:
    case KS_SCEN_ESKETAMINE: return 0.9;
    case KS_SCEN_MIDAZOLAM: return 0.5;
    case KS_SCEN_ACTIVE_PLACEBO: return 0.3;
    default: return 0.05;
  }
}

/* dose: mg/kg or mg, positive, finite, within the studied range unless allowed. */
static ks_status load_dose_amount(loader *L, const ynode *y, const char *p, ks_scen_dose *d) {
  const char *dexp = "a dose such as 0.5 mg/kg or 84 mg";
  KS_TRY(need_scalar(L, y, p, dexp));
  ks_dim dim;
  double val;
  char err[256];
  if (ks_units_parse_any(y->text, &dim, &val, err, sizeof err) != KS_OK) {
    /* Re-word the units parser's message against what a dose expects. */
    if (ks_units_parse(y->text, KS_DIM_MASS_PER_BODY_MASS, &val, err, sizeof err) != KS_OK)
      return fail(L, y, "%s: %s", p, err);
  }
  if (dim == KS_DIM_BODY_MASS) { /* "84 kg" parses as a body mass first: as a dose it is a mass. */
    if (ks_units_parse(y->text, KS_DIM_MASS, &val, err, sizeof err) != KS_OK) return fail(L, y, "%s: %s", p, err);
    dim = KS_DIM_MASS;
  }
  if (dim == KS_DIM_NONE) return fail(L, y, "%s '%s' has no unit (expected %s)", p, y->text, dexp);
  if (dim != KS_DIM_MASS && dim != KS_DIM_MASS_PER_BODY_MASS)
    return fail(L, y, "%s '%s' is a %s, not a dose (expected %s)", p, y->text, ks_dim_name(dim), dexp);
  d->per_kg = dim == KS_DIM_MASS_PER_BODY_MASS;
  d->dose = val;
  const char *unit = d->per_kg ? "mg/kg" : "mg";
  if (val == 0.0)
    return fail(L, y, "%s is %s, not a positive dose (expected a dose above 0 %s; for an inert placebo write "
                "drug: saline)", p, y->text, unit);
  if (!(val > 0.0)) return fail(L, y, "%s is %s, not a positive dose (expected a dose above 0 %s)", p, y->text, unit);
  double max_kg, max_mg;
  int studied = ks_scen_studied_max(d->drug, d->route, &max_kg, &max_mg);
  double lim = d->per_kg ? max_kg : max_mg;
  if (d->per_kg ? val > 20.0 : val > 2000.0)
    return fail(L, y, "%s is %s, above any clinical use (expected at most %s)", p, y->text, d->per_kg ? "20 mg/kg" : "2000 mg");
  if (!L->sc->allow_unstudied_doses) {
    if (!studied)
      return fail(L, y, "%s: %s by the %s route has no studied psychiatric dose (expected another route, "
                  "or allow_unstudied_doses: true)", p, ks_scen_drug_name(d->drug), ks_scen_route_name(d->route));
    if (val > lim)
      return fail(L, y, "%s is %s, above the studied range of %s %s (expected at most %g %s, or "
                  "allow_unstudied_doses: true)", p, y->text, ks_scen_route_name(d->route),
                  ks_scen_drug_name(d->drug), lim, unit);
  }
  return KS_OK;
}

/* infusion: IV only; default 40 min (the infusion of the psychiatric trials); `bolus` for a bolus. */
static ks_status load_infusion(loader *L, const ynode *y, const char *path, ks_scen_dose *d) {
  char p[192];
  join(p, sizeof p, path, "infusion");
  if (d->route != KS_SCEN_IV) {
    if (y) return fail(L, y, "%s is given for route %s (expected no infusion: only route iv is infused)", p,
                       ks_scen_route_name(d->route));
    return KS_OK;
  }
  d->infusion_h = 40.0 / 60.0;
  if (!y) return KS_OK;
  if (y->kind == YN_SCALAR && !y->quoted && !strcasecmp(y->text, "bolus")) {
    d->infusion_h = 0.0;
    return KS_OK;
  }
  KS_TRY(get_qty(L, y, p, KS_DIM_TIME, &d->infusion_h));
  if (d->infusion_h == 0.0)
    return fail(L, y, "%s is %s, not an infusion (expected a duration above 0; for a bolus write infusion: bolus)",
                p, y->text);
  if (d->infusion_h < 0.0 || d->infusion_h > 24.0)
    return fail(L, y, "%s is %s, out of range (expected above 0 min and at most 24 h, or bolus)", p, y->text);
  return KS_OK;
}

static ks_status load_dose(loader *L, const ynode *y, const char *path, ks_scen_dose *d, int day_hi) {
  static const char *const keys[] = {"drug", "route", "dose", "infusion", "days", "every", "from", "until",
                                     "schedule", "maintenance", "agent", "recognisability", "pk_model"};
  enum { DRUG, ROUTE, DOSE, INF, DAYS, EVERY, FROM, UNTIL, SCHED, MAINT, AGENT, RECOG, PKM, NK };
  const ynode *v[NK];
  char p[192];
  KS_TRY(map_fields(L, y, path, keys, NK, v));
  static const char *const drugs[] = {"ketamine", "esketamine", "midazolam", "saline", "active-placebo"};
  static const char *const routes[] = {"iv", "im", "intranasal", "oral", "sublingual", "rectal"};
  if (!v[DRUG]) return missing(L, y, path, "drug", "ketamine, esketamine, midazolam, saline or active-placebo");
  int drug = 0, route = 0;
  join(p, sizeof p, path, "drug");
  KS_TRY(get_enum(L, v[DRUG], p, "drug", drugs, KS_ARRAY_LEN(drugs), &drug));
  d->drug = (ks_scen_drug)drug;
  int saline = d->drug == KS_SCEN_SALINE;
  if (!v[ROUTE] && !saline) return missing(L, y, path, "route", "iv, im, intranasal, oral, sublingual or rectal");
  if (v[ROUTE]) {
    join(p, sizeof p, path, "route");
    KS_TRY(get_enum(L, v[ROUTE], p, "route", routes, 6, &route));
  }
  d->route = (ks_scen_route)route;
  if (v[AGENT]) {
    join(p, sizeof p, path, "agent");
    if (d->drug != KS_SCEN_ACTIVE_PLACEBO)
      return fail(L, v[AGENT], "%s is given for drug %s (expected agent only with drug: active-placebo)", p,
                  ks_scen_drug_name(d->drug));
    static const char *const agents[] = {"other", "diphenhydramine"};
    int ag = 0;
    KS_TRY(get_enum(L, v[AGENT], p, "active placebo", agents, 2, &ag));
    d->agent = (ks_scen_placebo_agent)ag;
  }
  d->recognisability = default_recognisability(d->drug);
  if (v[RECOG]) {
    join(p, sizeof p, path, "recognisability");
    KS_TRY(get_num(L, v[RECOG], p, 0, 0, 1, &d->recognisability));
    d->recognisability_set = 1;
  }
  join(p, sizeof p, path, "dose");
  if (saline) {
    if (v[DOSE])
      return fail(L, v[DOSE], "%s is given for drug saline (expected no dose: saline is an inert placebo)", p);
  } else {
    if (!v[DOSE]) return missing(L, y, path, "dose", "a dose such as 0.5 mg/kg or 84 mg");
    KS_TRY(load_dose_amount(L, v[DOSE], p, d));
  }
  KS_TRY(load_infusion(L, v[INF], path, d));
  if (KS_SCEN_DRUG_HAS_PK(d->drug)) {
    KS_TRY(load_pk_model(L, v[PKM], v[PKM] ? v[PKM] : y, path, d));
  } else if (v[PKM]) {
    join(p, sizeof p, path, "pk_model");
    return fail(L, v[PKM], "%s is given for drug %s, which has no pharmacokinetics (expected no pk_model)", p,
                ks_scen_drug_name(d->drug));
  }

  /* Days: a list, every/from/until, or a schedule (from: its first day); then maintenance. */
  int n_forms = (v[DAYS] != NULL) + (v[EVERY] != NULL || v[UNTIL] != NULL) + (v[SCHED] != NULL);
  if (n_forms > 1) {
    const ynode *o = v[SCHED] ? v[SCHED] : v[EVERY] ? v[EVERY] : v[UNTIL];
    return fail(L, o, "%s: more than one of days, every/until and schedule is given (expected one of them)", path);
  }
  if (v[DAYS] && v[FROM]) return fail(L, v[FROM], "%s: both days and from are given (expected one of the two)", path);
  if (v[DAYS]) {
    join(p, sizeof p, path, "days");
    KS_TRY(get_days(L, v[DAYS], p, 1, day_hi, &d->days, &d->n_days));
  } else if (v[SCHED]) {
    long from = 1;
    if (v[FROM]) {
      join(p, sizeof p, path, "from");
      KS_TRY(get_int(L, v[FROM], p, 1, KS_SCENARIO_MAX_DAY, &from));
    }
    KS_TRY(expand_schedule(L, v[SCHED], path, from, &d->days, &d->n_days));
  } else {
    if (!v[EVERY] && !v[UNTIL] && !v[FROM])
      return missing(L, y, path, "days", "a list of days such as [1, 3, 5], every: 7 d with until, or a schedule");
    if (!v[EVERY]) return missing(L, y, path, "every", "an interval such as every: 7 d");
    if (!v[UNTIL]) return missing(L, y, path, "until", "the last day, such as until: 84");
    KS_TRY(expand_every(L, v[EVERY], v[FROM], v[UNTIL], path, &d->days, &d->n_days));
  }
  if (v[MAINT]) KS_TRY(add_maintenance(L, v[MAINT], path, &d->days, &d->n_days));
  if (d->days[d->n_days - 1] > day_hi) {
    const ynode *at = v[MAINT] ? v[MAINT] : v[SCHED] ? v[SCHED] : v[UNTIL] ? v[UNTIL] : y;
    return fail(L, at, "%s: day %d is beyond the last day %d (expected days within the %s)", path,
                d->days[d->n_days - 1], day_hi, L->sc->design == KS_DESIGN_CROSSOVER ? "period" : "study");
  }
  return KS_OK;
}

static const char *const therapy_list[] = {"prolonged-exposure", "imaginal-exposure", "in-vivo-exposure", "written-exposure",
                                           "mindfulness-extinction-reactivation", "trauma-focused-cbt"};

/* The infusions a therapy entry follows: `infusions: [k, ...]` (1-based) or all; KTH[i] = day. */
static ks_status therapy_infusions(loader *L, const ynode *y, const char *path, const int *dose_days, size_t n_doses,
                                   int *sel, size_t *n_sel) {
  char p[224];
  join(p, sizeof p, path, "infusions");
  if (!y || (y->kind == YN_SCALAR && !y->quoted && !strcasecmp(y->text, "all"))) {
    for (size_t i = 0; i < n_doses; i++) sel[i] = dose_days[i];
    *n_sel = n_doses;
    return KS_OK;
  }
  int *ks = NULL;
  size_t nk = 0;
  KS_TRY(get_days(L, y, p, 1, KS_SCENARIO_MAX_DAY, &ks, &nk));
  for (size_t i = 0; i < nk; i++) {
    if ((size_t)ks[i] > n_doses) {
      ks_status st = fail(L, y->items[i], "%s: infusion %d does not exist, the arm has %zu infusion%s (expected "
                          "infusions from 1 to %zu)", p, ks[i], n_doses, n_doses == 1 ? "" : "s", n_doses);
      ks_free(L->ctx, ks);
      return st;
    }
    sel[i] = dose_days[ks[i] - 1];
  }
  *n_sel = nk;
  ks_free(L->ctx, ks);
  return KS_OK;
}

static ks_status load_therapy(loader *L, const ynode *y, const char *path, ks_scen_therapy *t, int day_hi,
                              const int *dose_days, size_t n_doses) {
  static const char *const keys[] = {"kind", "days", "minutes", "at", "after_each_infusion",
                                     "on_consecutive_days_after_infusion", "infusions"};
  enum { KIND, DAYS, MIN, AT, AFTER, CONSEC, INFS, NK };
  const ynode *v[NK];
  char p[192];
  KS_TRY(map_fields(L, y, path, keys, NK, v));
  int kind = 0;
  if (v[KIND]) {
    join(p, sizeof p, path, "kind");
    KS_TRY(get_enum(L, v[KIND], p, "therapy", therapy_list, KS_THERAPY_N, &kind));
  }
  t->kind = (ks_scen_therapy_kind)kind;
  t->minutes = 90.0;
  if (v[MIN]) {
    double h;
    join(p, sizeof p, path, "minutes");
    KS_TRY(get_time_or_number(L, v[MIN], p, 1.0 / 60.0, &h));
    if (!(h > 0.0) || h > 8.0) return fail(L, v[MIN], "%s is %s, out of range (expected above 0 and at most 480 minutes)", p, v[MIN]->text);
    t->minutes = h * 60.0;
  }
  t->at_h = 2.0;
  if (v[AT]) {
    join(p, sizeof p, path, "at");
    KS_TRY(get_qty(L, v[AT], p, KS_DIM_TIME, &t->at_h));
    if (t->at_h < 0.0 || t->at_h >= 24.0)
      return fail(L, v[AT], "%s is %s, out of range (expected a time of day from 0 h to below 24 h)", p, v[AT]->text);
  }
  int n_forms = (v[DAYS] != NULL) + (v[AFTER] != NULL) + (v[CONSEC] != NULL);
  if (n_forms == 0)
    return missing(L, y, path, "days", "session days such as days: [2, 4, 6], or after_each_infusion: 24 h");
  if (n_forms > 1) {
    const ynode *o = v[CONSEC] ? v[CONSEC] : v[AFTER];
    return fail(L, o, "%s: more than one of days, after_each_infusion and on_consecutive_days_after_infusion is given "
                "(expected one of them)", path);
  }
  if (v[DAYS]) {
    if (v[INFS]) return fail(L, v[INFS], "%s.infusions is given with days (expected infusions only with "
                             "after_each_infusion or on_consecutive_days_after_infusion)", path);
    join(p, sizeof p, path, "days");
    return get_days(L, v[DAYS], p, 1, day_hi, &t->days, &t->n_days);
  }
  const ynode *rel = v[AFTER] ? v[AFTER] : v[CONSEC];
  join(p, sizeof p, path, v[AFTER] ? "after_each_infusion" : "on_consecutive_days_after_infusion");
  if (n_doses == 0)
    return fail(L, rel, "%s: the arm has no infusions to place sessions after (expected a regimen, or days: [...])", p);
  int sel[KS_SCENARIO_MAX_DAY + 1];
  size_t n_sel = 0;
  KS_TRY(therapy_infusions(L, v[INFS], path, dose_days, n_doses, sel, &n_sel));
  long per = 1;
  double after_h = 0.0;
  if (v[AFTER]) {
    KS_TRY(get_qty(L, v[AFTER], p, KS_DIM_TIME, &after_h));
    if (!(after_h > 0.0) || after_h > 30.0 * 24.0)
      return fail(L, v[AFTER], "%s is %s, out of range (expected a time above 0 and at most 30 d after the infusion)", p,
                  v[AFTER]->text);
    /* A session this long after the infusion's start (infusions start at the start of their day). */
    t->at_h = fmod(after_h, 24.0);
  } else {
    KS_TRY(get_int(L, v[CONSEC], p, 1, 30, &per));
  }
  t->days = ks_calloc(L->ctx, n_sel * (size_t)per, sizeof *t->days);
  if (!t->days) return KS_ENOMEM;
  size_t n = 0;
  for (size_t i = 0; i < n_sel; i++)
    for (long k = 1; k <= per; k++) {
      int day = v[AFTER] ? sel[i] + (int)floor(after_h / 24.0) : sel[i] + (int)k;
      if (n > 0 && day <= t->days[n - 1])
        return fail(L, rel, "%s: sessions after infusion %zu fall on day %d, not after the previous session on day %d "
                    "(expected at most one session per day, in order)", p, i + 1, day, t->days[n - 1]);
      if (day > day_hi)
        return fail(L, rel, "%s: the session after the infusion on day %d falls on day %d, beyond the last day %d "
                    "(expected sessions within the %s)", p, sel[i], day, day_hi,
                    L->sc->design == KS_DESIGN_CROSSOVER ? "period" : "study");
      t->days[n++] = day;
    }
  t->n_days = n;
  return KS_OK;
}

static ks_status load_background(loader *L, const ynode *y, const char *path, ks_scen_background *b, int day_hi);
static int has_visit(const ks_scenario *sc, ks_scen_scale s, ks_scen_visit v);

/* Overlap: one dose per arm per day. REGIMEN[i] (loaded from node Y, at path Q) against the
 * entries before it of PATH's regimen. */
static ks_status check_overlap(loader *L, const ynode *y, const char *q, const char *path, const ks_scen_dose *regimen,
                               size_t i) {
  for (size_t j = 0; j < i; j++)
    for (size_t a = 0, b = 0; a < regimen[i].n_days && b < regimen[j].n_days;) {
      int x = regimen[i].days[a], z = regimen[j].days[b];
      if (x == z) {
        const ynode *at = map_get(y, "days");
        if (at && at->kind == YN_SEQ && a < at->n) at = at->items[a];
        else at = y;
        return fail(L, at, "%s: day %d is already dosed by %s.regimen[%zu] (expected one dose per arm per day)", q, x,
                    path, j);
      }
      if (x < z) a++;
      else b++;
    }
  return KS_OK;
}

/* A randomized-withdrawal design: the arm's own doses come after the induction (node AT for
 * errors), and the induction's entries are copied in front of them (marked induction = 1), so the
 * dose table and infusion numbers include them; an arm without its own background continues the
 * induction's. */
static ks_status add_induction(loader *L, const ynode *at, const char *path, ks_scen_arm *arm) {
  const ks_scen_induction *ind = &L->sc->induction;
  if (!ind->enabled) return KS_OK;
  for (size_t i = 0; i < arm->n_regimen; i++)
    if (arm->regimen[i].n_days && arm->regimen[i].days[0] <= ind->until_day) {
      const ynode *e = at->kind == YN_SEQ && i < at->n ? at->items[i] : at;
      return fail(L, e, "%s.regimen[%zu]: day %d falls within the induction (days 1 to %d) (expected the arm's own "
                  "doses after day %d; the induction's doses are given to every arm)", path, i, arm->regimen[i].days[0],
                  ind->until_day, ind->until_day);
    }
  ks_scen_dose *all = ks_calloc(L->ctx, ind->n_regimen + arm->n_regimen, sizeof *all);
  if (!all) return KS_ENOMEM;
  for (size_t i = 0; i < ind->n_regimen; i++) {
    all[i] = ind->regimen[i];
    all[i].induction = 1;
    all[i].days = ks_calloc(L->ctx, ind->regimen[i].n_days, sizeof *all[i].days);
    if (!all[i].days) {
      for (size_t j = 0; j < i; j++) ks_free(L->ctx, all[j].days);
      ks_free(L->ctx, all);
      return KS_ENOMEM;
    }
    memcpy(all[i].days, ind->regimen[i].days, ind->regimen[i].n_days * sizeof *all[i].days);
  }
  if (arm->n_regimen) memcpy(all + ind->n_regimen, arm->regimen, arm->n_regimen * sizeof *all);
  ks_free(L->ctx, arm->regimen);
  arm->regimen = all;
  arm->n_regimen += ind->n_regimen;
  if (arm->background.drug == KS_BACKGROUND_NONE) arm->background = ind->background;
  return KS_OK;
}

/* induction: {until: D, select: remission|response, regimen: [...], background: {...}}: the
 * shared open-label phase of a randomized-withdrawal design (docs/scenario.md, "Randomized
 * withdrawal"). Loaded before the arms, which receive copies of its entries. */
static ks_status load_induction(loader *L, const ynode *y) {
  static const char *const keys[] = {"until", "select", "regimen", "background"};
  static const char *const selects[] = {"remission", "response"};
  enum { UNTIL, SEL, REG, BG, NK };
  const ynode *v[NK];
  char p[192], d[64];
  ks_scen_induction *ind = &L->sc->induction;
  if (y->kind != YN_MAP)
    return fail(L, y, "induction is %s (expected a mapping such as {until: 112, regimen: [...]})", describe(y, d, sizeof d));
  if (L->sc->design != KS_DESIGN_PARALLEL)
    return fail(L, y, "induction applies only to design: parallel (expected a randomized withdrawal written as design: "
                "parallel)");
  KS_TRY(map_fields(L, y, "induction", keys, NK, v));
  if (!v[UNTIL]) return missing(L, y, "induction", "until", "the last day of the induction, such as until: 112");
  long until = 0;
  KS_TRY(get_int(L, v[UNTIL], "induction.until", 1, KS_SCENARIO_MAX_DAY - 1, &until));
  ind->until_day = (int)until;
  int sel = 0;
  if (v[SEL]) KS_TRY(get_enum(L, v[SEL], "induction.select", "selection", selects, 2, &sel));
  ind->select = (ks_scen_select)sel;
  if (!v[REG]) return missing(L, y, "induction", "regimen", "the doses every patient gets, such as - {drug: esketamine, ...}");
  if (v[REG]->kind != YN_SEQ || v[REG]->n == 0 || v[REG]->n > 64)
    return fail(L, v[REG], "induction.regimen is %s (expected a list of 1 to 64 doses)",
                v[REG]->kind == YN_SEQ && v[REG]->n == 0 ? "an empty list" : describe(v[REG], d, sizeof d));
  ind->regimen = ks_calloc(L->ctx, v[REG]->n, sizeof *ind->regimen);
  if (!ind->regimen) return KS_ENOMEM;
  for (size_t i = 0; i < v[REG]->n; i++) {
    snprintf(p, sizeof p, "induction.regimen[%zu]", i);
    ind->n_regimen = i + 1; /* so that destroy frees what was allocated */
    KS_TRY(load_dose(L, v[REG]->items[i], p, &ind->regimen[i], KS_SCENARIO_MAX_DAY));
    KS_TRY(check_overlap(L, v[REG]->items[i], p, "induction", ind->regimen, i));
    const ks_scen_dose *e = &ind->regimen[i];
    if (e->days[e->n_days - 1] > ind->until_day)
      return fail(L, v[REG]->items[i], "%s: day %d is after the induction's last day %d (expected doses on days 1 to "
                  "%d, or a later until)", p, e->days[e->n_days - 1], ind->until_day, ind->until_day);
  }
  if (v[BG]) KS_TRY(load_background(L, v[BG], "induction.background", &ind->background, KS_SCENARIO_MAX_DAY));
  ind->enabled = 1;
  return KS_OK;
}

/* The selection at the end of the induction needs its endpoint and a visit of that scale on the
 * induction's last day (called after the endpoints are loaded; AT: the induction node). */
static ks_status check_induction_selection(loader *L, const ynode *at) {
  const ks_scenario *sc = L->sc;
  const ks_scen_induction *ind = &sc->induction;
  if (!ind->enabled) return KS_OK;
  const ks_scen_endpoint *ep = ind->select == KS_SELECT_RESPONSE ? &sc->response : &sc->remission;
  const char *what = ind->select == KS_SELECT_RESPONSE ? "response" : "remission";
  const ynode *s = map_get(at, "select");
  if (!ep->enabled)
    return fail(L, s ? s : at, "induction.select is %s%s, but the scenario has no %s endpoint (expected endpoints: %s: "
                "{scale: madrs, ...}, whose rule selects who is randomised)", what, s ? "" : " (the default)", what, what);
  ks_scen_visit v = {.by_time = 0, .value = ind->until_day};
  if (!has_visit(sc, ep->scale, v))
    return fail(L, s ? s : at, "induction: the %s selection needs a %s visit on day %d, the induction's last day "
                "(expected %d in assessments.%s)", what, ks_scen_scale_name(ep->scale), ind->until_day, ind->until_day,
                ks_scen_scale_name(ep->scale));
  return KS_OK;
}

/* background: {drug: antidepressant|ssri|snri, route: oral, from: D, until: D, open_label: B}: a daily oral
 * antidepressant alongside the regimen (docs/scenario.md, "Background antidepressant"). */
static ks_status load_background(loader *L, const ynode *y, const char *path, ks_scen_background *b, int day_hi) {
  static const char *const keys[] = {"drug", "route", "from", "until", "open_label"};
  static const char *const drugs[] = {"antidepressant", "ssri", "snri"};
  enum { DRUG, ROUTE, FROM, UNTIL, OPEN, NK };
  const ynode *v[NK];
  char p[192], d[64];
  if (y->kind != YN_MAP)
    return fail(L, y, "%s is %s (expected a mapping such as {drug: antidepressant, from: 1})", path, describe(y, d, sizeof d));
  KS_TRY(map_fields(L, y, path, keys, NK, v));
  if (!v[DRUG]) return missing(L, y, path, "drug", "antidepressant, ssri or snri");
  int k = 0;
  join(p, sizeof p, path, "drug");
  KS_TRY(get_enum(L, v[DRUG], p, "background drug", drugs, 3, &k));
  b->drug = (ks_scen_background_drug)(k + 1);
  if (v[ROUTE]) {
    join(p, sizeof p, path, "route");
    KS_TRY(need_scalar(L, v[ROUTE], p, "oral"));
    if (strcasecmp(v[ROUTE]->text, "oral") != 0)
      return fail(L, v[ROUTE], "%s is '%.40s' (expected oral: a background antidepressant is taken by mouth)", p,
                  v[ROUTE]->text);
  }
  long from = 1, until = 0;
  if (v[FROM]) {
    join(p, sizeof p, path, "from");
    KS_TRY(get_int(L, v[FROM], p, 1, day_hi, &from));
  }
  if (v[UNTIL]) {
    join(p, sizeof p, path, "until");
    KS_TRY(get_int(L, v[UNTIL], p, 1, day_hi, &until));
    if (until < from)
      return fail(L, v[UNTIL], "%s is day %ld, before the first day %ld (expected until >= from)", p, until, from);
  }
  b->from_day = (int)from;
  b->until_day = (int)until;
  b->open_label = 1;
  if (v[OPEN]) {
    join(p, sizeof p, path, "open_label");
    KS_TRY(get_bool(L, v[OPEN], p, &b->open_label));
  }
  return KS_OK;
}

static ks_status load_arm(loader *L, const ynode *y, size_t ia, ks_scen_arm *arm, int day_hi) {
  static const char *const keys[] = {"name", "ratio", "regimen", "therapy", "reminder_before_dose", "knockout", "control",
                                     "background"};
  enum { NAME, RATIO, REG, THER, REM, KO, CTRL, BG, NK };
  const ynode *v[NK];
  char path[64], p[192];
  snprintf(path, sizeof path, "arms[%zu]", ia);
  KS_TRY(map_fields(L, y, path, keys, NK, v));
  if (!v[NAME]) return missing(L, y, path, "name", "a name such as name: ketamine");
  join(p, sizeof p, path, "name");
  KS_TRY(get_name(L, v[NAME], p, arm->name, sizeof arm->name));
  for (size_t j = 0; j < ia; j++)
    if (strcasecmp(L->sc->arms[j].name, arm->name) == 0)
      return fail(L, v[NAME], "%s: arm name '%s' is already used by arms[%zu] (expected distinct arm names)", p, arm->name, j);
  arm->ratio = 1.0;
  if (v[RATIO]) {
    join(p, sizeof p, path, "ratio");
    KS_TRY(get_num(L, v[RATIO], p, 0, 1, 100, &arm->ratio));
  }
  arm->knockout = L->sc->knockout;
  if (v[KO]) {
    int k = 0;
    join(p, sizeof p, path, "knockout");
    KS_TRY(get_enum(L, v[KO], p, "knockout", knockout_list, 4, &k));
    arm->knockout = (ks_scen_knockout)k;
  }
  if (v[CTRL]) {
    static const char *const controls[] = {"none", "waitlist", "no-treatment"};
    int c = 0;
    join(p, sizeof p, path, "control");
    KS_TRY(get_enum(L, v[CTRL], p, "control", controls, 3, &c));
    arm->control = (ks_scen_arm_control)c;
    if (arm->control != KS_ARM_CONTROL_NONE && (v[REG] || v[THER]))
      return fail(L, v[REG] ? v[REG] : v[THER], "%s: a %s arm takes no %s (expected only visits: remove %s, or "
                  "control: none)", path, controls[c], v[REG] ? "regimen" : "therapy", v[REG] ? "regimen" : "therapy");
  }
  if (v[REM] && !(v[REM]->kind == YN_SCALAR && !v[REM]->quoted && !strcasecmp(v[REM]->text, "none"))) {
    double h;
    join(p, sizeof p, path, "reminder_before_dose");
    KS_TRY(get_time_or_number(L, v[REM], p, 1.0 / 60.0, &h));
    if (!(h > 0.0) || h > 24.0) return fail(L, v[REM], "%s is %s, out of range (expected above 0 min and at most 24 h, or none)", p, v[REM]->text);
    arm->has_reminder = 1;
    arm->reminder_before_dose_min = h * 60.0;
  }
  char d[64];
  if (v[REG]) {
    join(p, sizeof p, path, "regimen");
    if (v[REG]->kind != YN_SEQ)
      return fail(L, v[REG], "%s is %s (expected a list of doses such as - {drug: ketamine, route: iv, dose: 0.5 mg/kg, days: [1]})",
                  p, describe(v[REG], d, sizeof d));
    if (v[REG]->n > 64) return fail(L, v[REG], "%s has %zu entries (expected at most 64)", p, v[REG]->n);
    if (v[REG]->n) {
      arm->regimen = ks_calloc(L->ctx, v[REG]->n, sizeof *arm->regimen);
      if (!arm->regimen) return KS_ENOMEM;
    }
    for (size_t i = 0; i < v[REG]->n; i++) {
      char q[192], idx[24];
      snprintf(idx, sizeof idx, "[%zu]", i);
      join(q, sizeof q, p, idx);
      arm->n_regimen = i + 1; /* so that destroy frees what was allocated */
      KS_TRY(load_dose(L, v[REG]->items[i], q, &arm->regimen[i], day_hi));
      KS_TRY(check_overlap(L, v[REG]->items[i], q, path, arm->regimen, i));
    }
  }
  KS_TRY(add_induction(L, v[REG] ? v[REG] : y, path, arm));
  if (v[THER]) {
    join(p, sizeof p, path, "therapy");
    if (v[THER]->kind != YN_SEQ)
      return fail(L, v[THER], "%s is %s (expected a list of sessions such as - {kind: prolonged-exposure, days: [2, 4]})",
                  p, describe(v[THER], d, sizeof d));
    if (v[THER]->n > 64) return fail(L, v[THER], "%s has %zu entries (expected at most 64)", p, v[THER]->n);
    if (v[THER]->n) {
      arm->therapy = ks_calloc(L->ctx, v[THER]->n, sizeof *arm->therapy);
      if (!arm->therapy) return KS_ENOMEM;
    }
    for (size_t i = 0; i < v[THER]->n; i++) {
      char q[192], idx[24];
      snprintf(idx, sizeof idx, "[%zu]", i);
      join(q, sizeof q, p, idx);
      arm->n_therapy = i + 1;
      int dose_days[KS_SCENARIO_MAX_DAY + 1];
      size_t n_doses = ks_scenario_arm_dose_days(L->sc, ia, dose_days, KS_ARRAY_LEN(dose_days));
      KS_TRY(load_therapy(L, v[THER]->items[i], q, &arm->therapy[i], day_hi, dose_days, n_doses));
    }
  }
  if (v[BG]) {
    join(p, sizeof p, path, "background");
    if (arm->control != KS_ARM_CONTROL_NONE)
      return fail(L, v[BG], "%s: a %s arm takes no background treatment (expected only visits: remove background, or "
                  "control: none)", p, ks_scen_arm_control_name(arm->control));
    KS_TRY(load_background(L, v[BG], p, &arm->background, day_hi));
  }
  if (arm->n_regimen == 0 && arm->n_therapy == 0 && arm->control == KS_ARM_CONTROL_NONE)
    return fail(L, y, "%s ('%s') has no regimen and no therapy (expected at least one dose or therapy session, or "
                "control: waitlist)", path, arm->name);
  if (arm->has_reminder && arm->n_regimen == 0)
    return fail(L, v[REM], "%s.reminder_before_dose is set but the arm has no doses (expected a regimen)", path);
  return KS_OK;
}

static ks_status load_arms(loader *L, const ynode *y, int day_hi) {
  char d[64];
  if (y->kind != YN_SEQ)
    return fail(L, y, "arms is %s (expected a list of arms such as - {name: ketamine, regimen: [...]})", describe(y, d, sizeof d));
  if (y->n == 0) return fail(L, y, "arms is an empty list (expected at least one arm)");
  if (y->n > 16) return fail(L, y, "arms lists %zu arms (expected at most 16)", y->n);
  L->sc->arms = ks_calloc(L->ctx, y->n, sizeof *L->sc->arms);
  if (!L->sc->arms) return KS_ENOMEM;
  for (size_t i = 0; i < y->n; i++) {
    L->sc->n_arms = i + 1;
    KS_TRY(load_arm(L, y->items[i], i, &L->sc->arms[i], day_hi));
  }
  return KS_OK;
}

static const char *const scale_keys[KS_SCALE_N] = {"caps5", "pcl5", "iesr", "madrs", "cadss", "scan",
                                                   "mri", "ravlt", "tmt_a", "tmt_b", "dsst", "nrs", "ssi"};

/* A visit as written, for messages: the scalar's text, or "N h after infusion K". */
static void visit_words(const ynode *y, const ks_scen_visit *v, char *buf, size_t n) {
  if (y->kind == YN_SCALAR) {
    snprintf(buf, n, "%.40s", y->text);
    return;
  }
  char k[24];
  if (v->after_infusion > 0) snprintf(k, sizeof k, "infusion %d", v->after_infusion);
  else snprintf(k, sizeof k, "the last infusion");
  if (v->after_days) snprintf(buf, n, "day %g after %s", v->after_value, k);
  else snprintf(buf, n, "%g h after %s", v->after_value, k);
}

static ks_status load_assessments(loader *L, const ynode *y, int first_dose_day, int day_hi) {
  const ynode *v[KS_SCALE_N];
  KS_TRY(map_fields(L, y, "assessments", scale_keys, KS_SCALE_N, v));
  char d[64];
  for (int s = 0; s < KS_SCALE_N; s++) {
    if (!v[s]) continue;
    char p[64];
    snprintf(p, sizeof p, "assessments.%s", scale_keys[s]);
    if (v[s]->kind != YN_SEQ)
      return fail(L, v[s], "%s is %s (expected a list of visits such as [0, 1, 7, 14] or [0, \"24 h\"])", p, describe(v[s], d, sizeof d));
    if (v[s]->n > (size_t)KS_SCENARIO_MAX_DAY + 1)
      return fail(L, v[s], "%s lists %zu visits (expected at most %d)", p, v[s]->n, KS_SCENARIO_MAX_DAY + 1);
    if (v[s]->n == 0) continue;
    ks_scen_visit *vis = ks_calloc(L->ctx, v[s]->n, sizeof *vis);
    if (!vis) return KS_ENOMEM;
    L->sc->visits[s] = vis;
    for (size_t i = 0; i < v[s]->n; i++) {
      char q[96];
      snprintf(q, sizeof q, "%s[%zu]", p, i);
      KS_TRY(get_visit(L, v[s]->items[i], q, &vis[i]));
      L->sc->n_visits[s] = i + 1;
      if (!vis[i].by_time && vis[i].value > day_hi)
        return fail(L, v[s]->items[i], "%s is day %g, beyond the %d-day period (expected days 0 to %d)", q, vis[i].value, day_hi, day_hi);
      if (i > 0) {
        double t0 = ks_scen_visit_t_h(vis[i - 1], first_dose_day), t1 = ks_scen_visit_t_h(vis[i], first_dose_day);
        char w0[64], w1[64];
        visit_words(v[s]->items[i - 1], &vis[i - 1], w0, sizeof w0);
        visit_words(v[s]->items[i], &vis[i], w1, sizeof w1);
        if (t1 == t0)
          return fail(L, v[s]->items[i], "%s: %s is the same time as %s, listed ahead of it (expected each visit once)", p,
                      w1, w0);
        if (t1 < t0)
          return fail(L, v[s]->items[i], "%s: %s comes before %s, listed ahead of it (expected visits in time order)", p,
                      w1, w0);
      }
    }
  }
  return KS_OK;
}

static ks_status load_followup(loader *L, const ynode *y) {
  static const char *const keys[1 + KS_SCALE_N] = {"days", "caps5_every", "pcl5_every", "iesr_every", "madrs_every",
                                                   "cadss_every", "scan_every", "mri_every", "ravlt_every", "tmt_a_every",
                                                   "tmt_b_every", "dsst_every", "nrs_every", "ssi_every"};
  const ynode *v[1 + KS_SCALE_N];
  KS_TRY(map_fields(L, y, "followup", keys, 1 + KS_SCALE_N, v));
  long days = 0;
  if (v[0]) KS_TRY(get_int(L, v[0], "followup.days", 0, KS_SCENARIO_MAX_DAY, &days));
  L->sc->followup_days = (int)days;
  for (int s = 0; s < KS_SCALE_N; s++) {
    if (!v[1 + s]) continue;
    char p[64];
    long every;
    snprintf(p, sizeof p, "followup.%s", keys[1 + s]);
    KS_TRY(get_int(L, v[1 + s], p, 0, KS_SCENARIO_MAX_DAY, &every));
    if (every > 0 && days == 0) return fail(L, v[1 + s], "%s is set but followup.days is 0 (expected followup.days > 0)", p);
    if (every > days) return fail(L, v[1 + s], "%s is %ld, longer than the %ld-day follow-up (expected at most %ld)", p, every, days, days);
    L->sc->followup_every[s] = (int)every;
  }
  return KS_OK;
}

/* Is V a visit of SCALE, as assessed or during follow-up? */
static int has_visit(const ks_scenario *sc, ks_scen_scale s, ks_scen_visit v) {
  int first = ks_scenario_first_dose_day(sc);
  for (size_t i = 0; i < sc->n_visits[s]; i++)
    if (ks_scen_visit_t_h(sc->visits[s][i], first) == ks_scen_visit_t_h(v, first)) return 1;
  if (!v.by_time && sc->followup_every[s] > 0) {
    int end = ks_scenario_treatment_end_day(sc), day = (int)v.value;
    if (day > end && day <= end + sc->followup_days && (day - end) % sc->followup_every[s] == 0) return 1;
  }
  return 0;
}

static int has_baseline(const ks_scenario *sc, ks_scen_scale s) {
  return sc->n_visits[s] > 0 && !sc->visits[s][0].by_time && sc->visits[s][0].value == 0.0;
}

/* Scales an endpoint may name: the symptom scales and the brain layer's (not the fMRI scan). */
static const char *const endpoint_scales[] = {"caps5", "pcl5", "iesr", "madrs", "cadss", "mri",
                                              "ravlt", "tmt_a", "tmt_b", "dsst", "nrs", "ssi"};
static const ks_scen_scale endpoint_scale_enum[] = {
    KS_SCALE_CAPS5, KS_SCALE_PCL5, KS_SCALE_IESR, KS_SCALE_MADRS, KS_SCALE_CADSS, KS_SCALE_MRI,
    KS_SCALE_RAVLT, KS_SCALE_TMT_A, KS_SCALE_TMT_B, KS_SCALE_DSST, KS_SCALE_NRS, KS_SCALE_SSI};

static ks_status check_visit_of(loader *L, const ynode *at, const char *path, ks_scen_scale s, ks_scen_visit v) {
  if (!has_baseline(L->sc, s))
    return fail(L, at, "%s: %s has no baseline visit (expected day 0 in assessments.%s)", path, ks_scen_scale_name(s), ks_scen_scale_name(s));
  if (!has_visit(L->sc, s, v)) {
    char when[48];
    if (v.by_time) snprintf(when, sizeof when, "%g h after the first dose", v.value);
    else snprintf(when, sizeof when, "day %g", v.value);
    return fail(L, at, "%s: %s is not assessed at %s (expected a visit listed in assessments.%s or in follow-up)",
                path, ks_scen_scale_name(s), when, ks_scen_scale_name(s));
  }
  return KS_OK;
}

/* One endpoint mapping. KIND: 0 primary, 1 response, 2 remission, 3 durability. */
static ks_status load_endpoint(loader *L, const ynode *y, int kind, ks_scen_endpoint *e) {
  static const char *const names[] = {"primary", "response", "remission", "durability"};
  static const char *const k0[] = {"scale", "day"};
  static const char *const k1[] = {"scale", "drop_pct", "day"};
  static const char *const k2[] = {"scale", "below", "day"};
  static const char *const k3[] = {"scale", "responders_only"};
  const char *const *keys[] = {k0, k1, k2, k3};
  const size_t nk[] = {2, 3, 3, 2};
  char path[48], p[96];
  snprintf(path, sizeof path, "endpoints.%s", names[kind]);
  if (kind > 0 && y->kind == YN_SCALAR && !y->quoted && !strcasecmp(y->text, "none")) {
    e->enabled = 0;
    return KS_OK;
  }
  const ynode *v[3] = {NULL, NULL, NULL};
  KS_TRY(map_fields(L, y, path, keys[kind], nk[kind], v));
  e->enabled = 1;
  e->scale = L->sc->primary.scale;
  e->at = L->sc->primary.at;
  int s = (int)e->scale;
  if (v[0]) {
    join(p, sizeof p, path, "scale");
    KS_TRY(get_enum(L, v[0], p, "scale", endpoint_scales, sizeof endpoint_scales / sizeof endpoint_scales[0], &s));
    e->scale = endpoint_scale_enum[s];
  }
  const ynode *day_node = kind == 0 ? v[1] : (kind == 1 || kind == 2) ? v[2] : NULL;
  if (day_node) {
    join(p, sizeof p, path, "day");
    KS_TRY(get_visit(L, day_node, p, &e->at));
  }
  if (kind == 1) {
    e->drop_pct = 30.0;
    if (v[1]) {
      join(p, sizeof p, path, "drop_pct");
      KS_TRY(get_num(L, v[1], p, 0, 1, 100, &e->drop_pct));
    }
  }
  if (kind == 2) {
    if (!v[1]) return missing(L, y, path, "below", "a score threshold such as below: 33");
    join(p, sizeof p, path, "below");
    KS_TRY(get_num(L, v[1], p, 0, 1, ks_scen_scale_max(e->scale), &e->below));
  }
  if (kind == 3) {
    e->responders_only = 1;
    if (v[1]) {
      join(p, sizeof p, path, "responders_only");
      KS_TRY(get_bool(L, v[1], p, &e->responders_only));
    }
    if (!has_baseline(L->sc, e->scale))
      return fail(L, y, "%s: %s has no baseline visit (expected day 0 in assessments.%s)", path,
                  ks_scen_scale_name(e->scale), ks_scen_scale_name(e->scale));
    /* Randomized withdrawal: relapse is followed at the visits of the randomised phase. */
    if (!L->sc->induction.enabled && (L->sc->followup_days == 0 || L->sc->followup_every[e->scale] == 0))
      return fail(L, y, "%s needs %s visits during follow-up (expected followup: {days: 56, %s_every: 7})", path,
                  ks_scen_scale_name(e->scale), ks_scen_scale_name(e->scale));
    return KS_OK;
  }
  if (!e->at.by_time && e->at.value == 0.0)
    return fail(L, day_node ? day_node : y, "%s is at the baseline visit, day 0 (expected a visit after baseline)", path);
  return check_visit_of(L, day_node ? day_node : y, path, e->scale, e->at);
}

static ks_status load_endpoints(loader *L, const ynode *y, const ynode *at) {
  static const char *const keys[] = {"primary", "response", "remission", "durability"};
  const ynode *v[4] = {NULL, NULL, NULL, NULL};
  ks_scenario *sc = L->sc;
  if (y) KS_TRY(map_fields(L, y, "endpoints", keys, 4, v));
  /* Default primary endpoint: the first symptom scale with a baseline and a later day visit, at
   * its last day visit. */
  sc->primary.enabled = 1;
  int found = 0;
  for (int s = 0; s < KS_SCALE_CADSS && !found; s++)
    if (has_baseline(sc, (ks_scen_scale)s) && sc->n_visits[s] > 1) {
      sc->primary.scale = (ks_scen_scale)s;
      sc->primary.at = sc->visits[s][sc->n_visits[s] - 1];
      found = 1;
    }
  if (v[0]) {
    const ynode *pv[2];
    KS_TRY(map_fields(L, v[0], "endpoints.primary", (const char *const[]){"scale", "day"}, 2, pv));
    if (!found && (!pv[0] || !pv[1]))
      return missing(L, v[0], "endpoints.primary", pv[0] ? "day" : "scale", pv[0] ? "the visit of the endpoint, such as day: 14" : "caps5, pcl5, iesr, madrs or cadss");
    KS_TRY(load_endpoint(L, v[0], 0, &sc->primary));
  } else if (!found) {
    return fail(L, at, "assessments: no symptom scale has a baseline and a later visit (expected e.g. caps5: [0, 14])");
  }
  for (int k = 1; k < 4; k++) {
    ks_scen_endpoint *e = k == 1 ? &sc->response : k == 2 ? &sc->remission : &sc->durability;
    e->enabled = 0;
    if (v[k]) KS_TRY(load_endpoint(L, v[k], k, e));
  }
  if (sc->durability.enabled && sc->durability.responders_only && !sc->response.enabled)
    return fail(L, v[3], "endpoints.durability counts responders but endpoints.response is not set (expected a response endpoint, or responders_only: false with a remission endpoint)");
  if (sc->durability.enabled && !sc->durability.responders_only && !sc->remission.enabled)
    return fail(L, v[3], "endpoints.durability counts remitters but endpoints.remission is not set (expected a remission endpoint)");
  return KS_OK;
}

static ks_status load_dropout(loader *L, const ynode *y) {
  static const char *const keys[] = {"rate_per_week", "mechanism"};
  static const char *const mech[] = {"mcar", "mar", "mnar"};
  const ynode *v[2];
  KS_TRY(map_fields(L, y, "dropout", keys, 2, v));
  if (v[0]) {
    KS_TRY(get_num(L, v[0], "dropout.rate_per_week", 0, 0, 1, &L->sc->dropout_rate_per_week));
    if (L->sc->dropout_rate_per_week >= 1.0)
      return fail(L, v[0], "dropout.rate_per_week is %s (expected a probability per week below 1)", v[0]->text);
  }
  int m = 0;
  if (v[1]) KS_TRY(get_enum(L, v[1], "dropout.mechanism", "mechanism", mech, 3, &m));
  L->sc->dropout_mechanism = (ks_scen_dropout_mech)m;
  return KS_OK;
}

static ks_status load_imaging(loader *L, const ynode *y) {
  ks_scenario *sc = L->sc;
  int none = y && y->kind == YN_SCALAR && !y->quoted && !strcasecmp(y->text, "none");
  if (!y || none) {
    /* Default: everyone is scanned when scan visits are listed. */
    sc->imaging_n = 0;
    sc->imaging_fraction = (!none && sc->n_visits[KS_SCALE_SCAN] > 0) ? 1.0 : 0.0;
    return KS_OK;
  }
  static const char *const keys[] = {"n", "fraction"};
  const ynode *v[2];
  KS_TRY(map_fields(L, y, "imaging", keys, 2, v));
  if (v[0] && v[1]) return fail(L, v[1], "imaging: both n and fraction are given (expected one of the two)");
  if (!v[0] && !v[1]) return missing(L, y, "imaging", "n", "the size of the imaging subset, such as n: 21, or fraction: 0.7");
  if (v[0]) {
    KS_TRY(get_int(L, v[0], "imaging.n", 1, KS_SCENARIO_MAX_PATIENTS, &sc->imaging_n));
    if (sc->imaging_n > sc->population.n)
      return fail(L, v[0], "imaging.n is %ld, more than the %ld patients (expected at most population.n)", sc->imaging_n, sc->population.n);
  } else {
    KS_TRY(get_num(L, v[1], "imaging.fraction", 0, 1, 1, &sc->imaging_fraction));
  }
  if (sc->n_visits[KS_SCALE_SCAN] == 0)
    return fail(L, y, "imaging is set but no scan visits are listed (expected assessments.scan, such as scan: [0, 14])");
  return KS_OK;
}

/* ---- blinding and contrasts ------------------------------------------------------------------ */

/* The index of the arm called NAME (case-insensitive), or -1. */
static int arm_index(const ks_scenario *sc, const char *name, size_t len) {
  for (size_t a = 0; a < sc->n_arms; a++)
    if (strlen(sc->arms[a].name) == len && strncasecmp(sc->arms[a].name, name, len) == 0) return (int)a;
  return -1;
}

static ks_status arm_named(loader *L, const ynode *at, const char *path, const char *name, size_t len, int *out) {
  *out = arm_index(L->sc, name, len);
  if (*out >= 0) return KS_OK;
  char list[512] = "";
  for (size_t a = 0; a < L->sc->n_arms; a++) {
    size_t ll = strlen(list);
    snprintf(list + ll, sizeof list - ll, "%s'%s'", a ? ", " : "", L->sc->arms[a].name);
  }
  return fail(L, at, "%s: no arm is called '%.*s' (expected one of %s)", path, (int)(len > 63 ? 63 : len), name, list);
}

/* One contrast: "A vs B" or {treatment: A, control: B}. */
static ks_status load_contrast(loader *L, const ynode *y, const char *path, ks_scen_contrast *c) {
  if (y->kind == YN_MAP) {
    const ynode *v[2];
    KS_TRY(map_fields(L, y, path, (const char *const[]){"treatment", "control"}, 2, v));
    if (!v[0]) return missing(L, y, path, "treatment", "the arm name, such as treatment: ketamine");
    if (!v[1]) return missing(L, y, path, "control", "the arm name, such as control: saline");
    char p[160];
    join(p, sizeof p, path, "treatment");
    KS_TRY(need_scalar(L, v[0], p, "an arm name"));
    KS_TRY(arm_named(L, v[0], p, v[0]->text, v[0]->len, &c->treat));
    join(p, sizeof p, path, "control");
    KS_TRY(need_scalar(L, v[1], p, "an arm name"));
    KS_TRY(arm_named(L, v[1], p, v[1]->text, v[1]->len, &c->ctrl));
  } else {
    KS_TRY(need_scalar(L, y, path, "\"ketamine vs saline\""));
    const char *vs = strstr(y->text, " vs ");
    if (!vs) return fail(L, y, "%s is '%.60s' (expected two arm names joined by vs, such as \"ketamine vs saline\")", path, y->text);
    KS_TRY(arm_named(L, y, path, y->text, (size_t)(vs - y->text), &c->treat));
    KS_TRY(arm_named(L, y, path, vs + 4, strlen(vs + 4), &c->ctrl));
  }
  if (c->treat == c->ctrl)
    return fail(L, y, "%s compares arm '%s' with itself (expected two different arms)", path, L->sc->arms[c->treat].name);
  return KS_OK;
}

static ks_status load_design_keys(loader *L, const ynode *blind, const ynode *ctrl, const ynode *contr,
                                  const ynode *mult, const ynode *arms_node) {
  ks_scenario *sc = L->sc;
  static const char *const blindings[] = {"double-blind", "single-blind", "open-label"};
  int b = sc->design == KS_DESIGN_SINGLE_ARM ? KS_BLINDING_OPEN : KS_BLINDING_DOUBLE;
  if (blind) KS_TRY(get_enum(L, blind, "blinding", "blinding", blindings, 3, &b));
  sc->blinding = (ks_scen_blinding)b;
  if (sc->design == KS_DESIGN_SINGLE_ARM && sc->blinding != KS_BLINDING_OPEN)
    return fail(L, blind, "blinding is %s but a single-arm trial has nothing to blind against (expected open-label)",
                blindings[b]);
  const ynode *extra = ctrl ? ctrl : contr ? contr : mult;
  if (sc->design != KS_DESIGN_PARALLEL && extra)
    return fail(L, extra, "%s applies only to design: parallel (expected no %s for design: %s)",
                ctrl ? "control_arm" : contr ? "contrasts" : "multiplicity",
                ctrl ? "control_arm" : contr ? "contrasts" : "multiplicity", ks_scen_design_name(sc->design));
  sc->control_arm = (int)sc->n_arms - 1;
  if (ctrl) {
    KS_TRY(need_scalar(L, ctrl, "control_arm", "an arm name"));
    KS_TRY(arm_named(L, ctrl, "control_arm", ctrl->text, ctrl->len, &sc->control_arm));
  }
  sc->n_contrasts = 0;
  if (sc->design == KS_DESIGN_PARALLEL && !contr)
    for (size_t a = 0; a < sc->n_arms; a++)
      if ((int)a != sc->control_arm)
        sc->contrasts[sc->n_contrasts++] = (ks_scen_contrast){(int)a, sc->control_arm};
  if (contr) {
    char d[64];
    if (contr->kind != YN_SEQ)
      return fail(L, contr, "contrasts is %s (expected a list such as [\"ketamine vs saline\"])", describe(contr, d, sizeof d));
    if (contr->n == 0) return fail(L, contr, "contrasts is an empty list (expected at least one contrast)");
    if (contr->n > KS_SCENARIO_MAX_CONTRASTS)
      return fail(L, contr, "contrasts lists %zu contrasts (expected at most %d)", contr->n, KS_SCENARIO_MAX_CONTRASTS);
    for (size_t i = 0; i < contr->n; i++) {
      char p[32];
      snprintf(p, sizeof p, "contrasts[%zu]", i);
      KS_TRY(load_contrast(L, contr->items[i], p, &sc->contrasts[i]));
      for (size_t j = 0; j < i; j++)
        if (sc->contrasts[j].treat == sc->contrasts[i].treat && sc->contrasts[j].ctrl == sc->contrasts[i].ctrl)
          return fail(L, contr->items[i], "%s repeats contrasts[%zu] (expected each contrast once)", p, j);
      sc->n_contrasts = i + 1;
    }
  }
  static const char *const mults[] = {"none", "holm", "dunnett"};
  int m = sc->n_contrasts > 1 ? KS_MULTIPLICITY_DUNNETT : KS_MULTIPLICITY_NONE;
  int common_ctrl = 1;
  for (size_t i = 1; i < sc->n_contrasts; i++) common_ctrl &= sc->contrasts[i].ctrl == sc->contrasts[0].ctrl;
  if (!mult && !common_ctrl) m = KS_MULTIPLICITY_HOLM;
  if (mult) KS_TRY(get_enum(L, mult, "multiplicity", "adjustment", mults, 3, &m));
  sc->multiplicity = (ks_scen_multiplicity)m;
  if (sc->multiplicity == KS_MULTIPLICITY_DUNNETT && !common_ctrl)
    return fail(L, mult, "multiplicity dunnett compares every arm with one control, but the contrasts have different "
                "controls (expected multiplicity: holm, or contrasts against one arm)");
  (void)arms_node;
  return KS_OK;
}

/* ---- top level ------------------------------------------------------------------------------ */

static ks_status load_root(loader *L, const ynode *root) {
  static const char *const keys[] = {"ketasim", "name", "description", "seed", "population", "design", "period_days",
                                     "washout_days", "arms", "knockout", "assessments", "followup",
                                     "endpoints", "dropout", "imaging", "fear_model",
                                     "allow_unstudied_doses", "replicates", "blinding", "control_arm",
                                     "contrasts", "multiplicity", "optimize", "induction"};
  enum { VER, NAME, DESC, SEED, POP, DESIGN, PERIOD, WASHOUT, ARMS, KO, ASSESS, FOLLOW, ENDP, DROP, IMG, FEAR, ALLOW, REPL,
         BLIND, CTRL, CONTR, MULT, OPT, IND, NK };
  const ynode *v[NK];
  ks_scenario *sc = L->sc;
  if (!root)
    return ks_ctx_fail_input(L->ctx, L->file, 1, 1, "the file is empty (expected a scenario starting with ketasim: 1)");
  if (root->kind != YN_MAP) {
    char d[64];
    return fail(L, root, "the file holds %s, not a scenario (expected a mapping starting with ketasim: 1)", describe(root, d, sizeof d));
  }
  KS_TRY(map_fields(L, root, "", keys, NK, v));
  if (!v[VER]) return missing(L, root, "", "ketasim", "ketasim: 1 as the first line");
  KS_TRY(need_scalar(L, v[VER], "ketasim", "ketasim: 1"));
  if (v[VER]->quoted)
    return fail(L, v[VER], "the format version is the text '%.40s' (expected the number without quotes: ketasim: 1)", v[VER]->text);
  if (strcmp(v[VER]->text, "1") != 0)
    return fail(L, v[VER], "scenario format version %.40s is not supported (expected ketasim: 1)", v[VER]->text);
  sc->version = 1;
  if (!v[NAME]) return missing(L, root, "", "name", "a scenario name such as name: feder2021");
  KS_TRY(get_name(L, v[NAME], "name", sc->name, sizeof sc->name));
  if (v[DESC]) {
    KS_TRY(need_scalar(L, v[DESC], "description", "a text"));
    if (v[DESC]->len >= sizeof sc->description)
      return fail(L, v[DESC], "description is %zu bytes long (expected at most %zu)", v[DESC]->len, sizeof sc->description - 1);
    memcpy(sc->description, v[DESC]->text, v[DESC]->len + 1);
  }
  sc->seed = 1;
  if (v[SEED]) {
    const char *expect = "a whole number from 0 to 18446744073709551615";
    KS_TRY(need_scalar(L, v[SEED], "seed", expect));
    const char *t = v[SEED]->text;
    int ok = !v[SEED]->quoted && *t && strlen(t) <= 20;
    for (const char *q = t; ok && *q; q++)
      if (!isdigit((unsigned char)*q)) ok = 0;
    errno = 0;
    unsigned long long s = ok ? strtoull(t, NULL, 10) : 0;
    if (!ok || errno == ERANGE) return fail(L, v[SEED], "seed is '%.40s' (expected %s)", t, expect);
    sc->seed = (uint64_t)s;
  }
  if (v[ALLOW]) KS_TRY(get_bool(L, v[ALLOW], "allow_unstudied_doses", &sc->allow_unstudied_doses));
  if (!v[POP]) return missing(L, root, "", "population", "population: {n: 30, preset: civilian-chronic-ptsd}");
  KS_TRY(load_population(L, v[POP]));

  int design = 0;
  static const char *const designs[] = {"parallel", "crossover", "single-arm"};
  if (v[DESIGN]) KS_TRY(get_enum(L, v[DESIGN], "design", "design", designs, 3, &design));
  sc->design = (ks_scen_design)design;
  sc->period_days = 0;
  sc->washout_days = 0;
  if (sc->design == KS_DESIGN_CROSSOVER) {
    long pd = 14, wd = 0;
    if (v[PERIOD]) KS_TRY(get_int(L, v[PERIOD], "period_days", 1, KS_SCENARIO_MAX_DAY, &pd));
    if (v[WASHOUT]) KS_TRY(get_int(L, v[WASHOUT], "washout_days", 0, KS_SCENARIO_MAX_DAY, &wd));
    sc->period_days = (int)pd;
    sc->washout_days = (int)wd;
  } else if (v[PERIOD] || v[WASHOUT]) {
    const ynode *o = v[PERIOD] ? v[PERIOD] : v[WASHOUT];
    return fail(L, o, "%s applies only to design: crossover (expected no %s for design: %s)",
                v[PERIOD] ? "period_days" : "washout_days", v[PERIOD] ? "period_days" : "washout_days", designs[design]);
  }
  sc->knockout = KS_KNOCKOUT_NONE;
  if (v[KO]) {
    int k = 0;
    KS_TRY(get_enum(L, v[KO], "knockout", "knockout", knockout_list, 4, &k));
    sc->knockout = (ks_scen_knockout)k;
  }
  int day_hi = sc->design == KS_DESIGN_CROSSOVER ? sc->period_days : KS_SCENARIO_MAX_DAY;
  if (v[IND]) KS_TRY(load_induction(L, v[IND]));
  if (!v[ARMS]) return missing(L, root, "", "arms", "a list of arms, each with a name and a regimen");
  KS_TRY(load_arms(L, v[ARMS], day_hi));
  if (sc->design == KS_DESIGN_PARALLEL && sc->n_arms < 2)
    return fail(L, v[ARMS], "design parallel needs at least 2 arms, found %zu (expected another arm, or design: single-arm)", sc->n_arms);
  if (sc->design == KS_DESIGN_CROSSOVER && sc->n_arms != 2)
    return fail(L, v[ARMS], "design crossover needs exactly 2 arms (two periods), found %zu (expected one arm per "
                "treatment)", sc->n_arms);
  if (sc->design == KS_DESIGN_SINGLE_ARM && sc->n_arms != 1)
    return fail(L, v[ARMS], "design single-arm needs exactly 1 arm, found %zu (expected design: parallel for several arms)", sc->n_arms);
  if (sc->design == KS_DESIGN_CROSSOVER && (long)sc->n_arms > sc->population.n)
    return fail(L, v[POP], "population.n is %ld, fewer than the %zu crossover sequences (expected at least %zu)",
                sc->population.n, sc->n_arms, sc->n_arms);
  if (sc->design == KS_DESIGN_PARALLEL && (long)sc->n_arms > sc->population.n)
    return fail(L, v[POP], "population.n is %ld, fewer than the %zu arms (expected at least one patient per arm)",
                sc->population.n, sc->n_arms);
  if (sc->design == KS_DESIGN_CROSSOVER)
    for (size_t a = 0; a < sc->n_arms; a++)
      if (sc->arms[a].ratio != 1.0)
        return fail(L, v[ARMS]->items[a], "arms[%zu].ratio is %g, but a crossover gives every patient every arm (expected no ratio)", a, sc->arms[a].ratio);
  if (sc->design == KS_DESIGN_PARALLEL) { /* one permuted block holds every arm (trial.c) */
    long slots = 0;
    for (size_t a = 0; a < sc->n_arms; a++)
      if ((slots += ks_scenario_block_slots(sc, a)) > KS_SCEN_MAX_BLOCK_SLOTS)
        return fail(L, v[ARMS]->items[a], "arms[%zu].ratio is %g: the allocation ratios need more than %d randomisation "
                    "slots per block (expected smaller ratios: each arm takes 2 x its ratio slots, rounded)", a,
                    sc->arms[a].ratio, KS_SCEN_MAX_BLOCK_SLOTS);
  }

  KS_TRY(load_design_keys(L, v[BLIND], v[CTRL], v[CONTR], v[MULT], v[ARMS]));

  if (!v[ASSESS]) return missing(L, root, "", "assessments", "assessments: {caps5: [0, 14]}");
  KS_TRY(load_assessments(L, v[ASSESS], ks_scenario_first_dose_day(sc), day_hi));
  if (v[FOLLOW]) KS_TRY(load_followup(L, v[FOLLOW]));
  KS_TRY(load_endpoints(L, v[ENDP], v[ASSESS]));
  if (v[IND]) KS_TRY(check_induction_selection(L, v[IND]));
  if (v[DROP]) KS_TRY(load_dropout(L, v[DROP]));
  KS_TRY(load_imaging(L, v[IMG]));
  int fm = 0;
  static const char *const fear[] = {"default", "latent-cause"};
  if (v[FEAR]) KS_TRY(get_enum(L, v[FEAR], "fear_model", "fear model", fear, 2, &fm));
  sc->fear_model = (ks_scen_fear_model)fm;
  sc->replicates = 1;
  if (v[REPL]) {
    KS_TRY(get_int(L, v[REPL], "replicates", 1, KS_SCENARIO_MAX_REPLICATES, &sc->replicates));
    if (sc->replicates * sc->population.n > 1000000000L)
      return fail(L, v[REPL], "replicates x population.n is %ld patients (expected at most 1000000000)",
                  sc->replicates * sc->population.n);
  }
  if (v[OPT]) KS_TRY(ks__scenario_optimize_parse(L->ctx, L->file, v[OPT], sc, NULL)); /* scenario_optimize.c */
  return KS_OK;
}

/* ---- entry points --------------------------------------------------------------------------- */

ks_status ks_scenario_load_string(ks_ctx *ctx, const char *name, const char *text, size_t len, ks_scenario **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, out != NULL);
  KS_CHECK_ARG(ctx, text != NULL || len == 0);
  const char *file = name ? name : "<scenario>";
  if (len > KS_SCENARIO_MAX_FILE_BYTES)
    return ks_ctx_fail_input(ctx, file, 0, 0, "the file is %zu bytes, above the 4 MiB limit for a scenario "
                             "(expected a scenario file of at most %zu bytes)", len, KS_SCENARIO_MAX_FILE_BYTES);
  ks_scenario *sc = ks_calloc(ctx, 1, sizeof *sc);
  if (!sc) return KS_ENOMEM;
  sc->owner_ = ctx;
  snprintf(sc->source, sizeof sc->source, "%s", file);
  yarena arena = {.ctx = ctx, .head = NULL};
  ynode *root = NULL;
  ks_status st = ks__yaml_parse(ctx, &arena, file, text ? text : "", len, &root);
  if (st == KS_OK) {
    loader L = {.ctx = ctx, .file = file, .sc = sc};
    st = load_root(&L, root);
    if (st == KS_ENOMEM && ks_ctx_last_status(ctx) != KS_ENOMEM)
      st = ks_ctx_fail(ctx, KS_ENOMEM, "out of memory while loading %s", file);
  }
  ks__yarena_free(&arena);
  if (st != KS_OK) {
    ks_scenario_destroy(&sc);
    return st;
  }
  *out = sc;
  return KS_OK;
}

ks_status ks_scenario_load(ks_ctx *ctx, const char *path, ks_scenario **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, path != NULL && out != NULL);
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return ks_ctx_fail_input(ctx, path, 0, 0, "cannot open the file: %s (expected a readable scenario file)", strerror(errno));
  /* Read at most the limit plus one byte: a larger file is refused without reading it all. */
  size_t cap = 65536, len = 0;
  char *buf = ks_malloc(ctx, cap);
  ks_status st = buf ? KS_OK : KS_ENOMEM;
  while (st == KS_OK) {
    if (len == cap) {
      size_t ncap = cap * 2 > KS_SCENARIO_MAX_FILE_BYTES + 1 ? KS_SCENARIO_MAX_FILE_BYTES + 1 : cap * 2;
      if (ncap <= cap) break;
      char *nb = ks_realloc(ctx, buf, ncap);
      if (!nb) {
        st = KS_ENOMEM;
        break;
      }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + len, 1, cap - len, fp);
    len += got;
    if (got == 0) {
      if (ferror(fp))
        st = errno == EISDIR ? ks_ctx_fail_input(ctx, path, 0, 0, "is a directory (expected a scenario file)")
                             : ks_ctx_fail_input(ctx, path, 0, 0, "cannot read the file: %s (expected a readable scenario file)", strerror(errno));
      break;
    }
  }
  if (st == KS_OK && len > KS_SCENARIO_MAX_FILE_BYTES) {
    /* Report the real size when the file system knows it. */
    long size = -1;
    if (fseek(fp, 0, SEEK_END) == 0) size = ftell(fp);
    if (size > 0)
      st = ks_ctx_fail_input(ctx, path, 0, 0, "the file is %ld bytes, above the 4 MiB limit for a scenario "
                             "(expected a scenario file of at most %zu bytes)", size, KS_SCENARIO_MAX_FILE_BYTES);
    else
      st = ks_ctx_fail_input(ctx, path, 0, 0, "the file is above the 4 MiB limit for a scenario "
                             "(expected a scenario file of at most %zu bytes)", KS_SCENARIO_MAX_FILE_BYTES);
  }
  fclose(fp);
  if (st == KS_OK) st = ks_scenario_load_string(ctx, path, buf, len, out);
  ks_free(ctx, buf);
  return st;
}
