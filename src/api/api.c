/* SPDX-License-Identifier: MIT */
/* Flat tables for bindings (include/ketasim/api.h): each question answered by the layers' own
 * public functions, copied into an owned table with a name and a unit per column. */
#include <ketasim/api.h>
#include <ketasim/pk.h>
#include <ketasim/plasticity.h>
#include <ketasim/receptor.h>
#include <ketasim/units.h>

#include "core/core_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct ks_table {
  ks_ctx *ctx;
  size_t n_rows, n_cols;
  char **names, **units;
  double *data;
};

size_t ks_table_n_rows(const ks_table *t) { return t ? t->n_rows : 0; }
size_t ks_table_n_cols(const ks_table *t) { return t ? t->n_cols : 0; }
const char *ks_table_col_name(const ks_table *t, size_t c) { return t && c < t->n_cols ? t->names[c] : NULL; }
const char *ks_table_col_unit(const ks_table *t, size_t c) { return t && c < t->n_cols ? t->units[c] : NULL; }
const double *ks_table_data(const ks_table *t) { return t ? t->data : NULL; }

void ks_table_destroy(ks_table **tp) {
  if (!tp || !*tp) return;
  ks_table *t = *tp;
  for (size_t c = 0; c < t->n_cols; c++) {
    if (t->names) ks_free(t->ctx, t->names[c]);
    if (t->units) ks_free(t->ctx, t->units[c]);
  }
  ks_free(t->ctx, t->names);
  ks_free(t->ctx, t->units);
  ks_free(t->ctx, t->data);
  ks_free(t->ctx, t);
  *tp = NULL;
}

/* A table of n_rows x n_cols with unnamed columns; data zeroed. */
static ks_status table_new(ks_ctx *ctx, size_t n_rows, size_t n_cols, ks_table **out) {
  if (n_cols && n_rows > ((size_t)-1 / sizeof(double)) / n_cols)
    return ks_ctx_fail(ctx, KS_ENOMEM, "table of %zu x %zu values is too large", n_rows, n_cols);
  ks_table *t = ks_calloc(ctx, 1, sizeof *t);
  if (!t) return KS_ENOMEM;
  t->ctx = ctx;
  t->n_rows = n_rows;
  t->n_cols = n_cols;
  t->names = ks_calloc(ctx, n_cols ? n_cols : 1, sizeof *t->names);
  t->units = ks_calloc(ctx, n_cols ? n_cols : 1, sizeof *t->units);
  t->data = ks_calloc(ctx, n_rows && n_cols ? n_rows * n_cols : 1, sizeof *t->data);
  if (!t->names || !t->units || !t->data) {
    t->n_cols = 0;
    ks_table_destroy(&t);
    return KS_ENOMEM;
  }
  *out = t;
  return KS_OK;
}

static ks_status table_col(ks_table *t, size_t c, const char *name, const char *unit) {
  t->names[c] = ks_strdup(t->ctx, name);
  t->units[c] = ks_strdup(t->ctx, unit);
  return t->names[c] && t->units[c] ? KS_OK : KS_ENOMEM;
}

ks_status ks_api_ctx_create(uint64_t seed, int n_threads, ks_ctx **out) {
  if (!out || n_threads < 0) return KS_EINVAL;
  ks_ctx_opts o = ks_ctx_opts_default();
  o.seed = seed;
  o.n_threads = n_threads;
  o.log_level = KS_LOG_ERROR;
  return ks_ctx_create(&o, out);
}

ks_status ks_api_trial_run(ks_ctx *ctx, const ks_scenario *sc, long n_patients, int n_threads, ks_trial_result **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, sc != NULL && out != NULL && n_patients >= 0 && n_threads >= 0);
  ks_trial_options o = ks_trial_options_default();
  o.n_patients = n_patients;
  o.n_threads = n_threads ? n_threads : ks_ctx_threads(ctx);
  return ks_trial_run(ctx, sc, &o, out);
}

/* ---- regimens ---- */

typedef struct {
  ks_pk_dose *doses;
  size_t n;
  double weight_kg;
  ks_pk_options opts;
} regimen;

static ks_status bad(ks_ctx *ctx, const char *field, const char *what) {
  return ks_ctx_fail(ctx, KS_EINPUT, "%s: %s", field, what);
}

