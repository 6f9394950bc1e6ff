/* SPDX-License-Identifier: MIT */
/* The trial driver: population, screening, randomisation, the visit schedule, the parallel
 * patient loop and result access. */
#include "trial_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const measure_names[KS_M_N] = {
    "caps5", "caps5_b", "caps5_c", "caps5_d", "caps5_e", "pcl5", "iesr", "madrs", "cadss",
    "fc_vmpfc_amygdala_z", "window", "gain_vmpfc_amygdala", "spine_pfc", "fear", "avoidance",
    "sbp_peak_mmHg", "dbp_peak_mmHg",
    "vol_pfc_pct", "vol_hippocampus_pct", "vol_anterior_hippocampus_pct", "vol_amygdala_pct", "vol_hippocampus_d",
    "ravlt_total", "tmt_a_s", "tmt_b_s", "dsst", "pain_nrs", "ssi", "madrs_item10", "theta_dep",
    "ketamine_cumulative_mg", "doses_per_week", "flag_frequent_use", "flag_cumulative_exposure"};

const char *ks_measure_name(ks_measure m) { return (unsigned)m < KS_M_N ? measure_names[m] : "?"; }

ks_trial_options ks_trial_options_default(void) {
  ks_trial_options o;
  memset(&o, 0, sizeof o);
  return o;
}

int ks_trial_default_threads(void) { return ks_par_default_threads(); }

const ks_scenario *ks_trial_scenario(const ks_trial_result *r) { return r ? r->sc : NULL; }

size_t ks_trial_design_n_groups(const ks_scenario *sc) {
  return sc->design == KS_DESIGN_SINGLE_ARM ? 1 : sc->design == KS_DESIGN_CROSSOVER ? 2 : sc->n_arms;
}

size_t ks__trial_n_groups(const ks_scenario *sc) { return ks_trial_design_n_groups(sc); }

int ks__trial_period_arm(const trial_plan *plan, int arm, size_t period) {
  if (plan->sc->design != KS_DESIGN_CROSSOVER) return arm;
  return period == 0 ? arm : 1 - arm;
}

/* Screening noise: a screening CAPS-5 differs from the true score by the test-retest error of
 * the scale, SD = SD_between * sqrt(1 - ICC), ICC .78 (Weathers 2018). */
#define KS_CAPS5_TEST_RETEST 0.78

/* Screening scores other than CAPS-5 (docs/scenario.md, inclusion): PCL-5 predicted from the true
 * CAPS-5 with the CAPS-5/PCL-5 correlation r = .66 (Weathers 2018); MADRS with an inter-rater
 * reliability of .9 (Montgomery & Asberg 1979: .89-.97). */
#define KS_CAPS5_PCL5_R 0.66
#define KS_MADRS_RELIABILITY 0.9

/* Does candidate P pass every inclusion criterion of the scenario at screening? The draws come
 * from the candidate's own screening stream (the CAPS-5 draw first, as before). */
static int passes_screening(const ks_scenario *sc, const ks_population_params *pop, uint64_t seed, uint64_t id,
                            const ks_patient *p) {
  const ks_scen_population *o = &sc->population;
  ks_rng r;
  ks_rng_init(&r, seed, KS_STREAM_SCREENING, id, 0);
  double caps5 = p->caps5_true + pop->caps5_sd * sqrt(1.0 - KS_CAPS5_TEST_RETEST) * ks_rng_normal(&r);
  if (caps5 < pop->caps5_min) return 0;
  if (o->incl_max_set[KS_SCALE_CAPS5] && caps5 > o->incl_max[KS_SCALE_CAPS5]) return 0;
  if (o->incl_min_set[KS_SCALE_PCL5] || o->incl_max_set[KS_SCALE_PCL5]) {
    double pcl5 = p->caps5_true + pop->caps5_sd * sqrt(1.0 / (KS_CAPS5_PCL5_R * KS_CAPS5_PCL5_R) - 1.0) * ks_rng_normal(&r);
    pcl5 = fmin(fmax(pcl5, 0.0), 80.0);
    if ((o->incl_min_set[KS_SCALE_PCL5] && pcl5 < o->incl_min[KS_SCALE_PCL5]) ||
        (o->incl_max_set[KS_SCALE_PCL5] && pcl5 > o->incl_max[KS_SCALE_PCL5]))
      return 0;
  }
  if (o->incl_min_set[KS_SCALE_MADRS] || o->incl_max_set[KS_SCALE_MADRS]) {
    double madrs = p->madrs_true + pop->madrs_sd * sqrt(1.0 - KS_MADRS_RELIABILITY) * ks_rng_normal(&r);
    if ((o->incl_min_set[KS_SCALE_MADRS] && madrs < o->incl_min[KS_SCALE_MADRS]) ||
        (o->incl_max_set[KS_SCALE_MADRS] && madrs > o->incl_max[KS_SCALE_MADRS]))
      return 0;
  }
  return 1;
}

