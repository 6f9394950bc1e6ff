/* SPDX-License-Identifier: MIT */
/* Streamed outputs and checkpoints of a large run (docs/scaling.md).
 *
 * Files in the output directory DIR while a streamed run is under way (rank 0 writes them all):
 *   .patients.csv.part    patients.csv so far, rows in patient order, appended batch by batch
 *   .checkpoint.rows      the row log: every finished patient's values, [n_visits][KS_M_N]
 *                         doubles each, in patient order (the input of the HDF5 file, and what a
 *                         resumed run reloads its in-memory summary data from)
 *   .checkpoint           small text file, replaced atomically (ks_afile): the run's identity
 *                         hash, patients finished, and the byte lengths of the two files above at
 *                         that point. A resumed run truncates them to those lengths, so anything
 *                         written after the last checkpoint (a batch cut by SIGKILL) is dropped.
 * patients.csv appears under its final name only in ks__trial_stream_commit (fsync + rename).
 * The trial's run loop calls this file only through ks_trial_stream_sink (trial.h's ks_trial_sink). */
#include "output_internal.h"

#include <ketasim/io.h>

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CKPT_MAGIC "ketasim-checkpoint 1"

struct trial_stream {
  char dir[4096];
  char csv_part[4200], rows_path[4200], ckpt_path[4200];
  char hdf5_path[4096];
  FILE *csv, *rows;
  uint64_t hash;
  long every_patients;
  double every_s;
  size_t last_ckpt_done;
  double last_ckpt_t_s;
};

static double mono_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- patients.csv rows ---------------------------------------------------------------------- */

void ks__trial_csv_header(FILE *fp) {
  const char *head[] = {"patient", "arm", "period", "treatment", "visit", "t_h", "day", "age_y", "female", "weight_kg"};
  for (size_t c = 0; c < KS_ARRAY_LEN(head); c++) ks_csv_field_str(fp, c == 0, head[c]);
  for (int m = 0; m < KS_M_N; m++) ks_csv_field_str(fp, 0, ks_measure_name((ks_measure)m));
  ks_csv_field_str(fp, 0, "after_dropout");  /* 0/1: tells a missing value after dropout from one not assessed */
  ks_csv_end_row(fp);
}

void ks__trial_csv_patient(FILE *fp, const ks_trial_result *r, size_t i, const double *vals) {
  const trial_patient *p = &r->patients[i];
  char buf[2 * KS_SCENARIO_NAME_MAX + 2];
  const ks_scenario *sc = r->sc;
  if (sc->design == KS_DESIGN_CROSSOVER)
    snprintf(buf, sizeof buf, "%s-%s", sc->arms[p->arm].name, sc->arms[1 - p->arm].name);
  else
    snprintf(buf, sizeof buf, "%s", sc->arms[p->arm].name);
  int dropped = 0;
  for (size_t v = 0; v < r->plan.n_visits; v++) {
    int period = r->plan.visit_period[v];
    if (v > 0 && !dropped) dropped = ks__trial_dropout_seen(&r->plan, v, vals + v * KS_M_N);
    ks_csv_field_int(fp, 1, (long long)i + 1);
    ks_csv_field_str(fp, 0, buf);
    ks_csv_field_int(fp, 0, period + 1);
    ks_csv_field_str(fp, 0, sc->arms[ks__trial_period_arm(&r->plan, p->arm, (size_t)period)].name);
    ks_csv_field_str(fp, 0, r->plan.visit_label[v]);
    ks_csv_field_num(fp, 0, r->plan.visit_t_h[v]);
    ks_csv_field_num(fp, 0, r->plan.visit_t_h[v] / 24.0);
    ks_csv_field_num(fp, 0, p->cov.age_y);
    ks_csv_field_int(fp, 0, p->cov.female);
    ks_csv_field_num(fp, 0, p->cov.weight_kg);
    for (int m = 0; m < KS_M_N; m++) ks_csv_field_num(fp, 0, vals[v * KS_M_N + (size_t)m]);
    ks_csv_field_int(fp, 0, dropped);
    ks_csv_end_row(fp);
  }
}

/* ---- identity of a run ---------------------------------------------------------------------- */

static uint64_t fnv1a(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) {
    h ^= b[i];
    h *= 1099511628211ull;
  }
  return h;
}

/* Hash of what determines every output byte: the resolved scenario (it carries the seed and the
 * version), the number of patients, the replicate and the row layout. Batch size, threads and
 * processes do not change the results, so a run may resume with different ones. */
