/* SPDX-License-Identifier: MIT */
/* Private helpers shared by every module of libketasim (never installed). */
#ifndef KS_CORE_INTERNAL_H
#define KS_CORE_INTERNAL_H

#include <ketasim/core.h>

/* Return early with the status of a failing call. */
#define KS_TRY(expr)                       \
  do {                                     \
    ks_status ks__st = (expr);             \
    if (ks__st != KS_OK) return ks__st;    \
  } while (0)

/* Argument check at the API boundary: always on, records and returns KS_EINVAL. */
#define KS_CHECK_ARG(ctx, cond)                                                        \
  do {                                                                                 \
    if (!(cond)) return ks_ctx_fail((ctx), KS_EINVAL, "%s: invalid argument: %s",     \
                                    __func__, #cond);                                  \
  } while (0)

/* Internal invariants: compiled in only for debug builds. */
#ifndef NDEBUG
#include <assert.h>
#define KS_ASSERT(cond) assert(cond)
#else
#define KS_ASSERT(cond) ((void)0)
#endif

/* Named model parameters set on a context (params.c): calibration and ensembles. */
#define KS__PARAM_MAX 32
#define KS__PARAM_NAME 48
typedef struct ks__param_table {
  size_t n;
  char name[KS__PARAM_MAX][KS__PARAM_NAME];
  double value[KS__PARAM_MAX];
} ks__param_table;
ks__param_table *ks__ctx_params(ks_ctx *ctx);
const ks__param_table *ks__ctx_params_const(const ks_ctx *ctx);

#define KS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Errors that belong to one unit of parallel work (a patient). While a capture is active on the
 * calling thread, every failure recorded on CTX from this thread goes into SLOT (status and
 * message together) instead of the context, and ks_ctx_last_error/_last_status read the slot on
 * this thread, so a worker never reads another thread's error. Captures do not nest; end it on the
 * thread that began it. */
#define KS_ERR_SLOT_MSG 1024
typedef struct ks_err_slot {
  ks_status status;
  char msg[KS_ERR_SLOT_MSG];
} ks_err_slot;
void ks__ctx_capture_begin(const ks_ctx *ctx, ks_err_slot *slot);
void ks__ctx_capture_end(void);
#define KS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define KS_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
