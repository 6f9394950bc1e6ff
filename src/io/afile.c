/* SPDX-License-Identifier: MIT */
/* Atomic output files: write to a temporary name, fsync, rename. */
#include "core/core_internal.h"
#include <ketasim/io.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ks_afile {
  ks_ctx *ctx;
  FILE *fp;
  char *path;
  char *tmp;
};

ks_status ks_afile_open(ks_ctx *ctx, const char *path, ks_afile **out) {
  KS_CHECK_ARG(ctx, path && *path && out);
  ks_afile *f = ks_calloc(ctx, 1, sizeof *f);
  if (!f) return KS_ENOMEM;
  f->ctx = ctx;
  f->path = ks_strdup(ctx, path);
  size_t n = strlen(path) + 64;
  f->tmp = ks_malloc(ctx, n);
  if (!f->path || !f->tmp) goto nomem;
  /* The temporary sits in the same directory (rename is atomic only within one file system). */
  const char *slash = strrchr(path, '/');
  int dir_len = slash ? (int)(slash - path + 1) : 0;
  snprintf(f->tmp, n, "%.*s.%s.tmp.%ld", dir_len, path, slash ? slash + 1 : path, (long)getpid());
  f->fp = fopen(f->tmp, "wb");
  if (!f->fp) {
    ks_status st = ks_ctx_fail(ctx, KS_EIO, "%s: cannot write (%s)", path, strerror(errno));
    ks_free(ctx, f->tmp);
    ks_free(ctx, f->path);
    ks_free(ctx, f);
    return st;
  }
  *out = f;
  return KS_OK;
nomem:
  ks_free(ctx, f->tmp);
  ks_free(ctx, f->path);
  ks_free(ctx, f);
  return KS_ENOMEM;
}

FILE *ks_afile_stream(ks_afile *f) { return f ? f->fp : NULL; }

static void afile_free(ks_afile *f) {
  ks_ctx *ctx = f->ctx;
  ks_free(ctx, f->tmp);
  ks_free(ctx, f->path);
  ks_free(ctx, f);
}

ks_status ks_afile_commit(ks_afile **pf) {
  if (!pf || !*pf) return KS_EINVAL;
  ks_afile *f = *pf;
  *pf = NULL;
  int bad = ferror(f->fp) || fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0;
  int err = errno;
  bad |= fclose(f->fp) != 0;
  if (!bad && rename(f->tmp, f->path) != 0) {
    bad = 1;
    err = errno;
  }
  ks_status st = KS_OK;
  if (bad) {
    st = ks_ctx_fail(f->ctx, KS_EIO, "%s: write failed (%s)", f->path, strerror(err));
    remove(f->tmp);
  }
  afile_free(f);
  return st;
}

void ks_afile_abort(ks_afile **pf) {
  if (!pf || !*pf) return;
  ks_afile *f = *pf;
  *pf = NULL;
  fclose(f->fp);
  remove(f->tmp);
  afile_free(f);
}

ks_status ks_write_file_atomic(ks_ctx *ctx, const char *path, const char *text, size_t len) {
  ks_afile *f = NULL;
  KS_TRY(ks_afile_open(ctx, path, &f));
  if (len && fwrite(text, 1, len, ks_afile_stream(f)) != len) {
    ks_afile_abort(&f);
    return ks_ctx_fail(ctx, KS_EIO, "%s: write failed", path);
  }
  return ks_afile_commit(&f);
}

ks_status ks_mkdirs(ks_ctx *ctx, const char *dir) {
  KS_CHECK_ARG(ctx, dir && *dir);
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
    return ks_ctx_fail(ctx, KS_EIO, "%s: cannot create directory (path too long)", dir);
  for (char *p = buf + 1;; p++) {
    if (*p != '/' && *p != '\0') continue;
    char c = *p;
    *p = '\0';
    struct stat st;
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
      return ks_ctx_fail(ctx, KS_EIO, "%s: cannot create directory (%s)", buf, strerror(errno));
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
      return ks_ctx_fail(ctx, KS_EIO, "%s: cannot create directory (%s)", buf, strerror(ENOTDIR));
    if (c == '\0') return KS_OK;
    *p = c;
  }
}
