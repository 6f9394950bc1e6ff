/* SPDX-License-Identifier: MIT */
/* ketasim fit DATA --out DIR [--model NAME] ...: individual MAP estimates of each subject's PK
 * parameters from a NONMEM-layout data set, written as estimates.csv/.json, predictions.csv and
 * two diagnostic figures (observed vs predicted, residuals over time). */
#include "cli.h"
#include "commands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const usage_text =
    "DATA.csv --out DIR [--model NAME] [--drug D] [--route R] [--units U] [--cmt MAP]\n"
    "                   [--sigma-prop F] [--sigma-add C] [--plot png|svg|pdf] [--allow-unstudied-doses]";

/* Everything written, gathered over subjects. */
typedef struct fit_rows {
  size_t n, cap;
  double *obs, *ipred, *pred, *t, *iwres;
} fit_rows;

static int rows_add(fit_rows *r, double obs, double ipred, double pred, double t, double iwres) {
  if (r->n == r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 256;
    double **arr[5] = {&r->obs, &r->ipred, &r->pred, &r->t, &r->iwres};
    for (int k = 0; k < 5; k++) {
      double *p = realloc(*arr[k], cap * sizeof(double));
      if (!p) return -1;
      *arr[k] = p;
    }
    r->cap = cap;
  }
  r->obs[r->n] = obs;
  r->ipred[r->n] = ipred;
  r->pred[r->n] = pred;
  r->t[r->n] = t;
  r->iwres[r->n++] = iwres;
  return 0;
}

static void rows_free(fit_rows *r) {
  free(r->obs); free(r->ipred); free(r->pred); free(r->t); free(r->iwres);
}

static void write_estimate_csv(FILE *fp, const char *id, const ks_fit_result *fr) {
  for (size_t k = 0; k < fr->n_est; k++) {
    const ks_fit_estimate *e = &fr->est[k];
    ks_csv_field_str(fp, 1, id);
    ks_csv_field_str(fp, 0, ks_pk_param_name(e->param));
    ks_csv_field_num(fp, 0, e->omega);
    ks_csv_field_num(fp, 0, e->eta);
    ks_csv_field_num(fp, 0, e->se);
    ks_csv_field_num(fp, 0, exp(e->eta));
    ks_csv_field_num(fp, 0, exp(e->eta - 1.959963984540054 * e->se));
    ks_csv_field_num(fp, 0, exp(e->eta + 1.959963984540054 * e->se));
    ks_csv_field_num(fp, 0, 1.0 - (e->se * e->se) / (e->omega * e->omega));
    ks_csv_field_int(fp, 0, e->at_bound);
    ks_csv_field_int(fp, 0, fr->hessian_ok);
    ks_csv_end_row(fp);
  }
}

static void write_estimate_json(ks_json *j, const char *id, const ks_nm_subject *s,
                                const ks_fit_result *fr) {
  ks_json_begin_object(j);
  ks_json_key(j, "id");
  ks_json_str(j, id);
  ks_json_key(j, "weight_kg");
  ks_json_num(j, isnan(s->weight_kg) ? 70.0 : s->weight_kg);
  ks_json_key(j, "n_obs");
  ks_json_int(j, (long long)fr->n_obs);
  ks_json_key(j, "neg_log_posterior");
  ks_json_num(j, fr->neg_log_post);
  ks_json_key(j, "hessian_positive_definite");
  ks_json_bool(j, fr->hessian_ok);
  ks_json_key(j, "n_eval");
  ks_json_int(j, fr->n_eval);
  ks_json_key(j, "parameters");
  ks_json_begin_object(j);
  for (size_t k = 0; k < fr->n_est; k++) {
    const ks_fit_estimate *e = &fr->est[k];
    ks_json_key(j, ks_pk_param_name(e->param));
    ks_json_begin_object(j);
    ks_json_key(j, "omega"); ks_json_num(j, e->omega);
    ks_json_key(j, "eta"); ks_json_num(j, e->eta);
    ks_json_key(j, "se"); ks_json_num(j, e->se);
    ks_json_key(j, "multiplier"); ks_json_num(j, exp(e->eta));
    ks_json_end_object(j);
  }
  ks_json_end_object(j);
  ks_json_end_object(j);
}

