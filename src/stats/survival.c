/* SPDX-License-Identifier: MIT */
/* Kaplan-Meier estimate with Greenwood's variance, the median and its Brookmeyer-Crowley interval,
 * and the two-group log-rank test. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats_internal.h"

typedef struct {
  double t;
  int ev;
  int grp;
} obs;

static int cmp_obs(const void *x, const void *y) {
  const obs *a = x, *b = y;
  return (a->t > b->t) - (a->t < b->t);
}

static ks_status check_obs(ks_ctx *ctx, const char *fn, const double *time, const int *event,
                           size_t i) {
  if (!(time[i] >= 0.0) || isinf(time[i]))
    return ks_ctx_fail(ctx, KS_EINVAL, "%s: time %g at index %zu (expected a finite value >= 0)", fn,
                       time[i], i);
  if (event[i] != 0 && event[i] != 1)
    return ks_ctx_fail(ctx, KS_EINVAL, "%s: event %d at index %zu (expected 0 or 1)", fn, event[i], i);
  return KS_OK;
}

/* The time at which a step curve y (values after each of the times x[0..n)) first reaches 0.5, as
 * R's survival:::findq: when y equals 0.5 (to sqrt(eps)) on a step, the midpoint of that step and
 * the next (or the last follow-up time x_max). Returns 0 when the curve never reaches 0.5.
 * One documented difference: for a non-monotone band (the upper log-band can rise after a drop)
 * R's approx() on unsorted values can pick a later crossing; we take the first, which is the end
 * of Brookmeyer and Crowley's set {t : 0.5 inside the band}. */
static int first_half(const double *x, const double *y, size_t n, double x_max, double *out) {
  const double tol = 1.4901161193847656e-08;
  for (size_t j = 0; j < n; j++) {
    if (fabs(y[j] - 0.5) < tol) {
      *out = 0.5 * (x[j] + (j + 1 < n ? x[j + 1] : x_max));
      return 1;
    }
    if (y[j] < 0.5) {
      *out = x[j];
      return 1;
    }
  }
  return 0;
}

ks_status ks_stats_km(ks_ctx *ctx, const double *time, const int *event, size_t n, double *t_curve,
                      double *surv, double *surv_lo, double *surv_hi, size_t *n_curve,
                      ks_km_summary *out) {
  KS_CHECK_ARG(ctx, time != NULL && event != NULL && out != NULL && n > 0);
  int want_curve = t_curve != NULL;
  KS_CHECK_ARG(ctx, !want_curve || (surv != NULL && surv_lo != NULL && surv_hi != NULL && n_curve != NULL));
  for (size_t i = 0; i < n; i++) KS_TRY(check_obs(ctx, __func__, time, event, i));
  /* One allocation: the sorted observations and four curve arrays of at most n event times. */
  size_t bytes = n * sizeof(obs) + 4 * n * sizeof(double);
  unsigned char *mem = ks_malloc(ctx, bytes);
  if (!mem) return KS_ENOMEM;
  obs *o = (obs *)(void *)mem;
  double *ct = (double *)(void *)(mem + n * sizeof(obs));
  double *cs = ct + n, *cl = cs + n, *ch = cl + n;
  for (size_t i = 0; i < n; i++) o[i] = (obs){time[i], event[i], 0};
  qsort(o, n, sizeof *o, cmp_obs);

  double z = ks__z_crit(0.95), s = 1.0, gw = 0.0;
  size_t m = 0, n_events = 0, i = 0;
  while (i < n) {
    size_t j = i, d = 0;
    while (j < n && o[j].t == o[i].t) d += (size_t)o[j++].ev;
    size_t at_risk = n - i;
    if (d > 0) {
      /* Kaplan & Meier (1958) product-limit step; Greenwood (1926) variance of log S. */
      s *= 1.0 - (double)d / (double)at_risk;
      if (at_risk > d) gw += (double)d / ((double)at_risk * (double)(at_risk - d));
      ct[m] = o[i].t;
      cs[m] = s;
      if (s > 0.0) {
        double se = sqrt(gw);
        cl[m] = s * exp(-z * se);
        ch[m] = fmin(1.0, s * exp(z * se));
      } else {
        cl[m] = ch[m] = 0.0; /* R reports NA here; the curve is at zero with no spread */
      }
      m++;
      n_events += d;
    }
    i = j;
  }
  ks_km_summary r;
  memset(&r, 0, sizeof r);
  r.n = n;
  r.n_events = n_events;
  double x_max = o[n - 1].t;
  r.has_median = first_half(ct, cs, m, x_max, &r.median);
  /* Brookmeyer & Crowley (1982) as in R: the median's interval runs from where the lower band
   * reaches 0.5 to where the upper band does. */
  size_t m_band = 0; /* the bands are undefined once S = 0 (R: NA), so they end there */
  while (m_band < m && cs[m_band] > 0.0) m_band++;
  r.has_median_lo = first_half(ct, cl, m_band, x_max, &r.median_lo);
  r.has_median_hi = first_half(ct, ch, m_band, x_max, &r.median_hi);
  if (want_curve) {
    memcpy(t_curve, ct, m * sizeof *ct);
    memcpy(surv, cs, m * sizeof *cs);
    memcpy(surv_lo, cl, m * sizeof *cl);
    memcpy(surv_hi, ch, m * sizeof *ch);
    *n_curve = m;
  }
  ks_free(ctx, mem);
  *out = r;
  return KS_OK;
}

