/* SPDX-License-Identifier: MIT */
/* For the connectome harnesses: split an input into the TVB files and write them to a private
 * temporary directory (created once per process, removed at exit). */
#ifndef KS_FUZZ_CONNECTOME_IO_H
#define KS_FUZZ_CONNECTOME_IO_H

#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KS_FUZZ_SEP '\f'

typedef struct ks_fuzz_conn_parts {
  const char *text[3]; /* centres, weights, tract lengths */
  size_t len[3];
  int n;               /* parts present (a missing weights.txt is written empty) */
} ks_fuzz_conn_parts;

static inline void ks_fuzz_conn_split(const uint8_t *data, size_t size, ks_fuzz_conn_parts *p) {
  memset(p, 0, sizeof *p);
  const char *s = (const char *)data, *e = s + size;
  while (p->n < 3) {
    const char *f = p->n < 2 ? memchr(s, KS_FUZZ_SEP, (size_t)(e - s)) : NULL;
    p->text[p->n] = s;
    p->len[p->n] = f ? (size_t)(f - s) : (size_t)(e - s);
    p->n++;
    if (!f) break;
    s = f + 1;
  }
}

static char ks_fuzz_conn_dir_[256];

static inline void ks_fuzz_conn_cleanup_(void) {
  static const char *const files[3] = {"centres.txt", "weights.txt", "tract_lengths.txt"};
  char path[512];
  for (int k = 0; k < 3; k++) {
    snprintf(path, sizeof path, "%s/%s", ks_fuzz_conn_dir_, files[k]);
    unlink(path);
  }
  rmdir(ks_fuzz_conn_dir_);
}

static inline int ks_fuzz_conn_put_(const char *name, const char *text, size_t len, int present) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", ks_fuzz_conn_dir_, name);
  if (!present) {
    unlink(path);
    return 1;
  }
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  int ok = fwrite(text, 1, len, f) == len;
  return fclose(f) == 0 && ok;
}

/* Write the parts; returns the directory, NULL on failure. Parts beyond p->n: weights.txt is
 * written empty, tract_lengths.txt is removed. */
static inline const char *ks_fuzz_conn_write(const ks_fuzz_conn_parts *p) {
  if (!ks_fuzz_conn_dir_[0]) {
    const char *tmp = getenv("TMPDIR");
    snprintf(ks_fuzz_conn_dir_, sizeof ks_fuzz_conn_dir_, "%s/ks-fuzz-conn-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(ks_fuzz_conn_dir_)) {
      ks_fuzz_conn_dir_[0] = '\0';
      return NULL;
    }
    atexit(ks_fuzz_conn_cleanup_);
  }
  if (!ks_fuzz_conn_put_("centres.txt", p->text[0], p->len[0], 1) ||
      !ks_fuzz_conn_put_("weights.txt", p->n >= 2 ? p->text[1] : "", p->n >= 2 ? p->len[1] : 0, 1) ||
      !ks_fuzz_conn_put_("tract_lengths.txt", p->text[2], p->len[2], p->n >= 3))
    return NULL;
  return ks_fuzz_conn_dir_;
}

/* A refusal names one of the three files and a position: "DIR/FILE:LINE:COL: text". */
static inline void ks_fuzz_conn_check_message(const char *dir, const char *msg) {
  size_t dl = strlen(dir);
  KS_FUZZ_CHECK(strncmp(msg, dir, dl) == 0 && msg[dl] == '/', "message '%s'", msg);
  const char *colon = strchr(msg + dl + 1, ':');
  KS_FUZZ_CHECK(colon != NULL, "no position in '%s'", msg);
  char *end = NULL;
  long line = strtol(colon + 1, &end, 10);
  KS_FUZZ_CHECK(line >= 1 && *end == ':', "line in '%s'", msg);
  long col = strtol(end + 1, &end, 10);
  KS_FUZZ_CHECK(col >= 1 && end[0] == ':' && end[1] == ' ', "column in '%s'", msg);
  KS_FUZZ_CHECK(strchr(msg, '\n') == NULL, "one line: '%s'", msg);
}

#endif
