/* SPDX-License-Identifier: MIT */
/* A point of the regimen space of an optimize block, applied to a scenario (sweep.h). */
#include <ketasim/sweep.h>

#include <math.h>
#include <string.h>

#include "core/core_internal.h"

/* Days of the induction (and maintenance) infusions of point X. */
static size_t regimen_days(const ks_scen_dose *base, const ks_optimize_spec *s, const double *xv, int *days,
                           size_t cap) {
  int first = base->n_days ? base->days[0] : 1;
  long n_inf = (long)base->n_days, spacing = base->n_days > 1 ? base->days[1] - base->days[0] : 1;
  int regular = s->var_set[KS_OPT_INFUSIONS] || s->var_set[KS_OPT_SPACING_DAYS];
  if (s->var_set[KS_OPT_INFUSIONS]) n_inf = lround(xv[KS_OPT_INFUSIONS]);
  if (s->var_set[KS_OPT_SPACING_DAYS]) spacing = lround(xv[KS_OPT_SPACING_DAYS]);
  size_t n = 0;
  for (long i = 0; i < n_inf && n < cap; i++) days[n++] = regular ? first + (int)(i * spacing) : base->days[i];
  if (s->var_set[KS_OPT_MAINTENANCE_INTERVAL_DAYS] && n) {
    long every = lround(xv[KS_OPT_MAINTENANCE_INTERVAL_DAYS]);
    for (long d = days[n - 1] + every; d <= s->maintenance_until_day && n < cap; d += every) days[n++] = (int)d;
  }
  return n;
}

static int *copy_days(ks_ctx *ctx, const int *days, size_t n) {
  int *d = ks_calloc(ctx, n ? n : 1, sizeof *d);
  if (d) memcpy(d, days, n * sizeof *d);
  return d;
}

/* Replace the arm's lines of the studied drug by one line on DAYS (dose from X when set). */
static ks_status set_regimen(ks_ctx *ctx, ks_scen_arm *arm, const ks_optimize_spec *s, const double *xv,
                             const int *days, size_t n_days) {
  ks_scen_dose base = arm->regimen[0];
  int *d = copy_days(ctx, days, n_days);
  if (!d) return KS_ENOMEM;
  size_t keep = 0;
  for (size_t i = 0; i < arm->n_regimen; i++) {
    if (arm->regimen[i].drug == base.drug && arm->regimen[i].route == base.route) {
      ks_free(ctx, arm->regimen[i].days);
      continue;
    }
    arm->regimen[keep++] = arm->regimen[i];
  }
  memmove(arm->regimen + 1, arm->regimen, keep * sizeof *arm->regimen);
  base.days = d, base.n_days = n_days;
  if (s->var_set[KS_OPT_DOSE]) base.dose = xv[KS_OPT_DOSE];
  arm->regimen[0] = base;
  arm->n_regimen = keep + 1;
  return KS_OK;
}

/* One therapy session DELAY days after each infusion day. */
static ks_status set_therapy(ks_ctx *ctx, ks_scen_arm *arm, long delay, const int *days, size_t n_days) {
  int tmp[KS_SCENARIO_MAX_DAY];
  size_t n = 0;
  for (size_t i = 0; i < n_days; i++) {
    int d = days[i] + (int)delay;
    if (d <= KS_SCENARIO_MAX_DAY && (n == 0 || d > tmp[n - 1])) tmp[n++] = d;
  }
  for (size_t i = 1; i < arm->n_therapy; i++) ks_free(ctx, arm->therapy[i].days);
  ks_free(ctx, arm->therapy[0].days);
  arm->n_therapy = 1;
  arm->therapy[0].days = copy_days(ctx, tmp, n);
  arm->therapy[0].n_days = n;
  return arm->therapy[0].days ? KS_OK : KS_ENOMEM;
}

/* The objective's day, when it is not the scenario's: the endpoint moves to that day. */
static void set_endpoint_day(ks_scenario *c, const ks_optimize_objective *o) {
  if (!o->present || !o->day) return;
  ks_scen_endpoint *e = !strcmp(o->endpoint, "response")    ? &c->response
                        : !strcmp(o->endpoint, "remission") ? &c->remission
                        : !strcmp(o->endpoint, "durability") ? NULL
                                                             : &c->primary;
  if (!e) return;
  e->at = (ks_scen_visit){.by_time = 0, .value = o->day};
  if (o->scale_set && e == &c->primary) e->scale = o->scale;
}

ks_status ks_regimen_apply(ks_ctx *ctx, const ks_scenario *sc, const ks_optimize_spec *s, const double *xv,
                           ks_scenario **out) {
  KS_CHECK_ARG(ctx, sc && s && xv && out && s->arm >= 0 && (size_t)s->arm < sc->n_arms);
  ks_scenario *c = NULL, *v = NULL;
  KS_TRY(ks_scenario_copy(ctx, sc, &c));
  ks_scen_arm *arm = &c->arms[s->arm];
  int days[KS_SCENARIO_MAX_DAY];
  ks_status st = KS_OK;
  if (!arm->n_regimen) st = ks_ctx_fail(ctx, KS_EINPUT, "optimize: arm '%s' has no regimen", arm->name);
  size_t n = st == KS_OK ? regimen_days(&arm->regimen[0], s, xv, days, KS_SCENARIO_MAX_DAY) : 0;
  if (st == KS_OK) st = set_regimen(ctx, arm, s, xv, days, n);
  if (st == KS_OK && s->var_set[KS_OPT_THERAPY_DELAY_DAYS] && arm->n_therapy)
    st = set_therapy(ctx, arm, lround(xv[KS_OPT_THERAPY_DELAY_DAYS]), days, n);
  if (st == KS_OK) {
    set_endpoint_day(c, &s->objective);
    set_endpoint_day(c, &s->objective2);
    /* Through the writer and the loader again: the regimen is checked like a user's file. */
    st = ks_scenario_copy(ctx, c, &v);
  }
  ks_scenario_destroy(&c);
  if (st == KS_OK) *out = v;
  return st;
}

void ks_regimen_burden(const ks_scenario *sc, int a, double *n_visits, double *total_drug) {
  const ks_scen_arm *arm = &sc->arms[a];
  unsigned char seen[KS_SCENARIO_MAX_DAY + 2] = {0};
  double visits = 0, drug = 0;
  int per_kg = arm->n_regimen ? arm->regimen[0].per_kg : 1;
  for (size_t i = 0; i < arm->n_regimen; i++) {
    const ks_scen_dose *d = &arm->regimen[i];
    if (d->per_kg == per_kg && arm->n_regimen && d->drug == arm->regimen[0].drug) drug += d->dose * (double)d->n_days;
    for (size_t k = 0; k < d->n_days; k++)
      if (!seen[d->days[k]]++) visits++;
  }
  for (size_t i = 0; i < arm->n_therapy; i++)
    for (size_t k = 0; k < arm->therapy[i].n_days; k++)
      if (!seen[arm->therapy[i].days[k]]++) visits++;
  if (n_visits) *n_visits = visits;
  if (total_drug) *total_drug = drug;
}
