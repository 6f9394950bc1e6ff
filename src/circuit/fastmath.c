/* SPDX-License-Identifier: MIT */
/* Fast normal deviates for the neural noise: a 2048-bin inverse-CDF table, two draws per 64-bit
 * Philox word, exact quantiles in the tails. */
#include "circuit_internal.h"

/* Standard normal quantile: Wichura (1988), Algorithm AS 241 (PPND16), relative error ~1e-16.
 * (The same algorithm as the rng module's private one; repeated here because that one is static.) */
double ks__norm_quantile(double p) {
  double q = p - 0.5, r, x;
  if (fabs(q) <= 0.425) {
    r = 0.180625 - q * q;
    return q * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
                    45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r +
                 133.14166789178437745) * r + 3.387132872796366608) /
           (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r +
                21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r +
             42.313330701600911252) * r + 1.0);
  }
  r = q < 0 ? p : 1.0 - p;
  r = sqrt(-log(r));
  if (r <= 5.0) {
    r -= 1.6;
    x = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r +
            1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r +
          4.6303378461565452959) * r + 1.42343711074968357734) /
        (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r +
             0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r +
          2.05319162663775882187) * r + 1.0);
  } else {
    r -= 5.0;
    x = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r +
            0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r +
          5.4637849111641143699) * r + 6.6579046435011037772) /
        (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
             7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r +
          0.59983220655588793769) * r + 1.0);
  }
  return q < 0 ? -x : x;
}

void ks__ntab_init(ks__ntab *t) {
  t->q[0] = 0.0;
  t->q[KS_NTAB_N] = 0.0;
  for (unsigned k = 1; k < KS_NTAB_N; k++) t->q[k] = ks__norm_quantile((double)k / (double)KS_NTAB_N);
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
    return k == 0 ? ks__norm_quantile(p) : -ks__norm_quantile(p);
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