/* Candidate ids of the baseline solver: a range no trial replicate uses. */
#define KS_BASELINE_SOLVER_ID (UINT64_C(1) << 62)
#define KS_BASELINE_SOLVER_N 4000

/* Baseline targets (population.baseline): shift the referred population's mean and SD of the
 * scale so that the patients who pass screening have the trial's table-1 mean and SD. The enrolled
 * SD includes the measurement error of the baseline rating (CAPS-5 ICC .78), so the true-score SD
 * aimed at is SD * sqrt(ICC). A fixed-point iteration on KS_BASELINE_SOLVER_N screening draws. */
static ks_status solve_baseline(ks_ctx *ctx, const ks_scenario *sc, ks_population_params *p) {
  const ks_scen_population *o = &sc->population;
  for (int s = 0; s < KS_SCALE_N; s++) {
    if (!o->baseline_set[s]) continue;
    int caps = s == KS_SCALE_CAPS5;
    double rel = caps ? KS_CAPS5_TEST_RETEST : KS_MADRS_RELIABILITY;
    double target_m = o->baseline_mean[s], target_sd = o->baseline_sd[s] * sqrt(rel);
    double *mean = caps ? &p->caps5_mean : &p->madrs_mean, *sd = caps ? &p->caps5_sd : &p->madrs_sd;
    double hi_m = caps ? 80.0 : 60.0;
    for (int it = 0; it < 40; it++) {
      double sum = 0, sum2 = 0;
      size_t k = 0;
      for (uint64_t c = 0; c < KS_BASELINE_SOLVER_N; c++) {
        ks_patient q;
        ks_population_draw(p, sc->seed, KS_BASELINE_SOLVER_ID + c, &q);
        if (!passes_screening(sc, p, sc->seed, KS_BASELINE_SOLVER_ID + c, &q)) continue;
        double x = caps ? q.caps5_true : q.madrs_true;
        sum += x, sum2 += x * x, k++;
      }
      if (k < 50)
        return ks_ctx_fail(ctx, KS_EINPUT, "population.baseline.%s: too few candidates pass the inclusion criteria "
                           "to reach mean %g (expected criteria that leave at least 1%% of the population)",
                           ks_scen_scale_name((ks_scen_scale)s), o->baseline_mean[s]);
      double m = sum / (double)k, v = fmax(sum2 / (double)k - m * m, 1e-6);
      double dm = target_m - m, ratio = target_sd / sqrt(v);
      *mean = fmin(fmax(*mean + dm, 0.0), hi_m);
      *sd = fmin(fmax(*sd * ratio, 0.5), caps ? 40.0 : 30.0);
      if (fabs(dm) < 0.05 && fabs(ratio - 1.0) < 0.005) break;
    }
  }
  return KS_OK;
}

