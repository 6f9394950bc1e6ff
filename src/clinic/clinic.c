/* SPDX-License-Identifier: MIT */
/* Latent symptom severities and item responses (graded response model) for CAPS-5, PCL-5, IES-R
 * and MADRS. Equations and sources: docs/model/clinic.md. */
#include "clinic_internal.h"
#include "core/core_internal.h"

#include <math.h>
#include <string.h>

static const char *const scale_names[KS_CLINIC_SCALE_N] = {"caps5", "pcl5", "iesr", "madrs"};
static const size_t scale_items[KS_CLINIC_SCALE_N] = {20, 20, 22, 10};
static const int scale_max[KS_CLINIC_SCALE_N] = {4, 4, 4, 6};

const char *ks_scale_name(ks_scale s) {
  return (int)s >= 0 && s < KS_CLINIC_SCALE_N ? scale_names[s] : "unknown";
}

int ks_scale_parse(const char *name) {
  if (!name) return -1;
  for (int i = 0; i < KS_CLINIC_SCALE_N; i++)
    if (strcmp(name, scale_names[i]) == 0) return i;
  return -1;
}

size_t ks_scale_n_items(ks_scale s) { return (int)s >= 0 && s < KS_CLINIC_SCALE_N ? scale_items[s] : 0; }
int ks_scale_item_max(ks_scale s) { return (int)s >= 0 && s < KS_CLINIC_SCALE_N ? scale_max[s] : 0; }

int ks_scale_item_cluster(ks_scale s, size_t item) {
  if ((int)s < 0 || s >= KS_CLINIC_SCALE_N || item >= scale_items[s]) return -1;
  for (size_t i = 0; i < ks__n_items; i++)
    if (ks__items[i].scale == s && (size_t)ks__items[i].item == item + 1) return (int)ks__items[i].cluster;
  return -1;
}

ks_clinic_inputs ks_clinic_inputs_reference(void) {
  ks_clinic_inputs in;
  in.fear_expression = 0.5;
  /* The fear layer's avoidance at F = 0.5 (0.9 F^2 / (F^2 + 0.45^2)). */
  in.avoidance = 0.9 * 0.25 / (0.25 + 0.2025);
  in.mood_appraisal = 0.5;
  in.amygdala_reactivity = 1.3;
  in.salience_coupling = 1.2;
  return in;
}

ks_clinic_params ks_clinic_params_default(void) {
  ks_clinic_params p;
  memset(&p, 0, sizeof p);
  p.ref = ks_clinic_inputs_reference();
  /* Drivers: logit fear, logit avoidance, logit negative appraisal, ln(amygdala), ln(salience). */
  static const double w[KS_CLUSTER_N][KS_CLINIC_N_DRIVERS] = {
      {1.1, 0.0, 0.0, 1.5, 0.0}, /* B intrusion: trauma-memory expression, amygdala */
      {0.4, 1.0, 0.0, 0.0, 0.0}, /* C avoidance: avoidance, fear */
      {0.6, 0.0, 1.6, 0.0, 0.5}, /* D cognitions/mood: negative appraisal, fear, salience */
      {0.3, 0.0, 0.0, 1.5, 1.5}, /* E arousal: amygdala and salience activity */
      {0.3, 0.0, 1.0, 0.0, 0.5}, /* depression: negative appraisal */
  };
  memcpy(p.weight, w, sizeof w);
  p.trait_sd = 0.7;
  p.general_loading = 0.35;
  p.method_sd[KS_SCALE_CAPS5] = 0.20;
  p.method_sd[KS_SCALE_PCL5] = 0.35;
  p.method_sd[KS_SCALE_IESR] = 0.33;
  p.method_sd[KS_SCALE_MADRS] = 0.25;
  p.visit_sd[KS_SCALE_CAPS5] = 0.25;
  p.visit_sd[KS_SCALE_PCL5] = 0.30;
  p.visit_sd[KS_SCALE_IESR] = 0.33;
  p.visit_sd[KS_SCALE_MADRS] = 0.33;
  for (int s = 0; s < KS_CLINIC_SCALE_N; s++) p.discrimination_scale[s] = 1.0;
  p.discrimination_scale[KS_SCALE_CAPS5] = 1.2;
  p.discrimination_scale[KS_SCALE_PCL5] = 3.0;
  p.placebo_theta = 0.35;
  p.placebo_tau_days = 7.0;
  p.natural_course_theta_per_week = 0.02;
  static const double s4[4] = {-1.8, -0.6, 0.6, 1.8};
  static const double s6[6] = {-1.5, -0.9, -0.3, 0.3, 0.9, 1.5};
  memcpy(p.category_spacing_04, s4, sizeof s4);
  memcpy(p.category_spacing_06, s6, sizeof s6);
  return p;
}

