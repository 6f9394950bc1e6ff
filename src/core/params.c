/* SPDX-License-Identifier: MIT */
/* Named model parameters: a context's overrides over the committed fitted set (core.h). */
#include "core_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "params_fitted.h"

double ks_model_param(const ks_ctx *ctx, const char *name, double fallback) {
  if (!name) return fallback;
  if (ctx) {
    const ks__param_table *t = ks__ctx_params_const(ctx);
    for (size_t i = 0; i < t->n; i++)
      if (!strcmp(t->name[i], name)) return t->value[i];
  }
  /* An unidentifiable parameter kept its start, the compiled default: the layer's own default
   * (FALLBACK) stands, so a later change of that default is not undone by a stale fit. */
  for (size_t i = 0; i < KS_ARRAY_LEN(ks__fitted); i++)
    if (ks__fitted[i].name && !strcmp(ks__fitted[i].name, name)) return isfinite(ks__fitted[i].sd) ? ks__fitted[i].value : fallback;
  return fallback;
}

ks_status ks_model_param_set(ks_ctx *ctx, const char *name, double value) {
  if (!ctx || !name || !*name || strlen(name) >= KS__PARAM_NAME || !isfinite(value))
    return ctx ? ks_ctx_fail(ctx, KS_EINVAL, "ks_model_param_set: invalid name or value") : KS_EINVAL;
  ks__param_table *t = ks__ctx_params(ctx);
  for (size_t i = 0; i < t->n; i++)
    if (!strcmp(t->name[i], name)) {
      t->value[i] = value;
      return KS_OK;
    }
  if (t->n >= KS__PARAM_MAX) return ks_ctx_fail(ctx, KS_ERANGE, "ks_model_param_set: more than %d parameters", KS__PARAM_MAX);
  snprintf(t->name[t->n], KS__PARAM_NAME, "%s", name);
  t->value[t->n++] = value;
  return KS_OK;
}

void ks_model_param_clear(ks_ctx *ctx) {
  if (ctx) ks__ctx_params(ctx)->n = 0;
}

int ks_model_param_fitted(const char *name, double *value) {
  for (size_t i = 0; i < KS_ARRAY_LEN(ks__fitted); i++)
    if (ks__fitted[i].name && name && !strcmp(ks__fitted[i].name, name)) {
      if (value) *value = ks__fitted[i].value;
      return 1;
    }
  return 0;
}

const char *ks_model_param_fitted_at(size_t i, double *value, double *sd, double *lo, double *hi) {
  if (i >= KS_ARRAY_LEN(ks__fitted) || !ks__fitted[i].name) return NULL;
  if (value) *value = ks__fitted[i].value;
  if (sd) *sd = ks__fitted[i].sd;
  if (lo) *lo = ks__fitted[i].lo;
  if (hi) *hi = ks__fitted[i].hi;
  return ks__fitted[i].name;
}

double ks_model_param_fitted_cov(size_t i, size_t j) {
  size_t n = KS_ARRAY_LEN(ks__fitted) - 1; /* without the NULL row */
  if (i >= n || j >= n || n * n > KS_ARRAY_LEN(ks__fitted_cov) - 1) return NAN;
  return ks__fitted_cov[i * n + j];
}
