/* SPDX-License-Identifier: MIT */
/* Tests of the fear-memory layer: closed forms of the two-trace model, extinction, relapse,
 * renewal, reinstatement, avoidance feedback, post-retrieval extinction, the window of plasticity,
 * and the latent-cause model's laboratory phenomena. */
#include "harness.h"

#include <ketasim/fear.h>
#include <ketasim/mood.h>

static ks_ctx *mkctx(uint64_t seed) {
  ks_ctx_opts o = ks_ctx_opts_default();
  o.seed = seed;
  ks_ctx *ctx = NULL;
  if (ks_ctx_create(&o, &ctx) != KS_OK) return NULL;
  return ctx;
}

static ks_fear *mkfear(ks_ctx *ctx, ks_fear_model m, double severity) {
  ks_fear_params p = ks_fear_params_default(m);
  ks_fear *f = NULL;
  if (ks_fear_create(ctx, &p, &f) != KS_OK) return NULL;
  ks_fear_drive d = ks_fear_drive_default();
  if (ks_fear_init(f, severity, &d, 7) != KS_OK) ks_fear_destroy(&f);
  return f;
}

/* A ketamine-like window: W = exp(-(t - t0)/2 d) after a dose at t0, 0 before. */
static double window_after(double t, double t0) { return t < t0 ? 0.0 : exp(-(t - t0) / 2.0); }

KS_TEST(two_trace_init_reproduces_baseline_severity) {
  ks_ctx *ctx = mkctx(1);
  for (double sev = 0.2; sev < 0.95; sev += 0.15) {
    ks_fear *f = mkfear(ctx, KS_FEAR_MODEL_TWO_TRACE, sev);
    KS_ASSERT_TRUE(f != NULL);
    KS_ASSERT_NEAR(ks_fear_expression(f), sev, 1e-12);
    ks_fear_snapshot s;
    KS_ASSERT_OK(ks_fear_get_snapshot(f, &s));
    KS_ASSERT_TRUE(s.association > 0.0 && s.extinction_labile >= 0.0 && s.extinction_consolidated >= 0.0);
    ks_fear_destroy(&f);
    KS_ASSERT_TRUE(f == NULL);
  }
  ks_ctx_destroy(&ctx);
}

KS_TEST(two_trace_untreated_patient_stays_near_baseline) {
  /* The mean-field steady state: with Poisson reminders over 8 weeks the mean over patients moves
   * little (only the slow fading of the association). */
  ks_ctx *ctx = mkctx(11);
  double sum0 = 0.0, sum56 = 0.0;
  int n = 200;
  for (int i = 0; i < n; i++) {
    ks_fear *f = mkfear(ctx, KS_FEAR_MODEL_TWO_TRACE, 0.5);
    ks_rng r;
    ks_rng_init(&r, 11, KS_STREAM_FEAR, (uint64_t)i, 0);
    ks_fear_drive d = ks_fear_drive_default();
    sum0 += ks_fear_expression(f);
    for (int k = 0; k < 56 * 4; k++) KS_ASSERT_OK(ks_fear_advance(f, 0.25, &d, &r));
    sum56 += ks_fear_expression(f);
    ks_fear_destroy(&f);
  }
  KS_ASSERT_NEAR(sum56 / n, sum0 / n, 0.05);
  ks_ctx_destroy(&ctx);
}

/* Run one deterministic protocol: therapy sessions of 90 min on days 1, 3, 5 under a window
 * opened on day 1 (scale w), no reminders; return fear on day 6 and the first day (after day 6)
 * when fear is back to 90% of baseline. */
