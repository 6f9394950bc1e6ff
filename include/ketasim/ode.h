/* SPDX-License-Identifier: MIT */
/* Stiff ODE integration: the one interface to SUNDIALS CVODE (BDF, dense direct linear solver).
 *
 * Lifecycle (CVODE's): ks_ode_create -> ks_ode_set_* -> ks_ode_init -> ks_ode_advance ... ->
 * ks_ode_destroy. A layer whose input has kinks (dose starts, infusion ends) advances to each kink
 * with t_stop set there and calls ks_ode_init again from the state it reached, so the integrator
 * never steps across a discontinuity of the right-hand side and restarts at low order there.
 * Every buffer is allocated by ks_ode_create; integrating allocates nothing. */
#ifndef KETASIM_ODE_H
#define KETASIM_ODE_H

#include <ketasim/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Right-hand side dy/dt = f(t, y) in CVODE's convention: return 0 on success, > 0 for a
 *  recoverable failure (the step is retried smaller), < 0 for a fatal failure (the integration
 *  stops with KS_ESOLVER). y and dydt have n_state entries; t is in the caller's time unit. */
typedef int (*ks_ode_rhs_fn)(double t, const double *y, double *dydt, void *ud);

typedef struct ks_ode ks_ode;

/** Integrator counters (cumulative since ks_ode_create). */
typedef struct ks_ode_stats {
  long n_steps;        /* internal steps */
  long n_rhs;          /* right-hand-side evaluations, including those for Jacobians */
  long n_jac;          /* Jacobian evaluations (finite differences) */
  long n_err_fails;    /* steps rejected by the local error test */
  long n_restarts;     /* calls of ks_ode_init */
} ks_ode_stats;

/** Create an integrator for n_state states (1 <= n_state <= 4096). rhs and ud are borrowed and
 *  must outlive the integrator. Defaults: rtol 1e-6, atol 1e-9, no non-negativity, no maximum
 *  step, 200000 internal steps per advance. Writes *out only on success.
 *  @return KS_OK, KS_EINVAL, KS_ENOMEM, KS_ESOLVER (SUNDIALS could not be set up). */
KS_API ks_status ks_ode_create(ks_ctx *ctx, size_t n_state, ks_ode_rhs_fn rhs, void *ud,
                               ks_ode **out);

/** Free the integrator and set *ode to NULL; does nothing when *ode is NULL. */
KS_API void ks_ode_destroy(ks_ode **ode);

/** Scalar relative and absolute tolerances (rtol in [1e-14, 1e-2], atol > 0), applied from the
 *  next ks_ode_init. @return KS_OK or KS_EINVAL. */
KS_API ks_status ks_ode_set_tolerances(ks_ode *ode, double rtol, double atol);

/** Require every state to stay >= 0. CVODE enforces it as an inequality constraint: a step whose
 *  predicted state has a negative entry is rejected and retried smaller, so the solution is
 *  non-negative at every returned time (the right-hand side may still see tiny negative trial
 *  values and should treat them as 0). Applied from the next ks_ode_init. */
KS_API ks_status ks_ode_set_nonnegative(ks_ode *ode, int on);

/** Largest internal step (0: unlimited), applied from the next ks_ode_init. */
KS_API ks_status ks_ode_set_max_step(ks_ode *ode, double h_max);

/** Names used in failure messages: state_names[0..n_state) (borrowed, may be NULL) and a short
 *  description of the parameter set (copied, may be NULL), e.g. "ketamine 35 mg iv, deficit 0.15". */
KS_API ks_status ks_ode_set_labels(ks_ode *ode, const char *const *state_names,
                                   const char *param_set);

/** (Re)start the integration at t0 from y0[0..n_state) (copied). The first call initialises CVODE,
 *  later calls re-initialise it without allocating. @return KS_OK, KS_EINVAL (non-finite or, with
 *  non-negativity on, negative y0), KS_ESOLVER. */
KS_API ks_status ks_ode_init(ks_ode *ode, double t0, const double *y0);

/** Integrate to t_out without stepping past t_stop (t_stop >= t_out; pass t_out itself to stop
 *  there exactly) and write y(t_out) to y_out[0..n_state). t_out must not be earlier than the
 *  previous t_out since the last init. A failure returns KS_ESOLVER with a message naming the
 *  time, the CVODE flag, the state with the largest local error and the parameter set; y_out is
 *  then left unchanged.
 *  @return KS_OK, KS_EINVAL, KS_ESOLVER. Thread-safety: one thread per ks_ode. */
KS_API ks_status ks_ode_advance(ks_ode *ode, double t_out, double t_stop, double *y_out);

/** Called by ks_ode_advance_outputs with y(t_out[i]) (n_state entries, borrowed for the call).
 *  Return KS_OK to go on; any other status stops the advance, which returns it. */
typedef ks_status (*ks_ode_output_fn)(size_t i, double t, const double *y, void *ud);

/** Integrate through the output times t_out[0..n_out) (non-decreasing, none earlier than the
 *  previous output since the last init, none later than t_stop) without stepping past t_stop, and
 *  call out(i, t_out[i], y(t_out[i]), ud) for each in order. The same internal steps and the same
 *  values, bit for bit, as one ks_ode_advance(ode, t_out[i], t_stop, y) per output time; outputs
 *  that the solver's last internal step already passed are interpolated without re-entering it
 *  (an hourly grid over quiet stretches, where one step spans many outputs). Failures as
 *  ks_ode_advance; out is not called for the output being integrated towards when it fails.
 *  @return KS_OK, KS_EINVAL, KS_ESOLVER, or out's status. Thread-safety: one thread per ks_ode. */
KS_API ks_status ks_ode_advance_outputs(ks_ode *ode, const double *t_out, size_t n_out, double t_stop,
                                        ks_ode_output_fn out, void *ud);

/** The integrator's counters. */
KS_API ks_ode_stats ks_ode_get_stats(const ks_ode *ode);

#ifdef __cplusplus
}
#endif
#endif
