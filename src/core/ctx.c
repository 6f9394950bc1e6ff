/* SPDX-License-Identifier: MIT */
/* The context handle: allocator with fault injection, logger, last error, seed, threads. */
#include "core_internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KS_ERRBUF KS_ERR_SLOT_MSG

/* The calling thread's active capture (ks__ctx_capture_begin), if any. */
static _Thread_local struct {
  const ks_ctx *ctx;
  ks_err_slot *slot;
} tl_capture;

void ks__ctx_capture_begin(const ks_ctx *ctx, ks_err_slot *slot) {
  slot->status = KS_OK;
  slot->msg[0] = '\0';
  tl_capture.ctx = ctx;
  tl_capture.slot = slot;
}

void ks__ctx_capture_end(void) {
  tl_capture.ctx = NULL;
  tl_capture.slot = NULL;
}

static ks_err_slot *captured(const ks_ctx *ctx) {
  return ctx && tl_capture.ctx == ctx ? tl_capture.slot : NULL;
}

struct ks_ctx {
  ks_ctx_opts opts;
  atomic_long n_alloc;          /* allocations so far, for fault injection */
  pthread_mutex_t err_lock;     /* serialises failures and log lines from worker threads */
  ks_status last_status;
  char last_error[KS_ERRBUF];
  ks__param_table params;       /* named model parameters set on this context (params.c) */
  char *command_line;           /* copy of opts.command_line, or NULL */
};

ks__param_table *ks__ctx_params(ks_ctx *ctx) { return &ctx->params; }
const ks__param_table *ks__ctx_params_const(const ks_ctx *ctx) { return &ctx->params; }

static const char *const status_names[] = {
#define X(name, code, msg) [-(code)] = #name,
    KS_STATUS_LIST(X)
#undef X
};
static const char *const status_msgs[] = {
#define X(name, code, msg) [-(code)] = msg,
    KS_STATUS_LIST(X)
#undef X
};

const char *ks_status_name(ks_status s) {
  int i = -(int)s;
  if (i < 0 || (size_t)i >= KS_ARRAY_LEN(status_names) || !status_names[i]) return "KS_UNKNOWN";
  return status_names[i];
}

const char *ks_status_message(ks_status s) {
  int i = -(int)s;
  if (i < 0 || (size_t)i >= KS_ARRAY_LEN(status_msgs) || !status_msgs[i]) return "unknown status";
  return status_msgs[i];
}

const char *ks_version(void) { return KS_VERSION_STRING; }

/* Set by the build (cmake/KetasimDeps.cmake, src/core/CMakeLists.txt). */
#ifndef KS_GIT_REVISION
#define KS_GIT_REVISION "unknown"
#endif
#ifndef KS_DEP_VERSIONS
#define KS_DEP_VERSIONS ""
#endif
const char *ks_git_revision(void) { return KS_GIT_REVISION; }
const char *ks_dependency_versions(void) { return KS_DEP_VERSIONS; }
const char *ks_ctx_command_line(const ks_ctx *ctx) { return ctx ? ctx->command_line : NULL; }

ks_ctx_opts ks_ctx_opts_default(void) {
  ks_ctx_opts o;
  memset(&o, 0, sizeof o);
  o.seed = 1;
  o.n_threads = 0;
  o.log_level = KS_LOG_WARN;
  return o;
}

static void *default_alloc(void *ud, size_t n) { (void)ud; return malloc(n); }
static void *default_realloc(void *ud, void *p, size_t n) { (void)ud; return realloc(p, n); }
static void default_free(void *ud, void *p) { (void)ud; free(p); }

ks_status ks_ctx_create(const ks_ctx_opts *opts, ks_ctx **out) {
  if (!opts || !out) return KS_EINVAL;
  int custom = opts->alloc_fn || opts->realloc_fn || opts->free_fn;
  if (custom && !(opts->alloc_fn && opts->realloc_fn && opts->free_fn)) return KS_EINVAL;
  void *(*af)(void *, size_t) = custom ? opts->alloc_fn : default_alloc;
  ks_ctx *c = af(opts->alloc_ud, sizeof *c);
  if (!c) return KS_ENOMEM;
  memset(c, 0, sizeof *c);
  c->opts = *opts;
  if (!custom) {
    c->opts.alloc_fn = default_alloc;
    c->opts.realloc_fn = default_realloc;
    c->opts.free_fn = default_free;
  }
  atomic_init(&c->n_alloc, 0);
  if (pthread_mutex_init(&c->err_lock, NULL) != 0) {
    c->opts.free_fn(c->opts.alloc_ud, c);
    return KS_ENOMEM;
  }
  c->last_status = KS_OK;
  c->opts.command_line = NULL;
  if (opts->command_line) { /* not through ks_malloc: fault injection counts the caller's allocations */
    size_t len = strlen(opts->command_line) + 1;
    c->command_line = c->opts.alloc_fn(c->opts.alloc_ud, len);
    if (!c->command_line) {
      pthread_mutex_destroy(&c->err_lock);
      c->opts.free_fn(c->opts.alloc_ud, c);
      return KS_ENOMEM;
    }
    memcpy(c->command_line, opts->command_line, len);
  }
  *out = c;
  return KS_OK;
}

void ks_ctx_destroy(ks_ctx **ctx) {
  if (!ctx || !*ctx) return;
  ks_ctx *c = *ctx;
  pthread_mutex_destroy(&c->err_lock);
  if (c->command_line) c->opts.free_fn(c->opts.alloc_ud, c->command_line);
  c->opts.free_fn(c->opts.alloc_ud, c);
  *ctx = NULL;
}