static ks_status resolve_population(ks_ctx *ctx, const ks_scenario *sc, ks_population_params *p) {
  /* treatment-resistant-depression: the veterans preset with every patient depressed. */
  int trd = sc->population.preset == KS_PRESET_TREATMENT_RESISTANT_DEPRESSION;
  const char *name = ks_scen_preset_name(trd ? KS_PRESET_VETERANS_TREATMENT_RESISTANT : sc->population.preset);
  if (ks_population_preset(name, p) != KS_OK)
    return ks_ctx_fail(ctx, KS_EINPUT, "population: unknown preset '%s'", name);
  if (trd) p->comorbid_mdd_frac = 1.0;
  const ks_scen_population *o = &sc->population;
  if (o->caps5_mean_set) p->caps5_mean = o->caps5_mean;
  if (o->caps5_sd_set) p->caps5_sd = o->caps5_sd;
  if (o->age_mean_set) p->age_mean_y = o->age_mean_y;
  if (o->age_sd_set) p->age_sd_y = o->age_sd_y;
  if (o->weight_mean_set) {
    p->weight_median_kg = o->weight_mean_kg;
    /* A mean outside the preset's bounds (scenario.md allows 30-250 kg) takes the model's range. */
    if (o->weight_mean_kg < p->weight_min_kg || o->weight_mean_kg > p->weight_max_kg)
      p->weight_min_kg = 30.0, p->weight_max_kg = 250.0;
  }
  if (o->weight_sd_set) p->weight_cv = o->weight_sd_kg / p->weight_median_kg;
  if (o->female_fraction_set) p->female_frac = o->female_fraction;
  if (o->depression_fraction_set) p->comorbid_mdd_frac = o->depression_fraction;
  if (o->hypertension_fraction_set) p->hypertension_frac = o->hypertension_fraction;
  if (o->caps5_min_set) p->caps5_min = o->caps5_min;
  if (o->age_min_set) p->age_min_y = o->age_min_y;
  if (o->age_max_set) p->age_max_y = o->age_max_y;
  KS_TRY(ks_population_check(ctx, p));
  KS_TRY(solve_baseline(ctx, sc, p));
  return ks_population_check(ctx, p);
}

/* ---- the visit schedule ------------------------------------------------------------------- */

typedef struct {
  double t_h;
  int period, day, by_time;
  double value;
  unsigned scales;
} visit_tmp;

static int visit_cmp(const void *a, const void *b) {
  const visit_tmp *x = a, *y = b;
  return (x->t_h > y->t_h) - (x->t_h < y->t_h);
}

static void add_visit(visit_tmp *v, size_t *n, size_t cap, double t_h, int period, int day, int by_time,
                      double value, int scale) {
  for (size_t i = 0; i < *n; i++)
    if (fabs(v[i].t_h - t_h) < 1e-9 && v[i].period == period) {
      v[i].scales |= 1u << scale;
      return;
    }
  if (*n >= cap) return;
  v[*n] = (visit_tmp){t_h, period, day, by_time, value, 1u << scale};
  (*n)++;
}

