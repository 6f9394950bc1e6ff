/* SPDX-License-Identifier: MIT */
/* Power of a scenario's primary endpoint by simulation (`ketasim power`).
 *
 * Resampling: simulating 1000 fresh trials at each of 20 sample sizes costs days (30-60 ms per
 * patient), but the patients of a virtual trial are independent draws from the virtual population,
 * so one large pool per group is simulated once and each replicate trial draws its patients from
 * the pools without replacement; only the statistics are repeated. Marginally over pools, a draw
 * is a simple random sample of the virtual population, so the replicate test has its nominal
 * size; conditionally on one pool the curve is the power for a population whose effect is the
 * pool's effect (reported, with its interval, as info->pool_primary). docs/model/stats.md. */
#include "core/core_internal.h"

#include <ketasim/parallel.h>
#include <ketasim/power.h>
#include <ketasim/stats.h>

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

/* ---- power ---------------------------------------------------------------------------------- */

/* Randomisation slots per group in a block (ks_trial_block_slots, the rule of the trial's permuted
 * blocks). Returns the smallest. */
static long group_slots(const ks_scenario *sc, size_t n_groups, long *slots) {
  long m_min = 0;
  for (size_t g = 0; g < n_groups; g++) {
    slots[g] = ks_trial_block_slots(sc, g);
    if (m_min == 0 || slots[g] < m_min) m_min = slots[g];
  }
  return m_min;
}

/* Patients per group for sample size n (n for the groups with the smallest ratio). */
static size_t group_size(long n, long slots, long m_min) {
  return (size_t)lround((double)n * (double)slots / (double)m_min);
}

typedef struct {
  ks_ctx *ctx;
  const ks_scenario *sc;
  const ks_power_options *o;
  size_t n_groups;
  long slots[KS_POWER_MAX_GROUPS], m_min;
  int nt;
  int paired;
  int treat, ctrl; /* the primary contrast (parallel designs): the scenario's contrasts[0] */
  double alpha;
} power_job;

/* The primary analysis of ks_trial_summarise on arrays: paired (crossover), or the ANCOVA of the
 * scenario's primary contrast, contrasts[0] (in a 3+-arm design not necessarily arm 0 vs arm 1). */
static void primary_test(ks_ctx *ctx, const power_job *job, const double *y, const double *b, const int *g, size_t n,
                         ks_trial_test *t) {
  if (job->paired) ks_trial_primary_test(ctx, 1, y, b, g, n, t);
  else ks_trial_contrast_test(ctx, y, b, g, n, job->treat, job->ctrl, t);
}

static ks_status check_options(ks_ctx *ctx, const ks_scenario *sc, const ks_power_options *o, power_job *job) {
  memset(job, 0, sizeof *job);
  job->ctx = ctx;
  job->sc = sc;
  job->o = o;
  if (sc->design == KS_DESIGN_SINGLE_ARM || sc->n_arms < 2)
    return ks_ctx_fail(ctx, KS_EINPUT, "power: %s is a single-arm design (expected two or more arms to contrast)", sc->name);
  if (!sc->primary.enabled || ks_trial_scale_measure(sc->primary.scale) < 0)
    return ks_ctx_fail(ctx, KS_EINPUT, "power: %s has no primary endpoint (expected endpoints: primary: {scale, day})",
                       sc->name);
  job->n_groups = ks_trial_design_n_groups(sc);
  if (job->n_groups > KS_POWER_MAX_GROUPS)
    return ks_ctx_fail(ctx, KS_EINPUT, "power: %zu groups (expected at most %d)", job->n_groups, KS_POWER_MAX_GROUPS);
  if (!o->n_per_group || o->n_sizes == 0 || o->n_replicates == 0)
    return ks_ctx_fail(ctx, KS_EINPUT, "power: no sample sizes or no replicates (expected at least one of each)");
  for (size_t k = 0; k < o->n_sizes; k++)
    if (o->n_per_group[k] < 2)
      return ks_ctx_fail(ctx, KS_EINPUT, "power: sample size %ld per group (expected at least 2)", o->n_per_group[k]);
  job->alpha = o->alpha == 0.0 ? 0.05 : o->alpha;
  if (!(job->alpha > 0.0 && job->alpha < 1.0))
    return ks_ctx_fail(ctx, KS_EINPUT, "power: alpha %g (expected a level in (0, 1), e.g. 0.05)", job->alpha);
  job->paired = sc->design == KS_DESIGN_CROSSOVER;
  job->treat = 0, job->ctrl = 1;
  if (!job->paired) {
    if (sc->n_contrasts == 0)
      return ks_ctx_fail(ctx, KS_EINPUT, "power: %s declares no contrast (expected contrasts: [\"A vs B\"])", sc->name);
    job->treat = sc->contrasts[0].treat, job->ctrl = sc->contrasts[0].ctrl;
  }
  job->m_min = group_slots(sc, job->n_groups, job->slots);
  job->nt = o->n_threads > 0 ? o->n_threads : ks_ctx_threads(ctx);
  if (job->nt <= 0) job->nt = ks_par_default_threads();
  if (job->nt <= 0) job->nt = 1;
  return KS_OK;
}

