/* SPDX-License-Identifier: MIT */
/* What `ketasim sensitivity` and `ketasim optimize` share: interruption, the studied group,
 * progress over trials. */
#ifndef KS_SWEEP_CLI_H
#define KS_SWEEP_CLI_H

#include <signal.h>

#include <ketasim/sweep.h>

#include "cli.h"

/* Return ST from the calling function when it is not KS_OK. */
#define KS_TRY_ST(expr)                  \
  do {                                   \
    ks_status try_st_ = (expr);          \
    if (try_st_ != KS_OK) return try_st_; \
  } while (0)

/* Set by SIGINT/SIGTERM (a second signal kills as usual); polled between and inside trials. */
extern volatile sig_atomic_t ks_sweep_cancel;
void sweep_install_handlers(void);

/* Start MPI when launched by mpirun (ks_par_init) and fill *COMM over every process; *RANK is
 * this process's rank. Rank 0 alone writes files and prints results. */
ks_status sweep_mpi_start(ks_ctx *ctx, ks_par_comm *comm, int *rank);

/* Exit code of a failed sweep: rank 0 prints the error, another rank only a failure of its own
 * (not the "on another process" echo of rank 0's); 130 when interrupted. */
int sweep_fail(ks_ctx *ctx, ks_status st, int rank);

/* Parse a sweep command's options: one SCENARIO.yaml (into *SCENARIO) and a required --out DIR
 * (into *OUT_DIR). Returns -1 after --help (printed with SUMMARY; the caller exits 0), 0 when
 * parsed, else the exit code after an error line. */
int sweep_parse(const char *cmd, const char *usage, const char *summary, int argc, char **argv, cli_opt *opts,
                size_t no, const char **scenario, const char **out_dir);

/* Group index of arm NAME (NULL: 0) in scenario SC; 2 and an error line when unknown. */
int sweep_group(const ks_scenario *sc, const char *name, int *group);

/* Progress over trials: "trials" bar. */
void sweep_progress(void *ud, size_t done, size_t total);

/* Write "#" + the comment lines, then scenario SC (resolved) to PATH atomically. */
ks_status sweep_write_scenario(ks_ctx *ctx, const char *path, const ks_scenario *sc, const char *comment);

/* A hash of the resolved scenario (its source file name left out): part of an evaluation log's
 * key, so a log is reused only for the same scenario. */
unsigned long long sweep_scenario_hash(ks_ctx *ctx, const ks_scenario *sc);

#endif