static ks_status write_figures(ks_ctx *ctx, const char *dir, const char *ext, const fit_rows *r) {
  char path[4200];
  double hi = 0.0;
  for (size_t i = 0; i < r->n; i++) hi = fmax(hi, fmax(r->obs[i], r->ipred[i]));
  double diag[2] = {0.0, hi * 1.05};
  ks_fig_series s1[3] = {
      {.label = "individual prediction (MAP)", .x = r->ipred, .y = r->obs, .n = r->n, .color = 1,
       .points = 1, .no_line = 1},
      {.label = "typical-patient prediction", .x = r->pred, .y = r->obs, .n = r->n, .color = 2,
       .points = 1, .no_line = 1},
      {.label = "line of identity", .x = diag, .y = diag, .n = 2, .color = 8, .dashed = 1}};
  ks_fig_spec sp1 = {.title = "Observed vs predicted concentration",
                     .x_label = "predicted (ng/mL)", .y_label = "observed (ng/mL)",
                     .x_min = 0.0, .x_max = diag[1], .y_min = 0.0, .y_max = diag[1]};
  snprintf(path, sizeof path, "%s/fit-observed-vs-predicted.%s", dir, ext);
  ks_status st = ks_fig_lines(ctx, path, &sp1, s1, 3, NULL, 0);
  if (st != KS_OK) return st;
  double tmax = 0.0;
  for (size_t i = 0; i < r->n; i++) tmax = fmax(tmax, r->t[i]);
  double zx[2] = {0.0, tmax}, z0[2] = {0.0, 0.0}, zp[2] = {2.0, 2.0}, zm[2] = {-2.0, -2.0};
  ks_fig_series s2[4] = {
      {.label = "individual weighted residual", .x = r->t, .y = r->iwres, .n = r->n, .color = 1,
       .points = 1, .no_line = 1},
      {.label = "", .x = zx, .y = z0, .n = 2, .color = 8},
      {.label = "+/- 2", .x = zx, .y = zp, .n = 2, .color = 8, .dashed = 1},
      {.label = "", .x = zx, .y = zm, .n = 2, .color = 8, .dashed = 1}};
  ks_fig_spec sp2 = {.title = "Individual weighted residuals over time", .x_label = "time (h)",
                     .y_label = "IWRES (residual SDs)"};
  snprintf(path, sizeof path, "%s/fit-residuals.%s", dir, ext);
  return ks_fig_lines(ctx, path, &sp2, s2, 4, NULL, 0);
}

