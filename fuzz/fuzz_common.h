/* SPDX-License-Identifier: MIT */
/* Shared by the libFuzzer harnesses of fuzz/ and by their replay driver (replay_main.c):
 * a quiet context, and KS_FUZZ_CHECK, which aborts (a crash libFuzzer and the regression test
 * both see) when a property of the code under test is violated. */
#ifndef KS_FUZZ_COMMON_H
#define KS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <ketasim/core.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KS_FUZZ_CHECK(cond, ...)                                                   \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      fprintf(stderr, "%s:%d: property violated: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                                \
      fputc('\n', stderr);                                                         \
      abort();                                                                     \
    }                                                                              \
  } while (0)

/* Allocation counting, so a harness can replay an input with its K-th allocation failing. */
typedef struct ks_fuzz_alloc {
  long n;        /* allocations so far */
  long fail_at;  /* 0: never fail */
  long mark;     /* free for the harness: a count saved at some point */
} ks_fuzz_alloc;

static inline void *ks_fuzz_malloc_(void *ud, size_t n) {
  ks_fuzz_alloc *a = ud;
  if (++a->n >= a->fail_at && a->fail_at > 0) return NULL;
  return malloc(n ? n : 1);
}
static inline void *ks_fuzz_realloc_(void *ud, void *p, size_t n) {
  ks_fuzz_alloc *a = ud;
  if (++a->n >= a->fail_at && a->fail_at > 0) return NULL;
  return realloc(p, n ? n : 1);
}
static inline void ks_fuzz_free_(void *ud, void *p) {
  (void)ud;
  free(p);
}

/* A context that logs nothing; with ALLOC, every allocation goes through the counter. */
static inline ks_ctx *ks_fuzz_ctx(ks_fuzz_alloc *alloc) {
  ks_ctx_opts o = ks_ctx_opts_default();
  o.log_level = KS_LOG_ERROR;
  o.n_threads = 1;
  if (alloc) {
    o.alloc_fn = ks_fuzz_malloc_;
    o.realloc_fn = ks_fuzz_realloc_;
    o.free_fn = ks_fuzz_free_;
    o.alloc_ud = alloc;
  }
  ks_ctx *ctx = NULL;
  if (ks_ctx_create(&o, &ctx) != KS_OK) return NULL;
  return ctx;
}

/* FNV-1a of the input: a deterministic choice of which allocation to fail. */
static inline uint64_t ks_fuzz_hash(const uint8_t *d, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ d[i]) * 1099511628211ull;
  return h;
}

#endif