static void run_protocol(ks_ctx *ctx, double w, double gain_rise, int retrieval, double *f6,
                         double *relapse_day, double *f60) {
  ks_fear *f = mkfear(ctx, KS_FEAR_MODEL_TWO_TRACE, 0.5);
  double base = ks_fear_expression(f);
  ks_fear_drive d = ks_fear_drive_default();
  *relapse_day = 1e9;
  for (int k = 0; k < 240 * 8; k++) {
    double t = k / 8.0;
    d.window = w * window_after(t, 1.0);
    d.vmpfc_amygdala_gain = 0.8 + gain_rise * window_after(t, 1.0);
    if (k == 8 || k == 24 || k == 40) {
      if (retrieval) ks_fear_exposure(f, &d, 2.0, KS_FEAR_EXPOSURE_RETRIEVAL);
      ks_fear_exposure(f, &d, 90.0, KS_FEAR_EXPOSURE_THERAPY);
    }
    ks_fear_advance(f, 0.125, &d, NULL);
    double F = ks_fear_expression(f);
    if (k == 6 * 8 - 1) *f6 = F;
    if (k == 60 * 8 - 1) *f60 = F;
    if (t > 6.0 && F >= 0.9 * base && *relapse_day > 1e8) *relapse_day = t;
  }
  ks_fear_destroy(&f);
}

KS_TEST(extinction_with_open_window_lowers_fear_more_and_relapses_later) {
  ks_ctx *ctx = mkctx(2);
  double f6_w, rel_w, f60_w, f6_0, rel_0, f60_0;
  run_protocol(ctx, 1.0, 0.0, 0, &f6_w, &rel_w, &f60_w);
  run_protocol(ctx, 0.0, 0.0, 0, &f6_0, &rel_0, &f60_0);
  KS_ASSERT_TRUE(f6_w < f6_0 - 0.03);
  KS_ASSERT_TRUE(rel_w > rel_0 + 5.0);
  KS_ASSERT_TRUE(f60_w < f60_0);
  /* Without a window, therapy still helps on day 6 (exposure works), but relapses. */
  KS_ASSERT_TRUE(f6_0 < 0.45);
  KS_ASSERT_TRUE(rel_0 < 240.0);
  ks_ctx_destroy(&ctx);
}

KS_TEST(window_zero_removes_the_benefit_of_the_drug) {
  /* mTORC1 knockout stand-in: W = 0 and no gain rise (both need mTORC1 in the plasticity layer):
   * identical to no drug. Ketamine (W open, gain up) is better. */
  ks_ctx *ctx = mkctx(3);
  double f6_k, rel_k, f60_k, f6_ko, rel_ko, f60_ko, f6_p, rel_p, f60_p;
  run_protocol(ctx, 1.0, 0.2, 0, &f6_k, &rel_k, &f60_k);
  run_protocol(ctx, 0.0, 0.0, 0, &f6_ko, &rel_ko, &f60_ko);
  run_protocol(ctx, 0.0, 0.0, 0, &f6_p, &rel_p, &f60_p);
  KS_ASSERT_NEAR(f6_ko, f6_p, 1e-15);
  KS_ASSERT_NEAR(f60_ko, f60_p, 1e-15);
  printf("  ketamine f6 %.3f f60 %.3f rel %.1f; placebo f6 %.3f f60 %.3f rel %.1f\n", f6_k, f60_k, rel_k, f6_p, f60_p, rel_p);
  KS_ASSERT_TRUE(f6_k < f6_p - 0.03);
  /* The gain rise alone, without a window, acts only while the gain is up. */
  double f6_g, rel_g, f60_g;
  run_protocol(ctx, 0.0, 0.2, 0, &f6_g, &rel_g, &f60_g);
  KS_ASSERT_TRUE(f60_k < f60_g);
  ks_ctx_destroy(&ctx);
}

KS_TEST(spontaneous_recovery_after_extinction_session) {
  ks_ctx *ctx = mkctx(4);
  ks_fear *f = mkfear(ctx, KS_FEAR_MODEL_TWO_TRACE, 0.6);
  ks_fear_drive d = ks_fear_drive_default();
  double before = ks_fear_expression(f);
  KS_ASSERT_OK(ks_fear_exposure(f, &d, 90.0, KS_FEAR_EXPOSURE_THERAPY));
  double after = ks_fear_expression(f);
  KS_ASSERT_OK(ks_fear_advance(f, 1.0, &d, NULL));
  double day1 = ks_fear_expression(f);
  KS_ASSERT_TRUE(after < before);
  KS_ASSERT_TRUE(day1 > after);
  double recovered = (day1 - after) / (before - after);
  /* Humans at 24 h: about 30% of the conditioned response returns (Gershman & Hartley 2015). */
  KS_ASSERT_RANGE(recovered, 0.15, 0.7);
  ks_fear_destroy(&f);
  ks_ctx_destroy(&ctx);
}

