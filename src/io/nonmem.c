/* SPDX-License-Identifier: MIT */
/* Reader of NONMEM / nlmixr2 dosing-and-observation data sets (layout in <ketasim/nonmem.h>).
 * Two passes over the file held in memory: declarations and the header row first (units must be
 * known before any value is converted), then the records, each checked where it is read so that
 * an error names its line and column. */
#include "core/core_internal.h"
#include <ketasim/io.h>
#include <ketasim/nonmem.h>
#include <ketasim/units.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NM_MAX_COLS 256
#define NM_MAX_BYTES (512L * 1024L * 1024L)

/* The columns ketasim reads; every other column is ignored. */
enum { C_ID = 0, C_TIME, C_AMT, C_RATE, C_DUR, C_EVID, C_CMT, C_DV, C_MDV, C_WT, C_AGE, C_SEX,
       C_DRUG, C_ROUTE, C_N };
static const char *const col_names[C_N] = {"ID",  "TIME", "AMT", "RATE", "DUR", "EVID",  "CMT",
                                           "DV",  "MDV",  "WT",  "AGE",  "SEX", "DRUG", "ROUTE"};
/* Columns that carry a declared unit, and their dimension (KS_DIM_N: years, handled here). */
enum { U_TIME = 0, U_AMT, U_DV, U_WT, U_AGE, U_N };
static const char *const unit_keys[U_N] = {"TIME", "AMT", "DV", "WT", "AGE"};
static const ks_dim unit_dims[U_N] = {KS_DIM_TIME, KS_DIM_MASS, KS_DIM_MASS_CONC,
                                      KS_DIM_BODY_MASS, KS_DIM_N};

static const char *const cmt_role_names[KS_NM_CMT_N] = {"depot", "central", "metabolite"};

const char *ks_nm_cmt_name(ks_nm_cmt c) {
  return (unsigned)c < KS_NM_CMT_N ? cmt_role_names[c] : "?";
}

/* Everything the reader carries between lines. */
typedef struct nm_reader {
  ks_ctx *ctx;
  const char *path;
  int col_of[C_N];                /* field index of each known column, -1 when absent */
  int header_line;
  int header_col[C_N];            /* 1-based column of each known column's name */
  double unit_factor[U_N];        /* to canonical; NAN when not declared */
  int cmt_number[KS_NM_CMT_N];    /* CMT number of each role; 0: none */
  ks_nm_data *d;
  size_t cap_rec, cap_subj;
} nm_reader;

/* One line split into fields (pointers into a scratch copy) with their 1-based columns. */
typedef struct nm_fields {
  int n;
  char *f[NM_MAX_COLS];
  int col[NM_MAX_COLS];
} nm_fields;

/* Split LINE (modified in place) at commas; KS_EINPUT when it has too many fields. */
static ks_status split(const char *path, ks_ctx *ctx, char *line, int line_no, nm_fields *out) {
  size_t n = ks_csv_split(line, out->f, out->col, NM_MAX_COLS);
  if (n > NM_MAX_COLS)
    return ks_ctx_fail_input(ctx, path, line_no, 1, "more than %d fields (expected at most %d)",
                             NM_MAX_COLS, NM_MAX_COLS);
  out->n = (int)n;
  return KS_OK;
}

static int is_missing(const char *s) { return s[0] == '\0' || strcmp(s, ".") == 0; }

/* ---- declarations ------------------------------------------------------------------------- */

/* "KEY=VALUE KEY=VALUE" tokens: calls fn for each; col is the token's 1-based column. */
typedef ks_status (*decl_fn)(nm_reader *r, const char *key, const char *val, const char *file,
                             int line, int col);

static ks_status each_pair(nm_reader *r, const char *text, const char *file, int line,
                           int col0, decl_fn fn) {
  const char *p = text;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == ',' || *p == ';') p++;
    if (!*p || *p == '\r' || *p == '\n') break;
    const char *tok = p;
    while (*p && *p != ' ' && *p != '\t' && *p != ',' && *p != ';' && *p != '\r') p++;
    char buf[96];
    size_t n = (size_t)(p - tok) < sizeof buf - 1 ? (size_t)(p - tok) : sizeof buf - 1;
    memcpy(buf, tok, n);
    buf[n] = '\0';
    int col = col0 > 0 ? col0 + (int)(tok - text) : 0;
    char *eq = strchr(buf, '=');
    if (!eq || eq == buf || !eq[1])
      return ks_ctx_fail_input(r->ctx, file, line, col, "'%s' is not KEY=VALUE (expected e.g. "
                               "TIME=h)", buf);
    *eq = '\0';
    KS_TRY(fn(r, buf, eq + 1, file, line, col));
  }
  return KS_OK;
}

