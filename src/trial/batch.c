/* SPDX-License-Identifier: MIT */
/* The patient loop in batches: threads inside a process (ks_par_for), contiguous blocks across MPI
 * ranks (via ks_par_comm callbacks; the trial module itself links neither OpenMP nor MPI), rank 0
 * gathering each batch in patient order, keeping the summary data and handing every row to the
 * run's sink (docs/scaling.md).
 *
 * Patient k's values depend only on (scenario, seed, replicate, k), so the split across threads,
 * ranks and batches never changes a byte of the output. */
#include "trial_internal.h"

#include <stdatomic.h>
#include <string.h>

const ks_measure ks__trial_kept_measures[] = {KS_M_CAPS5, KS_M_PCL5, KS_M_IESR, KS_M_MADRS, KS_M_CADSS,
                                              KS_M_FC_VMPFC_AMYGDALA, KS_M_WINDOW, KS_M_GAIN_VMPFC_AMYGDALA,
                                              KS_M_FEAR, KS_M_VOL_HPC_PCT, KS_M_RAVLT, KS_M_TMT_A, KS_M_TMT_B,
                                              KS_M_DSST, KS_M_PAIN_NRS, KS_M_SSI, KS_M_VOL_PFC_PCT,
                                              KS_M_KETAMINE_CUM_MG, KS_M_FLAG_FREQUENT};
const size_t ks__trial_n_kept_measures = sizeof ks__trial_kept_measures / sizeof ks__trial_kept_measures[0];

/* Workspace each simulating thread holds (solver memory, layer states, stack): bench/scale measured
 * 0.6 MB of RSS per extra thread on examples/feder2021.yaml; 4 MiB leaves room for larger
 * scenarios (more doses, longer follow-up). */
#define KS_TRIAL_THREAD_BYTES ((size_t)4 << 20)
/* Patients per worker (thread x process) in an automatic batch: large enough that the wait for the
 * slowest patient at the end of a batch costs ~1%, small enough that a SIGINT is honoured within
 * a few seconds. */
#define KS_TRIAL_BATCH_PER_WORKER 64

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

/* Bytes held besides the batch buffers: patients, kept values (rank 0), summary work arrays. */
static size_t fixed_bytes(const ks_trial_result *r, int rank, int nt) {
  size_t n = r->n, nv = r->plan.n_visits;
  size_t b = n * sizeof(trial_patient) + (size_t)nt * KS_TRIAL_THREAD_BYTES;
  if (rank == 0) b += n * nv * r->n_kept * sizeof(double) + 12 * n * sizeof(double);
  return b;
}

/* Bytes per patient of a batch: rank 0 holds the whole batch plus its own share, and each patient
 * of a share has a status and an error slot. */
static size_t batch_bytes_per_patient(const ks_trial_result *r, int size) {
  size_t rec = r->plan.n_visits * KS_M_N * sizeof(double);
  return rec + rec / (size_t)size + 1 + sizeof(ks_status) + sizeof(ks_err_slot);
}

static int run_threads(ks_ctx *ctx, const ks_trial_options *o) {
  int nt = o->n_threads > 0 ? o->n_threads : ks_ctx_threads(ctx);
  if (nt <= 0) nt = ks_par_default_threads();
  return nt > 0 ? nt : 1;
}

/* The least memory a run can take (a batch of one patient per worker): refused with a message
 * that says what would fit, before anything is allocated or written. */
static ks_status check_least(ks_ctx *ctx, const ks_trial_result *r, const ks_trial_options *o, int rank, int size,
                             int nt) {
  if (!o->max_memory_bytes) return KS_OK;
  size_t n = r->n, workers = (size_t)nt * (size_t)size;
  size_t fixed = fixed_bytes(r, rank, nt), least = min_sz(workers, n ? n : 1);
  size_t need = fixed + least * batch_bytes_per_patient(r, size);
  if (need <= o->max_memory_bytes) return KS_OK;
  size_t per_patient = r->plan.n_visits * r->n_kept * sizeof(double) + sizeof(trial_patient) + 12 * sizeof(double);
  size_t base = (size_t)nt * KS_TRIAL_THREAD_BYTES + least * batch_bytes_per_patient(r, size);
  size_t room = o->max_memory_bytes > base ? o->max_memory_bytes - base : 0;
  return ks_ctx_fail(ctx, KS_ERANGE,
                     "memory: %zu patients need at least %.1f MiB per process (%zu bytes of summary data "
                     "per patient, %.0f MiB per thread) but the limit is %.1f MiB (expected at most about "
                     "%zu patients per run here, a larger --max-memory, or fewer threads)",
                     n, (double)need / 1048576.0, per_patient, (double)KS_TRIAL_THREAD_BYTES / 1048576.0,
                     (double)o->max_memory_bytes / 1048576.0, room / (per_patient + 1));
}