static ks_status build_schedule(ks_ctx *ctx, trial_plan *plan) {
  const ks_scenario *sc = plan->sc;
  plan->n_periods = sc->design == KS_DESIGN_CROSSOVER ? 2 : 1;
  plan->period_offset_h = sc->design == KS_DESIGN_CROSSOVER ? 24.0 * (sc->period_days + sc->washout_days) : 0.0;
  int first_day = ks_scenario_first_dose_day(sc);
  int end_day = ks_scenario_treatment_end_day(sc);
  size_t cap = 16;
  for (int s = 0; s < KS_SCALE_N; s++) {
    cap += sc->n_visits[s] * plan->n_periods;
    if (sc->followup_every[s] > 0) cap += (size_t)(sc->followup_days / sc->followup_every[s] + 1) * plan->n_periods;
  }
  visit_tmp *v = ks_calloc(ctx, cap, sizeof *v);
  if (!v) return KS_ENOMEM;
  size_t n = 0;
  for (size_t p = 0; p < plan->n_periods; p++) {
    double off = (double)p * plan->period_offset_h;
    for (int s = 0; s < KS_SCALE_N; s++) {
      for (size_t k = 0; k < sc->n_visits[s]; k++) {
        ks_scen_visit vi = sc->visits[s][k];
        double t = off + ks_scen_visit_t_h(vi, first_day);
        int day = (int)floor(ks_scen_visit_t_h(vi, first_day) / 24.0 + 1e-9);
        add_visit(v, &n, cap, t, (int)p, day, vi.by_time, vi.value, s);
      }
      if (sc->followup_every[s] > 0 && p + 1 == plan->n_periods)
        for (int d = end_day + sc->followup_every[s]; d <= end_day + sc->followup_days; d += sc->followup_every[s])
          add_visit(v, &n, cap, off + 24.0 * d, (int)p, d, 0, d, s);
    }
  }
  /* Baseline (day 0 CAPS-5) is always assessed: every change is from it. */
  add_visit(v, &n, cap, 0.0, 0, 0, 0, 0, KS_SCALE_CAPS5);
  qsort(v, n, sizeof *v, visit_cmp);
  plan->n_visits = n;
  plan->visit_t_h = ks_calloc(ctx, n, sizeof *plan->visit_t_h);
  plan->visit_scales = ks_calloc(ctx, n, sizeof *plan->visit_scales);
  plan->visit_period = ks_calloc(ctx, n, sizeof *plan->visit_period);
  plan->visit_day = ks_calloc(ctx, n, sizeof *plan->visit_day);
  plan->visit_label = ks_calloc(ctx, n, sizeof *plan->visit_label);
  if (!plan->visit_t_h || !plan->visit_scales || !plan->visit_period || !plan->visit_day || !plan->visit_label) {
    ks_free(ctx, v);
    return KS_ENOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    plan->visit_t_h[i] = v[i].t_h;
    plan->visit_scales[i] = v[i].scales;
    plan->visit_period[i] = v[i].period;
    plan->visit_day[i] = v[i].day;
    char pre[16] = "";
    if (plan->n_periods > 1) snprintf(pre, sizeof pre, "P%d ", v[i].period + 1);
    if (v[i].by_time && v[i].value < 1.0 - 1e-9)
      snprintf(plan->visit_label[i], KS_VISIT_LABEL, "%s%g min", pre, 60.0 * v[i].value);
    else if (v[i].by_time)
      snprintf(plan->visit_label[i], KS_VISIT_LABEL, "%s%g h", pre, v[i].value);
    else
      snprintf(plan->visit_label[i], KS_VISIT_LABEL, "%sday %d", pre, v[i].day);
  }
  plan->end_h = n ? plan->visit_t_h[n - 1] : 0.0;
  ks_free(ctx, v);
  return KS_OK;
}

/* ---- screening and randomisation ---------------------------------------------------------- */

/* Candidate ids of replicate r live in their own range so that replicates never share patients. */
static uint64_t candidate_id(uint64_t replicate, uint64_t c) { return (replicate << 40) | c; }

static ks_status screen(ks_ctx *ctx, const trial_plan *plan, size_t n, trial_patient *out, size_t *n_screened) {
  size_t k = 0;
  uint64_t c = 0, limit = (uint64_t)n * 1000 + 1000;
  for (; k < n && c < limit; c++) {
    uint64_t id = candidate_id(plan->replicate, c);
    ks_patient p;
    ks_population_draw(&plan->pop, plan->seed, id, &p);
    if (!passes_screening(plan->sc, &plan->pop, plan->seed, id, &p)) continue;
    out[k].index = k;
    out[k].cov = p;
    k++;
  }
  *n_screened = (size_t)c;
  if (k < n)
    return ks_ctx_fail(ctx, KS_EINPUT,
                       "population: only %zu of %llu screened candidates meet the inclusion criteria (caps5_min "
                       "%g; expected criteria the population can meet)",
                       k, (unsigned long long)c, plan->pop.caps5_min);
  return KS_OK;
}

long ks_trial_block_slots(const ks_scenario *sc, size_t g) { return ks_scenario_block_slots(sc, g); }

