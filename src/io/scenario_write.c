/* SPDX-License-Identifier: MIT */
/* The resolved scenario: every default written out, plus the version that resolved it and the
 * seed, as YAML that loads back to an equal scenario. Numbers are written with the fewest digits
 * that read back to the same double, and quantities in the unit they are most often written in. */
#include "scenario_internal.h"

#include <ketasim/units.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortest %g form that strtod reads back exactly, without an exponent for ordinary sizes. */
static void fmt_num(char *buf, size_t n, double v) {
  double m = fabs(v);
  int plain = m == 0.0 || (m >= 1e-4 && m < 1e15);
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, n, "%.*g", prec, v);
    if (plain && strchr(buf, 'e')) continue;
    if (strtod(buf, NULL) == v) return;
  }
  snprintf(buf, n, "%.17g", v);
}

/* A quantity as "VALUE UNIT", choosing the first of UNITS whose text parses back exactly to
 * VALUE_CANON (in DIM's canonical unit); SCALES[i] converts canonical to units[i]. */
static void fmt_qty(char *buf, size_t n, double value_canon, ks_dim dim, const char *const *units,
                    const double *scales, size_t n_units) {
  for (size_t i = 0; i < n_units; i++) {
    char num[40];
    fmt_num(num, sizeof num, value_canon * scales[i]);
    snprintf(buf, n, "%s %s", num, units[i]);
    double back;
    if (ks_units_parse(buf, dim, &back, NULL, 0) == KS_OK && back == value_canon) return;
  }
  char num[40];
  fmt_num(num, sizeof num, value_canon);
  snprintf(buf, n, "%s %s", num, ks_dim_canonical_unit(dim));
}

/* Whole hours as "N h", else whole minutes as "N min", else exact hours. */
static void fmt_time(char *buf, size_t n, double h) {
  static const char *const units[] = {"h", "min"};
  static const double scales[] = {1.0, 60.0};
  if (h == floor(h)) fmt_qty(buf, n, h, KS_DIM_TIME, units, scales, 1);
  else if (h * 60.0 == floor(h * 60.0)) fmt_qty(buf, n, h, KS_DIM_TIME, units + 1, scales + 1, 1);
  else fmt_qty(buf, n, h, KS_DIM_TIME, units, scales, 2);
}

static void fmt_visit(char *buf, size_t n, ks_scen_visit v) {
  char k[16], num[40];
  if (v.after_infusion != 0) {
    if (v.after_infusion > 0) snprintf(k, sizeof k, "%d", v.after_infusion);
    else snprintf(k, sizeof k, "last");
    fmt_num(num, sizeof num, v.after_value);
    snprintf(buf, n, "{after_infusion: %s, %s: %s}", k, v.after_days ? "days" : "hours", num);
    return;
  }
  if (!v.by_time) {
    snprintf(buf, n, "%ld", (long)v.value);
    return;
  }
  char t[40];
  fmt_time(t, sizeof t, v.value);
  snprintf(buf, n, "\"%s\"", t);
}

static void write_days(FILE *fp, const int *days, size_t n) {
  fputc('[', fp);
  for (size_t i = 0; i < n; i++) fprintf(fp, "%s%d", i ? ", " : "", days[i]);
  fputc(']', fp);
}

static void write_endpoint(FILE *fp, const char *key, const ks_scen_endpoint *e, int kind) {
  if (!e->enabled) {
    fprintf(fp, "  %s: none\n", key);
    return;
  }
  char v[128], num[40];
  fmt_visit(v, sizeof v, e->at);
  fprintf(fp, "  %s: {scale: %s", key, ks_scen_scale_name(e->scale));
  if (kind == 1) fmt_num(num, sizeof num, e->drop_pct), fprintf(fp, ", drop_pct: %s", num);
  if (kind == 2) fmt_num(num, sizeof num, e->below), fprintf(fp, ", below: %s", num);
  if (kind == 3) fprintf(fp, ", responders_only: %s}\n", e->responders_only ? "true" : "false");
  else fprintf(fp, ", day: %s}\n", v);
}