static long largest_n(const ks_power_options *o) {
  long m = 0;
  for (size_t k = 0; k < o->n_sizes; k++) m = KS_MAX(m, o->n_per_group[k]);
  return m;
}

/* Fill a point from the replicate p-values (invalid replicates carry p = 1) and differences. */
static ks_status finish_point(ks_ctx *ctx, const power_job *job, long n, const double *p, const double *diff,
                              const unsigned char *valid, ks_power_point *pt) {
  size_t n_rep = job->o->n_replicates, n_valid = 0;
  double s = 0.0;
  for (size_t r = 0; r < n_rep; r++)
    if (valid[r]) {
      s += diff[r];
      n_valid++;
    }
  ks_proportion pr;
  KS_TRY(ks_stats_power(ctx, p, n_rep, job->alpha, 0.95, &pr));
  memset(pt, 0, sizeof *pt);
  pt->n_per_group = n;
  pt->n_replicates = n_rep;
  pt->n_rejected = pr.k;
  pt->n_invalid = n_rep - n_valid;
  pt->power = pr.p;
  pt->power_lo = pr.lo;
  pt->power_hi = pr.hi;
  pt->mean_difference = n_valid ? s / (double)n_valid : NAN;
  return KS_OK;
}

/* The pool, grouped: the patients of group g are y[off[g] .. off[g] + pool_n[g]) (and b). */
typedef struct {
  ks_trial_endpoints ep;
  size_t off[KS_POWER_MAX_GROUPS + 1], pool_n[KS_POWER_MAX_GROUPS];
  double *y, *b;                 /* endpoint arrays reordered by group */
} power_pool;

static ks_status group_pool(ks_ctx *ctx, const power_job *job, power_pool *pool) {
  size_t n = pool->ep.n;
  memset(pool->pool_n, 0, sizeof pool->pool_n);
  for (size_t i = 0; i < n; i++) pool->pool_n[pool->ep.group[i]]++;
  pool->off[0] = 0;
  for (size_t g = 0; g < job->n_groups; g++) pool->off[g + 1] = pool->off[g] + pool->pool_n[g];
  pool->y = ks_calloc(ctx, 2 * n + 2, sizeof *pool->y);
  if (!pool->y) return KS_ENOMEM;
  pool->b = pool->y + n + 1;
  size_t fill[KS_POWER_MAX_GROUPS] = {0};
  for (size_t i = 0; i < n; i++) {
    size_t g = (size_t)pool->ep.group[i], j = pool->off[g] + fill[g]++;
    pool->y[j] = pool->ep.y[i];
    pool->b[j] = pool->ep.baseline[i];
  }
  return KS_OK;
}

/* Per-thread scratch: a permutation of the pool (identity between replicates) and one trial. */
typedef struct {
  size_t *perm, *swaps;
  double *y, *b;
  int *g;
} power_scratch;

