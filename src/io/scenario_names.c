/* SPDX-License-Identifier: MIT */
/* Scenario vocabulary: names of drugs, routes, designs, scales and presets; the studied dose
 * ranges; derived quantities; equality; destruction. */
#include "scenario_internal.h"

#include <ketasim/pk.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Doses without pharmacokinetics that only scenarios know (the PK drugs are named in vocab.h). */
static const char *const no_pk_drug_names[KS_SCEN_DRUG_N - KS_SCEN_PK_DRUG_N] = {"saline", "active-placebo"};
static const char *const design_names[] = {"parallel", "crossover", "single-arm"};
static const char *const knockout_names[] = {"none", "mtorc1", "ampa", "bdnf"};
static const char *const fear_names[] = {"default", "latent-cause"};
static const char *const dropout_names[] = {"mcar", "mar", "mnar"};
static const char *const therapy_names[KS_THERAPY_N] = {"prolonged-exposure", "imaginal-exposure",
                                                        "in-vivo-exposure", "written-exposure",
                                                        "mindfulness-extinction-reactivation", "trauma-focused-cbt"};
static const char *const scale_names[KS_SCALE_N] = {"caps5", "pcl5", "iesr", "madrs", "cadss", "scan",
                                                    "mri", "ravlt", "tmt_a", "tmt_b", "dsst", "nrs", "ssi"};
static const double scale_max[KS_SCALE_N] = {80, 80, 88, 60, 92, 0, 0, 75, 150, 300, 133, 10, 38};
static const char *const preset_names[KS_PRESET_N] = {"civilian-chronic-ptsd", "veterans-treatment-resistant",
                                                      "treatment-resistant-depression"};
static const char *const blinding_names[] = {"double-blind", "single-blind", "open-label"};
static const char *const arm_control_names[] = {"none", "waitlist", "no-treatment"};
static const char *const multiplicity_names[] = {"none", "holm", "dunnett"};
static const char *const agent_names[KS_PLACEBO_AGENT_N] = {"other", "diphenhydramine"};
static const char *const background_names[KS_BACKGROUND_N] = {"none", "antidepressant", "ssri", "snri"};

#define NAME_OF(tab, i) ((unsigned)(i) < KS_ARRAY_LEN(tab) ? tab[i] : "unknown")

/* Drugs and routes: the shared vocabulary (core/vocab.c), and the doses without PK above. */
const char *ks_scen_drug_name(ks_scen_drug d) {
  if (KS_SCEN_DRUG_HAS_PK(d)) return ks_drug_name((ks_drug)d);
  return (unsigned)d < KS_SCEN_DRUG_N ? no_pk_drug_names[d - KS_SCEN_PK_DRUG_N] : "unknown";
}
const char *ks_scen_route_name(ks_scen_route r) { return ks_route_name(r); }
const char *ks_scen_design_name(ks_scen_design d) { return NAME_OF(design_names, d); }
const char *ks_scen_knockout_name(ks_scen_knockout k) { return NAME_OF(knockout_names, k); }
const char *ks_scen_fear_model_name(ks_scen_fear_model m) { return NAME_OF(fear_names, m); }
const char *ks_scen_dropout_mech_name(ks_scen_dropout_mech m) { return NAME_OF(dropout_names, m); }
const char *ks_scen_therapy_kind_name(ks_scen_therapy_kind k) { return NAME_OF(therapy_names, k); }
const char *ks_scen_scale_name(ks_scen_scale s) { return NAME_OF(scale_names, s); }
const char *ks_scen_preset_name(ks_scen_preset p) { return NAME_OF(preset_names, p); }
const char *ks_scen_blinding_name(ks_scen_blinding b) { return NAME_OF(blinding_names, b); }
const char *ks_scen_arm_control_name(ks_scen_arm_control c) { return NAME_OF(arm_control_names, c); }
const char *ks_scen_multiplicity_name(ks_scen_multiplicity m) { return NAME_OF(multiplicity_names, m); }
const char *ks_scen_placebo_agent_name(ks_scen_placebo_agent a) { return NAME_OF(agent_names, a); }
const char *ks_scen_background_drug_name(ks_scen_background_drug b) { return NAME_OF(background_names, b); }
double ks_scen_scale_max(ks_scen_scale s) { return (unsigned)s < KS_SCALE_N ? scale_max[s] : 0.0; }

static int parse_in(const char *const *tab, size_t n, const char *name) {
  if (!name) return -1;
  for (size_t i = 0; i < n; i++)
    if (strcasecmp(tab[i], name) == 0) return (int)i;
  return -1;
}
int ks_scen_drug_parse(const char *name) {
  int d = ks_drug_parse(name);
  if (d >= 0) return d;
  d = parse_in(no_pk_drug_names, KS_ARRAY_LEN(no_pk_drug_names), name);
  return d < 0 ? -1 : KS_SCEN_PK_DRUG_N + d;
}
int ks_scen_route_parse(const char *name) { return ks_route_parse(name); }
int ks_scen_scale_parse(const char *name) { return parse_in(scale_names, KS_SCALE_N, name); }