/* One regimen entry on one line, with its days expanded. */
static void write_dose(FILE *fp, const char *indent, const ks_scen_dose *d) {
  char a[64], b[64];
  fmt_num(a, sizeof a, d->dose);
  fprintf(fp, "%s- {drug: %s, route: %s", indent, ks_scen_drug_name(d->drug), ks_scen_route_name(d->route));
  if (d->drug != KS_SCEN_SALINE) fprintf(fp, ", dose: %s %s", a, d->per_kg ? "mg/kg" : "mg");
  if (d->drug == KS_SCEN_ACTIVE_PLACEBO) fprintf(fp, ", agent: %s", ks_scen_placebo_agent_name(d->agent));
  if (d->recognisability_set) fmt_num(b, sizeof b, d->recognisability), fprintf(fp, ", recognisability: %s", b);
  if (d->route == KS_SCEN_IV && d->infusion_h == 0.0) fprintf(fp, ", infusion: bolus");
  else if (d->route == KS_SCEN_IV) fmt_time(b, sizeof b, d->infusion_h), fprintf(fp, ", infusion: %s", b);
  if (d->pk_model[0]) fprintf(fp, ", pk_model: %s", d->pk_model);
  fprintf(fp, ", days: ");
  write_days(fp, d->days, d->n_days);
  fprintf(fp, "}\n");
}

/* A background antidepressant, every field explicit (nothing when there is none). */
static void write_background(FILE *fp, const char *indent, const ks_scen_background *b) {
  if (b->drug == KS_BACKGROUND_NONE) return;
  fprintf(fp, "%sbackground: {drug: %s, route: oral, from: %d", indent, ks_scen_background_drug_name(b->drug), b->from_day);
  if (b->until_day) fprintf(fp, ", until: %d", b->until_day);
  fprintf(fp, ", open_label: %s}\n", b->open_label ? "true" : "false");
}

ks_status ks_scenario_write_resolved(ks_ctx *ctx, const ks_scenario *sc, FILE *fp) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, sc != NULL && fp != NULL);
  char a[128], b[96];
  char src[sizeof sc->source];
  snprintf(src, sizeof src, "%s", sc->source);
  for (char *c = src; *c; c++)
    if ((unsigned char)*c < 0x20) *c = '?'; /* keep the comment on one line */
  fprintf(fp, "# Resolved by ketasim %s from %s: every default is written out.\n", ks_version(), src);
  fprintf(fp, "ketasim: %d\n", sc->version);
  fprintf(fp, "name: \"%s\"\n", sc->name);
  fprintf(fp, "description: \"");
  for (const char *c = sc->description; *c; c++) {
    if (*c == '"' || *c == '\\') fprintf(fp, "\\%c", *c);
    else if (*c == '\n') fputs("\\n", fp);
    else if (*c == '\r') fputs("\\r", fp);
    else if (*c == '\t') fputs("\\t", fp);
    else fputc(*c, fp);
  }
  fprintf(fp, "\"\n");
  fprintf(fp, "seed: %llu\n", (unsigned long long)sc->seed);

  const ks_scen_population *p = &sc->population;
  fprintf(fp, "population:\n  n: %ld\n  preset: %s\n", p->n, ks_scen_preset_name(p->preset));
  fprintf(fp, "  # Fields not listed keep the preset's value.\n");
#define POPNUM(flag, key, val)                 \
  if (p->flag) {                               \
    fmt_num(a, sizeof a, p->val);              \
    fprintf(fp, "  " key ": %s\n", a);         \
  }
  POPNUM(caps5_mean_set, "caps5_mean", caps5_mean)
  POPNUM(caps5_sd_set, "caps5_sd", caps5_sd)
  POPNUM(age_mean_set, "age_mean", age_mean_y)
  POPNUM(age_sd_set, "age_sd", age_sd_y)
  if (p->weight_mean_set) fmt_num(a, sizeof a, p->weight_mean_kg), fprintf(fp, "  weight_mean: %s kg\n", a);
  if (p->weight_sd_set) fmt_num(a, sizeof a, p->weight_sd_kg), fprintf(fp, "  weight_sd: %s kg\n", a);
  POPNUM(female_fraction_set, "female_fraction", female_fraction)
  POPNUM(depression_fraction_set, "depression_fraction", depression_fraction)
  POPNUM(hypertension_fraction_set, "hypertension_fraction", hypertension_fraction)