static ks_status unit_decl(nm_reader *r, const char *key, const char *val, const char *file,
                           int line, int col) {
  for (int u = 0; u < U_N; u++) {
    if (strcasecmp(key, unit_keys[u]) != 0) continue;
    if (u == U_AGE) {
      if (strcmp(val, "y") && strcmp(val, "yr") && strcmp(val, "year") && strcmp(val, "years"))
        return ks_ctx_fail_input(r->ctx, file, line, col, "unit '%s' of AGE is not supported "
                                 "(expected y)", val);
      r->unit_factor[u] = 1.0;
      return KS_OK;
    }
    char text[112], err[160];
    snprintf(text, sizeof text, "1 %s", val);
    double f = NAN;
    if (ks_units_parse(text, unit_dims[u], &f, err, sizeof err) != KS_OK)
      return ks_ctx_fail_input(r->ctx, file, line, col, "unit '%s' of %s: %s", val,
                               unit_keys[u], err);
    r->unit_factor[u] = f;
    return KS_OK;
  }
  return ks_ctx_fail_input(r->ctx, file, line, col, "unknown column '%s' in units (expected "
                           "TIME, AMT, DV, WT or AGE; RATE is in AMT per TIME, DUR in TIME)", key);
}

static int cmt_role_parse(const char *s) {
  for (int c = 0; c < KS_NM_CMT_N; c++)
    if (strcasecmp(s, cmt_role_names[c]) == 0) return c;
  /* nlmixr2 model libraries name the central compartment "center" or "centr". */
  if (strcasecmp(s, "center") == 0 || strcasecmp(s, "centr") == 0) return KS_NM_CMT_CENTRAL;
  return -1;
}

static ks_status cmt_decl(nm_reader *r, const char *key, const char *val, const char *file,
                          int line, int col) {
  int role = cmt_role_parse(key);
  if (role < 0)
    return ks_ctx_fail_input(r->ctx, file, line, col, "unknown compartment '%s' (expected depot, "
                             "central or metabolite)", key);
  char *end = NULL;
  long v = strtol(val, &end, 10);
  if (!end || *end || v < 1 || v > 99)
    return ks_ctx_fail_input(r->ctx, file, line, col, "compartment number '%s' (expected an "
                             "integer 1-99)", val);
  r->cmt_number[role] = (int)v;
  return KS_OK;
}

static void set_decl(ks_nm_decl *d, const char *text, const char *file, int line, int col) {
  snprintf(d->text, sizeof d->text, "%s", text);
  d->file = file;
  d->line = line;
  d->col = col;
}

/* A comment line: "# key: value". Unknown keys are plain comments. */
static ks_status comment_line(nm_reader *r, const char *line, int line_no, int *cmt_in_file) {
  const char *p = line + 1;
  while (*p == ' ' || *p == '\t') p++;
  static const char *const keys[] = {"units:", "drug:", "route:", "cmt:"};
  for (int k = 0; k < 4; k++) {
    size_t n = strlen(keys[k]);
    if (strncasecmp(p, keys[k], n) != 0) continue;
    const char *v = p + n;
    while (*v == ' ' || *v == '\t') v++;
    int col = (int)(v - line) + 1;
    if (k == 0) return each_pair(r, v, r->path, line_no, col, unit_decl);
    if (k == 3) {
      if (!*cmt_in_file) memset(r->cmt_number, 0, sizeof r->cmt_number);
      *cmt_in_file = 1;
      return each_pair(r, v, r->path, line_no, col, cmt_decl);
    }
    char word[48];
    size_t m = 0;
    while (v[m] && v[m] != ' ' && v[m] != '\t' && v[m] != '\r' && m < sizeof word - 1) {
      word[m] = v[m];
      m++;
    }
    word[m] = '\0';
    set_decl(k == 1 ? &r->d->drug : &r->d->route, word, r->path, line_no, col);
    return KS_OK;
  }
  return KS_OK;
}

