/* SPDX-License-Identifier: MIT */
/* Circuit layer: single-node Wong-Wang numbers (FIC, NMDA scaling), disinhibition, hemodynamic
 * impulse response, analytic FC against simulation, seed-keyed noise, connectome loading. */
#include "harness.h"
#include "circuit/circuit_internal.h"
#include <ketasim/circuit.h>

#include <Random123/philox.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>


static void write_file(const char *dir, const char *name, const char *text) {
  char p[512];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

static void mk_tmpdir(char *buf, size_t cap, const char *tag) {
  snprintf(buf, cap, "/tmp/ks_test_circuit_%s_%ld", tag, (long)getpid());
  mkdir(buf, 0700);
}

/* An isolated node: a one-region connectome. */
static ks_circuit *single_node(ks_ctx *ctx) {
  char dir[256];
  mk_tmpdir(dir, sizeof dir, "single");
  write_file(dir, "centres.txt", "node 0 0 0\n");
  write_file(dir, "weights.txt", "0\n");
  write_file(dir, "tract_lengths.txt", "0\n");
  ks_connectome *k = NULL;
  ks_circuit *c = NULL;
  if (ks_connectome_load(ctx, dir, &k) == KS_OK) ks_circuit_create_brain(ctx, k, NULL, NULL, &c);
  ks_connectome_destroy(&k);
  return c;
}

KS_TEST(fast_exp_and_rate_function_are_accurate) {
  for (double x = -700.0; x <= 700.0; x += 0.37) KS_ASSERT_REL(ks__exp(x), exp(x), 4e-15);
  /* The removable singularity of H at a x = b: limit 1/d. */
  double b_a = KS_WW_B_E / KS_WW_A_E;
  KS_ASSERT_NEAR(ks__ww_rate(b_a, KS_WW_A_E, KS_WW_B_E, KS_WW_D_E), 1.0 / KS_WW_D_E, 1e-6);
  KS_ASSERT_NEAR(ks__ww_rate(b_a + 1e-6, KS_WW_A_E, KS_WW_B_E, KS_WW_D_E), 1.0 / KS_WW_D_E, 1e-3);
}

KS_TEST(philox_block_matches_random123_and_fast_log_is_accurate) {
  ks__noise_key nk = {0x243F6A88u, 0x85A308D3u, 0x13198A2Eu};
  uint32_t u[64];
  const uint64_t step = 0x100000007ull;
  ks__philox_block(&nk, step, u, 64);
  for (uint32_t b = 0; b < 16; b++) {
    philox4x32_ctr_t c = {{b, (uint32_t)step, (uint32_t)(step >> 32), nk.c3}};
    philox4x32_key_t k = {{nk.k0, nk.k1}};
    philox4x32_ctr_t o = philox4x32(c, k);
    for (int j = 0; j < 4; j++) KS_ASSERT_TRUE(o.v[j] == u[4 * b + j]);
  }
  for (double x = 1e-300; x < 1e300; x *= 1.37) KS_ASSERT_NEAR(ks__log(x), log(x), 1e-15 + 4e-16 * fabs(log(x)));
  for (double x = 0.5; x < 2.0; x += 0.0013) KS_ASSERT_NEAR(ks__log(x), log(x), 5e-16);
}

KS_TEST(fast_normals_have_unit_moments) {
  static ks__ntab t;
  ks__ntab_init(&t);
  ks__noise_key nk;
  ks__noise_key_init(&nk, 3, 0, 0);
  enum { N = 400000, W = 4000 };
  static double z[N];
  static uint32_t u[W];
  for (int s = 0; s < N / W; s++) {
    ks__philox_block(&nk, (uint64_t)s, u, W);
    ks__normals_from_words(&t, u, 1.0, z + s * W, W);
  }
  double m = 0, v = 0, k4 = 0, mx = 0;
  for (int i = 0; i < N; i++) m += z[i];
  m /= N;
  for (int i = 0; i < N; i++) {
    double d = z[i] - m;
    v += d * d;
    k4 += d * d * d * d;
    mx = fmax(mx, fabs(z[i]));
  }
  v /= N;
  k4 /= N * v * v;
  KS_ASSERT_NEAR(m, 0.0, 0.01);
  KS_ASSERT_NEAR(v, 1.0, 0.01);
  KS_ASSERT_NEAR(k4, 3.0, 0.05);
  KS_ASSERT_TRUE(mx > 3.8 && mx < 6.5); /* real tails, bounded by 32-bit resolution */
}

KS_TEST(single_node_fic_and_nmda_scaling_match_derived_values) {
  /* CALIBRATION.md s5 (derived from Deco 2014): FIC target 3.06 Hz; all NMDA x0.8 -> 2.49 Hz;
   * only E->I NMDA x0.8 -> 3.78 Hz; E->I x0.5 -> 7.83 Hz. */
  ks_ctx *ctx = ks_test_ctx();
  ks_circuit *c = single_node(ctx);
  KS_ASSERT_TRUE(c != NULL);
  ks_circuit_drive d = ks_circuit_drive_baseline();
  double r;
  KS_ASSERT_OK(ks_circuit_steady_state(ctx, c, &d, NULL, &r, NULL, NULL));
  KS_ASSERT_NEAR(r, 3.06, 0.01);
  d.nmda_block_E = d.nmda_block_I = 0.2;
  KS_ASSERT_OK(ks_circuit_steady_state(ctx, c, &d, NULL, &r, NULL, NULL));
  KS_ASSERT_NEAR(r, 2.49, 0.02);
  d.nmda_block_E = 0.0;
  KS_ASSERT_OK(ks_circuit_steady_state(ctx, c, &d, NULL, &r, NULL, NULL));
  KS_ASSERT_NEAR(r, 3.78, 0.02);
  d.nmda_block_I = 0.5;
  KS_ASSERT_OK(ks_circuit_steady_state(ctx, c, &d, NULL, &r, NULL, NULL));
  KS_ASSERT_NEAR(r, 7.83, 0.05);
  ks_circuit_destroy(&c);
  ks_ctx_destroy(&ctx);
}

KS_TEST(disinhibition_at_low_block_suppression_at_high_block) {
  ks_ctx *ctx = ks_test_ctx();
  ks_circuit *c = NULL;
  KS_ASSERT_OK(ks_circuit_create_default(ctx, NULL, &c));
  ks_circuit_drive d = ks_circuit_drive_baseline();
  double r0[8], r1[8], r2[8], r3[8];
  KS_ASSERT_OK(ks_circuit_steady_state(ctx, c, &d, NULL, r0, NULL, NULL));
  for (int i = 0; i < 8; i++) KS_ASSERT_NEAR(r0[i], 3.06, 0.01); /* FIC holds in the network */
  d.nmda_block_I = 0.2, d.nmda_block_E = 0.05; /* interneuron-preferential, low dose */
  KS_ASSERT_OK(ks_circuit_steady_state(ctx, c, &d, NULL, r1, NULL, NULL));
  d.nmda_block_I = 0.8, d.nmda_block_E = 0.6; /* anaesthetic block */
  KS_ASSERT_OK(ks_circuit_steady_state(ctx, c, &d, NULL, r2, NULL, NULL));
  d = ks_circuit_drive_baseline();
  d.gabaa_potentiation = 1.5; /* midazolam */
  KS_ASSERT_OK(ks_circuit_steady_state(ctx, c, &d, NULL, r3, NULL, NULL));
  for (int i = 0; i < 8; i++) {
    KS_ASSERT_TRUE(r1[i] > r0[i] + 0.2);
    KS_ASSERT_TRUE(r2[i] < r0[i] - 0.5);
    KS_ASSERT_TRUE(r3[i] < r0[i]);
  }
  ks_circuit_destroy(&c);
  ks_ctx_destroy(&ctx);
}

KS_TEST(bold_impulse_response_peak_and_undershoot) {
  ks_ctx *ctx = ks_test_ctx();
  enum { N = 300 };
  double y[N];
  for (int set = 0; set < 2; set++) {
    KS_ASSERT_OK(ks_circuit_bold_impulse(ctx, (ks_bold_params)set, 0.1, N, y));
    int imax = 0, imin = 0;
    for (int i = 0; i < N; i++) {
      if (y[i] > y[imax]) imax = i;
      if (y[i] < y[imin]) imin = i;
    }
    double tpk = imax * 0.1;
    if (set == KS_BOLD_STEPHAN2007) KS_ASSERT_RANGE(tpk, 4.0, 6.0);
    else KS_ASSERT_RANGE(tpk, 2.5, 5.0);
    KS_ASSERT_TRUE(y[imax] > 0.0);
    KS_ASSERT_TRUE(imin > imax);            /* the undershoot follows the peak */
    KS_ASSERT_TRUE(y[imin] < -0.02 * y[imax]);
  }
  ks_ctx_destroy(&ctx);
}

static double upper_corr(const double *a, const double *b, size_t n) {
  double ma = 0, mb = 0, m = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) ma += a[i * n + j], mb += b[i * n + j], m++;
  ma /= m, mb /= m;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++) {
      double x = a[i * n + j] - ma, y = b[i * n + j] - mb;
      sab += x * y, saa += x * x, sbb += y * y;
    }
  return sab / sqrt(saa * sbb);
}

