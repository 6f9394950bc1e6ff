/* SPDX-License-Identifier: MIT */
/* Receptor layer: closed forms of competitive block, interneuron preference, midazolam. */
#include "harness.h"
#include <ketasim/receptor.h>
#include <ketasim/validate.h>

#include <math.h>

static ks_pk_conc conc_of(int species, double uM) {
  ks_pk_conc c = {0};
  c.brain_unbound_uM[species] = uM;
  return c;
}

KS_TEST(receptor_half_occupancy_at_ki) {
  ks_receptor_params p = ks_receptor_params_default();
  static const double ki[4] = {0.30, 1.4, 1.7, 13.0};
  for (int s = 0; s < 4; s++) {
    ks_pk_conc c = conc_of(s, ki[s]);
    ks_receptor_state r;
    ks_receptor_eval(&p, &c, &r);
    KS_ASSERT_NEAR(r.nmda_occupancy, 0.5, 1e-12);
    KS_ASSERT_NEAR(r.gabaa_potentiation, 0.0, 0.0);
  }
}

KS_TEST(receptor_competition_closed_form) {
  ks_receptor_params p = ks_receptor_params_default();
  ks_pk_conc c = {0};
  c.brain_unbound_uM[KS_SP_S_KETAMINE] = 0.2;
  c.brain_unbound_uM[KS_SP_R_KETAMINE] = 0.2;
  c.brain_unbound_uM[KS_SP_S_NORKETAMINE] = 0.1;
  ks_receptor_state r;
  ks_receptor_eval(&p, &c, &r);
  double x = 0.2 / 0.30 + 0.2 / 1.4 + 0.1 / 1.7;
  KS_ASSERT_NEAR(r.nmda_occupancy, x / (1 + x), 1e-12);
  double xi = x / p.mg_shift_interneuron, xp = x / p.mg_shift_pyramidal;
  KS_ASSERT_NEAR(r.block_interneuron, p.access_interneuron * xi / (1 + xi), 1e-12);
  KS_ASSERT_NEAR(r.block_pyramidal, p.access_pyramidal * xp / (1 + xp), 1e-12);
  /* Adding a competitor can only raise occupancy. */
  ks_receptor_state r2;
  c.brain_unbound_uM[KS_SP_R_NORKETAMINE] = 1.0;
  ks_receptor_eval(&p, &c, &r2);
  KS_ASSERT_TRUE(r2.nmda_occupancy > r.nmda_occupancy);
}

KS_TEST(receptor_interneurons_are_blocked_first) {
  ks_receptor_params p = ks_receptor_params_default();
  double prev_i = -1.0;
  for (double u = 0.01; u < 50.0; u *= 1.5) {
    ks_pk_conc c = {0};
    c.brain_unbound_uM[KS_SP_S_KETAMINE] = u / 2;
    c.brain_unbound_uM[KS_SP_R_KETAMINE] = u / 2;
    ks_receptor_state r;
    ks_receptor_eval(&p, &c, &r);
    KS_ASSERT_TRUE(r.block_interneuron > r.block_pyramidal);
    KS_ASSERT_TRUE(r.block_interneuron > prev_i); /* monotone in concentration */
    KS_ASSERT_RANGE(r.block_interneuron, 0.0, 1.0);
    KS_ASSERT_RANGE(r.block_pyramidal, 0.0, 1.0);
    KS_ASSERT_TRUE(r.block_interneuron <= r.nmda_occupancy);
    prev_i = r.block_interneuron;
  }
}

KS_TEST(receptor_esketamine_more_potent_than_racemate) {
  ks_receptor_params p = ks_receptor_params_default();
  ks_pk_conc s = conc_of(KS_SP_S_KETAMINE, 0.4), rac = {0};
  rac.brain_unbound_uM[KS_SP_S_KETAMINE] = 0.2;
  rac.brain_unbound_uM[KS_SP_R_KETAMINE] = 0.2;
  ks_receptor_state a, b;
  ks_receptor_eval(&p, &s, &a);
  ks_receptor_eval(&p, &rac, &b);
  KS_ASSERT_TRUE(a.nmda_occupancy > b.nmda_occupancy);
}

