/* SPDX-License-Identifier: MIT */
/* The statistics of a trial's endpoints and the output files of the user contract. */
#include "output_internal.h"

#include <ketasim/io.h>
#include <ketasim/stats.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static double val(const ks_trial_result *r, size_t i, size_t v, int m) {
  return ks__trial_val(r, i, v, m); /* full or streamed layout (trial_internal.h) */
}

long ks__trial_find_visit(const ks_trial_result *r, ks_scen_visit at, int period) {
  int first_day = ks_scenario_first_dose_day(r->sc);
  double t = (double)period * r->plan.period_offset_h + ks_scen_visit_t_h(at, first_day);
  for (size_t v = 0; v < r->plan.n_visits; v++)
    if (r->plan.visit_period[v] == period && fabs(r->plan.visit_t_h[v] - t) < 1e-6) return (long)v;
  return -1;
}

/* Scale whose total measure M is (inverse of scale_measure), or -1. */
static int measure_scale(int m) {
  for (int s = 0; s < KS_SCALE_N; s++)
    if (ks_trial_scale_measure((ks_scen_scale)s) == m) return s;
  return -1;
}

/* The baseline visit of measure M in PERIOD: the last visit at or before the period's first dose
 * at which its scale is assessed; -1 when there is none. */
long ks__trial_baseline_visit(const ks_trial_result *r, int period, int m) {
  int s = measure_scale(m);
  if (s < 0) return -1;
  double t0 = (double)period * r->plan.period_offset_h + 24.0 * ks_scenario_first_dose_day(r->sc);
  long best = -1;
  for (size_t v = 0; v < r->plan.n_visits; v++)
    if (r->plan.visit_period[v] == period && r->plan.visit_t_h[v] <= t0 + 1e-9 && (r->plan.visit_scales[v] & (1u << s)))
      best = (long)v;
  return best;
}

/* ---- per-patient endpoints ------------------------------------------------------------------ */

/* The secondary endpoints of every patient (period 1), computed once per summary. */
typedef struct {
  signed char *resp;    /* 1 responder, 0 not, -1 not evaluable */
  signed char *remit;   /* likewise for remission */
  double *dur_days;     /* durability time (days), NaN when not in the durability set */
  int *dur_event;       /* 1 loss of response / relapse observed, 0 censored */
} trial_endpoints;

static void endpoints_free(ks_ctx *ctx, trial_endpoints *e) {
  ks_free(ctx, e->resp);
  ks_free(ctx, e->remit);
  ks_free(ctx, e->dur_days);
  ks_free(ctx, e->dur_event);
  memset(e, 0, sizeof *e);
}

/* Does score Y meet the endpoint: a drop of at least drop_pct from B0 (response), or a score
 * strictly below `below` (remission)? */
static int meets(const ks_scen_endpoint *ep, int is_response, double b0, double y) {
  if (is_response) return b0 > 0 && (b0 - y) / b0 * 100.0 >= ep->drop_pct;
  return y < ep->below;
}

static ks_status endpoints_compute(ks_ctx *ctx, const ks_trial_result *r, trial_endpoints *e) {
  const ks_scenario *sc = r->sc;
  size_t n = r->n;
  memset(e, 0, sizeof *e);
  e->resp = ks_calloc(ctx, n + 1, sizeof *e->resp);
  e->remit = ks_calloc(ctx, n + 1, sizeof *e->remit);
  e->dur_days = ks_calloc(ctx, n + 1, sizeof *e->dur_days);
  e->dur_event = ks_calloc(ctx, n + 1, sizeof *e->dur_event);
  if (!e->resp || !e->remit || !e->dur_days || !e->dur_event) {
    endpoints_free(ctx, e);
    return KS_ENOMEM;
  }
  const ks_scen_endpoint *eps[2] = {&sc->response, &sc->remission};
  signed char *flags[2] = {e->resp, e->remit};
  for (int k = 0; k < 2; k++) {
    const ks_scen_endpoint *ep = eps[k];
    int m = ep->enabled ? ks_trial_scale_measure(ep->scale) : -1;
    long v = m >= 0 ? ks__trial_find_visit(r, ep->at, 0) : -1, bv = m >= 0 ? ks__trial_baseline_visit(r, 0, m) : -1;
    for (size_t i = 0; i < n; i++) {
      double b0 = bv >= 0 ? val(r, i, (size_t)bv, m) : NAN, y = v >= 0 ? val(r, i, (size_t)v, m) : NAN;
      int evaluable = !isnan(y) && (k == 1 || (!isnan(b0) && b0 > 0));
      flags[k][i] = (signed char)(evaluable ? meets(ep, k == 0, b0, y) : -1);
    }
  }
  /* Durability: among responders (or remitters), days from that endpoint's visit to the first later
   * visit that no longer meets it; censored at the last observed visit. */
  int by_response = sc->durability.responders_only;
  const ks_scen_endpoint *ep = by_response ? &sc->response : &sc->remission;
  int m = ep->enabled ? ks_trial_scale_measure(ep->scale) : -1;
  long v = m >= 0 ? ks__trial_find_visit(r, ep->at, 0) : -1, bv = m >= 0 ? ks__trial_baseline_visit(r, 0, m) : -1;
  for (size_t i = 0; i < n; i++) {
    e->dur_days[i] = NAN;
    if (!sc->durability.enabled || v < 0 || bv < 0 || (by_response ? e->resp[i] : e->remit[i]) != 1) continue;
    double b0 = val(r, i, (size_t)bv, m), t_last = r->plan.visit_t_h[v];
    int event = 0;
    for (size_t w = (size_t)v + 1; w < r->plan.n_visits && !event; w++) {
      double yw = val(r, i, w, m);
      if (isnan(yw) || r->plan.visit_period[w] != 0) continue;
      t_last = r->plan.visit_t_h[w];
      event = !meets(ep, by_response, b0, yw);
    }
    e->dur_days[i] = (t_last - r->plan.visit_t_h[v]) / 24.0;
    e->dur_event[i] = event;
  }
  return KS_OK;
}

/* k of n evaluable patients of ARM with flag 1. */
static void count_flag(const ks_trial_result *r, const signed char *flag, int arm, size_t *k, size_t *n) {
  *k = *n = 0;
  for (size_t i = 0; i < r->n; i++)
    if (r->patients[i].arm == arm && flag[i] >= 0) {
      (*n)++;
      *k += flag[i] == 1;
    }
}

ks_status ks_trial_durability_data(ks_ctx *ctx, const ks_trial_result *r, size_t g, double *days, int *event,
                                   size_t *n, long *visit) {
  KS_CHECK_ARG(ctx, r && days && event && n && g < ks_trial_n_groups(r));
  *n = 0;
  const ks_scenario *sc = r->sc;
  const ks_scen_endpoint *ep = sc->durability.responders_only ? &sc->response : &sc->remission;
  int m = ep->enabled ? ks_trial_scale_measure(ep->scale) : -1;
  if (visit) *visit = m >= 0 && sc->durability.enabled ? ks__trial_find_visit(r, ep->at, 0) : -1;
  trial_endpoints e;
  KS_TRY(endpoints_compute(ctx, r, &e));
  for (size_t i = 0; i < r->n; i++)
    if (r->patients[i].arm == (int)g && !isnan(e.dur_days[i])) {
      days[*n] = e.dur_days[i];
      event[*n] = e.dur_event[i];
      (*n)++;
    }
  endpoints_free(ctx, &e);
  return KS_OK;
}

