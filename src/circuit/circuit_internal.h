/* SPDX-License-Identifier: MIT */
/* Private structures of the circuit layer: the network in structure-of-arrays form, the
 * per-drive effective parameters, the model constants and fast vectorisable kernels. */
#ifndef KS_CIRCUIT_INTERNAL_H
#define KS_CIRCUIT_INTERNAL_H

#include "core/core_internal.h"
#include <ketasim/circuit.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Reduced Wong-Wang E/I model, Deco et al. 2014 J Neurosci 34:7886, Table/eqs 1-6. Currents in
 * nA, rates in Hz, time in ms. */
#define KS_WW_A_E 310.0      /* nC^-1 */
#define KS_WW_B_E 125.0      /* Hz */
#define KS_WW_D_E 0.16       /* s */
#define KS_WW_A_I 615.0
#define KS_WW_B_I 177.0
#define KS_WW_D_I 0.087
#define KS_WW_TAU_E 100.0    /* ms, NMDA */
#define KS_WW_TAU_I 10.0     /* ms, GABA-A */
#define KS_WW_GAMMA_E 0.641e-3  /* kinetic factor, per (ms Hz) */
#define KS_WW_GAMMA_I 1.0e-3
#define KS_WW_J_NMDA 0.15    /* nA */
#define KS_WW_I0 0.382       /* nA */
#define KS_WW_W_E 1.0
#define KS_WW_W_I 0.7
#define KS_WW_WPLUS 1.4
#define KS_WW_FIC_OFFSET (-0.026)  /* nA: I_E - b_E/a_E at the FIC target (r_E ~ 3.06 Hz) */
#define KS_WW_SIGMA 0.01

#define KS_LABEL_MAX 48

/* Edge classes used to apply the phenotype and pathway gains. */
typedef struct ks__edge {
  int pathway;     /* ks_pathway or -1 */
} ks__edge;

struct ks_circuit {
  ks_ctx *ctx;
  size_t n;
  char (*label)[KS_LABEL_MAX];
  int *role;            /* ks_region or -1, per region */
  int is_pfc_role_any;
  /* Coupling in CSR by target row: weight onto the target's E pool and onto its I pool
   * (feed-forward inhibition), pathway of the edge, delay in steps. */
  size_t nnz;
  size_t *row;          /* n + 1 */
  size_t *col;          /* nnz */
  double *w_E;          /* nnz, already multiplied by G and the phenotype */
  double *w_I;          /* nnz */
  int *pathway;         /* nnz */
  uint32_t *delay;      /* nnz, steps of dt_ms; all zero without delays */
  uint32_t max_delay;
  double dt_delay_ms;   /* step the delays were computed for */
  /* Per-region constants. */
  double *wplus;        /* local recurrent NMDA weight (w+), amygdala reactivity applied */
  double *threat_gain;  /* multiplier of external input (amygdala reactivity; 1 elsewhere) */
  double *pfc;          /* 1 for prefrontal regions (spine scaling), else 0 */
  double *J_i;          /* FIC-tuned inhibitory weight, nA */
  double S_E_ref;       /* FIC target NMDA gating: the BOLD input is S_E - S_E_ref */
  double S_I_ref;
};

/* The network under one drive, structure of arrays; built once per scan. */
typedef struct ks__eff {
  size_t n, nnz;
  const size_t *row, *col;
  const uint32_t *delay;
  double *wE, *wI;      /* nnz: J_NMDA * (1 - block) * G * w * gain * spine */
  double *aE;           /* per region: J_NMDA (1 - block_E) w+ spine */
  double *aI;           /* J_NMDA (1 - block_I): local E -> I */
  double *cJ;           /* J_i * potentiation */
  double cII;           /* I -> I, potentiation */
  double *IE0, *II0;    /* background currents, nA */
  double *ext_gain;     /* threat gain per region (amygdala) */
  void *mem;
} ks__eff;

ks_status ks__eff_build(ks_ctx *ctx, const ks_circuit *c, const ks_circuit_drive *d, ks__eff *e);
void ks__eff_free(ks_ctx *ctx, ks__eff *e);
ks_status ks__check_drive(ks_ctx *ctx, const ks_circuit_drive *d);

/* Deterministic right-hand side of the neural model for n regions (no delays): dS/dt per ms.
 * coupling uses SE_delayed when not NULL for the long-range inputs. */
void ks__neural_rhs(const ks__eff *e, const double *SE, const double *SI, const double *ext_nA,
                    double *dSE, double *dSI, double *rE, double *rI);
ks_status ks__fixed_point(ks_ctx *ctx, const ks_circuit *c, const ks__eff *e,
                          const double *ext_nA, double *SE, double *SI);

/* Balloon-Windkessel constants of one parameter set (rates per second). */
typedef struct ks__hemo {
  double kappa, gamma, tau, alpha, E0, V0, k1, k2, k3;
} ks__hemo;
void ks__hemo_params(ks_bold_params p, ks__hemo *h);
/* Derivatives (per second) of one region's hemodynamic state x = (s, f, v, q) under input z. */
void ks__hemo_rhs(const ks__hemo *h, double z, const double *x, double *dx);
double ks__hemo_bold(const ks__hemo *h, double v, double q);  /* percent signal change */
/* Fixed point (s, f, v, q) under a constant input z > -gamma. */
void ks__hemo_fixed(const ks__hemo *h, double z, double *x);

