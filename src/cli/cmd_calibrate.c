/* SPDX-License-Identifier: MIT */
/* ketasim calibrate [--n-scale F] [--max-evals N] [--se-scale F] [--out FILE]: fit the trial-level parameters that
 * docs/model.md marks "calibrated" to the calibration targets of the trial library
 * (data/targets/calibration.tsv rows of data/trials/library.tsv that have a published CI or SD)
 * with ks_calibrate (identifiability screen, NLopt LN_BOBYQA from the stated start, Laplace;
 * common random numbers: every evaluation runs the library scenarios with their fixed seeds), and
 * write the fitted set, its Laplace covariance, identifiability and objective to FILE (default
 * data/calibration/fitted.tsv, which the build turns into the model's committed set).
 *
 * The parameters are rows of the sweep binding table (src/sweep/params.c): name, field offset,
 * range (the binding's documented default range) and source come from there; the start is the
 * layer's compiled default. Each evaluation sets them on its own copies of the link, mood and
 * clinic parameters, which the trial runs take instead of the committed set. */
#include "cli.h"
#include "commands.h"
#include "validate_trials.h"

#include <ketasim/calibrate.h>
#include <ketasim/clinic.h>
#include <ketasim/link.h>
#include <ketasim/mood.h>
#include <ketasim/sweep.h>
#include <ketasim/validate.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CAL 64

/* The trial-level parameters docs/model/ (any layer) marks "calibrated" (docs/model/calibrate.md lists
 * them with their targets, and those left out: layer-level fits to layer targets). */
static const char *const calib_bindings[] = {
    "blinded_expectancy",     /* link: Feder 2021 midazolam responders */
    "human_spine_relax_scale", /* link: Feder 2021 durability (the x3 factor) */
    "acute_control_gain",     /* link k_ac: 1-week/24-h ratio of single-dose PTSD effects (meta-analysis) */
    "activation_gain",        /* mood k_BA: Feder 2021 week-2 difference */
    "acute_readout",          /* mood c_a: same */
    "w_intrusion_fear",       /* clinic fear and appraisal columns: same */
    "w_avoidance_fear",
    "w_mood_fear",
    "w_mood_appraisal",
    "w_depression_fear",
    "w_depression_appraisal",
};
#define N_CALIB (sizeof calib_bindings / sizeof calib_bindings[0])

typedef struct {
  ks_ctx *ctx;
  vt_options vo;
  size_t n;                 /* targets in the objective */
  char ids[MAX_CAL][80];
  vt_target buf[MAX_CAL];
  const ks_param_binding *b[N_CALIB];
  char names[N_CALIB][64];  /* LAYER.binding: the name in fitted.tsv and ks_model_param */
  ks_calib_param params[N_CALIB];
  ks_link_params link;
  ks_mood_params mood;
  ks_clinic_params clinic;
  int verbose;              /* --verbose: one line per evaluation on stderr */
  double se_scale;          /* --se-scale */
} cal_ud;

static const char *layer_name(ks_param_target t) {
  return t == KS_PARAM_LINK ? "link" : t == KS_PARAM_MOOD ? "mood" : t == KS_PARAM_CLINIC ? "clinic" : NULL;
}

static void *layer_obj(cal_ud *c, ks_param_target t) {
  return t == KS_PARAM_LINK ? (void *)&c->link : t == KS_PARAM_MOOD ? (void *)&c->mood : (void *)&c->clinic;
}

/* Bind the parameters: binding, name, start (compiled default), range (documented). */
static ks_status bind_params(ks_ctx *ctx, cal_ud *c) {
  c->link = ks_link_params_default();
  c->mood = ks_mood_params_default();
  c->clinic = ks_clinic_params_default();
  for (size_t i = 0; i < N_CALIB; i++) {
    const ks_param_binding *b = ks_param_find(calib_bindings[i]);
    if (!b || !layer_name(b->target) || !b->field)
      return ks_ctx_fail(ctx, KS_EINVAL, "calibrate: %s is not a layer parameter of the binding table", calib_bindings[i]);
    double start;
    memcpy(&start, (const char *)layer_obj(c, b->target) + b->offset, sizeof start);
    if (!(start >= b->default_low && start <= b->default_high))
      return ks_ctx_fail(ctx, KS_EINVAL, "calibrate: %s starts at %g, outside its range %g to %g (src/sweep/params.c)",
                         b->name, start, b->default_low, b->default_high);
    c->b[i] = b;
    snprintf(c->names[i], sizeof c->names[i], "%s.%s", layer_name(b->target), b->name);
    c->params[i] = (ks_calib_param){c->names[i], start, b->default_low, b->default_high};
  }
  c->vo.link = &c->link;
  c->vo.mood = &c->mood;
  c->vo.clinic = &c->clinic;
  return KS_OK;
}

static ks_status set_param(void *ud, const char *name, double v) {
  cal_ud *c = ud;
  for (size_t i = 0; i < N_CALIB; i++)
    if (!strcmp(c->names[i], name)) return ks_param_set(c->ctx, c->b[i], layer_obj(c, c->b[i]->target), v);
  return ks_ctx_fail(c->ctx, KS_EINVAL, "calibrate: no parameter %s", name);
}