static ks_status parse_time_h(ks_ctx *ctx, const char *field, const char *text, double *h) {
  char err[160];
  if (ks_units_parse(text, KS_DIM_TIME, h, err, sizeof err) != KS_OK) return bad(ctx, field, err);
  return KS_OK;
}

/* The regimen's doses (owned by ctx) and PK options; the same rules as `ketasim pk`. */
static ks_status regimen_build(ks_ctx *ctx, const ks_api_regimen *in, double end_h, regimen *out) {
  char err[160];
  memset(out, 0, sizeof *out);
  if (!in || !in->drug || !in->route || !in->dose) return bad(ctx, "regimen", "drug, route and dose are required");
  int drug = ks_drug_parse(in->drug), route = ks_route_parse(in->route);
  if (drug < 0) return bad(ctx, "drug", "unknown drug (expected ketamine, esketamine or midazolam)");
  if (route < 0) return bad(ctx, "route", "unknown route (expected iv, im, intranasal, oral, sublingual or rectal)");
  out->weight_kg = 70.0;
  if (in->weight && *in->weight && ks_units_parse(in->weight, KS_DIM_BODY_MASS, &out->weight_kg, err, sizeof err) != KS_OK)
    return bad(ctx, "weight", err);
  if (!(out->weight_kg >= 30.0 && out->weight_kg <= 250.0))
    return bad(ctx, "weight", "outside the supported range (expected 30-250 kg)");
  ks_dim dim = KS_DIM_NONE;
  double v = 0.0, dose_mg;
  if (ks_units_parse_any(in->dose, &dim, &v, err, sizeof err) != KS_OK) return bad(ctx, "dose", err);
  if (dim == KS_DIM_MASS) dose_mg = v;
  else if (dim == KS_DIM_MASS_PER_BODY_MASS) dose_mg = v * out->weight_kg;
  else return bad(ctx, "dose", "not an amount (expected mg or mg/kg, e.g. 35 mg or 0.5 mg/kg)");
  if (!(isfinite(dose_mg) && dose_mg > 0.0)) return bad(ctx, "dose", "must be positive (expected e.g. 35 mg)");
  double infusion_h = 0.0, every_h = 0.0;
  if (in->infusion && *in->infusion) KS_TRY(parse_time_h(ctx, "infusion", in->infusion, &infusion_h));
  if (infusion_h > 0.0 && route != KS_ROUTE_IV) return bad(ctx, "infusion", "applies to the iv route only");
  if (!(infusion_h >= 0.0)) return bad(ctx, "infusion", "must not be negative (expected e.g. 40 min)");
  int repeat = in->repeat > 0 ? in->repeat : 1;
  if (repeat > 1000) return bad(ctx, "repeat", "at most 1000 doses");
  if (repeat > 1) {
    if (!in->every || !*in->every) return bad(ctx, "every", "required with repeat > 1 (expected e.g. 48 h)");
    KS_TRY(parse_time_h(ctx, "every", in->every, &every_h));
    if (!(every_h > infusion_h)) return bad(ctx, "every", "must be longer than the infusion");
  }
  if (in->model && *in->model) {
    if (!ks_pk_model_citation(in->model)) return bad(ctx, "model", "unknown PK model (see ks_pk_model_name)");
    if (!ks_pk_model_supports(in->model, (ks_drug)drug, (ks_route)route))
      return bad(ctx, "model", "this model cannot simulate that drug by that route");
  }
  if (!(end_h > 0.0 && end_h <= 24.0 * 365.0)) return bad(ctx, "duration", "must be positive and at most a year");
  out->doses = ks_calloc(ctx, (size_t)repeat, sizeof *out->doses);
  if (!out->doses) return KS_ENOMEM;
  for (int i = 0; i < repeat; i++)
    out->doses[i] = (ks_pk_dose){(ks_drug)drug, (ks_route)route, dose_mg, (double)i * every_h, infusion_h};
  out->n = (size_t)repeat;
  out->opts = ks_pk_options_default();
  out->opts.model[drug] = in->model && *in->model ? in->model : NULL;
  out->opts.allow_unstudied_doses = in->allow_unstudied != 0;
  out->opts.t_end_h = end_h;
  return KS_OK;
}

