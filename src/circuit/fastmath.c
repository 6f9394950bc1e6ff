/* SPDX-License-Identifier: MIT */
/* Fast normal deviates for the neural noise: bulk Philox4x32-10 words, one deviate per 32-bit
 * word through a 2048-bin inverse-CDF table, exact quantiles in the tails. */
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

void ks__noise_key_init(ks__noise_key *nk, uint64_t seed, uint64_t patient, uint64_t scan) {
  ks_rng r;
  ks_rng_init(&r, seed, KS_STREAM_CIRCUIT_NOISE, patient, scan);
  uint64_t a = ks_rng_u64(&r), b = ks_rng_u64(&r);
  nk->k0 = (uint32_t)a;
  nk->k1 = (uint32_t)(a >> 32);
  nk->c3 = (uint32_t)b;
}

/* Philox4x32-10: ten rounds of two 32x32 -> 64-bit multiplies and xors, key bumped by the Weyl
 * constants. The loop over counters has no dependence between iterations, so it vectorises
 * (vpmuludq) in the AVX2 and AVX-512 clones. */
KS_CLONES
void ks__philox_block(const ks__noise_key *nk, uint64_t step, uint32_t *restrict u,
                      size_t n_words) {
  const uint32_t s_lo = (uint32_t)step, s_hi = (uint32_t)(step >> 32);
  const size_t nb = n_words / 4;
  for (size_t b = 0; b < nb; b++) {
    uint32_t c0 = (uint32_t)b, c1 = s_lo, c2 = s_hi, c3 = nk->c3;
    uint32_t k0 = nk->k0, k1 = nk->k1;
    for (int r = 0; r < 10; r++) {
      uint64_t p0 = (uint64_t)0xD2511F53u * c0;
      uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
      uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
      uint32_t n1 = (uint32_t)p1;
      uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
      uint32_t n3 = (uint32_t)p0;
      c0 = n0;
      c1 = n1;
      c2 = n2;
      c3 = n3;
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    u[4 * b] = c0;
    u[4 * b + 1] = c1;
    u[4 * b + 2] = c2;
    u[4 * b + 3] = c3;
  }
}

/* Interior bins (all but the outer two) by table interpolation in a vectorisable loop; then the
 * rare tail draws (probability 1/1024) are replaced by their exact quantiles. */
KS_CLONES
void ks__normals_from_words(const ks__ntab *t, const uint32_t *restrict u, double scale,
                            double *restrict out, size_t n) {
  const double *q = t->q;
  int any_tail = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t k = u[i] >> (32 - KS_NTAB_BITS);
    uint32_t kc = k == 0 ? 1 : (k == KS_NTAB_N - 1 ? KS_NTAB_N - 2 : k);
    double frac = ((double)(int32_t)(u[i] & ((1u << (32 - KS_NTAB_BITS)) - 1u)) + 0.5) * 0x1.0p-21;
    double lo = q[kc], hi = q[kc + 1];
    out[i] = scale * (lo + frac * (hi - lo));
    any_tail |= kc != k;
  }
  if (!any_tail) return;
  for (size_t i = 0; i < n; i++) {
    uint32_t k = u[i] >> (32 - KS_NTAB_BITS);
    if (k == 0 || k == KS_NTAB_N - 1) out[i] = scale * draw32(t, u[i]);
  }
}
