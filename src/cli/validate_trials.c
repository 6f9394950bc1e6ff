/* SPDX-License-Identifier: MIT */
/* `ketasim validate --trials`: the library of published trials (examples/trials/NAME.yaml), each run
 * at its published size times --n-scale, and each figure of data/trials/library.tsv compared with
 * the published value (data/trials/TRIAL.tsv) through the one band rule (ks_target_band). A
 * scenario the scenario language cannot express yet is skipped with a message naming the missing
 * feature (its "# needs:" comment) and the parser's own error. */
#include "validate_trials.h"

#include "cli.h"

#include <ketasim/calibrate.h>
#include <ketasim/stats.h>
#include <ketasim/validate.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 1024
#define FIELD_MAX 12

/* Split LINE (modified) at tabs into at most FIELD_MAX fields; returns the count. */
static size_t split_tabs(char *line, char **f) {
  size_t n = 0;
  line[strcspn(line, "\r\n")] = '\0';
  for (char *p = line; n < FIELD_MAX;) {
    f[n++] = p;
    char *t = strchr(p, '\t');
    if (!t) break;
    *t = '\0';
    p = t + 1;
  }
  return n;
}

static double num_or_nan(const char *s) {
  if (!s || !*s || !strcmp(s, "NA")) return NAN;
  char *end;
  double v = strtod(s, &end);
  return *end ? NAN : v;
}

/* Find in DIR/TRIAL.tsv the row with arm_or_contrast == ARM and statistic SEL ("stat" or
 * "stat@WORD": scale == WORD or endpoint containing WORD). Fills the published figure. Returns 0
 * when found, 1 when not (t->source says why). */
static int published_row(const char *dir, const char *trial, const char *arm, const char *sel, vt_target *t) {
  char path[512], line[LINE_MAX_LEN], stat[64], word[64] = "";
  snprintf(path, sizeof path, "%s/%s.tsv", dir, trial);
  snprintf(stat, sizeof stat, "%s", sel);
  char *at = strchr(stat, '@');
  if (at) {
    snprintf(word, sizeof word, "%s", at + 1);
    *at = '\0';
  }
  FILE *fp = fopen(path, "r");
  if (!fp) {
    snprintf(t->source, sizeof t->source, "cannot read %.180s", path);
    return 1;
  }
  int found = 0;
  while (!found && fgets(line, sizeof line, fp)) {
    char *f[FIELD_MAX];
    if (line[0] == '#' || split_tabs(line, f) < 12 || !strcmp(f[0], "trial")) continue;
    if (strcmp(f[1], arm) || strcmp(f[5], stat)) continue;
    if (word[0] && strcmp(f[3], word) && !strstr(f[2], word)) continue;
    found = 1;
    snprintf(t->endpoint, sizeof t->endpoint, "%.95s", f[2]);
    t->published = num_or_nan(f[6]);
    t->ci_lo = num_or_nan(f[7]);
    t->ci_hi = num_or_nan(f[8]);
    t->sd = num_or_nan(f[9]);
    t->n = num_or_nan(f[10]);
    snprintf(t->source, sizeof t->source, "%.199s", f[11]);
    /* A published proportion without a CI: its per-patient SD is sqrt(p (1 - p)). */
    if (!strcmp(stat, "proportion") && !isfinite(t->sd) && isfinite(t->published))
      t->sd = sqrt(t->published * (1.0 - t->published));
  }
  fclose(fp);
  if (!found) snprintf(t->source, sizeof t->source, "no row '%.60s' / '%.40s' in %.80s", arm, sel, path);
  return !found;
}

/* The "# needs:" comment of a scenario file (what the language must support to run it). */
static void scenario_needs(const char *path, char *out, size_t n) {
  snprintf(out, n, "a feature the landed scenario language lacks (no '# needs:' comment)");
  FILE *fp = fopen(path, "r");
  if (!fp) return;
  char line[LINE_MAX_LEN];
  while (fgets(line, sizeof line, fp) && line[0] == '#')
    if (!strncmp(line, "# needs:", 8)) {
      line[strcspn(line, "\r\n")] = '\0';
      snprintf(out, n, "%.390s", line + 9);
      break;
    }
  fclose(fp);
}