/* Slots of one permuted block; a design that needs more is refused (by the loader, for a parallel
 * design; here for a scenario built in code), never truncated. */
#define KS_TRIAL_MAX_BLOCK KS_SCEN_MAX_BLOCK_SLOTS

/* Permuted-block randomisation (Matts & Lachin 1988): each block holds every arm in proportion
 * to its allocation ratio (ratios rounded to whole numbers of slots), shuffled with the block's
 * own stream. */
static ks_status randomise(ks_ctx *ctx, const trial_plan *plan, trial_patient *pts, size_t n) {
  const ks_scenario *sc = plan->sc;
  size_t n_groups = ks__trial_n_groups(sc);
  int slots[KS_TRIAL_MAX_BLOCK];
  size_t bs = 0;
  for (size_t a = 0; a < n_groups; a++) {
    long m = ks_trial_block_slots(sc, a);
    if ((size_t)m > KS_TRIAL_MAX_BLOCK - bs)
      return ks_ctx_fail(ctx, KS_EINPUT, "%s: the allocation ratios need more than %d randomisation slots per "
                         "block (expected smaller ratios: each arm takes 2 x its ratio slots)", sc->name,
                         KS_TRIAL_MAX_BLOCK);
    for (long j = 0; j < m; j++) slots[bs++] = (int)a;
  }
  if (bs == 0) return ks_ctx_fail(ctx, KS_EINPUT, "trial: no arms to randomise to");
  int block[KS_TRIAL_MAX_BLOCK];
  for (size_t i = 0; i < n; i += bs) {
    ks_rng r;
    ks_rng_init(&r, plan->seed, KS_STREAM_RANDOMISATION, candidate_id(plan->replicate, i / bs), 0);
    memcpy(block, slots, bs * sizeof *block);
    for (size_t j = bs - 1; j > 0; j--) {
      size_t k = (size_t)ks_rng_below(&r, j + 1);
      int t = block[j];
      block[j] = block[k];
      block[k] = t;
    }
    for (size_t j = 0; j < bs && i + j < n; j++) pts[i + j].arm = block[j];
  }
  return KS_OK;
}

