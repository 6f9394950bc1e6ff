/* SPDX-License-Identifier: MIT */
/* Scan simulation: stochastic Heun integration of the neural masses (structure of arrays, no
 * allocation in the step loop), Balloon-Windkessel hemodynamics at 1 ms, BOLD sampled at TR. */
#include "circuit_internal.h"

#include <stdlib.h>

/* ---- Hemodynamics ------------------------------------------------------------------------- */

void ks__hemo_params(ks_bold_params p, ks__hemo *h) {
  if (p == KS_BOLD_FRISTON2003) {
    /* Friston et al. 2000 NeuroImage 12:466; Friston, Harrison & Penny 2003: classic BOLD
     * coefficients k1 = 7 E0, k2 = 2, k3 = 2 E0 - 0.2, V0 = 0.02. */
    h->kappa = 0.65;
    h->gamma = 0.41;
    h->tau = 0.98;
    h->alpha = 0.32;
    h->E0 = 0.34;
    h->V0 = 0.02;
    h->k1 = 7.0 * h->E0;
    h->k2 = 2.0;
    h->k3 = 2.0 * h->E0 - 0.2;
  } else {
    /* Stephan et al. 2007 NeuroImage 38:387 with SPM12 priors: k1 = 4.3 nu0 E0 TE,
     * k2 = eps r0 E0 TE, k3 = 1 - eps; nu0 = 40.3 /s, r0 = 25 /s, TE = 0.04 s, eps = 1, V0 = 4%. */
    const double nu0 = 40.3, r0 = 25.0, TE = 0.04, eps = 1.0;
    h->kappa = 0.64;
    h->gamma = 0.32;
    h->tau = 2.0;
    h->alpha = 0.32;
    h->E0 = 0.40;
    h->V0 = 0.04;
    h->k1 = 4.3 * nu0 * h->E0 * TE;
    h->k2 = eps * r0 * h->E0 * TE;
    h->k3 = 1.0 - eps;
  }
}

/* Friston 2000 eqs. 2-3 (balloon) with the Buxton oxygen extraction E(f) = 1 - (1 - E0)^(1/f). */
void ks__hemo_rhs(const ks__hemo *h, double z, const double *x, double *dx) {
  double s = x[0], f = x[1], v = x[2], q = x[3];
  double vout = pow(v, 1.0 / h->alpha);
  double E = 1.0 - pow(1.0 - h->E0, 1.0 / f);
  dx[0] = z - h->kappa * s - h->gamma * (f - 1.0);
  dx[1] = s;
  dx[2] = (f - vout) / h->tau;
  dx[3] = (f * E / h->E0 - vout * q / v) / h->tau;
}

double ks__hemo_bold(const ks__hemo *h, double v, double q) {
  return 100.0 * h->V0 * (h->k1 * (1.0 - q) + h->k2 * (1.0 - q / v) + h->k3 * (1.0 - v));
}

/* Vectorisable Heun step (dt seconds) of n regions' hemodynamics, states in SoA. The powers use
 * the fast exponential and logarithm (ks__exp, ks__log). */
KS_CLONES
static void hemo_step(const ks__hemo *h, size_t n, double dt, const double *restrict z,
                      double *restrict s, double *restrict f, double *restrict v,
                      double *restrict q) {
  const double ia = 1.0 / h->alpha, lE = ks__log(1.0 - h->E0), it = 1.0 / h->tau, iE0 = 1.0 / h->E0;
  for (size_t i = 0; i < n; i++) {
    double s0 = s[i], f0 = f[i], v0 = v[i], q0 = q[i];
    double vo0 = ks__exp(ia * ks__log(v0));
    double E0f = 1.0 - ks__exp(lE / f0);
    double ds0 = z[i] - h->kappa * s0 - h->gamma * (f0 - 1.0);
    double df0 = s0;
    double dv0 = (f0 - vo0) * it;
    double dq0 = (f0 * E0f * iE0 - vo0 * q0 / v0) * it;
    double s1 = s0 + dt * ds0, f1 = f0 + dt * df0, v1 = v0 + dt * dv0, q1 = q0 + dt * dq0;
    f1 = f1 < 1e-3 ? 1e-3 : f1;
    v1 = v1 < 1e-3 ? 1e-3 : v1;
    q1 = q1 < 1e-3 ? 1e-3 : q1;
    double vo1 = ks__exp(ia * ks__log(v1));
    double E1f = 1.0 - ks__exp(lE / f1);
    double ds1 = z[i] - h->kappa * s1 - h->gamma * (f1 - 1.0);
    double df1 = s1;
    double dv1 = (f1 - vo1) * it;
    double dq1 = (f1 * E1f * iE0 - vo1 * q1 / v1) * it;
    s0 += 0.5 * dt * (ds0 + ds1);
    f0 += 0.5 * dt * (df0 + df1);
    v0 += 0.5 * dt * (dv0 + dv1);
    q0 += 0.5 * dt * (dq0 + dq1);
    s[i] = s0;
    f[i] = f0 < 1e-3 ? 1e-3 : f0;
    v[i] = v0 < 1e-3 ? 1e-3 : v0;
    q[i] = q0 < 1e-3 ? 1e-3 : q0;
  }
}