static void arm_summary(ks_ctx *ctx, const ks_trial_result *r, const trial_endpoints *e, int arm,
                        ks_trial_arm_summary *out, double *work, int *iwork) {
  const ks_scenario *sc = r->sc;
  memset(out, 0, sizeof *out);
  snprintf(out->name, sizeof out->name, "%s", sc->arms[arm].name);
  for (int s = 0; s < KS_SCALE_N; s++) out->baseline_mean[s] = out->baseline_sd[s] = NAN;
  for (size_t i = 0; i < r->n; i++) out->n += r->patients[i].arm == arm;
  /* Completion: the primary scale observed at the primary visit. */
  ks_scen_scale ps = sc->primary.enabled ? sc->primary.scale : KS_SCALE_CAPS5;
  long pv = sc->primary.enabled ? ks__trial_find_visit(r, sc->primary.at, 0) : (long)r->plan.n_visits - 1;
  for (size_t i = 0; i < r->n; i++)
    if (r->patients[i].arm == arm && pv >= 0 && !isnan(val(r, i, (size_t)pv, ks_trial_scale_measure(ps)))) out->n_completed++;
  for (int s = 0; s < KS_SCALE_N; s++) {
    int m = ks_trial_scale_measure((ks_scen_scale)s);
    long bv = m >= 0 ? ks__trial_baseline_visit(r, 0, m) : -1;
    if (bv < 0) continue;
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++)
      if (r->patients[i].arm == arm) work[k++] = val(r, i, (size_t)bv, m);
    ks_describe d;
    if (k && ks_stats_describe(ctx, work, k, KS_NAN_SKIP, &d) == KS_OK) {
      out->baseline_mean[s] = d.mean;
      out->baseline_sd[s] = d.has_sd ? d.sd : NAN;
    }
  }
  out->response_rate = out->response_lo = out->response_hi = NAN;
  out->remission_rate = out->remission_lo = out->remission_hi = NAN;
  out->median_days_to_loss_of_response = out->median_days_lo = out->median_days_hi = NAN;
  ks_proportion pr;
  count_flag(r, e->resp, arm, &out->response_k, &out->response_n);
  if (sc->response.enabled && out->response_n && ks_stats_proportion(ctx, out->response_k, out->response_n, 0.95, &pr) == KS_OK) {
    out->response_rate = pr.p;
    out->response_lo = pr.lo;
    out->response_hi = pr.hi;
  }
  count_flag(r, e->remit, arm, &out->remission_k, &out->remission_n);
  if (sc->remission.enabled && out->remission_n &&
      ks_stats_proportion(ctx, out->remission_k, out->remission_n, 0.95, &pr) == KS_OK) {
    out->remission_rate = pr.p;
    out->remission_lo = pr.lo;
    out->remission_hi = pr.hi;
  }
  size_t nd = 0;
  for (size_t i = 0; i < r->n; i++)
    if (r->patients[i].arm == arm && !isnan(e->dur_days[i])) {
      work[nd] = e->dur_days[i];
      iwork[nd] = e->dur_event[i];
      out->durability_events += (size_t)e->dur_event[i];
      nd++;
    }
  out->durability_n = nd;
  ks_km_summary km;
  if (nd > 0 && ks_stats_km(ctx, work, iwork, nd, NULL, NULL, NULL, NULL, NULL, &km) == KS_OK) {
    if (km.has_median) out->median_days_to_loss_of_response = km.median;
    if (km.has_median_lo) out->median_days_lo = km.median_lo;
    if (km.has_median_hi) out->median_days_hi = km.median_hi;
  }
  ks_ctx_clear_error(ctx); /* a statistic that cannot be computed is NaN, not an error */
}

/* Per-patient change from baseline (Y) and endpoint score (END) at the primary visit of period 0,
 * with the baseline (B) and the arm (G); returns the number of patients with both values. */
static size_t primary_rows(const ks_trial_result *r, int m, double *y, double *end, double *b, int *g) {
  long v = ks__trial_find_visit(r, r->sc->primary.at, 0), bv = ks__trial_baseline_visit(r, 0, m);
  size_t k = 0;
  for (size_t i = 0; v >= 0 && bv >= 0 && i < r->n; i++) {
    double yy = val(r, i, (size_t)v, m), bb = val(r, i, (size_t)bv, m);
    if (isnan(yy) || isnan(bb)) continue;
    y[k] = yy - bb; /* change from baseline; ANCOVA on change = on the score, same contrast */
    end[k] = yy;
    b[k] = bb;
    g[k] = r->patients[i].arm;
    k++;
  }
  return k;
}

/* Effect sizes of arm T minus arm C on rows [0, k): d on change SD (with its interval), d on
 * endpoint SD, Hedges' g. */
static void effect_sizes(ks_ctx *ctx, const double *y, const double *end, const int *g, size_t k, int t, int c,
                         double *work, double *d, double *d_lo, double *d_hi, double *d_end, double *hg) {
  *d = *d_lo = *d_hi = *d_end = *hg = NAN;
  for (int pass = 0; pass < 2; pass++) {
    const double *src = pass ? end : y;
    size_t n1 = 0, n2 = 0;
    for (size_t i = 0; i < k; i++)
      if (g[i] == t) work[n1++] = src[i];
    for (size_t i = 0; i < k; i++)
      if (g[i] == c) work[n1 + n2++] = src[i];
    ks_effect_size es;
    if (n1 < 2 || n2 < 2 || ks_stats_cohen_d(ctx, work, n1, work + n1, n2, 0.95, &es) != KS_OK) continue;
    if (pass) {
      *d_end = es.d;
    } else {
      *d = es.d, *d_lo = es.d_lo, *d_hi = es.d_hi, *hg = es.g;
    }
  }
}

/* Crossover: the mixed model of the change from each period's own baseline (the raw score when a
 * period has no baseline visit), y ~ treatment + period + sequence + (1 | patient). */
/* Per patient with both periods: d = change after arms[0] - change after arms[1], and the
 * sequence (0: arms[0] first). V: primary visit and B: baseline visit (or -1) of each period. */
static size_t crossover_differences(const ks_trial_result *r, int m, const long v[2], const long b[2], double *d,
                                    int *seq) {
  size_t k = 0;
  for (size_t i = 0; v[0] >= 0 && v[1] >= 0 && i < r->n; i++) {
    double c[2];
    for (int per = 0; per < 2; per++) {
      c[per] = val(r, i, (size_t)v[per], m);
      if (b[per] >= 0) c[per] -= val(r, i, (size_t)b[per], m);
    }
    if (isnan(c[0]) || isnan(c[1])) continue;
    seq[k] = r->patients[i].arm;
    d[k] = seq[k] == 0 ? c[0] - c[1] : c[1] - c[0];
    k++;
  }
  return k;
}

