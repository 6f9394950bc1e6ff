/* SPDX-License-Identifier: MIT */
/* Core of libketasim: status codes, the context handle, allocation, logging and error reporting.
 *
 * Every call that can fail takes a ks_ctx first and returns a ks_status. The context holds the
 * allocator, the logger, the last error message, the root seed and the thread count; there is no
 * mutable global state, so several contexts (several simulations) can live in one process.
 * The library never exits or aborts. */
#ifndef KETASIM_CORE_H
#define KETASIM_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <ketasim/version.h>

/* KS_API marks the public API: exported from libketasim.so (built with -fvisibility=hidden).
 * KS_INTERNAL_API marks helpers the ketasim CLI shares with the library (CSV/JSON writers, atomic
 * files, figures, edit distance): hidden in libketasim.so, reachable only by linking the static
 * libketasim.a as the CLI and the tests do; their headers (io.h, report.h) are not installed. */
#if defined(KS_BUILDING_LIBRARY) && defined(__GNUC__)
#define KS_API __attribute__((visibility("default")))
#else
#define KS_API
#endif
#define KS_INTERNAL_API
#if defined(__GNUC__)
#define KS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define KS_PRINTF(a, b)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. KS_EINPUT is bad user input (the CLI exits 2); every other failure exits 1. */
#define KS_STATUS_LIST(X)                                                         \
  X(KS_OK, 0, "success")                                                         \
  X(KS_EINVAL, -1, "invalid argument")                                           \
  X(KS_ENOMEM, -2, "out of memory")                                              \
  X(KS_ESOLVER, -3, "ODE solver failure")                                        \
  X(KS_EIO, -4, "I/O or file-format error")                                      \
  X(KS_EINPUT, -5, "bad input")                                                  \
  X(KS_ERANGE, -6, "outside the studied or supported range")                     \
  X(KS_EINTERRUPTED, -7, "interrupted")                                          \
  X(KS_ENUMERIC, -8, "numerical failure")                                        \
  X(KS_EUNSUPPORTED, -9, "not supported by this model or build")

typedef enum {
#define X(name, code, msg) name = code,
  KS_STATUS_LIST(X)
#undef X
} ks_status;

/** Symbolic name ("KS_EINVAL") and one-line description of a status. Never NULL. */
KS_API const char *ks_status_name(ks_status s);
KS_API const char *ks_status_message(ks_status s);

/** Library version string, equal to KS_VERSION_STRING. */
KS_API const char *ks_version(void);
/** Provenance of this build: the git revision of its source ("unknown" outside a git checkout)
 *  and the versions of its dependencies as configured ("SUNDIALS 6.4.1, libfyaml ..."). */
KS_API const char *ks_git_revision(void);
KS_API const char *ks_dependency_versions(void);

typedef enum { KS_LOG_ERROR = 0, KS_LOG_WARN = 1, KS_LOG_INFO = 2, KS_LOG_DEBUG = 3 } ks_log_level;

/** Logger callback: receives one complete line without its trailing newline. */
typedef void (*ks_log_fn)(void *ud, ks_log_level level, const char *line);

typedef struct ks_ctx_opts {
  uint64_t seed;            /* root seed of every random stream */
  int n_threads;            /* 0: OpenMP's default; 1: serial */
  ks_log_level log_level;   /* messages above this level are dropped; default KS_LOG_WARN */
  ks_log_fn log_fn;         /* NULL: write "ketasim: ..." lines to stderr */
  void *log_ud;
  /* Allocator; all three NULL means the C library's malloc/realloc/free. */
  void *(*alloc_fn)(void *ud, size_t n);
  void *(*realloc_fn)(void *ud, void *p, size_t n);
  void (*free_fn)(void *ud, void *p);
  void *alloc_ud;
  /* Fault injection for tests: when > 0, the N-th allocation (1-based) and every later one fail. */
  long fail_alloc_at;
  /* The command that runs the library (e.g. "ketasim run x.yaml --out d"), recorded in the
   * provenance of output files; copied at creation. NULL: none. */
  const char *command_line;
} ks_ctx_opts;

typedef struct ks_ctx ks_ctx;

/** Defaults: seed 1, n_threads 0, log level WARN, stderr logger, malloc. */
KS_API ks_ctx_opts ks_ctx_opts_default(void);

/** Create a context. Writes *out only on success.
 *  @return KS_OK, KS_EINVAL (NULL out or opts), KS_ENOMEM. */