static ks_status run_hash(ks_ctx *ctx, const ks_trial_result *r, uint64_t *out) {
  char *text = NULL;
  size_t len = 0;
  FILE *mf = open_memstream(&text, &len);
  if (!mf) return ks_ctx_fail(ctx, KS_ENOMEM, "checkpoint: cannot hash the scenario (%s)", strerror(errno));
  ks_status st = ks_scenario_write_resolved(ctx, r->sc, mf);
  fclose(mf);
  if (st != KS_OK) {
    free(text);
    return st;
  }
  uint64_t h = fnv1a(1469598103934665603ull, text, len);
  free(text);
  char tail[160];
  int k = snprintf(tail, sizeof tail, "|n=%zu|rep=%" PRIu64 "|seed=%" PRIu64 "|visits=%zu|measures=%d", r->n,
                   r->plan.replicate, r->plan.seed, r->plan.n_visits, (int)KS_M_N);
  *out = fnv1a(h, tail, (size_t)k);
  return KS_OK;
}

/* ---- files ------------------------------------------------------------------------------------ */

typedef struct ckpt_info {
  uint64_t hash;
  size_t done;
  long long csv_bytes, rows_bytes;
} ckpt_info;

/* Read DIR/.checkpoint. *found = 0 when there is none. */
static ks_status ckpt_read(ks_ctx *ctx, const char *path, ckpt_info *ci, int *found) {
  *found = 0;
  FILE *f = fopen(path, "r");
  if (!f) {
    if (errno == ENOENT) return KS_OK;
    return ks_ctx_fail(ctx, KS_EIO, "%s: cannot read (%s)", path, strerror(errno));
  }
  char magic[64] = "";
  unsigned long long hash = 0, done = 0;
  long long cb = -1, rb = -1;
  int ok = fgets(magic, sizeof magic, f) != NULL && !strncmp(magic, CKPT_MAGIC, strlen(CKPT_MAGIC)) &&
           fscanf(f, " hash %llx done %llu csv_bytes %lld rows_bytes %lld", &hash, &done, &cb, &rb) == 4 &&
           cb >= 0 && rb >= 0;
  fclose(f);
  if (!ok)
    return ks_ctx_fail(ctx, KS_EINPUT, "%s: not a ketasim checkpoint (expected the file a run with "
                                       "--checkpoint-every wrote; remove it to start afresh)", path);
  ci->hash = hash;
  ci->done = (size_t)done;
  ci->csv_bytes = cb;
  ci->rows_bytes = rb;
  *found = 1;
  return KS_OK;
}

static ks_status sync_file(ks_ctx *ctx, FILE *f, const char *path) {
  if (fflush(f) != 0 || fsync(fileno(f)) != 0)
    return ks_ctx_fail(ctx, KS_EIO, "%s: write failed (%s)", path, strerror(errno));
  return KS_OK;
}

static ks_status stream_checkpoint(void *state, ks_ctx *ctx, const ks_trial_result *r, size_t n_done) {
  (void)r;
  trial_stream *s = state;
  if (!s) return KS_OK;
  KS_TRY(sync_file(ctx, s->csv, s->csv_part));
  KS_TRY(sync_file(ctx, s->rows, s->rows_path));
  char text[256];
  int len = snprintf(text, sizeof text, CKPT_MAGIC "\nhash %016" PRIx64 "\ndone %zu\ncsv_bytes %lld\nrows_bytes %lld\n",
                     s->hash, n_done, (long long)ftello(s->csv), (long long)ftello(s->rows));
  KS_TRY(ks_write_file_atomic(ctx, s->ckpt_path, text, (size_t)len));
  s->last_ckpt_done = n_done;
  s->last_ckpt_t_s = mono_s();
  return KS_OK;
}

/* Give PATH its own copy of its data when another name (a committed patients.csv) shares it, so
 * truncating and appending on resume leaves that complete file as it is. */
static ks_status unshare(ks_ctx *ctx, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0 || st.st_nlink <= 1) return KS_OK;
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.copy", path);
  FILE *in = fopen(path, "rb"), *out = fopen(tmp, "wb");
  int ok = in && out;
  char buf[65536];
  size_t k;
  while (ok && (k = fread(buf, 1, sizeof buf, in)) > 0) ok = fwrite(buf, 1, k, out) == k;
  ok = ok && !ferror(in);
  if (in) fclose(in);
  if (out && fclose(out) != 0) ok = 0;
  if (!ok || rename(tmp, path) != 0) {
    remove(tmp);
    return ks_ctx_fail(ctx, KS_EIO, "%s: cannot copy for resuming (%s)", path, strerror(errno));
  }
  return KS_OK;
}

