/* SPDX-License-Identifier: MIT */
/* Presets, range checks and the per-patient draws. */
#include "harness.h"

#include <unistd.h>
#include <ketasim/population.h>

KS_TEST(presets_exist_and_pass_their_checks) {
  ks_ctx_opts o = ks_ctx_opts_default();
  ks_ctx *ctx = NULL;
  KS_ASSERT_OK(ks_ctx_create(&o, &ctx));
  for (const char *const *n = ks_population_preset_names(); *n; n++) {
    ks_population_params p;
    KS_ASSERT_OK(ks_population_preset(*n, &p));
    KS_ASSERT_EQ_STR(p.preset, *n);
    KS_ASSERT_OK(ks_population_check(ctx, &p));
  }
  ks_population_params p;
  KS_ASSERT_EQ_INT(ks_population_preset("martians", &p), KS_EINPUT);
  KS_ASSERT_OK(ks_population_preset("civilian-chronic-ptsd", &p));
  p.female_frac = 1.5;
  KS_ASSERT_EQ_INT(ks_population_check(ctx, &p), KS_EINPUT);
  ks_ctx_destroy(&ctx);
}

KS_TEST(draws_match_the_preset_and_are_keyed_by_patient) {
  ks_population_params p;
  KS_ASSERT_OK(ks_population_preset("civilian-chronic-ptsd", &p));
  const int n = 20000;
  double s_age = 0, s_caps = 0, s_caps2 = 0, n_f = 0, s_lw = 0;
  for (int i = 0; i < n; i++) {
    ks_patient a;
    ks_population_draw(&p, 99, (uint64_t)i, &a);
    KS_ASSERT_RANGE(a.age_y, p.age_min_y, p.age_max_y);
    KS_ASSERT_RANGE(a.weight_kg, p.weight_min_kg, p.weight_max_kg);
    KS_ASSERT_RANGE(a.caps5_true, 0, 80);
    s_age += a.age_y;
    s_caps += a.caps5_true;
    s_caps2 += a.caps5_true * a.caps5_true;
    n_f += a.female;
    s_lw += log(a.weight_kg);
  }
  /* Ages are a normal truncated to [age_min, age_max]: compare with the truncated mean. */
  double za = (p.age_min_y - p.age_mean_y) / p.age_sd_y, zb = (p.age_max_y - p.age_mean_y) / p.age_sd_y;
  double phi_a = exp(-za * za / 2) / sqrt(2 * M_PI), phi_b = exp(-zb * zb / 2) / sqrt(2 * M_PI);
  double Z = 0.5 * (erfc(-zb / M_SQRT2) - erfc(-za / M_SQRT2));
  KS_ASSERT_NEAR(s_age / n, p.age_mean_y + p.age_sd_y * (phi_a - phi_b) / Z, 0.25);
  KS_ASSERT_NEAR(s_caps / n, p.caps5_mean, 0.3);
  KS_ASSERT_NEAR(sqrt(s_caps2 / n - (s_caps / n) * (s_caps / n)), p.caps5_sd, 0.3);
  KS_ASSERT_NEAR(n_f / n, p.female_frac, 0.015);
  KS_ASSERT_NEAR(exp(s_lw / n), p.weight_median_kg, 2.0);
  ks_patient a, b;
  ks_population_draw(&p, 99, 17, &a);
  ks_population_draw(&p, 99, 17, &b);
  KS_ASSERT_TRUE(memcmp(&a, &b, sizeof a) == 0);
  ks_population_draw(&p, 100, 17, &b);
  KS_ASSERT_TRUE(a.age_y != b.age_y);
}

/* A covariate table: given values replace the drawn ones, the rest is the usual draw, and a given
 * CAPS-5 moves the latent severity to (caps5 - mean) / sd. */
KS_TEST(covariate_table_gives_these_patients) {
  ks_ctx *ctx = ks_test_ctx();
  char path[128];
  snprintf(path, sizeof path, "/tmp/ks_test_popcsv_%ld.csv", (long)getpid());
  FILE *f = fopen(path, "w");
  fputs("# units: WT=lb\nID,AGE,SEX,WT,caps5,hypertension,other\n"
        "a,34,F,154,52,1,x\n"
        "b,,M,.,,,y\n", f);
  fclose(f);
  ks_population_table *t = NULL;
  KS_ASSERT_OK(ks_population_table_read(ctx, path, &t));
  KS_ASSERT_EQ_INT(ks_population_table_n(t), 2);
  ks_population_params p;
  KS_ASSERT_OK(ks_population_preset("civilian-chronic-ptsd", &p));
  ks_patient a, drawn, b;
  ks_population_table_patient(t, 0, &p, 7, 3, &a);
  ks_population_draw(&p, 7, 3, &drawn);
  KS_ASSERT_NEAR(a.age_y, 34.0, 0.0);
  KS_ASSERT_EQ_INT(a.female, 1);
  KS_ASSERT_NEAR(a.weight_kg, 154.0 * 0.45359237, 1e-9);
  KS_ASSERT_NEAR(a.caps5_true, 52.0, 0.0);
  KS_ASSERT_NEAR(a.severity_z, (52.0 - p.caps5_mean) / p.caps5_sd, 1e-12);
  KS_ASSERT_EQ_INT(a.hypertension, 1);
  KS_ASSERT_NEAR(a.sbp_mmHg - drawn.sbp_mmHg, drawn.hypertension ? 0.0 : 15.0, 1e-9);
  KS_ASSERT_NEAR(a.years_since_trauma, drawn.years_since_trauma, 0.0);  /* not given: drawn */
  ks_population_table_patient(t, 1, &p, 7, 4, &b);
  ks_population_draw(&p, 7, 4, &drawn);
  KS_ASSERT_EQ_INT(b.female, 0);
  KS_ASSERT_NEAR(b.age_y, drawn.age_y, 0.0);
  KS_ASSERT_NEAR(b.weight_kg, drawn.weight_kg, 0.0);
  ks_population_table_destroy(ctx, &t);
  /* Out of range, with the line and column. */
  f = fopen(path, "w");
  fputs("age_y,weight_kg\n40,70\n40,20\n", f);
  fclose(f);
  KS_ASSERT_EQ_INT(ks_population_table_read(ctx, path, &t), KS_EINPUT);
  KS_ASSERT_TRUE(strstr(ks_ctx_last_error(ctx), ":3:4: weight_kg 20 is out of range") != NULL);
  unlink(path);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
