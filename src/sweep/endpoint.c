/* SPDX-License-Identifier: MIT */
/* Endpoints of a trial result as one number each, for sensitivity and optimisation (sweep.h).
 * Response and remission come from the trial summary itself (ks_trial_arm_summarise), so a value
 * here is the value `ketasim run` reports for the same scenario. */
#include <ketasim/sweep.h>
#include <ketasim/stats.h>

#include <math.h>
#include <string.h>

#include "core/core_internal.h"

static const char *const names[KS_EP_N] = {"primary", "response", "remission", "change", "durability",
                                           "cadss_mean", "cadss_p95", "sbp_peak_p95"};
static const char *const units[KS_EP_N] = {"points", "proportion", "proportion", "points", "days",
                                           "points", "points", "mmHg"};

const char *ks_endpoint_name(ks_endpoint_kind k) { return (unsigned)k < KS_EP_N ? names[k] : "?"; }
const char *ks_endpoint_unit(ks_endpoint_kind k) { return (unsigned)k < KS_EP_N ? units[k] : "?"; }
int ks_endpoint_parse(const char *name) {
  for (int i = 0; name && i < KS_EP_N; i++)
    if (!strcmp(name, names[i])) return i;
  return -1;
}

/* Restricted mean time to loss of response: the area under the Kaplan-Meier curve up to the
 * longest observed time. */
static ks_status durability_rmst(ks_ctx *ctx, const ks_trial_result *r, int g, double *value) {
  size_t n = ks_trial_n_patients(r), m = 0;
  double *days = ks_calloc(ctx, 5 * n + 1, sizeof *days);
  int *event = ks_calloc(ctx, n + 1, sizeof *event);
  ks_status st = KS_ENOMEM;
  if (!days || !event) goto done;
  double *tc = days + n, *sv = tc + n, *slo = sv + n, *shi = slo + n;
  st = ks_trial_durability_data(ctx, r, (size_t)g, days, event, &m, NULL);
  if (st != KS_OK) goto done;
  *value = NAN;
  if (m == 0) goto done;
  size_t nc = 0;
  double tmax = 0.0;
  for (size_t i = 0; i < m; i++) tmax = fmax(tmax, days[i]);
  ks_km_summary km;
  st = ks_stats_km(ctx, days, event, m, tc, sv, slo, shi, &nc, &km);
  if (st != KS_OK) goto done;
  double area = 0.0, t_prev = 0.0, s_prev = 1.0;
  for (size_t i = 0; i < nc && tc[i] <= tmax; i++) {
    area += s_prev * (tc[i] - t_prev);
    t_prev = tc[i], s_prev = sv[i];
  }
  *value = area + s_prev * (tmax - t_prev);
done:
  ks_free(ctx, days);
  ks_free(ctx, event);
  return st;
}

/* Over the patients of group G: the mean of measure M over every visit (kind 0), or the 95th
 * percentile of each patient's highest value (kind 1). NaN when nothing was measured. */
static ks_status measure_stat(ks_ctx *ctx, const ks_trial_result *r, int g, ks_measure m, int kind, double *value) {
  size_t n = ks_trial_n_patients(r), nv = ks_trial_n_visits(r), cnt = 0, np = 0;
  double *peak = ks_calloc(ctx, n + 1, sizeof *peak), sum = 0.0;
  if (!peak) return KS_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    if (ks_trial_patient_arm(r, i) != g) continue;
    double hi = -INFINITY;
    for (size_t v = 0; v < nv; v++) {
      double x = ks_trial_value(r, i, v, m);
      if (!isfinite(x)) continue;
      sum += x, cnt++, hi = fmax(hi, x);
    }
    if (isfinite(hi)) peak[np++] = hi;
  }
  *value = NAN;
  ks_status st = KS_OK;
  if (kind == 0 && cnt) *value = sum / (double)cnt;
  if (kind == 1 && np) st = ks_stats_quantile(ctx, peak, np, 0.95, KS_NAN_REJECT, value);
  ks_free(ctx, peak);
  return st;
}

static ks_status group_mean_change(ks_ctx *ctx, const ks_trial_result *r, int g, double *value) {
  ks_trial_endpoints e;
  KS_TRY(ks_trial_endpoints_init(ctx, r, &e));
  double s = 0.0;
  size_t c = 0;
  for (size_t i = 0; i < e.n; i++)
    if (e.group[i] == g && isfinite(e.y[i])) s += e.y[i], c++;
  *value = c ? s / (double)c : NAN;
  ks_trial_endpoints_fini(&e);
  return KS_OK;
}

ks_status ks_endpoint_value(ks_ctx *ctx, const ks_trial_result *r, const ks_endpoint *e, double *value) {
  KS_CHECK_ARG(ctx, r && e && value && (unsigned)e->kind < KS_EP_N);
  const ks_scenario *sc = ks_trial_scenario(r);
  if (e->group < 0 || (size_t)e->group >= ks_trial_n_groups(r))
    return ks_ctx_fail(ctx, KS_EINPUT, "endpoint %s: group %d is not a group of the trial", names[e->kind], e->group);
  *value = NAN;
  switch (e->kind) {
  case KS_EP_PRIMARY: {
    ks_trial_primary p;
    KS_TRY(ks_trial_summarise(ctx, r, &p));
    if (!sc->primary.enabled) return ks_ctx_fail(ctx, KS_EINPUT, "endpoint primary: the scenario has no primary endpoint");
    if (p.valid) *value = p.difference;
    return KS_OK;
  }
  case KS_EP_RESPONSE:
  case KS_EP_REMISSION: {
    const ks_scen_endpoint *se = e->kind == KS_EP_RESPONSE ? &sc->response : &sc->remission;
    if (!se->enabled)
      return ks_ctx_fail(ctx, KS_EINPUT, "endpoint %s: the scenario defines no %s (expected endpoints.%s)",
                         names[e->kind], names[e->kind], names[e->kind]);
    ks_trial_arm_summary a;
    KS_TRY(ks_trial_arm_summarise(ctx, r, (size_t)e->group, &a));
    *value = e->kind == KS_EP_RESPONSE ? a.response_rate : a.remission_rate;
    return KS_OK;
  }
  case KS_EP_CHANGE:
    if (!sc->primary.enabled) return ks_ctx_fail(ctx, KS_EINPUT, "endpoint change: the scenario has no primary endpoint (its scale and day)");
    return group_mean_change(ctx, r, e->group, value);
  case KS_EP_DURABILITY:
    if (!sc->durability.enabled)
      return ks_ctx_fail(ctx, KS_EINPUT, "endpoint durability: the scenario has no durability endpoint (expected endpoints.durability)");
    return durability_rmst(ctx, r, e->group, value);
  case KS_EP_CADSS_MEAN: return measure_stat(ctx, r, e->group, KS_M_CADSS, 0, value);
  case KS_EP_CADSS_P95: return measure_stat(ctx, r, e->group, KS_M_CADSS, 1, value);
  case KS_EP_SBP_PEAK_P95: return measure_stat(ctx, r, e->group, KS_M_SBP_PEAK, 1, value);
  default: return KS_EINVAL;
  }
}
