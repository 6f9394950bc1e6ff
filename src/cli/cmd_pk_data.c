/* SPDX-License-Identifier: MIT */
/* `ketasim pk --data FILE`: each subject of a NONMEM-layout data set given its own doses (and
 * covariates), as a typical patient of the PK model; one CSV on stdout, rows per subject and
 * time, in the long layout: ID,TIME_h,parent_plasma_ng_per_mL,norketamine_plasma_ng_per_mL
 * (empty for midazolam). */
#include "cli.h"
#include "commands.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Simulate subject s and print its rows (grid 0, step_h, ... up to t_end_h). */
static ks_status one_subject(ks_ctx *ctx, const ks_nm_data *data, size_t s,
                             const ks_pk_options *po_in, double duration_h, double step_h,
                             int *header_done) {
  ks_fit_input in;
  ks_fit_input_bufs bufs;
  ks_drug drug;
  ks_status st = ks_fit_input_from_data(ctx, data, s, &drug, &in, &bufs);
  if (st != KS_OK) return st;
  const ks_nm_subject *sub = &data->subj[s];
  double last_h = 0.0;
  for (size_t k = 0; k < sub->n; k++) last_h = fmax(last_h, data->rec[sub->first + k].time_h);
  for (size_t k = 0; k < in.n_doses; k++)
    last_h = fmax(last_h, in.doses[k].t_start_h + in.doses[k].infusion_h);
  double t_end_h = isnan(duration_h) ? last_h + 24.0 : duration_h;
  ks_pk_options po = *po_in;
  if (!po.model[drug]) po.model[drug] = ks_pk_model_default(drug);
  int has_met = drug != KS_DRUG_MIDAZOLAM;
  if (!*header_done) {
    printf("ID,TIME_h,parent_plasma_ng_per_mL,norketamine_plasma_ng_per_mL\n");
    *header_done = 1;
  }
  ks_pk_sim *sim = NULL;
  st = ks_pk_sim_create(ctx, &in.patient, in.doses, in.n_doses, &po, &sim);
  size_t n_t = (size_t)floor(t_end_h / step_h + 1e-9) + 1;
  double *cp = st == KS_OK ? malloc(sizeof(double) * n_t) : NULL;
  double *cm = st == KS_OK ? malloc(sizeof(double) * n_t) : NULL;
  if (st == KS_OK && (!cp || !cm)) st = ks_ctx_fail(ctx, KS_ENOMEM, "pk: out of memory");
  if (st == KS_OK) st = ks_pk_sim_eval_grid_plasma(sim, 0.0, step_h, n_t, cp, cm);
  if (st == KS_OK)
    for (size_t i = 0; i < n_t; i++) {
      ks_csv_field_str(stdout, 1, sub->id);
      ks_csv_field_num(stdout, 0, (double)i * step_h);
      ks_csv_field_num(stdout, 0, cp[i]);
      ks_csv_field_num(stdout, 0, has_met ? cm[i] : NAN);  /* empty: no metabolite */
      ks_csv_end_row(stdout);
    }
  if (st != KS_OK && st != KS_ENOMEM) {
    char msg[600];
    snprintf(msg, sizeof msg, "%s", ks_ctx_last_error(ctx));
    st = ks_ctx_fail(ctx, st, "%s: ID %s: %s", data->path, sub->id, msg);
  }
  free(cp);
  free(cm);
  ks_pk_sim_destroy(&sim);
  ks_fit_input_free(ctx, &bufs);
  return st;
}

int ks_cli_pk_data(const char *path, const ks_cli_pk_data_opts *o) {
  if (o->model && !ks_pk_model_citation(o->model)) {
    cli_error("--model: unknown model '%s' (expected fanta2015, domino1982, perezruixo2021 or "
              "albrecht1999)", o->model);
    return 2;
  }
  ks_ctx_opts copts = ks_ctx_opts_default();
  ks_ctx *ctx = NULL;
  if (ks_ctx_create(&copts, &ctx) != KS_OK) {
    cli_error("pk: cannot create a context");
    return 1;
  }
  ks_nm_options nmo = {.units = o->units, .drug = o->drug, .route = o->route, .cmt = o->cmt};
  ks_nm_data *data = NULL;
  ks_status st = ks_nm_read(ctx, path, &nmo, &data);
  if (st == KS_OK && data->n_doses == 0)
    st = ks_ctx_fail_input(ctx, path, 0, 0, "no doses (expected records with EVID 1 and AMT)");
  ks_pk_options po = ks_pk_options_default();
  po.allow_unstudied_doses = o->allow_unstudied_doses;
  int header_done = 0, rc = 0;
  /* Check every subject's declarations and doses before printing anything. */
  for (size_t s = 0; st == KS_OK && data && s < data->n_subj; s++) {
    ks_fit_input in;
    ks_fit_input_bufs bufs;
    ks_drug drug;
    st = ks_fit_input_from_data(ctx, data, s, &drug, &in, &bufs);
    if (st == KS_OK && o->model) po.model[drug] = o->model;
    if (st == KS_OK) {
      ks_pk_sim *sim = NULL;
      st = ks_pk_sim_create(ctx, &in.patient, in.doses, in.n_doses, &po, &sim);
      if (st != KS_OK) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", ks_ctx_last_error(ctx));
        st = ks_ctx_fail(ctx, st, "%s: ID %s: %s", path, data->subj[s].id, msg);
      }
      ks_pk_sim_destroy(&sim);
    }
    ks_fit_input_free(ctx, &bufs);
  }
  for (size_t s = 0; st == KS_OK && s < data->n_subj; s++)
    st = one_subject(ctx, data, s, &po, o->duration_h, o->step_h, &header_done);
  if (st != KS_OK) rc = cli_fail(ctx, st);
  ks_nm_data_destroy(ctx, &data);
  ks_ctx_destroy(&ctx);
  return rc;
}