/* Replicate r at size n: draw each group's patients without replacement (a partial Fisher-Yates
 * shuffle, undone afterwards so the permutation is the identity again) and test. */
static void resample_one(ks_ctx *ctx, const power_job *job, const power_pool *pool, long n, uint64_t r,
                         power_scratch *s, ks_trial_test *t) {
  ks_rng rng;
  ks_rng_init(&rng, job->sc->seed, KS_STREAM_REPLICATE, r, (uint64_t)n);
  size_t k = 0;
  for (size_t g = 0; g < job->n_groups; g++) {
    size_t *perm = s->perm + pool->off[g], pn = pool->pool_n[g];
    size_t ng = group_size(n, job->slots[g], job->m_min);
    for (size_t j = 0; j < ng; j++) {
      size_t q = j + (size_t)ks_rng_below(&rng, pn - j);
      size_t tmp = perm[j];
      perm[j] = perm[q];
      perm[q] = tmp;
      s->swaps[j] = q;
      size_t src = pool->off[g] + perm[j];
      s->y[k] = pool->y[src];
      s->b[k] = pool->b[src];
      s->g[k] = (int)g;
      k++;
    }
    for (size_t j = ng; j-- > 0;) {
      size_t q = s->swaps[j], tmp = perm[j];
      perm[j] = perm[q];
      perm[q] = tmp;
    }
  }
  primary_test(ctx, job, s->y, s->b, s->g, k, t);
}

/* Forward ks_trial_run's progress as the "pool" stage. */
static void pool_progress(void *ud, size_t done, size_t total) {
  const ks_power_options *o = ud;
  o->progress(o->progress_ud, "pool", done, total);
}

/* Simulate the pool: ks_trial_run on enough whole randomisation blocks that the smallest group
 * holds at least pool_per_group patients. */
static ks_status simulate_pool(ks_ctx *ctx, const power_job *job, ks_trial_result **res) {
  const ks_power_options *o = job->o;
  long want = o->pool_per_group > 0 ? o->pool_per_group : KS_MAX(2000L, 10 * largest_n(o));
  long block = 0;
  for (size_t g = 0; g < job->n_groups; g++) block += job->slots[g];
  long n_blocks = (want + job->m_min - 1) / job->m_min;
  ks_trial_options to = ks_trial_options_default();
  to.n_threads = job->nt;
  to.n_patients = n_blocks * block;
  to.replicate = 0;
  if (o->progress) {
    to.progress = pool_progress;
    to.progress_ud = (void *)(uintptr_t)o; /* read only; the callback's signature takes void * */
  }
  return ks_trial_run(ctx, job->sc, &to, res);
}

static ks_status check_pool(ks_ctx *ctx, const power_job *job, const power_pool *pool) {
  long nmax = largest_n(job->o);
  for (size_t g = 0; g < job->n_groups; g++) {
    size_t need = group_size(nmax, job->slots[g], job->m_min);
    if (pool->pool_n[g] < need)
      return ks_ctx_fail(ctx, KS_EINPUT,
                         "power: the pool holds %zu patients in group %zu but n = %ld needs %zu (expected a pool "
                         "per group of at least the largest n)",
                         pool->pool_n[g], g + 1, nmax, need);
  }
  return KS_OK;
}

/* The replicate loop at one sample size, in parallel over replicates (ks_par_for). */
typedef struct resample_job {
  ks_ctx *ctx;
  const power_job *job;
  const power_pool *pool;
  long n;
  power_scratch *scr;
  double *p, *diff;
  unsigned char *valid;
  atomic_size_t *done;
  size_t total;
} resample_job;

static void resample_body(void *ud, size_t r, int tid) {
  const resample_job *j = ud;
  const ks_power_options *o = j->job->o;
  ks_trial_test t;
  resample_one(j->ctx, j->job, j->pool, j->n, (uint64_t)r, &j->scr[tid], &t);
  j->p[r] = t.valid ? t.p : 1.0;
  j->diff[r] = t.valid ? t.difference : 0.0;
  j->valid[r] = (unsigned char)t.valid;
  size_t seen = atomic_fetch_add(j->done, 1) + 1;
  if (o->progress && tid == 0) o->progress(o->progress_ud, "replicates", seen, j->total);
}