KS_TEST(renewal_and_reinstatement) {
  ks_ctx *ctx = mkctx(5);
  ks_fear *f = mkfear(ctx, KS_FEAR_MODEL_TWO_TRACE, 0.6);
  ks_fear_drive d = ks_fear_drive_default();
  for (int i = 0; i < 4; i++) {
    KS_ASSERT_OK(ks_fear_exposure(f, &d, 90.0, KS_FEAR_EXPOSURE_THERAPY));
    KS_ASSERT_OK(ks_fear_advance(f, 2.0, &d, NULL));
  }
  double same = ks_fear_expression(f);
  ks_fear_drive novel = d;
  novel.hippocampal_context = 0.3;
  KS_ASSERT_TRUE(ks_fear_expression_under(f, &novel) > same + 0.02);
  KS_ASSERT_NEAR(ks_fear_expression(f), same, 1e-15); /* a probe does not change the state */
  KS_ASSERT_OK(ks_fear_stressor(f, 1.0));
  double reinstated = ks_fear_expression(f);
  KS_ASSERT_TRUE(reinstated > same + 0.05);
  KS_ASSERT_OK(ks_fear_advance(f, 14.0, &d, NULL));
  KS_ASSERT_TRUE(ks_fear_expression(f) < reinstated);
  ks_fear_destroy(&f);
  ks_ctx_destroy(&ctx);
}

KS_TEST(avoidance_feedback_fewer_reminders_with_more_fear) {
  ks_ctx *ctx = mkctx(6);
  double reminders[2];
  double sev[2] = {0.2, 0.8};
  for (int j = 0; j < 2; j++) {
    ks_fear *f = mkfear(ctx, KS_FEAR_MODEL_TWO_TRACE, sev[j]);
    ks_rng r;
    ks_rng_init(&r, 6, KS_STREAM_FEAR, 1, 0);
    ks_fear_drive d = ks_fear_drive_default();
    for (int k = 0; k < 400; k++) KS_ASSERT_OK(ks_fear_advance(f, 0.25, &d, &r));
    ks_fear_snapshot s;
    ks_fear_get_snapshot(f, &s);
    reminders[j] = s.n_reminders;
    KS_ASSERT_RANGE(s.avoidance, 0.0, 0.9);
    ks_fear_destroy(&f);
  }
  KS_ASSERT_TRUE(reminders[1] < 0.6 * reminders[0]);
  ks_ctx_destroy(&ctx);
}

KS_TEST(post_retrieval_extinction_weakens_the_association) {
  ks_ctx *ctx = mkctx(7);
  double f6_r = 0, rel_r = 0, f60_r = 0, f6_e = 0, rel_e = 0, f60_e = 0;
  run_protocol(ctx, 0.0, 0.0, 1, &f6_r, &rel_r, &f60_r);
  run_protocol(ctx, 0.0, 0.0, 0, &f6_e, &rel_e, &f60_e);
  KS_ASSERT_TRUE(f60_r < f60_e - 0.01);
  /* A reminder just before an infusion: the open window during lability weakens A. */
  ks_fear *a = mkfear(ctx, KS_FEAR_MODEL_TWO_TRACE, 0.5), *b = mkfear(ctx, KS_FEAR_MODEL_TWO_TRACE, 0.5);
  ks_fear_drive d = ks_fear_drive_default(), k = d;
  k.window = 1.0;
  KS_ASSERT_OK(ks_fear_exposure(a, &d, 2.0, KS_FEAR_EXPOSURE_RETRIEVAL));
  KS_ASSERT_OK(ks_fear_exposure(b, &d, 2.0, KS_FEAR_EXPOSURE_REMINDER));
  KS_ASSERT_OK(ks_fear_advance(a, 1.0, &k, NULL));
  KS_ASSERT_OK(ks_fear_advance(b, 1.0, &k, NULL));
  ks_fear_snapshot sa, sb;
  ks_fear_get_snapshot(a, &sa);
  ks_fear_get_snapshot(b, &sb);
  KS_ASSERT_TRUE(sa.association < 0.95 * sb.association);
  ks_fear_destroy(&a);
  ks_fear_destroy(&b);
  ks_ctx_destroy(&ctx);
}

