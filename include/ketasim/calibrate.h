/* SPDX-License-Identifier: MIT */
/* Calibration as a procedure (issue 14): fit a named parameter vector to declared targets with a
 * derivative-free NLopt method from a stated start, then a Laplace approximation at the optimum
 * for the parameter ensemble.
 *
 * The objective is J(x) = sum_k ((sim_k(x) - published_k) / se_k)^2, with se_k the published
 * standard error of target k (from its 95% CI or SD/sqrt(n)). With a fixed seed the simulation
 * uses common random numbers, so J is a deterministic function of x. Under a Gaussian likelihood
 * J = -2 log L + const, so the Laplace covariance at the optimum is 2 H^-1 (H the Hessian of J,
 * by central differences). A parameter is reported unidentifiable when the targets cannot pin it:
 * its curvature is non-positive, or its 95% Laplace interval is wider than its whole allowed range.
 * Why Laplace and not ABC rejection: each evaluation is a full virtual trial; the Hessian costs
 * 2p^2 + 1 evaluations, ABC thousands. The approximation is local (one mode, Gaussian). */
#ifndef KETASIM_CALIBRATE_H
#define KETASIM_CALIBRATE_H

#include <ketasim/core.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KS_CALIB_MAX_PARAMS 16

typedef struct ks_calib_param {
  const char *name;
  double start, lo, hi;      /* the stated start and the allowed range */
} ks_calib_param;

/* How the parameters reach the model: set NAME to VALUE before a simulation. */
typedef ks_status (*ks_calib_set_fn)(void *ud, const char *name, double value);
/* Run the model at the values set and write the n_targets simulated values (NAN: not computed). */
typedef ks_status (*ks_calib_simulate_fn)(void *ud, double *simulated, size_t n_targets);

typedef struct ks_calib_problem {
  const ks_calib_param *params;
  size_t n_params;
  const double *published, *se;  /* n_targets each; se > 0 */
  size_t n_targets;
  ks_calib_set_fn set;
  ks_calib_simulate_fn simulate;
  void *ud;
  int max_evals;                 /* optimizer budget (evaluations of J) */
  double xtol_rel;               /* relative tolerance on x */
} ks_calib_problem;

typedef struct ks_calib_result {
  double x[KS_CALIB_MAX_PARAMS];      /* the optimum */
  double sd[KS_CALIB_MAX_PARAMS];     /* Laplace SD; NAN when unidentifiable */
  double cov[KS_CALIB_MAX_PARAMS * KS_CALIB_MAX_PARAMS]; /* Laplace covariance (row-major) */
  int identifiable[KS_CALIB_MAX_PARAMS];
  double objective, objective_start;  /* J at the optimum and at the start */
  int n_evals;
  char algorithm[32];
} ks_calib_result;

/** Fit: LN_BOBYQA from each parameter's start within [lo, hi], then the Laplace step. A failed
 *  simulation, or a NAN simulated value, makes J = 1e10 at that point (refused region).
 *  @return KS_OK; KS_EINVAL; the first status of a failing set(); KS_ENUMERIC when NLopt fails. */
KS_API ks_status ks_calibrate(ks_ctx *ctx, const ks_calib_problem *p, ks_calib_result *out);

/** The objective J at x (n_params values), through the same set/simulate callbacks. */
KS_API ks_status ks_calib_objective(ks_ctx *ctx, const ks_calib_problem *p, const double *x, double *j);

/* ---- The ensemble: parameter uncertainty in a prediction ---- */

struct ks_scenario;
struct ks_trial_result;
struct ks_trial_options;

/** Set on CTX draw K of the committed parameter ensemble (data/calibration/fitted.tsv): an
 *  identifiable parameter from its Laplace normal N(value, sd^2) truncated to its range, an
 *  unidentifiable one uniformly over its range (the targets say nothing about it). Keyed by
 *  (seed, KS_STREAM_ENSEMBLE, parameter, K): the same draws for any thread count.
 *  The Laplace correlations are not stored: parameters are drawn independently.
 *  @return KS_OK; what ks_model_param_set returns. */
KS_API ks_status ks_ensemble_draw(ks_ctx *ctx, uint64_t seed, uint64_t k);

#define KS_UNCERTAINTY_MAX 20
typedef struct ks_uncertainty_endpoint {
  char name[96];                 /* "primary difference", "response ketamine", ... */
  double estimate;               /* the run at the committed parameter set */
  double ci_lo, ci_hi;           /* its sampling 95% CI */
  double pi_lo, pi_hi;           /* 95% prediction interval over the ensemble draws */
} ks_uncertainty_endpoint;

typedef struct ks_uncertainty {
  size_t k;                      /* ensemble draws run */
  size_t n;                      /* endpoints */
  ks_uncertainty_endpoint e[KS_UNCERTAINTY_MAX];
} ks_uncertainty;

/** Run SC K more times, each at one ensemble draw (same seed: common random numbers, so the
 *  spread is the parameters' alone), and give every endpoint of BASE (the run at the committed
 *  set) its 95% prediction interval (2.5th and 97.5th percentiles, type 7) next to its sampling
 *  CI: the primary contrast and each arm's response and remission rates. The context's
 *  parameters are cleared afterwards. @return KS_OK; KS_EINVAL (K < 2); what ks_trial_run returns. */
KS_API ks_status ks_trial_uncertainty(ks_ctx *ctx, const struct ks_scenario *sc, const struct ks_trial_options *opts,
                                      const struct ks_trial_result *base, size_t k, ks_uncertainty *out);

/** Add `"uncertainty"` (the endpoints above, the draw count and the method) to the summary.json
 *  at PATH, rewriting it through a temporary file. @return KS_OK, KS_EIO, KS_EINPUT (not JSON). */
KS_API ks_status ks_uncertainty_write_json(ks_ctx *ctx, const char *path, const ks_uncertainty *u);

#ifdef __cplusplus
}
#endif
#endif