KS_API ks_status ks_ctx_create(const ks_ctx_opts *opts, ks_ctx **out);
/** Destroy a context and set *ctx to NULL; does nothing when *ctx is NULL. */
KS_API void ks_ctx_destroy(ks_ctx **ctx);

KS_API uint64_t ks_ctx_seed(const ks_ctx *ctx);
KS_API void ks_ctx_set_seed(ks_ctx *ctx, uint64_t seed);
KS_API int ks_ctx_threads(const ks_ctx *ctx);
/** The opts.command_line the context was created with, or NULL. */
KS_API const char *ks_ctx_command_line(const ks_ctx *ctx);
KS_API void ks_ctx_set_threads(ks_ctx *ctx, int n_threads);
KS_API void ks_ctx_set_log_level(ks_ctx *ctx, ks_log_level level);

/** The message of the most recent failure, "" when none. For bad input it has the form
 *  "FILE:LINE:COL: what is wrong (what was expected)". Valid until the next failing call.
 *  Thread-safety: failures from several threads are serialised; the last one wins. */
KS_API const char *ks_ctx_last_error(const ks_ctx *ctx);
KS_API ks_status ks_ctx_last_status(const ks_ctx *ctx);
KS_API void ks_ctx_clear_error(ks_ctx *ctx);

/** Record a failure and return its status; used by library modules and by front ends alike. */
KS_API ks_status ks_ctx_fail(ks_ctx *ctx, ks_status st, const char *fmt, ...) KS_PRINTF(3, 4);
/** Record bad input at FILE:LINE:COL (line and col 1-based; 0 leaves them out). */
KS_API ks_status ks_ctx_fail_input(ks_ctx *ctx, const char *file, int line, int col,
                                   const char *fmt, ...) KS_PRINTF(5, 6);

/** Log a line at a level (dropped when above the context's level). Thread-safe. */
KS_API void ks_log(ks_ctx *ctx, ks_log_level level, const char *fmt, ...) KS_PRINTF(3, 4);

/** Allocation through the context's allocator. ks_malloc/ks_calloc return NULL on failure and
 *  record KS_ENOMEM in the context. ks_free(ctx, NULL) does nothing. */
KS_API void *ks_malloc(ks_ctx *ctx, size_t n);
KS_API void *ks_calloc(ks_ctx *ctx, size_t count, size_t size);
KS_API void *ks_realloc(ks_ctx *ctx, void *p, size_t n);
KS_API void ks_free(ks_ctx *ctx, void *p);
KS_API char *ks_strdup(ks_ctx *ctx, const char *s);

/** Damerau-Levenshtein distance between two short strings (for "did you mean" suggestions);
 *  strings longer than 40 characters are "far" (99). Pure; thread-safe. */
KS_INTERNAL_API size_t ks_edit_distance(const char *a, const char *b);

/* Named model parameters (the calibrated set, docs/model.md "calibrated"). A layer reads a
 * parameter with ks_model_param(): the value set on this context (ks_model_param_set: `ketasim calibrate`,
 * `run --uncertainty` draws), else the committed fitted value when the fit identified it
 * (data/calibration/fitted.tsv: an unidentifiable parameter stays at its start, the default),
 * generated into the build by src/core/CMakeLists.txt, else FALLBACK (the compiled default). Set parameters
 * before a run; reading is thread-safe, setting is not. */
KS_API double ks_model_param(const ks_ctx *ctx, const char *name, double fallback);
/** Set NAME on this context. @return KS_OK, KS_EINVAL (bad name or non-finite value), KS_ERANGE (table full). */
KS_API ks_status ks_model_param_set(ks_ctx *ctx, const char *name, double value);
/** Forget every parameter set on this context (back to the committed set). */
KS_API void ks_model_param_clear(ks_ctx *ctx);
/** The committed fitted value of NAME (src/core/params_fitted.c); 1 when there is one. */
KS_API int ks_model_param_fitted(const char *name, double *value);
/** The i-th committed parameter's name, value, Laplace SD (NAN: not identifiable) and fitted
 *  range (NULL name past the end; any pointer may be NULL). */
KS_API const char *ks_model_param_fitted_at(size_t i, double *value, double *sd, double *lo, double *hi);
/** Entry (i, j) of the committed Laplace covariance (the order of ks_model_param_fitted_at); NAN
 *  when either parameter is not identifiable or past the end. */
KS_API double ks_model_param_fitted_cov(size_t i, size_t j);

#ifdef __cplusplus
}
#endif
#endif
