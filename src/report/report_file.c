/* SPDX-License-Identifier: MIT */
/* Temporary files, atomic rename and whole-file reads for the figures and the report. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report_internal.h"

/* Build "<dir>/.<base><suffix>.tmp-XXXXXX" beside path. A hidden name keeps half-written files
 * out of directory listings and globs such as *.png; the suffix is informative only. */
static char *tmp_template(ks_ctx *ctx, const char *path, const char *suffix) {
  const char *dir = ".";
  size_t dir_len = 1;
  const char *base = "ketasim";
  if (path) {
    const char *slash = strrchr(path, '/');
    if (slash) {
      dir = path;
      dir_len = (size_t)(slash - path);
      if (dir_len == 0) { dir = "/"; dir_len = 1; }
      base = slash + 1;
    } else {
      base = path;
    }
  } else {
    const char *t = getenv("TMPDIR");
    dir = (t && t[0]) ? t : "/tmp";
    dir_len = strlen(dir);
  }
  if (!suffix) suffix = "";
  size_t n = dir_len + strlen(base) + strlen(suffix) + 32;
  char *name = ks_malloc(ctx, n);
  if (!name) return NULL;
  snprintf(name, n, "%.*s/.%s%s.tmp-XXXXXX", (int)dir_len, dir, base, suffix);
  return name;
}

ks_status ks__tmp_create(ks_ctx *ctx, const char *path, const char *suffix, ks__tmpfile *tmp) {
  tmp->name = tmp_template(ctx, path, suffix);
  if (!tmp->name) return KS_ENOMEM;
  int fd = mkstemp(tmp->name);
  if (fd < 0) {
    int e = errno;
    ks_status st = ks_ctx_fail(ctx, KS_EIO, "cannot create a temporary file for %s: %s",
                               path ? path : "(in-memory figure)", strerror(e));
    ks_free(ctx, tmp->name);
    tmp->name = NULL;
    return st;
  }
  /* mkstemp gives 0600; a figure or report is an ordinary output file. */
  (void)fchmod(fd, 0644);
  close(fd);
  return KS_OK;
}

void ks__tmp_discard(ks_ctx *ctx, ks__tmpfile *tmp) {
  if (!tmp->name) return;
  (void)unlink(tmp->name);
  ks_free(ctx, tmp->name);
  tmp->name = NULL;
}

ks_status ks__tmp_commit(ks_ctx *ctx, ks__tmpfile *tmp, const char *path) {
  /* Flush the data to disk before the rename makes it visible under its final name. */
  int fd = open(tmp->name, O_RDONLY);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
  if (rename(tmp->name, path) != 0) {
    int e = errno;
    ks__tmp_discard(ctx, tmp);
    return ks_ctx_fail(ctx, KS_EIO, "cannot rename the temporary file onto %s: %s", path,
                       strerror(e));
  }
  ks_free(ctx, tmp->name);
  tmp->name = NULL;
  return KS_OK;
}

ks_status ks__file_read(ks_ctx *ctx, const char *name, char **buf, size_t *n) {
  FILE *f = fopen(name, "rb");
  if (!f) return ks_ctx_fail(ctx, KS_EIO, "cannot open %s: %s", name, strerror(errno));
  size_t cap = 1 << 16, len = 0;
  char *b = ks_malloc(ctx, cap);
  if (!b) { fclose(f); return KS_ENOMEM; }
  for (;;) {
    if (cap - len < 2) {
      char *nb = ks_realloc(ctx, b, cap * 2);
      if (!nb) { ks_free(ctx, b); fclose(f); return KS_ENOMEM; }
      b = nb;
      cap *= 2;
    }
    size_t got = fread(b + len, 1, cap - len - 1, f);
    len += got;
    if (got == 0) break;
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    ks_free(ctx, b);
    return ks_ctx_fail(ctx, KS_EIO, "cannot read %s", name);
  }
  b[len] = '\0';
  *buf = b;
  if (n) *n = len;
  return KS_OK;
}