static ks_status simulate(void *ud, double *sim, size_t n) {
  cal_ud *c = ud;
  size_t m = 0;
  KS_CLI_TRY(vt_run(c->ctx, &c->vo, c->buf, MAX_CAL, &m));
  for (size_t k = 0; k < n; k++) {
    sim[k] = NAN;
    for (size_t i = 0; i < m; i++)
      if (!strcmp(c->buf[i].id, c->ids[k])) sim[k] = c->buf[i].simulated;
  }
  if (c->verbose) {
    fprintf(stderr, "ketasim: calibrate: at");
    for (size_t i = 0; i < N_CALIB; i++) {
      double v;
      memcpy(&v, (const char *)layer_obj(c, c->b[i]->target) + c->b[i]->offset, sizeof v);
      fprintf(stderr, " %.4g", v);
    }
    fprintf(stderr, ":");
    for (size_t k = 0; k < n; k++) fprintf(stderr, " %.4g", sim[k]);
    fputc('\n', stderr);
  }
  return KS_OK;
}

/* 95% interval / range of parameter i in the result (the screen's when it never entered the fit). */
static double width_over_range(const ks_calib_problem *p, const ks_calib_result *r, size_t i) {
  if (r->identifiable[i]) return 2.0 * 1.959963984540054 * r->sd[i] / (p->params[i].hi - p->params[i].lo);
  return isfinite(r->dropped_at[i]) ? INFINITY : r->screen_width[i];
}

static void write_rows(FILE *fp, const ks_calib_problem *p, const ks_calib_result *r, const cal_ud *c) {
  fprintf(fp, "name\tvalue\tsd\tstart\tlo\thi\tidentifiable\tci95_over_range\tlayer\tfield");
  for (size_t i = 0; i < p->n_params; i++) fprintf(fp, "\tcov:%s", p->params[i].name);
  fputc('\n', fp);
  for (size_t i = 0; i < p->n_params; i++) {
    fprintf(fp, "%s\t%.6g\t", p->params[i].name, r->x[i]);
    if (isfinite(r->sd[i])) fprintf(fp, "%.4g", r->sd[i]);
    else fprintf(fp, "NA");
    double w = width_over_range(p, r, i);
    fprintf(fp, "\t%g\t%g\t%g\t%s\t", p->params[i].start, p->params[i].lo, p->params[i].hi, r->identifiable[i] ? "yes" : "no");
    if (isfinite(w)) fprintf(fp, "%.3g", w);
    else fprintf(fp, "inf");
    fprintf(fp, "\t%s\t%s", layer_name(c->b[i]->target), c->b[i]->field);
    for (size_t k = 0; k < p->n_params; k++) {
      double v = r->cov[i * p->n_params + k];
      if (isfinite(v)) fprintf(fp, "\t%.6g", v);
      else fprintf(fp, "\tNA");
    }
    fputc('\n', fp);
  }
}

static int write_fitted(const char *path, const ks_calib_problem *p, const ks_calib_result *r, const cal_ud *c) {
  char tmp[600];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *fp = fopen(tmp, "w");
  if (!fp) return 0;
  char se[64] = "";
  if (c->se_scale != 1.0) snprintf(se, sizeof se, " --se-scale %g", c->se_scale);
  fprintf(fp, "# Fitted by `ketasim calibrate --n-scale %g --max-evals %d%s` (ketasim %s); method: docs/model/calibrate.md.\n",
          c->vo.n_scale, p->max_evals, se, ks_version());
  if (c->se_scale != 1.0)
    fprintf(fp, "# NOT the published targets: every SE multiplied by %g (a what-if about target precision).\n", c->se_scale);
  fprintf(fp, "# objective J = sum ((sim - published) / se)^2 over %zu calibration targets:", p->n_targets);
  for (size_t k = 0; k < p->n_targets; k++) fprintf(fp, " %s", c->ids[k]);
  fprintf(fp, "\n# J at start %.6g, at optimum %.6g, %d evaluations; optimizer %s.\n", r->objective_start, r->objective,
          r->n_evals, r->algorithm);
  fprintf(fp, "# identifiable: the Laplace 95%% interval (+-1.96 sd, sd from 2 H^-1) is narrower than the range\n");
  fprintf(fp, "# (ci95_over_range < 1; for a parameter screened out at the start: its one-parameter interval, inf:\n");
  fprintf(fp, "# no curvature). Unidentifiable parameters stay at their start (the compiled default).\n");
  for (size_t i = 0; i < p->n_params; i++)
    if (isfinite(r->dropped_at[i]))
      fprintf(fp, "# %s: dropped after the fit (optimizer had it at %.6g), refitted without it.\n", p->params[i].name,
              r->dropped_at[i]);
  fprintf(fp, "# The build reads name, value, sd, lo, hi, layer, field and the cov: columns (Laplace covariance).\n");
  write_rows(fp, p, r, c);
  int ok = fclose(fp) == 0 && rename(tmp, path) == 0;
  if (!ok) remove(tmp);
  return ok;
}

