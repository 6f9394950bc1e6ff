/* SPDX-License-Identifier: MIT */
/* Philox streams: keyed, reproducible, independent of order; distribution moments. */
#include "harness.h"
#include <ketasim/rng.h>

KS_TEST(same_key_same_draws_any_order) {
  /* A patient's draws do not depend on which other patients were drawn first (thread order). */
  double fwd[64], rev[64];
  for (int p = 0; p < 64; p++) {
    ks_rng r;
    ks_rng_init(&r, 2021, KS_STREAM_PK_IIV, (uint64_t)p, 0);
    fwd[p] = ks_rng_normal(&r);
  }
  for (int p = 63; p >= 0; p--) {
    ks_rng r;
    ks_rng_init(&r, 2021, KS_STREAM_PK_IIV, (uint64_t)p, 0);
    for (int k = 0; k < p % 5; k++) (void)ks_rng_uniform(&r), ks_rng_init(&r, 2021, KS_STREAM_PK_IIV, (uint64_t)p, 0);
    rev[p] = ks_rng_normal(&r);
  }
  for (int p = 0; p < 64; p++) KS_ASSERT_TRUE(fwd[p] == rev[p]);
}

KS_TEST(different_keys_differ) {
  ks_rng a, b, c;
  ks_rng_init(&a, 1, KS_STREAM_PK_IIV, 5, 0);
  ks_rng_init(&b, 1, KS_STREAM_CLINIC, 5, 0);
  ks_rng_init(&c, 2, KS_STREAM_PK_IIV, 5, 0);
  uint64_t x = ks_rng_u64(&a), y = ks_rng_u64(&b), z = ks_rng_u64(&c);
  KS_ASSERT_TRUE(x != y && x != z && y != z);
}

KS_TEST(uniform_and_normal_moments) {
  ks_rng r;
  ks_rng_init(&r, 7, KS_STREAM_TEST, 0, 0);
  const int n = 200000;
  double su = 0, sn = 0, sn2 = 0;
  for (int i = 0; i < n; i++) {
    double u = ks_rng_uniform(&r);
    if (!(u > 0.0 && u < 1.0)) KS_FAIL_("uniform out of (0,1): %g", u);
    su += u;
    double z = ks_rng_normal(&r);
    sn += z;
    sn2 += z * z;
  }
  KS_ASSERT_NEAR(su / n, 0.5, 0.005);
  KS_ASSERT_NEAR(sn / n, 0.0, 0.01);
  KS_ASSERT_NEAR(sn2 / n, 1.0, 0.01);
}

KS_TEST(lognormal_median) {
  ks_rng r;
  ks_rng_init(&r, 7, KS_STREAM_TEST, 1, 0);
  int below = 0;
  for (int i = 0; i < 100000; i++) below += ks_rng_lognormal(&r, log(80.0), 0.3) < 80.0;
  KS_ASSERT_NEAR(below / 100000.0, 0.5, 0.01);
}

KS_TEST(truncnormal_in_bounds_and_mean) {
  ks_rng r;
  ks_rng_init(&r, 7, KS_STREAM_TEST, 2, 0);
  double s = 0;
  for (int i = 0; i < 100000; i++) {
    double x = ks_rng_truncnormal(&r, 0.0, 1.0, 0.0, 1e9);
    if (x < 0.0) KS_FAIL_("below bound: %g", x);
    s += x;
  }
  KS_ASSERT_NEAR(s / 100000.0, sqrt(2.0 / M_PI), 0.01); /* half-normal mean */
  /* A far tail interval still gives values inside it. */
  double t = ks_rng_truncnormal(&r, 0.0, 1.0, 8.0, 9.0);
  KS_ASSERT_RANGE(t, 8.0, 9.0);
  t = ks_rng_truncnormal(&r, 0.0, 1.0, -9.0, -8.0);
  KS_ASSERT_RANGE(t, -9.0, -8.0);
}

KS_TEST(bernoulli_and_poisson_moments) {
  ks_rng r;
  ks_rng_init(&r, 7, KS_STREAM_TEST, 3, 0);
  double lambdas[] = {0.5, 4.0, 25.0, 400.0};
  for (size_t j = 0; j < 4; j++) {
    double s = 0, s2 = 0;
    for (int i = 0; i < 100000; i++) {
      double k = (double)ks_rng_poisson(&r, lambdas[j]);
      s += k;
      s2 += k * k;
    }
    double m = s / 1e5, v = s2 / 1e5 - m * m;
    KS_ASSERT_REL(m, lambdas[j], 0.02);
    KS_ASSERT_REL(v, lambdas[j], 0.05);
  }
  int hits = 0;
  for (int i = 0; i < 100000; i++) hits += ks_rng_bernoulli(&r, 0.3);
  KS_ASSERT_NEAR(hits / 1e5, 0.3, 0.01);
  KS_ASSERT_EQ_INT(ks_rng_bernoulli(&r, 0.0), 0);
  KS_ASSERT_EQ_INT(ks_rng_bernoulli(&r, 1.0), 1);
}

KS_TEST_MAIN()