/* Parameters every patient shares; per-patient variability is drawn in patient.c. */
static ks_status init_layers(ks_ctx *ctx, trial_plan *plan, const ks_trial_options *o) {
  plan->link = o->link ? *o->link : ks_link_params_default();
  plan->mood = o->mood ? *o->mood : ks_mood_params_default();
  ks_clinic_params cp = o->clinic ? *o->clinic : ks_clinic_params_default();
  /* The calibrated set (`ketasim calibrate`, data/calibration/fitted.tsv; ks_model_param in
   * core.h) replaces the defaults: a context's draw or override, else the committed fit. The list
   * of fields is generated from the committed file (src/core/CMakeLists.txt; its layer and field
   * columns come from the sweep binding table). A caller that passes its own layer parameters
   * (calibrate, sweep, ablation) keeps them. */
  ks_link_params *fit_link = o->link ? NULL : &plan->link;
  ks_mood_params *fit_mood = o->mood ? NULL : &plan->mood;
  ks_clinic_params *fit_clinic = o->clinic ? NULL : &cp;
#define KS_FITTED(layer, field, name) \
  if (fit_##layer) fit_##layer->field = ks_model_param(ctx, name, fit_##layer->field);
#include "params_fitted_fields.inc"
#undef KS_FITTED
  (void)fit_link, (void)fit_mood, (void)fit_clinic;
  KS_TRY(ks_link_params_check(ctx, &plan->link));
  plan->receptor = ks_receptor_params_default();
  plan->cascade = ks_cascade_params_default();
  plan->fear = ks_fear_params_default(plan->sc->fear_model == KS_FEAR_LATENT_CAUSE ? KS_FEAR_MODEL_LATENT_CAUSE
                                                                                 : KS_FEAR_MODEL_TWO_TRACE);
  plan->acute = ks_acute_params_default();
  return ks_clinic_model_create(ctx, &cp, &plan->clinic);
}


/* ---- baseline targets on the observed scale ---------------------------------------------------- */

/* The baseline a trial reports is the rated score, which the clinic layer generates from the true
 * severity through the fear memory and the scale's measurement model (compressed and noisier
 * than the true score). So the population's mean and SD are tuned (after the true-score start of
 * solve_baseline) on the observed baseline of a pilot: the trial's own first patients (at most
 * KS_BASELINE_PILOT_N; all of them for a trial that small, so its table 1 is hit in-sample),
 * simulated up to the baseline visit only. Secant steps on the mean, ratio steps on the SD; an SD
 * below the model's measurement noise cannot be reached and stops at the closest value. */
#define KS_BASELINE_PILOT_N 1000
#define KS_BASELINE_PILOT_ITER 6

static ks_status pilot_baseline(ks_ctx *ctx, trial_plan *plan, uint64_t replicate) {
  const ks_scenario *sc = plan->sc;
  const ks_scen_population *o = &sc->population;
  int any = 0;
  for (int s = 0; s < KS_SCALE_N; s++) any |= o->baseline_set[s];
  if (!any) return KS_OK;
  size_t n = (size_t)sc->population.n < KS_BASELINE_PILOT_N ? (size_t)sc->population.n : KS_BASELINE_PILOT_N;
  trial_plan pilot = *plan;
  double t0 = 0.0;
  unsigned scales = (1u << KS_SCALE_CAPS5) | (1u << KS_SCALE_MADRS);
  int period0 = 0, day0 = 0;
  char label[1][KS_VISIT_LABEL] = {"day 0"};
  pilot.n_visits = 1, pilot.visit_t_h = &t0, pilot.visit_scales = &scales, pilot.visit_period = &period0;
  pilot.visit_day = &day0, pilot.visit_label = label, pilot.end_h = 0.0, pilot.replicate = replicate;
  trial_patient *pts = ks_calloc(ctx, n, sizeof *pts);
  double *vals = ks_calloc(ctx, n * KS_M_N, sizeof *vals);
  ks_status st = pts && vals ? KS_OK : KS_ENOMEM;
  for (int s = 0; s < KS_SCALE_N && st == KS_OK; s++) {
    if (!o->baseline_set[s]) continue;
    int caps = s == KS_SCALE_CAPS5, m = caps ? KS_M_CAPS5 : KS_M_MADRS;
    double *mean = caps ? &plan->pop.caps5_mean : &plan->pop.madrs_mean, *sd = caps ? &plan->pop.caps5_sd : &plan->pop.madrs_sd;
    double x_prev = NAN, f_prev = NAN, slope = 1.0;
    for (int it = 0; it < KS_BASELINE_PILOT_ITER && st == KS_OK; it++) {
      pilot.pop = plan->pop;
      size_t ns = 0;
      if ((st = screen(ctx, &pilot, n, pts, &ns)) != KS_OK || (st = randomise(ctx, &pilot, pts, n)) != KS_OK) break;
      ks_status fail = KS_OK;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 8)
#endif
      for (size_t i = 0; i < n; i++) {
        ks_status sti = ks__trial_simulate_patient(ctx, &pilot, &pts[i], vals + i * KS_M_N, NULL);
        if (sti != KS_OK) {
#ifdef _OPENMP
#pragma omp critical(ks_pilot_fail)
#endif
          fail = sti;
        }
      }
      if ((st = fail) != KS_OK) break;
      double sum = 0, sum2 = 0;
      for (size_t i = 0; i < n; i++) sum += vals[i * KS_M_N + m], sum2 += vals[i * KS_M_N + m] * vals[i * KS_M_N + m];
      double mo = sum / (double)n, so = sqrt(fmax(sum2 / (double)n - mo * mo, 0.0) * (double)n / fmax((double)n - 1.0, 1.0));
      double err = o->baseline_mean[s] - mo;
      ks_log(ctx, KS_LOG_DEBUG, "baseline %s pilot %d: mean %.3f SD %.3f (target %g, %g)", ks_scen_scale_name((ks_scen_scale)s),
             it, mo, so, o->baseline_mean[s], o->baseline_sd[s]);
      if (fabs(err) < 0.1 && fabs(so / o->baseline_sd[s] - 1.0) < 0.05) break;
      if (isfinite(x_prev) && fabs(*mean - x_prev) > 1e-6) slope = fmin(fmax((mo - f_prev) / (*mean - x_prev), 0.2), 2.0);
      x_prev = *mean, f_prev = mo;
      *mean = fmin(fmax(*mean + err / slope, 0.0), caps ? 80.0 : 60.0);
      *sd = fmin(fmax(*sd * fmin(fmax(o->baseline_sd[s] / fmax(so, 1e-6), 0.7), 1.4), 0.5), caps ? 40.0 : 30.0);
    }
  }
  ks_free(ctx, pts);
  ks_free(ctx, vals);
  return st == KS_OK ? ks_population_check(ctx, &plan->pop) : st;
}

