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

/* Measure recorded for a symptom scale (CAPS-5 ... CADSS). */
static int scale_measure(ks_scen_scale s) {
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
  return r->values[(i * r->plan.n_visits + v) * KS_M_N + (size_t)m];
}

/* Visit index matching an endpoint's visit in PERIOD, or -1. */
static long find_visit(const ks_trial_result *r, ks_scen_visit at, int period) {
  int first_day = ks_scenario_first_dose_day(r->sc);
  double t = (double)period * r->plan.period_offset_h + ks_scen_visit_t_h(at, first_day);
  for (size_t v = 0; v < r->plan.n_visits; v++)
    if (r->plan.visit_period[v] == period && fabs(r->plan.visit_t_h[v] - t) < 1e-6) return (long)v;
  return -1;
}

/* Scale whose total measure M is (inverse of scale_measure), or -1. */
static int measure_scale(int m) {
  for (int s = 0; s < KS_SCALE_N; s++)
    if (scale_measure((ks_scen_scale)s) == m) return s;
  return -1;
}

/* The baseline visit of measure M in PERIOD: the last visit at or before the period's first dose
 * at which its scale is assessed; -1 when there is none. */
static long baseline_visit(const ks_trial_result *r, int period, int m) {
  int s = measure_scale(m);
  if (s < 0) return -1;
  double t0 = (double)period * r->plan.period_offset_h + 24.0 * ks_scenario_first_dose_day(r->sc);
  long best = -1;
  for (size_t v = 0; v < r->plan.n_visits; v++)
    if (r->plan.visit_period[v] == period && r->plan.visit_t_h[v] <= t0 + 1e-9 && (r->plan.visit_scales[v] & (1u << s)))
      best = (long)v;
  return best;
}

/* Per-arm statistics. */
typedef struct {
  ks_trial_arm_summary s;
  size_t n_resp_eval;
} arm_stats;

static ks_status arm_summary(ks_ctx *ctx, const ks_trial_result *r, int arm, ks_trial_arm_summary *out,
                             double *work, int *iwork) {
  const ks_scenario *sc = r->sc;
  memset(out, 0, sizeof *out);
  snprintf(out->name, sizeof out->name, "%s", sc->arms[arm].name);
  int period = 0;
  for (int s = 0; s < KS_SCALE_N; s++) out->baseline_mean[s] = out->baseline_sd[s] = NAN;
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++) n += r->patients[i].arm == arm;
  out->n = n;
  /* Completion: the primary scale observed at the primary visit. */
  ks_scen_scale ps = sc->primary.enabled ? sc->primary.scale : KS_SCALE_CAPS5;
  long pv = sc->primary.enabled ? find_visit(r, sc->primary.at, period) : (long)r->plan.n_visits - 1;
  for (size_t i = 0; i < r->n; i++)
    if (r->patients[i].arm == arm && pv >= 0 && !isnan(val(r, i, (size_t)pv, scale_measure(ps)))) out->n_completed++;
  for (int s = 0; s < KS_SCALE_N; s++) {
    int m = scale_measure((ks_scen_scale)s);
    if (m < 0) continue;
    long bv = baseline_visit(r, period, m);
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
  /* Response and remission at their visits. */
  out->response_rate = out->response_lo = out->response_hi = out->remission_rate = NAN;
  out->median_days_to_loss_of_response = NAN;
  if (sc->response.enabled) {
    int m = scale_measure(sc->response.scale);
    long v = find_visit(r, sc->response.at, period), bv = baseline_visit(r, period, m);
    if (m >= 0 && v >= 0 && bv >= 0) {
      size_t k = 0, ne = 0;
      double *b = work, *p = work + r->n;
      size_t j = 0;
      for (size_t i = 0; i < r->n; i++)
        if (r->patients[i].arm == arm) {
          b[j] = val(r, i, (size_t)bv, m);
          p[j] = val(r, i, (size_t)v, m);
          j++;
        }
      ks_proportion pr;
      if (ks_stats_count_response(ctx, b, p, j, sc->response.drop_pct, 0, &k, &ne) == KS_OK &&
          ks_stats_proportion(ctx, k, ne, 0.95, &pr) == KS_OK) {
        out->response_rate = pr.p;
        out->response_lo = pr.lo;
        out->response_hi = pr.hi;
      }
      /* Durability: among responders, days from the response visit to the first later visit
       * that no longer meets the response criterion; censored at the last observed visit. */
      if (sc->durability.enabled) {
        double *tt = work + 2 * r->n;
        size_t ndur = 0;
        for (size_t i = 0; i < r->n; i++) {
          if (r->patients[i].arm != arm) continue;
          double b0 = val(r, i, (size_t)bv, m), y = val(r, i, (size_t)v, m);
          if (!(b0 > 0) || isnan(y) || (b0 - y) / b0 * 100.0 < sc->response.drop_pct) continue;
          double t_last = r->plan.visit_t_h[v];
          int event = 0;
          for (size_t w = (size_t)v + 1; w < r->plan.n_visits; w++) {
            double yw = val(r, i, w, m);
            if (isnan(yw)) continue;
            t_last = r->plan.visit_t_h[w];
            if ((b0 - yw) / b0 * 100.0 < sc->response.drop_pct) {
              event = 1;
              break;
            }
          }
          tt[ndur] = (t_last - r->plan.visit_t_h[v]) / 24.0;
          iwork[ndur] = event;
          ndur++;
        }
        ks_km_summary km;
        if (ndur > 0 && ks_stats_km(ctx, tt, iwork, ndur, NULL, NULL, NULL, NULL, NULL, &km) == KS_OK && km.has_median)
          out->median_days_to_loss_of_response = km.median;
      }
    }
  }
  if (sc->remission.enabled) {
    int m = scale_measure(sc->remission.scale);
    long v = find_visit(r, sc->remission.at, period);
    if (m >= 0 && v >= 0) {
      size_t k = 0, ne = 0;
      for (size_t i = 0; i < r->n; i++) {
        if (r->patients[i].arm != arm) continue;
        double y = val(r, i, (size_t)v, m);
        if (isnan(y)) continue;
        ne++;
        k += y < sc->remission.below;
      }
      out->remission_rate = ne ? (double)k / (double)ne : NAN;
    }
  }
  return KS_OK;
}

