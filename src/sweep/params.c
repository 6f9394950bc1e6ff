/* SPDX-License-Identifier: MIT */
/* The parameter binding table, parameter-range TSV files and scenario copies (sweep.h). */
#include <ketasim/sweep.h>
#include <ketasim/clinic.h>
#include <ketasim/link.h>
#include <ketasim/mood.h>

#include <stddef.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"

/* ---- setters on a scenario ------------------------------------------------------------------ */

static int set_dose(void *obj, double v) {
  ks_scenario *sc = obj;
  if (!sc->n_arms || !sc->arms[0].n_regimen || !sc->arms[0].regimen[0].per_kg) return -1;
  for (size_t i = 0; i < sc->arms[0].n_regimen; i++)
    if (sc->arms[0].regimen[i].drug == sc->arms[0].regimen[0].drug && sc->arms[0].regimen[i].per_kg)
      sc->arms[0].regimen[i].dose = v;
  return 0;
}

#define POP_SETTER(fn, field)                 \
  static int fn(void *obj, double v) {        \
    ks_scenario *sc = obj;                    \
    sc->population.field##_set = 1;           \
    sc->population.field = v;                 \
    return 0;                                 \
  }
POP_SETTER(set_caps5_mean, caps5_mean)
POP_SETTER(set_caps5_sd, caps5_sd)
POP_SETTER(set_female_fraction, female_fraction)
POP_SETTER(set_depression_fraction, depression_fraction)
POP_SETTER(set_hypertension_fraction, hypertension_fraction)
#undef POP_SETTER

static int set_age_mean(void *obj, double v) {
  ks_scenario *sc = obj;
  sc->population.age_mean_set = 1, sc->population.age_mean_y = v;
  return 0;
}
static int set_weight_mean(void *obj, double v) {
  ks_scenario *sc = obj;
  sc->population.weight_mean_set = 1, sc->population.weight_mean_kg = v;
  return 0;
}

/* Today's tunables reachable from a scenario. Default ranges: the span between the two published
 * populations behind the presets (src/population/population.c: civilian chronic PTSD, Feder 2014
 * and 2021; treatment-resistant veterans, Abdallah 2022), or the cited range. The layer
 * parameters are KS_PARAM_LINK rows: fields of ks_link_params at their offsets (calibrated values from
 * docs/model/link.md, ranges stated with each). data/sensitivity/params.tsv mirrors the default ranges (test_sweep checks it). */