/* ---- header ------------------------------------------------------------------------------- */

static ks_status header_row(nm_reader *r, char *line, int line_no) {
  nm_fields fl;
  KS_TRY(split(r->path, r->ctx, line, line_no, &fl));
  r->header_line = line_no;
  for (int i = 0; i < fl.n; i++)
    for (int c = 0; c < C_N; c++) {
      if (strcasecmp(fl.f[i], col_names[c]) != 0) continue;
      if (r->col_of[c] >= 0)
        return ks_ctx_fail_input(r->ctx, r->path, line_no, fl.col[i], "column %s appears twice "
                                 "(expected each column once)", col_names[c]);
      r->col_of[c] = i;
      r->header_col[c] = fl.col[i];
    }
  if (r->col_of[C_ID] < 0 || r->col_of[C_TIME] < 0)
    return ks_ctx_fail_input(r->ctx, r->path, line_no, 1, "no %s column (expected a header row "
                             "with ID, TIME, AMT, EVID, CMT, DV, ...)",
                             r->col_of[C_ID] < 0 ? "ID" : "TIME");
  if (r->col_of[C_RATE] >= 0 && r->col_of[C_DUR] >= 0)
    return ks_ctx_fail_input(r->ctx, r->path, line_no, r->header_col[C_DUR], "both RATE and DUR "
                             "columns (expected one of them)");
  /* Units are required for every column present that carries one. */
  static const int needs[U_N] = {C_TIME, C_AMT, C_DV, C_WT, C_AGE};
  for (int u = 0; u < U_N; u++) {
    if (r->col_of[needs[u]] < 0) continue;
    if (u == U_AGE && isnan(r->unit_factor[u])) r->unit_factor[u] = 1.0;  /* years by default */
    if (isnan(r->unit_factor[u]))
      return ks_ctx_fail_input(r->ctx, r->path, line_no, r->header_col[needs[u]], "units of %s "
                               "not declared (expected a line '# units: TIME=h AMT=mg DV=ng/mL "
                               "WT=kg' before the header, or --units)", unit_keys[u]);
  }
  return KS_OK;
}

/* ---- records ------------------------------------------------------------------------------ */

/* Number in field c of the row (NAN when the column is absent or the value missing). */
static ks_status num_field(nm_reader *r, const nm_fields *fl, int c, int line_no, double *v) {
  *v = NAN;
  int i = r->col_of[c];
  if (i < 0 || i >= fl->n || is_missing(fl->f[i])) return KS_OK;
  char *end = NULL;
  errno = 0;
  double x = strtod(fl->f[i], &end);
  if (!end || *end || errno == ERANGE || !isfinite(x))
    return ks_ctx_fail_input(r->ctx, r->path, line_no, fl->col[i], "%s '%s' is not a number "
                             "(expected a number, or '.' for missing)", col_names[c], fl->f[i]);
  *v = x;
  return KS_OK;
}

static int field_col(const nm_reader *r, const nm_fields *fl, int c) {
  int i = r->col_of[c];
  return (i >= 0 && i < fl->n) ? fl->col[i] : 1;
}

static ks_status grow(nm_reader *r) {
  ks_nm_data *d = r->d;
  if (d->n_rec == r->cap_rec) {
    size_t cap = r->cap_rec ? 2 * r->cap_rec : 256;
    ks_nm_record *p = ks_realloc(r->ctx, d->rec, cap * sizeof *p);
    if (!p) return KS_ENOMEM;
    d->rec = p;
    r->cap_rec = cap;
  }
  if (d->n_subj == r->cap_subj) {
    size_t cap = r->cap_subj ? 2 * r->cap_subj : 64;
    ks_nm_subject *p = ks_realloc(r->ctx, d->subj, cap * sizeof *p);
    if (!p) return KS_ENOMEM;
    d->subj = p;
    r->cap_subj = cap;
  }
  return KS_OK;
}