static void primary_crossover(ks_ctx *ctx, const ks_trial_result *r, int m, ks_trial_primary *pr) {
  size_t n = r->n;
  double *y = ks_calloc(ctx, 3 * n + 3, sizeof *y), *x = ks_calloc(ctx, 8 * n + 8, sizeof *x);
  int *subj = ks_calloc(ctx, 3 * n + 3, sizeof *subj);
  if (!y || !x || !subj) goto done;
  double *pd = y + 2 * n + 2;
  int *pseq = subj + 2 * n + 2;
  /* Patients with the endpoint in both periods (complete pairs): then the treatment effect is a
   * within-patient contrast whose Satterthwaite df is exactly n - 2, and ks_trial_primary_test
   * (power) reproduces it in closed form. */
  size_t k = 0;
  long vv[2], bb[2];
  for (int per = 0; per < 2; per++)
    vv[per] = ks__trial_find_visit(r, r->sc->primary.at, per), bb[per] = ks__trial_baseline_visit(r, per, m);
  for (int per = 0; per < 2; per++) {
    long v = vv[per], b = bb[per];
    for (size_t i = 0; v >= 0 && vv[1 - per] >= 0 && i < n; i++) {
      double a = val(r, i, (size_t)v, m), other = val(r, i, (size_t)vv[1 - per], m);
      if (b >= 0) a -= val(r, i, (size_t)b, m);
      if (bb[1 - per] >= 0) other -= val(r, i, (size_t)bb[1 - per], m);
      if (isnan(a) || isnan(other)) continue;
      int seq = r->patients[i].arm; /* 0: arms[0] first */
      int treat0 = ks__trial_period_arm(&r->plan, seq, (size_t)per) == 0;
      y[k] = a;
      subj[k] = (int)i;
      double *row = x + 4 * k;
      row[0] = 1.0, row[1] = treat0, row[2] = per, row[3] = seq;
      k++;
    }
  }
  static const double l_treat[4] = {0, 1, 0, 0};
  ks_lmm_ri_result lr;
  if (k >= 6 && ks_stats_lmm_ri(ctx, y, x, subj, k, 4, l_treat, &lr) == KS_OK) {
    /* Complete pairs: the treatment effect is a within-patient contrast, and at the REML optimum the
     * model's estimate, SE and Satterthwaite df have a closed form on the per-patient differences
     * (ks_trial_primary_test: period-adjusted mean difference, pooled SD, df n - 2). That form is
     * used for them, exact where the numerical REML optimum agrees to about 1e-7; the fit gives the
     * period and sequence effects. */
    size_t np = crossover_differences(r, m, vv, bb, pd, pseq);
    ks_trial_test tt;
    ks_trial_primary_test(ctx, 1, pd, NULL, pseq, np, &tt);
    if (tt.valid) {
      pr->valid = 1;
      pr->difference = tt.difference;
      pr->se = tt.se;
      pr->df = (double)tt.n_used - 2.0;
      double tq = ks_stats_t_quantile(0.975, pr->df);
      pr->ci_lo = pr->difference - tq * pr->se;
      pr->ci_hi = pr->difference + tq * pr->se;
      pr->p = tt.p;
    }
    pr->period_effect = lr.beta[2];
    pr->period_p = ks_stats_t_p2(lr.beta[2] / lr.se[2], pr->df);
    pr->sequence_effect = lr.beta[3];
    /* The sequence effect is a between-patient contrast: its own Satterthwaite df. */
    static const double l_seq[4] = {0, 0, 0, 1};
    ks_lmm_ri_result ls;
    if (ks_stats_lmm_ri(ctx, y, x, subj, k, 4, l_seq, &ls) == KS_OK) pr->sequence_p = ls.contrast.p;
    /* d on the pooled SD of the period changes under each treatment, as before: the two samples
     * (the design rows are no longer needed, so x holds them). */
    size_t a = 0, c = 0;
    for (int per = 0; per < 2; per++) {
      long v = ks__trial_find_visit(r, r->sc->primary.at, per), b = ks__trial_baseline_visit(r, per, m);
      for (size_t i = 0; v >= 0 && i < n; i++) {
        double d = val(r, i, (size_t)v, m);
        if (b >= 0) d -= val(r, i, (size_t)b, m);
        if (isnan(d)) continue;
        if (ks__trial_period_arm(&r->plan, r->patients[i].arm, (size_t)per) == 0) x[a++] = d;
        else x[4 * n + c++] = d;
      }
    }
    ks_effect_size es;
    if (a >= 2 && c >= 2 && ks_stats_cohen_d(ctx, x, a, x + 4 * n, c, 0.95, &es) == KS_OK) {
      pr->cohens_d = pr->cohens_d_change_sd = es.d;
      pr->cohens_d_lo = es.d_lo;
      pr->cohens_d_hi = es.d_hi;
      pr->hedges_g = es.g;
    }
    snprintf(pr->method, sizeof pr->method,
             "LMM on change: y ~ treatment + period + sequence + (1|patient), REML, Satterthwaite, complete pairs (n=%zu)",
             lr.n_subjects);
  }
done:
  ks_free(ctx, y);
  ks_free(ctx, x);
  ks_free(ctx, subj);
}

ks_status ks_trial_summarise(ks_ctx *ctx, const ks_trial_result *r, ks_trial_primary *pr) {
  const ks_scenario *sc = r->sc;
  memset(pr, 0, sizeof *pr);
  double *nan_fields[] = {&pr->difference, &pr->ci_lo, &pr->ci_hi, &pr->p, &pr->cohens_d, &pr->cohens_d_lo,
                          &pr->cohens_d_hi, &pr->se, &pr->df, &pr->cohens_d_change_sd, &pr->cohens_d_endpoint_sd,
                          &pr->hedges_g, &pr->period_effect, &pr->period_p, &pr->sequence_effect, &pr->sequence_p};
  for (size_t i = 0; i < KS_ARRAY_LEN(nan_fields); i++) *nan_fields[i] = NAN;
  if (!sc->primary.enabled) return KS_OK;
  int m = ks_trial_scale_measure(sc->primary.scale);
  if (m < 0) return KS_OK;
  pr->scale = sc->primary.scale;
  pr->day = ks_scen_visit_t_h(sc->primary.at, ks_scenario_first_dose_day(sc)) / 24.0;
  if (!sc->primary.at.by_time && !sc->primary.at.after_infusion) pr->day = sc->primary.at.value;
  if (sc->design == KS_DESIGN_CROSSOVER) {
    snprintf(pr->contrast, sizeof pr->contrast, "%s - %s", sc->arms[0].name, sc->arms[1].name);
    primary_crossover(ctx, r, m, pr);
    ks_ctx_clear_error(ctx);
    return KS_OK;
  }
  size_t n = r->n;
  double *y = ks_calloc(ctx, 4 * n + 4, sizeof *y);
  int *g = ks_calloc(ctx, n + 1, sizeof *g);
  if (!y || !g) {
    ks_free(ctx, y);
    ks_free(ctx, g);
    return KS_ENOMEM;
  }
  double *end = y + n, *b = y + 2 * n, *work = y + 3 * n;
  size_t k = primary_rows(r, m, y, end, b, g);
  if (sc->design == KS_DESIGN_SINGLE_ARM) {
    snprintf(pr->contrast, sizeof pr->contrast, "%s: change from baseline", sc->arms[0].name);
    ks_ttest_result tt;
    ks_describe d;
    if (k >= 2 && ks_stats_ttest_one(ctx, y, k, 0.0, 0.95, &tt) == KS_OK &&
        ks_stats_describe(ctx, y, k, KS_NAN_REJECT, &d) == KS_OK) {
      pr->valid = 1;
      pr->difference = tt.diff;
      pr->se = tt.se;
      pr->df = tt.df;
      pr->ci_lo = tt.ci_lo;
      pr->ci_hi = tt.ci_hi;
      pr->p = tt.p;
      /* d_z and its normal-approximation interval (var = 1/n + d^2 / (2n)); g = J(n - 1) d_z. */
      double dz = d.mean / d.sd, nn = (double)k, se = sqrt(1.0 / nn + dz * dz / (2.0 * nn));
      double df = nn - 1.0, J = exp(lgamma(df / 2.0) - lgamma((df - 1.0) / 2.0)) / sqrt(df / 2.0);
      pr->cohens_d = pr->cohens_d_change_sd = dz;
      pr->cohens_d_lo = dz - 1.959963984540054 * se;
      pr->cohens_d_hi = dz + 1.959963984540054 * se;
      pr->hedges_g = J * dz;
      snprintf(pr->method, sizeof pr->method, "one-sample t on change from baseline (single arm, n=%zu)", k);
    }
  } else if (sc->n_contrasts > 0) {
    int t = sc->contrasts[0].treat, c = sc->contrasts[0].ctrl;
    snprintf(pr->contrast, sizeof pr->contrast, "%s - %s", sc->arms[t].name, sc->arms[c].name);
    ks_ancova_result an;
    size_t k1 = 0, k2 = 0;
    for (size_t i = 0; i < k; i++) k1 += g[i] == t, k2 += g[i] == c;
    if (k1 >= 2 && k2 >= 2 && ks_stats_ancova(ctx, y, b, g, k, t, c, &an) == KS_OK) {
      pr->valid = 1;
      pr->difference = an.diff;
      pr->se = an.se;
      pr->df = an.df;
      pr->ci_lo = an.ci_lo;
      pr->ci_hi = an.ci_hi;
      pr->p = an.p;
      effect_sizes(ctx, y, end, g, k, t, c, work, &pr->cohens_d, &pr->cohens_d_lo, &pr->cohens_d_hi,
                   &pr->cohens_d_endpoint_sd, &pr->hedges_g);
      pr->cohens_d_change_sd = pr->cohens_d;
      snprintf(pr->method, sizeof pr->method, "ANCOVA on change, baseline covariate");
    }
  }
  ks_free(ctx, y);
  ks_free(ctx, g);
  ks_ctx_clear_error(ctx); /* a statistic that cannot be computed is reported as null, not an error */
  return KS_OK;
}

