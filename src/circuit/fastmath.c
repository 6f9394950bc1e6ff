/* SPDX-License-Identifier: MIT */
/* Fast normal deviates for the neural noise: a 2048-bin inverse-CDF table, two draws per 64-bit
 * Philox word, exact quantiles in the tails. */
#include "circuit_internal.h"


void ks__ntab_init(ks__ntab *t) {
  t->q[0] = 0.0;
  t->q[KS_NTAB_N] = 0.0;
  for (unsigned k = 1; k < KS_NTAB_N; k++) t->q[k] = ks_rng_norm_quantile((double)k / (double)KS_NTAB_N);
}

/* One deviate from 32 random bits: the top 11 choose an equal-probability bin, the low 21 place
 * the draw inside it. Interior bins interpolate the quantile linearly (the density is nearly
 * uniform within a bin of probability 1/2048; the variance error is below 1e-5); the two
 * outer bins use the exact quantile, so the tails reach |z| ~ 6.2. */
static inline double draw32(const ks__ntab *t, uint32_t u) {
  unsigned k = u >> (32 - KS_NTAB_BITS);
  double frac = ((double)(u & ((1u << (32 - KS_NTAB_BITS)) - 1u)) + 0.5) * 0x1.0p-21;
  if (k == 0 || k == KS_NTAB_N - 1) {
    double p = frac / (double)KS_NTAB_N;
    return k == 0 ? ks_rng_norm_quantile(p) : -ks_rng_norm_quantile(p);
  }
  return t->q[k] + frac * (t->q[k + 1] - t->q[k]);
}

void ks__normals(const ks__ntab *t, ks_rng *rng, double *out, size_t n) {
  size_t i = 0;
  for (; i + 1 < n; i += 2) {
    uint64_t w = ks_rng_u64(rng);
    out[i] = draw32(t, (uint32_t)(w >> 32));
    out[i + 1] = draw32(t, (uint32_t)w);
  }
  if (i < n) out[i] = draw32(t, (uint32_t)(ks_rng_u64(rng) >> 32));
}