/* The compartment role of a record: CMT by number (declared map) or by name. */
static ks_status cmt_field(nm_reader *r, const nm_fields *fl, int line_no, int evid,
                           ks_nm_cmt *out) {
  int i = r->col_of[C_CMT];
  if (i < 0 || i >= fl->n || is_missing(fl->f[i])) {
    const ks_nm_record *rec = &r->d->rec[r->d->n_rec];
    const char *route = rec->route[0] ? rec->route : r->d->route.text;
    *out = (evid == 1 && route[0] && strcasecmp(route, "iv") != 0) ? KS_NM_CMT_DEPOT
                                                                  : KS_NM_CMT_CENTRAL;
    return KS_OK;
  }
  const char *s = fl->f[i];
  int role = cmt_role_parse(s);
  char *end = NULL;
  long v = strtol(s, &end, 10);
  if (role < 0 && end && !*end && end != s)
    for (int c = 0; c < KS_NM_CMT_N; c++)
      if (r->cmt_number[c] == v) role = c;
  if (role < 0) {
    char map[96] = "";
    size_t at = 0;
    for (int c = 0; c < KS_NM_CMT_N; c++)
      if (r->cmt_number[c] > 0 && at < sizeof map)
        at += (size_t)snprintf(map + at, sizeof map - at, "%s%d (%s)", at ? ", " : "",
                               r->cmt_number[c], cmt_role_names[c]);
    return ks_ctx_fail_input(r->ctx, r->path, line_no, fl->col[i], "unknown CMT '%s' (expected "
                             "%s, as declared by '# cmt:', or a name)", s, map);
  }
  *out = (ks_nm_cmt)role;
  return KS_OK;
}

static ks_status sex_field(nm_reader *r, const nm_fields *fl, int line_no, int *female) {
  *female = -1;
  int i = r->col_of[C_SEX];
  if (i < 0 || i >= fl->n || is_missing(fl->f[i])) return KS_OK;
  const char *s = fl->f[i];
  if (!strcmp(s, "0") || !strcasecmp(s, "M") || !strcasecmp(s, "male")) *female = 0;
  else if (!strcmp(s, "1") || !strcasecmp(s, "F") || !strcasecmp(s, "female")) *female = 1;
  else
    return ks_ctx_fail_input(r->ctx, r->path, line_no, fl->col[i], "SEX '%s' is not understood "
                             "(expected 0 male, 1 female, M or F)", s);
  return KS_OK;
}

/* Dose fields of a record with EVID 1: amount, infusion length and compartment checks. */
static ks_status dose_fields(nm_reader *r, const nm_fields *fl, int line_no, ks_nm_record *rec,
                             double amt) {
  if (!(amt > 0.0))
    return ks_ctx_fail_input(r->ctx, r->path, line_no,
                             field_col(r, fl, r->col_of[C_AMT] >= 0 ? C_AMT : C_EVID),
                             "EVID 1 (a dose) without a positive AMT (expected AMT > 0 on dose "
                             "records)");
  rec->amt_mg = amt * r->unit_factor[U_AMT];
  double rate = NAN, dur = NAN;
  KS_TRY(num_field(r, fl, C_RATE, line_no, &rate));
  KS_TRY(num_field(r, fl, C_DUR, line_no, &dur));
  if (rate < 0.0)
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, fl, C_RATE), "RATE %g is "
                             "not supported (expected RATE >= 0; modelled rates -1/-2 are not "
                             "supported: give RATE or DUR)", rate);
  if (dur < 0.0)
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, fl, C_DUR), "negative DUR "
                             "(expected a duration >= 0)");
  if (rate > 0.0) rec->infusion_h = amt / rate * r->unit_factor[U_TIME];
  else if (dur > 0.0) rec->infusion_h = dur * r->unit_factor[U_TIME];
  if (rec->cmt == KS_NM_CMT_METABOLITE)
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, fl, C_CMT), "a dose into "
                             "the metabolite compartment (expected CMT of the depot or central "
                             "compartment on dose records)");
  const char *route = rec->route[0] ? rec->route : r->d->route.text;
  if (rec->cmt == KS_NM_CMT_DEPOT && (!route[0] || strcasecmp(route, "iv") == 0))
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, fl, C_CMT), "a dose into "
                             "the depot but no extravascular route declared (expected a line "
                             "'# route: oral' or --route)");
  if (rec->cmt == KS_NM_CMT_DEPOT && rec->infusion_h > 0.0)
    return ks_ctx_fail_input(r->ctx, r->path, line_no,
                             field_col(r, fl, r->col_of[C_RATE] >= 0 ? C_RATE : C_DUR),
                             "an infusion into the depot (expected RATE/DUR only on doses into "
                             "the central compartment)");
  return KS_OK;
}

