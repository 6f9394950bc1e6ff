/* SPDX-License-Identifier: MIT */
/* Filling validation entries. */
#include "core_internal.h"
#include <ketasim/validate.h>

#include <math.h>
#include <stdio.h>

ks_status ks_target_add(ks_target_result *out, size_t cap, size_t *n, const char *id,
                        const char *quantity, const char *unit, const char *source, double published,
                        double lo, double hi, double simulated, ks_target_role role) {
  if (!out || !n || *n >= cap) return KS_EINVAL;
  ks_target_result *t = &out[(*n)++];
  snprintf(t->id, sizeof t->id, "%s", id ? id : "");
  snprintf(t->quantity, sizeof t->quantity, "%s", quantity ? quantity : "");
  snprintf(t->unit, sizeof t->unit, "%s", unit ? unit : "");
  snprintf(t->source, sizeof t->source, "%s", source ? source : "");
  t->published = published;
  t->lo = lo;
  t->hi = hi;
  t->simulated = simulated;
  t->role = role;
  t->pass = isfinite(simulated) && simulated >= lo && simulated <= hi;
  return KS_OK;
}