uint64_t ks_ctx_seed(const ks_ctx *ctx) { return ctx->opts.seed; }
void ks_ctx_set_seed(ks_ctx *ctx, uint64_t seed) { ctx->opts.seed = seed; }
int ks_ctx_threads(const ks_ctx *ctx) { return ctx->opts.n_threads; }
void ks_ctx_set_threads(ks_ctx *ctx, int n_threads) { ctx->opts.n_threads = n_threads < 0 ? 0 : n_threads; }
void ks_ctx_set_log_level(ks_ctx *ctx, ks_log_level level) { ctx->opts.log_level = level; }

const char *ks_ctx_last_error(const ks_ctx *ctx) {
  ks_err_slot *slot = captured(ctx);
  if (slot) return slot->msg;
  return ctx ? ctx->last_error : "";
}
ks_status ks_ctx_last_status(const ks_ctx *ctx) {
  ks_err_slot *slot = captured(ctx);
  if (slot) return slot->status;
  return ctx ? ctx->last_status : KS_EINVAL;
}

void ks_ctx_clear_error(ks_ctx *ctx) {
  if (!ctx) return;
  ks_err_slot *slot = captured(ctx);
  if (slot) {
    slot->status = KS_OK;
    slot->msg[0] = '\0';
    return;
  }
  pthread_mutex_lock(&ctx->err_lock);
  ctx->last_status = KS_OK;
  ctx->last_error[0] = '\0';
  pthread_mutex_unlock(&ctx->err_lock);
}

static ks_status record(ks_ctx *ctx, ks_status st, const char *prefix, const char *fmt, va_list ap) {
  if (!ctx) return st;
  char buf[KS_ERRBUF];
  size_t n = 0;
  if (prefix) {
    int k = snprintf(buf, sizeof buf, "%s", prefix);
    n = k < 0 ? 0 : KS_MIN((size_t)k, sizeof buf - 1);
  }
  vsnprintf(buf + n, sizeof buf - n, fmt, ap);
  /* One line, whatever input text the message quotes: control characters become spaces. */
  for (char *p = buf; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7F) *p = ' ';
  ks_err_slot *slot = captured(ctx);
  if (slot) { /* this thread's unit of work owns the failure */
    slot->status = st;
    memcpy(slot->msg, buf, sizeof buf);
    return st;
  }
  pthread_mutex_lock(&ctx->err_lock);
  ctx->last_status = st;
  memcpy(ctx->last_error, buf, sizeof buf);
  pthread_mutex_unlock(&ctx->err_lock);
  return st;
}

ks_status ks_ctx_fail(ks_ctx *ctx, ks_status st, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  record(ctx, st, NULL, fmt, ap);
  va_end(ap);
  return st;
}

ks_status ks_ctx_fail_input(ks_ctx *ctx, const char *file, int line, int col, const char *fmt, ...) {
  char prefix[512];
  if (line > 0 && col > 0)
    snprintf(prefix, sizeof prefix, "%s:%d:%d: ", file ? file : "<input>", line, col);
  else if (line > 0)
    snprintf(prefix, sizeof prefix, "%s:%d: ", file ? file : "<input>", line);
  else
    snprintf(prefix, sizeof prefix, "%s: ", file ? file : "<input>");
  va_list ap;
  va_start(ap, fmt);
  record(ctx, KS_EINPUT, prefix, fmt, ap);
  va_end(ap);
  return KS_EINPUT;
}

void ks_log(ks_ctx *ctx, ks_log_level level, const char *fmt, ...) {
  if (!ctx || level > ctx->opts.log_level) return;
  char line[KS_ERRBUF];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  pthread_mutex_lock(&ctx->err_lock);
  if (ctx->opts.log_fn)
    ctx->opts.log_fn(ctx->opts.log_ud, level, line);
  else
    fprintf(stderr, "ketasim: %s\n", line);
  pthread_mutex_unlock(&ctx->err_lock);
}

static int alloc_should_fail(ks_ctx *ctx) {
  long n = atomic_fetch_add(&ctx->n_alloc, 1) + 1;
  return ctx->opts.fail_alloc_at > 0 && n >= ctx->opts.fail_alloc_at;
}

void *ks_malloc(ks_ctx *ctx, size_t n) {
  if (alloc_should_fail(ctx)) goto fail;
  void *p = ctx->opts.alloc_fn(ctx->opts.alloc_ud, n ? n : 1);
  if (p) return p;
fail:
  ks_ctx_fail(ctx, KS_ENOMEM, "out of memory (%zu bytes)", n);
  return NULL;
}

void *ks_calloc(ks_ctx *ctx, size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) {
    ks_ctx_fail(ctx, KS_ENOMEM, "allocation overflow (%zu x %zu bytes)", count, size);
    return NULL;
  }
  void *p = ks_malloc(ctx, count * size);
  if (p) memset(p, 0, count * size);
  return p;
}

void *ks_realloc(ks_ctx *ctx, void *p, size_t n) {
  if (alloc_should_fail(ctx)) goto fail;
  void *q = ctx->opts.realloc_fn(ctx->opts.alloc_ud, p, n ? n : 1);
  if (q) return q;
fail:
  ks_ctx_fail(ctx, KS_ENOMEM, "out of memory (%zu bytes)", n);
  return NULL;
}

void ks_free(ks_ctx *ctx, void *p) {
  if (p) ctx->opts.free_fn(ctx->opts.alloc_ud, p);
}

char *ks_strdup(ks_ctx *ctx, const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *d = ks_malloc(ctx, n);
  if (d) memcpy(d, s, n);
  return d;
}
