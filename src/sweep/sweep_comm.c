/* SPDX-License-Identifier: MIT */
/* The collective steps of a sweep over processes (sweep_internal.h), through ks_par_comm's
 * callbacks: the sweep layer itself links no MPI. */
#include "sweep_internal.h"

#include <string.h>

#include "core/core_internal.h"

const ks_par_comm *ks__sweep_comm(const ks_par_comm *c) { return c && c->size > 1 ? c : NULL; }

ks_status ks_sweep_agree(ks_ctx *ctx, const ks_par_comm *c, ks_status st) {
  if (!(c = ks__sweep_comm(c))) return st;
  long code = c->agree_max(c->ud, st != KS_OK ? -(long)st : 0);
  if (st != KS_OK || code == 0) return st;
  return ks_ctx_fail(ctx, (ks_status)(-code), "another process failed (%s)", ks_status_message((ks_status)(-code)));
}

int ks__sweep_cancelled(const ks_par_comm *c, const volatile sig_atomic_t *cancel) {
  long mine = cancel && *cancel ? 1 : 0;
  return (c = ks__sweep_comm(c)) ? c->agree_max(c->ud, mine) != 0 : (int)mine;
}

ks_status ks__sweep_bcast(ks_ctx *ctx, const ks_par_comm *c, double *v, size_t n) {
  if (!(c = ks__sweep_comm(c)) || n == 0) return KS_OK;
  if (!c->bcast) return ks_ctx_fail(ctx, KS_EINVAL, "sweep: the process communicator has no broadcast");
  ks_status st = c->bcast(c->ud, v, n);
  return st == KS_OK ? KS_OK : ks_ctx_fail(ctx, st, "MPI: broadcasting %zu values failed", n);
}

int ks__sweep_log_find(ks_ctx *ctx, const ks_par_comm *c, const ks_eval_log *log, const double *in, double *out,
                       size_t n_out, ks_status *st) {
  *st = KS_OK;
  if (!(c = ks__sweep_comm(c))) return ks_eval_log_find(log, in, out);
  double buf[1 + 2 * KS_PARAM_MAX + 16];
  if (n_out > sizeof buf / sizeof buf[0] - 1) {
    *st = ks_ctx_fail(ctx, KS_EINVAL, "sweep: %zu outputs per evaluation (at most %zu)", n_out, sizeof buf / sizeof buf[0] - 1);
    return 0;
  }
  memset(buf, 0, sizeof buf);
  if (c->rank == 0) buf[0] = ks_eval_log_find(log, in, buf + 1);
  if ((*st = ks__sweep_bcast(ctx, c, buf, 1 + n_out)) != KS_OK || buf[0] == 0) return 0;
  memcpy(out, buf + 1, n_out * sizeof *out);
  return 1;
}