/* ---- the run -------------------------------------------------------------------------------- */

size_t ks__trial_imaging_subset(const ks_scenario *sc, size_t n) {
  size_t k = sc->imaging_n > 0 ? (size_t)sc->imaging_n
             : sc->imaging_fraction > 0 ? (size_t)ceil(sc->imaging_fraction * (double)n) : n;
  return k < n ? k : n;
}

ks_status ks__trial_setup(ks_ctx *ctx, const ks_scenario *sc, const ks_trial_options *opts, ks_trial_result **out) {
  const ks_trial_options o = *opts;
  ks_trial_result *r = ks_calloc(ctx, 1, sizeof *r);
  if (!r) return KS_ENOMEM;
  r->ctx = ctx;
  r->sc = sc;
  trial_plan *plan = &r->plan;
  plan->sc = sc;
  plan->seed = sc->seed;
  plan->replicate = o.replicate;
  plan->keep_trajectories = o.keep_trajectories;
  plan->doses_of = o.doses_of;
  plan->doses_ud = o.doses_ud;
  ks_status st = resolve_population(ctx, sc, &plan->pop);
  if (st == KS_OK) st = build_schedule(ctx, plan);
  if (st == KS_OK) st = ks__trial_plan_arms(ctx, plan);
  if (st == KS_OK) st = init_layers(ctx, plan, &o);
  if (st == KS_OK) st = pilot_baseline(ctx, plan, o.replicate);
  size_t n = (size_t)(o.n_patients > 0 ? o.n_patients : sc->population.n);
  r->n = n;
  plan->n_imaged = ks__trial_imaging_subset(sc, n);
  if (st == KS_OK && (o.n_patients > KS_SCENARIO_MAX_PATIENTS || sc->population.n > KS_SCENARIO_MAX_PATIENTS))
    st = ks_ctx_fail(ctx, KS_EINPUT, "trial: %zu patients (expected at most %ld in one run; split a larger "
                     "study into replicates)", n, KS_SCENARIO_MAX_PATIENTS);
  if (st == KS_OK) {
    ks__trial_set_layout(r, &o);
    st = ks__trial_check_memory(ctx, r, &o);
  }
  if (st == KS_OK) {
    r->patients = ks_calloc(ctx, n, sizeof *r->patients);
    st = r->patients ? ks__trial_alloc_values(ctx, r, &o) : KS_ENOMEM;
  }
  if (st == KS_OK)
    st = o.population_table ? ks__trial_table_patients(ctx, plan, o.population_table, n, r->patients,
                                                       &r->n_screened)
                            : screen(ctx, plan, n, r->patients, &r->n_screened);
  if (st == KS_OK) st = randomise(ctx, plan, r->patients, n);
  if (st != KS_OK) {
    ks_trial_result_destroy(&r);
    return st;
  }
  *out = r;
  return KS_OK;
}

