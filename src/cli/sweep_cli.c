/* SPDX-License-Identifier: MIT */
/* Shared by cmd_sensitivity.c and cmd_optimize.c (sweep_cli.h). */
#include "sweep_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

volatile sig_atomic_t ks_sweep_cancel;

static void on_signal(int sig) {
  ks_sweep_cancel = 1;
  signal(sig, SIG_DFL);
}

void sweep_install_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

ks_status sweep_mpi_start(ks_ctx *ctx, ks_par_comm *comm, int *rank) {
  ks_status st = ks_par_init(ctx);
  ks_par_trial_comm(comm);
  *rank = ks_par_rank();
  return st;
}

int sweep_fail(ks_ctx *ctx, ks_status st, int rank) {
  int rc;
  if (rank == 0 || !strstr(ks_ctx_last_error(ctx), "process")) rc = cli_fail(ctx, st);
  else rc = st == KS_EINPUT || st == KS_ERANGE ? 2 : 1;
  return st == KS_EINTERRUPTED ? 130 : rc;
}

int sweep_parse(const char *cmd, const char *usage, const char *summary, int argc, char **argv, cli_opt *opts,
                size_t no, const char **scenario, const char **out_dir) {
  const char *pos[1];
  size_t n_pos = 0;
  int rc = cli_parse(cmd, usage, argc, argv, opts, no, pos, 1, &n_pos);
  if (rc < 0) {
    printf("\n%s\n", summary);
    return -1;
  }
  if (rc) return rc;
  if (n_pos != 1) {
    cli_error("%s: missing SCENARIO.yaml (usage: ketasim %s %s)", cmd, cmd, usage);
    return 2;
  }
  cli_opt *out = cli_get(opts, no, "out");
  if (!out->seen || !*out->value) {
    cli_error("--out: missing (expected an output directory, e.g. --out out/%s)", cmd);
    return 2;
  }
  *scenario = pos[0];
  *out_dir = out->value;
  return 0;
}

int sweep_group(const ks_scenario *sc, const char *name, int *group) {
  *group = 0;
  if (!name) return 0;
  if (sc->design == KS_DESIGN_CROSSOVER) {
    cli_error("--arm: a crossover has sequences, not arms (expected no --arm; sequence 0 is used)");
    return 2;
  }
  for (size_t a = 0; a < sc->n_arms; a++)
    if (!strcmp(sc->arms[a].name, name)) {
      *group = (int)a;
      return 0;
    }
  cli_error("--arm: '%s' is not an arm of %s (expected one of the scenario's arm names)", name, sc->name);
  return 2;
}

void sweep_progress(void *ud, size_t done, size_t total) { cli_progress_update(ud, done, total); }

ks_status sweep_write_scenario(ks_ctx *ctx, const char *path, const ks_scenario *sc, const char *comment) {
  ks_afile *f = NULL;
  ks_status st0 = ks_afile_open(ctx, path, &f);
  if (st0 != KS_OK) return st0;
  FILE *fp = ks_afile_stream(f);
  const char *p = comment;
  while (p && *p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    fprintf(fp, "# %.*s\n", (int)len, p);
    p += len + (nl ? 1 : 0);
  }
  ks_status st = ks_scenario_write_resolved(ctx, sc, fp);
  if (st != KS_OK) {
    ks_afile_abort(&f);
    return st;
  }
  return ks_afile_commit(&f);
}

unsigned long long sweep_scenario_hash(ks_ctx *ctx, const ks_scenario *sc) {
  char *text = NULL;
  size_t len = 0;
  FILE *mf = open_memstream(&text, &len);
  unsigned long long h = 1469598103934665603ull; /* FNV-1a, 64 bit */
  if (!mf) return 0;
  ks_status st = ks_scenario_write_resolved(ctx, sc, mf);
  fclose(mf);
  for (size_t i = 0; st == KS_OK && i < len; i++) {
    if (!strncmp(text + i, "# Resolved by", 13)) { /* skip the line naming the source file */
      while (i < len && text[i] != '\n') i++;
      continue;
    }
    h = (h ^ (unsigned char)text[i]) * 1099511628211ull;
  }
  free(text);
  return h;
}