static ks_status grid_size(ks_ctx *ctx, double duration_h, double step_h, size_t *n) {
  if (!(step_h > 0.0 && duration_h / step_h <= 1e7))
    return bad(ctx, "step", "must be positive and give at most 1e7 points");
  *n = (size_t)floor(duration_h / step_h + 1e-9) + 1;
  return KS_OK;
}

ks_status ks_api_pk(ks_ctx *ctx, const ks_api_regimen *reg, double duration_h, double step_h, ks_table **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, out != NULL);
  regimen rg;
  ks_pk_sim *sim = NULL;
  ks_table *t = NULL;
  size_t n_t = 0;
  ks_status st = regimen_build(ctx, reg, duration_h, &rg);
  if (st == KS_OK) st = grid_size(ctx, duration_h, step_h, &n_t);
  if (st == KS_OK) {
    ks_pk_patient p = ks_pk_patient_typical(rg.weight_kg, 40.0, 0);
    st = ks_pk_sim_create(ctx, &p, rg.doses, rg.n, &rg.opts, &sim);
    if (st == KS_ERANGE) st = KS_EINPUT;
  }
  if (st == KS_OK) st = table_new(ctx, n_t, 1 + 3 * KS_SPECIES_N, &t);
  if (st == KS_OK) st = table_col(t, 0, "t_h", "h");
  for (int s = 0; s < KS_SPECIES_N && st == KS_OK; s++) {
    static const char *const kind[3] = {"plasma", "effect", "brain_unbound"};
    static const char *const unit[3] = {"ng/mL", "ng/mL", "uM"};
    for (int k = 0; k < 3 && st == KS_OK; k++) {
      char name[96];
      snprintf(name, sizeof name, "%s_%s", ks_species_name((ks_species)s), kind[k]);
      st = table_col(t, 1 + 3 * (size_t)s + (size_t)k, name, unit[k]);
    }
  }
  for (size_t i = 0; i < n_t && st == KS_OK; i++) {
    double th = fmin((double)i * step_h, duration_h);
    ks_pk_conc c;
    if ((st = ks_pk_sim_eval(sim, th, &c)) != KS_OK) break;
    double *row = t->data + i * t->n_cols;
    row[0] = th;
    for (int s = 0; s < KS_SPECIES_N; s++) {
      row[1 + 3 * s] = c.plasma_ng_per_mL[s];
      row[2 + 3 * s] = c.effect_ng_per_mL[s];
      row[3 + 3 * s] = c.brain_unbound_uM[s];
    }
  }
  ks_pk_sim_destroy(&sim);
  ks_free(ctx, rg.doses);
  if (st != KS_OK) {
    ks_table_destroy(&t);
    return st;
  }
  *out = t;
  return KS_OK;
}

/* Units of the cascade's fields: relative to baseline unless they are fractions or percents. */
static const char *cascade_unit(const char *field) {
  if (strncmp(field, "block", 5) == 0 || strcmp(field, "window") == 0 || strstr(field, "occupancy")) return "1";
  if (strstr(field, "_pct")) return "%";
  return "rel";
}