/* Hemodynamic fixed point for a constant input z (needs z > -gamma). */
void ks__hemo_fixed(const ks__hemo *h, double z, double *x) {
  double f = 1.0 + z / h->gamma;
  if (f < 1e-3) f = 1e-3;
  double v = pow(f, h->alpha);
  double E = 1.0 - pow(1.0 - h->E0, 1.0 / f);
  x[0] = 0.0;
  x[1] = f;
  x[2] = v;
  x[3] = E / h->E0 * v;
}

ks_status ks_circuit_bold_impulse(ks_ctx *ctx, ks_bold_params bold, double dt_s, size_t n,
                                  double *out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, out != NULL && dt_s >= 0.001 && n > 0);
  ks__hemo h;
  ks__hemo_params(bold, &h);
  double s = 0.0, f = 1.0, v = 1.0, q = 1.0, z = 0.0;
  size_t per = (size_t)lround(dt_s / 0.001);
  out[0] = 0.0;
  for (size_t k = 1, step = 0; k < n; k++) {
    for (size_t m = 0; m < per; m++, step++) {
      z = step == 0 ? 1.0 : 0.0; /* unit pulse for the first millisecond */
      hemo_step(&h, 1, 0.001, &z, &s, &f, &v, &q);
    }
    out[k] = ks__hemo_bold(&h, v, q);
  }
  return KS_OK;
}

/* ---- Neural kernels ------------------------------------------------------------------------ */

/* Long-range coupling in SELL-8 form (sliced ELLPACK, Kreutzer et al. 2014): rows in chunks of
 * 8, each chunk padded to its longest row, stored slot-major so that one slot of a chunk is 8
 * contiguous weights and 8 source indices. The loop over the 8 rows of a chunk is element-wise
 * (a gather), each row's sum keeps the CSR order, and padding adds exact zeros, so the result is
 * bit-identical to the CSR sum. idx is a source region (no delays) or, with delays, a base offset
 * into the node-major mirrored history (see couple below) to which `off` (the head) is added. */
#define SELL_C 8
typedef struct sell {
  size_t n_chunks;
  size_t *cptr;     /* n_chunks + 1, in slots */
  uint32_t *idx;    /* SELL_C per slot */
  double *w;        /* SELL_C per slot */
} sell;

KS_CLONES
static void couple(const sell *m, const double *restrict x0, size_t off, double *restrict out) {
  const size_t *cptr = m->cptr;
  const uint32_t *idx = m->idx;
  const double *restrict x = x0 + off;
  const double *w = m->w;
  for (size_t c = 0; c < m->n_chunks; c++) {
    double acc[SELL_C] = {0.0};
    for (size_t s = cptr[c]; s < cptr[c + 1]; s++) {
      const uint32_t *ix = idx + SELL_C * s;
      const double *ws = w + SELL_C * s;
      for (int r = 0; r < SELL_C; r++) acc[r] += ws[r] * x[ix[r]];
    }
    for (int r = 0; r < SELL_C; r++) out[SELL_C * c + r] = acc[r];
  }
}

/* Length of the longest row of the chunk starting at row r0, counting the edges with
 * w[k] != 0 (all edges when w is NULL). */
static size_t chunk_len(const ks__eff *e, const double *w, size_t r0) {
  size_t len = 0;
  for (size_t r = r0; r < r0 + SELL_C && r < e->n; r++) {
    size_t l = 0;
    for (size_t k = e->row[r]; k < e->row[r + 1]; k++) l += !w || w[k] != 0.0;
    len = l > len ? l : len;
  }
  return len;
}

