/* SPDX-License-Identifier: MIT */
/* Parallel execution, the one place that talks to OpenMP and MPI (DESIGN.md, src/parallel/).
 *
 * Threads: ks_par_for() runs a loop body over OpenMP threads (one thread when built without
 * OpenMP, KETASIM_WITH_OPENMP=OFF). Processes: a thin wrapper over MPI, and a stub with the same
 * API when ketasim is built without MPI (KETASIM_WITH_MPI=OFF) or run without a launcher.
 *
 * The same binary runs alone or under `mpirun -np K`: ks_par_init() starts MPI only when a
 * launcher's environment is present (OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK), so a plain run
 * never touches MPI. Every call is collective unless it says otherwise; none exits or aborts:
 * failures come back as ks_status, and ks_par_agree_max() lets ranks agree on an error before
 * anyone stops. */
#ifndef KETASIM_PARALLEL_H
#define KETASIM_PARALLEL_H

#include <ketasim/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- threads within a process ---------------------------------------------------------------- */

/** Threads a loop uses when asked for 0: OpenMP's default (OMP_NUM_THREADS, else the cores), or 1
 *  without OpenMP. Not collective. */
KS_API int ks_par_default_threads(void);

/** Call body(ud, k, thread) for every k in [0, n), on n_threads threads (<= 0: the default),
 *  handing out CHUNK consecutive iterations at a time (dynamic schedule; 0 means 1). thread is in
 *  [0, n_threads) and thread 0 is the calling thread, so a body may report progress from thread
 *  0 only. Returns when every iteration is done. The body must be safe to run concurrently for
 *  distinct k; the order of iterations is unspecified, so results must not depend on it. */
KS_API void ks_par_for(size_t n, int n_threads, size_t chunk, void (*body)(void *ud, size_t k, int thread),
                       void *ud);

/* ---- processes ---------------------------------------------------------------------------------- */

/* Processes sharing one run (ks_trial_options.comm). Patients are split across ranks in contiguous
 * blocks within each batch; rank 0 gathers every batch (in patient order) and alone writes files.
 * The callbacks are collective: every rank calls them in the same order. ks_par_comm_world() fills
 * one over MPI; a host program with its own MPI communicator can fill its own. */
typedef struct ks_par_comm {
  int rank, size;
  void *ud;
  /* Rank 0 receives each rank's n_send doubles, in rank order, into recv (counts[r] from rank r);
   * other ranks pass recv and counts as NULL. */
  ks_status (*gather)(void *ud, const double *send, size_t n_send, double *recv, const size_t *counts);
  /* Every rank passes v and gets the maximum over ranks. */
  long (*agree_max)(void *ud, long v);
  /* Rank 0's n doubles in buf are copied into every rank's buf. Used by the sweeps (sweep.h),
   * not by a trial: a host communicator without it (NULL) runs trials but not sweeps. */
  ks_status (*bcast)(void *ud, double *buf, size_t n);
} ks_par_comm;

/** Start MPI when launched by mpirun/srun (idempotent). Without a launcher or without MPI in the
 *  build: one process, rank 0. @return KS_OK, KS_EIO (MPI_Init failed; the message has MPI's). */
KS_API ks_status ks_par_init(ks_ctx *ctx);
/** Finish MPI if ks_par_init() started it; MPI that the host program initialised is left running
 *  (the host finalizes it). Not collective when MPI is not running. */
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
/** Rank 0's n doubles in buf are copied into every rank's buf. @return KS_OK, KS_EINVAL, KS_EIO. */
KS_API ks_status ks_par_bcast_doubles(double *buf, size_t n);
/** Every rank passes v and gets the maximum over ranks (error agreement: pass a non-zero code
 *  to make every rank stop at the same point). Returns v itself when alone. */
KS_API long ks_par_agree_max(long v);

/** A ks_par_comm over MPI_COMM_WORLD (one process when MPI is not running), for
 *  ks_trial_options.comm and the sweeps' options (sweep.h). */
KS_API void ks_par_trial_comm(ks_par_comm *out);

#ifdef __cplusplus
}
#endif
#endif
