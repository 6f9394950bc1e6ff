/* SPDX-License-Identifier: MIT */
/* Power of a scenario's primary endpoint by simulation (src/power/; `ketasim power`). */
#ifndef KETASIM_POWER_H
#define KETASIM_POWER_H

#include <ketasim/core.h>
#include <ketasim/output.h>
#include <ketasim/trial.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Options of ks_trial_power. Zero-initialise, then set n_per_group, n_sizes and n_replicates. */
typedef struct ks_power_options {
  const long *n_per_group;  /* sample sizes, patients randomised per group (>= 2); with unequal
                               allocation a group of ratio q gets round(n q / q_min) */
  size_t n_sizes;
  size_t n_replicates;      /* trials per sample size, > 0 */
  double alpha;             /* two-sided significance level in (0, 1); 0: 0.05 */
  long pool_per_group;      /* resampling pool of the smallest group; 0: max(2000, 10 x largest n) */
  int fresh;                /* 1: simulate fresh patients for every replicate (slow; no pool) */
  int n_threads;            /* 0: the context's setting, else OpenMP's default */
  /* Progress, from the calling thread only; stage is "pool", "replicates" or "trials". */
  void (*progress)(void *ud, const char *stage, size_t done, size_t total);
  void *progress_ud;
} ks_power_options;

/** Power at one sample size. */
typedef struct ks_power_point {
  long n_per_group;
  size_t n_replicates, n_rejected, n_invalid; /* invalid replicates count as not rejected */
  double power, power_lo, power_hi;           /* share with p < alpha; Wilson 95% interval */
  double mean_difference;                     /* mean primary difference over valid replicates (NaN: none) */
} ks_power_point;

#define KS_POWER_MAX_GROUPS 16

/** What ks_trial_power did besides the points. */
typedef struct ks_power_info {
  int fresh, paired;
  size_t n_groups;
  size_t pool_n[KS_POWER_MAX_GROUPS];  /* patients per group in the pool (0 when fresh) */
  size_t pool_total;
  ks_trial_test pool_test;             /* ks_trial_primary_test on the whole pool */
  ks_trial_primary pool_primary;       /* ks_trial_summarise of the pool, the same analysis */
  double alpha;
} ks_power_info;

/** Power of the scenario's primary endpoint at each sample size of opts->n_per_group: the test
 *  of its primary contrast (contrasts[0] of a parallel design, unadjusted p, as ks_trial_summarise;
 *  the paired test of a crossover).
 *  Resampling (default): one pool is simulated once (ks_trial_run, replicate 0: the patients of
 *  `ketasim run --patients <pool_total>`); replicate r at size n draws n patients per group
 *  without replacement from that group's pool with the stream (seed, KS_STREAM_REPLICATE, r, n)
 *  and runs ks_trial_primary_test. Drawn dropouts stay missing, as in the trial. The replicates
 *  run in parallel (opts->n_threads); each depends only on (seed, r, n), so any thread count gives
 *  the same points. Fresh (opts->fresh): replicate r at size index k is a new trial, ks_trial_run
 *  with replicate 1 + k n_replicates + r and the groups' sizes as patients.
 *  @param points  [opts->n_sizes], written on success
 *  @param info    may be NULL
 *  @return KS_OK; KS_EINPUT (single arm, no primary endpoint, n < 2, more than
 *  KS_POWER_MAX_GROUPS groups, a pool smaller than the largest sample, alpha outside (0, 1));
 *  the failures of ks_trial_run; KS_ENOMEM. */
KS_API ks_status ks_trial_power(ks_ctx *ctx, const ks_scenario *sc, const ks_power_options *opts,
                                ks_power_point *points, ks_power_info *info);

#ifdef __cplusplus
}
#endif
#endif