ks_status ks_trial_run(ks_ctx *ctx, const ks_scenario *sc, const ks_trial_options *opts, ks_trial_result **out) {
  KS_CHECK_ARG(ctx, sc && out && sc->n_arms > 0);
  ks_trial_options o = opts ? *opts : ks_trial_options_default();
  if (o.sink && !o.sink->batch) return ks_ctx_fail(ctx, KS_EINVAL, "trial: a sink without a batch callback");
  ks_trial_result *r = NULL;
  ks_status st = ks__trial_setup(ctx, sc, &o, &r);
  if (st != KS_OK) return st;
  /* The sink (rank 0 only; e.g. the streamed outputs of src/output), then the batch loop
   * (batch.c). Ranks agree on a failure to open the sink (e.g. a checkpoint of another run)
   * before any of them starts simulating. */
  const ks_trial_comm *c = o.comm && o.comm->size > 1 ? o.comm : NULL;
  if (o.sink && (!c || c->rank == 0)) {
    r->sink = o.sink;
    size_t n_done = 0;
    st = o.sink->open ? o.sink->open(o.sink_ud, ctx, r, &o, &r->sink_state, &n_done) : KS_OK;
    if (st == KS_OK && n_done > r->n) st = ks_ctx_fail(ctx, KS_EINVAL, "trial: the sink restored %zu of %zu patients", n_done, r->n);
    if (st == KS_OK) r->n_resumed = n_done;
  }
  if (c && c->agree_max(c->ud, st != KS_OK) && st == KS_OK)
    st = ks_ctx_fail(ctx, KS_EIO, "process 0 could not open the outputs%s%s", o.stream_dir ? " in " : "",
                     o.stream_dir ? o.stream_dir : "");
  if (st == KS_OK) st = ks__trial_run_batches(ctx, r, &o);
  if (st != KS_OK) {
    ks_trial_result_destroy(&r);
    return st;
  }
  *out = r;
  return KS_OK;
}

void ks_trial_result_destroy(ks_trial_result **pr) {
  if (!pr || !*pr) return;
  ks_trial_result *r = *pr;
  ks_ctx *ctx = r->ctx;
  if (r->sink && r->sink->close) r->sink->close(r->sink_state, ctx);
  ks_free(ctx, r->plan.visit_t_h);
  ks_free(ctx, r->plan.visit_scales);
  ks_free(ctx, r->plan.visit_period);
  ks_free(ctx, r->plan.visit_day);
  ks_free(ctx, r->plan.visit_label);
  ks_clinic_model_destroy(&r->plan.clinic);
  ks__trial_plan_arms_free(ctx, &r->plan);
  ks_free(ctx, r->patients);
  ks_free(ctx, r->values);
  ks_free(ctx, r);
  *pr = NULL;
}

void *ks_trial_sink_state(const ks_trial_result *r, const ks_trial_sink *sink) {
  return r && sink && r->sink == sink ? r->sink_state : NULL;
}

size_t ks_trial_n_resumed(const ks_trial_result *r) { return r ? r->n_resumed : 0; }

size_t ks_trial_n_patients(const ks_trial_result *r) { return r ? r->n : 0; }
size_t ks_trial_n_visits(const ks_trial_result *r) { return r ? r->plan.n_visits : 0; }
size_t ks_trial_n_imaged(const ks_trial_result *r) { return r ? r->plan.n_imaged : 0; }

double ks_trial_visit_t_h(const ks_trial_result *r, size_t v) {
  return r && v < r->plan.n_visits ? r->plan.visit_t_h[v] : NAN;
}
const char *ks_trial_visit_label(const ks_trial_result *r, size_t v) {
  return r && v < r->plan.n_visits ? r->plan.visit_label[v] : "";
}
int ks_trial_patient_arm(const ks_trial_result *r, size_t i) { return r && i < r->n ? r->patients[i].arm : -1; }
double ks_trial_value(const ks_trial_result *r, size_t i, size_t v, ks_measure m) {
  if (!r || i >= r->n || v >= r->plan.n_visits || (unsigned)m >= KS_M_N) return NAN;
  return r->values ? ks__trial_val(r, i, v, (int)m) : NAN;
}