static long group_by_name(const ks_trial_result *r, const char *name) {
  char buf[128];
  for (size_t g = 0; g < ks_trial_n_groups(r); g++)
    if (!strcmp(ks_trial_group_label(r, g, buf, sizeof buf), name)) return (long)g;
  return -1;
}

/* The visit labelled LABEL and the measure named SCALE (ks_measure_name); 0 when both exist. */
static int visit_and_measure(const ks_trial_result *r, const char *scale, const char *label, size_t *v, ks_measure *m) {
  int found = 0;
  for (int k = 0; k < KS_M_N && !found; k++)
    if (!strcmp(ks_measure_name((ks_measure)k), scale)) *m = (ks_measure)k, found = 1;
  for (size_t i = 0; found && i < ks_trial_n_visits(r); i++)
    if (!strcmp(ks_trial_visit_label(r, i), label)) {
      *v = i;
      return 0;
    }
  return 1;
}

/* First arm minus second arm at visit V of measure M: the difference in mean change from visit 0
 * (*diff) and Cohen's d on the pooled SD of the change (*d). Patients with both values only. */
static void visit_effect(const ks_trial_result *r, size_t v, ks_measure m, double *diff, double *d) {
  double s[2] = {0, 0}, ss[2] = {0, 0};
  size_t n[2] = {0, 0};
  for (size_t i = 0; i < ks_trial_n_patients(r); i++) {
    int a = ks_trial_patient_arm(r, i);
    double b = ks_trial_value(r, i, 0, m), x = ks_trial_value(r, i, v, m);
    if ((a != 0 && a != 1) || isnan(b) || isnan(x)) continue;
    s[a] += x - b, ss[a] += (x - b) * (x - b), n[a]++;
  }
  *diff = *d = NAN;
  if (n[0] < 2 || n[1] < 2) return;
  double m0 = s[0] / (double)n[0], m1 = s[1] / (double)n[1];
  double var = (ss[0] - (double)n[0] * m0 * m0 + ss[1] - (double)n[1] * m1 * m1) / (double)(n[0] + n[1] - 2);
  *diff = m0 - m1;
  if (var > 0) *d = *diff / sqrt(var);
}

/* "change_diff:SCALE:VISIT" (first arm minus second in mean change at VISIT) and
 * "d_ratio:SCALE:LATE:EARLY" (Cohen's d on change at visit LATE over that at EARLY). */
static void visit_measure(const ks_trial_result *r, const char *m, vt_target *t) {
  char buf[128], *f[4] = {NULL, NULL, NULL, NULL};
  snprintf(buf, sizeof buf, "%s", m);
  size_t k = 0;
  for (char *p = buf; p && k < 4; k++) {
    f[k] = p;
    if ((p = strchr(p, ':'))) *p++ = '\0';
  }
  size_t v1, v2;
  ks_measure ms;
  double diff1, d1, diff2, d2;
  if (k < 3 || visit_and_measure(r, f[1], f[2], &v1, &ms)) return;
  visit_effect(r, v1, ms, &diff1, &d1);
  if (!strcmp(f[0], "change_diff")) {
    t->simulated = diff1;
    return;
  }
  if (k < 4 || visit_and_measure(r, f[1], f[3], &v2, &ms)) return;
  visit_effect(r, v2, ms, &diff2, &d2);
  if (isfinite(d1) && isfinite(d2) && d2 != 0.0) t->simulated = d1 / d2;
}

/* The simulated value of MEASURE (see data/trials/library.tsv) and, where the trial gives one,
 * its own sampling 95% CI. NAN when the measure does not apply. */