/* The studied dose range is the pk layer's one table (ks_pk_studied_dose_max); scenario drugs
 * and routes are the pk layer's (vocab.h). An active placebo has no PK model: its guard rail
 * is diphenhydramine's labelled single dose, up to 100 mg IV, IM or oral (1.4 mg/kg at 70 kg;
 * Benadryl injection and tablet labels). Saline takes no dose. */
int ks_scen_studied_max(ks_scen_drug d, ks_scen_route r, double *max_mg_per_kg, double *max_mg) {
  if ((unsigned)d >= KS_SCEN_DRUG_N || (unsigned)r >= KS_SCEN_ROUTE_N) return 0;
  if (d == KS_SCEN_ACTIVE_PLACEBO) {
    int ok = r == KS_SCEN_IV || r == KS_SCEN_IM || r == KS_SCEN_ORAL;
    if (max_mg_per_kg) *max_mg_per_kg = ok ? 1.4 : 0.0;
    if (max_mg) *max_mg = ok ? 100.0 : 0.0;
    return ok;
  }
  if (!KS_SCEN_DRUG_HAS_PK(d)) return 0;
  return ks_pk_studied_dose_max((ks_drug)d, r, max_mg_per_kg, max_mg);
}

double ks_scen_visit_t_h(ks_scen_visit v, int first_dose_day) {
  return v.by_time ? 24.0 * first_dose_day + v.value : 24.0 * v.value;
}

int ks_scenario_first_dose_day(const ks_scenario *sc) {
  int first = KS_SCENARIO_MAX_DAY + 1;
  for (size_t a = 0; sc && a < sc->n_arms; a++) {
    const ks_scen_arm *arm = &sc->arms[a];
    for (size_t i = 0; i < arm->n_regimen; i++)
      if (arm->regimen[i].n_days && arm->regimen[i].days[0] < first) first = arm->regimen[i].days[0];
    for (size_t i = 0; i < arm->n_therapy; i++)
      if (arm->therapy[i].n_days && arm->therapy[i].days[0] < first) first = arm->therapy[i].days[0];
  }
  return first > KS_SCENARIO_MAX_DAY ? 1 : first;
}