KS_TEST(receptor_midazolam_potentiates_gabaa_without_nmda_block) {
  ks_receptor_params p = ks_receptor_params_default();
  ks_pk_conc c = conc_of(KS_SP_MIDAZOLAM, p.gabaa_ec50_uM);
  ks_receptor_state r;
  ks_receptor_eval(&p, &c, &r);
  KS_ASSERT_NEAR(r.nmda_occupancy, 0.0, 0.0);
  KS_ASSERT_NEAR(r.block_interneuron, 0.0, 0.0);
  KS_ASSERT_NEAR(r.gabaa_potentiation, 0.5 * p.gabaa_emax, 1e-12);
  KS_ASSERT_RANGE(r.sedation, 0.5, 1.0);
  double prev = 0.0;
  for (double u = 1e-4; u < 10.0; u *= 2) {
    c = conc_of(KS_SP_MIDAZOLAM, u);
    ks_receptor_eval(&p, &c, &r);
    KS_ASSERT_TRUE(r.sedation >= prev);
    KS_ASSERT_RANGE(r.sedation, 0.0, 1.0);
    prev = r.sedation;
  }
  /* Ketamine alone: no GABA-A potentiation, no sedation from this layer. */
  c = conc_of(KS_SP_S_KETAMINE, 2.0);
  ks_receptor_eval(&p, &c, &r);
  KS_ASSERT_NEAR(r.sedation, 0.0, 0.0);
}

KS_TEST(receptor_bad_concentrations_count_as_zero) {
  ks_receptor_params p = ks_receptor_params_default();
  ks_pk_conc c = {0};
  c.brain_unbound_uM[KS_SP_S_KETAMINE] = NAN;
  c.brain_unbound_uM[KS_SP_R_KETAMINE] = -3.0;
  c.brain_unbound_uM[KS_SP_MIDAZOLAM] = INFINITY;
  ks_receptor_state r;
  ks_receptor_eval(&p, &c, &r);
  KS_ASSERT_NEAR(r.nmda_occupancy, 0.0, 0.0);
  KS_ASSERT_NEAR(r.gabaa_potentiation, 0.0, 0.0);
  KS_ASSERT_TRUE(isfinite(r.sedation));
}

KS_TEST(receptor_params_check) {
  ks_ctx *ctx = NULL;
  ks_ctx_opts o = ks_ctx_opts_default();
  o.log_level = KS_LOG_ERROR;
  KS_ASSERT_OK(ks_ctx_create(&o, &ctx));
  ks_receptor_params p = ks_receptor_params_default();
  KS_ASSERT_OK(ks_receptor_params_check(ctx, &p));
  p.access_pyramidal = 1.5;
  KS_ASSERT_EQ_INT(ks_receptor_params_check(ctx, &p), KS_EINVAL);
  p = ks_receptor_params_default();
  p.nmda_ki_uM[KS_SP_R_KETAMINE] = NAN;
  KS_ASSERT_EQ_INT(ks_receptor_params_check(ctx, &p), KS_EINVAL);
  ks_ctx_destroy(&ctx);
}

KS_TEST(receptor_validate_passes) {
  ks_ctx *ctx = NULL;
  ks_ctx_opts o = ks_ctx_opts_default();
  o.log_level = KS_LOG_ERROR;
  KS_ASSERT_OK(ks_ctx_create(&o, &ctx));
  ks_target_result t[16];
  size_t n = 0;
  KS_ASSERT_OK(ks_receptor_validate(ctx, t, 16, &n));
  KS_ASSERT_TRUE(n >= 4);
  for (size_t i = 0; i < n; i++) {
    if (!t[i].pass) fprintf(stderr, "%s: %g not in [%g, %g]\n", t[i].id, t[i].simulated, t[i].lo, t[i].hi);
    KS_ASSERT_TRUE(t[i].pass);
  }
  /* Not enough room: an error, not an overflow. */
  n = 0;
  KS_ASSERT_TRUE(ks_receptor_validate(ctx, t, 2, &n) != KS_OK);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
