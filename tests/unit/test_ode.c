/* SPDX-License-Identifier: MIT */
/* Tests of the CVODE wrapper: closed forms, stop times, non-negativity, failure messages. */
#include "harness.h"
#include <ketasim/ode.h>

#include <math.h>
#include <string.h>


/* dy0/dt = -k y0; dy1/dt = k y0 - 1000 (y1 - 0) (stiff). */
typedef struct { double k; double t_max_seen; double kink_t; int fail_after; } lin_ud;

static int rhs_lin(double t, const double *y, double *dy, void *ud) {
  lin_ud *u = ud;
  if (t > u->t_max_seen) u->t_max_seen = t;
  if (u->fail_after && t > 1.0) return -1;
  dy[0] = -u->k * y[0];
  dy[1] = u->k * y[0] - 1000.0 * y[1];
  return 0;
}

KS_TEST(ode_decay_matches_closed_form) {
  ks_ctx *ctx = ks_test_ctx();
  lin_ud u = {.k = 0.7};
  ks_ode *ode = NULL;
  KS_ASSERT_OK(ks_ode_create(ctx, 2, rhs_lin, &u, &ode));
  KS_ASSERT_OK(ks_ode_set_tolerances(ode, 1e-10, 1e-14));
  double y0[2] = {1.0, 0.0}, y[2];
  KS_ASSERT_OK(ks_ode_init(ode, 0.0, y0));
  for (int i = 1; i <= 20; i++) {
    double t = 0.5 * i;
    KS_ASSERT_OK(ks_ode_advance(ode, t, t + 100.0, y));
    KS_ASSERT_REL(y[0], exp(-0.7 * t), 1e-7);
    /* Quasi-steady state of the stiff component: y1 ~ k y0 / (1000 - k). */
    KS_ASSERT_REL(y[1], 0.7 * exp(-0.7 * t) / (1000.0 - 0.7), 1e-5);
  }
  ks_ode_stats s = ks_ode_get_stats(ode);
  KS_ASSERT_TRUE(s.n_steps > 0 && s.n_steps < 2000); /* BDF takes large steps on a stiff system */
  ks_ode_destroy(&ode);
  KS_ASSERT_TRUE(ode == NULL);
  ks_ode_destroy(&ode);
  ks_ctx_destroy(&ctx);
}

/* A damped oscillator coupled to a stiff component: the Newton matrix I - gamma J has entries
 * above and below the diagonal (the LU's lists of non-zeros in L and U), and once the oscillation
 * has decayed the steps grow until |10 gamma| > 1 + gamma and the LU swaps rows. Closed form:
 * y0 + i y1 = exp((-1 - 10i) t); y2 at its quasi-steady state (y0 + y1) / 1000 to O(1e-5). */
static int rhs_osc(double t, const double *y, double *dy, void *ud) {
  (void)t;
  (void)ud;
  dy[0] = -y[0] + 10.0 * y[1];
  dy[1] = -10.0 * y[0] - y[1];
  dy[2] = y[0] + y[1] - 1000.0 * y[2];
  return 0;
}

KS_TEST(ode_coupled_oscillator_matches_closed_form) {
  ks_ctx *ctx = ks_test_ctx();
  ks_ode *ode = NULL;
  KS_ASSERT_OK(ks_ode_create(ctx, 3, rhs_osc, NULL, &ode));
  KS_ASSERT_OK(ks_ode_set_tolerances(ode, 1e-10, 1e-13));
  double y0[3] = {1.0, 0.0, 0.001}, y[3];
  KS_ASSERT_OK(ks_ode_init(ode, 0.0, y0));
  for (int i = 1; i <= 30; i++) {
    double t = 0.1 * i;
    KS_ASSERT_OK(ks_ode_advance(ode, t, 100.0, y));
    KS_ASSERT_NEAR(y[0], exp(-t) * cos(10.0 * t), 1e-7);
    KS_ASSERT_NEAR(y[1], -exp(-t) * sin(10.0 * t), 1e-7);
    KS_ASSERT_NEAR(y[2], (y[0] + y[1]) / 1000.0, 2e-5 * exp(-t) + 1e-9);
  }
  for (int i = 4; i <= 40; i++) { /* long steps after the decay */
    double t = 1.0 * i;
    KS_ASSERT_OK(ks_ode_advance(ode, t, 100.0, y));
    KS_ASSERT_NEAR(y[0], exp(-t) * cos(10.0 * t), 1e-7);
    KS_ASSERT_NEAR(y[1], -exp(-t) * sin(10.0 * t), 1e-7);
  }
  ks_ode_destroy(&ode);
  ks_ctx_destroy(&ctx);
}

