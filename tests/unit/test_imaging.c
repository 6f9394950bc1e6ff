/* SPDX-License-Identifier: MIT */
/* Imaging: HRF, band-pass, FC, GLM and gPPI against constructed signals; paradigms; the analytic
 * scan summary's published directions (PTSD vs healthy, after a ketamine course). */
#include "harness.h"
#include <ketasim/imaging.h>
#include <ketasim/rng.h>


KS_TEST(hrf_peaks_near_5s_and_sums_to_one) {
  double best = 0.0, tmax = 0.0, sum = 0.0;
  for (int i = 0; i < 3200; i++) {
    double t = i * 0.01, h = ks_imaging_hrf(t);
    sum += h * 0.01;
    if (h > best) best = h, tmax = t;
  }
  KS_ASSERT_RANGE(tmax, 4.5, 5.5);
  KS_ASSERT_NEAR(sum, 1.0, 1e-3);
  KS_ASSERT_TRUE(ks_imaging_hrf(15.0) < 0.0); /* undershoot */
}

KS_TEST(fc_of_constructed_signals) {
  ks_ctx *ctx = ks_test_ctx();
  enum { T = 2000, N = 3 };
  static double y[T * N];
  ks_rng r;
  ks_rng_init(&r, 5, KS_STREAM_TEST, 0, 0);
  for (int i = 0; i < T; i++) {
    double a = ks_rng_normal(&r), b = ks_rng_normal(&r);
    y[i * N] = a;
    y[i * N + 1] = 0.6 * a + 0.8 * b; /* r = 0.6 */
    y[i * N + 2] = -a;                /* r = -1 */
  }
  double fc[N * N], z[N * N];
  KS_ASSERT_OK(ks_imaging_fc(ctx, y, T, N, fc, z));
  KS_ASSERT_NEAR(fc[1], 0.6, 0.05);
  KS_ASSERT_NEAR(fc[2], -1.0, 1e-12);
  for (int i = 0; i < N; i++) KS_ASSERT_NEAR(fc[i * N + i], 1.0, 0.0);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      KS_ASSERT_NEAR(fc[i * N + j], fc[j * N + i], 0.0);
      KS_ASSERT_TRUE(isfinite(z[i * N + j]));
    }
  KS_ASSERT_NEAR(z[1], atanh(fc[1]), 1e-12);
  ks_ctx_destroy(&ctx);
}

KS_TEST(bandpass_keeps_band_removes_outside) {
  ks_ctx *ctx = ks_test_ctx();
  enum { T = 1200 };
  static double x[T], y[T], w[T];
  const double tr = 0.5;
  for (int i = 0; i < T; i++) {
    double t = i * tr;
    x[i] = sin(2 * M_PI * 0.04 * t);   /* in band */
    y[i] = sin(2 * M_PI * 0.4 * t);    /* above */
    w[i] = sin(2 * M_PI * 0.002 * t);  /* below */
  }
  KS_ASSERT_OK(ks_imaging_bandpass(ctx, x, T, 1, tr, 0.01, 0.1));
  KS_ASSERT_OK(ks_imaging_bandpass(ctx, y, T, 1, tr, 0.01, 0.1));
  KS_ASSERT_OK(ks_imaging_bandpass(ctx, w, T, 1, tr, 0.01, 0.1));
  double ax = 0, ay = 0, aw = 0;
  for (int i = 200; i < T - 200; i++) ax += x[i] * x[i], ay += y[i] * y[i], aw += w[i] * w[i];
  ax = sqrt(2 * ax / (T - 400)), ay = sqrt(2 * ay / (T - 400)), aw = sqrt(2 * aw / (T - 400));
  KS_ASSERT_RANGE(ax, 0.85, 1.05);
  KS_ASSERT_TRUE(ay < 0.02);
  KS_ASSERT_TRUE(aw < 0.1);
  ks_ctx_destroy(&ctx);
}