/* Slots of the SELL form of the edges with w != 0 (all edges when w is NULL). */
static size_t sell_slots(const ks__eff *e, const double *w) {
  size_t total = 0;
  for (size_t r0 = 0; r0 < e->n; r0 += SELL_C) total += chunk_len(e, w, r0);
  return total;
}

/* Fill a SELL form (zeroed arrays sized by sell_slots) with the weights w of the edges with
 * w != 0, or of all edges when `all`. L2 > 0: delayed, idx = source * L2 + L2 / 2 - delay (the
 * mirrored history); padding stays (idx 0, w 0), a valid index in both cases. */
static void sell_fill(const ks__eff *e, const double *w, int all, size_t L2, sell *m) {
  size_t s = 0, c = 0;
  for (size_t r0 = 0; r0 < e->n; r0 += SELL_C, c++) {
    m->cptr[c] = s;
    for (size_t r = 0; r < SELL_C && r0 + r < e->n; r++) {
      size_t l = 0;
      for (size_t k = e->row[r0 + r]; k < e->row[r0 + r + 1]; k++) {
        if (!all && w[k] == 0.0) continue;
        size_t j = e->col[k];
        m->idx[SELL_C * (s + l) + r] = (uint32_t)(L2 ? j * L2 + L2 / 2 - e->delay[k] : j);
        m->w[SELL_C * (s + l) + r] = w[k];
        l++;
      }
    }
    s += chunk_len(e, all ? NULL : w, r0);
  }
  m->cptr[c] = s;
  m->n_chunks = c;
}

/* Heun stage: rates and derivatives from (SE, SI) and the coupling; then the Euler predictor
 * (stage 1) or the trapezoidal corrector (stage 2). The same noise enters both stages (additive
 * noise: Heun is then the stochastic trapezoid of Kloeden & Platen, order 1 for additive noise). */
KS_CLONES
static void stage1(size_t n, double dt, const double *restrict IE0, const double *restrict II0,
                   const double *restrict aE, const double *restrict aI, const double *restrict cJ,
                   double cII, const double *restrict ext, const double *restrict cE,
                   const double *restrict cI, const double *restrict SE, const double *restrict SI,
                   const double *restrict nE, const double *restrict nI, double *restrict dE,
                   double *restrict dI, double *restrict SEp, double *restrict SIp,
                   double *restrict rEacc) {
  for (size_t i = 0; i < n; i++) {
    double xE = IE0[i] + aE[i] * SE[i] + cE[i] - cJ[i] * SI[i] + ext[i];
    double xI = II0[i] + aI[i] * SE[i] + cI[i] - cII * SI[i];
    double re = ks__ww_rate(xE, KS_WW_A_E, KS_WW_B_E, KS_WW_D_E);
    double ri = ks__ww_rate(xI, KS_WW_A_I, KS_WW_B_I, KS_WW_D_I);
    double de = -SE[i] * (1.0 / KS_WW_TAU_E) + (1.0 - SE[i]) * (KS_WW_GAMMA_E * re);
    double di = -SI[i] * (1.0 / KS_WW_TAU_I) + KS_WW_GAMMA_I * ri;
    dE[i] = de;
    dI[i] = di;
    double pe = SE[i] + dt * de + nE[i];
    double pi = SI[i] + dt * di + nI[i];
    pe = pe < 0.0 ? 0.0 : (pe > 1.0 ? 1.0 : pe);
    pi = pi < 0.0 ? 0.0 : pi;
    SEp[i] = pe;
    SIp[i] = pi;
    rEacc[i] += re;
  }
}