ks_status ks__trial_check_memory(ks_ctx *ctx, const ks_trial_result *r, const ks_trial_options *o) {
  const ks_trial_comm *c = o->comm && o->comm->size > 1 ? o->comm : NULL;
  return check_least(ctx, r, o, c ? c->rank : 0, c ? c->size : 1, run_threads(ctx, o));
}

/* Batch size: the option, else 64 per worker, shrunk to fit max_memory_bytes. */
static ks_status choose_batch(ks_ctx *ctx, const ks_trial_result *r, const ks_trial_options *o, int rank, int size,
                              int nt, size_t *out) {
  size_t n = r->n;
  size_t workers = (size_t)nt * (size_t)size;
  size_t b = o->batch_patients ? o->batch_patients : KS_TRIAL_BATCH_PER_WORKER * workers;
  if (o->stream_dir && o->checkpoint_every_patients > 0) b = min_sz(b, (size_t)o->checkpoint_every_patients);
  b = min_sz(b, n ? n : 1);
  if (o->max_memory_bytes) {
    KS_TRY(check_least(ctx, r, o, rank, size, nt));
    size_t fit = (o->max_memory_bytes - fixed_bytes(r, rank, nt)) / batch_bytes_per_patient(r, size);
    if (b > fit) b = fit;
  }
  *out = b ? b : 1;
  return KS_OK;
}

/* The share [lo, hi) of batch [first, first+cnt) that rank q simulates. */
static void share(size_t first, size_t cnt, int q, int size, size_t *lo, size_t *hi) {
  *lo = first + cnt * (size_t)q / (size_t)size;
  *hi = first + cnt * (size_t)(q + 1) / (size_t)size;
}

/* One share of a batch, as the loop body of ks_par_for sees it. */
typedef struct share_job {
  ks_ctx *ctx;
  const ks_trial_result *r;
  const ks_trial_options *o;
  size_t lo, stride, total_done;
  int size;
  double *out;
  ks_status *pst;
  ks_err_slot *err;     /* [hi - lo]: each patient's failure, status and message together */
  atomic_size_t done;
} share_job;

/* Patient k's failure is captured into its own slot (ks__ctx_capture_begin): the message reported
 * for the lowest failing patient is that patient's, whatever the thread count or timing. */
static void simulate_one(void *ud, size_t k, int thread) {
  share_job *j = ud;
  const ks_trial_result *r = j->r;
  ks__ctx_capture_begin(j->ctx, &j->err[k]);
  j->pst[k] = ks__trial_simulate_patient(j->ctx, &r->plan, &r->patients[j->lo + k], j->out + k * j->stride, NULL);
  ks__ctx_capture_end();
  size_t seen = atomic_fetch_add(&j->done, 1) + 1;
  if (j->o->progress && thread == 0)
    j->o->progress(j->o->progress_ud, min_sz(j->total_done + seen * (size_t)j->size, r->n), r->n);
}

/* Simulate patients lo..hi-1 into out ([hi-lo][n_visits][KS_M_N]) with NT threads; returns the
 * lowest failing patient index, or (size_t)-1. */
static size_t simulate_share(ks_ctx *ctx, const ks_trial_result *r, size_t lo, size_t hi, double *out, ks_status *pst,
                             ks_err_slot *err, int nt, const ks_trial_options *o, size_t total_done, int size,
                             ks_status *fail_st) {
  share_job j = {ctx, r, o, lo, r->plan.n_visits * KS_M_N, total_done, size, out, pst, err, 0};
  atomic_init(&j.done, 0);
  ks_par_for(hi - lo, nt, 1, simulate_one, &j);
  for (size_t k = 0; k < hi - lo; k++)
    if (pst[k] != KS_OK) {
      *fail_st = pst[k];
      /* The patient's own message, recorded on the context from this (the calling) thread. */
      ks_ctx_fail(ctx, pst[k], "%s", err[k].msg[0] ? err[k].msg : ks_status_message(pst[k]));
      return lo + k;
    }
  return (size_t)-1;
}

typedef struct batch_bufs {
  double *local;        /* this rank's share */
  double *batch;        /* rank 0: the whole batch (may alias local when alone) */
  ks_status *pst;
  ks_err_slot *err;
  size_t *counts;
} batch_bufs;

static void bufs_free(ks_ctx *ctx, batch_bufs *b) {
  if (b->batch != b->local) ks_free(ctx, b->batch);
  ks_free(ctx, b->local);
  ks_free(ctx, b->pst);
  ks_free(ctx, b->err);
  ks_free(ctx, b->counts);
}