/* Observation fields of a record with EVID 0. */
static ks_status obs_fields(nm_reader *r, const nm_fields *fl, int line_no, ks_nm_record *rec) {
  double dv = NAN, mdv = NAN;
  KS_TRY(num_field(r, fl, C_DV, line_no, &dv));
  KS_TRY(num_field(r, fl, C_MDV, line_no, &mdv));
  if (!isnan(mdv) && mdv != 0.0 && mdv != 1.0)
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, fl, C_MDV), "MDV %g "
                             "(expected 0 or 1)", mdv);
  rec->mdv = isnan(mdv) ? isnan(dv) : (int)mdv;
  if (!rec->mdv && isnan(dv))
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, fl, C_DV), "an observation "
                             "without DV (expected a concentration, or MDV 1)");
  if (!rec->mdv && dv < 0.0)
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, fl, C_DV), "negative "
                             "concentration %g (expected DV >= 0)", dv);
  if (!rec->mdv && rec->cmt == KS_NM_CMT_DEPOT)
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, fl, C_CMT), "an observation "
                             "in the depot (expected CMT of the central or metabolite "
                             "compartment on observation records)");
  rec->dv_ng_per_mL = isnan(dv) ? NAN : dv * r->unit_factor[U_DV];
  return KS_OK;
}

/* A new subject (checks that the ID has not been seen before). */
static ks_status subject_begin(nm_reader *r, const char *id, int line_no, int col) {
  ks_nm_data *d = r->d;
  for (size_t k = 0; k < d->n_subj; k++)
    if (strcmp(d->subj[k].id, id) == 0)
      return ks_ctx_fail_input(r->ctx, r->path, line_no, col, "ID %s appears again after other "
                               "IDs (expected each ID's records together)", id);
  if (strlen(id) >= sizeof d->subj[0].id)
    return ks_ctx_fail_input(r->ctx, r->path, line_no, col, "ID longer than %zu characters "
                             "(expected a short identifier)", sizeof d->subj[0].id - 1);
  ks_nm_subject *s = &d->subj[d->n_subj++];
  memset(s, 0, sizeof *s);
  snprintf(s->id, sizeof s->id, "%s", id);
  s->weight_kg = s->age_y = NAN;
  s->female = -1;
  s->first = d->n_rec;
  return KS_OK;
}