/* A layer row: the field's offset and its C expression from the same tokens (FIELD). */
#define LAYER_ROW(name, label, unit, what, target, type, field, min, max, lo, hi, source) \
  {name, label, unit, what, target, min, max, NULL, offsetof(type, field), lo, hi, source, #field}

static const ks_param_binding bindings[] = {
    {"dose", "dose", "mg/kg", "dose of the first arm's drug (every per-kg line of it)", KS_PARAM_SCENARIO, 0.01, 1.0,
     set_dose, 0, 0.1, 1.0,
     "Fava 2020 Mol Psychiatry 25:1592 (IV ketamine dose-ranging 0.1-1.0 mg/kg); 1.0 = studied maximum", NULL},
    {"caps5_mean", "CAPS-5 mean", "points", "mean baseline CAPS-5 severity of referred patients", KS_PARAM_SCENARIO, 0, 80,
     set_caps5_mean, 0, 35, 45,
     "preset 40 +- 5 (Feder 2021 baseline about 41, SD 7); the +-5 is exploratory, not a published span", NULL},
    {"caps5_sd", "CAPS-5 SD", "points", "between-patient SD of baseline CAPS-5", KS_PARAM_SCENARIO, 0, 40, set_caps5_sd, 0, 8,
     9, "preset span: civilian 8 (Feder 2014/2021) to veterans 9 (Abdallah 2022)", NULL},
    {"age_mean", "age", "y", "mean age", KS_PARAM_SCENARIO, 18, 100, set_age_mean, 0, 39, 42,
     "preset span: civilian 39 (Feder 2014/2021) to veterans 42 (Abdallah 2022)", NULL},
    {"weight_mean", "weight", "kg", "median body weight", KS_PARAM_SCENARIO, 30, 250, set_weight_mean, 0, 80, 90,
     "preset span: civilian 80 (Feder 2014/2021) to veterans 90 (Abdallah 2022)", NULL},
    {"female_fraction", "women", "1", "share of women", KS_PARAM_SCENARIO, 0, 1, set_female_fraction, 0, 0.15, 0.45,
     "preset span: veterans 0.15 (Abdallah 2022) to civilian 0.45 (Feder 2014/2021)", NULL},
    {"depression_fraction", "MDD", "1", "share with comorbid major depression", KS_PARAM_SCENARIO, 0, 1,
     set_depression_fraction, 0, 0.5, 0.6, "preset span: civilian 0.50 (Feder 2021) to veterans 0.60 (Abdallah 2022)", NULL},
    {"hypertension_fraction", "HTN", "1", "share with hypertension", KS_PARAM_SCENARIO, 0, 1, set_hypertension_fraction, 0,
     0.15, 0.25, "preset span: civilian 0.15 to veterans 0.25 (population.c)", NULL},
    /* Layer parameters: fields of ks_link_params (the joins between layers). */
    LAYER_ROW("spine_deficit_ref", "PFC spine deficit", "1", "PFC spine deficit of the typical patient (link)", KS_PARAM_LINK,
              ks_link_params, spine_deficit_ref, 0.01, 0.5, 0.1, 0.2,
              "assumption: the cascade's PTSD reference 0.15 (docs/model/link.md) +- one third"),
    LAYER_ROW("human_spine_relax_scale", "spine relaxation x", "1", "human / rodent spine relaxation time (link)", KS_PARAM_LINK,
              ks_link_params, human_spine_relax_scale, 0.1, 20, 1, 5,
              "calibrated 3.0 to Feder 2021 durability (docs/model/link.md); 1 = the rodent time course, 5 exploratory"),
    LAYER_ROW("phenotype_severity_ref", "circuit severity", "1", "circuit phenotype severity of the typical patient (link)",
              KS_PARAM_LINK, ks_link_params, phenotype_severity_ref, 0, 1, 0.4, 0.8,
              "assumption 0.6 (docs/model/link.md) +- 0.2"),
    LAYER_ROW("caps5_per_logit", "CAPS-5 per logit", "points", "CAPS-5 points per logit of baseline fear expression (link)",
              KS_PARAM_LINK, ks_link_params, caps5_per_logit, 1, 50, 10, 18,
              "calibrated 14 to the presets' baseline CAPS-5 (docs/model/link.md); +- 4 exploratory"),
    LAYER_ROW("acute_control_gain", "acute control", "1",
              "relative rise of vmPFC->amygdala control per unit acute antidepressant state, k_ac (link)", KS_PARAM_LINK,
              ks_link_params, acute_control_gain, 0, 5, 0, 1.2,
              "calibrated 0.6 to the 1-week/24-h ratio 0.69 of single-dose PTSD effects (Eur J Psychotraumatol 2024;15:2299124; docs/model/link.md); 0 to twice"),
    LAYER_ROW("blinded_expectancy", "expectancy", "1", "expectancy of a patient in an arm that receives an infusion (link)",
              KS_PARAM_LINK, ks_link_params, blinded_expectancy, 0, 1, 0.5, 1,
              "calibrated 1.0 to Feder 2021's midazolam responders (docs/model/link.md); lower half exploratory"),
    LAYER_ROW("approach_per_expectancy", "approach", "1", "share of avoidance overcome per unit expectancy (link)", KS_PARAM_LINK,
              ks_link_params, approach_per_expectancy, 0, 1, 0, 0.6,
              "assumption 0.3 (docs/model/link.md, direction from Rutherford & Roose 2013), 0 to twice"),
    /* Trial-level calibrated parameters of the mood and clinic layers (docs/model/fear.md "Mood",
     * docs/model/clinic.md): bound for `ketasim calibrate` (docs/model/calibrate.md); the sensitivity
     * commands do not vary them (ks_param_ranges_default and the TSV reader take scenario and link
     * rows only). Ranges: 0 to about twice the value calibrated by hand in session 5 (assumption: no
     * published span exists for these model weights). */
    LAYER_ROW("activation_gain", "mood activation", "1", "outcome value per unit engagement above baseline, k_BA (mood)",
              KS_PARAM_MOOD, ks_mood_params, activation_gain, 0, 1.99, 0, 0.6,
              "calibrated 0.3 to Feder 2021's week-2 CAPS-5 difference (docs/model/fear.md); 0 to twice"),
    LAYER_ROW("acute_readout", "acute readout", "1", "reported value per unit acute antidepressant state, c_a (mood)",
              KS_PARAM_MOOD, ks_mood_params, acute_readout, 0, 5, 0, 0.5,
              "calibrated 0.1 to Feder 2021's week-2 CAPS-5 difference (docs/model/fear.md; 0.25 before the acute-control link); 0 to twice 0.25"),
    LAYER_ROW("w_intrusion_fear", "B <- fear", "theta", "intrusion (cluster B) theta per logit of fear expression (clinic)",
              KS_PARAM_CLINIC, ks_clinic_params, weight[KS_CLUSTER_B][0], 0, 10, 0, 2.2,
              "calibrated 1.1 to Feder 2021's week-2 CAPS-5 difference (docs/model/clinic.md); 0 to twice"),
    LAYER_ROW("w_avoidance_fear", "C <- fear", "theta", "avoidance (cluster C) theta per logit of fear expression (clinic)",
              KS_PARAM_CLINIC, ks_clinic_params, weight[KS_CLUSTER_C][0], 0, 10, 0, 0.8,
              "calibrated 0.4 to Feder 2021's week-2 CAPS-5 difference (docs/model/clinic.md); 0 to twice"),
    LAYER_ROW("w_mood_fear", "D <- fear", "theta", "cognitions/mood (cluster D) theta per logit of fear expression (clinic)",
              KS_PARAM_CLINIC, ks_clinic_params, weight[KS_CLUSTER_D][0], 0, 10, 0, 1.2,
              "calibrated 0.6 to Feder 2021's week-2 CAPS-5 difference (docs/model/clinic.md); 0 to twice"),
    LAYER_ROW("w_mood_appraisal", "D <- appraisal", "theta",
              "cognitions/mood (cluster D) theta per logit of negative appraisal (clinic)", KS_PARAM_CLINIC, ks_clinic_params,
              weight[KS_CLUSTER_D][2], 0, 10, 0, 3.2,
              "calibrated 1.6 to Feder 2021's week-2 CAPS-5 difference (docs/model/clinic.md); 0 to twice"),
    LAYER_ROW("w_depression_fear", "DEP <- fear", "theta", "depression theta per logit of fear expression (clinic)",
              KS_PARAM_CLINIC, ks_clinic_params, weight[KS_CLUSTER_DEP][0], 0, 10, 0, 0.6,
              "calibrated 0.3 to Feder 2021's week-2 CAPS-5 difference (docs/model/clinic.md); 0 to twice"),
    LAYER_ROW("w_depression_appraisal", "DEP <- appraisal", "theta", "depression theta per logit of negative appraisal (clinic)",
              KS_PARAM_CLINIC, ks_clinic_params, weight[KS_CLUSTER_DEP][2], 0, 10, 0, 2.0,
              "calibrated 1.0 to Feder 2021's week-2 CAPS-5 difference (docs/model/clinic.md); 0 to twice"),
};

/* The sensitivity and optimize commands set scenario and link rows (sens_run.c); mood and clinic
 * rows are bound for `ketasim calibrate` only. */
static int sensitivity_ok(const ks_param_binding *b) {
  return b->target == KS_PARAM_SCENARIO || b->target == KS_PARAM_LINK;
}

const ks_param_binding *ks_param_bindings(size_t *n) {
  if (n) *n = KS_ARRAY_LEN(bindings);
  return bindings;
}

const ks_param_binding *ks_param_find(const char *name) {
  for (size_t i = 0; name && i < KS_ARRAY_LEN(bindings); i++)
    if (!strcmp(bindings[i].name, name)) return &bindings[i];
  return NULL;
}

ks_status ks_param_set(ks_ctx *ctx, const ks_param_binding *b, void *obj, double v) {
  KS_CHECK_ARG(ctx, b && obj);
  if (!(v >= b->min && v <= b->max))
    return ks_ctx_fail(ctx, KS_EINPUT, "parameter %s = %g %s is outside %g to %g", b->name, v, b->unit, b->min, b->max);
  if (b->set) {
    if (b->set(obj, v) != 0)
      return ks_ctx_fail(ctx, KS_EINPUT, "parameter %s: the scenario has nothing to set (%s)", b->name, b->what);
  } else {
    memcpy((char *)obj + b->offset, &v, sizeof v);
  }
  return KS_OK;
}

size_t ks_param_ranges_default(ks_param_range *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < KS_ARRAY_LEN(bindings) && n < cap; i++) {
    if (!sensitivity_ok(&bindings[i])) continue;
    out[n] = (ks_param_range){.binding = &bindings[i], .low = bindings[i].default_low, .high = bindings[i].default_high};
    snprintf(out[n].source, sizeof out[n].source, "%s", bindings[i].source);
    n++;
  }
  return n;
}

