/* SPDX-License-Identifier: MIT */
/* Individual MAP estimation: planted parameters are recovered from simulated noisy data.
 *
 * Each virtual subject gets deviates z ~ N(0, 1) for every parameter of the set (the prior the
 * fit assumes), a 0.5 mg/kg IV infusion over 40 min, and plasma samples of ketamine and
 * norketamine at 14 times over 24 h with the residual error the fit assumes (15% proportional,
 * 0.5 ng/mL additive). The rule, fixed before looking at any estimate: if the posterior and its
 * Laplace standard errors are right, (eta_hat - eta_true) / SE is roughly N(0, 1), so about 95%
 * of subjects fall within 2 SE. We assert at least 80% per parameter (24 subjects: a correct
 * method fails this with probability < 1%) and at least 90% over all parameters; and that the
 * data do inform clearance: SE of eta_CL below half its prior SD for every subject, and the
 * estimates correlate with the planted values (r > 0.9). */
#include "harness.h"

#include <ketasim/fit.h>
#include <ketasim/rng.h>

#define N_SUBJ 24
#define N_T 14

static const double t_sample_h[N_T] = {0.17, 0.33, 0.5, 0.67, 0.75, 1.0, 1.5,
                                       2.0,  3.0,  4.0, 6.0,  8.0,  12.0, 24.0};

static double corr(const double *a, const double *b, int n) {
  double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
  for (int i = 0; i < n; i++) { ma += a[i] / n; mb += b[i] / n; }
  for (int i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / sqrt(saa * sbb);
}

KS_TEST(planted_parameters_recovered_within_two_se) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  const char *model = "fanta2015";
  ks_fit_options o = ks_fit_options_default();
  o.model = model;
  o.sigma_prop = 0.15;
  o.sigma_add_ng_per_mL = 0.5;
  int within[KS_PKP_N] = {0}, counted[KS_PKP_N] = {0}, n_in = 0, n_all = 0;
  double cl_true[N_SUBJ], cl_hat[N_SUBJ], max_se_cl = 0.0;
  printf("%-4s %-5s %9s %9s %8s\n", "subj", "param", "planted", "estimate", "SE");
  for (int s = 0; s < N_SUBJ; s++) {
    ks_rng r;
    ks_rng_init(&r, 20240611u, KS_STREAM_TEST, (uint64_t)s, 0);
    double wt = 55.0 + 40.0 * ks_rng_uniform(&r);
    ks_pk_patient truth = ks_pk_patient_typical(wt, 35.0, s % 2);
    for (int k = 0; k < KS_PKP_N; k++) truth.eta_z[KS_DRUG_KETAMINE][k] = ks_rng_normal(&r);
    ks_pk_dose dose = {KS_DRUG_KETAMINE, KS_ROUTE_IV, 0.5 * wt, 0.0, 40.0 / 60.0};
    ks_pk_options po = ks_pk_options_default();
    po.model[KS_DRUG_KETAMINE] = model;
    ks_pk_sim *sim = NULL;
    KS_ASSERT_OK(ks_pk_sim_create(ctx, &truth, &dose, 1, &po, &sim));
    double t[2 * N_T], dv[2 * N_T];
    int met[2 * N_T];
    for (int i = 0; i < 2 * N_T; i++) {
      ks_pk_conc c;
      t[i] = t_sample_h[i % N_T];
      met[i] = i >= N_T;
      KS_ASSERT_OK(ks_pk_sim_eval(sim, t[i], &c));
      double f = met[i] ? c.plasma_ng_per_mL[KS_SP_S_NORKETAMINE] + c.plasma_ng_per_mL[KS_SP_R_NORKETAMINE]
                        : c.plasma_ng_per_mL[KS_SP_S_KETAMINE] + c.plasma_ng_per_mL[KS_SP_R_KETAMINE];
      double sd = sqrt(pow(o.sigma_prop * f, 2) + pow(o.sigma_add_ng_per_mL, 2));
      dv[i] = fmax(0.0, f + sd * ks_rng_normal(&r));
    }
    ks_pk_sim_destroy(&sim);
    ks_fit_input in = {.patient = ks_pk_patient_typical(wt, 35.0, s % 2), .doses = &dose,
                       .n_doses = 1, .t_h = t, .dv_ng_per_mL = dv, .metabolite = met,
                       .n_obs = 2 * N_T};
    ks_fit_result *fr = NULL;
    KS_ASSERT_OK(ks_fit_map(ctx, &in, KS_DRUG_KETAMINE, &o, &fr));
    KS_ASSERT_TRUE(fr->hessian_ok);
    KS_ASSERT_EQ_INT(fr->n_est, 7);  /* CL V1 VP1 VP2 Q CLM VM: IV, both analytes */
    for (size_t k = 0; k < fr->n_est; k++) {
      const ks_fit_estimate *e = &fr->est[k];
      double planted = e->omega * truth.eta_z[KS_DRUG_KETAMINE][e->param];
      int ok = fabs(e->eta - planted) <= 2.0 * e->se;
      within[e->param] += ok;
      counted[e->param]++;
      n_in += ok;
      n_all++;
      if (e->param == KS_PKP_CL) {
        cl_true[s] = planted;
        cl_hat[s] = e->eta;
        max_se_cl = fmax(max_se_cl, e->se / e->omega);
      }
      printf("%-4d %-5s %9.3f %9.3f %8.3f%s\n", s + 1, ks_pk_param_name(e->param), planted,
             e->eta, e->se, ok ? "" : "  outside 2 SE");
    }
    ks_fit_result_destroy(ctx, &fr);
  }
  printf("coverage within 2 SE:");
  for (int p = 0; p < KS_PKP_N; p++)
    if (counted[p]) printf(" %s %d/%d", ks_pk_param_name((ks_pk_param)p), within[p], counted[p]);
  double r_cl = corr(cl_true, cl_hat, N_SUBJ);
  printf("; all %d/%d; max SE(eta_CL)/omega %.3f; r(CL) %.3f\n", n_in, n_all, max_se_cl, r_cl);
  for (int p = 0; p < KS_PKP_N; p++)
    if (counted[p]) KS_ASSERT_TRUE(within[p] >= (int)ceil(0.80 * counted[p]));
  KS_ASSERT_TRUE(n_in >= (int)ceil(0.90 * n_all));
  KS_ASSERT_TRUE(max_se_cl < 0.5);
  KS_ASSERT_TRUE(r_cl > 0.9);
  ks_ctx_destroy(&ctx);
}