static double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }

double ks__grm_expected(const double *b, int max, double a, double var) {
  /* E[X] = sum_k P(X >= k) integrated against N(0, var) on a fine grid (+-7 SD, 281 points;
   * the integrand is smooth, so the trapezoid rule is accurate to ~1e-10). */
  const int n = 281;
  double sd = sqrt(var), lo = -7.0 * sd, h = 14.0 * sd / (n - 1);
  double acc = 0.0, wsum = 0.0;
  for (int i = 0; i < n; i++) {
    double th = lo + i * h;
    double w = exp(-0.5 * th * th / var) * ((i == 0 || i == n - 1) ? 0.5 : 1.0);
    double e = 0.0;
    for (int k = 0; k < max; k++) e += logistic(a * (th - b[k]));
    acc += w * e;
    wsum += w;
  }
  return acc / wsum;
}

static ks_status check_params(ks_ctx *ctx, const ks_clinic_params *p) {
  int ok = p->trait_sd >= 0.0 && p->trait_sd < 5.0 && p->general_loading >= 0.0 && p->general_loading <= 1.0 &&
           p->placebo_theta >= 0.0 && p->placebo_tau_days > 0.0 && isfinite(p->natural_course_theta_per_week) &&
           p->ref.fear_expression > 0.0 && p->ref.fear_expression < 1.0 && p->ref.avoidance > 0.0 &&
           p->ref.avoidance < 1.0 && p->ref.mood_appraisal > 0.0 && p->ref.mood_appraisal < 1.0 && p->ref.amygdala_reactivity > 0.0 &&
           p->ref.salience_coupling > 0.0;
  for (int s = 0; s < KS_CLINIC_SCALE_N; s++)
    ok = ok && p->discrimination_scale[s] > 0.0 && p->discrimination_scale[s] < 10.0 && p->method_sd[s] >= 0.0 && p->method_sd[s] < 5.0 && p->visit_sd[s] >= 0.0 && p->visit_sd[s] < 5.0;
  for (int c = 0; c < KS_CLUSTER_N; c++)
    for (int j = 0; j < KS_CLINIC_N_DRIVERS; j++) ok = ok && isfinite(p->weight[c][j]);
  for (int k = 0; k < 4; k++) ok = ok && isfinite(p->category_spacing_04[k]) && (k == 0 || p->category_spacing_04[k] > p->category_spacing_04[k - 1]);
  for (int k = 0; k < 6; k++) ok = ok && isfinite(p->category_spacing_06[k]) && (k == 0 || p->category_spacing_06[k] > p->category_spacing_06[k - 1]);
  if (!ok) return ks_ctx_fail(ctx, KS_EINVAL, "ks_clinic_model_create: a parameter is out of range (see clinic.h)");
  return KS_OK;
}