/* ---- the TSV -------------------------------------------------------------------------------- */

/* Split LINE at tabs into at most 5 fields; *cols gets each field's 1-based column. */
static size_t split_tabs(char *line, char **f, int *cols) {
  size_t n = 0;
  char *p = line;
  while (n < 5) {
    f[n] = p;
    cols[n] = (int)(p - line) + 1;
    n++;
    char *t = strchr(p, '\t');
    if (!t) break;
    *t = '\0';
    p = t + 1;
  }
  return n;
}

static ks_status parse_row(ks_ctx *ctx, const char *path, int line_no, char *line, ks_param_range *r) {
  char *f[5];
  int col[5];
  size_t nf = split_tabs(line, f, col);
  if (nf < 5)
    return ks_ctx_fail_input(ctx, path, line_no, 1, "%zu tab-separated fields (expected name, low, high, unit, source)", nf);
  const ks_param_binding *b = ks_param_find(f[0]);
  if (b && !sensitivity_ok(b))
    return ks_ctx_fail_input(ctx, path, line_no, 1,
                             "parameter '%.40s' is bound for `ketasim calibrate` only (expected a scenario or link parameter)",
                             f[0]);
  if (!b) {
    char list[512] = "";
    for (size_t i = 0; i < KS_ARRAY_LEN(bindings); i++) {
      if (!sensitivity_ok(&bindings[i])) continue;
      size_t l = strlen(list);
      snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", bindings[i].name);
    }
    return ks_ctx_fail_input(ctx, path, line_no, 1, "unknown parameter '%.40s' (expected one of: %s)", f[0], list);
  }
  double v[2];
  for (int k = 0; k < 2; k++) {
    char *end = NULL;
    errno = 0;
    v[k] = strtod(f[1 + k], &end);
    if (end == f[1 + k] || *end || errno || !isfinite(v[k]))
      return ks_ctx_fail_input(ctx, path, line_no, col[1 + k], "%s of %s is '%.40s' (expected a number)",
                               k ? "high" : "low", b->name, f[1 + k]);
  }
  if (!(v[0] >= b->min && v[1] <= b->max && v[0] < v[1]))
    return ks_ctx_fail_input(ctx, path, line_no, col[1], "%s range %g to %g (expected %g <= low < high <= %g %s)",
                             b->name, v[0], v[1], b->min, b->max, b->unit);
  if (strcmp(f[3], b->unit))
    return ks_ctx_fail_input(ctx, path, line_no, col[3], "%s is in '%.20s' (expected %s)", b->name, f[3], b->unit);
  if (!*f[4])
    return ks_ctx_fail_input(ctx, path, line_no, col[4], "%s has no source (expected where the range comes from)", b->name);
  *r = (ks_param_range){.binding = b, .low = v[0], .high = v[1]};
  snprintf(r->source, sizeof r->source, "%s", f[4]);
  return KS_OK;
}