ks_status ks_api_cascade(ks_ctx *ctx, const ks_api_regimen *reg, double duration_h, double step_h, double deficit,
                         ks_table **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, out != NULL);
  regimen rg;
  ks_pk_sim *sim = NULL;
  ks_table *t = NULL;
  double *tg = NULL;
  ks_cascade_point *pt = NULL;
  size_t n_t = 0, nf = ks_cascade_point_n_fields();
  ks_status st = regimen_build(ctx, reg, duration_h, &rg);
  if (st == KS_OK) st = grid_size(ctx, duration_h, step_h, &n_t);
  if (st == KS_OK && !(deficit < 0.0 || deficit <= 0.6)) st = bad(ctx, "deficit", "outside 0-0.6");
  if (st == KS_OK) {
    ks_pk_patient p = ks_pk_patient_typical(rg.weight_kg, 40.0, 0);
    st = ks_pk_sim_create(ctx, &p, rg.doses, rg.n, &rg.opts, &sim);
    if (st == KS_ERANGE) st = KS_EINPUT;
  }
  if (st == KS_OK) {
    tg = ks_calloc(ctx, n_t, sizeof *tg);
    pt = ks_calloc(ctx, n_t, sizeof *pt);
    if (!tg || !pt) st = KS_ENOMEM;
  }
  if (st == KS_OK) {
    for (size_t i = 0; i < n_t; i++) tg[i] = fmin((double)i * step_h, duration_h);
    ks_exposure ex;
    ks_pk_sim_exposure(sim, &ex);
    ks_cascade_params cp = ks_cascade_params_default();
    if (deficit >= 0.0) cp.spine_deficit_pfc = deficit;
    ks_receptor_params rp = ks_receptor_params_default();
    st = ks_cascade_solve(ctx, &cp, &rp, &ex, tg, n_t, pt);
  }
  /* The cascade point's own first field is its time, t_h. */
  if (st == KS_OK) st = table_new(ctx, n_t, nf, &t);
  for (size_t f = 0; f < nf && st == KS_OK; f++)
    st = table_col(t, f, ks_cascade_point_field_name(f), f == 0 ? "h" : cascade_unit(ks_cascade_point_field_name(f)));
  for (size_t i = 0; i < n_t && st == KS_OK; i++)
    for (size_t f = 0; f < nf; f++) t->data[i * t->n_cols + f] = ks_cascade_point_field(&pt[i], f);
  ks_pk_sim_destroy(&sim);
  ks_free(ctx, rg.doses);
  ks_free(ctx, tg);
  ks_free(ctx, pt);
  if (st != KS_OK) {
    ks_table_destroy(&t);
    return st;
  }
  *out = t;
  return KS_OK;
}

ks_status ks_api_trial(ks_ctx *ctx, const ks_trial_result *r, ks_table **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, r != NULL && out != NULL);
  size_t np = ks_trial_n_patients(r), nv = ks_trial_n_visits(r);
  ks_table *t = NULL;
  KS_TRY(table_new(ctx, np * nv, 4 + (size_t)KS_M_N, &t));
  static const char *const first[4][2] = {{"patient", "1"}, {"arm", "1"}, {"visit", "1"}, {"t_h", "h"}};
  ks_status st = KS_OK;
  for (size_t c = 0; c < 4 && st == KS_OK; c++) st = table_col(t, c, first[c][0], first[c][1]);
  for (int m = 0; m < KS_M_N && st == KS_OK; m++) st = table_col(t, 4 + (size_t)m, ks_measure_name((ks_measure)m),
                                                         ks_measure_unit((ks_measure)m));
  for (size_t i = 0; i < np && st == KS_OK; i++)
    for (size_t v = 0; v < nv; v++) {
      double *row = t->data + (i * nv + v) * t->n_cols;
      row[0] = (double)(i + 1);
      row[1] = (double)ks_trial_patient_arm(r, i);
      row[2] = (double)v;
      row[3] = ks_trial_visit_t_h(r, v);
      for (int m = 0; m < KS_M_N; m++) row[4 + m] = ks_trial_value(r, i, v, (ks_measure)m);
    }
  if (st != KS_OK) {
    ks_table_destroy(&t);
    return st;
  }
  *out = t;
  return KS_OK;
}

ks_status ks_api_trace(ks_ctx *ctx, const ks_trial_trace *tr, const char *name, ks_table **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, tr != NULL && name != NULL && out != NULL);
  const ks_trace_table *src = ks_trial_trace_find(tr, name);
  if (!src) return ks_ctx_fail(ctx, KS_EINPUT, "no trace table called \"%s\" (expected patient, doses, pk, cascade, fear or visits)", name);
  ks_table *t = NULL;
  KS_TRY(table_new(ctx, src->n_rows, src->n_cols, &t));
  ks_status st = KS_OK;
  for (size_t c = 0; c < src->n_cols && st == KS_OK; c++) st = table_col(t, c, src->col_names[c], src->col_units[c]);
  if (st != KS_OK) {
    ks_table_destroy(&t);
    return st;
  }
  if (src->n_rows && src->n_cols) memcpy(t->data, src->data, src->n_rows * src->n_cols * sizeof *t->data);
  *out = t;
  return KS_OK;
}