KS_CLONES
static void stage2(size_t n, double dt, const double *restrict IE0, const double *restrict II0,
                   const double *restrict aE, const double *restrict aI, const double *restrict cJ,
                   double cII, const double *restrict ext, const double *restrict cE,
                   const double *restrict cI, const double *restrict SEp,
                   const double *restrict SIp, const double *restrict nE,
                   const double *restrict nI, const double *restrict dE,
                   const double *restrict dI, double *restrict SE, double *restrict SI,
                   double *restrict zacc) {
  for (size_t i = 0; i < n; i++) {
    double xE = IE0[i] + aE[i] * SEp[i] + cE[i] - cJ[i] * SIp[i] + ext[i];
    double xI = II0[i] + aI[i] * SEp[i] + cI[i] - cII * SIp[i];
    double re = ks__ww_rate(xE, KS_WW_A_E, KS_WW_B_E, KS_WW_D_E);
    double ri = ks__ww_rate(xI, KS_WW_A_I, KS_WW_B_I, KS_WW_D_I);
    double de = -SEp[i] * (1.0 / KS_WW_TAU_E) + (1.0 - SEp[i]) * (KS_WW_GAMMA_E * re);
    double di = -SIp[i] * (1.0 / KS_WW_TAU_I) + KS_WW_GAMMA_I * ri;
    double se = SE[i] + 0.5 * dt * (dE[i] + de) + nE[i];
    double si = SI[i] + 0.5 * dt * (dI[i] + di) + nI[i];
    se = se < 0.0 ? 0.0 : (se > 1.0 ? 1.0 : se);
    si = si < 0.0 ? 0.0 : si;
    SE[i] = se;
    SI[i] = si;
    zacc[i] += se;
  }
}

ks_circuit_sim_opts ks_circuit_sim_opts_default(void) {
  ks_circuit_sim_opts o;
  memset(&o, 0, sizeof o);
  o.dt_ms = 0.1;
  o.duration_s = 600.0;
  o.warmup_s = 20.0;
  o.tr_s = 2.0;
  o.noise_sigma = KS_WW_SIGMA;
  o.bold = KS_BOLD_STEPHAN2007;
  o.seed = 1;
  return o;
}

size_t ks_circuit_sim_n_samples(const ks_circuit_sim_opts *o) {
  if (!o || !(o->tr_s > 0.0) || !(o->duration_s > 0.0)) return 0;
  return (size_t)floor(o->duration_s / o->tr_s + 1e-9);
}

static ks_status check_opts(ks_ctx *ctx, const ks_circuit *c, const ks_circuit_sim_opts *o) {
  if (!(o->dt_ms > 0.0 && o->dt_ms <= 1.0))
    return ks_ctx_fail(ctx, KS_EINVAL, "scan: dt %g ms (expected 0 < dt <= 1)", o->dt_ms);
  double per_ms = 1.0 / o->dt_ms;
  if (fabs(per_ms - round(per_ms)) > 1e-9)
    return ks_ctx_fail(ctx, KS_EINVAL, "scan: dt %g ms does not divide 1 ms", o->dt_ms);
  if (!(o->tr_s >= 0.001 && o->tr_s <= 60.0) || fabs(o->tr_s * 1000.0 - round(o->tr_s * 1000.0)) > 1e-6)
    return ks_ctx_fail(ctx, KS_EINVAL, "scan: TR %g s (expected a whole number of ms, <= 60 s)",
                       o->tr_s);
  if (!(o->duration_s >= o->tr_s && o->duration_s <= 86400.0) || !(o->warmup_s >= 0.0 && o->warmup_s <= 3600.0))
    return ks_ctx_fail(ctx, KS_EINVAL, "scan: duration %g s, warm-up %g s (expected TR <= "
                       "duration <= 1 day, warm-up 0..3600 s)", o->duration_s, o->warmup_s);
  if (!(o->noise_sigma >= 0.0 && o->noise_sigma < 1.0))
    return ks_ctx_fail(ctx, KS_EINVAL, "scan: noise sigma %g (expected 0..1)", o->noise_sigma);
  if (c->max_delay > 0 && fabs(o->dt_ms - c->dt_delay_ms) > 1e-12)
    return ks_ctx_fail(ctx, KS_EINVAL, "scan: delays were computed for dt %g ms, not %g ms",
                       c->dt_delay_ms, o->dt_ms);
  return KS_OK;
}