/* ks_ode_advance_outputs: the values of one ks_ode_advance per output, bit for bit (an output at
 * the start time, a dense stretch, a sparse one, the stop time last), and the callback's status. */
typedef struct { double y[64][3]; size_t n; int stop_at; } grid_sink;

static ks_status grid_out(size_t i, double t, const double *y, void *ud) {
  grid_sink *g = ud;
  (void)t;
  if (g->stop_at >= 0 && (size_t)g->stop_at == i) return KS_EINTERRUPTED;
  memcpy(g->y[i], y, sizeof g->y[i]);
  g->n = i + 1;
  return KS_OK;
}

KS_TEST(ode_advance_outputs_equals_one_advance_per_output) {
  ks_ctx *ctx = ks_test_ctx();
  double t[40];
  size_t n = 0;
  t[n++] = 0.0;
  for (int i = 1; i <= 20; i++) t[n++] = 0.01 * i;
  for (int i = 1; i <= 18; i++) t[n++] = 0.2 + 0.5 * i;
  t[n++] = 10.0;
  ks_ode *a = NULL, *b = NULL;
  KS_ASSERT_OK(ks_ode_create(ctx, 3, rhs_osc, NULL, &a));
  KS_ASSERT_OK(ks_ode_create(ctx, 3, rhs_osc, NULL, &b));
  double y0[3] = {1.0, 0.0, 0.001}, y[3];
  KS_ASSERT_OK(ks_ode_init(a, 0.0, y0));
  KS_ASSERT_OK(ks_ode_init(b, 0.0, y0));
  grid_sink g = {.stop_at = -1};
  KS_ASSERT_OK(ks_ode_advance_outputs(b, t, n, 10.0, grid_out, &g));
  KS_ASSERT_EQ_INT((long)g.n, (long)n);
  for (size_t i = 0; i < n; i++) {
    KS_ASSERT_OK(ks_ode_advance(a, t[i], 10.0, y));
    KS_ASSERT_TRUE(memcmp(y, g.y[i], sizeof y) == 0);
  }
  KS_ASSERT_EQ_INT(ks_ode_get_stats(a).n_steps, ks_ode_get_stats(b).n_steps);
  /* The callback stops the run with its status; outputs must lie in [last output, t_stop]. */
  KS_ASSERT_OK(ks_ode_init(b, 0.0, y0));
  g.stop_at = 5;
  KS_ASSERT_EQ_INT(ks_ode_advance_outputs(b, t, n, 10.0, grid_out, &g), KS_EINTERRUPTED);
  KS_ASSERT_EQ_INT(ks_ode_advance_outputs(b, t, n, 5.0, grid_out, &g), KS_EINVAL);
  ks_ode_destroy(&a);
  ks_ode_destroy(&b);
  ks_ctx_destroy(&ctx);
}

KS_TEST(ode_stop_time_is_never_crossed) {
  ks_ctx *ctx = ks_test_ctx();
  lin_ud u = {.k = 0.1};
  ks_ode *ode = NULL;
  KS_ASSERT_OK(ks_ode_create(ctx, 2, rhs_lin, &u, &ode));
  double y0[2] = {1.0, 0.0}, y[2];
  KS_ASSERT_OK(ks_ode_init(ode, 0.0, y0));
  KS_ASSERT_OK(ks_ode_advance(ode, 0.3, 2.0, y));
  KS_ASSERT_OK(ks_ode_advance(ode, 2.0, 2.0, y));
  KS_ASSERT_TRUE(u.t_max_seen <= 2.0);
  /* Restart at the event and go on. */
  KS_ASSERT_OK(ks_ode_init(ode, 2.0, y));
  KS_ASSERT_OK(ks_ode_advance(ode, 5.0, 5.0, y));
  KS_ASSERT_REL(y[0], exp(-0.5), 1e-5);
  KS_ASSERT_TRUE(ks_ode_get_stats(ode).n_restarts == 2);
  /* Same time twice: allowed, same answer. */
  double y2[2];
  KS_ASSERT_OK(ks_ode_advance(ode, 5.0, 5.0, y2));
  KS_ASSERT_NEAR(y2[0], y[0], 0.0);
  /* Going backwards is an argument error. */
  KS_ASSERT_EQ_INT(ks_ode_advance(ode, 4.0, 5.0, y2), KS_EINVAL);
  ks_ode_destroy(&ode);
  ks_ctx_destroy(&ctx);
}

