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

/* Block on a cell type for a racemate at u uM unbound (S and R halves) under parameters p. */
static void racemate_block(const ks_receptor_params *p, double u, double *b_i, double *b_p) {
  ks_pk_conc c = {0};
  c.brain_unbound_uM[KS_SP_S_KETAMINE] = u / 2;
  c.brain_unbound_uM[KS_SP_R_KETAMINE] = u / 2;
  ks_receptor_state r;
  ks_receptor_eval(p, &c, &r);
  *b_i = r.block_interneuron;
  *b_p = r.block_pyramidal;
}

/* docs/model/receptor.md, R2: the interneuron preference comes from exactly two stated causes,
 * Mg2+ relief at GluN2C/2D-rich, depolarised interneurons (a smaller Mg2+ shift m_I < m_P) and
 * use-dependent access (a_I > a_P). A parameter sweep shows each one alone gives a preference
 * (with its own signature), that removing both removes it, and that nothing else contributes
 * (the preference is the product of the two factors). */
KS_TEST(receptor_interneuron_preference_arises_from_mg_relief_and_access) {
  const ks_receptor_params d = ks_receptor_params_default();
  KS_ASSERT_TRUE(d.mg_shift_interneuron < d.mg_shift_pyramidal && d.access_interneuron > d.access_pyramidal);
  for (double u = 0.001; u < 100.0; u *= 2.0) {
    double bi, bp;
    ks_receptor_params none = d, mg_only = d, access_only = d;
    /* Neither mechanism: no preference at any concentration. */
    none.mg_shift_interneuron = none.mg_shift_pyramidal;
    none.access_interneuron = none.access_pyramidal;
    racemate_block(&none, u, &bi, &bp);
    KS_ASSERT_REL(bi, bp, 1e-12);
    /* Mg2+ relief alone: a preference that is largest at low concentration, where it tends to
     * m_P / m_I (both blocks linear in x), and shrinks toward 1 as both cell types saturate. */
    mg_only.access_interneuron = mg_only.access_pyramidal = 1.0;
    double mi, mp;
    racemate_block(&mg_only, u, &mi, &mp);
    double r_mg = mi / mp;
    KS_ASSERT_TRUE(r_mg > 1.0 && r_mg <= d.mg_shift_pyramidal / d.mg_shift_interneuron + 1e-12);
    if (u < 0.002) KS_ASSERT_REL(r_mg, d.mg_shift_pyramidal / d.mg_shift_interneuron, 0.01);
    /* Access alone: a constant preference a_I / a_P at every concentration. */
    access_only.mg_shift_interneuron = access_only.mg_shift_pyramidal;
    double ai, ap;
    racemate_block(&access_only, u, &ai, &ap);
    KS_ASSERT_REL(ai / ap, d.access_interneuron / d.access_pyramidal, 1e-12);
    /* Both (the defaults): the product of the two factors and nothing else. */
    racemate_block(&d, u, &bi, &bp);
    KS_ASSERT_REL(bi / bp, r_mg * (ai / ap), 1e-12);
    KS_ASSERT_TRUE(bi / bp > r_mg && bi / bp > ai / ap);
  }
  /* Sweeping the interneuron Mg2+ shift from 1 (full relief) up to the pyramidal value lowers the
   * preference monotonically to the access factor; a larger pyramidal shift raises it. */
  const double u0 = 185.0 * 0.55 / 237.7; /* end of a 0.5 mg/kg, 40-min infusion (docs) */
  double prev = INFINITY;
  for (double m = 1.0; m <= d.mg_shift_pyramidal + 1e-9; m += 0.5) {
    ks_receptor_params q = d;
    q.mg_shift_interneuron = m;
    double bi, bp;
    racemate_block(&q, u0, &bi, &bp);
    KS_ASSERT_TRUE(bi / bp < prev);
    prev = bi / bp;
  }
  KS_ASSERT_REL(prev, d.access_interneuron / d.access_pyramidal, 1e-12);
  prev = 0.0;
  for (double m = d.mg_shift_interneuron; m <= 40.0; m += 1.0) {
    ks_receptor_params q = d;
    q.mg_shift_pyramidal = m;
    double bi, bp;
    racemate_block(&q, u0, &bi, &bp);
    KS_ASSERT_TRUE(bi / bp > prev);
    prev = bi / bp;
  }
  /* The documented figures at the end of the infusion: interneuron block ~0.23, pyramidal ~0.026,
   * preference ~8.6 (docs/model/receptor.md). */
  double bi, bp;
  racemate_block(&d, u0, &bi, &bp);
  KS_ASSERT_NEAR(bi, 0.23, 0.01);
  KS_ASSERT_NEAR(bp, 0.026, 0.002);
  KS_ASSERT_NEAR(bi / bp, 8.6, 0.3);
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