ks_status ks_clinic_model_create(ks_ctx *ctx, const ks_clinic_params *p, ks_clinic_model **out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, p != NULL && out != NULL);
  KS_TRY(check_params(ctx, p));
  ks_clinic_model *m = ks_calloc(ctx, 1, sizeof *m);
  if (!m) return KS_ENOMEM;
  m->ctx = ctx;
  m->p = *p;
  for (int s = 0; s < KS_CLINIC_SCALE_N; s++) {
    m->sc[s].n = scale_items[s];
    m->sc[s].max = scale_max[s];
  }
  for (size_t i = 0; i < ks__n_items; i++) {
    const ks__item_spec *it = &ks__items[i];
    ks__scale_model *sc = &m->sc[it->scale];
    size_t j = (size_t)(it->item - 1);
    sc->a[j] = it->a * p->discrimination_scale[it->scale];
    sc->cluster[j] = (int)it->cluster;
    const double *sp = sc->max == 4 ? p->category_spacing_04 : p->category_spacing_06;
    if (it->target_mean < 0.0) {
      for (int k = 0; k < sc->max && k < 6; k++) sc->b[j][k] = ks__madrs10_thresholds[k];
      continue;
    }
    /* Calibrate the item location delta so that the expected score under the reference
     * population's observed theta ~ N(0, 1 + method^2 + visit^2) equals the target mean. */
    double var = 1.0 + p->method_sd[it->scale] * p->method_sd[it->scale] +
                 p->visit_sd[it->scale] * p->visit_sd[it->scale];
    double lo = -10.0, hi = 10.0, b[6];
    for (int iter = 0; iter < 80; iter++) {
      double mid = 0.5 * (lo + hi);
      for (int k = 0; k < sc->max; k++) b[k] = mid + sp[k];
      double e = ks__grm_expected(b, sc->max, sc->a[j], var);
      if (e > it->target_mean) lo = mid; else hi = mid;
    }
    double delta = 0.5 * (lo + hi);
    for (int k = 0; k < sc->max; k++) sc->b[j][k] = delta + sp[k];
    if (fabs(ks__grm_expected(sc->b[j], sc->max, sc->a[j], var) - it->target_mean) > 1e-6) {
      ks_free(ctx, m);
      return ks_ctx_fail(ctx, KS_ENUMERIC, "ks_clinic_model_create: calibration of %s item %d failed",
                         scale_names[it->scale], it->item);
    }
  }
  *out = m;
  return KS_OK;
}

void ks_clinic_model_destroy(ks_clinic_model **m) {
  if (!m || !*m) return;
  ks_free((*m)->ctx, *m);
  *m = NULL;
}

const ks_clinic_params *ks_clinic_model_params(const ks_clinic_model *m) { return m ? &m->p : NULL; }

ks_status ks_clinic_item_params(const ks_clinic_model *m, ks_scale s, size_t item, double *a, double *b) {
  if (!m || (int)s < 0 || s >= KS_CLINIC_SCALE_N || item >= m->sc[s].n || !a || !b) return KS_EINVAL;
  *a = m->sc[s].a[item];
  for (int k = 0; k < m->sc[s].max; k++) b[k] = m->sc[s].b[item][k];
  return KS_OK;
}

static void draw_trait(ks_rng *rng, double sd, double loading, double *trait) {
  double g = ks_rng_normal(rng);
  double spec = sqrt(1.0 - loading * loading);
  for (int c = 0; c < KS_CLUSTER_N; c++) trait[c] = sd * (loading * g + spec * ks_rng_normal(rng));
}

ks_status ks_clinic_patient_draw(const ks_clinic_model *m, ks_rng *rng, double expectancy, ks_clinic_patient *out) {
  if (!m || !rng || !out) return KS_EINVAL;
  if (!(expectancy >= 0.0 && expectancy <= 1.0))
    return ks_ctx_fail(m->ctx, KS_EINVAL, "ks_clinic_patient_draw: expectancy %g outside [0, 1]", expectancy);
  draw_trait(rng, m->p.trait_sd, m->p.general_loading, out->trait);
  for (int s = 0; s < KS_CLINIC_SCALE_N; s++) out->method[s] = m->p.method_sd[s] * ks_rng_normal(rng);
  out->expectancy = expectancy;
  out->placebo_log_gain = 0.0;
  return KS_OK;
}

ks_status ks_clinic_reference_patient(const ks_clinic_model *m, ks_rng *rng, ks_clinic_patient *pt,
                                      ks_clinic_latent *lat) {
  if (!m || !rng || !pt || !lat) return KS_EINVAL;
  draw_trait(rng, 1.0, m->p.general_loading, pt->trait);
  for (int s = 0; s < KS_CLINIC_SCALE_N; s++) pt->method[s] = m->p.method_sd[s] * ks_rng_normal(rng);
  pt->expectancy = 0.0;
  pt->placebo_log_gain = 0.0;
  for (int c = 0; c < KS_CLUSTER_N; c++) lat->theta[c] = pt->trait[c];
  return KS_OK;
}

static double logit_clamped(double x) {
  if (x < 0.005) x = 0.005;
  if (x > 0.995) x = 0.995;
  return log(x / (1.0 - x));
}

