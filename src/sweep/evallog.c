/* SPDX-License-Identifier: MIT */
/* The evaluation log that makes sweeps resumable (sweep.h): one line per finished trial,
 * inputs and outputs as exact hexadecimal doubles, flushed as written. */
#include <ketasim/sweep.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core_internal.h"

struct ks_eval_log {
  ks_ctx *ctx;
  char *path;
  FILE *fp;
  size_t n_in, n_out, n, cap, n_loaded;
  double *rows; /* [cap][n_in + n_out] */
};

static const char *const header = "# ketasim evaluation log\t";

static ks_status push(ks_eval_log *L, const double *in, const double *out) {
  size_t w = L->n_in + L->n_out;
  if (L->n == L->cap) {
    size_t nc = L->cap ? 2 * L->cap : 64;
    double *nr = ks_realloc(L->ctx, L->rows, nc * w * sizeof *nr);
    if (!nr) return KS_ENOMEM;
    L->rows = nr, L->cap = nc;
  }
  memcpy(L->rows + L->n * w, in, L->n_in * sizeof *in);
  memcpy(L->rows + L->n * w + L->n_in, out, L->n_out * sizeof *out);
  L->n++;
  return KS_OK;
}

static void write_row(FILE *fp, const double *v, size_t w) {
  for (size_t i = 0; i < w; i++) fprintf(fp, "%s%a", i ? "\t" : "", v[i]);
  fputc('\n', fp);
}

/* Load complete lines of an existing log; a last line cut by a kill is dropped. */
static ks_status load(ks_eval_log *L, FILE *fp, const char *key) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int first = 1;
  size_t w = L->n_in + L->n_out, line_no = 0;
  double v[2 * KS_PARAM_MAX + 16];
  ks_status st = KS_OK;
  while (st == KS_OK && (len = getline(&line, &cap, fp)) > 0) {
    line_no++;
    if (line[len - 1] != '\n') break; /* cut */
    line[len - 1] = '\0';
    if (first) {
      first = 0;
      if (strncmp(line, header, strlen(header)) || strcmp(line + strlen(header), key))
        st = ks_ctx_fail_input(L->ctx, L->path, 1, 1, "this log belongs to another run (expected %s; remove the "
                                                     "directory or run without --resume)", key);
      continue;
    }
    char *p = line;
    size_t k = 0;
    for (; k < w; k++) {
      char *end = NULL;
      v[k] = strtod(p, &end);
      if (end == p) break;
      p = end;
      if (*p == '\t') p++;
    }
    if (k != w) {
      st = ks_ctx_fail_input(L->ctx, L->path, (int)line_no, 1, "%zu numbers (expected %zu)", k, w);
      break;
    }
    st = push(L, v, v + L->n_in);
  }
  free(line);
  return st;
}

ks_status ks_eval_log_open(ks_ctx *ctx, const char *path, const char *key, size_t n_in, size_t n_out, int resume,
                           ks_eval_log **out) {
  KS_CHECK_ARG(ctx, path && key && out && n_in + n_out <= 2 * KS_PARAM_MAX + 16 && !strchr(key, '\n'));
  ks_eval_log *L = ks_calloc(ctx, 1, sizeof *L);
  if (!L) return KS_ENOMEM;
  L->ctx = ctx, L->n_in = n_in, L->n_out = n_out;
  L->path = ks_malloc(ctx, strlen(path) + 1);
  ks_status st = L->path ? KS_OK : KS_ENOMEM;
  if (st == KS_OK) strcpy(L->path, path);
  if (st == KS_OK && resume) {
    FILE *fp = fopen(path, "r");
    if (fp) {
      st = load(L, fp, key);
      fclose(fp);
    }
    L->n_loaded = L->n;
  }
  /* Rewrite the log with what was loaded (dropping a cut line), then append. */
  if (st == KS_OK) {
    L->fp = fopen(path, "w");
    if (!L->fp) st = ks_ctx_fail(ctx, KS_EIO, "cannot write %s: %s", path, strerror(errno));
  }
  if (st == KS_OK) {
    fprintf(L->fp, "%s%s\n", header, key);
    for (size_t i = 0; i < L->n; i++) write_row(L->fp, L->rows + i * (n_in + n_out), n_in + n_out);
    if (fflush(L->fp) != 0) st = ks_ctx_fail(ctx, KS_EIO, "cannot write %s: %s", path, strerror(errno));
  }
  if (st != KS_OK) {
    ks_eval_log_close(&L, 0);
    return st;
  }
  *out = L;
  return KS_OK;
}

int ks_eval_log_find(const ks_eval_log *L, const double *in, double *out) {
  if (!L) return 0;
  size_t w = L->n_in + L->n_out;
  for (size_t i = 0; i < L->n; i++)
    if (!memcmp(L->rows + i * w, in, L->n_in * sizeof *in)) {
      memcpy(out, L->rows + i * w + L->n_in, L->n_out * sizeof *out);
      return 1;
    }
  return 0;
}

ks_status ks_eval_log_add(ks_ctx *ctx, ks_eval_log *L, const double *in, const double *out) {
  KS_CHECK_ARG(ctx, L && in && out);
  KS_TRY(push(L, in, out));
  double row[2 * KS_PARAM_MAX + 16];
  memcpy(row, in, L->n_in * sizeof *in);
  memcpy(row + L->n_in, out, L->n_out * sizeof *out);
  write_row(L->fp, row, L->n_in + L->n_out);
  if (fflush(L->fp) != 0) return ks_ctx_fail(ctx, KS_EIO, "cannot write %s: %s", L->path, strerror(errno));
  return KS_OK;
}

size_t ks_eval_log_n_loaded(const ks_eval_log *L) { return L ? L->n_loaded : 0; }

void ks_eval_log_close(ks_eval_log **Lp, int remove_file) {
  if (!Lp || !*Lp) return;
  ks_eval_log *L = *Lp;
  if (L->fp) fclose(L->fp);
  if (remove_file && L->path) unlink(L->path);
  ks_free(L->ctx, L->rows);
  ks_free(L->ctx, L->path);
  ks_free(L->ctx, L);
  *Lp = NULL;
}
