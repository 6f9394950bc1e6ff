/* SPDX-License-Identifier: MIT */
/* Context, status codes, error messages and allocation fault injection. */
#include "harness.h"
#include <ketasim/core.h>

#include "core/core_internal.h"

#include <pthread.h>
#include <stdio.h>

KS_TEST(status_names_round_trip) {
  KS_ASSERT_EQ_STR(ks_status_name(KS_OK), "KS_OK");
  KS_ASSERT_EQ_STR(ks_status_name(KS_EINPUT), "KS_EINPUT");
  KS_ASSERT_EQ_STR(ks_status_name((ks_status)-999), "KS_UNKNOWN");
  KS_ASSERT_EQ_STR(ks_version(), KS_VERSION_STRING);
}

KS_TEST(ctx_records_input_error_with_location) {
  ks_ctx_opts o = ks_ctx_opts_default();
  ks_ctx *ctx = NULL;
  KS_ASSERT_OK(ks_ctx_create(&o, &ctx));
  KS_ASSERT_EQ_STR(ks_ctx_last_error(ctx), "");
  ks_status st = ks_ctx_fail_input(ctx, "a.yaml", 3, 7, "bad dose '%s' (expected mg/kg)", "x");
  KS_ASSERT_EQ_INT(st, KS_EINPUT);
  KS_ASSERT_EQ_STR(ks_ctx_last_error(ctx), "a.yaml:3:7: bad dose 'x' (expected mg/kg)");
  KS_ASSERT_EQ_INT(ks_ctx_last_status(ctx), KS_EINPUT);
  ks_ctx_clear_error(ctx);
  KS_ASSERT_EQ_STR(ks_ctx_last_error(ctx), "");
  ks_ctx_destroy(&ctx);
  KS_ASSERT_TRUE(ctx == NULL);
  ks_ctx_destroy(&ctx); /* NULL is fine */
}

KS_TEST(allocation_fault_injection) {
  ks_ctx_opts o = ks_ctx_opts_default();
  o.fail_alloc_at = 3;
  ks_ctx *ctx = NULL;
  KS_ASSERT_OK(ks_ctx_create(&o, &ctx));
  void *a = ks_malloc(ctx, 8), *b = ks_malloc(ctx, 8), *c = ks_malloc(ctx, 8);
  KS_ASSERT_TRUE(a && b && !c);
  KS_ASSERT_EQ_INT(ks_ctx_last_status(ctx), KS_ENOMEM);
  KS_ASSERT_TRUE(ks_calloc(ctx, SIZE_MAX, 16) == NULL);
  ks_free(ctx, a);
  ks_free(ctx, b);
  ks_free(ctx, NULL);
  ks_ctx_destroy(&ctx);
}

/* Each worker fails on the shared context inside its own capture; it must read back its own
 * message (not the other thread's), and the context must keep its earlier error untouched. */
typedef struct capture_arg {
  ks_ctx *ctx;
  int id;
  ks_err_slot slot;
  char seen[128];
  ks_status seen_st;
} capture_arg;

static void *capture_worker(void *p) {
  capture_arg *a = p;
  ks__ctx_capture_begin(a->ctx, &a->slot);
  for (int k = 0; k < 2000; k++) {
    ks_ctx_fail(a->ctx, a->id == 0 ? KS_ESOLVER : KS_ENUMERIC, "patient %d failed (%d)", a->id + 1, k);
    snprintf(a->seen, sizeof a->seen, "%s", ks_ctx_last_error(a->ctx));
    a->seen_st = ks_ctx_last_status(a->ctx);
    if (strncmp(a->seen, a->id == 0 ? "patient 1 " : "patient 2 ", 10) != 0) break;
  }
  ks__ctx_capture_end();
  return NULL;
}

KS_TEST(captured_errors_belong_to_their_thread) {
  ks_ctx *ctx = ks_test_ctx();
  ks_ctx_fail(ctx, KS_EIO, "before the workers");
  capture_arg a[2] = {{ctx, 0, {0}, "", KS_OK}, {ctx, 1, {0}, "", KS_OK}};
  pthread_t t[2];
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, capture_worker, &a[i]);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  KS_ASSERT_EQ_STR(a[0].seen, "patient 1 failed (1999)");
  KS_ASSERT_EQ_STR(a[1].seen, "patient 2 failed (1999)");
  KS_ASSERT_EQ_INT(a[0].seen_st, KS_ESOLVER);
  KS_ASSERT_EQ_INT(a[1].slot.status, KS_ENUMERIC);
  KS_ASSERT_EQ_STR(a[1].slot.msg, "patient 2 failed (1999)");
  KS_ASSERT_EQ_STR(ks_ctx_last_error(ctx), "before the workers");
  KS_ASSERT_EQ_INT(ks_ctx_last_status(ctx), KS_EIO);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