ks_status ks_trial_contrasts_summarise(ks_ctx *ctx, const ks_trial_result *r, ks_trial_contrasts *out) {
  KS_CHECK_ARG(ctx, r && out);
  const ks_scenario *sc = r->sc;
  memset(out, 0, sizeof *out);
  out->multiplicity = sc->multiplicity;
  out->critical_t = out->corr_max_error = NAN;
  int m = sc->primary.enabled ? ks_trial_scale_measure(sc->primary.scale) : -1;
  if (sc->design != KS_DESIGN_PARALLEL || m < 0 || sc->n_contrasts == 0) return KS_OK;
  size_t n = r->n;
  double *y = ks_calloc(ctx, 4 * n + 4, sizeof *y);
  int *g = ks_calloc(ctx, n + 1, sizeof *g);
  if (!y || !g) {
    ks_free(ctx, y);
    ks_free(ctx, g);
    return KS_ENOMEM;
  }
  double *end = y + n, *b = y + 2 * n, *work = y + 3 * n;
  size_t k = primary_rows(r, m, y, end, b, g);
  int treat[KS_SCENARIO_MAX_CONTRASTS], ctrl[KS_SCENARIO_MAX_CONTRASTS];
  out->n = sc->n_contrasts;
  for (size_t i = 0; i < sc->n_contrasts; i++) {
    ks_trial_contrast *c = &out->c[i];
    treat[i] = c->treat = sc->contrasts[i].treat;
    ctrl[i] = c->ctrl = sc->contrasts[i].ctrl;
    snprintf(c->name, sizeof c->name, "%s - %s", sc->arms[c->treat].name, sc->arms[c->ctrl].name);
    double *f[] = {&c->difference, &c->se, &c->df, &c->ci_lo, &c->ci_hi, &c->p, &c->p_adjusted, &c->ci_adj_lo,
                   &c->ci_adj_hi, &c->cohens_d_change_sd, &c->cohens_d_endpoint_sd, &c->hedges_g};
    for (size_t q = 0; q < KS_ARRAY_LEN(f); q++) *f[q] = NAN;
    double dl, dh;
    effect_sizes(ctx, y, end, g, k, c->treat, c->ctrl, work, &c->cohens_d_change_sd, &dl, &dh,
                 &c->cohens_d_endpoint_sd, &c->hedges_g);
  }
  ks_adjust adj = sc->multiplicity == KS_MULTIPLICITY_DUNNETT ? KS_ADJUST_DUNNETT
                : sc->multiplicity == KS_MULTIPLICITY_HOLM ? KS_ADJUST_HOLM : KS_ADJUST_NONE;
  ks_contrasts_result cr;
  if (k > 0 && ks_stats_ancova_contrasts(ctx, y, b, g, k, treat, ctrl, sc->n_contrasts, adj, &cr) == KS_OK) {
    out->critical_t = cr.crit;
    out->corr_max_error = adj == KS_ADJUST_DUNNETT ? cr.corr_max_error : NAN;
    for (size_t i = 0; i < sc->n_contrasts; i++) {
      ks_trial_contrast *c = &out->c[i];
      c->valid = 1;
      c->difference = cr.c[i].est;
      c->se = cr.c[i].se;
      c->df = cr.c[i].df;
      c->ci_lo = cr.c[i].ci_lo;
      c->ci_hi = cr.c[i].ci_hi;
      c->p = cr.c[i].p;
      c->p_adjusted = cr.p_adj[i];
      c->ci_adj_lo = cr.ci_adj_lo[i];
      c->ci_adj_hi = cr.ci_adj_hi[i];
    }
  }
  ks_free(ctx, y);
  ks_free(ctx, g);
  ks_ctx_clear_error(ctx);
  return KS_OK;
}

ks_status ks_trial_arm_expectancy(const ks_trial_result *r, size_t a, ks_trial_expectancy *out) {
  if (!r || !out || a >= r->plan.n_arms) return KS_EINVAL;
  const trial_arm_plan *ap = &r->plan.arms[a];
  *out = (ks_trial_expectancy){ap->expectancy_prior, ap->expectancy_after_first_dose, ap->expectancy,
                               ap->recognisability, ap->expectancy_same_day};
  return KS_OK;
}

/* The imaging subset's pairs for Norbury 2021: per patient with both scans, x = change in
 * vmPFC-amygdala FC (Fisher z), y = CAPS-5 improvement, fc0 = baseline FC, idx = patient index.
 * Patients of group ARM_ONLY when >= 0. Returns the number of pairs (arrays hold r->n). */
static size_t imaging_pairs(const ks_trial_result *r, int arm_only, double *x, double *y, double *fc0, size_t *idx) {
  long first = -1, last = -1;
  for (size_t v = 0; v < r->plan.n_visits; v++)
    if (r->plan.visit_scales[v] & (1u << KS_SCALE_SCAN)) {
      if (first < 0) first = (long)v;
      last = (long)v;
    }
  if (first < 0 || last == first) return 0;
  long cf = ks__trial_baseline_visit(r, 0, KS_M_CAPS5);
  size_t k = 0;
  size_t n_img = r->plan.n_imaged;
  for (size_t i = 0; i < r->n && i < n_img; i++) {
    if (arm_only >= 0 && r->patients[i].arm != arm_only) continue;
    double f0 = val(r, i, (size_t)first, KS_M_FC_VMPFC_AMYGDALA), f1 = val(r, i, (size_t)last, KS_M_FC_VMPFC_AMYGDALA);
    double c0 = val(r, i, (size_t)(cf >= 0 ? cf : first), KS_M_CAPS5), c1 = val(r, i, (size_t)last, KS_M_CAPS5);
    if (isnan(f0) || isnan(f1) || isnan(c0) || isnan(c1)) continue;
    x[k] = f1 - f0;
    y[k] = c0 - c1; /* improvement */
    fc0[k] = f0;
    idx[k] = i;
    k++;
  }
  return k;
}

/* Imaging: correlation across the imaging subset between the change in vmPFC-amygdala FC and
 * the change in CAPS-5 from the first to the last scan (Norbury 2021). */
