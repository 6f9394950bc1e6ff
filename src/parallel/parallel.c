/* SPDX-License-Identifier: MIT */
/* ks_par_*: OpenMP threads when compiled in (_OPENMP); MPI when compiled in (KS_HAVE_MPI) and
 * launched by mpirun; one thread / one process otherwise. */
#include <ketasim/parallel.h>

#include <stdlib.h>
#include <limits.h>
#include <string.h>

#ifdef KS_HAVE_MPI
#include <mpi.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

int ks_par_default_threads(void) {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

void ks_par_for(size_t n, int n_threads, size_t chunk, void (*body)(void *ud, size_t k, int thread), void *ud) {
  if (chunk == 0) chunk = 1;
#ifdef _OPENMP
  int nt = n_threads > 0 ? n_threads : omp_get_max_threads();
  long ln = (long)n;
  int ch = chunk > (size_t)INT_MAX ? INT_MAX : (int)chunk;
#pragma omp parallel for schedule(dynamic, ch) num_threads(nt)
  for (long k = 0; k < ln; k++) body(ud, (size_t)k, omp_get_thread_num());
#else
  (void)n_threads;
  for (size_t k = 0; k < n; k++) body(ud, k, 0);
#endif
}

/* Process-wide MPI state: MPI itself is process-global, so this is the one place where the
 * library keeps a global (set once by ks_par_init, before any thread starts). */
static int par_started;
static int par_owns_mpi; /* 1: ks_par_init called MPI_Init_thread, so ks_par_finalize finalizes */
static int par_rank;
static int par_size = 1;

int ks_par_compiled(void) {
#ifdef KS_HAVE_MPI
  return 1;
#else
  return 0;
#endif
}

/* A launcher (Open MPI's mpirun, Slurm's srun with PMI/PMIx, MPICH's Hydra) left its mark. */
static int launched_by_mpirun(void) {
  static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"};
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
    if (getenv(vars[i])) return 1;
  return 0;
}

ks_status ks_par_init(ks_ctx *ctx) {
  if (par_started || !launched_by_mpirun()) return KS_OK;
#ifdef KS_HAVE_MPI
  int inited = 0;
  MPI_Initialized(&inited);
  if (!inited) {
    int provided = 0;
    int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (rc != MPI_SUCCESS) return ks_ctx_fail(ctx, KS_EIO, "MPI_Init_thread failed (MPI error %d)", rc);
    par_owns_mpi = 1;
  }
  /* Errors come back as codes, never as an abort of the job. */
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &par_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &par_size);
  par_started = 1;
#else
  (void)ctx;
#endif
  return KS_OK;
}

void ks_par_finalize(void) {
#ifdef KS_HAVE_MPI
  if (par_started && par_owns_mpi) {
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin) MPI_Finalize();
  }
#endif
  par_started = 0;
  par_owns_mpi = 0;
  par_rank = 0;
  par_size = 1;
}

int ks_par_rank(void) { return par_rank; }
int ks_par_size(void) { return par_size; }

ks_status ks_par_gather_doubles(const double *send, size_t n_send, double *recv, const size_t *counts) {
  if (par_size <= 1) {
    if (n_send && (!send || !recv)) return KS_EINVAL;
    if (n_send && recv != send) memmove(recv, send, n_send * sizeof *send);
    return KS_OK;
  }
#ifdef KS_HAVE_MPI
  int *cnt = NULL, *displ = NULL;
  if (par_rank == 0) {
    cnt = malloc(2 * (size_t)par_size * sizeof *cnt);
    if (!cnt) return KS_ENOMEM;
    displ = cnt + par_size;
    long off = 0;
    for (int r = 0; r < par_size; r++) {
      if (counts[r] > (size_t)INT_MAX || off > INT_MAX) {
        free(cnt);
        return KS_EINVAL;
      }
      cnt[r] = (int)counts[r];
      displ[r] = (int)off;
      off += (long)counts[r];
    }
  }
  int rc = MPI_Gatherv(send, (int)n_send, MPI_DOUBLE, recv, cnt, displ, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  free(cnt);
  return rc == MPI_SUCCESS ? KS_OK : KS_EIO;
#else
  return KS_EINVAL;
#endif
}

ks_status ks_par_bcast_long(long *v) {
  if (par_size <= 1) return KS_OK;
#ifdef KS_HAVE_MPI
  return MPI_Bcast(v, 1, MPI_LONG, 0, MPI_COMM_WORLD) == MPI_SUCCESS ? KS_OK : KS_EIO;
#else
  return KS_EINVAL;
#endif
}

ks_status ks_par_bcast_doubles(double *buf, size_t n) {
  if (par_size <= 1 || n == 0) return KS_OK;
#ifdef KS_HAVE_MPI
  if (!buf || n > (size_t)INT_MAX) return KS_EINVAL;
  return MPI_Bcast(buf, (int)n, MPI_DOUBLE, 0, MPI_COMM_WORLD) == MPI_SUCCESS ? KS_OK : KS_EIO;
#else
  return KS_EINVAL;
#endif
}

long ks_par_agree_max(long v) {
  if (par_size <= 1) return v;
#ifdef KS_HAVE_MPI
  long out = v;
  if (MPI_Allreduce(&v, &out, 1, MPI_LONG, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS) return v > 0 ? v : 1;
  return out;
#else
  return v;
#endif
}

static ks_status comm_gather(void *ud, const double *send, size_t n_send, double *recv, const size_t *counts) {
  (void)ud;
  return ks_par_gather_doubles(send, n_send, recv, counts);
}

static long comm_agree_max(void *ud, long v) {
  (void)ud;
  return ks_par_agree_max(v);
}

static ks_status comm_bcast(void *ud, double *buf, size_t n) {
  (void)ud;
  return ks_par_bcast_doubles(buf, n);
}

void ks_par_trial_comm(ks_par_comm *out) {
  memset(out, 0, sizeof *out);
  out->rank = par_rank;
  out->size = par_size;
  out->gather = comm_gather;
  out->agree_max = comm_agree_max;
  out->bcast = comm_bcast;
}
