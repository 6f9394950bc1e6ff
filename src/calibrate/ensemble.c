/* SPDX-License-Identifier: MIT */
/* The parameter ensemble of the committed calibration (Laplace draws) and prediction intervals of
 * a trial's endpoints over it (calibrate.h). */
#include "core/core_internal.h"
#include <ketasim/calibrate.h>
#include <ketasim/linalg.h>
#include <ketasim/rng.h>
#include <ketasim/scenario.h>
#include <ketasim/output.h>
#include <ketasim/trial.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* V reflected at the bounds of [lo, hi] until it lies inside. */
static double reflect(double v, double lo, double hi) {
  double w = hi - lo, t = fmod(v - lo, 2.0 * w);
  if (t < 0.0) t += 2.0 * w;
  return t <= w ? lo + t : hi - (t - w);
}

ks_status ks_ensemble_draw(ks_ctx *ctx, uint64_t seed, uint64_t k) {
  KS_CHECK_ARG(ctx, ctx != NULL);
  double v[KS_CALIB_MAX_PARAMS], sd[KS_CALIB_MAX_PARAMS], lo[KS_CALIB_MAX_PARAMS], hi[KS_CALIB_MAX_PARAMS];
  double z[KS_CALIB_MAX_PARAMS], l[KS_CALIB_MAX_PARAMS * KS_CALIB_MAX_PARAMS];
  const char *name[KS_CALIB_MAX_PARAMS];
  size_t n = 0, id[KS_CALIB_MAX_PARAMS], m = 0;
  while (n < KS_CALIB_MAX_PARAMS && (name[n] = ks_model_param_fitted_at(n, &v[n], &sd[n], &lo[n], &hi[n]))) {
    ks_rng r;
    ks_rng_init(&r, seed, KS_STREAM_ENSEMBLE, n, k);
    int ident = isfinite(sd[n]) && sd[n] > 0.0;
    z[n] = ident ? ks_rng_normal(&r) : ks_rng_uniform(&r);
    if (ident) id[m++] = n;
    n++;
  }
  /* The Laplace covariance of the identifiable ones, L L' = cov. */
  for (size_t a = 0; a < m; a++)
    for (size_t b = 0; b < m; b++) l[a * m + b] = ks_model_param_fitted_cov(id[a], id[b]);
  int have_cov = m > 0;
  for (size_t a = 0; a < m * m; a++) have_cov = have_cov && isfinite(l[a]);
  if (have_cov && ks_la_chol(l, m, 0.0) != 0) have_cov = 0;
  double x[KS_CALIB_MAX_PARAMS];
  for (size_t i = 0; i < n; i++) x[i] = lo[i] + (hi[i] - lo[i]) * z[i]; /* unidentifiable: uniform */
  for (size_t a = 0; a < m; a++) {
    double dx = 0.0;
    if (have_cov)
      for (size_t b = 0; b <= a; b++) dx += l[a * m + b] * z[id[b]];
    else
      dx = sd[id[a]] * z[id[a]]; /* a fitted set without its covariance: independent normals */
    x[id[a]] = reflect(v[id[a]] + dx, lo[id[a]], hi[id[a]]);
  }
  for (size_t i = 0; i < n; i++) KS_TRY(ks_model_param_set(ctx, name[i], x[i]));
  return KS_OK;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Type-7 percentile of the finite values of v[0..n) (sorted in place); NAN when none. */
static double percentile(double *v, size_t n, double q) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (isfinite(v[i])) v[m++] = v[i];
  if (m == 0) return NAN;
  qsort(v, m, sizeof *v, cmp_double);
  double h = (double)(m - 1) * q;
  size_t lo = (size_t)floor(h);
  size_t hi = lo + 1 < m ? lo + 1 : lo;
  return v[lo] + (h - (double)lo) * (v[hi] - v[lo]);
}

/* The endpoints of one run, in a fixed order: primary difference, then response and remission of
 * each group. Writes names (when `names`) and values; returns the count. */
static ks_status endpoints(ks_ctx *ctx, const ks_trial_result *r, ks_uncertainty_endpoint *names, double *val,
                           size_t *n) {
  *n = 0;
  ks_trial_primary p;
  KS_TRY(ks_trial_summarise(ctx, r, &p));
  if (names) {
    snprintf(names[0].name, sizeof names[0].name, "primary difference (%.70s)", p.contrast);
    names[0].estimate = p.valid ? p.difference : NAN;
    names[0].ci_lo = p.valid ? p.ci_lo : NAN;
    names[0].ci_hi = p.valid ? p.ci_hi : NAN;
  }
  val[(*n)++] = p.valid ? p.difference : NAN;
  for (size_t g = 0; g < ks_trial_n_groups(r) && *n + 2 <= KS_UNCERTAINTY_MAX; g++) {
    ks_trial_arm_summary a;
    KS_TRY(ks_trial_arm_summarise(ctx, r, g, &a));
    if (names) {
      snprintf(names[*n].name, sizeof names[*n].name, "response %.80s", a.name);
      names[*n].estimate = a.response_rate, names[*n].ci_lo = a.response_lo, names[*n].ci_hi = a.response_hi;
      snprintf(names[*n + 1].name, sizeof names[*n + 1].name, "remission %.80s", a.name);
      names[*n + 1].estimate = a.remission_rate, names[*n + 1].ci_lo = a.remission_lo;
      names[*n + 1].ci_hi = a.remission_hi;
    }
    val[(*n)++] = a.response_rate;
    val[(*n)++] = a.remission_rate;
  }
  return KS_OK;
}

