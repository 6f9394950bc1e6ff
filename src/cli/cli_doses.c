/* SPDX-License-Identifier: MIT */
/* `--data FILE` of run and patient: the doses of a NONMEM-layout data set given to the trial's
 * patients (patient k gets the doses of the k-th ID of the file). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

ks_status cli_doses_load(ks_ctx *ctx, const char *path, cli_given_doses *g) {
  memset(g, 0, sizeof *g);
  ks_status st = ks_nm_read(ctx, path, NULL, &g->data);
  if (st != KS_OK) return st;
  if (g->data->n_doses == 0) {
    st = ks_ctx_fail_input(ctx, path, 0, 0, "no doses (expected records with EVID 1 and AMT)");
    cli_doses_free(ctx, g);
    return st;
  }
  g->n_subj = g->data->n_subj;
  g->bufs = calloc(g->n_subj, sizeof *g->bufs);
  g->in = calloc(g->n_subj, sizeof *g->in);
  if (!g->bufs || !g->in) {
    cli_doses_free(ctx, g);
    return ks_ctx_fail(ctx, KS_ENOMEM, "--data: out of memory");
  }
  for (size_t s = 0; s < g->n_subj && st == KS_OK; s++) {
    ks_drug drug;
    st = ks_fit_input_from_data(ctx, g->data, s, &drug, &g->in[s], &g->bufs[s]);
  }
  if (st != KS_OK) cli_doses_free(ctx, g);
  return st;
}

const ks_pk_dose *cli_doses_of(void *ud, size_t patient, size_t *n) {
  const cli_given_doses *g = ud;
  if (patient >= g->n_subj) {
    *n = 0;
    return NULL;
  }
  *n = g->in[patient].n_doses;
  return g->in[patient].doses;
}

void cli_doses_free(ks_ctx *ctx, cli_given_doses *g) {
  for (size_t s = 0; g->bufs && s < g->n_subj; s++) ks_fit_input_free(ctx, &g->bufs[s]);
  free(g->bufs);
  free(g->in);
  ks_nm_data_destroy(ctx, &g->data);
  memset(g, 0, sizeof *g);
}