KS_TEST(glm_and_gppi_recover_known_betas) {
  ks_ctx *ctx = ks_test_ctx();
  ks_circuit *c = NULL;
  KS_ASSERT_OK(ks_circuit_create_default(ctx, NULL, &c));
  ks_circuit_drive d = ks_circuit_drive_baseline();
  static ks_imaging_design des;
  KS_ASSERT_OK(ks_imaging_design_build(ctx, KS_PARADIGM_FACES, c, &d, 600.0, &des));
  KS_ASSERT_EQ_INT(des.n_cond, 1);
  KS_ASSERT_TRUE(des.n_blocks[0] >= 14);
  enum { T = 300, N = 3 };
  static double reg[T], y[T * N];
  KS_ASSERT_OK(ks_imaging_regressors(ctx, &des, T, 2.0, reg));
  double mx = 0;
  for (int i = 0; i < T; i++) mx = fmax(mx, reg[i]);
  KS_ASSERT_RANGE(mx, 1.0, 1.25); /* 21-s block: the positive lobe without the undershoot */
  ks_rng r;
  ks_rng_init(&r, 9, KS_STREAM_TEST, 0, 0);
  for (int i = 0; i < T; i++) {
    double s = ks_rng_normal(&r);
    y[i * N] = s;                                         /* seed */
    y[i * N + 1] = 2.0 * reg[i] + 0.1 * ks_rng_normal(&r); /* activation 2 */
    y[i * N + 2] = 0.5 * s + 0.8 * s * (reg[i] - 0.5) + 0.05 * ks_rng_normal(&r);
  }
  double beta[N], ppi[N];
  KS_ASSERT_OK(ks_imaging_glm(ctx, y, T, N, reg, 1, beta));
  KS_ASSERT_NEAR(beta[1], 2.0, 0.05);
  KS_ASSERT_OK(ks_imaging_gppi(ctx, y, T, N, 0, reg, 1, ppi));
  KS_ASSERT_NEAR(ppi[2], 0.8, 0.1);
  KS_ASSERT_NEAR(ppi[1], 0.0, 0.1);
  ks_circuit_destroy(&c);
  ks_ctx_destroy(&ctx);
}

KS_TEST(summary_directions_ptsd_and_ketamine_course) {
  ks_ctx *ctx = ks_test_ctx();
  ks_circuit *h = NULL, *p = NULL;
  ks_circuit_phenotype ph;
  ph = ks_circuit_phenotype_healthy();
  KS_ASSERT_OK(ks_circuit_create_default(ctx, &ph, &h));
  ks_circuit_phenotype_sample(NULL, 1.0, &ph); /* the mean PTSD phenotype */
  KS_ASSERT_OK(ks_circuit_create_default(ctx, &ph, &p));
  ks_circuit_drive d = ks_circuit_drive_baseline();
  ks_imaging_summary sh, sp, sk;
  KS_ASSERT_OK(ks_imaging_scan_summary(ctx, h, &d, &sh));
  KS_ASSERT_OK(ks_imaging_scan_summary(ctx, p, &d, &sp));
  /* PTSD vs healthy (Koch 2016; Hayes 2012): amygdala hyperreactive, salience FC up, DMN FC down,
   * weaker task-state vmPFC-amygdala coupling. */
  KS_ASSERT_TRUE(sp.amygdala_threat_pct > sh.amygdala_threat_pct);
  KS_ASSERT_TRUE(sp.salience_z > sh.salience_z);
  KS_ASSERT_TRUE(sp.dmn_z < sh.dmn_z);
  /* Resting vmPFC-amygdala and vmPFC-insula FC lower in PTSD (Koch 2016; Sripada 2012). */
  KS_ASSERT_TRUE(sp.vmpfc_amygdala_rest_z < sh.vmpfc_amygdala_rest_z);
  KS_ASSERT_TRUE(sp.vmpfc_insula_rest_z < sh.vmpfc_insula_rest_z);
  /* After a ketamine course (drug gone, gains up; Norbury 2021): vmPFC-amygdala coupling in the
   * faces task up, dACC conflict activity down, resting vmPFC-insula FC up. */
  ks_circuit_drive k = d;
  k.gain[KS_PATH_VMPFC_AMYGDALA] = 1.3;
  k.gain[KS_PATH_HIPPOCAMPUS_VMPFC] = 1.2;
  k.spine_pfc_rel = 1.1;
  KS_ASSERT_OK(ks_imaging_scan_summary(ctx, p, &k, &sk));
  KS_ASSERT_TRUE(sk.vmpfc_amygdala_faces_z > sp.vmpfc_amygdala_faces_z);
  KS_ASSERT_TRUE(sk.dacc_conflict_pct < sp.dacc_conflict_pct);
  KS_ASSERT_TRUE(sk.vmpfc_insula_rest_z > sp.vmpfc_insula_rest_z);
  KS_ASSERT_TRUE(sk.amygdala_threat_pct < sp.amygdala_threat_pct);
  ks_circuit_destroy(&h);
  ks_circuit_destroy(&p);
  ks_ctx_destroy(&ctx);
}

