/* SPDX-License-Identifier: MIT */
/* Counter-based random streams (Random123 Philox4x64-10).
 *
 * A stream is keyed by (seed, purpose, entity, index): the draws a virtual patient (entity) gets for
 * one purpose are the same whatever thread or MPI rank runs it and whatever else is drawn elsewhere.
 * A ks_rng is a small value type (no allocation); copy it freely; one ks_rng per thread. */
#ifndef KETASIM_RNG_H
#define KETASIM_RNG_H

#include <ketasim/core.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Purposes: one per independent use of randomness. Append only: renumbering changes results. */
typedef enum {
  KS_STREAM_TEST = 0,
  KS_STREAM_RANDOMISATION = 1,  /* arm allocation */
  KS_STREAM_POPULATION = 2,     /* covariates: age, sex, weight, severity, ... */
  KS_STREAM_PK_IIV = 3,         /* between-patient variability of PK parameters */
  KS_STREAM_PLASTICITY_IIV = 4,
  KS_STREAM_CIRCUIT_IIV = 5,    /* circuit phenotype */
  KS_STREAM_CIRCUIT_NOISE = 6,  /* neural noise during scans */
  KS_STREAM_FEAR = 7,           /* reminders, exposures */
  KS_STREAM_CLINIC = 8,         /* item responses, rater noise */
  KS_STREAM_ACUTE = 9,          /* dissociation, blood pressure */
  KS_STREAM_DROPOUT = 10,
  KS_STREAM_BOOTSTRAP = 11,
  KS_STREAM_LATENT_CAUSE = 12,
  KS_STREAM_REPLICATE = 13,
  KS_STREAM_SCREENING = 14,
  KS_STREAM_ENSEMBLE = 15,      /* parameter draws of `run --uncertainty` (calibrate module) */
  KS_STREAM_BRAIN = 16,         /* brain layer: cognition trait and retest noise, pain, SSI */
  KS_STREAM_RESPONSE_IIV = 17   /* between-patient variability of learning rates and placebo
                                   responsiveness (link: ks_link_response_draw) */
} ks_stream;

typedef struct ks_rng {
  uint64_t key[2];      /* seed, purpose */
  uint64_t ctr[4];      /* entity, index, block counter, 0 */
  uint64_t buf[4];      /* current block of output */
  unsigned n_left;      /* unused words in buf */
  int has_spare;        /* Box-Muller spare normal */
  double spare;
} ks_rng;

/** Initialise a stream for (seed, purpose, entity, index). Never fails. */
KS_API void ks_rng_init(ks_rng *r, uint64_t seed, ks_stream purpose, uint64_t entity, uint64_t index);

/** 64 random bits. */
KS_API uint64_t ks_rng_u64(ks_rng *r);
/** Uniform on the open interval (0, 1), 53-bit resolution. */
KS_API double ks_rng_uniform(ks_rng *r);
/** Standard normal (Box-Muller; pairs are consumed in order). */
KS_API double ks_rng_normal(ks_rng *r);
/** exp(N(mu, sigma^2)). */
KS_API double ks_rng_lognormal(ks_rng *r, double mu, double sigma);
/** Normal(mu, sd) truncated to [lo, hi] by inversion (one uniform per draw, no rejection loop).
 *  Requires lo < hi; returns the nearer bound when the interval holds no measurable mass. */
KS_API double ks_rng_truncnormal(ks_rng *r, double mu, double sd, double lo, double hi);
/** 1 with probability p (p clamped to [0, 1]), else 0. */
KS_API int ks_rng_bernoulli(ks_rng *r, double p);
/** Poisson(lambda), lambda >= 0: inversion below 10, Hormann's PTRS above. */
KS_API uint64_t ks_rng_poisson(ks_rng *r, double lambda);
/** Standard normal quantile (Wichura 1988, AS 241; relative error about 1e-16), p in (0, 1). */
KS_API double ks_rng_norm_quantile(double p);
/** Uniform integer in [0, n), n > 0, without modulo bias. */
KS_API uint64_t ks_rng_below(ks_rng *r, uint64_t n);

#ifdef __cplusplus
}
#endif
#endif
