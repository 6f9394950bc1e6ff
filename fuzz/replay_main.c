/* SPDX-License-Identifier: MIT */
/* Replays inputs through a harness's LLVMFuzzerTestOneInput without libFuzzer, so the regression
 * inputs of fuzz/regressions/<target>/ (and the seed corpus) run in CI with the normal compiler.
 * Usage: fuzz_replay_<target> PATH...   (files, or directories whose regular files are replayed
 * in name order). Exit 0 when every input ran; a violated property aborts. */
#include "fuzz_common.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return 0;
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  for (;;) {
    if (!buf) break;
    if (len == cap) {
      uint8_t *nb = realloc(buf, cap *= 2);
      if (!nb) { free(buf); buf = NULL; break; }
      buf = nb;
    }
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (got == 0) break;
  }
  fclose(f);
  if (!buf) return 0;
  /* An exact-size copy, so that ASan sees reads past the end as libFuzzer would. */
  uint8_t *exact = malloc(len ? len : 1);
  if (!exact) { free(buf); return 0; }
  memcpy(exact, buf, len);
  free(buf);
  LLVMFuzzerTestOneInput(exact, len);
  free(exact);
  return 1;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir, long *count) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "replay: cannot open directory %s\n", dir);
    return 0;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 64;
      char **nn = realloc(names, cap * sizeof *names);
      if (!nn) break;
      names = nn;
    }
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, by_name);
  int ok = 1;
  for (size_t i = 0; i < n; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
      if (replay_file(path)) (*count)++;
      else ok = 0;
    }
    free(names[i]);
  }
  free(names);
  return ok;
}

int main(int argc, char **argv) {
  long count = 0;
  int ok = 1;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      fprintf(stderr, "replay: %s does not exist\n", argv[i]);
      ok = 0;
    } else if (S_ISDIR(st.st_mode)) {
      ok &= replay_dir(argv[i], &count);
    } else if (replay_file(argv[i])) {
      count++;
    } else {
      ok = 0;
    }
  }
  printf("replayed %ld inputs\n", count);
  return ok ? 0 : 1;
}