/* With no data beyond one uninformative point the posterior is the prior: estimates near 0 and
 * standard errors near omega (the Laplace approximation of a N(0, omega^2) prior is exact). */
KS_TEST(uninformative_data_returns_the_prior) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  ks_pk_dose dose = {KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, 10.0, 0.5};
  double t = 1.0, dv = 0.0;  /* before the dose: the prediction is 0 whatever the parameters */
  ks_fit_input in = {.patient = ks_pk_patient_typical(70, 40, 0), .doses = &dose, .n_doses = 1,
                     .t_h = &t, .dv_ng_per_mL = &dv, .n_obs = 1};
  ks_fit_result *fr = NULL;
  KS_ASSERT_OK(ks_fit_map(ctx, &in, KS_DRUG_KETAMINE, NULL, &fr));
  KS_ASSERT_EQ_INT(fr->n_est, 5);
  for (size_t k = 0; k < fr->n_est; k++) {
    KS_ASSERT_NEAR(fr->est[k].eta, 0.0, 1e-4);
    KS_ASSERT_REL(fr->est[k].se, fr->est[k].omega, 1e-3);
  }
  ks_fit_result_destroy(ctx, &fr);
  ks_ctx_destroy(&ctx);
}

KS_TEST(bad_residual_error_refused) {
  ks_ctx *ctx = ks_test_ctx();
  KS_ASSERT_TRUE(ctx);
  ks_pk_dose dose = {KS_DRUG_KETAMINE, KS_ROUTE_IV, 35.0, 0.0, 0.5};
  double t = 1.0, dv = 50.0;
  ks_fit_input in = {.patient = ks_pk_patient_typical(70, 40, 0), .doses = &dose, .n_doses = 1,
                     .t_h = &t, .dv_ng_per_mL = &dv, .n_obs = 1};
  ks_fit_options o = ks_fit_options_default();
  o.sigma_prop = 0.0;
  o.sigma_add_ng_per_mL = 0.0;
  ks_fit_result *fr = NULL;
  KS_ASSERT_EQ_INT(ks_fit_map(ctx, &in, KS_DRUG_KETAMINE, &o, &fr), KS_EINPUT);
  KS_ASSERT_TRUE(fr == NULL);
  in.n_obs = 0;
  KS_ASSERT_EQ_INT(ks_fit_map(ctx, &in, KS_DRUG_KETAMINE, NULL, &fr), KS_EINPUT);
  ks_ctx_destroy(&ctx);
}

KS_TEST_MAIN()