ks_status ks_clinic_latent_eval(const ks_clinic_model *m, const ks_clinic_patient *pt, const ks_clinic_inputs *in,
                                double t_days, ks_clinic_latent *out) {
  if (!m || !pt || !in || !out) return KS_EINVAL;
  if (!(in->fear_expression >= 0.0 && in->fear_expression <= 1.0) || !(in->avoidance >= 0.0 && in->avoidance <= 1.0) ||
      !(in->mood_appraisal > 0.0 && in->mood_appraisal < 1.0) ||
      !(in->amygdala_reactivity > 0.0 && isfinite(in->amygdala_reactivity)) ||
      !(in->salience_coupling > 0.0 && isfinite(in->salience_coupling)) || !isfinite(t_days))
    return ks_ctx_fail(m->ctx, KS_EINVAL,
                       "ks_clinic_latent_eval: inputs out of range (fear, avoidance in [0, 1]; appraisal in (0, 1); others > 0)");
  const ks_clinic_params *p = &m->p;
  double x[KS_CLINIC_N_DRIVERS];
  x[0] = logit_clamped(in->fear_expression) - logit_clamped(p->ref.fear_expression);
  x[1] = logit_clamped(in->avoidance) - logit_clamped(p->ref.avoidance);
  x[2] = logit_clamped(in->mood_appraisal) - logit_clamped(p->ref.mood_appraisal);
  x[3] = log(in->amygdala_reactivity / p->ref.amygdala_reactivity);
  x[4] = log(in->salience_coupling / p->ref.salience_coupling);
  double shift = 0.0;
  if (t_days > 0.0) {
    /* Expectancy (placebo) builds up with time constant tau; natural course is linear and slow. */
    shift = p->placebo_theta * pt->expectancy * exp(pt->placebo_log_gain) * (1.0 - exp(-t_days / p->placebo_tau_days)) +
            p->natural_course_theta_per_week * t_days / 7.0;
  }
  for (int c = 0; c < KS_CLUSTER_N; c++) {
    double th = pt->trait[c] - shift;
    for (int j = 0; j < KS_CLINIC_N_DRIVERS; j++) th += p->weight[c][j] * x[j];
    out->theta[c] = th;
  }
  return KS_OK;
}

ks_status ks_clinic_scale_generate(const ks_clinic_model *m, const ks_clinic_patient *pt, ks_scale s,
                                   const ks_clinic_latent *lat, ks_rng *rng, int *items, size_t cap,
                                   ks_scale_score *out) {
  if (!m || !pt || !lat || !rng || !out || (int)s < 0 || s >= KS_CLINIC_SCALE_N) return KS_EINVAL;
  const ks__scale_model *sc = &m->sc[s];
  if (items && cap < sc->n)
    return ks_ctx_fail(m->ctx, KS_EINVAL, "ks_clinic_scale_generate: %s needs %zu items, cap %zu", scale_names[s],
                       sc->n, cap);
  for (int c = 0; c < KS_CLUSTER_N; c++)
    if (!isfinite(lat->theta[c])) return ks_ctx_fail(m->ctx, KS_EINVAL, "ks_clinic_scale_generate: non-finite theta");
  memset(out, 0, sizeof *out);
  out->n_clusters = s == KS_SCALE_MADRS ? 0 : (s == KS_SCALE_IESR ? 3 : 4);
  /* Visit-level error shared by the items of this administration. */
  double e = m->p.visit_sd[s] * ks_rng_normal(rng) + pt->method[s];
  for (size_t i = 0; i < sc->n; i++) {
    double th = lat->theta[sc->cluster[i]] + e;
    double u = ks_rng_uniform(rng);
    int x = 0;
    /* Samejima's GRM: P(X >= k) = logistic(a (theta - b_k)), decreasing in k. */
    for (int k = 0; k < sc->max; k++) {
      if (u < logistic(sc->a[i] * (th - sc->b[i][k]))) x = k + 1; else break;
    }
    if (items) items[i] = x;
    out->total += x;
    if (out->n_clusters == 4) {
      out->cluster[sc->cluster[i]] += x;
    } else if (out->n_clusters == 3) {
      int c = sc->cluster[i] == KS_CLUSTER_B ? 0 : (sc->cluster[i] == KS_CLUSTER_C ? 1 : 2);
      out->cluster[c] += x;
    }
  }
  return KS_OK;
}
