/* SPDX-License-Identifier: MIT */
/* ketasim check SCENARIO.yaml: validate a scenario without running it. */
#include "cli.h"

#include <ketasim/scenario.h>

#include <stdio.h>

int ks_cli_check(int argc, char **argv);

int ks_cli_check(int argc, char **argv) {
  static const char *usage = "SCENARIO.yaml [--resolved]";
  cli_opt opts[] = {
      CLI_COMMON_OPTS,
      {"resolved", NULL, "also print the resolved scenario (every default explicit) on stdout", NULL, 0},
  };
  const size_t n_opts = sizeof opts / sizeof opts[0];
  const char *pos[1];
  size_t n_pos = 0;
  int rc = cli_parse("check", usage, argc, argv, opts, n_opts, pos, 1, &n_pos);
  if (rc == -1) {
    printf("\nChecks a scenario file against the schema of docs/scenario.md without running it.\n"
           "Prints \"ok: NAME (N patients, K arms)\" and exits 0, or prints one line\n"
           "\"ketasim: FILE:LINE:COL: what is wrong (what was expected)\" and exits 2.\n");
    return 0;
  }
  if (rc) return rc;
  if (n_pos == 0) {
    cli_error("check: missing scenario file (expected ketasim check SCENARIO.yaml)");
    return 2;
  }
  ks_ctx *ctx = cli_ctx(opts, n_opts, 1);
  if (!ctx) return 1;
  ks_scenario *sc = NULL;
  ks_status st = ks_scenario_load(ctx, pos[0], &sc);
  if (st != KS_OK) {
    rc = cli_fail(ctx, st);
    ks_ctx_destroy(&ctx);
    return rc;
  }
  if (cli_get(opts, n_opts, "resolved")->seen) {
    st = ks_scenario_write_resolved(ctx, sc, stdout);
    if (st != KS_OK) rc = cli_fail(ctx, st);
  }
  if (rc == 0) {
    /* With --resolved, stdout holds only YAML, so the verdict goes to stderr. */
    FILE *out = cli_get(opts, n_opts, "resolved")->seen ? stderr : stdout;
    if (sc->replicates > 1)
      fprintf(out, "ok: %s (%ld patients, %zu arms, %ld replicates)\n", sc->name, sc->population.n, sc->n_arms, sc->replicates);
    else
      fprintf(out, "ok: %s (%ld patients, %zu arm%s)\n", sc->name, sc->population.n, sc->n_arms, sc->n_arms == 1 ? "" : "s");
  }
  ks_scenario_destroy(&sc);
  ks_ctx_destroy(&ctx);
  return rc;
}
