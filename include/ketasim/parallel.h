/* SPDX-License-Identifier: MIT */
/* Scale-out across processes: a thin wrapper over MPI, and a stub with the same API when ketasim
 * is built without MPI (KETASIM_WITH_MPI=OFF) or run without a launcher.
 *
 * The same binary runs alone or under `mpirun -np K`: ks_par_init() starts MPI only when a
 * launcher's environment is present (OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK), so a plain run
 * never touches MPI. Every call is collective unless it says otherwise; none exits or aborts:
 * failures come back as ks_status, and ks_par_agree_max() lets ranks agree on an error before
 * anyone stops. */
#ifndef KETASIM_PARALLEL_H
#define KETASIM_PARALLEL_H

#include <ketasim/core.h>
#include <ketasim/trial.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Start MPI when launched by mpirun/srun (idempotent). Without a launcher or without MPI in the
 *  build: one process, rank 0. @return KS_OK, KS_EIO (MPI_Init failed; the message has MPI's). */
KS_API ks_status ks_par_init(ks_ctx *ctx);
/** Finish MPI if ks_par_init started it. Not collective when MPI is not running. */
KS_API void ks_par_finalize(void);
/** This process's rank (0 when alone) and the number of processes (1 when alone). Not collective. */
KS_API int ks_par_rank(void);
KS_API int ks_par_size(void);
/** 1 when this build has MPI compiled in (it may still run alone). Not collective. */
KS_API int ks_par_compiled(void);

/** Rank 0 receives, in rank order, each rank's n_send doubles into recv (counts[r] doubles from
 *  rank r; counts and recv are ignored on other ranks). @return KS_OK, KS_EINVAL, KS_EIO. */
KS_API ks_status ks_par_gather_doubles(const double *send, size_t n_send, double *recv, const size_t *counts);
/** Rank 0's *v is copied to every rank. */
KS_API ks_status ks_par_bcast_long(long *v);
/** Every rank passes v and gets the maximum over ranks (error agreement: pass a non-zero code
 *  to make every rank stop at the same point). Returns v itself when alone. */
KS_API long ks_par_agree_max(long v);

/** A ks_trial_comm over this process group (see trial.h), for ks_trial_options.comm. */
KS_API void ks_par_trial_comm(ks_trial_comm *out);

#ifdef __cplusplus
}
#endif
#endif