KS_TEST(same_seed_same_answer_and_bad_arguments) {
  ks_ctx *ctx = mkctx(8);
  double out[2];
  for (int j = 0; j < 2; j++) {
    ks_fear *f = mkfear(ctx, KS_FEAR_MODEL_TWO_TRACE, 0.5);
    ks_rng r;
    ks_rng_init(&r, 8, KS_STREAM_FEAR, 3, 0);
    ks_fear_drive d = ks_fear_drive_default();
    for (int k = 0; k < 100; k++) ks_fear_advance(f, 0.25, &d, &r);
    out[j] = ks_fear_expression(f);
    ks_fear_destroy(&f);
  }
  KS_ASSERT_TRUE(out[0] == out[1]);
  ks_fear *f = mkfear(ctx, KS_FEAR_MODEL_TWO_TRACE, 0.5);
  ks_fear_drive d = ks_fear_drive_default();
  KS_ASSERT_EQ_INT(ks_fear_advance(f, -1.0, &d, NULL), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_fear_advance(f, NAN, &d, NULL), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_fear_exposure(f, &d, 0.0, KS_FEAR_EXPOSURE_THERAPY), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_fear_init(f, 1.5, &d, 0), KS_EINVAL);
  d.hippocampal_context = 2.0;
  KS_ASSERT_EQ_INT(ks_fear_advance(f, 1.0, &d, NULL), KS_EINVAL);
  KS_ASSERT_TRUE(strlen(ks_ctx_last_error(ctx)) > 0);
  KS_ASSERT_EQ_INT(ks_fear_lcm_trial(f, 0.0, 1, KS_FEAR_CTX_DAILY, 1, 0.0, NULL), KS_EUNSUPPORTED);
  ks_fear_destroy(&f);
  ks_fear_params p = ks_fear_params_default(KS_FEAR_MODEL_TWO_TRACE);
  p.avoidance_max = 1.5;
  KS_ASSERT_EQ_INT(ks_fear_create(ctx, &p, &f), KS_EINVAL);
  KS_ASSERT_TRUE(f == NULL);
  ks_fear_destroy(&f); /* NULL is fine */
  ks_ctx_destroy(&ctx);
}

/* ---- latent-cause model ------------------------------------------------------------------- */

typedef struct {
  double end_ext, test, reinst_test;
} lcm_result;

/* Acquisition: 10 CS+US trials on day 0 in context DAILY (one a minute); extinction: 20 CS
 * trials on day 1 (gradual: US on a thinning schedule during the first trials); test: probe on
 * day 2 (spontaneous recovery); optional US-alone on day 2 then probe on day 3. */
static lcm_result lcm_paradigm(ks_ctx *ctx, int gradual, double window, int reinstate, uint64_t id) {
  ks_fear_params p = ks_fear_params_default(KS_FEAR_MODEL_LATENT_CAUSE);
  ks_fear *f = NULL;
  lcm_result r = {0};
  if (ks_fear_create(ctx, &p, &f) != KS_OK) return r;
  ks_fear_lcm_reset_naive(f, id);
  for (int i = 0; i < 10; i++) ks_fear_lcm_trial(f, i / 1440.0, 1, KS_FEAR_CTX_DAILY, 1, 0.0, NULL);
  static const int sched[20] = {1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 20; i++) {
    int us = gradual ? sched[i] : 0;
    ks_fear_lcm_trial(f, 1.0 + i / 1440.0, 1, KS_FEAR_CTX_DAILY, us, window, NULL);
  }
  /* Gradual extinction has 4 reinforced trials: give it 4 more unreinforced ones to end on. */
  ks_fear_lcm_probe(f, 1.0 + 21 / 1440.0, KS_FEAR_CTX_DAILY, &r.end_ext);
  ks_fear_lcm_probe(f, 2.0, KS_FEAR_CTX_DAILY, &r.test);
  if (reinstate) {
    ks_fear_lcm_trial(f, 2.0, 0, KS_FEAR_CTX_DAILY, 1, 0.0, NULL);
    ks_fear_lcm_probe(f, 3.0, KS_FEAR_CTX_DAILY, &r.reinst_test);
  }
  ks_fear_destroy(&f);
  return r;
}