static int int_cmp(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

size_t ks_scenario_arm_dose_days(const ks_scenario *sc, size_t a, int *days, size_t cap) {
  if (!sc || a >= sc->n_arms) return 0;
  const ks_scen_arm *arm = &sc->arms[a];
  size_t n = 0;
  for (size_t i = 0; i < arm->n_regimen; i++)
    for (size_t k = 0; k < arm->regimen[i].n_days; k++, n++)
      if (days && n < cap) days[n] = arm->regimen[i].days[k];
  /* Entries of one arm never dose on the same day (the loader refuses it): sorting orders them. */
  if (days) qsort(days, n < cap ? n : cap, sizeof *days, int_cmp);
  return n;
}

int ks_scenario_treatment_end_day(const ks_scenario *sc) {
  int last = 0;
  for (size_t a = 0; sc && a < sc->n_arms; a++) {
    const ks_scen_arm *arm = &sc->arms[a];
    for (size_t i = 0; i < arm->n_regimen; i++)
      if (arm->regimen[i].n_days && arm->regimen[i].days[arm->regimen[i].n_days - 1] > last)
        last = arm->regimen[i].days[arm->regimen[i].n_days - 1];
    for (size_t i = 0; i < arm->n_therapy; i++)
      if (arm->therapy[i].n_days && arm->therapy[i].days[arm->therapy[i].n_days - 1] > last)
        last = arm->therapy[i].days[arm->therapy[i].n_days - 1];
  }
  if (sc && sc->design == KS_DESIGN_CROSSOVER && sc->n_arms > 1)
    last += (int)(sc->n_arms - 1) * (sc->period_days + sc->washout_days);
  return last;
}

long ks_scenario_total_patients(const ks_scenario *sc) {
  return sc ? sc->population.n * sc->replicates : 0;
}

long ks_scenario_block_slots(const ks_scenario *sc, size_t g) {
  double ratio = sc->design == KS_DESIGN_PARALLEL ? sc->arms[g].ratio : 1.0;
  long m = lround(ratio * 2.0);
  return m < 1 ? 1 : m;
}

/* ---- equality ------------------------------------------------------------------------------- */

static int days_eq(const int *a, size_t na, const int *b, size_t nb) {
  return na == nb && (na == 0 || memcmp(a, b, na * sizeof *a) == 0);
}

static int visit_eq(ks_scen_visit a, ks_scen_visit b) {
  return a.by_time == b.by_time && a.value == b.value && a.after_infusion == b.after_infusion &&
         a.after_days == b.after_days && a.after_value == b.after_value;
}

static int endpoint_eq(const ks_scen_endpoint *a, const ks_scen_endpoint *b) {
  if (a->enabled != b->enabled) return 0;
  if (!a->enabled) return 1;
  return a->scale == b->scale && a->at.by_time == b->at.by_time && a->at.value == b->at.value &&
         a->drop_pct == b->drop_pct && a->below == b->below && a->responders_only == b->responders_only;
}

static int dose_eq(const ks_scen_dose *p, const ks_scen_dose *q) {
  return p->drug == q->drug && p->route == q->route && p->dose == q->dose && p->per_kg == q->per_kg &&
         p->agent == q->agent && p->recognisability == q->recognisability &&
         p->recognisability_set == q->recognisability_set && p->infusion_h == q->infusion_h &&
         strcmp(p->pk_model, q->pk_model) == 0 && p->induction == q->induction &&
         days_eq(p->days, p->n_days, q->days, q->n_days);
}

static int induction_eq(const ks_scen_induction *x, const ks_scen_induction *y) {
  if (x->enabled != y->enabled || x->until_day != y->until_day || x->select != y->select ||
      x->n_regimen != y->n_regimen || memcmp(&x->background, &y->background, sizeof x->background) != 0)
    return 0;
  for (size_t k = 0; k < x->n_regimen; k++)
    if (!dose_eq(&x->regimen[k], &y->regimen[k])) return 0;
  return 1;
}

int ks_scenario_equal(const ks_scenario *a, const ks_scenario *b) {
  if (!a || !b) return a == b;
  if (!induction_eq(&a->induction, &b->induction)) return 0;
  if (a->version != b->version || strcmp(a->name, b->name) || strcmp(a->description, b->description) ||
      a->seed != b->seed)
    return 0;
  /* The population struct holds only numbers and flags, and both were zeroed before filling. */
  if (memcmp(&a->population, &b->population, sizeof a->population) != 0) return 0;
  if (a->design != b->design || a->period_days != b->period_days || a->washout_days != b->washout_days)
    return 0;
  if (a->blinding != b->blinding || a->control_arm != b->control_arm || a->multiplicity != b->multiplicity ||
      a->n_contrasts != b->n_contrasts ||
      (a->n_contrasts && memcmp(a->contrasts, b->contrasts, a->n_contrasts * sizeof *a->contrasts) != 0))
    return 0;
  if (a->n_arms != b->n_arms || a->knockout != b->knockout) return 0;
  for (size_t i = 0; i < a->n_arms; i++) {
    const ks_scen_arm *x = &a->arms[i], *y = &b->arms[i];
    if (strcmp(x->name, y->name) || x->ratio != y->ratio || x->n_regimen != y->n_regimen ||
        x->n_therapy != y->n_therapy || x->has_reminder != y->has_reminder ||
        x->reminder_before_dose_min != y->reminder_before_dose_min || x->knockout != y->knockout ||
        x->control != y->control || memcmp(&x->background, &y->background, sizeof x->background) != 0)
      return 0;
    for (size_t k = 0; k < x->n_regimen; k++)
      if (!dose_eq(&x->regimen[k], &y->regimen[k])) return 0;
    for (size_t k = 0; k < x->n_therapy; k++) {
      const ks_scen_therapy *p = &x->therapy[k], *q = &y->therapy[k];
      if (p->kind != q->kind || p->minutes != q->minutes || p->at_h != q->at_h || !days_eq(p->days, p->n_days, q->days, q->n_days))
        return 0;
    }
  }
  for (int s = 0; s < KS_SCALE_N; s++) {
    if (a->n_visits[s] != b->n_visits[s] || a->followup_every[s] != b->followup_every[s]) return 0;
    for (size_t k = 0; k < a->n_visits[s]; k++)
      if (!visit_eq(a->visits[s][k], b->visits[s][k])) return 0;
  }
  return a->followup_days == b->followup_days && endpoint_eq(&a->primary, &b->primary) &&
         endpoint_eq(&a->response, &b->response) && endpoint_eq(&a->remission, &b->remission) &&
         endpoint_eq(&a->durability, &b->durability) && a->dropout_rate_per_week == b->dropout_rate_per_week &&
         a->dropout_mechanism == b->dropout_mechanism && a->imaging_n == b->imaging_n &&
         a->imaging_fraction == b->imaging_fraction && a->fear_model == b->fear_model &&
         a->allow_unstudied_doses == b->allow_unstudied_doses && a->replicates == b->replicates;
}

/* ---- destruction ---------------------------------------------------------------------------- */

void ks_scenario_destroy(ks_scenario **scp) {
  if (!scp || !*scp) return;
  ks_scenario *sc = *scp;
  ks_ctx *ctx = sc->owner_;
  for (size_t a = 0; a < sc->n_arms; a++) {
    ks_scen_arm *arm = &sc->arms[a];
    for (size_t i = 0; i < arm->n_regimen; i++) ks_free(ctx, arm->regimen[i].days);
    for (size_t i = 0; i < arm->n_therapy; i++) ks_free(ctx, arm->therapy[i].days);
    ks_free(ctx, arm->regimen);
    ks_free(ctx, arm->therapy);
  }
  ks_free(ctx, sc->arms);
  for (size_t i = 0; i < sc->induction.n_regimen; i++) ks_free(ctx, sc->induction.regimen[i].days);
  ks_free(ctx, sc->induction.regimen);
  for (int s = 0; s < KS_SCALE_N; s++) ks_free(ctx, sc->visits[s]);
  ks_free(ctx, sc);
  *scp = NULL;
}