double ks__trial_imaging_r(ks_ctx *ctx, const ks_trial_result *r, int arm_only) {
  double *x = ks_calloc(ctx, 3 * r->n + 3, sizeof *x);
  size_t *idx = ks_calloc(ctx, r->n + 1, sizeof *idx);
  ks_corr_result cr;
  int ok = x && idx;
  if (ok) {
    size_t k = imaging_pairs(r, arm_only, x, x + r->n, x + 2 * r->n, idx);
    ok = k >= 3 && ks_stats_pearson(ctx, x, x + r->n, k, 0.95, &cr) == KS_OK;
  }
  ks_free(ctx, x);
  ks_free(ctx, idx);
  if (!ok) ks_ctx_clear_error(ctx);
  return ok ? cr.r : NAN;
}

/* The LMM of the primary scale over the post-baseline visits up to the primary visit. */
static void secondary_lmm(ks_ctx *ctx, const ks_trial_result *r, int ta, int ca, ks_trial_secondary *out) {
  const ks_scenario *sc = r->sc;
  int m = ks_trial_scale_measure(sc->primary.scale);
  long pv = m >= 0 ? ks__trial_find_visit(r, sc->primary.at, 0) : -1, bv = m >= 0 ? ks__trial_baseline_visit(r, 0, m) : -1;
  if (pv < 0 || bv < 0) return;
  size_t nv = (size_t)(pv - bv), cap = r->n * nv + 1;
  double *y = ks_calloc(ctx, 3 * cap, sizeof *y);
  int *subj = ks_calloc(ctx, 2 * cap, sizeof *subj);
  if (!y || !subj) goto done;
  double *t = y + cap, *b = y + 2 * cap;
  int *grp = subj + cap;
  double t0_d = ks_scenario_first_dose_day(sc);
  size_t k = 0;
  for (size_t i = 0; i < r->n; i++) {
    double b0 = val(r, i, (size_t)bv, m);
    if (isnan(b0) || (r->patients[i].arm != ta && r->patients[i].arm != ca)) continue;
    for (size_t v = (size_t)bv + 1; v <= (size_t)pv; v++) {
      double yv = val(r, i, v, m);
      if (isnan(yv) || r->plan.visit_period[v] != 0 || !(r->plan.visit_scales[v] & (1u << sc->primary.scale))) continue;
      y[k] = yv;
      t[k] = r->plan.visit_t_h[v] / 24.0 - t0_d;
      b[k] = b0;
      subj[k] = (int)i;
      grp[k] = r->patients[i].arm;
      k++;
    }
  }
  ks_lmm_data d = {y, t, subj, grp, b, k};
  ks_lmm_result lr;
  if (k > 0 && ks_stats_lmm_fit(ctx, &d, ta, ca, r->plan.visit_t_h[pv] / 24.0 - t0_d, &lr) == KS_OK) {
    out->lmm_valid = 1;
    out->lmm_difference = lr.at_visit.est;
    out->lmm_ci_lo = lr.at_visit.ci_lo;
    out->lmm_ci_hi = lr.at_visit.ci_hi;
    out->lmm_p = lr.at_visit.p;
    out->lmm_slope_diff_per_day = lr.slope_diff.est;
    out->lmm_n_obs = lr.n_obs;
    out->lmm_n_subjects = lr.n_subjects;
  }
done:
  ks_free(ctx, y);
  ks_free(ctx, subj);
}

/* Imaging: bootstrap interval of r and the AUC of baseline FC for response. */
static void secondary_imaging(ks_ctx *ctx, const ks_trial_result *r, const trial_endpoints *e, ks_trial_secondary *out) {
  double *x = ks_calloc(ctx, 3 * r->n + 3, sizeof *x);
  size_t *idx = ks_calloc(ctx, r->n + 1, sizeof *idx);
  int *lab = ks_calloc(ctx, r->n + 1, sizeof *lab);
  if (!x || !idx || !lab) goto done;
  double *y = x + r->n, *fc0 = x + 2 * r->n;
  size_t k = imaging_pairs(r, -1, x, y, fc0, idx);
  out->imaging_n = k;
  ks_boot_result br;
  if (k >= 3 && ks_stats_pearson_boot(ctx, x, y, k, 2000, 0.95, r->plan.seed, r->plan.replicate, &br) == KS_OK) {
    out->imaging_r = br.estimate;
    out->imaging_r_lo = br.lo;
    out->imaging_r_hi = br.hi;
  }
  for (size_t j = 0; j < k; j++) lab[j] = e->resp[idx[j]];
  ks_auc_result au;
  if (k >= 4 && ks_stats_auc(ctx, fc0, lab, k, 0.95, &au) == KS_OK) {
    out->baseline_fc_response_auc = au.auc;
    out->baseline_fc_response_auc_lo = au.lo;
    out->baseline_fc_response_auc_hi = au.hi;
  }
done:
  ks_free(ctx, x);
  ks_free(ctx, idx);
  ks_free(ctx, lab);
}

ks_status ks_trial_secondary_summarise(ks_ctx *ctx, const ks_trial_result *r, ks_trial_secondary *out) {
  KS_CHECK_ARG(ctx, r && out);
  double *nan_fields[] = {
      &out->response_diff, &out->response_diff_lo, &out->response_diff_hi, &out->response_fisher_p,
      &out->remission_diff, &out->remission_diff_lo, &out->remission_diff_hi, &out->remission_fisher_p,
      &out->durability_logrank_chi2, &out->durability_logrank_p, &out->lmm_difference, &out->lmm_ci_lo,
      &out->lmm_ci_hi, &out->lmm_p, &out->lmm_slope_diff_per_day, &out->imaging_r, &out->imaging_r_lo,
      &out->imaging_r_hi, &out->baseline_fc_response_auc, &out->baseline_fc_response_auc_lo,
      &out->baseline_fc_response_auc_hi};
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < KS_ARRAY_LEN(nan_fields); i++) *nan_fields[i] = NAN;
  trial_endpoints e;
  KS_TRY(endpoints_compute(ctx, r, &e));
  const ks_scenario *sc = r->sc;
  if (sc->design == KS_DESIGN_PARALLEL && sc->n_contrasts >= 1) {
    int ta = sc->contrasts[0].treat, ca = sc->contrasts[0].ctrl; /* the primary contrast */
    out->valid = 1;
    const signed char *flags[2] = {e.resp, e.remit};
    const ks_scen_endpoint *eps[2] = {&sc->response, &sc->remission};
    double *dst[2][4] = {{&out->response_diff, &out->response_diff_lo, &out->response_diff_hi, &out->response_fisher_p},
                         {&out->remission_diff, &out->remission_diff_lo, &out->remission_diff_hi, &out->remission_fisher_p}};
    for (int k = 0; k < 2; k++) {
      size_t k1, n1, k2, n2;
      count_flag(r, flags[k], ta, &k1, &n1);
      count_flag(r, flags[k], ca, &k2, &n2);
      ks_risk_diff rd;
      ks_fisher_result fr;
      if (!eps[k]->enabled || !n1 || !n2) continue;
      if (ks_stats_risk_diff(ctx, k1, n1, k2, n2, 0.95, &rd) == KS_OK) {
        *dst[k][0] = rd.diff;
        *dst[k][1] = rd.lo;
        *dst[k][2] = rd.hi;
      }
      if (ks_stats_fisher_exact(ctx, k1, n1 - k1, k2, n2 - k2, &fr) == KS_OK) *dst[k][3] = fr.p;
    }
    size_t nd = 0;
    double *tt = ks_calloc(ctx, r->n + 1, sizeof *tt);
    int *ev = ks_calloc(ctx, 2 * r->n + 2, sizeof *ev);
    if (tt && ev) {
      for (size_t i = 0; i < r->n; i++)
        if (!isnan(e.dur_days[i]) && (r->patients[i].arm == ta || r->patients[i].arm == ca)) {
          tt[nd] = e.dur_days[i];
          ev[nd] = e.dur_event[i];
          ev[r->n + 1 + nd] = r->patients[i].arm;
          nd++;
        }
      ks_logrank_result lr;
      if (nd >= 2 && ks_stats_logrank(ctx, tt, ev, ev + r->n + 1, nd, ta, ca, &lr) == KS_OK) {
        out->durability_logrank_chi2 = lr.chi2;
        out->durability_logrank_p = lr.p;
      }
    }
    ks_free(ctx, tt);
    ks_free(ctx, ev);
    if (sc->primary.enabled) secondary_lmm(ctx, r, ta, ca, out);
  }
  secondary_imaging(ctx, r, &e, out);
  endpoints_free(ctx, &e);
  ks_ctx_clear_error(ctx); /* a statistic that cannot be computed is NaN, not an error */
  return KS_OK;
}