/* Agree across ranks on the lowest failing patient; every rank returns the same status. */
static ks_status agree_failure(ks_ctx *ctx, const ks_trial_result *r, const ks_trial_comm *c, size_t fail_i,
                               ks_status fail_st) {
  long mine = fail_i == (size_t)-1 ? 0 : (long)(r->n - fail_i);
  long all = c ? c->agree_max(c->ud, mine) : mine;
  if (all == 0) return KS_OK;
  size_t first_fail = r->n - (size_t)all;
  long code = c ? c->agree_max(c->ud, first_fail == fail_i ? -(long)fail_st : 0) : -(long)fail_st;
  if (first_fail != fail_i)
    return ks_ctx_fail(ctx, (ks_status)(-code), "patient %zu failed on another process (%s)", first_fail + 1,
                       ks_status_message((ks_status)(-code)));
  return (ks_status)(-code);
}

ks_status ks__trial_run_batches(ks_ctx *ctx, ks_trial_result *r, const ks_trial_options *o) {
  const ks_trial_comm *c = o->comm && o->comm->size > 1 ? o->comm : NULL;
  int rank = c ? c->rank : 0, size = c ? c->size : 1;
  size_t n = r->n, stride = r->plan.n_visits * KS_M_N;
  int nt = run_threads(ctx, o);
  size_t bsz = 0;
  ks_status st = choose_batch(ctx, r, o, rank, size, nt, &bsz);
  /* Every rank must take the same batch size and start: rank 0's. */
  long agreed = c ? c->agree_max(c->ud, st == KS_OK ? 0 : 1) : 0;
  if (agreed && st == KS_OK) st = ks_ctx_fail(ctx, KS_ERANGE, "memory: another process cannot fit its share");
  if (st != KS_OK) return st;
  long b_all = c ? c->agree_max(c->ud, rank == 0 ? (long)bsz : 0) : (long)bsz;
  long start = c ? c->agree_max(c->ud, rank == 0 ? (long)r->n_resumed : 0) : (long)r->n_resumed;
  bsz = (size_t)b_all;
  batch_bufs b = {0};
  size_t share_cap = bsz / (size_t)size + 1;
  int direct = !c && !r->streamed; /* alone, in memory: simulate straight into r->values */
  const ks_trial_sink *sk = rank == 0 ? r->sink : NULL;
  if (!direct) {
    b.local = ks_calloc(ctx, share_cap * stride, sizeof *b.local);
    if (rank == 0) {
      b.batch = c ? ks_calloc(ctx, bsz * stride, sizeof *b.batch) : b.local;
      b.counts = ks_calloc(ctx, (size_t)size, sizeof *b.counts);
    }
  }
  b.pst = ks_calloc(ctx, share_cap + bsz, sizeof *b.pst);
  b.err = ks_calloc(ctx, share_cap, sizeof *b.err);
  if (!b.pst || !b.err || (!direct && (!b.local || (rank == 0 && (!b.batch || !b.counts))))) {
    bufs_free(ctx, &b);
    return KS_ENOMEM;
  }
  for (size_t first = (size_t)start; first < n && st == KS_OK;) {
    size_t cnt = min_sz(bsz, n - first), lo, hi;
    share(first, cnt, rank, size, &lo, &hi);
    double *out = direct ? r->values + lo * stride : b.local;
    ks_status fst = KS_OK;
    size_t fail_i = simulate_share(ctx, r, lo, hi, out, b.pst, b.err, nt, o, first, size, &fst);
    if ((st = agree_failure(ctx, r, c, fail_i, fst)) != KS_OK) break;
    if (c) {
      if (rank == 0)
        for (int q = 0; q < size; q++) {
          size_t qlo, qhi;
          share(first, cnt, q, size, &qlo, &qhi);
          b.counts[q] = (qhi - qlo) * stride;
        }
      st = c->gather(c->ud, b.local, (hi - lo) * stride, rank == 0 ? b.batch : NULL, rank == 0 ? b.counts : NULL);
      if (st != KS_OK) st = ks_ctx_fail(ctx, st, "MPI: gathering patients %zu-%zu failed", first + 1, first + cnt);
    }
    ks_status sink = KS_OK;
    if (rank == 0 && st == KS_OK) {
      const double *rows = direct ? r->values + first * stride : b.batch;
      if (r->streamed) ks__trial_keep_values(r, first, cnt, rows);
      else if (!direct) memcpy(r->values + first * stride, rows, cnt * stride * sizeof *rows);
      if (sk) sink = sk->batch(r->sink_state, ctx, r, first, cnt, rows);
    }
    first += cnt;
    /* Rank 0 decides whether to go on (its write failed: 2; interrupted: 1); everyone follows. */
    int cancelled = o->cancel && *o->cancel;
    long stop = rank == 0 ? (sink != KS_OK ? 2 : cancelled ? 1 : 0) : 0;
    if (c) stop = c->agree_max(c->ud, stop);
    if (st != KS_OK) break;
    if (stop == 2) st = rank == 0 ? sink : ks_ctx_fail(ctx, KS_EIO, "process 0 could not write the outputs");
    else if (stop == 1 && first < n) {
      int saved = sk && sk->checkpoint;
      if (saved) st = sk->checkpoint(r->sink_state, ctx, r, first);
      if (st == KS_OK)
        st = ks_ctx_fail(ctx, KS_EINTERRUPTED, "interrupted after %zu of %zu patients%s", first, n,
                         saved || (r->streamed && rank != 0) ? "; checkpoint written, rerun with --resume to continue" : "");
    }
  }
  bufs_free(ctx, &b);
  if (st == KS_OK && o->progress && rank == 0) o->progress(o->progress_ud, n, n);
  return st;
}