/* Fit every subject; writes estimates.csv, estimates.json and predictions.csv into DIR. */
static ks_status fit_all(ks_ctx *ctx, const ks_nm_data *data, const ks_fit_options *fo,
                         const char *dir, fit_rows *rows, int quiet) {
  char path[4200];
  ks_afile *fe = NULL, *fj = NULL, *fpred = NULL;
  snprintf(path, sizeof path, "%s/estimates.csv", dir);
  ks_status st = ks_afile_open(ctx, path, &fe);
  snprintf(path, sizeof path, "%s/estimates.json", dir);
  if (st == KS_OK) st = ks_afile_open(ctx, path, &fj);
  snprintf(path, sizeof path, "%s/predictions.csv", dir);
  if (st == KS_OK) st = ks_afile_open(ctx, path, &fpred);
  if (st != KS_OK) goto out;
  FILE *ce = ks_afile_stream(fe), *cp = ks_afile_stream(fpred);
  static const char *const eh[] = {"ID", "param", "omega", "eta", "se", "multiplier",
                                   "multiplier_ci95_lo", "multiplier_ci95_hi",
                                   "information_fraction", "at_bound", "hessian_ok"};
  for (size_t c = 0; c < sizeof eh / sizeof eh[0]; c++) ks_csv_field_str(ce, c == 0, eh[c]);
  ks_csv_end_row(ce);
  static const char *const ph[] = {"ID", "TIME_h", "analyte", "DV_ng_per_mL", "IPRED_ng_per_mL",
                                   "PRED_ng_per_mL", "IWRES"};
  for (size_t c = 0; c < sizeof ph / sizeof ph[0]; c++) ks_csv_field_str(cp, c == 0, ph[c]);
  ks_csv_end_row(cp);
  ks_json j;
  ks_json_init(&j, ks_afile_stream(fj), 2);
  ks_json_begin_object(&j);
  ks_json_key(&j, "ketasim_version"); ks_json_str(&j, ks_version());
  ks_json_key(&j, "data"); ks_json_str(&j, data->path);
  ks_json_key(&j, "sigma_prop"); ks_json_num(&j, fo->sigma_prop);
  ks_json_key(&j, "sigma_add_ng_per_mL"); ks_json_num(&j, fo->sigma_add_ng_per_mL);
  ks_json_key(&j, "subjects");
  ks_json_begin_array(&j);
  for (size_t s = 0; s < data->n_subj && st == KS_OK; s++) {
    ks_fit_input in;
    ks_fit_input_bufs bufs;
    ks_drug drug;
    ks_fit_result *fr = NULL;
    const char *id = data->subj[s].id;
    if ((st = ks_fit_input_from_data(ctx, data, s, &drug, &in, &bufs)) != KS_OK) break;
    if (in.n_obs == 0) {
      if (!quiet) cli_error("fit: ID %s has no observations; skipped", id);
      ks_fit_input_free(ctx, &bufs);
      continue;
    }
    st = ks_fit_map(ctx, &in, drug, fo, &fr);
    if (st != KS_OK) {
      char msg[600];
      snprintf(msg, sizeof msg, "%s", ks_ctx_last_error(ctx));
      st = ks_ctx_fail(ctx, st, "ID %s: %s", id, msg);
    } else {
      write_estimate_csv(ce, id, fr);
      write_estimate_json(&j, id, &data->subj[s], fr);
      for (size_t i = 0; i < fr->n_obs; i++) {
        ks_csv_field_str(cp, 1, id);
        ks_csv_field_num(cp, 0, in.t_h[i]);
        ks_csv_field_str(cp, 0, in.metabolite[i] ? "metabolite" : "parent");
        ks_csv_field_num(cp, 0, in.dv_ng_per_mL[i]);
        ks_csv_field_num(cp, 0, fr->ipred_ng_per_mL[i]);
        ks_csv_field_num(cp, 0, fr->pred_ng_per_mL[i]);
        ks_csv_field_num(cp, 0, fr->iwres[i]);
        ks_csv_end_row(cp);
        if (rows_add(rows, in.dv_ng_per_mL[i], fr->ipred_ng_per_mL[i], fr->pred_ng_per_mL[i],
                     in.t_h[i], fr->iwres[i]))
          st = ks_ctx_fail(ctx, KS_ENOMEM, "fit: out of memory");
      }
      if (!quiet) {
        fprintf(stderr, "ketasim: ID %s (%s, %zu observations):", id, fr->model, fr->n_obs);
        for (size_t k = 0; k < fr->n_est; k++)
          fprintf(stderr, " %s %+.3f±%.3f", ks_pk_param_name(fr->est[k].param), fr->est[k].eta,
                  fr->est[k].se);
        fputc('\n', stderr);
      }
    }
    ks_fit_result_destroy(ctx, &fr);
    ks_fit_input_free(ctx, &bufs);
  }
  ks_json_end_array(&j);
  ks_json_end_object(&j);
  ks_json_finish(&j);
  if (st == KS_OK) st = ks_afile_commit(&fe);
  if (st == KS_OK) st = ks_afile_commit(&fj);
  if (st == KS_OK) st = ks_afile_commit(&fpred);
out:
  ks_afile_abort(&fe);
  ks_afile_abort(&fj);
  ks_afile_abort(&fpred);
  return st;
}