static ks_status measure(ks_ctx *ctx, const ks_trial_result *r, const char *m, vt_target *t) {
  t->simulated = t->sim_lo = t->sim_hi = NAN;
  if (!strcmp(m, "difference") || !strcmp(m, "cohens_d")) {
    ks_trial_primary p;
    ks_status st = ks_trial_summarise(ctx, r, &p);
    if (st != KS_OK || !p.valid) return st;
    int d = !strcmp(m, "cohens_d");
    t->simulated = d ? p.cohens_d : p.difference;
    t->sim_lo = d ? p.cohens_d_lo : p.ci_lo;
    t->sim_hi = d ? p.cohens_d_hi : p.ci_hi;
    return KS_OK;
  }
  if (!strcmp(m, "response_diff") || !strcmp(m, "remission_diff")) {
    ks_trial_secondary s;
    ks_status st = ks_trial_secondary_summarise(ctx, r, &s);
    if (st != KS_OK || !s.valid) return st;
    int rem = !strcmp(m, "remission_diff");
    t->simulated = rem ? s.remission_diff : s.response_diff;
    t->sim_lo = rem ? s.remission_diff_lo : s.response_diff_lo;
    t->sim_hi = rem ? s.remission_diff_hi : s.response_diff_hi;
    return KS_OK;
  }
  if (!strncmp(m, "change_diff:", 12) || !strncmp(m, "d_ratio:", 8)) {
    visit_measure(r, m, t);
    return KS_OK;
  }
  const char *colon = strchr(m, ':');
  if (!colon) return KS_OK;
  long g = group_by_name(r, colon + 1);
  if (g < 0) return KS_OK;
  ks_trial_arm_summary a;
  KS_CLI_TRY(ks_trial_arm_summarise(ctx, r, (size_t)g, &a));
  size_t k = (size_t)(colon - m);
  if (!strncmp(m, "response", k)) {
    t->simulated = a.response_rate, t->sim_lo = a.response_lo, t->sim_hi = a.response_hi;
  } else if (!strncmp(m, "remission", k)) {
    t->simulated = a.remission_rate, t->sim_lo = a.remission_lo, t->sim_hi = a.remission_hi;
  } else if (!strncmp(m, "non_remission", k)) {
    t->simulated = 1.0 - a.remission_rate, t->sim_lo = 1.0 - a.remission_hi, t->sim_hi = 1.0 - a.remission_lo;
  } else if (!strncmp(m, "durability", k)) {
    t->simulated = a.median_days_to_loss_of_response, t->sim_lo = a.median_days_lo, t->sim_hi = a.median_days_hi;
  } else if (!strncmp(m, "relapse", k) && a.durability_n > 0) {
    /* share of the durability population (remitters or responders at their visit) who lost it */
    ks_proportion pr;
    KS_CLI_TRY(ks_stats_proportion(ctx, a.durability_events, a.durability_n, 0.95, &pr));
    t->simulated = pr.p, t->sim_lo = pr.lo, t->sim_hi = pr.hi;
  }
  return KS_OK;
}

/* Run one scenario of the library (once for all its targets): load, scale n, run. *skip is set
 * (with the reason in `why`) when the language cannot express it. */
static ks_status run_scenario(ks_ctx *ctx, const vt_options *o, const char *name, int *skip, char *why, size_t nw,
                              ks_scenario **scp, ks_trial_result **r) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s.yaml", o->library_dir, name);
  ks_scenario *sc = NULL;
  *skip = 0;
  ks_status st = ks_scenario_load(ctx, path, &sc);
  if (st != KS_OK) {
    char needs[400];
    scenario_needs(path, needs, sizeof needs);
    snprintf(why, nw, "needs %.390s (parser: %.190s)", needs, ks_ctx_last_error(ctx));
    *skip = 1;
    return KS_OK;
  }
  ks_trial_options to = ks_trial_options_default();
  long n = o->n_patients > 0 ? o->n_patients : lround((double)ks_scenario_total_patients(sc) * o->n_scale);
  long min_n = 4 * (long)sc->n_arms;
  to.n_patients = n < min_n ? min_n : n;
  to.n_threads = o->n_threads;
  to.link = o->link, to.mood = o->mood, to.clinic = o->clinic;
  if (!o->quiet) fprintf(stderr, "ketasim: validate: simulating %s (%ld patients)\n", name, to.n_patients);
  *scp = sc; /* the result refers to its scenario: both live in the cache */
  return ks_trial_run(ctx, sc, &to, r);
}