ks_status ks_trial_uncertainty(ks_ctx *ctx, const ks_scenario *sc, const ks_trial_options *opts,
                               const ks_trial_result *base, size_t k, ks_uncertainty *out) {
  KS_CHECK_ARG(ctx, sc && opts && base && out && k >= 2 && k <= 100000);
  memset(out, 0, sizeof *out);
  double first[KS_UNCERTAINTY_MAX];
  KS_TRY(endpoints(ctx, base, out->e, first, &out->n));
  double *draws = ks_calloc(ctx, k * KS_UNCERTAINTY_MAX, sizeof *draws);
  if (!draws) return KS_ENOMEM;
  ks_status st = KS_OK;
  for (size_t d = 0; d < k && st == KS_OK; d++) {
    ks_trial_result *r = NULL;
    if ((st = ks_ensemble_draw(ctx, ks_ctx_seed(ctx), d)) != KS_OK) break;
    if ((st = ks_trial_run(ctx, sc, opts, &r)) == KS_OK) {
      size_t n = 0;
      st = endpoints(ctx, r, NULL, &draws[d * KS_UNCERTAINTY_MAX], &n);
    }
    ks_trial_result_destroy(&r);
  }
  ks_model_param_clear(ctx);
  if (st == KS_OK) {
    double *col = ks_calloc(ctx, k, sizeof *col);
    if (!col) st = KS_ENOMEM;
    for (size_t e = 0; st == KS_OK && e < out->n; e++) {
      for (size_t d = 0; d < k; d++) col[d] = draws[d * KS_UNCERTAINTY_MAX + e];
      out->e[e].pi_lo = percentile(col, k, 0.025);
      for (size_t d = 0; d < k; d++) col[d] = draws[d * KS_UNCERTAINTY_MAX + e];
      out->e[e].pi_hi = percentile(col, k, 0.975);
    }
    ks_free(ctx, col);
    out->k = k;
    /* Endpoints the scenario does not define (no remission endpoint: NaN) are left out. */
    size_t m = 0;
    for (size_t e = 0; e < out->n; e++)
      if (isfinite(out->e[e].estimate)) out->e[m++] = out->e[e];
    out->n = m;
  }
  ks_free(ctx, draws);
  return st;
}

static cJSON *num_or_null(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

static cJSON *pair(double a, double b) {
  cJSON *arr = cJSON_CreateArray();
  cJSON_AddItemToArray(arr, num_or_null(a));
  cJSON_AddItemToArray(arr, num_or_null(b));
  return arr;
}

ks_status ks_uncertainty_write_json(ks_ctx *ctx, const char *path, const ks_uncertainty *u) {
  KS_CHECK_ARG(ctx, path && u);
  FILE *fp = fopen(path, "rb");
  if (!fp) return ks_ctx_fail(ctx, KS_EIO, "cannot read %s", path);
  fseek(fp, 0, SEEK_END);
  long len = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *text = len > 0 ? ks_malloc(ctx, (size_t)len + 1) : NULL;
  size_t got = text ? fread(text, 1, (size_t)len, fp) : 0;
  fclose(fp);
  if (!text || got != (size_t)len) {
    ks_free(ctx, text);
    return ks_ctx_fail(ctx, KS_EIO, "cannot read %s", path);
  }
  text[len] = '\0';
  cJSON *root = cJSON_Parse(text);
  ks_free(ctx, text);
  if (!root) return ks_ctx_fail(ctx, KS_EINPUT, "%s is not JSON", path);
  cJSON *unc = cJSON_CreateObject();
  cJSON_AddNumberToObject(unc, "draws", (double)u->k);
  cJSON_AddStringToObject(unc, "method",
                          "Laplace approximation at the calibration optimum (data/calibration/fitted.tsv): "
                          "identifiable parameters jointly ~ N(value, 2 H^-1) (full covariance, Cholesky), "
                          "reflected into their ranges; unidentifiable ones uniform over their range; same seed "
                          "for every draw (common random numbers), so the prediction interval is the "
                          "parameters' spread alone");
  cJSON *arr = cJSON_AddArrayToObject(unc, "endpoints");
  for (size_t i = 0; i < u->n; i++) {
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "endpoint", u->e[i].name);
    cJSON_AddItemToObject(e, "estimate", num_or_null(u->e[i].estimate));
    cJSON_AddItemToObject(e, "sampling_ci95", pair(u->e[i].ci_lo, u->e[i].ci_hi));
    cJSON_AddItemToObject(e, "prediction_interval95", pair(u->e[i].pi_lo, u->e[i].pi_hi));
    cJSON_AddItemToArray(arr, e);
  }
  cJSON_DeleteItemFromObject(root, "uncertainty");
  cJSON_AddItemToObject(root, "uncertainty", unc);
  char *out = cJSON_Print(root);
  cJSON_Delete(root);
  if (!out) return ks_ctx_fail(ctx, KS_ENOMEM, "cannot format %s", path);
  char tmp[1024];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  fp = fopen(tmp, "wb");
  int ok = fp && fputs(out, fp) >= 0 && fputc('\n', fp) != EOF;
  if (fp) ok = (fclose(fp) == 0) && ok;
  free(out);
  if (!ok || rename(tmp, path) != 0) {
    remove(tmp);
    return ks_ctx_fail(ctx, KS_EIO, "cannot write %s", path);
  }
  return KS_OK;
}
