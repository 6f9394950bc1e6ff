/* SPDX-License-Identifier: MIT */
/* Processes sharing a sweep (sweep_comm.c): the collective steps opt_run.c and sens_run.c share.
 * Every function is collective over C (every rank calls it at the same point) and does nothing
 * when C is NULL or has one rank. */
#ifndef KS_SWEEP_INTERNAL_H
#define KS_SWEEP_INTERNAL_H

#include <signal.h>

#include <ketasim/sweep.h>

/* C when it spans more than one process, else NULL. */
const ks_par_comm *ks__sweep_comm(const ks_par_comm *c);

/* ks_sweep_agree (sweep.h) is collective over C as well. */

/* 1 on every rank when *CANCEL is set on any rank (a signal reaches the ranks at different times). */
int ks__sweep_cancelled(const ks_par_comm *c, const volatile sig_atomic_t *cancel);

/* Rank 0's N doubles of V copied to every rank. @return KS_OK; KS_EINVAL (no bcast callback);
 * KS_EIO. */
ks_status ks__sweep_bcast(ks_ctx *ctx, const ks_par_comm *c, double *v, size_t n);

/* Look IN up in rank 0's LOG (the only rank that holds it) and share the answer: 1 and OUT[N_OUT]
 * filled on every rank when it was logged, else 0. *ST gets the status of the broadcast. */
int ks__sweep_log_find(ks_ctx *ctx, const ks_par_comm *c, const ks_eval_log *log, const double *in, double *out,
                       size_t n_out, ks_status *st);

#endif
