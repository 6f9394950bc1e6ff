/* SPDX-License-Identifier: MIT */
/* Philox4x64-10 streams and the distributions the model draws from. */
#include "core/core_internal.h"
#include <ketasim/rng.h>

#include <math.h>
#include <string.h>
#include <Random123/philox.h>

void ks_rng_init(ks_rng *r, uint64_t seed, ks_stream purpose, uint64_t entity, uint64_t index) {
  memset(r, 0, sizeof *r);
  r->key[0] = seed;
  r->key[1] = (uint64_t)purpose;
  r->ctr[0] = entity;
  r->ctr[1] = index;
}

static void refill(ks_rng *r) {
  philox4x64_ctr_t c = {{r->ctr[0], r->ctr[1], r->ctr[2], r->ctr[3]}};
  philox4x64_key_t k = {{r->key[0], r->key[1]}};
  philox4x64_ctr_t o = philox4x64(c, k);
  memcpy(r->buf, o.v, sizeof r->buf);
  r->ctr[2]++;
  r->n_left = 4;
}

uint64_t ks_rng_u64(ks_rng *r) {
  if (r->n_left == 0) refill(r);
  return r->buf[4 - r->n_left--];
}

double ks_rng_uniform(ks_rng *r) {
  /* (k + 0.5) / 2^53 lies strictly inside (0, 1). */
  return ((double)(ks_rng_u64(r) >> 11) + 0.5) * 0x1.0p-53;
}

double ks_rng_normal(ks_rng *r) {
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  double u1 = ks_rng_uniform(r), u2 = ks_rng_uniform(r);
  double rad = sqrt(-2.0 * log(u1)), th = 2.0 * M_PI * u2;
  r->spare = rad * sin(th);
  r->has_spare = 1;
  return rad * cos(th);
}

double ks_rng_lognormal(ks_rng *r, double mu, double sigma) {
  return exp(mu + sigma * ks_rng_normal(r));
}

/* Standard normal CDF from the C library's erfc (accurate in both tails). */
static double norm_cdf(double z) { return 0.5 * erfc(-z / M_SQRT2); }

/* Standard normal quantile: Wichura (1988), Algorithm AS 241 (PPND16), relative error ~1e-16. */
double ks_rng_norm_quantile(double p) {
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

double ks_rng_truncnormal(ks_rng *r, double mu, double sd, double lo, double hi) {
  if (!(sd > 0.0)) return KS_MIN(KS_MAX(mu, lo), hi);
  double a = (lo - mu) / sd, b = (hi - mu) / sd;
  /* Work in the tail that keeps precision: reflect when both bounds are in the upper tail. */
  int flip = a > 0.0;
  if (flip) {
    double t = a;
    a = -b;
    b = -t;
  }
  double pa = norm_cdf(a), pb = norm_cdf(b);
  double z;
  if (!(pb - pa > 1e-300)) {
    z = fabs(a) < fabs(b) ? a : b;
  } else {
    double p = pa + ks_rng_uniform(r) * (pb - pa);
    z = ks_rng_norm_quantile(p);
    if (z < a) z = a;
    if (z > b) z = b;
  }
  if (flip) z = -z;
  double x = mu + sd * z;
  return KS_MIN(KS_MAX(x, lo), hi);
}

int ks_rng_bernoulli(ks_rng *r, double p) {
  if (!(p > 0.0)) return 0;
  if (p >= 1.0) return 1;
  return ks_rng_uniform(r) < p;
}

uint64_t ks_rng_below(ks_rng *r, uint64_t n) {
  if (n <= 1) return 0;
  uint64_t lim = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = ks_rng_u64(r);
  while (x >= lim);
  return x % n;
}

uint64_t ks_rng_poisson(ks_rng *r, double lambda) {
  if (!(lambda > 0.0)) return 0;
  if (lambda < 10.0) {
    /* Inversion by sequential search. */
    double u = ks_rng_uniform(r), p = exp(-lambda), f = p;
    uint64_t k = 0;
    while (u > f && k < 1000) {
      k++;
      p *= lambda / (double)k;
      f += p;
    }
    return k;
  }
  /* Hormann (1993), "The transformed rejection method for generating Poisson random variables". */
  double slam = sqrt(lambda), loglam = log(lambda);
  double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
  double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    double u = ks_rng_uniform(r) - 0.5, v = ks_rng_uniform(r);
    double us = 0.5 - fabs(u);
    double k = floor((2.0 * a / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return (uint64_t)k;
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <= -lambda + k * loglam - lgamma(k + 1.0))
      return (uint64_t)k;
  }
}
