/* SPDX-License-Identifier: MIT */
/* Individual Bayesian (MAP) estimation of a patient's PK parameters from their own doses and
 * plasma concentrations, with a published parameter set as the prior.
 *
 * Model: each parameter P with between-patient SD omega_P in the set has a multiplier
 * exp(eta_P) on its typical value (logit for F), eta_P ~ N(0, omega_P^2) a priori (the set's
 * IIV, see ks_pk_model_omega). An observation y of the parent (or metabolite) plasma total is
 * y = f + sqrt((sigma_prop f)^2 + sigma_add^2) eps, eps ~ N(0, 1), f the model prediction.
 * The estimate maximises the posterior; its standard errors come from the inverse of the Hessian
 * of the negative log posterior at the maximum (the Laplace approximation), by finite
 * differences. Optimiser: NLopt's BOBYQA (Powell 2009) on the standardised deviates. */
#ifndef KETASIM_FIT_H
#define KETASIM_FIT_H

#include <ketasim/core.h>
#include <ketasim/nonmem.h>
#include <ketasim/pk.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One subject's data as the PK layer sees it. Arrays are borrowed. */
typedef struct ks_fit_input {
  ks_pk_patient patient;          /* covariates; eta_z and mult are ignored */
  const ks_pk_dose *doses;
  size_t n_doses;
  const double *t_h;              /* n_obs observation times, hours */
  const double *dv_ng_per_mL;     /* n_obs observed concentrations */
  const int *metabolite;          /* n_obs flags: 1 metabolite (norketamine) total, 0 parent */
  size_t n_obs;
} ks_fit_input;

/** Options. sigma values are the residual error model; the built-in sets publish none, so the
 *  defaults (20% proportional, 1 ng/mL additive) are assumptions the caller should replace with
 *  the assay's own when known. */
typedef struct ks_fit_options {
  const char *model;              /* parameter set; NULL: ks_pk_model_default(drug) */
  double sigma_prop;              /* proportional SD, fraction of the prediction (>= 0) */
  double sigma_add_ng_per_mL;     /* additive SD (>= 0; not both 0) */
  int allow_unstudied_doses;
  int max_eval;                   /* optimiser budget; 0: 4000 */
} ks_fit_options;

KS_API ks_fit_options ks_fit_options_default(void);

/** One estimated parameter. */
typedef struct ks_fit_estimate {
  ks_pk_param param;
  double omega;                   /* prior SD of eta */
  double eta;                     /* MAP estimate of the log multiplier (logit for F) */
  double se;                      /* its standard error (NAN when the Hessian is not positive
                                     definite) */
  int at_bound;                   /* 1: the estimate sits at |eta| = 6 omega */
} ks_fit_estimate;

typedef struct ks_fit_result {
  ks_drug drug;
  char model[32];
  size_t n_est;
  ks_fit_estimate est[KS_PKP_N];
  double neg_log_post;            /* at the estimate, without constants */
  int hessian_ok;                 /* 1: positive definite, standard errors valid */
  int n_eval;                     /* objective evaluations by the optimiser */
  size_t n_obs;
  double *ipred_ng_per_mL;        /* individual predictions at the observations */
  double *pred_ng_per_mL;         /* typical-patient (eta 0) predictions */
  double *iwres;                  /* (dv - ipred) / residual SD at ipred */
} ks_fit_result;

/** MAP estimates for one subject given drug D. Estimated: every parameter with omega > 0 in the
 *  set that the data can inform (absorption and F only with extravascular doses; metabolite
 *  parameters only with metabolite observations). Writes *out only on success; free it with
 *  ks_fit_result_destroy. @return KS_OK; KS_EINPUT (no observations, sigma both 0, a dose the PK
 *  layer refuses: see ks_pk_sim_create), KS_ERANGE (unstudied dose), KS_ENUMERIC (optimiser
 *  failure), KS_ENOMEM. Thread-safety: distinct calls may run concurrently with one ctx. */
KS_API ks_status ks_fit_map(ks_ctx *ctx, const ks_fit_input *in, ks_drug drug,
                            const ks_fit_options *opts, ks_fit_result **out);
KS_API void ks_fit_result_destroy(ks_ctx *ctx, ks_fit_result **r);

/** A data set's subject as a ks_fit_input: the drug and route come from data->drug/route
 *  (resolved here, with a FILE:LINE:COL error for an unknown name); doses into the central
 *  compartment are IV (bolus or infusion), doses into the depot go by the declared route;
 *  missing covariates take 70 kg, 40 y, male. The arrays are allocated through ctx and owned by
 *  *bufs (free with ks_fit_input_free). @return KS_OK, KS_EINPUT, KS_ENOMEM. */
typedef struct ks_fit_input_bufs {
  ks_pk_dose *doses;
  double *t_h, *dv;
  int *met;
} ks_fit_input_bufs;
KS_API ks_status ks_fit_input_from_data(ks_ctx *ctx, const ks_nm_data *data, size_t subject,
                                        ks_drug *drug, ks_fit_input *in, ks_fit_input_bufs *bufs);
KS_API void ks_fit_input_free(ks_ctx *ctx, ks_fit_input_bufs *bufs);

#ifdef __cplusplus
}
#endif
#endif