ks_status ks_param_ranges_load(ks_ctx *ctx, const char *path, ks_param_range *out, size_t cap, size_t *n) {
  KS_CHECK_ARG(ctx, path && out && n);
  FILE *fp = fopen(path, "r");
  if (!fp) return ks_ctx_fail_input(ctx, path, 0, 0, "cannot open the file: %s (expected a parameter TSV)", strerror(errno));
  char line[1024];
  int line_no = 0;
  size_t count = 0;
  ks_status st = KS_OK;
  while (st == KS_OK && fgets(line, sizeof line, fp)) {
    line_no++;
    line[strcspn(line, "\r\n")] = '\0';
    if (!*line || *line == '#' || (line_no && !strncmp(line, "name\t", 5))) continue;
    if (count == cap) {
      st = ks_ctx_fail_input(ctx, path, line_no, 1, "more than %zu parameters (expected at most %zu)", cap, cap);
      break;
    }
    st = parse_row(ctx, path, line_no, line, &out[count]);
    for (size_t i = 0; st == KS_OK && i < count; i++)
      if (out[i].binding == out[count].binding)
        st = ks_ctx_fail_input(ctx, path, line_no, 1, "%s is listed twice (expected each parameter once)", out[i].binding->name);
    if (st == KS_OK) count++;
  }
  fclose(fp);
  if (st == KS_OK && !count)
    st = ks_ctx_fail_input(ctx, path, line_no, 1, "no parameters (expected rows: name, low, high, unit, source)");
  if (st == KS_OK) *n = count;
  return st;
}

/* ---- copies --------------------------------------------------------------------------------- */

ks_status ks_scenario_copy(ks_ctx *ctx, const ks_scenario *sc, ks_scenario **out) {
  KS_CHECK_ARG(ctx, sc && out);
  char *text = NULL;
  size_t len = 0;
  FILE *mf = open_memstream(&text, &len);
  if (!mf) return ks_ctx_fail(ctx, KS_ENOMEM, "scenario copy: out of memory");
  ks_status st = ks_scenario_write_resolved(ctx, sc, mf);
  if (fclose(mf) != 0 && st == KS_OK) st = ks_ctx_fail(ctx, KS_ENOMEM, "scenario copy: out of memory");
  if (st == KS_OK) st = ks_scenario_load_string(ctx, sc->source, text, len, out);
  free(text);
  return st;
}