size_t ks_trial_n_groups(const ks_trial_result *r) { return r ? ks__trial_n_groups(r->sc) : 0; }

static const char *arm_label(const ks_trial_result *r, int arm, char *buf, size_t n);

const char *ks_trial_group_label(const ks_trial_result *r, size_t g, char *buf, size_t n) {
  return arm_label(r, (int)g, buf, n);
}

ks_status ks_trial_arm_summarise(ks_ctx *ctx, const ks_trial_result *r, size_t g, ks_trial_arm_summary *out) {
  KS_CHECK_ARG(ctx, r && out && g < ks_trial_n_groups(r));
  double *work = ks_calloc(ctx, r->n + 1, sizeof *work);
  int *iwork = ks_calloc(ctx, r->n + 1, sizeof *iwork);
  trial_endpoints e;
  ks_status st = (work && iwork) ? endpoints_compute(ctx, r, &e) : KS_ENOMEM;
  if (st == KS_OK) {
    arm_summary(ctx, r, &e, (int)g, out, work, iwork);
    endpoints_free(ctx, &e);
  }
  ks_free(ctx, work);
  ks_free(ctx, iwork);
  return st;
}

/* ---- output files --------------------------------------------------------------------------- */

static void json_num_or_null(ks_json *j, double v) {
  if (isfinite(v)) ks_json_num(j, v);
  else ks_json_null(j);
}

static void json_pair(ks_json *j, double a, double b) {
  ks_json_begin_array(j);
  json_num_or_null(j, a);
  json_num_or_null(j, b);
  ks_json_end_array(j);
}

static void json_pair_int(ks_json *j, size_t a, size_t b) {
  ks_json_begin_array(j);
  ks_json_int(j, (long long)a);
  ks_json_int(j, (long long)b);
  ks_json_end_array(j);
}

/* NAME_rate, NAME_ci95 and NAME_k_of_n of an arm's proportion. */
static void json_rate(ks_json *j, const char *name, double rate, double lo, double hi, size_t k, size_t n) {
  char key[48];
  snprintf(key, sizeof key, "%s_rate", name);
  ks_json_key(j, key);
  json_num_or_null(j, rate);
  snprintf(key, sizeof key, "%s_ci95", name);
  ks_json_key(j, key);
  json_pair(j, lo, hi);
  snprintf(key, sizeof key, "%s_k_of_n", name);
  ks_json_key(j, key);
  json_pair_int(j, k, n);
}

/* {"estimate": e, "ci95": [lo, hi], P_KEY: p} (no p when p_key is NULL). */
static void json_contrast(ks_json *j, double est, double lo, double hi, const char *p_key, double p) {
  ks_json_begin_object(j);
  ks_json_key(j, "estimate");
  json_num_or_null(j, est);
  ks_json_key(j, "ci95");
  json_pair(j, lo, hi);
  if (p_key) {
    ks_json_key(j, p_key);
    json_num_or_null(j, p);
  }
  ks_json_end_object(j);
}

static const char *arm_label(const ks_trial_result *r, int arm, char *buf, size_t n) {
  if (r->sc->design == KS_DESIGN_CROSSOVER)
    snprintf(buf, n, "%s-%s", r->sc->arms[arm].name, r->sc->arms[1 - arm].name);
  else
    snprintf(buf, n, "%s", r->sc->arms[arm].name);
  return buf;
}

static ks_status write_patients_csv(ks_ctx *ctx, const ks_trial_result *r, const char *path) {
  ks_afile *f = NULL;
  KS_TRY(ks_afile_open(ctx, path, &f));
  FILE *fp = ks_afile_stream(f);
  ks__trial_csv_header(fp); /* rows: stream.c, shared with streamed runs */
  for (size_t i = 0; i < r->n; i++) ks__trial_csv_patient(fp, r, i, r->values + i * r->plan.n_visits * KS_M_N);
  return ks_afile_commit(&f);
}

/* ---- summary.json, one piece per top-level key ------------------------------------------------ */

/* "design", "blinding", "notes", "n_screened", "n_randomized". */
static void json_design(ks_json *j, const ks_trial_result *r) {
  const ks_scenario *sc = r->sc;
  ks_json_key(j, "design");
  ks_json_str(j, ks_scen_design_name(sc->design));
  ks_json_key(j, "blinding");
  ks_json_str(j, ks_scen_blinding_name(sc->blinding));
  char notes[8][KS_TRIAL_NOTE_LEN];
  size_t nn = ks__trial_design_notes(sc, notes, 8);
  ks_json_key(j, "notes");
  ks_json_begin_array(j);
  for (size_t q = 0; q < nn; q++) ks_json_str(j, notes[q]);
  ks_json_end_array(j);
  ks_json_key(j, "n_screened");
  ks_json_int(j, (long long)r->n_screened);
  ks_json_key(j, "n_randomized");
  ks_json_int(j, (long long)r->n);
}

/* An arm's "control" (when it is a control arm) and "expectancy" (parallel and single-arm designs). */
static void json_arm_expectancy(ks_json *j, const ks_trial_result *r, size_t a) {
  const ks_scenario *sc = r->sc;
  ks_trial_expectancy ex;
  ks_trial_arm_expectancy(r, a, &ex);
  if (sc->arms[a].control != KS_ARM_CONTROL_NONE) {
    ks_json_key(j, "control");
    ks_json_str(j, ks_scen_arm_control_name(sc->arms[a].control));
  }
  ks_json_key(j, "expectancy");
  ks_json_begin_object(j);
  ks_json_key(j, "prior");
  json_num_or_null(j, ex.prior);
  ks_json_key(j, "after_first_dose");
  json_num_or_null(j, ex.after_first_dose);
  ks_json_key(j, "clinic");
  json_num_or_null(j, ex.clinic);
  ks_json_key(j, "recognisability");
  json_num_or_null(j, ex.recognisability);
  ks_json_key(j, "same_day");
  json_num_or_null(j, ex.same_day);
  ks_json_end_object(j);
}

/* An arm's "baseline": mean and SD of each scale assessed at baseline. */
static void json_arm_baseline(ks_json *j, const ks_trial_arm_summary *s) {
  ks_json_key(j, "baseline");
  ks_json_begin_object(j);
  for (int sc_i = 0; sc_i < KS_SCALE_N; sc_i++) {
    if (isnan(s->baseline_mean[sc_i])) continue;
    ks_json_key(j, ks_scen_scale_name((ks_scen_scale)sc_i));
    ks_json_begin_object(j);
    ks_json_key(j, "mean");
    json_num_or_null(j, s->baseline_mean[sc_i]);
    ks_json_key(j, "sd");
    json_num_or_null(j, s->baseline_sd[sc_i]);
    ks_json_end_object(j);
  }
  ks_json_end_object(j);
}

/* {"n", "mean", "sd"} of arm A's change of measure M from baseline visit BV to visit V, with
 * CHG as scratch ([r->n]). */