KS_TEST(lcm_spontaneous_recovery_and_reinstatement) {
  ks_ctx *ctx = mkctx(21);
  lcm_result r = lcm_paradigm(ctx, 0, 0.0, 1, 1);
  printf("  abrupt: end %.3f test %.3f reinstated %.3f\n", r.end_ext, r.test, r.reinst_test);
  KS_ASSERT_TRUE(r.end_ext < 0.3);
  KS_ASSERT_TRUE(r.test > r.end_ext + 0.05);
  KS_ASSERT_TRUE(r.reinst_test > r.test + 0.05);
  ks_ctx_destroy(&ctx);
}

KS_TEST(lcm_gradual_extinction_beats_abrupt) {
  ks_ctx *ctx = mkctx(22);
  double g = 0.0, a = 0.0;
  for (uint64_t id = 0; id < 5; id++) {
    g += lcm_paradigm(ctx, 1, 0.0, 0, id).test;
    a += lcm_paradigm(ctx, 0, 0.0, 0, id).test;
  }
  printf("  gradual %.3f abrupt %.3f\n", g / 5, a / 5);
  KS_ASSERT_TRUE(g / 5 < a / 5 - 0.03);
  ks_ctx_destroy(&ctx);
}

KS_TEST(lcm_window_makes_extinction_modify_the_fear_cause) {
  ks_ctx *ctx = mkctx(23);
  double w = 0.0, n = 0.0;
  for (uint64_t id = 0; id < 5; id++) {
    w += lcm_paradigm(ctx, 0, 1.0, 0, id).test;
    n += lcm_paradigm(ctx, 0, 0.0, 0, id).test;
  }
  printf("  window %.3f none %.3f\n", w / 5, n / 5);
  KS_ASSERT_TRUE(w / 5 < n / 5 - 0.05);
  ks_ctx_destroy(&ctx);
}

KS_TEST(lcm_renewal_in_a_new_context) {
  ks_ctx *ctx = mkctx(24);
  ks_fear_params p = ks_fear_params_default(KS_FEAR_MODEL_LATENT_CAUSE);
  ks_fear *f = NULL;
  KS_ASSERT_OK(ks_fear_create(ctx, &p, &f));
  ks_fear_lcm_reset_naive(f, 3);
  for (int i = 0; i < 10; i++) ks_fear_lcm_trial(f, i / 1440.0, 1, KS_FEAR_CTX_TRAUMA, 1, 0.0, NULL);
  for (int i = 0; i < 20; i++) ks_fear_lcm_trial(f, 1.0 + i / 1440.0, 1, KS_FEAR_CTX_THERAPY, 0, 0.0, NULL);
  double in_b, in_a;
  KS_ASSERT_OK(ks_fear_lcm_probe(f, 1.02, KS_FEAR_CTX_THERAPY, &in_b));
  KS_ASSERT_OK(ks_fear_lcm_probe(f, 1.02, KS_FEAR_CTX_TRAUMA, &in_a));
  printf("  renewal: B %.3f A %.3f\n", in_b, in_a);
  KS_ASSERT_TRUE(in_a > in_b + 0.2);
  ks_fear_destroy(&f);
  ks_ctx_destroy(&ctx);
}

static long n_allocs;
static void *count_alloc(void *ud, size_t n) { (void)ud; n_allocs++; return malloc(n); }
static void *count_realloc(void *ud, void *p, size_t n) { (void)ud; n_allocs++; return realloc(p, n); }
static void count_free(void *ud, void *p) { (void)ud; free(p); }

