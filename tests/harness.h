/* SPDX-License-Identifier: MIT */
/* A small test harness: KS_TEST(name) { ... } bodies with typed assertions, run by ks_test_main().
 * Each test file is one executable and one CTest process; a failing assertion reports the file,
 * line, values and the test's name, and the file's exit status is the number of failed tests. */
#ifndef KS_TEST_HARNESS_H
#define KS_TEST_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ketasim/core.h>

/* A context for a test: default options, warnings silenced. NULL only when out of memory. */
__attribute__((unused)) static ks_ctx *ks_test_ctx(void) {
  ks_ctx_opts o = ks_ctx_opts_default();
  o.log_level = KS_LOG_ERROR;
  ks_ctx *ctx = NULL;
  return ks_ctx_create(&o, &ctx) == KS_OK ? ctx : NULL;
}

typedef void (*ks_test_fn)(int *failed);
typedef struct { const char *name; ks_test_fn fn; } ks_test_entry;

#define KS_MAX_TESTS 256
static ks_test_entry ks_tests[KS_MAX_TESTS];
static int ks_n_tests;

#define KS_TEST(name)                                                            \
  static void test_##name(int *ks_failed_);                                      \
  __attribute__((constructor)) static void register_##name(void) {               \
    if (ks_n_tests < KS_MAX_TESTS) ks_tests[ks_n_tests++] = (ks_test_entry){#name, test_##name}; \
  }                                                                              \
  static void test_##name(int *ks_failed_)

#define KS_FAIL_(...)                                                           \
  do {                                                                           \
    fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                              \
    fprintf(stderr, __VA_ARGS__);                                                \
    fputc('\n', stderr);                                                         \
    *ks_failed_ = 1;                                                             \
    return;                                                                      \
  } while (0)

#define KS_ASSERT_TRUE(c) do { if (!(c)) KS_FAIL_("expected true: %s", #c); } while (0)
#define KS_ASSERT_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_) KS_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_); } while (0)
#define KS_ASSERT_EQ_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) KS_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)
#define KS_ASSERT_NEAR(a, b, tol) do { double a_ = (a), b_ = (b), t_ = (tol); \
    if (!(fabs(a_ - b_) <= t_)) KS_FAIL_("|%s - %s| <= %g: %.17g vs %.17g (diff %.3g)", #a, #b, t_, a_, b_, fabs(a_ - b_)); } while (0)
#define KS_ASSERT_REL(a, b, rel) do { double a_ = (a), b_ = (b), r_ = (rel); \
    double s_ = fmax(fabs(a_), fabs(b_)); \
    if (!(fabs(a_ - b_) <= r_ * s_ || (a_ == 0.0 && b_ == 0.0))) \
      KS_FAIL_("%s ~ %s (rel %g): %.17g vs %.17g (rel diff %.3g)", #a, #b, r_, a_, b_, s_ > 0 ? fabs(a_ - b_) / s_ : 0.0); } while (0)
#define KS_ASSERT_RANGE(x, lo, hi) do { double x_ = (x), l_ = (lo), h_ = (hi); \
    if (!(x_ >= l_ && x_ <= h_)) KS_FAIL_("%s in [%g, %g]: %.17g", #x, l_, h_, x_); } while (0)
#define KS_ASSERT_OK(expr) do { int st_ = (int)(expr); \
    if (st_ != 0) KS_FAIL_("%s returned %d", #expr, st_); } while (0)

/* Run every registered test (or those whose names contain argv[1]); print "N passed, N failed". */
static int ks_test_main(int argc, char **argv) {
  int passed = 0, failed = 0;
  for (int i = 0; i < ks_n_tests; i++) {
    if (argc > 1 && !strstr(ks_tests[i].name, argv[1])) continue;
    int f = 0;
    ks_tests[i].fn(&f);
    printf("%s %s\n", f ? "FAIL" : "ok  ", ks_tests[i].name);
    if (f) failed++; else passed++;
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}

#define KS_TEST_MAIN() int main(int argc, char **argv) { return ks_test_main(argc, argv); }

#endif