static ks_status data_row(nm_reader *r, char *line, int line_no) {
  nm_fields fl;
  KS_TRY(split(r->path, r->ctx, line, line_no, &fl));
  KS_TRY(grow(r));
  ks_nm_data *d = r->d;
  int ii = r->col_of[C_ID];
  const char *id = ii < fl.n ? fl.f[ii] : "";
  if (is_missing(id))
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, &fl, C_ID), "missing ID "
                             "(expected a subject identifier on every record)");
  ks_nm_subject *s = d->n_subj ? &d->subj[d->n_subj - 1] : NULL;
  double t = NAN, amt = NAN, ev = NAN;
  KS_TRY(num_field(r, &fl, C_TIME, line_no, &t));
  if (isnan(t))
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, &fl, C_TIME), "missing TIME "
                             "(expected a time on every record)");
  t *= r->unit_factor[U_TIME];
  if (!s || strcmp(s->id, id) != 0) {
    KS_TRY(subject_begin(r, id, line_no, field_col(r, &fl, C_ID)));
    s = &d->subj[d->n_subj - 1];
  } else if (s->n > 0 && t < d->rec[d->n_rec - 1].time_h) {
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, &fl, C_TIME), "TIME goes "
                             "backwards within ID %s (expected times ascending within an ID)", id);
  }
  KS_TRY(num_field(r, &fl, C_AMT, line_no, &amt));
  KS_TRY(num_field(r, &fl, C_EVID, line_no, &ev));
  if (isnan(amt)) amt = 0.0;
  int evid = isnan(ev) ? (amt > 0.0) : (int)ev;
  if (!isnan(ev) && (ev != floor(ev) || ev < 0.0 || ev > 4.0))
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, &fl, C_EVID), "EVID %g "
                             "(expected 0 observation, 1 dose or 2 other)", ev);
  if (evid == 3 || evid == 4)
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, &fl, C_EVID), "EVID %d (a "
                             "reset) is not supported (expected 0, 1 or 2; give each occasion "
                             "its own ID)", evid);
  ks_nm_record *rec = &d->rec[d->n_rec];
  *rec = (ks_nm_record){.line = line_no, .time_h = t, .evid = evid, .dv_ng_per_mL = NAN,
                        .mdv = 1};
  for (int c = C_DRUG; c <= C_ROUTE; c++) {
    int i = r->col_of[c];
    if (i < 0 || i >= fl.n || is_missing(fl.f[i])) continue;
    snprintf(c == C_DRUG ? rec->drug : rec->route, sizeof rec->drug, "%s", fl.f[i]);
    *(c == C_DRUG ? &rec->drug_col : &rec->route_col) = fl.col[i];
  }
  KS_TRY(cmt_field(r, &fl, line_no, evid, &rec->cmt));
  if (evid == 1) {
    KS_TRY(dose_fields(r, &fl, line_no, rec, amt));
    d->n_doses++;
  } else if (amt != 0.0) {
    return ks_ctx_fail_input(r->ctx, r->path, line_no, field_col(r, &fl, C_AMT), "AMT %g on a "
                             "record with EVID %d (expected AMT 0 or '.', or EVID 1 for a dose)",
                             amt, evid);
  } else if (evid == 0) {
    KS_TRY(obs_fields(r, &fl, line_no, rec));
    d->n_obs += !rec->mdv;
  }
  /* Covariates: the first non-missing value of each subject. */
  double wt = NAN, age = NAN;
  int female = -1;
  KS_TRY(num_field(r, &fl, C_WT, line_no, &wt));
  KS_TRY(num_field(r, &fl, C_AGE, line_no, &age));
  KS_TRY(sex_field(r, &fl, line_no, &female));
  if (isnan(s->weight_kg) && !isnan(wt)) s->weight_kg = wt * r->unit_factor[U_WT];
  if (isnan(s->age_y) && !isnan(age)) s->age_y = age * r->unit_factor[U_AGE];
  if (s->female < 0) s->female = female;
  d->n_rec++;
  s->n++;
  return KS_OK;
}

/* ---- driver ------------------------------------------------------------------------------- */

static ks_status read_all(ks_ctx *ctx, const char *path, char **buf, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return ks_ctx_fail(ctx, KS_EINPUT, "%s: cannot open (%s)", path, strerror(errno));
  size_t cap = 1 << 16, n = 0;
  char *b = ks_malloc(ctx, cap);
  while (b) {
    size_t got = fread(b + n, 1, cap - n - 1, fp);
    n += got;
    if (got == 0) break;
    if (n + 1 == cap) {
      if ((long)cap > NM_MAX_BYTES) {
        ks_free(ctx, b);
        fclose(fp);
        return ks_ctx_fail_input(ctx, path, 0, 0, "larger than %ld MB (expected a smaller data "
                                 "set)", NM_MAX_BYTES >> 20);
      }
      char *nb = ks_realloc(ctx, b, cap * 2);
      if (!nb) ks_free(ctx, b);
      b = nb;
      cap *= 2;
    }
  }
  int bad = ferror(fp);
  fclose(fp);
  if (!b) return KS_ENOMEM;
  if (bad) {
    ks_free(ctx, b);
    return ks_ctx_fail(ctx, KS_EINPUT, "%s: cannot read (is it a directory?)", path);
  }
  b[n] = '\0';
  if (memchr(b, '\0', n)) {
    ks_free(ctx, b);
    return ks_ctx_fail_input(ctx, path, 0, 0, "binary data (expected a CSV text file)");
  }
  *buf = b;
  *len = n;
  return KS_OK;
}

/* One pass over the lines of BUF: pass 0 reads the declarations and finds the header row,
 * pass 1 reads the header and the records. Lines are cut in place and restored. */
static ks_status each_line(nm_reader *r, char *buf, int pass, int *cmt_in_file) {
  int line_no = 0;
  char *p = buf;
  while (*p) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = '\0';
    line_no++;
    char *t = p;
    while (*t == ' ' || *t == '\t') t++;
    ks_status st = KS_OK;
    int blank = *t == '\0' || *t == '\r';
    if (pass == 0 && *t == '#') st = comment_line(r, p, line_no, cmt_in_file);
    else if (pass == 0 && !blank && r->header_line == 0) r->header_line = line_no;
    else if (pass == 1 && !blank && *t != '#' && line_no > r->header_line) {
      st = data_row(r, p, line_no);
    } else if (pass == 1 && line_no == r->header_line) {
      st = header_row(r, p, line_no);
    }
    if (nl) *nl = '\n';
    if (st != KS_OK) return st;
    if (!nl) break;
    p = nl + 1;
  }
  return KS_OK;
}