static void pearson(const double *y, size_t T, size_t n, double *fc) {
  for (size_t a = 0; a < n; a++)
    for (size_t b = 0; b < n; b++) {
      double ma = 0, mb = 0;
      for (size_t t = 0; t < T; t++) ma += y[t * n + a], mb += y[t * n + b];
      ma /= (double)T, mb /= (double)T;
      double s = 0, sa = 0, sb = 0;
      for (size_t t = 0; t < T; t++) {
        double x = y[t * n + a] - ma, z = y[t * n + b] - mb;
        s += x * z, sa += x * x, sb += z * z;
      }
      fc[a * n + b] = s / sqrt(sa * sb);
    }
}

KS_TEST(analytic_fc_symmetric_and_agrees_with_simulation) {
  ks_ctx *ctx = ks_test_ctx();
  ks_circuit_phenotype ph;
  ks_circuit_phenotype_sample(NULL, 1.0, &ph);
  ks_circuit *c = NULL;
  KS_ASSERT_OK(ks_circuit_create_default(ctx, &ph, &c));
  ks_circuit_drive d = ks_circuit_drive_baseline();
  double fa[64], fs[64];
  KS_ASSERT_OK(ks_circuit_fc_analytic(ctx, c, &d, NULL, KS_BOLD_STEPHAN2007, fa));
  for (int i = 0; i < 8; i++) {
    KS_ASSERT_NEAR(fa[i * 8 + i], 1.0, 0.0);
    for (int j = 0; j < 8; j++) {
      KS_ASSERT_NEAR(fa[i * 8 + j], fa[j * 8 + i], 0.0);
      KS_ASSERT_RANGE(fa[i * 8 + j], -1.0, 1.0);
    }
  }
  ks_circuit_sim_opts o = ks_circuit_sim_opts_default();
  o.duration_s = 2400.0; /* sampling error of a 15-min FC alone gives r ~ 0.83-0.93 */
  o.tr_s = 1.0;
  o.warmup_s = 10.0;
  o.seed = 77;
  size_t T = ks_circuit_sim_n_samples(&o);
  double *bold = malloc(T * 8 * sizeof *bold);
  KS_ASSERT_OK(ks_circuit_simulate(ctx, c, &d, NULL, &o, bold, NULL));
  pearson(bold, T, 8, fs);
  double r = upper_corr(fa, fs, 8);
  printf("  analytic vs simulated FC (40 min, TR 1 s): r = %.3f\n", r);
  KS_ASSERT_TRUE(r >= 0.9);
  free(bold);
  ks_circuit_destroy(&c);
  ks_ctx_destroy(&ctx);
}