static void resample_size(ks_ctx *ctx, const power_job *job, const power_pool *pool, long n, power_scratch *scr,
                          double *p, double *diff, unsigned char *valid, atomic_size_t *done, size_t total) {
  resample_job j = {ctx, job, pool, n, scr, p, diff, valid, done, total};
  ks_par_for(job->o->n_replicates, job->nt, 16, resample_body, &j);
}

static ks_status alloc_scratch(ks_ctx *ctx, const power_job *job, const power_pool *pool, power_scratch **out,
                               void **block) {
  size_t np = pool->ep.n, nmax_total = 0;
  long nmax = largest_n(job->o);
  for (size_t g = 0; g < job->n_groups; g++) nmax_total += group_size(nmax, job->slots[g], job->m_min);
  size_t per = (np + nmax_total) * sizeof(size_t) + 2 * nmax_total * sizeof(double) + nmax_total * sizeof(int);
  per = (per + 63) / 64 * 64; /* each thread's block starts aligned (and on its own cache line) */
  size_t nt = (size_t)job->nt;
  power_scratch *s = ks_calloc(ctx, nt, sizeof *s);
  unsigned char *mem = ks_calloc(ctx, nt, per);
  if (!s || !mem) {
    ks_free(ctx, s);
    ks_free(ctx, mem);
    return KS_ENOMEM;
  }
  for (size_t t = 0; t < nt; t++) {
    unsigned char *m = mem + t * per;
    s[t].perm = (size_t *)(void *)m;
    s[t].swaps = s[t].perm + np;
    s[t].y = (double *)(void *)(s[t].swaps + nmax_total);
    s[t].b = s[t].y + nmax_total;
    s[t].g = (int *)(void *)(s[t].b + nmax_total);
    for (size_t g = 0; g < job->n_groups; g++)
      for (size_t j = 0; j < pool->pool_n[g]; j++) s[t].perm[pool->off[g] + j] = j;
  }
  *out = s;
  *block = mem;
  return KS_OK;
}

static ks_status power_resampling(ks_ctx *ctx, const power_job *job, ks_power_point *points, ks_power_info *info) {
  const ks_power_options *o = job->o;
  ks_trial_result *res = NULL;
  power_pool pool;
  memset(&pool, 0, sizeof pool);
  power_scratch *scr = NULL;
  void *scr_mem = NULL;
  double *p = NULL;
  ks_status st = simulate_pool(ctx, job, &res);
  if (st == KS_OK) st = ks_trial_endpoints_init(ctx, res, &pool.ep);
  if (st == KS_OK) st = group_pool(ctx, job, &pool);
  if (st == KS_OK) st = check_pool(ctx, job, &pool);
  if (st == KS_OK) st = alloc_scratch(ctx, job, &pool, &scr, &scr_mem);
  if (st == KS_OK && !(p = ks_calloc(ctx, 2 * o->n_replicates + 1, sizeof *p))) st = KS_ENOMEM;
  unsigned char *valid = st == KS_OK ? ks_calloc(ctx, o->n_replicates + 1, 1) : NULL;
  if (st == KS_OK && !valid) st = KS_ENOMEM;
  if (st == KS_OK && info) {
    info->pool_total = pool.ep.n;
    for (size_t g = 0; g < job->n_groups; g++) info->pool_n[g] = pool.pool_n[g];
    primary_test(ctx, job, pool.ep.y, pool.ep.baseline, pool.ep.group, pool.ep.n, &info->pool_test);
    st = ks_trial_summarise(ctx, res, &info->pool_primary);
  }
  atomic_size_t done;
  atomic_init(&done, 0);
  size_t total = o->n_sizes * o->n_replicates;
  for (size_t k = 0; st == KS_OK && k < o->n_sizes; k++) {
    resample_size(ctx, job, &pool, o->n_per_group[k], scr, p, p + o->n_replicates, valid, &done, total);
    st = finish_point(ctx, job, o->n_per_group[k], p, p + o->n_replicates, valid, &points[k]);
  }
  if (st == KS_OK && o->progress) o->progress(o->progress_ud, "replicates", total, total);
  ks_free(ctx, valid);
  ks_free(ctx, p);
  ks_free(ctx, scr);
  ks_free(ctx, scr_mem);
  ks_free(ctx, pool.y);
  ks_trial_endpoints_fini(&pool.ep);
  ks_trial_result_destroy(&res);
  return st;
}