KS_TEST(lcm_patient_api_is_allocation_free_and_reproducible) {
  ks_ctx_opts o = ks_ctx_opts_default();
  o.alloc_fn = count_alloc;
  o.realloc_fn = count_realloc;
  o.free_fn = count_free;
  ks_ctx *ctx = NULL;
  KS_ASSERT_OK(ks_ctx_create(&o, &ctx));
  ks_fear_params p = ks_fear_params_default(KS_FEAR_MODEL_LATENT_CAUSE);
  p.lcm_particles = 100;
  ks_fear *f = NULL;
  double out[2];
  KS_ASSERT_OK(ks_fear_create(ctx, &p, &f));
  long after_create = n_allocs;
  for (int j = 0; j < 2; j++) {
    ks_fear_drive d = ks_fear_drive_default();
    KS_ASSERT_OK(ks_fear_init(f, 0.5, &d, 42));
    KS_ASSERT_NEAR(ks_fear_expression(f), 0.5, 1e-9);
    ks_rng r;
    ks_rng_init(&r, 1, KS_STREAM_FEAR, 42, 0);
    for (int k = 0; k < 40; k++) {
      d.window = window_after(k / 4.0, 1.0);
      if (k == 4) KS_ASSERT_OK(ks_fear_exposure(f, &d, 90.0, KS_FEAR_EXPOSURE_THERAPY));
      KS_ASSERT_OK(ks_fear_advance(f, 0.25, &d, &r));
    }
    KS_ASSERT_OK(ks_fear_stressor(f, 1.0));
    out[j] = ks_fear_expression(f);
    KS_ASSERT_RANGE(out[j], 0.0, 1.0);
    ks_fear_snapshot s;
    KS_ASSERT_OK(ks_fear_get_snapshot(f, &s));
    KS_ASSERT_RANGE(s.lcm_causes_mean, 1.0, 10.0);
  }
  KS_ASSERT_EQ_INT(n_allocs, after_create);
  KS_ASSERT_TRUE(out[0] == out[1]);
  ks_fear_destroy(&f);
  /* Allocation failure at create is reported, not crashed on. */
  ks_ctx_opts o2 = ks_ctx_opts_default();
  ks_ctx *c2 = NULL;
  KS_ASSERT_OK(ks_ctx_create(&o2, &c2));
  ks_ctx_destroy(&c2);
  o2.fail_alloc_at = 3;
  if (ks_ctx_create(&o2, &c2) == KS_OK) {
    ks_status st = ks_fear_create(c2, &p, &f);
    KS_ASSERT_TRUE(st == KS_ENOMEM || st == KS_OK);
    ks_fear_destroy(&f);
    ks_ctx_destroy(&c2);
  }
  ks_ctx_destroy(&ctx);
}

/* ---- mood: learned appraisal ---------------------------------------------------------------- */

static ks_mood_drive mood_drive(double w, double av, double u) {
  ks_mood_drive d = {.window = w, .avoidance = av, .approach = 0.0, .acute_rate_per_day = u, .expectancy = 0.0};
  return d;
}

KS_TEST(mood_untreated_patient_stays_at_baseline) {
  ks_mood m;
  ks_mood_params p = ks_mood_params_default();
  KS_ASSERT_OK(ks_mood_init(&m, &p, 0.4, 0.5));
  ks_mood_drive d = mood_drive(0.0, 0.5, 0.0);
  for (int k = 0; k < 4 * 56; k++) KS_ASSERT_OK(ks_mood_advance(&m, 0.25, &d));
  KS_ASSERT_NEAR(ks_mood_value(&m), 0.4, 1e-12);
  KS_ASSERT_EQ_INT(ks_mood_init(&m, &p, 1.0, 0.5), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_mood_advance(&m, 0.25, &(ks_mood_drive){.avoidance = 1.0}), KS_EINVAL);
}

KS_TEST(mood_acute_state_is_the_exact_solution) {
  /* da/dt = u - a / tau: after a step of length h from 0 with rate u, a = u tau (1 - e^{-h/tau});
   * then free decay. Hand-computed with tau = 1.5 d. */
  ks_mood m;
  ks_mood_params p = ks_mood_params_default();
  p.acute_tau_days = 1.5;
  p.activities_per_day = 0.0; /* no learning: the readout is V0 + c_a a */
  KS_ASSERT_OK(ks_mood_init(&m, &p, 0.5, 0.5));
  ks_mood_drive d = mood_drive(0.0, 0.5, 4.0);
  KS_ASSERT_OK(ks_mood_advance(&m, 0.25, &d));
  double a = 4.0 * 1.5 * (1.0 - exp(-0.25 / 1.5));
  KS_ASSERT_NEAR(m.acute, a, 1e-12);
  d.acute_rate_per_day = 0.0;
  KS_ASSERT_OK(ks_mood_advance(&m, 1.0, &d));
  KS_ASSERT_NEAR(m.acute, a * exp(-1.0 / 1.5), 1e-12);
  KS_ASSERT_NEAR(m.value, 0.5, 1e-15);
}