KS_TEST(noise_is_keyed_by_patient_and_scan_not_by_order) {
  ks_ctx *ctx = ks_test_ctx();
  ks_circuit *c = NULL;
  KS_ASSERT_OK(ks_circuit_create_default(ctx, NULL, &c));
  ks_circuit_drive d = ks_circuit_drive_baseline();
  ks_circuit_sim_opts o = ks_circuit_sim_opts_default();
  o.duration_s = 20.0;
  o.warmup_s = 1.0;
  o.seed = 2021;
  enum { T = 10, N = 8 };
  double a[4][T * N], b[4][T * N];
  for (int p = 0; p < 4; p++) {
    o.patient = (uint64_t)p;
    KS_ASSERT_OK(ks_circuit_simulate(ctx, c, &d, NULL, &o, a[p], NULL));
  }
  for (int p = 3; p >= 0; p--) { /* reverse order, as another thread schedule would */
    o.patient = (uint64_t)p;
    KS_ASSERT_OK(ks_circuit_simulate(ctx, c, &d, NULL, &o, b[p], NULL));
  }
  for (int p = 0; p < 4; p++) KS_ASSERT_TRUE(memcmp(a[p], b[p], sizeof a[p]) == 0);
  KS_ASSERT_TRUE(memcmp(a[0], a[1], sizeof a[0]) != 0);
  o.patient = 0;
  o.scan = 1;
  KS_ASSERT_OK(ks_circuit_simulate(ctx, c, &d, NULL, &o, b[0], NULL));
  KS_ASSERT_TRUE(memcmp(a[0], b[0], sizeof a[0]) != 0);
  for (int i = 0; i < T * N; i++) KS_ASSERT_TRUE(isfinite(a[0][i]));
  ks_circuit_destroy(&c);
  ks_ctx_destroy(&ctx);
}

