/* SPDX-License-Identifier: MIT */
/* A host program that starts MPI itself and then uses libketasim's parallel layer: ks_par_init
 * must join the running MPI and ks_par_finalize must leave it running (the host finalizes it).
 * Run under mpirun (tests/mpi.cmake). Exit 0 ok, 1 failure. */
#include <ketasim/parallel.h>

#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv) {
  if (MPI_Init(&argc, &argv) != MPI_SUCCESS) return 1;
  ks_ctx_opts o = ks_ctx_opts_default();
  ks_ctx *ctx = NULL;
  int bad = ks_ctx_create(&o, &ctx) != KS_OK;
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (!bad && ks_par_init(ctx) != KS_OK) bad = 1;
  if (!bad && ks_par_size() != size) {
    fprintf(stderr, "host_mpi: ks_par_size %d, MPI size %d\n", ks_par_size(), size);
    bad = 1;
  }
  long agreed = ks_par_agree_max(ks_par_rank());
  if (agreed != size - 1) {
    fprintf(stderr, "host_mpi: agree_max gave %ld (expected %d)\n", agreed, size - 1);
    bad = 1;
  }
  ks_par_finalize();
  int finalized = 1;
  MPI_Finalized(&finalized);
  if (finalized) {
    fprintf(stderr, "host_mpi: ks_par_finalize finalized the host's MPI\n");
    return 1;
  }
  /* The host's MPI still works after the library is done with it. */
  int one = 1, sum = 0;
  if (MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS || sum != size) bad = 1;
  ks_ctx_destroy(&ctx);
  MPI_Finalize();
  if (!bad) printf("host_mpi: ok (%d processes)\n", size);
  return bad;
}