/* Fast kernels (fastmath.c). ks__exp: |rel err| < 2e-15 on [-700, 700]; vectorisable. */
static inline double ks__exp(double x) {
  x = x < -700.0 ? -700.0 : (x > 700.0 ? 700.0 : x);
  const double shifter = 0x1.8p52;
  double t = x * 1.4426950408889634 + shifter;
  double k = t - shifter;
  uint64_t bits;
  memcpy(&bits, &t, sizeof bits);
  double r = x - k * 6.93147180369123816490e-01;
  r = r - k * 1.90821492927058770002e-10;
  double p = 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  uint64_t sb = (bits + 1023u) << 52;
  double s;
  memcpy(&s, &sb, sizeof s);
  return p * s;
}

/* Transfer function H(x) = (a x - b) / (1 - exp(-d (a x - b))) (Abbott & Chance 2005, Deco
 * 2014 eq. 3, 4), with its removable singularity at a x = b (limit 1/d + y/2). Rates in Hz. */
static inline double ks__ww_rate(double x, double a, double b, double d) {
  double y = a * x - b;
  double den = 1.0 - ks__exp(-d * y);
  double big = fabs(y) > 1e-7;
  return big ? y / (den + (1.0 - big)) : (1.0 / d + 0.5 * y);
}

/* Normal deviates from 64 random bits: two per word, inverse CDF by a 2048-bin table with
 * linear interpolation inside, exact quantiles in the two tail bins. */
#define KS_NTAB_BITS 11
#define KS_NTAB_N (1u << KS_NTAB_BITS)
typedef struct ks__ntab {
  double q[KS_NTAB_N + 1];   /* Phi^-1(k / N), with q[0], q[N] unused (tails) */
} ks__ntab;
void ks__ntab_init(ks__ntab *t);

/* Kernels are compiled for AVX-512 (x86-64-v4), AVX2, AVX and baseline x86-64 and chosen at load
 * time. ISO C mode keeps -ffp-contract=off and the loops are element-wise (no reassociated
 * reductions), so every clone gives bit-identical results. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define KS_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "avx", "default")))
#else
#define KS_CLONES
#endif

/* Bulk noise: Philox4x32-10 (Salmon et al. 2011, the Random123 constants) evaluated for a block
 * of counters at once, vectorised across counters. A noise stream is (key, c3): 96 bits derived
 * from (seed, KS_STREAM_CIRCUIT_NOISE, patient, scan) through ks_rng, so it depends only on those.
 * Word w of step `step` is word w % 4 of Philox(ctr = {w / 4, step_lo, step_hi, c3}, key). */
typedef struct ks__noise_key {
  uint32_t k0, k1, c3;
} ks__noise_key;
void ks__noise_key_init(ks__noise_key *nk, uint64_t seed, uint64_t patient, uint64_t scan);
/* n_words (multiple of 4) random words of one step into u. */
void ks__philox_block(const ks__noise_key *nk, uint64_t step, uint32_t *u, size_t n_words);
/* out[i] = scale * (normal deviate of word u[i]): the top 11 bits pick one of 2048
 * equal-probability bins, the low 21 place the draw inside it by linear interpolation of the
 * quantile; the two outer bins use the exact quantile (tails to |z| ~ 6.2). */
void ks__normals_from_words(const ks__ntab *t, const uint32_t *u, double scale, double *out,
                            size_t n);

/* Natural log for finite x > 0 (normal numbers), |abs err| < 4e-16 + 2e-16 |log x|;
 * vectorisable (bit manipulation, no table). */
static inline double ks__log(double x) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  /* exponent as a double without an int64 -> double conversion (not vectorisable on AVX2) */
  uint64_t eb = 0x4330000000000000ull | (bits >> 52);
  double e;
  memcpy(&e, &eb, sizeof e);
  e -= 4503599627370496.0 + 1023.0;
  uint64_t mb = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
  double m;
  memcpy(&m, &mb, sizeof m);
  int hi = m > 1.4142135623730951;
  m = hi ? 0.5 * m : m;
  e = hi ? e + 1.0 : e;
  double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  double p = 2.0 / 23.0;
  p = p * s2 + 2.0 / 21.0;
  p = p * s2 + 2.0 / 19.0;
  p = p * s2 + 2.0 / 17.0;
  p = p * s2 + 2.0 / 15.0;
  p = p * s2 + 2.0 / 13.0;
  p = p * s2 + 2.0 / 11.0;
  p = p * s2 + 2.0 / 9.0;
  p = p * s2 + 2.0 / 7.0;
  p = p * s2 + 2.0 / 5.0;
  p = p * s2 + 2.0 / 3.0;
  double lm = 2.0 * s + s * s2 * p;
  return e * 6.93147180369123816490e-01 + (e * 1.90821492927058770002e-10 + lm);
}

/* Lyapunov solve: A P + P A' + Q = 0, A and Q m x m row-major; P out. Work arrays inside. */
ks_status ks__lyap(ks_ctx *ctx, size_t m, const double *A, const double *Q, double *P);

#endif
