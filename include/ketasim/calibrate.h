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

#ifdef __cplusplus
}
#endif
#endif