static void set_band(vt_target *t) {
  if (!isfinite(t->published)) {
    t->status = VT_MISSING;
    return;
  }
  ks_band_input b = {.published = t->published, .ci_lo = t->ci_lo, .ci_hi = t->ci_hi, .sd = t->sd, .n = t->n,
                     .simulated = t->simulated, .pred_lo = t->pred_lo, .pred_hi = t->pred_hi};
  ks_band_input b0 = b;
  b0.pred_lo = b0.pred_hi = NAN;
  if (ks_target_band(&b0, &t->lo_published, &t->hi_published) != KS_OK || ks_target_band(&b, &t->lo, &t->hi) != KS_OK) {
    t->status = VT_NO_BAND;
    return;
  }
  if (!isfinite(t->simulated)) t->status = VT_NOT_SIMULATED;
  else t->status = (t->simulated >= t->lo && t->simulated <= t->hi) ? VT_PASS : VT_MISS;
}

static void vt_cache_clear(vt_cache *c) {
  ks_trial_result_destroy(&c->r);
  ks_scenario_destroy(&c->sc);
}

/* One library row into t (fields: id, scenario, trial, arm_or_contrast, statistic, measure). */
static ks_status one_row(ks_ctx *ctx, const vt_options *o, char **f, vt_cache *cache, vt_target *t) {
  memset(t, 0, sizeof *t);
  snprintf(t->id, sizeof t->id, "%.79s", f[0]);
  snprintf(t->scenario, sizeof t->scenario, "%.47s", f[1]);
  snprintf(t->contrast, sizeof t->contrast, "%.95s", f[3]);
  t->calibration = ks_target_is_calibration(f[0]);
  t->published = t->ci_lo = t->ci_hi = t->sd = t->n = t->lo = t->hi = t->simulated = NAN;
  t->lo_published = t->hi_published = NAN;
  t->sim_lo = t->sim_hi = t->pred_lo = t->pred_hi = NAN;
  if (published_row(o->data_dir, f[2], f[3], f[4], t)) {
    t->status = VT_MISSING;
    return KS_OK;
  }
  if (strcmp(cache->name, f[1])) {
    vt_cache_clear(cache);
    snprintf(cache->name, sizeof cache->name, "%.47s", f[1]);
    KS_CLI_TRY(run_scenario(ctx, o, f[1], &cache->skip, cache->why, sizeof cache->why, &cache->sc, &cache->r));
  }
  if (cache->skip) {
    t->status = VT_SKIPPED;
    snprintf(t->why, sizeof t->why, "%.599s", cache->why);
    return KS_OK;
  }
  KS_CLI_TRY(measure(ctx, cache->r, f[5], t));
  set_band(t);
  return KS_OK;
}

static int scenario_selected(const vt_options *o, const char *name) {
  if (!o->scenarios) return 1;
  for (size_t i = 0; o->scenarios[i]; i++)
    if (!strcmp(o->scenarios[i], name)) return 1;
  return 0;
}

/* One pass over the library with the parameters the context holds now. */
static ks_status vt_pass(ks_ctx *ctx, const vt_options *o, vt_target *out, size_t cap, size_t *n) {
  char path[512], line[LINE_MAX_LEN];
  snprintf(path, sizeof path, "%s/library.tsv", o->data_dir);
  FILE *fp = fopen(path, "r");
  if (!fp) return ks_ctx_fail(ctx, KS_EIO, "cannot read %s (the trial library's target list)", path);
  vt_cache cache = {.name = "", .sc = NULL, .r = NULL};
  ks_status st = KS_OK;
  *n = 0;
  while (st == KS_OK && fgets(line, sizeof line, fp)) {
    char *f[FIELD_MAX];
    if (line[0] == '#' || split_tabs(line, f) < 6 || !strcmp(f[0], "id")) continue;
    if (o->only_calibration && !ks_target_is_calibration(f[0])) continue;
    if (!scenario_selected(o, f[1])) continue;
    if (*n >= cap) {
      st = ks_ctx_fail(ctx, KS_ERANGE, "%s: more than %zu targets", path, cap);
      break;
    }
    if ((st = one_row(ctx, o, f, &cache, &out[*n])) == KS_OK) (*n)++;
  }
  fclose(fp);
  vt_cache_clear(&cache);
  return st;
}

/* The model's 95% prediction interval of every target: the library re-run over K ensemble draws
 * (the same draws `run --uncertainty` uses), type-7 quantiles of each target's simulated values,
 * extended to include the committed set's own value (a few draws may all fall on one side of it). */