KS_TEST(mood_single_lift_is_larger_at_one_day_than_at_one_week) {
  ks_mood m;
  ks_mood_params p = ks_mood_params_default();
  KS_ASSERT_OK(ks_mood_init(&m, &p, 0.4, 0.5));
  /* One infusion: the acute rate over the first 6 h delivers one unit; the window decays over a week. */
  double v1 = 0, v7 = 0;
  for (int k = 0; k < 28; k++) {
    double t = 0.25 * k;
    ks_mood_drive d = mood_drive(0.8 * exp(-t / 3.0), 0.5, k == 0 ? 4.0 : 0.0);
    KS_ASSERT_OK(ks_mood_advance(&m, 0.25, &d));
    if (k == 3) v1 = ks_mood_value(&m);
    if (k == 27) v7 = ks_mood_value(&m);
  }
  KS_ASSERT_TRUE(v1 - 0.4 > 0.05);
  KS_ASSERT_TRUE(v1 - 0.4 > 2.0 * (v7 - 0.4));
}

KS_TEST(mood_window_and_avoidance_set_how_fast_new_value_is_learned) {
  /* The same outcome shift (an acute lift held for 2 days) is learned faster with an open window
   * and slower when avoidance cuts everyday activity. */
  double learned[3];
  const double w[3] = {0.0, 1.0, 0.0}, av[3] = {0.3, 0.3, 0.8};
  for (int c = 0; c < 3; c++) {
    ks_mood m;
    ks_mood_params p = ks_mood_params_default();
    p.activation_gain = 1.0;
    KS_ASSERT_OK(ks_mood_init(&m, &p, 0.4, av[c]));
    for (int k = 0; k < 8; k++) {
      ks_mood_drive d = mood_drive(w[c], av[c], 2.0);
      KS_ASSERT_OK(ks_mood_advance(&m, 0.25, &d));
    }
    learned[c] = m.value - 0.4;
  }
  KS_ASSERT_TRUE(learned[0] > 0.0);
  KS_ASSERT_TRUE(learned[1] > 1.5 * learned[0]);
  KS_ASSERT_TRUE(learned[2] < learned[0]);
}

KS_TEST(fear_approach_restores_reminders_cut_by_avoidance) {
  ks_ctx *ctx = mkctx(3);
  double n[2];
  for (int c = 0; c < 2; c++) {
    ks_fear *f = mkfear(ctx, KS_FEAR_MODEL_TWO_TRACE, 0.7);
    KS_ASSERT_TRUE(f != NULL);
    ks_fear_drive d = ks_fear_drive_default();
    d.approach = c ? 1.0 : 0.0;
    ks_rng r;
    ks_rng_init(&r, 3, KS_STREAM_FEAR, 1, 0);
    for (int k = 0; k < 4 * 28; k++) KS_ASSERT_OK(ks_fear_advance(f, 0.25, &d, &r));
    ks_fear_snapshot s;
    KS_ASSERT_OK(ks_fear_get_snapshot(f, &s));
    n[c] = s.n_reminders;
    ks_fear_destroy(&f);
  }
  /* Full approach: reminders at r0 instead of r0 (1 - Av): with Av near 0.6 at F 0.7, about 2x. */
  KS_ASSERT_TRUE(n[1] > 1.5 * n[0]);
  ks_fear_drive bad = ks_fear_drive_default();
  bad.approach = 1.5;
  ks_fear *f = mkfear(ctx, KS_FEAR_MODEL_TWO_TRACE, 0.5);
  KS_ASSERT_EQ_INT(ks_fear_advance(f, 0.25, &bad, NULL), KS_EINVAL);
  ks_fear_destroy(&f);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