ks_status ks_trial_summarise(ks_ctx *ctx, const ks_trial_result *r, ks_trial_primary *pr) {
  const ks_scenario *sc = r->sc;
  memset(pr, 0, sizeof *pr);
  pr->difference = pr->ci_lo = pr->ci_hi = pr->p = pr->cohens_d = pr->cohens_d_lo = pr->cohens_d_hi = pr->se = NAN;
  if (!sc->primary.enabled || sc->n_arms < 2) return KS_OK;
  int m = scale_measure(sc->primary.scale);
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
    /* Within-patient contrast: the score after arms[0] minus after arms[1], among patients who
     * completed both periods (paired t test; d from the pooled SD of the two conditions). */
    long v0 = find_visit(r, sc->primary.at, 0), v1 = find_visit(r, sc->primary.at, 1);
    size_t k = 0;
    for (size_t i = 0; v0 >= 0 && v1 >= 0 && i < n; i++) {
      double a = val(r, i, (size_t)v0, m), c = val(r, i, (size_t)v1, m);
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
      snprintf(pr->method, sizeof pr->method, "paired t (crossover, n=%zu)", k);
    }
  } else {
    long v = find_visit(r, sc->primary.at, 0), bv = baseline_visit(r, 0, m);
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

/* Imaging: correlation across the imaging subset between the change in vmPFC-amygdala FC and
 * the change in CAPS-5 from the first to the last scan (Norbury 2021). */
double ks__trial_imaging_r(ks_ctx *ctx, const ks_trial_result *r, int arm_only) {
  long first = -1, last = -1;
  for (size_t v = 0; v < r->plan.n_visits; v++)
    if (r->plan.visit_scales[v] & (1u << KS_SCALE_SCAN)) {
      if (first < 0) first = (long)v;
      last = (long)v;
    }
  if (first < 0 || last == first) return NAN;
  long cf = baseline_visit(r, 0, KS_M_CAPS5);
  double *x = ks_calloc(ctx, 2 * r->n + 2, sizeof *x), *y = x ? x + r->n : NULL;
  if (!x) {
    ks_ctx_clear_error(ctx);
    return NAN;
  }
  size_t k = 0;
  size_t n_img = r->sc->imaging_n > 0 ? (size_t)r->sc->imaging_n
                 : r->sc->imaging_fraction > 0 ? (size_t)ceil(r->sc->imaging_fraction * (double)r->n) : r->n;
  for (size_t i = 0; i < r->n && i < n_img; i++) {
    if (arm_only >= 0 && r->patients[i].arm != arm_only) continue;
    double f0 = val(r, i, (size_t)first, KS_M_FC_VMPFC_AMYGDALA), f1 = val(r, i, (size_t)last, KS_M_FC_VMPFC_AMYGDALA);
    double c0 = val(r, i, (size_t)(cf >= 0 ? cf : first), KS_M_CAPS5), c1 = val(r, i, (size_t)last, KS_M_CAPS5);
    if (isnan(f0) || isnan(f1) || isnan(c0) || isnan(c1)) continue;
    x[k] = f1 - f0;
    y[k] = c0 - c1; /* improvement */
    k++;
  }
  ks_corr_result cr;
  int ok = k >= 3 && ks_stats_pearson(ctx, x, y, k, 0.95, &cr) == KS_OK;
  ks_free(ctx, x);
  if (!ok) ks_ctx_clear_error(ctx);
  return ok ? cr.r : NAN;
}

size_t ks_trial_n_groups(const ks_trial_result *r) { return r ? ks__trial_n_groups(r->sc) : 0; }

static const char *arm_label(const ks_trial_result *r, int arm, char *buf, size_t n);

const char *ks_trial_group_label(const ks_trial_result *r, size_t g, char *buf, size_t n) {
  return arm_label(r, (int)g, buf, n);
}

ks_status ks_trial_arm_summarise(ks_ctx *ctx, const ks_trial_result *r, size_t g, ks_trial_arm_summary *out) {
  KS_CHECK_ARG(ctx, r && out && g < ks_trial_n_groups(r));
  double *work = ks_calloc(ctx, 3 * r->n + 3, sizeof *work);
  int *iwork = ks_calloc(ctx, r->n + 1, sizeof *iwork);
  ks_status st = (work && iwork) ? arm_summary(ctx, r, (int)g, out, work, iwork) : KS_ENOMEM;
  ks_free(ctx, work);
  ks_free(ctx, iwork);
  return st;
}

/* ---- output files --------------------------------------------------------------------------- */

static ks_status make_dir(ks_ctx *ctx, const char *dir) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", dir);
  for (char *p = buf + 1; *p; p++)
    if (*p == '/') {
      *p = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return ks_ctx_fail(ctx, KS_EIO, "%s: cannot create directory (%s)", buf, strerror(errno));
      *p = '/';
    }
  if (mkdir(buf, 0777) != 0 && errno != EEXIST)
    return ks_ctx_fail(ctx, KS_EIO, "%s: cannot create directory (%s)", dir, strerror(errno));
  return KS_OK;
}