void ks__trial_keep_values(ks_trial_result *r, size_t first, size_t count, const double *vals) {
  size_t nv = r->plan.n_visits;
  for (size_t k = 0; k < count; k++)
    for (size_t v = 0; v < nv; v++) {
      const double *src = vals + (k * nv + v) * KS_M_N;
      double *dst = r->values + ((first + k) * nv + v) * r->n_kept;
      for (int m = 0; m < KS_M_N; m++)
        if (r->kept_slot[m] >= 0) dst[r->kept_slot[m]] = src[m];
    }
}

ks_status ks_trial_restore_rows(ks_trial_result *r, size_t first, size_t count, const double *vals) {
  if (!r || !r->values || !vals || first > r->n || count > r->n - first) return KS_EINVAL;
  if (r->streamed) ks__trial_keep_values(r, first, count, vals);
  else memcpy(r->values + first * r->plan.n_visits * KS_M_N, vals, count * r->plan.n_visits * KS_M_N * sizeof *vals);
  return KS_OK;
}

/* The assessments that fill measure m (a mask of KS_SCALE_* bits), or 0 when every visit fills it:
 * the scale whose total it is (ks_trial_scale_measure) and, for the imaging measures, a scan visit
 * (which also records the volumes an MRI visit does: brain_visit.c). */
static unsigned measure_scales(ks_measure m) {
  unsigned need = 0;
  for (int s = 0; s < KS_SCALE_N; s++)
    if (ks_trial_scale_measure((ks_scen_scale)s) == (int)m) need |= 1u << s;
  if (m == KS_M_FC_VMPFC_AMYGDALA || m == KS_M_VOL_HPC_PCT) need |= 1u << KS_SCALE_SCAN;
  if (m == KS_M_VOL_PFC_PCT) need |= (1u << KS_SCALE_SCAN) | (1u << KS_SCALE_MRI);
  return need;
}

/* A streamed run keeps, of ks__trial_kept_measures, those the design assesses at some visit (a
 * measure no visit fills is NaN for every patient, as ks__trial_val returns for a measure not
 * kept): memory per patient follows the design, not the number of measures the model has. */
void ks__trial_set_layout(ks_trial_result *r, const ks_trial_options *o) {
  r->streamed = o->stream_dir != NULL;
  r->n_kept = KS_M_N;
  if (!r->streamed) return;
  unsigned assessed = 0;
  for (size_t v = 0; v < r->plan.n_visits; v++) assessed |= r->plan.visit_scales[v];
  memset(r->kept_slot, -1, sizeof r->kept_slot);
  r->n_kept = 0;
  for (size_t j = 0; j < ks__trial_n_kept_measures; j++) {
    unsigned need = measure_scales(ks__trial_kept_measures[j]);
    if (need && !(need & assessed)) continue;
    r->kept_slot[ks__trial_kept_measures[j]] = (signed char)r->n_kept++;
  }
}

ks_status ks__trial_alloc_values(ks_ctx *ctx, ks_trial_result *r, const ks_trial_options *o) {
  int root = !o->comm || o->comm->size <= 1 || o->comm->rank == 0;
  ks__trial_set_layout(r, o);
  if (!root) return KS_OK; /* only rank 0 keeps results */
  r->values = ks_calloc(ctx, r->n * r->plan.n_visits * r->n_kept + 1, sizeof *r->values);
  return r->values ? KS_OK : KS_ENOMEM;
}
