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

ks_status ks_target_band(const ks_band_input *in, double *lo, double *hi) {
  if (!in || !lo || !hi) return KS_EINVAL;
  double l, h;
  if (isfinite(in->ci_lo) && isfinite(in->ci_hi) && in->ci_lo <= in->ci_hi) {
    l = in->ci_lo;
    h = in->ci_hi;
  } else if (isfinite(in->published) && in->sd > 0.0 && in->n > 0.0 && isfinite(in->sd) && isfinite(in->n)) {
    double half = 1.959963984540054 * in->sd / sqrt(in->n);
    l = in->published - half;
    h = in->published + half;
  } else {
    return KS_EINVAL;
  }
  int has_lo = isfinite(in->pred_lo), has_hi = isfinite(in->pred_hi);
  if (has_lo || has_hi) {
    if (!(has_lo && has_hi && isfinite(in->simulated) && in->pred_lo <= in->simulated && in->simulated <= in->pred_hi))
      return KS_EINVAL;
    l -= in->simulated - in->pred_lo;
    h += in->pred_hi - in->simulated;
  }
  *lo = l;
  *hi = h;
  return KS_OK;
}