KS_TEST(connectome_loader_reports_file_line_col) {
  ks_ctx *ctx = ks_test_ctx();
  char dir[256];
  mk_tmpdir(dir, sizeof dir, "bad");
  ks_connectome *k = NULL;
  write_file(dir, "centres.txt", "# comment\nrAMYG 1 2 3\nlhx 4 5 6\n");
  write_file(dir, "weights.txt", "0 1\n1 x\n");
  write_file(dir, "tract_lengths.txt", "0 10\n10 0\n");
  KS_ASSERT_EQ_INT(ks_connectome_load(ctx, dir, &k), KS_EINPUT);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "weights.txt:2:3:") != NULL);
  write_file(dir, "weights.txt", "0 1\n1 0 5\n");
  KS_ASSERT_EQ_INT(ks_connectome_load(ctx, dir, &k), KS_EINPUT);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "weights.txt:2:5:") != NULL);
  write_file(dir, "weights.txt", "0 1\n");
  KS_ASSERT_EQ_INT(ks_connectome_load(ctx, dir, &k), KS_EINPUT);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "weights.txt:2:1:") != NULL);
  write_file(dir, "weights.txt", "0 1\n-1 0\n");
  KS_ASSERT_EQ_INT(ks_connectome_load(ctx, dir, &k), KS_EINPUT);
  write_file(dir, "weights.txt", "0 1\n1 0\n");
  write_file(dir, "centres.txt", "rAMYG 1 2\nlhx 4 5 6\n");
  KS_ASSERT_EQ_INT(ks_connectome_load(ctx, dir, &k), KS_EINPUT);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), "centres.txt:1:10:") != NULL);
  write_file(dir, "centres.txt", "rAMYG 1 2 3\nlhx 4 5 6\n");
  KS_ASSERT_OK(ks_connectome_load(ctx, dir, &k));
  KS_ASSERT_EQ_INT(ks_connectome_n_regions(k), 2);
  KS_ASSERT_NEAR(ks_connectome_length_mm(k, 0, 1), 10.0, 0.0);
  ks_connectome_destroy(&k);
  KS_ASSERT_TRUE(k == NULL);
  KS_ASSERT_EQ_INT(ks_connectome_load(ctx, "/nonexistent/ks", &k), KS_EIO);
  ks_ctx_destroy(&ctx);
}

KS_TEST(labels_map_to_circuit_roles) {
  KS_ASSERT_EQ_INT(ks_connectome_map_label("rAMYG"), KS_REGION_AMYGDALA);
  KS_ASSERT_EQ_INT(ks_connectome_map_label("Left-Amygdala"), KS_REGION_AMYGDALA);
  KS_ASSERT_EQ_INT(ks_connectome_map_label("ctx-lh-insula"), KS_REGION_AINSULA);
  KS_ASSERT_EQ_INT(ks_connectome_map_label("L_10v_ROI"), KS_REGION_VMPFC);
  KS_ASSERT_EQ_INT(ks_connectome_map_label("rh_rostralanteriorcingulate"), KS_REGION_RACC);
  KS_ASSERT_EQ_INT(ks_connectome_map_label("rPFCDL"), KS_REGION_DLPFC);
  KS_ASSERT_EQ_INT(ks_connectome_map_label("rV1"), -1);
}

KS_TEST(shipped_example_connectome_loads_and_maps) {
  const char *src = getenv("KS_SOURCE_DIR");
  char dir[1024];
  snprintf(dir, sizeof dir, "%s/data/circuit/example_bilateral", src ? src : ".");
  ks_ctx *ctx = ks_test_ctx();
  ks_connectome *k = NULL;
  KS_ASSERT_OK(ks_connectome_load(ctx, dir, &k));
  ks_circuit *c = NULL;
  KS_ASSERT_OK(ks_circuit_create_brain(ctx, k, NULL, NULL, &c));
  for (int r = 0; r < KS_REGION_N; r++) KS_ASSERT_TRUE(ks_circuit_role_index(c, (ks_region)r) >= 0);
  KS_ASSERT_TRUE(ks_circuit_region_index(c, "amygdala") >= 0);
  ks_circuit_drive d = ks_circuit_drive_baseline();
  double r[64];
  KS_ASSERT_OK(ks_circuit_steady_state(ctx, c, &d, NULL, r, NULL, NULL));
  KS_ASSERT_NEAR(r[0], 3.06, 0.01);
  ks_circuit_destroy(&c);
  ks_connectome_destroy(&k);
  ks_ctx_destroy(&ctx);
}