static void json_change_at(ks_ctx *ctx, ks_json *j, const ks_trial_result *r, int a, int m, size_t bv, size_t v,
                           double *chg) {
  size_t k = 0;
  for (size_t i = 0; i < r->n; i++) {
    if (r->patients[i].arm != a) continue;
    double d = val(r, i, v, m) - val(r, i, bv, m);
    if (!isnan(d)) chg[k++] = d;
  }
  ks_json_begin_object(j);
  ks_describe d;
  int ok = k > 0 && ks_stats_describe(ctx, chg, k, KS_NAN_REJECT, &d) == KS_OK;
  ks_json_key(j, "n");
  ks_json_int(j, (long long)k);
  ks_json_key(j, "mean");
  json_num_or_null(j, ok ? d.mean : NAN);
  ks_json_key(j, "sd");
  json_num_or_null(j, ok && d.has_sd ? d.sd : NAN);
  ks_json_end_object(j);
}

/* An arm's "change": change from baseline per scale and later period-1 visit (keys are visit
 * labels without "day "). */
static void json_arm_change(ks_ctx *ctx, ks_json *j, const ks_trial_result *r, int a, double *chg) {
  ks_json_key(j, "change");
  ks_json_begin_object(j);
  for (int sc_i = 0; sc_i < KS_SCALE_N; sc_i++) {
    int m = ks_trial_scale_measure((ks_scen_scale)sc_i);
    if (m < 0) continue;
    long bv = ks__trial_baseline_visit(r, 0, m);
    if (bv < 0) continue;
    int any = 0;
    for (size_t v = 0; v < r->plan.n_visits; v++) {
      if (!(r->plan.visit_scales[v] & (1u << sc_i)) || (long)v == bv || r->plan.visit_period[v] != 0) continue;
      if (r->plan.visit_t_h[v] <= r->plan.visit_t_h[bv]) continue;
      if (!any) {
        ks_json_key(j, ks_scen_scale_name((ks_scen_scale)sc_i));
        ks_json_begin_object(j);
        any = 1;
      }
      const char *lab = r->plan.visit_label[v];
      if (!strncmp(lab, "day ", 4)) lab += 4;
      ks_json_key(j, lab);
      json_change_at(ctx, j, r, a, m, (size_t)bv, v, chg);
    }
    if (any) ks_json_end_object(j);
  }
  ks_json_end_object(j);
}

/* One element of "arms". */
static ks_status json_arm(ks_ctx *ctx, ks_json *j, const ks_trial_result *r, size_t a, double *chg) {
  ks_trial_arm_summary s;
  KS_TRY(ks_trial_arm_summarise(ctx, r, a, &s));
  char lbl[2 * KS_SCENARIO_NAME_MAX + 2];
  ks_json_begin_object(j);
  ks_json_key(j, "name");
  ks_json_str(j, arm_label(r, (int)a, lbl, sizeof lbl));
  ks_json_key(j, "n");
  ks_json_int(j, (long long)s.n);
  ks_json_key(j, "n_completed");
  ks_json_int(j, (long long)s.n_completed);
  if (r->sc->design != KS_DESIGN_CROSSOVER) json_arm_expectancy(j, r, a);
  json_arm_baseline(j, &s);
  json_arm_change(ctx, j, r, (int)a, chg);
  json_rate(j, "response", s.response_rate, s.response_lo, s.response_hi, s.response_k, s.response_n);
  json_rate(j, "remission", s.remission_rate, s.remission_lo, s.remission_hi, s.remission_k, s.remission_n);
  ks_json_key(j, "median_days_to_loss_of_response");
  json_num_or_null(j, s.median_days_to_loss_of_response);
  ks_json_key(j, "median_days_to_loss_of_response_ci95");
  json_pair(j, s.median_days_lo, s.median_days_hi);
  ks_json_key(j, "durability_n_events");
  json_pair_int(j, s.durability_n, s.durability_events);
  ks_json_end_object(j);
  return KS_OK;
}

/* "primary": the primary analysis (ks_trial_summarise). */
static void json_primary(ks_json *j, const ks_scenario *sc, const ks_trial_primary *pr) {
  ks_json_key(j, "primary");
  ks_json_begin_object(j);
  ks_json_key(j, "scale");
  ks_json_str(j, ks_scen_scale_name(pr->scale));
  ks_json_key(j, "day");
  json_num_or_null(j, pr->valid ? pr->day : NAN);
  ks_json_key(j, "contrast");
  ks_json_str(j, pr->contrast);
  ks_json_key(j, "method");
  ks_json_str(j, pr->method);
  ks_json_key(j, "difference");
  json_num_or_null(j, pr->difference);
  ks_json_key(j, "se");
  json_num_or_null(j, pr->se);
  ks_json_key(j, "ci95");
  json_pair(j, pr->ci_lo, pr->ci_hi);
  ks_json_key(j, "p");
  json_num_or_null(j, pr->p);
  ks_json_key(j, "cohens_d");
  json_num_or_null(j, pr->cohens_d);
  ks_json_key(j, "cohens_d_ci95");
  json_pair(j, pr->cohens_d_lo, pr->cohens_d_hi);
  ks_json_key(j, "df");
  json_num_or_null(j, pr->df);
  ks_json_key(j, "cohens_d_change_sd");
  json_num_or_null(j, pr->cohens_d_change_sd);
  ks_json_key(j, "cohens_d_endpoint_sd");
  json_num_or_null(j, pr->cohens_d_endpoint_sd);
  ks_json_key(j, "hedges_g");
  json_num_or_null(j, pr->hedges_g);
  if (sc->design == KS_DESIGN_CROSSOVER) {
    ks_json_key(j, "period_effect");
    json_contrast(j, pr->period_effect, NAN, NAN, "p", pr->period_p);
    ks_json_key(j, "sequence_effect");
    json_contrast(j, pr->sequence_effect, NAN, NAN, "p", pr->sequence_p);
  }
  ks_json_end_object(j);
}

/* "multiplicity" and "contrasts" of a parallel design (ks_trial_contrasts_summarise). */
static ks_status json_contrasts(ks_ctx *ctx, ks_json *j, const ks_trial_result *r) {
  ks_trial_contrasts tc;
  KS_TRY(ks_trial_contrasts_summarise(ctx, r, &tc));
  ks_json_key(j, "multiplicity");
  ks_json_begin_object(j);
  ks_json_key(j, "method");
  ks_json_str(j, tc.multiplicity == KS_MULTIPLICITY_DUNNETT ? "Dunnett single-step (multivariate t), simultaneous 95% CI"
                 : tc.multiplicity == KS_MULTIPLICITY_HOLM ? "Holm step-down" : "none");
  ks_json_key(j, "critical_t");
  json_num_or_null(j, tc.critical_t);
  ks_json_key(j, "product_correlation_max_error");
  json_num_or_null(j, tc.corr_max_error);
  ks_json_end_object(j);
  ks_json_key(j, "contrasts");
  ks_json_begin_array(j);
  for (size_t q = 0; q < tc.n; q++) {
    const ks_trial_contrast *c = &tc.c[q];
    ks_json_begin_object(j);
    ks_json_key(j, "contrast");
    ks_json_str(j, c->name);
    ks_json_key(j, "difference");
    json_num_or_null(j, c->difference);
    ks_json_key(j, "se");
    json_num_or_null(j, c->se);
    ks_json_key(j, "ci95");
    json_pair(j, c->ci_lo, c->ci_hi);
    ks_json_key(j, "p");
    json_num_or_null(j, c->p);
    ks_json_key(j, "p_adjusted");
    json_num_or_null(j, c->p_adjusted);
    ks_json_key(j, "ci95_adjusted");
    json_pair(j, c->ci_adj_lo, c->ci_adj_hi);
    ks_json_key(j, "cohens_d_change_sd");
    json_num_or_null(j, c->cohens_d_change_sd);
    ks_json_key(j, "cohens_d_endpoint_sd");
    json_num_or_null(j, c->cohens_d_endpoint_sd);
    ks_json_key(j, "hedges_g");
    json_num_or_null(j, c->hedges_g);
    ks_json_end_object(j);
  }
  ks_json_end_array(j);
  return KS_OK;
}