/* Parse BUF (NUL-terminated, modified in place) read from NAME. */
static ks_status parse(ks_ctx *ctx, const char *name, char *buf, const ks_nm_options *opts,
                       ks_nm_data **out) {
  ks_nm_options o = opts ? *opts : (ks_nm_options){0};
  ks_nm_data *d = ks_calloc(ctx, 1, sizeof *d);
  if (!d) return KS_ENOMEM;
  snprintf(d->path, sizeof d->path, "%s", name);
  nm_reader r = {.ctx = ctx, .path = d->path, .d = d};
  for (int c = 0; c < C_N; c++) r.col_of[c] = -1;
  for (int u = 0; u < U_N; u++) r.unit_factor[u] = NAN;
  r.cmt_number[KS_NM_CMT_DEPOT] = 1;
  r.cmt_number[KS_NM_CMT_CENTRAL] = 2;
  r.cmt_number[KS_NM_CMT_METABOLITE] = 3;
  int cmt_in_file = 0;
  ks_status st = each_line(&r, buf, 0, &cmt_in_file);
  /* Command-line declarations override the file's. */
  if (st == KS_OK && o.units) st = each_pair(&r, o.units, "--units", 0, 0, unit_decl);
  if (st == KS_OK && o.cmt) {
    memset(r.cmt_number, 0, sizeof r.cmt_number);
    st = each_pair(&r, o.cmt, "--cmt", 0, 0, cmt_decl);
  }
  if (o.drug) set_decl(&d->drug, o.drug, "--drug", 0, 0);
  if (o.route) set_decl(&d->route, o.route, "--route", 0, 0);
  if (st == KS_OK && r.header_line == 0)
    st = ks_ctx_fail_input(ctx, name, 0, 0, "no header row (expected a line of column names "
                           "such as ID,TIME,AMT,EVID,CMT,DV)");
  if (st == KS_OK) st = each_line(&r, buf, 1, &cmt_in_file);
  if (st == KS_OK && d->n_rec == 0)
    st = ks_ctx_fail_input(ctx, name, r.header_line, 0, "no records after the header (expected "
                           "one row per dose or observation)");
  if (st != KS_OK) {
    ks_nm_data_destroy(ctx, &d);
    return st;
  }
  *out = d;
  return KS_OK;
}

ks_status ks_nm_read(ks_ctx *ctx, const char *path, const ks_nm_options *opts, ks_nm_data **out) {
  KS_CHECK_ARG(ctx, path && out);
  char *buf = NULL;
  size_t len = 0;
  KS_TRY(read_all(ctx, path, &buf, &len));
  ks_status st = parse(ctx, path, buf, opts, out);
  ks_free(ctx, buf);
  return st;
}

ks_status ks_nm_read_string(ks_ctx *ctx, const char *name, const char *text, size_t len,
                            const ks_nm_options *opts, ks_nm_data **out) {
  KS_CHECK_ARG(ctx, name && (text || len == 0) && out);
  if (len > (size_t)NM_MAX_BYTES)
    return ks_ctx_fail_input(ctx, name, 0, 0, "larger than %ld MB (expected a smaller data set)",
                             NM_MAX_BYTES >> 20);
  if (len && memchr(text, '\0', len))
    return ks_ctx_fail_input(ctx, name, 0, 0, "binary data (expected a CSV text file)");
  char *buf = ks_malloc(ctx, len + 1);
  if (!buf) return KS_ENOMEM;
  if (len) memcpy(buf, text, len);
  buf[len] = '\0';
  ks_status st = parse(ctx, name, buf, opts, out);
  ks_free(ctx, buf);
  return st;
}

void ks_nm_data_destroy(ks_ctx *ctx, ks_nm_data **pd) {
  if (!pd || !*pd) return;
  ks_free(ctx, (*pd)->rec);
  ks_free(ctx, (*pd)->subj);
  ks_free(ctx, *pd);
  *pd = NULL;
}
