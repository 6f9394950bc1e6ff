/* SPDX-License-Identifier: MIT */
/* Calibration as a procedure (issue 14): fit a named parameter vector to declared targets with a
 * derivative-free NLopt method from a stated start, then a Laplace approximation at the optimum
 * for the parameter ensemble (docs/model/calibrate.md).
 *
 * The objective is J(x) = sum_k ((sim_k(x) - published_k) / se_k)^2, with se_k the published
 * standard error of target k (from its 95% CI or SD/sqrt(n)). With a fixed seed the simulation
 * uses common random numbers, so J is a deterministic function of x. Under a Gaussian likelihood
 * J = -2 log L + const, so the Laplace covariance at the optimum is 2 H^-1, with H the
 * Gauss-Newton Hessian 2 J_r' J_r (J_r the Jacobian of the residuals (sim - published) / se, by
 * central differences with steps of 10% of each range): the Fisher information, positive
 * semi-definite by construction, where the full second differences of a simulated objective are
 * dominated by its roughness away from the optimum.
 *
 * Identifiability, per parameter: a parameter is identifiable when its Laplace 95% interval
 * (+- 1.96 sd) is narrower than its whole allowed range. The procedure: (1) screen at the start:
 * the curvature H_ii of each parameter alone gives the narrowest interval it can have (the joint
 * one is wider); a parameter failing that is unidentifiable and is never moved; (2) fit the
 * rest from the start (LN_BOBYQA; LN_NELDERMEAD for one); (3) Hessian over them at the optimum;
 * if it is not positive definite, or some interval is wider than the range, the worst parameter is
 * put back at its start and (2)-(3) repeat without it. Unidentifiable parameters keep their start.
 * Why Laplace and not ABC: each evaluation of J is a full virtual trial; the Hessian costs 2 m
 * evaluations for m parameters, ABC rejection thousands. The approximation is local
 * (one mode, Gaussian), and the covariance is conditional on the unidentifiable ones at their
 * start (the ensemble draws those uniformly over their range). */
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
  double x[KS_CALIB_MAX_PARAMS];      /* the optimum (unidentifiable parameters: their start) */
  double sd[KS_CALIB_MAX_PARAMS];     /* Laplace SD; NAN when unidentifiable */
  double cov[KS_CALIB_MAX_PARAMS * KS_CALIB_MAX_PARAMS]; /* Laplace covariance (row-major, n x n;
                                         NAN in the rows and columns of unidentifiable ones) */
  int identifiable[KS_CALIB_MAX_PARAMS];
  double screen_width[KS_CALIB_MAX_PARAMS]; /* the screen's 95% interval / range (inf: no curvature) */
  double dropped_at[KS_CALIB_MAX_PARAMS];   /* where the optimizer had a parameter dropped after the
                                         fit (NAN: not dropped after a fit) */
  double objective, objective_start;  /* J at the optimum and at the start */
  int n_evals;
  char algorithm[32];
} ks_calib_result;

/** Fit as described above. A failed
 *  simulation, or a NAN simulated value, makes J = 1e10 at that point (refused region).
 *  @return KS_OK; KS_EINVAL; the first status of a failing set(); KS_ENUMERIC when NLopt fails. */
KS_API ks_status ks_calibrate(ks_ctx *ctx, const ks_calib_problem *p, ks_calib_result *out);

/** The objective J at x (n_params values), through the same set/simulate callbacks. */
KS_API ks_status ks_calib_objective(ks_ctx *ctx, const ks_calib_problem *p, const double *x, double *j);

/* ---- The ensemble: parameter uncertainty in a prediction ---- */

struct ks_scenario;
struct ks_trial_result;
struct ks_trial_options;

/** Set on CTX draw K of the committed parameter ensemble (data/calibration/fitted.tsv):
 *  identifiable parameters from the Laplace multivariate normal, reflected into their ranges, an
 *  unidentifiable one uniformly over its range (the targets say nothing about it). Keyed by
 *  (seed, KS_STREAM_ENSEMBLE, parameter, K): the same draws for any thread count.
 *  The identifiable parameters are drawn jointly from the full Laplace covariance
 *  (ks_model_param_fitted_cov): x = value + L z with L L' = cov (the Cholesky of src/linalg) and z
 *  standard normal; a coordinate that leaves its range is reflected back into it at the bound it
 *  crossed (repeatedly, so it always lands inside).
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