KS_TEST(whole_brain_with_delays_runs_and_stays_finite) {
  ks_ctx *ctx = ks_test_ctx();
  ks_connectome *k = NULL;
  KS_ASSERT_OK(ks_connectome_create_synthetic(ctx, 379, 0.1, 42, &k));
  ks_circuit *c = NULL;
  KS_ASSERT_OK(ks_circuit_create_brain(ctx, k, NULL, NULL, &c));
  KS_ASSERT_EQ_INT(ks_circuit_n_regions(c), 379);
  KS_ASSERT_EQ_INT(ks_circuit_role_index(c, KS_REGION_AMYGDALA), KS_REGION_AMYGDALA);
  ks_circuit_drive d = ks_circuit_drive_baseline();
  ks_circuit_sim_opts o = ks_circuit_sim_opts_default();
  o.duration_s = 4.0;
  o.warmup_s = 0.0;
  static double bold[2 * 379], rE[379];
  KS_ASSERT_OK(ks_circuit_simulate(ctx, c, &d, NULL, &o, bold, rE));
  for (int i = 0; i < 2 * 379; i++) KS_ASSERT_TRUE(isfinite(bold[i]));
  for (int i = 0; i < 379; i++) KS_ASSERT_RANGE(rE[i], 1.0, 8.0);
  ks_circuit_destroy(&c);
  ks_connectome_destroy(&k);
  ks_ctx_destroy(&ctx);
}

KS_TEST(phenotype_sampling_keyed_and_directed) {
  ks_rng r1, r2;
  ks_circuit_phenotype a, b, m;
  ks_rng_init(&r1, 1, KS_STREAM_CIRCUIT_IIV, 17, 0);
  ks_rng_init(&r2, 1, KS_STREAM_CIRCUIT_IIV, 17, 0);
  ks_circuit_phenotype_sample(&r1, 0.8, &a);
  ks_circuit_phenotype_sample(&r2, 0.8, &b);
  KS_ASSERT_TRUE(memcmp(&a, &b, sizeof a) == 0);
  ks_circuit_phenotype_sample(NULL, 1.0, &m);
  KS_ASSERT_TRUE(m.vmpfc_amygdala_control < 1.0 && m.amygdala_reactivity > 1.0);
  KS_ASSERT_TRUE(m.salience_coupling > 1.0 && m.dmn_coupling < 1.0);
  ks_circuit_phenotype_sample(NULL, 0.0, &m);
  KS_ASSERT_NEAR(m.vmpfc_amygdala_control, 1.0, 0.0);
}

KS_TEST(bad_arguments_are_refused) {
  ks_ctx *ctx = ks_test_ctx();
  ks_circuit *c = NULL;
  ks_circuit_phenotype p = ks_circuit_phenotype_healthy();
  p.salience_coupling = -1.0;
  KS_ASSERT_EQ_INT(ks_circuit_create_default(ctx, &p, &c), KS_EINVAL);
  KS_ASSERT_TRUE(c == NULL);
  KS_ASSERT_OK(ks_circuit_create_default(ctx, NULL, &c));
  ks_circuit_drive d = ks_circuit_drive_baseline();
  d.nmda_block_E = 1.5;
  double r[8];
  KS_ASSERT_EQ_INT(ks_circuit_steady_state(ctx, c, &d, NULL, r, NULL, NULL), KS_EINVAL);
  d = ks_circuit_drive_baseline();
  ks_circuit_sim_opts o = ks_circuit_sim_opts_default();
  o.dt_ms = 0.3;
  KS_ASSERT_EQ_INT(ks_circuit_simulate(ctx, c, &d, NULL, &o, r, NULL), KS_EINVAL);
  KS_ASSERT_EQ_INT(ks_circuit_region_index(c, "PCC"), KS_REGION_PCC);
  KS_ASSERT_EQ_INT(ks_circuit_region_index(c, "cerebellum"), -1);
  ks_circuit_destroy(&c);
  ks_circuit_destroy(&c); /* NULL-safe */
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