static ks_status vt_predict(ks_ctx *ctx, const vt_options *o, vt_target *out, size_t n) {
  size_t k = o->uncertainty_k;
  vt_target *draw = ks_calloc(ctx, n ? n : 1, sizeof *draw);
  double *val = ks_calloc(ctx, k * (n ? n : 1), sizeof *val), *col = ks_calloc(ctx, k, sizeof *col);
  ks_status st = draw && val && col ? KS_OK : KS_ENOMEM;
  vt_options q = *o;
  q.quiet = 1;
  for (size_t d = 0; d < k && st == KS_OK; d++) {
    size_t m = 0;
    if ((st = ks_ensemble_draw(ctx, ks_ctx_seed(ctx), d)) != KS_OK) break;
    if (!o->quiet) fprintf(stderr, "ketasim: validate: ensemble draw %zu of %zu\n", d + 1, k);
    if ((st = vt_pass(ctx, &q, draw, n, &m)) == KS_OK && m != n)
      st = ks_ctx_fail(ctx, KS_EINVAL, "validate: the library changed between runs");
    for (size_t i = 0; st == KS_OK && i < n; i++) val[d * n + i] = draw[i].simulated;
  }
  ks_model_param_clear(ctx);
  for (size_t i = 0; st == KS_OK && i < n; i++) {
    size_t m = 0;
    for (size_t d = 0; d < k; d++)
      if (isfinite(val[d * n + i])) col[m++] = val[d * n + i];
    if (m < 2 || out[i].status == VT_SKIPPED || out[i].status == VT_MISSING) continue;
    if ((st = ks_stats_quantile(ctx, col, m, 0.025, KS_NAN_REJECT, &out[i].pred_lo)) != KS_OK) break;
    if ((st = ks_stats_quantile(ctx, col, m, 0.975, KS_NAN_REJECT, &out[i].pred_hi)) != KS_OK) break;
    /* The interval of the prediction includes the prediction itself (the committed set's run). */
    if (isfinite(out[i].simulated)) {
      out[i].pred_lo = fmin(out[i].pred_lo, out[i].simulated);
      out[i].pred_hi = fmax(out[i].pred_hi, out[i].simulated);
    }
    set_band(&out[i]);
  }
  ks_free(ctx, draw);
  ks_free(ctx, val);
  ks_free(ctx, col);
  return st;
}

ks_status vt_run(ks_ctx *ctx, const vt_options *o, vt_target *out, size_t cap, size_t *n) {
  ks_status st = vt_pass(ctx, o, out, cap, n);
  if (st != KS_OK) return st;
  return o->uncertainty_k >= 2 && !o->link && !o->mood && !o->clinic ? vt_predict(ctx, o, out, *n) : KS_OK;
}

const char *vt_status_name(vt_status s) {
  switch (s) {
    case VT_PASS: return "pass";
    case VT_MISS: return "MISS";
    case VT_MISSING: return "no published number";
    case VT_NO_BAND: return "no published CI or SD";
    case VT_NOT_SIMULATED: return "not simulated";
    case VT_SKIPPED: return "skipped";
  }
  return "?";
}

ks_status vt_layer_targets(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n) {
  static const char *const scenarios[] = {"feder2021", "feder2014", NULL};
  vt_options o = {.library_dir = "examples/trials", .data_dir = "data/trials", .n_scale = 1.0, .quiet = 1,
                  .scenarios = scenarios, .n_patients = 4000};
  vt_target *t = ks_calloc(ctx, 64, sizeof *t);
  if (!t) return KS_ENOMEM;
  size_t m = 0;
  ks_status st = vt_run(ctx, &o, t, 64, &m);
  for (size_t i = 0; st == KS_OK && i < m; i++) {
    if (t[i].status != VT_PASS && t[i].status != VT_MISS && t[i].status != VT_NOT_SIMULATED) continue;
    char quantity[200];
    snprintf(quantity, sizeof quantity, "%.95s (%.60s), 4000 patients", t[i].endpoint, t[i].contrast);
    st = ks_target_add(out, cap, n, t[i].id, quantity, "", t[i].source, t[i].published, t[i].lo, t[i].hi,
                       t[i].simulated, t[i].calibration ? KS_TARGET_CALIBRATED : KS_TARGET_HELD_OUT);
  }
  ks_free(ctx, t);
  return st;
}
