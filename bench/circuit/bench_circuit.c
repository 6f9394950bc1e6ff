/* SPDX-License-Identifier: MIT */
/* Circuit benchmark: node-steps per second per thread, neural masses plus BOLD, dt = 0.1 ms, for
 * the built-in 8-region circuit and a synthetic sparse connectome, with and without delays.
 *   bench_circuit N DENSITY DELAYS SECONDS [EXPORT_DIR]
 * N = 8 uses the built-in circuit; otherwise a synthetic connectome of N regions (seed 42). With
 * EXPORT_DIR the connectome is written in TVB text format for the peer implementations. Prints
 * one line: "ketasim n=.. delays=.. node_steps_per_s=.. wall_s=..". */
#include <ketasim/circuit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* CPU time of this process: on a shared machine it excludes the time other jobs hold the core. */
static double cpu_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void export_conn(const ks_connectome *k, const char *dir) {
  size_t n = ks_connectome_n_regions(k);
  char p[1024];
  snprintf(p, sizeof p, "%s/weights.txt", dir);
  FILE *w = fopen(p, "w");
  snprintf(p, sizeof p, "%s/tract_lengths.txt", dir);
  FILE *l = fopen(p, "w");
  snprintf(p, sizeof p, "%s/centres.txt", dir);
  FILE *c = fopen(p, "w");
  if (!w || !l || !c) exit(1);
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < n; j++) {
      fprintf(w, "%s%.9g", j ? " " : "", ks_connectome_weight(k, i, j));
      fprintf(l, "%s%.6g", j ? " " : "", ks_connectome_length_mm(k, i, j));
    }
    fputc('\n', w);
    fputc('\n', l);
    fprintf(c, "%s 0 0 0\n", ks_connectome_label(k, i));
  }
  fclose(w);
  fclose(l);
  fclose(c);
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: bench_circuit N DENSITY DELAYS SECONDS [EXPORT_DIR]\n");
    return 2;
  }
  size_t n = (size_t)atol(argv[1]);
  double density = atof(argv[2]), secs = atof(argv[4]);
  int delays = atoi(argv[3]);
  ks_ctx_opts o = ks_ctx_opts_default();
  ks_ctx *ctx = NULL;
  if (ks_ctx_create(&o, &ctx) != KS_OK) return 1;
  ks_circuit *c = NULL;
  ks_connectome *k = NULL;
  ks_status st;
  if (n == 8) {
    st = ks_circuit_create_default(ctx, NULL, &c);
  } else {
    st = ks_connectome_create_synthetic(ctx, n, density, 42, &k);
    if (st == KS_OK && argc > 5) export_conn(k, argv[5]);
    ks_circuit_brain_opts bo = ks_circuit_brain_opts_default();
    bo.use_delays = delays;
    if (st == KS_OK) st = ks_circuit_create_brain(ctx, k, &bo, NULL, &c);
  }
  if (st != KS_OK) {
    fprintf(stderr, "%s\n", ks_ctx_last_error(ctx));
    return 1;
  }
  ks_circuit_drive d = ks_circuit_drive_baseline();
  ks_circuit_sim_opts so = ks_circuit_sim_opts_default();
  so.duration_s = secs;
  so.warmup_s = 0.0;
  so.tr_s = 1.0;
  size_t T = ks_circuit_sim_n_samples(&so);
  double *bold = malloc((T + 2) * n * sizeof *bold + (size_t)(secs + 2.0) * n * sizeof *bold);
  /* Marginal cost: time a run of SECONDS minus a run of SECONDS/10, so the one-off set-up (the
   * fixed point, tables) is not counted, as for the peers. */
  ks_circuit_sim_opts s0 = so;
  s0.duration_s = secs / 10.0 < so.tr_s ? so.tr_s : secs / 10.0;
  double t0 = now_s(), u0 = cpu_s();
  st = ks_circuit_simulate(ctx, c, &d, NULL, &s0, bold, NULL);
  double w0 = now_s() - t0, c0 = cpu_s() - u0;
  t0 = now_s();
  u0 = cpu_s();
  if (st == KS_OK) st = ks_circuit_simulate(ctx, c, &d, NULL, &so, bold, NULL);
  double wall = now_s() - t0 - w0, cpu = cpu_s() - u0 - c0;
  secs -= s0.duration_s;
  if (st != KS_OK) {
    fprintf(stderr, "%s\n", ks_ctx_last_error(ctx));
    return 1;
  }
  double steps = secs * 1e4 * (double)n;
  printf("ketasim n=%zu delays=%d node_steps_per_s=%.4g wall_s=%.3f cpu_node_steps_per_s=%.4g\n", n,
         delays, steps / wall, wall, steps / cpu);
  free(bold);
  ks_circuit_destroy(&c);
  ks_connectome_destroy(&k);
  ks_ctx_destroy(&ctx);
  return 0;
}
