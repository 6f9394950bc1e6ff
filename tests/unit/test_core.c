/* SPDX-License-Identifier: MIT */
/* Context, status codes, error messages and allocation fault injection. */
#include "harness.h"
#include <ketasim/core.h>

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

KS_TEST_MAIN()