static void json_num_or_null(ks_json *j, double v) {
  if (isfinite(v)) ks_json_num(j, v);
  else ks_json_null(j);
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
  const char *head[] = {"patient", "arm", "period", "treatment", "visit", "t_h", "day", "age_y", "female", "weight_kg"};
  for (size_t c = 0; c < KS_ARRAY_LEN(head); c++) ks_csv_field_str(fp, c == 0, head[c]);
  for (int m = 0; m < KS_M_N; m++) ks_csv_field_str(fp, 0, ks_measure_name((ks_measure)m));
  ks_csv_end_row(fp);
  char buf[2 * KS_SCENARIO_NAME_MAX + 2];
  for (size_t i = 0; i < r->n; i++) {
    const trial_patient *p = &r->patients[i];
    for (size_t v = 0; v < r->plan.n_visits; v++) {
      int period = r->plan.visit_period[v];
      ks_csv_field_int(fp, 1, (long long)i + 1);
      ks_csv_field_str(fp, 0, arm_label(r, p->arm, buf, sizeof buf));
      ks_csv_field_int(fp, 0, period + 1);
      ks_csv_field_str(fp, 0, r->sc->arms[ks__trial_period_arm(&r->plan, p->arm, (size_t)period)].name);
      ks_csv_field_str(fp, 0, r->plan.visit_label[v]);
      ks_csv_field_num(fp, 0, r->plan.visit_t_h[v]);
      ks_csv_field_num(fp, 0, r->plan.visit_t_h[v] / 24.0);
      ks_csv_field_num(fp, 0, p->cov.age_y);
      ks_csv_field_int(fp, 0, p->cov.female);
      ks_csv_field_num(fp, 0, p->cov.weight_kg);
      for (int m = 0; m < KS_M_N; m++) ks_csv_field_num(fp, 0, val(r, i, v, m));
      ks_csv_end_row(fp);
    }
  }
  return ks_afile_commit(&f);
}

static ks_status write_summary_json(ks_ctx *ctx, const ks_trial_result *r, const char *path, double wall_s,
                                    int n_threads, int n_processes) {
  const ks_scenario *sc = r->sc;
  size_t n_groups = ks_trial_n_groups(r);
  double *chg = ks_calloc(ctx, r->n + 1, sizeof *chg);
  if (!chg) return KS_ENOMEM;
  ks_trial_primary pr;
  ks_status st = ks_trial_summarise(ctx, r, &pr);
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
      int m = scale_measure((ks_scen_scale)sc_i);
      if (m < 0) continue;
      long bv = baseline_visit(r, 0, m);
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
    ks_json_key(&j, "response_rate");
    json_num_or_null(&j, s.response_rate);
    ks_json_key(&j, "response_ci95");
    ks_json_begin_array(&j);
    json_num_or_null(&j, s.response_lo);
    json_num_or_null(&j, s.response_hi);
    ks_json_end_array(&j);
    ks_json_key(&j, "remission_rate");
    json_num_or_null(&j, s.remission_rate);
    ks_json_key(&j, "median_days_to_loss_of_response");
    json_num_or_null(&j, s.median_days_to_loss_of_response);
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
  ks_json_key(&j, "imaging");
  ks_json_begin_object(&j);
  ks_json_key(&j, "vmpfc_amygdala_fc_change_vs_caps5_change_r");
  json_num_or_null(&j, ks__trial_imaging_r(ctx, r, -1));
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
  KS_TRY(make_dir(ctx, dir));
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
  KS_TRY(write_patients_csv(ctx, r, path));
  snprintf(path, sizeof path, "%s/summary.json", dir);
  return write_summary_json(ctx, r, path, wall_s, n_threads, n_processes);
}