/* "secondary": the secondary contrasts (empty for crossover and single-arm designs). */
static void json_secondary(ks_json *j, const ks_trial_primary *pr, const ks_trial_secondary *sec) {
  ks_json_key(j, "secondary");
  ks_json_begin_object(j);
  if (sec->valid) {
    ks_json_key(j, "contrast");
    ks_json_str(j, pr->contrast);
    ks_json_key(j, "response_difference");
    json_contrast(j, sec->response_diff, sec->response_diff_lo, sec->response_diff_hi, "fisher_p", sec->response_fisher_p);
    ks_json_key(j, "remission_difference");
    json_contrast(j, sec->remission_diff, sec->remission_diff_lo, sec->remission_diff_hi, "fisher_p",
                  sec->remission_fisher_p);
    ks_json_key(j, "durability_logrank");
    ks_json_begin_object(j);
    ks_json_key(j, "chi2");
    json_num_or_null(j, sec->durability_logrank_chi2);
    ks_json_key(j, "p");
    json_num_or_null(j, sec->durability_logrank_p);
    ks_json_end_object(j);
    ks_json_key(j, "mixed_model");
    ks_json_begin_object(j);
    ks_json_key(j, "method");
    ks_json_str(j, "REML LMM: score ~ arm * day + baseline + (1 + day | patient), Satterthwaite df");
    ks_json_key(j, "n_obs");
    ks_json_int(j, (long long)sec->lmm_n_obs);
    ks_json_key(j, "n_patients");
    ks_json_int(j, (long long)sec->lmm_n_subjects);
    ks_json_key(j, "difference_at_primary_day");
    json_contrast(j, sec->lmm_difference, sec->lmm_ci_lo, sec->lmm_ci_hi, "p", sec->lmm_p);
    ks_json_key(j, "slope_difference_per_day");
    json_num_or_null(j, sec->lmm_slope_diff_per_day);
    ks_json_end_object(j);
  }
  ks_json_end_object(j);
}

/* "imaging": the imaging subset's FC-symptom correlation, overall and by arm, and the AUC of
 * baseline FC for response. */
static void json_imaging(ks_ctx *ctx, ks_json *j, const ks_trial_result *r, const ks_trial_secondary *sec) {
  const ks_scenario *sc = r->sc;
  ks_json_key(j, "imaging");
  ks_json_begin_object(j);
  ks_json_key(j, "n");
  ks_json_int(j, (long long)sec->imaging_n);
  ks_json_key(j, "vmpfc_amygdala_fc_change_vs_caps5_change_r");
  json_num_or_null(j, sec->imaging_r);
  ks_json_key(j, "r_bootstrap_ci95");
  json_pair(j, sec->imaging_r_lo, sec->imaging_r_hi);
  ks_json_key(j, "baseline_fc_predicts_response_auc");
  json_contrast(j, sec->baseline_fc_response_auc, sec->baseline_fc_response_auc_lo, sec->baseline_fc_response_auc_hi,
                NULL, NAN);
  ks_json_key(j, "by_arm_r");
  ks_json_begin_object(j);
  for (size_t a = 0; a < ks_trial_n_groups(r) && sc->design == KS_DESIGN_PARALLEL; a++) {
    ks_json_key(j, sc->arms[a].name);
    json_num_or_null(j, ks__trial_imaging_r(ctx, r, (int)a));
  }
  ks_json_end_object(j);
  ks_json_end_object(j);
}

/* "run": how this run was made (wall time, threads, processes, provenance): the one key that
 * differs between runs of the same scenario and seed. */
static void json_run(ks_ctx *ctx, ks_json *j, double wall_s, int n_threads, int n_processes) {
  ks_json_key(j, "run");
  ks_json_begin_object(j);
  ks_json_key(j, "wall_s");
  ks_json_num(j, wall_s);
  ks_json_key(j, "threads");
  ks_json_int(j, n_threads);
  ks_json_key(j, "processes");
  ks_json_int(j, n_processes);
  ks_json_provenance(j, ctx);
  ks_json_end_object(j);
}

/* The body of summary.json, piece by piece (a piece that fails leaves the file to be aborted). */
static ks_status json_summary(ks_ctx *ctx, ks_json *j, const ks_trial_result *r, const ks_trial_primary *pr,
                              const ks_trial_secondary *sec, double *chg, double wall_s, int n_threads,
                              int n_processes) {
  const ks_scenario *sc = r->sc;
  ks_json_begin_object(j);
  ks_json_scenario_header(j, sc->name, sc->seed);
  json_design(j, r);
  ks_json_key(j, "arms");
  ks_json_begin_array(j);
  for (size_t a = 0; a < ks_trial_n_groups(r); a++) KS_TRY(json_arm(ctx, j, r, a, chg));
  ks_json_end_array(j);
  json_primary(j, sc, pr);
  if (sc->design == KS_DESIGN_PARALLEL) KS_TRY(json_contrasts(ctx, j, r));
  json_secondary(j, pr, sec);
  json_imaging(ctx, j, r, sec);
  json_run(ctx, j, wall_s, n_threads, n_processes);
  ks_json_end_object(j);
  ks_json_finish(j);
  return KS_OK;
}

static ks_status write_summary_json(ks_ctx *ctx, const ks_trial_result *r, const char *path, double wall_s,
                                    int n_threads, int n_processes) {
  double *chg = ks_calloc(ctx, r->n + 1, sizeof *chg);
  if (!chg) return KS_ENOMEM;
  ks_trial_primary pr;
  ks_trial_secondary sec;
  ks_status st = ks_trial_summarise(ctx, r, &pr);
  if (st == KS_OK) st = ks_trial_secondary_summarise(ctx, r, &sec);
  ks_afile *f = NULL;
  if (st == KS_OK) st = ks_afile_open(ctx, path, &f);
  if (st == KS_OK) {
    ks_json j;
    ks_json_init(&j, ks_afile_stream(f), 2);
    st = json_summary(ctx, &j, r, &pr, &sec, chg, wall_s, n_threads, n_processes);
    if (st == KS_OK) st = ks_afile_commit(&f);
    else ks_afile_abort(&f);
  }
  ks_free(ctx, chg);
  return st;
}

ks_status ks_trial_write(ks_ctx *ctx, const ks_trial_result *r, const char *dir, double wall_s, int n_threads,
                         int n_processes) {
  KS_CHECK_ARG(ctx, r && dir && *dir);
  KS_TRY(ks_mkdirs(ctx, dir));
  char path[4096];
  snprintf(path, sizeof path, "%s/scenario.resolved.yaml", dir);
  ks_afile *f = NULL;
  KS_TRY(ks_afile_open(ctx, path, &f));
  ks_status st = ks_scenario_write_resolved(ctx, r->sc, ks_afile_stream(f));
  if (st != KS_OK) {
    ks_afile_abort(&f);
    return st;
  }
  KS_TRY(ks_afile_commit(&f));
  snprintf(path, sizeof path, "%s/patients.csv", dir);
  KS_TRY(r->streamed ? ks__trial_stream_commit(ctx, r, path) : write_patients_csv(ctx, r, path));
  snprintf(path, sizeof path, "%s/summary.json", dir);
  return write_summary_json(ctx, r, path, wall_s, n_threads, n_processes);
}