/* One fresh trial: replicate REP of the scenario with the groups' sizes for n. */
static ks_status fresh_one(ks_ctx *ctx, const power_job *job, long n, uint64_t rep, ks_trial_test *t) {
  long total = 0;
  for (size_t g = 0; g < job->n_groups; g++) total += (long)group_size(n, job->slots[g], job->m_min);
  ks_trial_options to = ks_trial_options_default();
  to.n_threads = job->nt;
  to.n_patients = total;
  to.replicate = rep;
  ks_trial_result *res = NULL;
  KS_TRY(ks_trial_run(ctx, job->sc, &to, &res));
  ks_trial_endpoints ep;
  ks_status st = ks_trial_endpoints_init(ctx, res, &ep);
  if (st == KS_OK) primary_test(ctx, job, ep.y, ep.baseline, ep.group, ep.n, t);
  ks_trial_endpoints_fini(&ep);
  ks_trial_result_destroy(&res);
  return st;
}

static ks_status power_fresh(ks_ctx *ctx, const power_job *job, ks_power_point *points) {
  const ks_power_options *o = job->o;
  size_t n_rep = o->n_replicates, total = o->n_sizes * n_rep, done = 0;
  double *p = ks_calloc(ctx, 2 * n_rep + 1, sizeof *p);
  unsigned char *valid = ks_calloc(ctx, n_rep + 1, 1);
  ks_status st = p && valid ? KS_OK : KS_ENOMEM;
  for (size_t k = 0; st == KS_OK && k < o->n_sizes; k++) {
    for (size_t r = 0; st == KS_OK && r < n_rep; r++) {
      ks_trial_test t = {0};
      st = fresh_one(ctx, job, o->n_per_group[k], 1 + (uint64_t)k * n_rep + r, &t);
      p[r] = t.valid ? t.p : 1.0;
      p[n_rep + r] = t.valid ? t.difference : 0.0;
      valid[r] = (unsigned char)t.valid;
      if (o->progress) o->progress(o->progress_ud, "trials", ++done, total);
    }
    if (st == KS_OK) st = finish_point(ctx, job, o->n_per_group[k], p, p + n_rep, valid, &points[k]);
  }
  ks_free(ctx, p);
  ks_free(ctx, valid);
  return st;
}

ks_status ks_trial_power(ks_ctx *ctx, const ks_scenario *sc, const ks_power_options *opts, ks_power_point *points,
                         ks_power_info *info) {
  KS_CHECK_ARG(ctx, sc && opts && points);
  power_job job;
  KS_TRY(check_options(ctx, sc, opts, &job));
  if (!opts->fresh && opts->pool_per_group > 0 && opts->pool_per_group < largest_n(opts))
    return ks_ctx_fail(ctx, KS_EINPUT, "power: pool of %ld per group is smaller than the largest n, %ld (expected a "
                       "pool of at least the largest n; 10 times is better)", opts->pool_per_group, largest_n(opts));
  if (info) {
    memset(info, 0, sizeof *info);
    info->fresh = opts->fresh != 0;
    info->paired = job.paired;
    info->n_groups = job.n_groups;
    info->alpha = job.alpha;
    info->pool_test.difference = info->pool_test.se = info->pool_test.p = NAN;
  }
  ks_status st = opts->fresh ? power_fresh(ctx, &job, points) : power_resampling(ctx, &job, points, info);
  if (st == KS_OK) ks_ctx_clear_error(ctx); /* singular replicate fits are counted, not errors */
  return st;
}
