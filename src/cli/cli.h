/* SPDX-License-Identifier: MIT */
/* The CLI's shared helpers: option parsing, quantities with units, error lines, progress.
 * Subcommands live one per file (cmd_<name>.c) and use only the public API <ketasim/...>. */
#ifndef KS_CLI_H
#define KS_CLI_H

#include <stddef.h>
#include <ketasim/io.h>
#include <ketasim/ketasim.h>
#include <ketasim/report.h>

/* Return early with the status of a failing library call. */
#define KS_CLI_TRY(expr)                   \
  do {                                     \
    ks_status ks__st = (expr);             \
    if (ks__st != KS_OK) return ks__st;    \
  } while (0)

/* One option of a subcommand. Fill name/arg/help; cli_parse fills value and seen. */
typedef struct cli_opt {
  const char *name;   /* long name without dashes: "dose" */
  const char *arg;    /* placeholder of its value ("X", "T"), or NULL for a switch */
  const char *help;
  const char *value;  /* the value given (or NULL) */
  int seen;
} cli_opt;

/* Options every subcommand accepts. */
#define CLI_COMMON_OPTS                                                     \
  {"help", NULL, "show this help and exit", NULL, 0},                      \
  {"quiet", NULL, "print nothing but results and errors", NULL, 0},        \
  {"verbose", NULL, "print progress details", NULL, 0}

/* Parse argv[1..argc) (argv[0] is the subcommand's name). Accepts "--name value" and
 * "--name=value"; anything not starting with "--" is positional. Prints one error line and
 * returns 2 on an unknown option (with a suggestion), a missing value or too many positionals;
 * returns -1 when --help was printed (the caller exits 0); 0 otherwise. */
int cli_parse(const char *cmd, const char *usage, int argc, char **argv, cli_opt *opts, size_t n_opts,
              const char **pos, size_t max_pos, size_t *n_pos);

/* The option NAME (which must exist in opts). */
cli_opt *cli_get(cli_opt *opts, size_t n_opts, const char *name);

/* Parse an option's value as a quantity of dimension DIM; on failure print
 * "ketasim: --NAME: what is wrong (what was expected)" and return 2. Returns 0 when absent too
 * (then *out is left as it was, so set the default first). */
int cli_quantity(const cli_opt *o, ks_dim dim, double *out);
/* The same for a plain integer in [lo, hi]. */
int cli_int(const cli_opt *o, long lo, long hi, long *out);

/* Print "ketasim: " + message + newline on stderr. */
void cli_error(const char *fmt, ...) KS_PRINTF(1, 2);
/* Print the context's last error and return the exit code for status ST: 2 for bad input
 * (KS_EINPUT, KS_ERANGE), 1 otherwise. */
int cli_fail(const ks_ctx *ctx, ks_status st);

/* A context for a command, honouring --quiet/--verbose; NULL (with a message) if out of memory. */
ks_ctx *cli_ctx(cli_opt *opts, size_t n_opts, uint64_t seed);
/* Remember the command line (main does, once) for the provenance of output files (cli_ctx). */
void cli_set_command_line(int argc, char **argv);
/* The command line cli_set_command_line recorded ("ketasim pk ..."), or NULL; cli_ctx gives it
 * to the context (provenance blocks). */
const char *cli_recorded_command_line(void);

/* Print the help text of a command: usage line, then one line per option. */
void cli_help(const char *cmd, const char *usage, const char *summary, const cli_opt *opts, size_t n_opts);

/* Progress on stderr: a bar when stderr is a terminal, a plain line every 10% otherwise, nothing
 * when quiet. */
typedef struct cli_progress {
  int quiet, tty, last_pct;
  const char *label;
} cli_progress;
/* "ketasim ARGV..." as one line (arguments with spaces or quotes single-quoted), for provenance. */
void cli_command_line(int argc, char **argv, char *buf, size_t cap);

void cli_progress_init(cli_progress *p, const char *label, int quiet);
void cli_progress_update(cli_progress *p, size_t done, size_t total);
void cli_progress_done(cli_progress *p);

/* `--data FILE` (cli_doses.c): the doses of each ID of a NONMEM-layout data set, for
 * ks_trial_options.doses_of (patient k = the k-th ID). */
typedef struct cli_given_doses {
  ks_nm_data *data;
  ks_fit_input *in;
  ks_fit_input_bufs *bufs;
  size_t n_subj;
} cli_given_doses;
ks_status cli_doses_load(ks_ctx *ctx, const char *path, cli_given_doses *g);
const ks_pk_dose *cli_doses_of(void *ud, size_t patient, size_t *n);
void cli_doses_free(ks_ctx *ctx, cli_given_doses *g);

#endif