/* The objective's targets: calibration rows with a band, their published value and SE. */
static ks_status collect_targets(ks_ctx *ctx, cal_ud *c, double *pub, double *se) {
  size_t m = 0;
  KS_CLI_TRY(vt_run(ctx, &c->vo, c->buf, MAX_CAL, &m));
  for (size_t i = 0; i < m; i++) {
    const vt_target *t = &c->buf[i];
    /* Cohen's d comes from the same data as the difference: counting both would weigh it twice. */
    if ((t->status != VT_PASS && t->status != VT_MISS) || strstr(t->id, "cohens_d")) continue;
    snprintf(c->ids[c->n], sizeof c->ids[c->n], "%s", t->id);
    pub[c->n] = t->published;
    se[c->n++] = c->se_scale * (t->hi - t->lo) / (2.0 * 1.959963984540054);
  }
  if (c->n == 0) return ks_ctx_fail(ctx, KS_EINPUT, "no calibration target of the library has a band");
  return KS_OK;
}

/* A scale factor option: a number in (0, 1000]. */
static int scale_opt(const cli_opt *o, double *v) {
  if (!o->seen) return 0;
  char *end;
  double x = strtod(o->value, &end);
  if (*end || !(x > 0.0 && x <= 1000.0)) {
    cli_error("--%s: '%s' is not a scale factor (expected a number in (0, 1000])", o->name, o->value);
    return 2;
  }
  *v = x;
  return 0;
}

int ks_cli_calibrate(int argc, char **argv) {
  cli_opt opts[] = {
      {"n-scale", "F", "patients = each calibration trial's published n times F (default 8)", NULL, 0},
      {"max-evals", "N", "optimizer budget in objective evaluations (default 60)", NULL, 0},
      {"se-scale", "F", "multiply every target's SE by F (default 1; < 1 asks what more precise targets would identify)",
       NULL, 0},
      {"out", "FILE", "where to write the fitted set (default data/calibration/fitted.tsv)", NULL, 0},
      {"threads", "N", "worker threads (default: all cores)", NULL, 0},
      CLI_COMMON_OPTS,
  };
  size_t no = sizeof opts / sizeof opts[0];
  const char *pos[1];
  size_t n_pos = 0;
  int rc = cli_parse("calibrate", "[--n-scale F] [--max-evals N] [--out FILE]", argc, argv, opts, no, pos, 0, &n_pos);
  if (rc) return rc < 0 ? 0 : rc;
  static cal_ud c;
  memset(&c, 0, sizeof c);
  c.vo = (vt_options){.library_dir = "examples/trials", .data_dir = "data/trials", .n_scale = 8.0, .only_calibration = 1};
  c.se_scale = 1.0;
  if ((rc = scale_opt(cli_get(opts, no, "n-scale"), &c.vo.n_scale)) || (rc = scale_opt(cli_get(opts, no, "se-scale"), &c.se_scale)))
    return rc;
  long evals = 60, threads = 0;
  if ((rc = cli_int(cli_get(opts, no, "max-evals"), 1, 100000, &evals))) return rc;
  if ((rc = cli_int(cli_get(opts, no, "threads"), 1, 4096, &threads))) return rc;
  c.vo.n_threads = (int)threads;
  c.vo.quiet = 1;
  c.verbose = cli_get(opts, no, "verbose")->seen;
  const char *out = cli_get(opts, no, "out")->seen ? cli_get(opts, no, "out")->value : "data/calibration/fitted.tsv";
  ks_ctx *ctx = cli_ctx(opts, no, 1);
  if (!ctx) return 1;
  c.ctx = ctx;
  static double pub[MAX_CAL], se[MAX_CAL];
  ks_status st = bind_params(ctx, &c);
  if (st == KS_OK) st = collect_targets(ctx, &c, pub, se);
  ks_calib_problem p = {.params = c.params, .n_params = N_CALIB, .published = pub, .se = se, .n_targets = c.n,
                        .set = set_param, .simulate = simulate, .ud = &c, .max_evals = (int)evals, .xtol_rel = 1e-3};
  static ks_calib_result r;
  if (st == KS_OK) st = ks_calibrate(ctx, &p, &r);
  if (st != KS_OK) {
    rc = cli_fail(ctx, st);
    ks_ctx_destroy(&ctx);
    return rc;
  }
  if (!write_fitted(out, &p, &r, &c)) {
    cli_error("--out: cannot write '%s'", out);
    ks_ctx_destroy(&ctx);
    return 1;
  }
  printf("%s: J %.4g -> %.4g in %d evaluations (%zu targets)\n", r.algorithm, r.objective_start, r.objective,
         r.n_evals, c.n);
  for (size_t i = 0; i < p.n_params; i++)
    printf("  %-32s %10.4g  sd %-10.3g %s\n", p.params[i].name, r.x[i], r.sd[i],
           r.identifiable[i] ? "" : "NOT IDENTIFIABLE by these targets: kept at its start");
  printf("wrote %s\n", out);
  ks_ctx_destroy(&ctx);
  return 0;
}
