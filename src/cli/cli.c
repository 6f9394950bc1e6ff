/* SPDX-License-Identifier: MIT */
/* Option parsing, error lines and progress for the ketasim subcommands. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ketasim: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int cli_fail(const ks_ctx *ctx, ks_status st) {
  const char *msg = ctx ? ks_ctx_last_error(ctx) : "";
  cli_error("%s", *msg ? msg : ks_status_message(st));
  return (st == KS_EINPUT || st == KS_ERANGE) ? 2 : 1;
}

cli_opt *cli_get(cli_opt *opts, size_t n_opts, const char *name) {
  for (size_t i = 0; i < n_opts; i++)
    if (strcmp(opts[i].name, name) == 0) return &opts[i];
  return NULL;
}

void cli_help(const char *cmd, const char *usage, const char *summary, const cli_opt *opts, size_t n_opts) {
  printf("usage: ketasim %s %s\n", cmd, usage);
  if (summary && *summary) printf("\n%s\n", summary);
  printf("\noptions:\n");
  for (size_t i = 0; i < n_opts; i++) {
    char left[64];
    snprintf(left, sizeof left, "--%s%s%s", opts[i].name, opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
    printf("  %-26s %s\n", left, opts[i].help);
  }
}

int cli_parse(const char *cmd, const char *usage, int argc, char **argv, cli_opt *opts, size_t n_opts,
              const char **pos, size_t max_pos, size_t *n_pos) {
  *n_pos = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
      if (*n_pos >= max_pos) {
        cli_error("%s: unexpected argument '%s' (usage: ketasim %s %s)", cmd, a, cmd, usage);
        return 2;
      }
      pos[(*n_pos)++] = a;
      continue;
    }
    char name[64];
    const char *eq = strchr(a + 2, '=');
    size_t nl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    if (nl >= sizeof name) nl = sizeof name - 1;
    memcpy(name, a + 2, nl);
    name[nl] = '\0';
    cli_opt *o = cli_get(opts, n_opts, name);
    if (!o) {
      const char *best = NULL;
      size_t bd = 99;
      for (size_t k = 0; k < n_opts; k++) {
        size_t d = ks_edit_distance(name, opts[k].name);
        if (d < bd) bd = d, best = opts[k].name;
      }
      if (best && bd <= 2)
        cli_error("--%s: unknown option for '%s' (did you mean --%s?)", name, cmd, best);
      else
        cli_error("--%s: unknown option for '%s' (see ketasim %s --help)", name, cmd, cmd);
      return 2;
    }
    o->seen = 1;
    if (o->arg) {
      if (eq) o->value = eq + 1;
      else if (i + 1 < argc) o->value = argv[++i];
      else {
        cli_error("--%s: missing value (expected %s)", name, o->arg);
        return 2;
      }
    } else if (eq) {
      cli_error("--%s: takes no value (expected --%s alone)", name, name);
      return 2;
    }
  }
  cli_opt *h = cli_get(opts, n_opts, "help");
  if (h && h->seen) {
    cli_help(cmd, usage, "", opts, n_opts);
    return -1;
  }
  return 0;
}

int cli_quantity(const cli_opt *o, ks_dim dim, double *out) {
  if (!o || !o->seen) return 0;
  char err[256];
  double v;
  if (ks_units_parse(o->value, dim, &v, err, sizeof err) != KS_OK) {
    cli_error("--%s: %s", o->name, err);
    return 2;
  }
  *out = v;
  return 0;
}

int cli_int(const cli_opt *o, long lo, long hi, long *out) {
  if (!o || !o->seen) return 0;
  char *end = NULL;
  errno = 0;
  long v = strtol(o->value, &end, 10);
  if (!*o->value || *end || errno || v < lo || v > hi) {
    cli_error("--%s: '%s' is not a valid count (expected an integer from %ld to %ld)", o->name, o->value, lo, hi);
    return 2;
  }
  *out = v;
  return 0;
}

static void log_to_stderr(void *ud, ks_log_level level, const char *line) {
  (void)ud;
  fprintf(stderr, "ketasim: %s%s\n", level == KS_LOG_WARN ? "warning: " : "", line);
}

/* The process's command line, set once by main before any command runs. */
static char command_line[2048];

void cli_set_command_line(int argc, char **argv) {
  /* argv[0] is the program's path; cli_command_line writes "ketasim" for it and quotes the rest. */
  if (argc > 1) cli_command_line(argc - 1, argv + 1, command_line, sizeof command_line);
}

const char *cli_recorded_command_line(void) { return command_line[0] ? command_line : NULL; }

ks_ctx *cli_ctx(cli_opt *opts, size_t n_opts, uint64_t seed) {
  ks_ctx_opts o = ks_ctx_opts_default();
  o.command_line = cli_recorded_command_line();
  o.seed = seed;
  o.log_fn = log_to_stderr;
  cli_opt *q = cli_get(opts, n_opts, "quiet"), *v = cli_get(opts, n_opts, "verbose");
  o.log_level = (q && q->seen) ? KS_LOG_ERROR : (v && v->seen) ? KS_LOG_DEBUG : KS_LOG_WARN;
  ks_ctx *ctx = NULL;
  if (ks_ctx_create(&o, &ctx) != KS_OK) {
    cli_error("out of memory");
    return NULL;
  }
  return ctx;
}

void cli_progress_init(cli_progress *p, const char *label, int quiet) {
  p->quiet = quiet;
  p->tty = isatty(STDERR_FILENO);
  p->last_pct = -1;
  p->label = label;
}

void cli_progress_update(cli_progress *p, size_t done, size_t total) {
  if (p->quiet || total == 0) return;
  int pct = (int)(100.0 * (double)done / (double)total);
  if (p->tty) {
    if (pct == p->last_pct) return;
    int w = 40, fill = pct * w / 100;
    fprintf(stderr, "\r%s [%.*s%*s] %3d%%", p->label, fill, "########################################", w - fill, "", pct);
    fflush(stderr);
  } else {
    if (pct / 10 == p->last_pct / 10 && p->last_pct >= 0) return;
    fprintf(stderr, "ketasim: %s: %d%% (%zu/%zu)\n", p->label, pct, done, total);
  }
  p->last_pct = pct;
}

void cli_progress_done(cli_progress *p) {
  if (!p->quiet && p->tty) fputc('\n', stderr);
}

void cli_command_line(int argc, char **argv, char *buf, size_t cap) {
  size_t o = (size_t)snprintf(buf, cap, "ketasim");
  for (int i = 0; i < argc && o + 4 < cap; i++) {
    int quote = strpbrk(argv[i], " \t'\"$`\\") != NULL || !*argv[i];
    o += (size_t)snprintf(buf + o, cap - o, quote ? " '" : " ");
    for (const char *c = argv[i]; *c && o + 6 < cap; c++) {
      if (*c == '\'' && quote) o += (size_t)snprintf(buf + o, cap - o, "'\\''");
      else buf[o++] = *c, buf[o] = '\0';
    }
    if (quote && o + 2 < cap) o += (size_t)snprintf(buf + o, cap - o, "'");
  }
}