/* The trial's one-value scan gives exactly the summary's faces-state FC, for drives that differ. */
KS_TEST(faces_fc_alone_equals_the_summary_value) {
  ks_ctx *ctx = ks_test_ctx();
  ks_circuit *p = NULL;
  ks_circuit_phenotype ph;
  ks_circuit_phenotype_sample(NULL, 1.0, &ph);
  KS_ASSERT_OK(ks_circuit_create_default(ctx, &ph, &p));
  ks_circuit_drive d = ks_circuit_drive_baseline(), k = d;
  k.gain[KS_PATH_VMPFC_AMYGDALA] = 1.3;
  k.nmda_block_I = 0.2;
  ks_imaging_summary sd, sk;
  double zd = NAN, zk = NAN;
  KS_ASSERT_OK(ks_imaging_scan_summary(ctx, p, &d, &sd));
  KS_ASSERT_OK(ks_imaging_scan_summary(ctx, p, &k, &sk));
  KS_ASSERT_OK(ks_imaging_faces_fc_z(ctx, p, &d, &zd));
  KS_ASSERT_OK(ks_imaging_faces_fc_z(ctx, p, &k, &zk));
  KS_ASSERT_TRUE(zd == sd.vmpfc_amygdala_faces_z);
  KS_ASSERT_TRUE(zk == sk.vmpfc_amygdala_faces_z);
  KS_ASSERT_TRUE(fabs(zk - zd) > 1e-3);
  ks_circuit_destroy(&p);
  ks_ctx_destroy(&ctx);
}

KS_TEST(circuit_validation_targets_pass) {
  ks_ctx *ctx = ks_test_ctx();
  ks_target_result r[32];
  size_t n = 0;
  KS_ASSERT_OK(ks_circuit_validate(ctx, r, 32, &n));
  KS_ASSERT_TRUE(n >= 12);
  for (size_t i = 0; i < n; i++) {
    printf("  %-40s %10.4f in [%g, %g]%s\n", r[i].id, r[i].simulated, r[i].lo, r[i].hi,
           r[i].pass ? "" : "  FAIL");
    KS_ASSERT_TRUE(r[i].pass);
  }
  size_t m = n;
  KS_ASSERT_TRUE(ks_circuit_validate(ctx, r, m + 3, &m) != KS_OK); /* no room: refused */
  ks_ctx_destroy(&ctx);
}

KS_TEST(simulated_faces_scan_activates_amygdala) {
  ks_ctx *ctx = ks_test_ctx();
  ks_circuit *c = NULL;
  KS_ASSERT_OK(ks_circuit_create_default(ctx, NULL, &c));
  ks_circuit_drive d = ks_circuit_drive_baseline();
  ks_circuit_sim_opts o = ks_circuit_sim_opts_default();
  o.duration_s = 252.0; /* 6 face + 6 shape blocks */
  o.warmup_s = 10.0;
  static ks_imaging_design des;
  KS_ASSERT_OK(ks_imaging_design_build(ctx, KS_PARADIGM_FACES, c, &d, o.duration_s, &des));
  size_t T = ks_circuit_sim_n_samples(&o), n = ks_circuit_n_regions(c);
  static double bold[200 * 8], reg[200], beta[8], db[8];
  KS_ASSERT_OK(ks_circuit_simulate(ctx, c, &d, &des.stim, &o, bold, NULL));
  KS_ASSERT_OK(ks_imaging_regressors(ctx, &des, T, o.tr_s, reg));
  KS_ASSERT_OK(ks_imaging_glm(ctx, bold, T, n, reg, 1, beta));
  double in[8] = {0};
  in[KS_REGION_AMYGDALA] = d.threat_input_nA;
  KS_ASSERT_OK(ks_circuit_bold_steady_change(ctx, c, &d, in, KS_BOLD_STEPHAN2007, db));
  /* The GLM beta of the simulated task matches the analytic sustained-block change. */
  KS_ASSERT_TRUE(beta[KS_REGION_AMYGDALA] > 0.5 * db[KS_REGION_AMYGDALA]);
  KS_ASSERT_TRUE(beta[KS_REGION_AMYGDALA] < 1.5 * db[KS_REGION_AMYGDALA]);
  for (int i = 0; i < 8; i++)
    if (i != KS_REGION_AMYGDALA) KS_ASSERT_TRUE(beta[i] < beta[KS_REGION_AMYGDALA]);
  ks_circuit_destroy(&c);
  ks_ctx_destroy(&ctx);
}

KS_TEST(paradigm_names_and_errors) {
  KS_ASSERT_EQ_INT(ks_paradigm_parse("faces"), KS_PARADIGM_FACES);
  KS_ASSERT_EQ_INT(ks_paradigm_parse("Conflict"), KS_PARADIGM_CONFLICT);
  KS_ASSERT_EQ_INT(ks_paradigm_parse("nback"), -1);
  KS_ASSERT_EQ_STR(ks_paradigm_name(KS_PARADIGM_REST), "rest");
}

KS_TEST_MAIN()