/* Resume: truncate the partial files to the checkpoint and reload the kept measures. */
static ks_status restore(ks_ctx *ctx, trial_stream *s, ks_trial_result *r, const ckpt_info *ci) {
  size_t rec = r->plan.n_visits * KS_M_N;
  if (ci->done > r->n || (long long)(ci->done * rec * sizeof(double)) != ci->rows_bytes)
    return ks_ctx_fail(ctx, KS_EINPUT, "%s: inconsistent checkpoint (%zu patients, %lld bytes of rows); remove "
                       "it to start afresh", s->ckpt_path, ci->done, ci->rows_bytes);
  KS_TRY(unshare(ctx, s->csv_part));
  s->csv = fopen(s->csv_part, "r+b");
  s->rows = fopen(s->rows_path, "r+b");
  if (!s->csv || !s->rows || ftruncate(fileno(s->csv), (off_t)ci->csv_bytes) != 0 ||
      ftruncate(fileno(s->rows), (off_t)ci->rows_bytes) != 0)
    return ks_ctx_fail(ctx, KS_EIO, "%s: the checkpoint's data files are missing or unreadable (%s); remove "
                       ".checkpoint to start afresh", s->dir, strerror(errno));
  struct stat st_csv, st_rows;
  if (fstat(fileno(s->csv), &st_csv) != 0 || fstat(fileno(s->rows), &st_rows) != 0 ||
      st_csv.st_size != ci->csv_bytes || st_rows.st_size != ci->rows_bytes)
    return ks_ctx_fail(ctx, KS_EINPUT, "%s: the checkpoint's data files are shorter than it records; remove "
                       ".checkpoint to start afresh", s->dir);
  double *buf = ks_malloc(ctx, rec * sizeof *buf);
  if (!buf) return KS_ENOMEM;
  for (size_t i = 0; i < ci->done; i++) {
    if (fread(buf, sizeof *buf, rec, s->rows) != rec) {
      ks_free(ctx, buf);
      return ks_ctx_fail(ctx, KS_EIO, "%s: short read at patient %zu", s->rows_path, i + 1);
    }
    ks_trial_restore_rows(r, i, 1, buf);
  }
  ks_free(ctx, buf);
  if (fseeko(s->csv, 0, SEEK_END) != 0 || fseeko(s->rows, 0, SEEK_END) != 0)
    return ks_ctx_fail(ctx, KS_EIO, "%s: cannot seek (%s)", s->dir, strerror(errno));
  s->last_ckpt_done = ci->done;
  return KS_OK;
}

/* The checkpoint in s->dir, if any: resume from it (o->resume, same run), refuse it (another
 * run's, or unreadable), or start afresh over it (a leftover of this same run without --resume). */
static ks_status open_existing(ks_ctx *ctx, trial_stream *s, ks_trial_result *r, const ks_trial_options *o,
                               int *restored) {
  ckpt_info ci;
  int found = 0;
  *restored = 0;
  KS_TRY(ckpt_read(ctx, s->ckpt_path, &ci, &found));
  if (!found) return KS_OK; /* nothing to resume: start afresh (so a batch job can always pass --resume) */
  if (ci.hash != s->hash)
    return ks_ctx_fail(ctx, KS_EINPUT,
                       o->resume ? "%s: checkpoint of a different run (scenario, seed, version or number of "
                                   "patients differ; expected the same scenario and options as the "
                                   "interrupted run, or remove it)"
                                 : "%s: this directory holds the checkpoint of another run (%zu patients "
                                   "done; scenario, seed, version or number of patients differ); expected "
                                   "another --out, or remove the checkpoint to discard that run",
                       s->ckpt_path, ci.done);
  if (!o->resume) return KS_OK;
  KS_TRY(restore(ctx, s, r, &ci));
  *restored = 1;
  return KS_OK;
}

static void stream_close(void *state, ks_ctx *ctx) {
  trial_stream *s = state;
  if (!s) return;
  if (s->csv) fclose(s->csv);
  if (s->rows) fclose(s->rows);
  ks_free(ctx, s);
}