ks_status ks_circuit_simulate(ks_ctx *ctx, const ks_circuit *c, const ks_circuit_drive *drive,
                              const ks_circuit_stim *stim, const ks_circuit_sim_opts *opts,
                              double *bold, double *mean_rE_Hz) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, c != NULL && opts != NULL && bold != NULL);
  KS_TRY(ks__check_drive(ctx, drive));
  KS_TRY(check_opts(ctx, c, opts));
  if (stim) {
    if (stim->n_cond > KS_CIRCUIT_MAX_COND)
      return ks_ctx_fail(ctx, KS_EINVAL, "scan: %zu conditions (at most %d)", stim->n_cond,
                         KS_CIRCUIT_MAX_COND);
    for (size_t k = 0; k < stim->n_cond; k++)
      if (!stim->amp_nA[k] || (stim->n_blocks[k] && (!stim->onset_s[k] || !stim->dur_s[k])))
        return ks_ctx_fail(ctx, KS_EINVAL, "scan: condition %zu lacks amplitudes or blocks", k);
  }
  const size_t n = c->n;
  const size_t n_tr = ks_circuit_sim_n_samples(opts);
  const size_t sub = (size_t)lround(1.0 / opts->dt_ms);            /* neural steps per ms */
  const size_t tr_ms = (size_t)lround(opts->tr_s * 1000.0);
  const size_t warm_ms = (size_t)lround(opts->warmup_s * 1000.0);
  const size_t total_ms = warm_ms + n_tr * tr_ms;
  const double dt = opts->dt_ms;
  const double sq = opts->noise_sigma * sqrt(dt);
  const int delayed = c->max_delay > 0;
  const size_t L = delayed ? (size_t)c->max_delay + 1 : 1;

  const size_t L2 = delayed ? 2 * L : 0;
  if ((delayed ? (double)n * (double)L2 : (double)n) > 2147483647.0)
    return ks_ctx_fail(ctx, KS_EINVAL, "scan: %zu regions with %zu delay steps exceed the 32-bit "
                       "history index", n, L);

  ks__eff e;
  KS_TRY(ks__eff_build(ctx, c, drive, &e));
  /* One allocation for the whole work space (SoA, 64-byte aligned rows). */
  const size_t nv = 20, stride = (n + 7) & ~(size_t)7, n_chunks = stride / SELL_C;
  const size_t slE = sell_slots(&e, NULL), slI = sell_slots(&e, e.wI);
  const size_t n_hist = delayed ? n * L2 : 0;
  size_t bytes = (nv * stride + n_hist + SELL_C * (slE + slI)) * sizeof(double) +
                 SELL_C * (slE + slI) * sizeof(uint32_t) + 2 * (n_chunks + 1) * sizeof(size_t) +
                 2 * stride * sizeof(uint32_t) + sizeof(ks__ntab) + 5 * 64;
  void *mem = ks_calloc(ctx, 1, bytes);
  if (!mem) {
    ks__eff_free(ctx, &e);
    return ks_ctx_fail(ctx, KS_ENOMEM, "scan: out of memory for %zu regions", n);
  }
  double *base = (double *)(((uintptr_t)mem + 63) & ~(uintptr_t)63);
  double *SE = base, *SI = SE + stride, *SEp = SI + stride, *SIp = SEp + stride;
  double *dE = SIp + stride, *dI = dE + stride, *cE = dI + stride, *cI = cE + stride;
  double *nz = cI + stride; /* 2 * stride: noise for E then I */
  double *ext = nz + 2 * stride, *zacc = ext + stride, *z = zacc + stride;
  double *hs = z + stride, *hf = hs + stride, *hv = hf + stride, *hq = hv + stride;
  double *rEacc = hq + stride, *extg = rEacc + stride;
  double *hist = base + nv * stride;
  sell mE = {n_chunks, NULL, NULL, hist + n_hist}, mI = {n_chunks, NULL, NULL, mE.w + SELL_C * slE};
  mE.idx = (uint32_t *)(mI.w + SELL_C * slI);
  mI.idx = mE.idx + SELL_C * slE;
  uint32_t *u = (uint32_t *)(((uintptr_t)(mI.idx + SELL_C * slI) + 63) & ~(uintptr_t)63);
  mE.cptr = (size_t *)(((uintptr_t)(u + 2 * stride) + 63) & ~(uintptr_t)63);
  mI.cptr = mE.cptr + n_chunks + 1;
  ks__ntab *tab = (ks__ntab *)(((uintptr_t)(mI.cptr + n_chunks + 1) + 63) & ~(uintptr_t)63);

  ks_status st = KS_OK;
  sell_fill(&e, e.wE, 1, L2, &mE);
  sell_fill(&e, e.wI, 0, L2, &mI);
  ks__ntab_init(tab);
  ks__hemo h;
  ks__hemo_params(opts->bold, &h);

  /* Start at the deterministic fixed point of this drive (no stimulus) and the hemodynamic fixed
   * point of its mean activity, so the warm-up only has to settle the noise. */
  st = ks__fixed_point(ctx, c, &e, NULL, SE, SI);
  if (st != KS_OK) goto done;
  for (size_t i = 0; i < n; i++) {
    double x[4];
    ks__hemo_fixed(&h, SE[i] - c->S_E_ref, x);
    hs[i] = x[0];
    hf[i] = x[1];
    hv[i] = x[2];
    hq[i] = x[3];
  }
  if (delayed)
    for (size_t j = 0; j < n; j++)
      for (size_t p = 0; p < L2; p++) hist[j * L2 + p] = SE[j];

  ks__noise_key nk;
  ks__noise_key_init(&nk, opts->seed, opts->patient, opts->scan);
  uint64_t step = 0;
  size_t head = 0, i_tr = 0;
  double n_rec_steps = 0.0;
  for (size_t ms = 0; ms < total_ms; ms++) {
    /* External input for this millisecond (recording time t = ms - warm-up). */
    double t_s = ((double)ms - (double)warm_ms) * 1e-3;
    memset(ext, 0, n * sizeof *ext);
    if (stim)
      for (size_t k = 0; k < stim->n_cond; k++) {
        int on = 0;
        for (size_t b = 0; b < stim->n_blocks[k] && !on; b++)
          on = t_s >= stim->onset_s[k][b] && t_s < stim->onset_s[k][b] + stim->dur_s[k][b];
        if (on)
          for (size_t i = 0; i < n; i++) ext[i] += stim->amp_nA[k][i];
      }
    for (size_t i = 0; i < n; i++) extg[i] = e.ext_gain[i] * ext[i];
    int recording = ms >= warm_ms;
    if (!recording) memset(rEacc, 0, n * sizeof *rEacc);
    memset(zacc, 0, n * sizeof *zacc);
    for (size_t s = 0; s < sub; s++, step++) {
      /* Noise of this step: 2 * stride words of the step's Philox counters (E then I). */
      ks__philox_block(&nk, step, u, 2 * stride);
      ks__normals_from_words(tab, u, sq, nz, 2 * stride);
      /* Long-range input is evaluated once per step, at its start, and held through both Heun
       * stages (as TVB's Heun does): delayed inputs come from the history, every delay being at
       * least one step; without delays the O(dt) lag of 0.1 ms is negligible against the 10-100 ms
       * time constants (the analytic-FC test bounds its effect). */
      if (delayed) {
        couple(&mE, hist, head, cE);
        couple(&mI, hist, head, cI);
      } else {
        couple(&mE, SE, 0, cE);
        couple(&mI, SE, 0, cI);
      }
      stage1(n, dt, e.IE0, e.II0, e.aE, e.aI, e.cJ, e.cII, extg, cE, cI, SE, SI, nz, nz + stride,
             dE, dI, SEp, SIp, rEacc);
      stage2(n, dt, e.IE0, e.II0, e.aE, e.aI, e.cJ, e.cII, extg, cE, cI, SEp, SIp, nz, nz + stride,
             dE, dI, SE, SI, zacc);
      if (delayed) {
        /* Node-major mirrored ring: slot p and p + L hold the same value, so a read at
         * head + L - delay never wraps. */
        head = head + 1 == L ? 0 : head + 1;
        for (size_t j = 0; j < n; j++) hist[j * L2 + head] = hist[j * L2 + head + L] = SE[j];
      }
    }
    if (recording) n_rec_steps += (double)sub;
    /* Hemodynamics at 1 ms, driven by the mean gating of the millisecond. */
    for (size_t i = 0; i < n; i++) z[i] = zacc[i] / (double)sub - c->S_E_ref;
    hemo_step(&h, n, 1e-3, z, hs, hf, hv, hq);
    if (recording && (ms + 1 - warm_ms) % tr_ms == 0 && i_tr < n_tr) {
      for (size_t i = 0; i < n; i++) {
        double y = ks__hemo_bold(&h, hv[i], hq[i]);
        if (!isfinite(y)) {
          st = ks_ctx_fail(ctx, KS_ENUMERIC, "scan: BOLD of region %zu is not finite at %g s", i,
                           t_s);
          goto done;
        }
        bold[i_tr * n + i] = y;
      }
      i_tr++;
    }
  }
  if (mean_rE_Hz)
    for (size_t i = 0; i < n; i++) mean_rE_Hz[i] = n_rec_steps > 0 ? rEacc[i] / n_rec_steps : 0.0;
done:
  ks_free(ctx, mem);
  ks__eff_free(ctx, &e);
  return st;
}