#undef POPNUM
  int any_scale = 0, any_base = 0;
  for (int s = 0; s < KS_SCALE_N; s++) {
    any_scale |= p->incl_min_set[s] | p->incl_max_set[s];
    any_base |= p->baseline_set[s];
  }
  if (p->caps5_min_set || p->age_min_set || p->age_max_set || any_scale) {
    fprintf(fp, "  inclusion:\n");
    if (p->caps5_min_set) fmt_num(a, sizeof a, p->caps5_min), fprintf(fp, "    caps5_min: %s\n", a);
    if (p->age_min_set) fmt_num(a, sizeof a, p->age_min_y), fprintf(fp, "    age_min: %s\n", a);
    if (p->age_max_set) fmt_num(a, sizeof a, p->age_max_y), fprintf(fp, "    age_max: %s\n", a);
    for (int s = 0; s < KS_SCALE_N; s++) {
      /* One key per scale, so one criterion (a CAPS-5 minimum is caps5_min above). */
      if (p->incl_min_set[s]) fmt_num(a, sizeof a, p->incl_min[s]), fprintf(fp, "    %s: \">= %s\"\n", ks_scen_scale_name((ks_scen_scale)s), a);
      else if (p->incl_max_set[s]) fmt_num(a, sizeof a, p->incl_max[s]), fprintf(fp, "    %s: \"<= %s\"\n", ks_scen_scale_name((ks_scen_scale)s), a);
    }
  }
  if (any_base) {
    fprintf(fp, "  baseline:\n");
    for (int s = 0; s < KS_SCALE_N; s++)
      if (p->baseline_set[s]) {
        fmt_num(a, sizeof a, p->baseline_mean[s]);
        fmt_num(b, sizeof b, p->baseline_sd[s]);
        fprintf(fp, "    %s: {mean: %s, sd: %s}\n", ks_scen_scale_name((ks_scen_scale)s), a, b);
      }
  }

  fprintf(fp, "design: %s\n", ks_scen_design_name(sc->design));
  if (sc->design == KS_DESIGN_CROSSOVER)
    fprintf(fp, "period_days: %d\nwashout_days: %d\n", sc->period_days, sc->washout_days);
  fprintf(fp, "blinding: %s\n", ks_scen_blinding_name(sc->blinding));
  if (sc->design == KS_DESIGN_PARALLEL) {
    fprintf(fp, "control_arm: \"%s\"\ncontrasts:\n", sc->arms[sc->control_arm].name);
    for (size_t i = 0; i < sc->n_contrasts; i++)
      fprintf(fp, "  - {treatment: \"%s\", control: \"%s\"}\n", sc->arms[sc->contrasts[i].treat].name,
              sc->arms[sc->contrasts[i].ctrl].name);
    fprintf(fp, "multiplicity: %s\n", ks_scen_multiplicity_name(sc->multiplicity));
  }
  fprintf(fp, "knockout: %s\n", ks_scen_knockout_name(sc->knockout));
  if (sc->induction.enabled) {
    const ks_scen_induction *ind = &sc->induction;
    fprintf(fp, "induction:\n  until: %d\n  select: %s\n  regimen:\n", ind->until_day,
            ind->select == KS_SELECT_RESPONSE ? "response" : "remission");
    for (size_t k = 0; k < ind->n_regimen; k++) write_dose(fp, "    ", &ind->regimen[k]);
    write_background(fp, "  ", &ind->background);
  }
  fprintf(fp, "arms:\n");
  for (size_t i = 0; i < sc->n_arms; i++) {
    const ks_scen_arm *arm = &sc->arms[i];
    fmt_num(a, sizeof a, arm->ratio);
    fprintf(fp, "  - name: \"%s\"\n    ratio: %s\n    knockout: %s\n", arm->name, a, ks_scen_knockout_name(arm->knockout));
    if (arm->control != KS_ARM_CONTROL_NONE) fprintf(fp, "    control: %s\n", ks_scen_arm_control_name(arm->control));
    if (arm->has_reminder) fmt_time(a, sizeof a, arm->reminder_before_dose_min / 60.0), fprintf(fp, "    reminder_before_dose: %s\n", a);
    else fprintf(fp, "    reminder_before_dose: none\n");
    if (arm->control != KS_ARM_CONTROL_NONE) continue; /* a waitlist arm has neither regimen nor therapy */
    write_background(fp, "    ", &arm->background);
    size_t n_own = 0;
    for (size_t k = 0; k < arm->n_regimen; k++) n_own += !arm->regimen[k].induction;
    fprintf(fp, "    regimen:%s\n", n_own ? "" : " []");
    for (size_t k = 0; k < arm->n_regimen; k++)
      if (!arm->regimen[k].induction) write_dose(fp, "      ", &arm->regimen[k]); /* the induction's: above */
    fprintf(fp, "    therapy:%s\n", arm->n_therapy ? "" : " []");
    for (size_t k = 0; k < arm->n_therapy; k++) {
      const ks_scen_therapy *t = &arm->therapy[k];
      fmt_num(a, sizeof a, t->minutes);
      fmt_time(b, sizeof b, t->at_h);
      fprintf(fp, "      - {kind: %s, minutes: %s, at: %s, days: ", ks_scen_therapy_kind_name(t->kind), a, b);
      write_days(fp, t->days, t->n_days);
      fprintf(fp, "}\n");
    }
  }
  fprintf(fp, "assessments:\n");
  for (int s = 0; s < KS_SCALE_N; s++) {
    if (s >= KS_SCALE_MRI && sc->n_visits[s] == 0) continue; /* brain-layer scales only when assessed */
    fprintf(fp, "  %s: [", ks_scen_scale_name((ks_scen_scale)s));
    for (size_t k = 0; k < sc->n_visits[s]; k++) {
      fmt_visit(a, sizeof a, sc->visits[s][k]);
      fprintf(fp, "%s%s", k ? ", " : "", a);
    }
    fprintf(fp, "]\n");
  }
  fprintf(fp, "followup:\n  days: %d\n", sc->followup_days);
  for (int s = 0; s < KS_SCALE_N; s++)
    if (s < KS_SCALE_MRI || sc->followup_every[s] > 0)
      fprintf(fp, "  %s_every: %d\n", ks_scen_scale_name((ks_scen_scale)s), sc->followup_every[s]);
  fprintf(fp, "endpoints:\n");
  write_endpoint(fp, "primary", &sc->primary, 0);
  write_endpoint(fp, "response", &sc->response, 1);
  write_endpoint(fp, "remission", &sc->remission, 2);
  write_endpoint(fp, "durability", &sc->durability, 3);
  fmt_num(a, sizeof a, sc->dropout_rate_per_week);
  fprintf(fp, "dropout: {rate_per_week: %s, mechanism: %s}\n", a, ks_scen_dropout_mech_name(sc->dropout_mechanism));
  if (sc->imaging_n > 0) fprintf(fp, "imaging: {n: %ld}\n", sc->imaging_n);
  else if (sc->imaging_fraction > 0.0) fmt_num(a, sizeof a, sc->imaging_fraction), fprintf(fp, "imaging: {fraction: %s}\n", a);
  else fprintf(fp, "imaging: none\n");
  fprintf(fp, "fear_model: %s\n", ks_scen_fear_model_name(sc->fear_model));
  fprintf(fp, "allow_unstudied_doses: %s\n", sc->allow_unstudied_doses ? "true" : "false");
  fprintf(fp, "replicates: %ld\n", sc->replicates);
  if (ferror(fp)) return ks_ctx_fail(ctx, KS_EIO, "writing the resolved scenario failed");
  return KS_OK;
}
