/* SPDX-License-Identifier: MIT */
/* Tests of the mood model's comparator-arm terms (docs/model/mood.md): the same-day expectancy
 * response (exact solution, fading, reported but not learned) and the background antidepressant
 * (early action, slow mood change through learning). Expected values are closed forms. */
#include "harness.h"

#include <math.h>

#include <ketasim/mood.h>

static ks_mood_drive drive(double expectancy, double antidepressant) {
  ks_mood_drive d = {.window = 0.0, .avoidance = 0.5, .approach = 0.0, .acute_rate_per_day = 0.0,
                     .expectancy = expectancy, .antidepressant = antidepressant};
  return d;
}

KS_TEST(mood_same_day_expectancy_is_the_exact_solution) {
  /* No learning (n0 = 0): V_read = V0 + c_x x. With E held at 1 from t = 0, x follows
   * dx/dt = (e^{-T/tau_f} - x)/tau_x with T the time on treatment at the start of each step:
   * over 4 steps of 0.25 d, x_{k+1} = g_k + (x_k - g_k) e^{-0.25/tau_x}, g_k = e^{-0.25 k/tau_f}. */
  ks_mood m;
  ks_mood_params p = ks_mood_params_default();
  p.activities_per_day = 0.0;
  KS_ASSERT_OK(ks_mood_init(&m, &p, 0.4, 0.5));
  ks_mood_drive d = drive(1.0, 0.0);
  double x = 0.0, r = exp(-0.25 / p.expectancy_tau_days);
  for (int k = 0; k < 4; k++) {
    KS_ASSERT_OK(ks_mood_advance(&m, 0.25, &d));
    double g = exp(-0.25 * k / p.expectancy_fade_days);
    x = g + (x - g) * r;
  }
  KS_ASSERT_NEAR(m.expect, x, 1e-12);
  KS_ASSERT_NEAR(ks_mood_value(&m), 0.4 + p.expectancy_readout * x, 1e-12);
  /* A same-day lift: at 24 h most of c_x is there (tau_x 6 h, tau_f 7 d). */
  KS_ASSERT_TRUE(ks_mood_value(&m) - 0.4 > 0.7 * p.expectancy_readout);
}

KS_TEST(mood_same_day_expectancy_fades_and_is_not_learned) {
  /* The expectation of rapid improvement fades over weeks (tau_f) and acts on the report only:
   * with learning on, V itself does not move (o uses the felt value, expectancy_bias is 0). */
  ks_mood m;
  ks_mood_params p = ks_mood_params_default();
  KS_ASSERT_OK(ks_mood_init(&m, &p, 0.4, 0.5));
  ks_mood_drive d = drive(1.0, 0.0);
  double lift1 = 0.0;
  for (int k = 0; k < 4 * 42; k++) {
    KS_ASSERT_OK(ks_mood_advance(&m, 0.25, &d));
    if (k == 3) lift1 = ks_mood_value(&m) - 0.4;
  }
  KS_ASSERT_NEAR(m.value, 0.4, 1e-12);
  double lift42 = ks_mood_value(&m) - 0.4;
  KS_ASSERT_TRUE(lift42 >= 0.0);
  KS_ASSERT_TRUE(lift42 < 0.01 * lift1); /* e^{-42/7} = 0.0025 */
  /* Without expectancy nothing moves. */
  KS_ASSERT_OK(ks_mood_init(&m, &p, 0.4, 0.5));
  d = drive(0.0, 0.0);
  for (int k = 0; k < 8; k++) KS_ASSERT_OK(ks_mood_advance(&m, 0.25, &d));
  KS_ASSERT_NEAR(ks_mood_value(&m), 0.4, 1e-15);
}

KS_TEST(mood_antidepressant_acts_early_and_mood_follows_over_weeks) {
  /* Action s: first-order approach to 1 (tau_s), exact. Mood: V learns the shifted outcome value
   * over weeks, so the change at day 2 is a small share of the change at day 56, and V ends near
   * its fixed point above V0. */
  ks_mood m;
  ks_mood_params p = ks_mood_params_default();
  KS_ASSERT_OK(ks_mood_init(&m, &p, 0.4, 0.5));
  ks_mood_drive d = drive(0.0, 1.0);
  double v2 = 0.0;
  for (int k = 0; k < 4 * 56; k++) {
    KS_ASSERT_OK(ks_mood_advance(&m, 0.25, &d));
    if (k == 7) {
      KS_ASSERT_NEAR(m.ad, 1.0 - exp(-2.0 / p.antidepressant_tau_days), 1e-12);
      v2 = m.value - 0.4;
    }
  }
  double v56 = m.value - 0.4;
  KS_ASSERT_TRUE(v56 > p.antidepressant_bias); /* engagement feeds back: above b_AD alone */
  KS_ASSERT_TRUE(v2 > 0.0 && v2 < 0.35 * v56);
  /* Stopping: the action decays with tau_s; the learned value stays for a while (relearned slowly). */
  d = drive(0.0, 0.0);
  KS_ASSERT_OK(ks_mood_advance(&m, 1.0, &d));
  KS_ASSERT_TRUE(m.ad < 0.55);
  KS_ASSERT_TRUE(m.value - 0.4 > 0.8 * v56);
}

KS_TEST(mood_bad_comparator_inputs_are_refused) {
  ks_mood m;
  ks_mood_params p = ks_mood_params_default();
  KS_ASSERT_OK(ks_mood_init(&m, &p, 0.4, 0.5));
  ks_mood_drive d = drive(0.0, 1.5);
  KS_ASSERT_EQ_INT(ks_mood_advance(&m, 0.25, &d), KS_EINVAL);
  d = drive(0.0, -0.1);
  KS_ASSERT_EQ_INT(ks_mood_advance(&m, 0.25, &d), KS_EINVAL);
  p.expectancy_fade_days = 0.0;
  KS_ASSERT_EQ_INT(ks_mood_init(&m, &p, 0.4, 0.5), KS_EINVAL);
  p = ks_mood_params_default();
  p.antidepressant_bias = -0.1;
  KS_ASSERT_EQ_INT(ks_mood_init(&m, &p, 0.4, 0.5), KS_EINVAL);
}

KS_TEST_MAIN()
