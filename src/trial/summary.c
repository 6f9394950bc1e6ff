/* SPDX-License-Identifier: MIT */
/* The statistics of a trial's endpoints and the output files of the user contract. */
#include "trial_internal.h"

#include <ketasim/io.h>
#include <ketasim/stats.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int ks_trial_scale_measure(ks_scen_scale s) {
  switch (s) {
    case KS_SCALE_CAPS5: return KS_M_CAPS5;
    case KS_SCALE_PCL5: return KS_M_PCL5;
    case KS_SCALE_IESR: return KS_M_IESR;
    case KS_SCALE_MADRS: return KS_M_MADRS;
    case KS_SCALE_CADSS: return KS_M_CADSS;
    default: return -1;
  }
}

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

ks_status ks_trial_summarise(ks_ctx *ctx, const ks_trial_result *r, ks_trial_primary *pr) {
  const ks_scenario *sc = r->sc;
  memset(pr, 0, sizeof *pr);
  pr->difference = pr->ci_lo = pr->ci_hi = pr->p = pr->cohens_d = pr->cohens_d_lo = pr->cohens_d_hi = pr->se = NAN;
  if (!sc->primary.enabled || sc->n_arms < 2) return KS_OK;
  int m = ks_trial_scale_measure(sc->primary.scale);
  if (m < 0) return KS_OK;
  pr->scale = sc->primary.scale;
  pr->day = ks_scen_visit_t_h(sc->primary.at, 0) / 24.0;
  snprintf(pr->contrast, sizeof pr->contrast, "%s - %s", sc->arms[0].name, sc->arms[1].name);
  size_t n = r->n;
  double *y = ks_calloc(ctx, 4 * n + 4, sizeof *y);
  int *g = ks_calloc(ctx, n + 1, sizeof *g);
  if (!y || !g) {
    ks_free(ctx, y);
    ks_free(ctx, g);
    return KS_ENOMEM;
  }
  double *b = y + n, *x1 = y + 2 * n, *x2 = y + 3 * n;
  ks_status st = KS_OK;
  if (sc->design == KS_DESIGN_CROSSOVER) {
    /* Within-patient contrast: the change from each period's own baseline (the pre-infusion
     * score of that period, which absorbs carry-over from period 1) after arms[0] minus after
     * arms[1], among patients who completed both periods (paired t test; d from the pooled SD
     * of the two conditions). The raw score is used when a period has no baseline visit. */
    long v0 = ks__trial_find_visit(r, sc->primary.at, 0), v1 = ks__trial_find_visit(r, sc->primary.at, 1);
    long b0 = ks__trial_baseline_visit(r, 0, m), b1 = ks__trial_baseline_visit(r, 1, m);
    size_t k = 0;
    for (size_t i = 0; v0 >= 0 && v1 >= 0 && i < n; i++) {
      double a = val(r, i, (size_t)v0, m), c = val(r, i, (size_t)v1, m);
      if (b0 >= 0 && b1 >= 0) {
        a -= val(r, i, (size_t)b0, m);
        c -= val(r, i, (size_t)b1, m);
      }
      if (isnan(a) || isnan(c)) continue;
      int first_is_arm0 = r->patients[i].arm == 0;
      x1[k] = first_is_arm0 ? a : c;
      x2[k] = first_is_arm0 ? c : a;
      y[k] = x1[k] - x2[k];
      k++;
    }
    ks_describe d;
    if (k >= 3 && ks_stats_describe(ctx, y, k, KS_NAN_REJECT, &d) == KS_OK && d.sd > 0) {
      pr->valid = 1;
      pr->difference = d.mean;
      pr->se = d.se;
      double tq = ks_stats_t_quantile(0.975, (double)k - 1.0);
      pr->ci_lo = d.mean - tq * d.se;
      pr->ci_hi = d.mean + tq * d.se;
      pr->p = ks_stats_t_p2(d.mean / d.se, (double)k - 1.0);
      ks_effect_size es;
      if (ks_stats_cohen_d(ctx, x1, k, x2, k, 0.95, &es) == KS_OK) {
        pr->cohens_d = es.d;
        pr->cohens_d_lo = es.d_lo;
        pr->cohens_d_hi = es.d_hi;
      }
      snprintf(pr->method, sizeof pr->method, "paired t on change (crossover, n=%zu)", k);
    }
  } else {
    long v = ks__trial_find_visit(r, sc->primary.at, 0), bv = ks__trial_baseline_visit(r, 0, m);
    size_t k = 0, k1 = 0, k2 = 0;
    for (size_t i = 0; v >= 0 && bv >= 0 && i < n; i++) {
      double yy = val(r, i, (size_t)v, m), bb = val(r, i, (size_t)bv, m);
      if (isnan(yy) || isnan(bb)) continue;
      y[k] = yy - bb;  /* change from baseline; ANCOVA on change = on the score, same contrast */
      b[k] = bb;
      g[k] = r->patients[i].arm;
      if (g[k] == 0) x1[k1++] = y[k];
      if (g[k] == 1) x2[k2++] = y[k];
      k++;
    }
    ks_ancova_result an;
    if (k1 >= 2 && k2 >= 2 && ks_stats_ancova(ctx, y, b, g, k, 0, 1, &an) == KS_OK) {
      pr->valid = 1;
      pr->difference = an.diff;
      pr->se = an.se;
      pr->ci_lo = an.ci_lo;
      pr->ci_hi = an.ci_hi;
      pr->p = an.p;
      ks_effect_size es;
      if (ks_stats_cohen_d(ctx, x1, k1, x2, k2, 0.95, &es) == KS_OK) {
        pr->cohens_d = es.d;
        pr->cohens_d_lo = es.d_lo;
        pr->cohens_d_hi = es.d_hi;
      }
      snprintf(pr->method, sizeof pr->method, "ANCOVA on change, baseline covariate");
    }
  }
  ks_free(ctx, y);
  ks_free(ctx, g);
  ks_ctx_clear_error(ctx); /* a statistic that cannot be computed is reported as null, not an error */
  return st;
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
static void secondary_lmm(ks_ctx *ctx, const ks_trial_result *r, ks_trial_secondary *out) {
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
    if (isnan(b0) || r->patients[i].arm > 1) continue;
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
  if (k > 0 && ks_stats_lmm_fit(ctx, &d, 0, 1, r->plan.visit_t_h[pv] / 24.0 - t0_d, &lr) == KS_OK) {
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
  if (sc->design == KS_DESIGN_PARALLEL && sc->n_arms >= 2) {
    out->valid = 1;
    const signed char *flags[2] = {e.resp, e.remit};
    const ks_scen_endpoint *eps[2] = {&sc->response, &sc->remission};
    double *dst[2][4] = {{&out->response_diff, &out->response_diff_lo, &out->response_diff_hi, &out->response_fisher_p},
                         {&out->remission_diff, &out->remission_diff_lo, &out->remission_diff_hi, &out->remission_fisher_p}};
    for (int k = 0; k < 2; k++) {
      size_t k1, n1, k2, n2;
      count_flag(r, flags[k], 0, &k1, &n1);
      count_flag(r, flags[k], 1, &k2, &n2);
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
        if (!isnan(e.dur_days[i]) && r->patients[i].arm <= 1) {
          tt[nd] = e.dur_days[i];
          ev[nd] = e.dur_event[i];
          ev[r->n + 1 + nd] = r->patients[i].arm;
          nd++;
        }
      ks_logrank_result lr;
      if (nd >= 2 && ks_stats_logrank(ctx, tt, ev, ev + r->n + 1, nd, 0, 1, &lr) == KS_OK) {
        out->durability_logrank_chi2 = lr.chi2;
        out->durability_logrank_p = lr.p;
      }
    }
    ks_free(ctx, tt);
    ks_free(ctx, ev);
    if (sc->primary.enabled) secondary_lmm(ctx, r, out);
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

static ks_status write_summary_json(ks_ctx *ctx, const ks_trial_result *r, const char *path, double wall_s,
                                    int n_threads, int n_processes) {
  const ks_scenario *sc = r->sc;
  size_t n_groups = ks_trial_n_groups(r);
  double *chg = ks_calloc(ctx, r->n + 1, sizeof *chg);
  if (!chg) return KS_ENOMEM;
  ks_trial_primary pr;
  ks_trial_secondary sec;
  ks_status st = ks_trial_summarise(ctx, r, &pr);
  if (st == KS_OK) st = ks_trial_secondary_summarise(ctx, r, &sec);
  ks_afile *f = NULL;
  if (st == KS_OK) st = ks_afile_open(ctx, path, &f);
  if (st != KS_OK) goto done;
  ks_json j;
  ks_json_init(&j, ks_afile_stream(f), 2);
  ks_json_begin_object(&j);
  ks_json_key(&j, "ketasim_version");
  ks_json_str(&j, ks_version());
  ks_json_key(&j, "scenario");
  ks_json_str(&j, sc->name);
  ks_json_key(&j, "seed");
  ks_json_int(&j, (long long)sc->seed);
  ks_json_key(&j, "design");
  ks_json_str(&j, ks_scen_design_name(sc->design));
  ks_json_key(&j, "n_screened");
  ks_json_int(&j, (long long)r->n_screened);
  ks_json_key(&j, "n_randomized");
  ks_json_int(&j, (long long)r->n);
  ks_json_key(&j, "arms");
  ks_json_begin_array(&j);
  for (size_t a = 0; a < n_groups; a++) {
    ks_trial_arm_summary s;
    if ((st = ks_trial_arm_summarise(ctx, r, a, &s)) != KS_OK) {
      ks_afile_abort(&f);
      goto done;
    }
    char lbl[2 * KS_SCENARIO_NAME_MAX + 2];
    ks_json_begin_object(&j);
    ks_json_key(&j, "name");
    ks_json_str(&j, arm_label(r, (int)a, lbl, sizeof lbl));
    ks_json_key(&j, "n");
    ks_json_int(&j, (long long)s.n);
    ks_json_key(&j, "n_completed");
    ks_json_int(&j, (long long)s.n_completed);
    ks_json_key(&j, "baseline");
    ks_json_begin_object(&j);
    for (int sc_i = 0; sc_i < KS_SCALE_N; sc_i++) {
      if (isnan(s.baseline_mean[sc_i])) continue;
      ks_json_key(&j, ks_scen_scale_name((ks_scen_scale)sc_i));
      ks_json_begin_object(&j);
      ks_json_key(&j, "mean");
      json_num_or_null(&j, s.baseline_mean[sc_i]);
      ks_json_key(&j, "sd");
      json_num_or_null(&j, s.baseline_sd[sc_i]);
      ks_json_end_object(&j);
    }
    ks_json_end_object(&j);
    /* Change from baseline per scale and visit (period 1; keys are visit labels without "day "). */
    ks_json_key(&j, "change");
    ks_json_begin_object(&j);
    for (int sc_i = 0; sc_i < KS_SCALE_N; sc_i++) {
      int m = ks_trial_scale_measure((ks_scen_scale)sc_i);
      if (m < 0) continue;
      long bv = ks__trial_baseline_visit(r, 0, m);
      if (bv < 0) continue;
      int any = 0;
      for (size_t v = 0; v < r->plan.n_visits; v++) {
        if (!(r->plan.visit_scales[v] & (1u << sc_i)) || (long)v == bv || r->plan.visit_period[v] != 0) continue;
        if (r->plan.visit_t_h[v] <= r->plan.visit_t_h[bv]) continue;
        size_t k = 0;
        for (size_t i = 0; i < r->n; i++) {
          if (r->patients[i].arm != (int)a) continue;
          double d = val(r, i, v, m) - val(r, i, (size_t)bv, m);
          if (!isnan(d)) chg[k++] = d;
        }
        if (!any) {
          ks_json_key(&j, ks_scen_scale_name((ks_scen_scale)sc_i));
          ks_json_begin_object(&j);
          any = 1;
        }
        const char *lab = r->plan.visit_label[v];
        if (!strncmp(lab, "day ", 4)) lab += 4;
        ks_json_key(&j, lab);
        ks_json_begin_object(&j);
        ks_describe d;
        int ok = k > 0 && ks_stats_describe(ctx, chg, k, KS_NAN_REJECT, &d) == KS_OK;
        ks_json_key(&j, "n");
        ks_json_int(&j, (long long)k);
        ks_json_key(&j, "mean");
        json_num_or_null(&j, ok ? d.mean : NAN);
        ks_json_key(&j, "sd");
        json_num_or_null(&j, ok && d.has_sd ? d.sd : NAN);
        ks_json_end_object(&j);
      }
      if (any) ks_json_end_object(&j);
    }
    ks_json_end_object(&j);
    json_rate(&j, "response", s.response_rate, s.response_lo, s.response_hi, s.response_k, s.response_n);
    json_rate(&j, "remission", s.remission_rate, s.remission_lo, s.remission_hi, s.remission_k, s.remission_n);
    ks_json_key(&j, "median_days_to_loss_of_response");
    json_num_or_null(&j, s.median_days_to_loss_of_response);
    ks_json_key(&j, "median_days_to_loss_of_response_ci95");
    json_pair(&j, s.median_days_lo, s.median_days_hi);
    ks_json_key(&j, "durability_n_events");
    json_pair_int(&j, s.durability_n, s.durability_events);
    ks_json_end_object(&j);
  }
  ks_json_end_array(&j);
  ks_json_key(&j, "primary");
  ks_json_begin_object(&j);
  ks_json_key(&j, "scale");
  ks_json_str(&j, ks_scen_scale_name(pr.scale));
  ks_json_key(&j, "day");
  json_num_or_null(&j, pr.valid ? pr.day : NAN);
  ks_json_key(&j, "contrast");
  ks_json_str(&j, pr.contrast);
  ks_json_key(&j, "method");
  ks_json_str(&j, pr.method);
  ks_json_key(&j, "difference");
  json_num_or_null(&j, pr.difference);
  ks_json_key(&j, "se");
  json_num_or_null(&j, pr.se);
  ks_json_key(&j, "ci95");
  ks_json_begin_array(&j);
  json_num_or_null(&j, pr.ci_lo);
  json_num_or_null(&j, pr.ci_hi);
  ks_json_end_array(&j);
  ks_json_key(&j, "p");
  json_num_or_null(&j, pr.p);
  ks_json_key(&j, "cohens_d");
  json_num_or_null(&j, pr.cohens_d);
  ks_json_key(&j, "cohens_d_ci95");
  ks_json_begin_array(&j);
  json_num_or_null(&j, pr.cohens_d_lo);
  json_num_or_null(&j, pr.cohens_d_hi);
  ks_json_end_array(&j);
  ks_json_end_object(&j);
  ks_json_key(&j, "secondary");
  ks_json_begin_object(&j);
  if (sec.valid) {
    ks_json_key(&j, "contrast");
    ks_json_str(&j, pr.contrast);
    ks_json_key(&j, "response_difference");
    json_contrast(&j, sec.response_diff, sec.response_diff_lo, sec.response_diff_hi, "fisher_p", sec.response_fisher_p);
    ks_json_key(&j, "remission_difference");
    json_contrast(&j, sec.remission_diff, sec.remission_diff_lo, sec.remission_diff_hi, "fisher_p",
                  sec.remission_fisher_p);
    ks_json_key(&j, "durability_logrank");
    ks_json_begin_object(&j);
    ks_json_key(&j, "chi2");
    json_num_or_null(&j, sec.durability_logrank_chi2);
    ks_json_key(&j, "p");
    json_num_or_null(&j, sec.durability_logrank_p);
    ks_json_end_object(&j);
    ks_json_key(&j, "mixed_model");
    ks_json_begin_object(&j);
    ks_json_key(&j, "method");
    ks_json_str(&j, "REML LMM: score ~ arm * day + baseline + (1 + day | patient), Satterthwaite df");
    ks_json_key(&j, "n_obs");
    ks_json_int(&j, (long long)sec.lmm_n_obs);
    ks_json_key(&j, "n_patients");
    ks_json_int(&j, (long long)sec.lmm_n_subjects);
    ks_json_key(&j, "difference_at_primary_day");
    json_contrast(&j, sec.lmm_difference, sec.lmm_ci_lo, sec.lmm_ci_hi, "p", sec.lmm_p);
    ks_json_key(&j, "slope_difference_per_day");
    json_num_or_null(&j, sec.lmm_slope_diff_per_day);
    ks_json_end_object(&j);
  }
  ks_json_end_object(&j);
  ks_json_key(&j, "imaging");
  ks_json_begin_object(&j);
  ks_json_key(&j, "n");
  ks_json_int(&j, (long long)sec.imaging_n);
  ks_json_key(&j, "vmpfc_amygdala_fc_change_vs_caps5_change_r");
  json_num_or_null(&j, sec.imaging_r);
  ks_json_key(&j, "r_bootstrap_ci95");
  json_pair(&j, sec.imaging_r_lo, sec.imaging_r_hi);
  ks_json_key(&j, "baseline_fc_predicts_response_auc");
  json_contrast(&j, sec.baseline_fc_response_auc, sec.baseline_fc_response_auc_lo, sec.baseline_fc_response_auc_hi,
                NULL, NAN);
  ks_json_key(&j, "by_arm_r");
  ks_json_begin_object(&j);
  for (size_t a = 0; a < n_groups && sc->design == KS_DESIGN_PARALLEL; a++) {
    ks_json_key(&j, sc->arms[a].name);
    json_num_or_null(&j, ks__trial_imaging_r(ctx, r, (int)a));
  }
  ks_json_end_object(&j);
  ks_json_end_object(&j);
  ks_json_key(&j, "run");
  ks_json_begin_object(&j);
  ks_json_key(&j, "wall_s");
  ks_json_num(&j, wall_s);
  ks_json_key(&j, "threads");
  ks_json_int(&j, n_threads);
  ks_json_key(&j, "processes");
  ks_json_int(&j, n_processes);
  ks_json_end_object(&j);
  ks_json_end_object(&j);
  ks_json_finish(&j);
  st = ks_afile_commit(&f);
done:
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
