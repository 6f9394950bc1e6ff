/* SPDX-License-Identifier: MIT */
/* The checks that pass by construction (data/targets/by_construction.tsv) are unit tests, not
 * validation: this test runs the layers that compute them and asserts each one is computed and
 * passes. `ketasim validate` lists them apart and does not count them. */
#include "harness.h"
#include <ketasim/ketasim.h>

#include <string.h>

#define CAP 256

KS_TEST(every_by_construction_check_is_computed_and_passes) {
  ks_ctx *ctx = ks_test_ctx();
  static ks_target_result t[CAP];
  size_t n = 0;
  KS_ASSERT_OK(ks_pk_validate(ctx, t, CAP, &n));
  KS_ASSERT_OK(ks_receptor_validate(ctx, t, CAP, &n));
  KS_ASSERT_OK(ks_cascade_validate(ctx, t, CAP, &n));
  KS_ASSERT_OK(ks_circuit_validate(ctx, t, CAP, &n));
  KS_ASSERT_OK(ks_acute_validate(ctx, t, CAP, &n));
  KS_ASSERT_OK(ks_stats_validate(ctx, t, CAP, &n));
  KS_ASSERT_OK(ks_brain_validate(ctx, t, CAP, &n));
  size_t found = 0;
  for (size_t i = 0; ks_target_by_construction_id(i); i++) {
    const char *id = ks_target_by_construction_id(i);
    int seen = 0;
    for (size_t k = 0; k < n; k++)
      if (!strcmp(t[k].id, id)) {
        seen = 1;
        if (!t[k].pass) KS_FAIL_("%s: simulated %g outside [%g, %g]", id, t[k].simulated, t[k].lo, t[k].hi);
      }
    if (!seen) KS_FAIL_("%s is listed in data/targets/by_construction.tsv but no layer computes it", id);
    found += seen;
  }
  KS_ASSERT_TRUE(found >= 20);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
