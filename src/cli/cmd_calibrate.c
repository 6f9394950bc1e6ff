/* SPDX-License-Identifier: MIT */
/* ketasim calibrate [--n-scale F] [--max-evals N] [--out FILE]: fit the calibrated parameters
 * (docs/model.md "calibrated", bound through ks_model_param) to the calibration targets of the trial
 * library (data/targets/calibration.tsv rows of data/trials/library.tsv that have a published CI
 * or SD) with ks_calibrate (NLopt LN_BOBYQA from the stated start, common random numbers: every
 * evaluation runs the library scenarios with their fixed seeds), and write the fitted set, its
 * Laplace SDs, identifiability and objective to FILE (default data/calibration/fitted.tsv, which
 * the build turns into the model's committed set). */
#include "cli.h"
#include "commands.h"
#include "validate_trials.h"

#include <ketasim/calibrate.h>
#include <ketasim/validate.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CAL 64

/* The parameters that exist now, with their stated start (the compiled default) and range. The
 * link parameters of helper "chain" (ks_link_params) are bound the same way: a name read with
 * ks_model_param() where the model uses it, and a row here. */
/* clinic.placebo_theta is not here: the clinic layer calibrates it to SSRI-trial placebo response
 * (docs/model/clinic.md), and with the expectancy it only enters as their product. */
static const ks_calib_param calib_params[] = {
    {"trial.blinded_expectancy", 1.0, 0.2, 1.0},       /* ks_link_params (src/trial/trial.c binds it), Feder 2021 midazolam response */
    {"trial.human_spine_relax_scale", 3.0, 1.0, 6.0},  /* ks_link_params, durability */
};

typedef struct {
  ks_ctx *ctx;
  vt_options vo;
  size_t n;                 /* targets in the objective */
  char ids[MAX_CAL][80];
  vt_target buf[MAX_CAL];
} cal_ud;

static ks_status set_param(void *ud, const char *name, double v) { return ks_model_param_set(((cal_ud *)ud)->ctx, name, v); }

static ks_status simulate(void *ud, double *sim, size_t n) {
  cal_ud *c = ud;
  size_t m = 0;
  KS_CLI_TRY(vt_run(c->ctx, &c->vo, c->buf, MAX_CAL, &m));
  for (size_t k = 0; k < n; k++) {
    sim[k] = NAN;
    for (size_t i = 0; i < m; i++)
      if (!strcmp(c->buf[i].id, c->ids[k])) sim[k] = c->buf[i].simulated;
  }
  return KS_OK;
}

static int write_fitted(const char *path, const ks_calib_problem *p, const ks_calib_result *r, const cal_ud *c) {
  char tmp[600];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *fp = fopen(tmp, "w");
  if (!fp) return 0;
  fprintf(fp, "# Fitted by `ketasim calibrate --n-scale %g --max-evals %d` (ketasim %s): %s from the stated start,\n",
          c->vo.n_scale, p->max_evals, ks_version(), r->algorithm);
  fprintf(fp, "# objective J = sum ((sim - published) / se)^2 over %zu calibration targets:", p->n_targets);
  for (size_t k = 0; k < p->n_targets; k++) fprintf(fp, " %s", c->ids[k]);
  fprintf(fp, "\n# J at start %.6g, at optimum %.6g, %d evaluations. sd: Laplace (2 H^-1 at the optimum); NA: the\n",
          r->objective_start, r->objective, r->n_evals);
  fprintf(fp, "# targets cannot identify it (95%% interval wider than its range): its value stays at the stated start\n");
  fprintf(fp, "# (where the optimizer wandered on a flat profile is in optimizer_value). The build reads name, value, sd.\n");
  fprintf(fp, "name\tvalue\tsd\tstart\tlo\thi\tidentifiable\toptimizer_value\n");
  for (size_t i = 0; i < p->n_params; i++) {
    fprintf(fp, "%s\t%.6g\t", p->params[i].name, r->identifiable[i] ? r->x[i] : p->params[i].start);
    if (isfinite(r->sd[i])) fprintf(fp, "%.4g", r->sd[i]);
    else fprintf(fp, "NA");
    fprintf(fp, "\t%g\t%g\t%g\t%s\t%.6g\n", p->params[i].start, p->params[i].lo, p->params[i].hi,
            r->identifiable[i] ? "yes" : "no", r->x[i]);
  }
  int ok = fclose(fp) == 0 && rename(tmp, path) == 0;
  if (!ok) remove(tmp);
  return ok;
}

int ks_cli_calibrate(int argc, char **argv) {
  cli_opt opts[] = {
      {"n-scale", "F", "patients = each calibration trial's published n times F (default 4)", NULL, 0},
      {"max-evals", "N", "optimizer budget in objective evaluations (default 40)", NULL, 0},
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
  c.vo = (vt_options){.library_dir = "examples/trials", .data_dir = "data/trials", .n_scale = 4.0, .only_calibration = 1};
  cli_opt *ns = cli_get(opts, no, "n-scale");
  if (ns->seen) {
    char *end;
    c.vo.n_scale = strtod(ns->value, &end);
    if (*end || !(c.vo.n_scale > 0.0 && c.vo.n_scale <= 1000.0)) {
      cli_error("--n-scale: '%s' is not a scale factor (expected a number in (0, 1000])", ns->value);
      return 2;
    }
  }
  long evals = 40, threads = 0;
  if ((rc = cli_int(cli_get(opts, no, "max-evals"), 1, 100000, &evals))) return rc;
  if ((rc = cli_int(cli_get(opts, no, "threads"), 1, 4096, &threads))) return rc;
  c.vo.n_threads = (int)threads;
  const char *out = cli_get(opts, no, "out")->seen ? cli_get(opts, no, "out")->value : "data/calibration/fitted.tsv";
  ks_ctx *ctx = cli_ctx(opts, no, 1);
  if (!ctx) return 1;
  c.ctx = ctx;
  /* The objective's targets: calibration rows with a band, their published value and SE. */
  static double pub[MAX_CAL], se[MAX_CAL];
  size_t m = 0;
  for (size_t i = 0; i < (sizeof calib_params / sizeof calib_params[0]); i++)
    ks_model_param_set(ctx, calib_params[i].name, calib_params[i].start);
  ks_status st = vt_run(ctx, &c.vo, c.buf, MAX_CAL, &m);
  for (size_t i = 0; st == KS_OK && i < m; i++) {
    const vt_target *t = &c.buf[i];
    /* Cohen's d comes from the same data as the difference: counting both would weigh it twice. */
    if ((t->status != VT_PASS && t->status != VT_MISS) || strstr(t->id, "cohens_d")) continue;
    snprintf(c.ids[c.n], sizeof c.ids[c.n], "%s", t->id);
    pub[c.n] = t->published;
    se[c.n++] = (t->hi - t->lo) / (2.0 * 1.959963984540054);
  }
  if (st == KS_OK && c.n == 0) st = ks_ctx_fail(ctx, KS_EINPUT, "no calibration target of the library has a band");
  ks_calib_problem p = {.params = calib_params, .n_params = (sizeof calib_params / sizeof calib_params[0]), .published = pub,
                        .se = se, .n_targets = c.n, .set = set_param, .simulate = simulate, .ud = &c,
                        .max_evals = (int)evals, .xtol_rel = 1e-3};
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
           r.identifiable[i] ? "" : "NOT IDENTIFIABLE by these targets (flat profile)");
  printf("wrote %s\n", out);
  ks_ctx_destroy(&ctx);
  return 0;
}