static ks_status stream_open(void *ud, ks_ctx *ctx, ks_trial_result *r, const ks_trial_options *o, void **state,
                             size_t *n_done) {
  (void)ud;
  *n_done = 0;
  if (!o->stream_dir || !*o->stream_dir)
    return ks_ctx_fail(ctx, KS_EINVAL, "stream: no directory (expected ks_trial_options.stream_dir)");
  KS_TRY(ks_mkdirs(ctx, o->stream_dir));
  trial_stream *s = ks_calloc(ctx, 1, sizeof *s);
  if (!s) return KS_ENOMEM;
  *state = s; /* the run closes it, also on failure */
  snprintf(s->dir, sizeof s->dir, "%s", o->stream_dir);
  snprintf(s->csv_part, sizeof s->csv_part, "%s/.patients.csv.part", s->dir);
  snprintf(s->rows_path, sizeof s->rows_path, "%s/.checkpoint.rows", s->dir);
  snprintf(s->ckpt_path, sizeof s->ckpt_path, "%s/.checkpoint", s->dir);
  if (o->hdf5_path) snprintf(s->hdf5_path, sizeof s->hdf5_path, "%s", o->hdf5_path);
  s->every_patients = o->checkpoint_every_patients;
  s->every_s = o->checkpoint_every_s;
  s->last_ckpt_t_s = mono_s();
  KS_TRY(run_hash(ctx, r, &s->hash));
  int restored = 0;
  KS_TRY(open_existing(ctx, s, r, o, &restored));
  if (restored) {
    *n_done = s->last_ckpt_done;
    return KS_OK;
  }
  s->csv = fopen(s->csv_part, "w+b");
  s->rows = fopen(s->rows_path, "w+b");
  if (!s->csv || !s->rows) return ks_ctx_fail(ctx, KS_EIO, "%s: cannot write (%s)", s->dir, strerror(errno));
  remove(s->ckpt_path); /* a stale checkpoint of an earlier run must not outlive its data */
  ks__trial_csv_header(s->csv);
  return KS_OK;
}

static ks_status stream_batch(void *state, ks_ctx *ctx, const ks_trial_result *r, size_t first, size_t count,
                              const double *vals) {
  trial_stream *s = state;
  size_t rec = r->plan.n_visits * KS_M_N;
  for (size_t k = 0; k < count; k++) ks__trial_csv_patient(s->csv, r, first + k, vals + k * rec);
  if (fwrite(vals, sizeof *vals, count * rec, s->rows) != count * rec || ferror(s->csv))
    return ks_ctx_fail(ctx, KS_EIO, "%s: write failed (%s)", s->dir, strerror(errno));
  size_t done = first + count;
  int due = (s->every_patients > 0 && done - s->last_ckpt_done >= (size_t)s->every_patients) ||
            (s->every_s > 0 && mono_s() - s->last_ckpt_t_s >= s->every_s);
  if (due && done < r->n) KS_TRY(stream_checkpoint(s, ctx, r, done));
  return KS_OK;
}

const ks_trial_sink ks_trial_stream_sink = {stream_open, stream_batch, stream_checkpoint, stream_close};

trial_stream *ks__trial_stream_of(const ks_trial_result *r) {
  return ks_trial_sink_state(r, &ks_trial_stream_sink);
}

ks_status ks__trial_stream_commit(ks_ctx *ctx, const ks_trial_result *r, const char *csv_path) {
  trial_stream *s = ks__trial_stream_of(r);
  if (!s || !s->csv) return ks_ctx_fail(ctx, KS_EINVAL, "trial: no streamed patients.csv to commit");
  KS_TRY(sync_file(ctx, s->csv, s->csv_part));
  /* A hard link, not a rename: the checkpoint keeps its data file until ks_trial_finish, so a run
   * killed while it writes its other outputs still resumes (restore() then unshares the file). */
  char tmp[sizeof s->csv_part + 16];
  snprintf(tmp, sizeof tmp, "%s/.patients.csv.commit", s->dir);
  remove(tmp);
  if (link(s->csv_part, tmp) != 0 || rename(tmp, csv_path) != 0) {
    int e = errno;
    remove(tmp);
    return ks_ctx_fail(ctx, KS_EIO, "%s: cannot move into place (%s; expected --out and the streamed "
                       "directory on one file system)", csv_path, strerror(e));
  }
  if (s->hdf5_path[0]) {
    if (fflush(s->rows) != 0 || fseeko(s->rows, 0, SEEK_SET) != 0)
      return ks_ctx_fail(ctx, KS_EIO, "%s: cannot read back (%s)", s->rows_path, strerror(errno));
    KS_TRY(ks__trial_hdf5_write(ctx, r, s->hdf5_path, s->rows));
  }
  return KS_OK;
}

ks_status ks_trial_finish(ks_ctx *ctx, const ks_trial_result *r) {
  KS_CHECK_ARG(ctx, r);
  trial_stream *s = ks__trial_stream_of(r);
  if (!s) return KS_OK;
  if ((remove(s->ckpt_path) != 0 && errno != ENOENT) || (remove(s->rows_path) != 0 && errno != ENOENT))
    return ks_ctx_fail(ctx, KS_EIO, "%s: cannot remove the checkpoint (%s)", s->dir, strerror(errno));
  remove(s->csv_part);
  return KS_OK;
}