/* dy/dt = -1 while y > 0: the exact solution hits 0 at t = 1 and would go negative. */
static int rhs_drain(double t, const double *y, double *dy, void *ud) {
  (void)t;
  (void)ud;
  dy[0] = y[0] > 0.0 ? -1.0 * fmin(1.0, y[0] / 1e-6) : 0.0;
  return 0;
}

KS_TEST(ode_nonnegative_states_stay_nonnegative) {
  ks_ctx *ctx = ks_test_ctx();
  ks_ode *ode = NULL;
  KS_ASSERT_OK(ks_ode_create(ctx, 1, rhs_drain, NULL, &ode));
  KS_ASSERT_OK(ks_ode_set_nonnegative(ode, 1));
  double y0[1] = {1.0}, y[1];
  KS_ASSERT_OK(ks_ode_init(ode, 0.0, y0));
  for (int i = 1; i <= 30; i++) {
    KS_ASSERT_OK(ks_ode_advance(ode, 0.1 * i, 10.0, y));
    KS_ASSERT_TRUE(y[0] >= 0.0);
  }
  KS_ASSERT_NEAR(y[0], 0.0, 1e-5);
  double bad[1] = {-1.0};
  KS_ASSERT_EQ_INT(ks_ode_init(ode, 0.0, bad), KS_EINVAL);
  bad[0] = NAN;
  KS_ASSERT_EQ_INT(ks_ode_init(ode, 0.0, bad), KS_EINVAL);
  ks_ode_destroy(&ode);
  ks_ctx_destroy(&ctx);
}

KS_TEST(ode_failure_names_time_state_and_parameters) {
  ks_ctx *ctx = ks_test_ctx();
  lin_ud u = {.k = 0.5, .fail_after = 1};
  ks_ode *ode = NULL;
  static const char *const names[] = {"drug", "effect"};
  KS_ASSERT_OK(ks_ode_create(ctx, 2, rhs_lin, &u, &ode));
  KS_ASSERT_OK(ks_ode_set_labels(ode, names, "test set k=0.5"));
  double y0[2] = {1.0, 0.0}, y[2] = {-7.0, -7.0};
  KS_ASSERT_OK(ks_ode_init(ode, 0.0, y0));
  KS_ASSERT_EQ_INT(ks_ode_advance(ode, 3.0, 3.0, y), KS_ESOLVER);
  const char *msg = ks_ctx_last_error(ctx);
  KS_ASSERT_TRUE(strstr(msg, "t=") != NULL);
  KS_ASSERT_TRUE(strstr(msg, "test set k=0.5") != NULL);
  KS_ASSERT_TRUE(strstr(msg, "worst state") != NULL);
  KS_ASSERT_TRUE(strstr(msg, "CV_") != NULL);
  KS_ASSERT_NEAR(y[0], -7.0, 0.0); /* output untouched on failure */
  ks_ode_destroy(&ode);
  ks_ctx_destroy(&ctx);
}

KS_TEST(ode_rejects_bad_arguments) {
  ks_ctx *ctx = ks_test_ctx();
  ks_ode *ode = NULL;
  KS_ASSERT_EQ_INT(ks_ode_create(ctx, 0, rhs_lin, NULL, &ode), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_ode_create(ctx, 2, NULL, NULL, &ode), KS_EINVAL);
  KS_ASSERT_TRUE(ode == NULL);
  lin_ud u = {.k = 1.0};
  KS_ASSERT_OK(ks_ode_create(ctx, 2, rhs_lin, &u, &ode));
  KS_ASSERT_EQ_INT(ks_ode_set_tolerances(ode, 0.0, 1e-9), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_ode_set_tolerances(ode, 1e-6, -1.0), KS_EINVAL);
  double y[2];
  KS_ASSERT_EQ_INT(ks_ode_advance(ode, 1.0, 1.0, y), KS_EINVAL); /* not initialised */
  ks_ode_destroy(&ode);
  ks_ctx_destroy(&ctx);
}

KS_TEST(ode_out_of_memory_is_reported) {
  ks_ctx_opts o = ks_ctx_opts_default();
  o.log_level = KS_LOG_ERROR;
  o.fail_alloc_at = 2; /* the context itself is allocation 1 */
  ks_ctx *ctx = NULL;
  if (ks_ctx_create(&o, &ctx) != KS_OK) return; /* the context may need more than one */
  ks_ode *ode = NULL;
  lin_ud u = {.k = 1.0};
  ks_status st = ks_ode_create(ctx, 2, rhs_lin, &u, &ode);
  KS_ASSERT_TRUE(st == KS_ENOMEM || st == KS_OK);
  KS_ASSERT_TRUE(st != KS_OK || ode != NULL);
  ks_ode_destroy(&ode);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