int ks_cli_fit(int argc, char **argv) {
  cli_opt opts[] = {
      {"out", "DIR", "directory for estimates.csv, estimates.json, predictions.csv and figures", NULL, 0},
      {"model", "NAME", "PK parameter set whose IIV is the prior (default: the drug's default set)", NULL, 0},
      {"drug", "D", "drug of every dose (overrides '# drug:' in the file)", NULL, 0},
      {"route", "R", "route of doses into the depot (overrides '# route:')", NULL, 0},
      {"units", "U", "column units, e.g. \"TIME=h AMT=mg DV=ng/mL WT=kg\" (overrides '# units:')", NULL, 0},
      {"cmt", "MAP", "compartment numbers, default \"depot=1 central=2 metabolite=3\"", NULL, 0},
      {"sigma-prop", "F", "proportional residual SD, a fraction (default 0.2: assumed)", NULL, 0},
      {"sigma-add", "C", "additive residual SD, a concentration (default 1 ng/mL: assumed)", NULL, 0},
      {"plot", "EXT", "figure format: png (default), svg or pdf", NULL, 0},
      {"allow-unstudied-doses", NULL, "accept doses above the studied psychiatric range", NULL, 0},
      CLI_COMMON_OPTS,
  };
  size_t no = sizeof opts / sizeof opts[0];
  const char *pos[1];
  size_t n_pos = 0;
  int rc = cli_parse("fit", usage_text, argc, argv, opts, no, pos, 1, &n_pos);
  if (rc) return rc < 0 ? 0 : rc;
  if (n_pos != 1) {
    cli_error("fit: missing DATA.csv (usage: ketasim fit %s)", usage_text);
    return 2;
  }
  cli_opt *out = cli_get(opts, no, "out"), *model = cli_get(opts, no, "model");
  cli_opt *plot = cli_get(opts, no, "plot");
  if (!out->seen || !*out->value) {
    cli_error("--out: missing (expected an output directory, e.g. --out out/fit)");
    return 2;
  }
  if (model->seen && !ks_pk_model_citation(model->value)) {
    cli_error("--model: unknown model '%s' (expected fanta2015, domino1982, perezruixo2021 or "
              "albrecht1999)", model->value);
    return 2;
  }
  const char *ext = plot->seen ? plot->value : "png";
  if (strcmp(ext, "png") && strcmp(ext, "svg") && strcmp(ext, "pdf")) {
    cli_error("--plot: unknown figure format '%s' (expected png, svg or pdf)", ext);
    return 2;
  }
  ks_fit_options fo = ks_fit_options_default();
  fo.model = model->seen ? model->value : NULL;
  fo.allow_unstudied_doses = cli_get(opts, no, "allow-unstudied-doses")->seen;
  cli_opt *sp = cli_get(opts, no, "sigma-prop");
  if (sp->seen) {
    char *end = NULL;
    fo.sigma_prop = strtod(sp->value, &end);
    if (!end || *end || !(fo.sigma_prop >= 0.0 && fo.sigma_prop < 10.0)) {
      cli_error("--sigma-prop: '%s' is not a fraction from 0 to 10 (expected e.g. 0.2)", sp->value);
      return 2;
    }
  }
  if ((rc = cli_quantity(cli_get(opts, no, "sigma-add"), KS_DIM_MASS_CONC, &fo.sigma_add_ng_per_mL)))
    return rc;
  if (!(fo.sigma_add_ng_per_mL >= 0.0) || !(fo.sigma_prop > 0.0 || fo.sigma_add_ng_per_mL > 0.0)) {
    cli_error("--sigma-add: must be >= 0, and not 0 together with --sigma-prop 0 (expected e.g. "
              "1 ng/mL)");
    return 2;
  }
  int quiet = cli_get(opts, no, "quiet")->seen;
  ks_ctx *ctx = cli_ctx(opts, no, 1);
  if (!ctx) return 1;
  ks_nm_options nmo = {.units = cli_get(opts, no, "units")->value,
                       .drug = cli_get(opts, no, "drug")->value,
                       .route = cli_get(opts, no, "route")->value,
                       .cmt = cli_get(opts, no, "cmt")->value};
  ks_nm_data *data = NULL;
  fit_rows rows = {0};
  ks_status st = ks_nm_read(ctx, pos[0], &nmo, &data);
  if (st == KS_OK && data->n_obs == 0)
    st = ks_ctx_fail_input(ctx, pos[0], 0, 0, "no observations (expected records with EVID 0 "
                           "and a DV to fit)");
  if (st == KS_OK) {  /* the drug and route declarations, checked before anything is written */
    ks_fit_input in;
    ks_fit_input_bufs bufs;
    ks_drug drug;
    st = ks_fit_input_from_data(ctx, data, 0, &drug, &in, &bufs);
    ks_fit_input_free(ctx, &bufs);
  }
  if (st == KS_OK) st = ks_mkdirs(ctx, out->value);
  if (st == KS_OK) st = fit_all(ctx, data, &fo, out->value, &rows, quiet);
  if (st == KS_OK && rows.n > 0) st = write_figures(ctx, out->value, ext, &rows);
  if (st != KS_OK) rc = cli_fail(ctx, st);
  else if (!quiet)
    fprintf(stderr, "ketasim: wrote %s/{estimates.csv,estimates.json,predictions.csv,"
            "fit-observed-vs-predicted.%s,fit-residuals.%s}\n", out->value, ext, ext);
  rows_free(&rows);
  ks_nm_data_destroy(ctx, &data);
  ks_ctx_destroy(&ctx);
  return rc;
}