ks_status ks_stats_logrank(ks_ctx *ctx, const double *time, const int *event, const int *group,
                           size_t n, int g_treat, int g_ctrl, ks_logrank_result *out) {
  KS_CHECK_ARG(ctx, time != NULL && event != NULL && group != NULL && out != NULL);
  KS_CHECK_ARG(ctx, g_treat != g_ctrl);
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (group[i] == g_treat || group[i] == g_ctrl) {
      KS_TRY(check_obs(ctx, __func__, time, event, i));
      m++;
    }
  if (m < 2) return ks_ctx_fail(ctx, KS_EINVAL, "%s: %zu observations (expected at least 2)", __func__, m);
  obs *o = ks_malloc(ctx, m * sizeof *o);
  if (!o) return KS_ENOMEM;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (group[i] == g_treat || group[i] == g_ctrl)
      o[k++] = (obs){time[i], event[i], group[i] == g_treat};
  qsort(o, m, sizeof *o, cmp_obs);
  size_t n1 = 0;
  for (size_t i = 0; i < m; i++) n1 += (size_t)o[i].grp;
  /* Mantel (1966): hypergeometric mean and variance of the treated deaths at each event time. */
  double obs1 = 0.0, exp1 = 0.0, var = 0.0;
  size_t i = 0;
  while (i < m) {
    size_t j = i, d = 0, d1 = 0, c1 = 0;
    while (j < m && o[j].t == o[i].t) {
      d += (size_t)o[j].ev;
      d1 += (size_t)(o[j].ev && o[j].grp);
      c1 += (size_t)o[j].grp;
      j++;
    }
    double nr = (double)(m - i), nr1 = (double)n1, dd = (double)d;
    if (d > 0) {
      obs1 += (double)d1;
      exp1 += dd * nr1 / nr;
      if (nr > 1.0) var += dd * (nr1 / nr) * (1.0 - nr1 / nr) * (nr - dd) / (nr - 1.0);
    }
    n1 -= c1;
    i = j;
  }
  ks_free(ctx, o);
  if (!(var > 0.0))
    return ks_ctx_fail(ctx, KS_EINVAL, "%s: no events, or one group empty (variance is zero)", __func__);
  out->observed_treat = obs1;
  out->expected_treat = exp1;
  out->chi2 = (obs1 - exp1) * (obs1 - exp1) / var;
  out->p = ks_stats_chi2_sf(out->chi2, 1.0);
  return KS_OK;
}
