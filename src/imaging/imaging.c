/* SPDX-License-Identifier: MIT */
/* Simulated fMRI analysis: paradigms, band-pass, FC, GLM activation, generalised PPI, and the
 * analytic per-scan summary. */
#include "core/core_internal.h"
#include <ketasim/imaging.h>
#include <ketasim/linalg.h>

#include <math.h>
#include <string.h>
#include <strings.h>

static const char *const paradigm_names[KS_PARADIGM_N] = {"rest", "faces", "conflict"};

const char *ks_paradigm_name(ks_paradigm p) {
  return (p >= 0 && p < KS_PARADIGM_N) ? paradigm_names[p] : "?";
}

int ks_paradigm_parse(const char *name) {
  if (!name) return -1;
  for (int p = 0; p < KS_PARADIGM_N; p++)
    if (strcasecmp(name, paradigm_names[p]) == 0) return p;
  return -1;
}

/* Block length of the Hariri emotional faces task as run in the HCP (21 s: 3 s cue + 6 trials of
 * 3 s); the conflict task uses the same block length for simplicity (Etkin 2006 was event-related;
 * a block form gives the same sustained contrast). */
#define BLOCK_S 21.0
#define CONFLICT_INPUT_NA 0.01

ks_status ks_imaging_design_build(ks_ctx *ctx, ks_paradigm p, const ks_circuit *c,
                                  const ks_circuit_drive *drive, double duration_s,
                                  ks_imaging_design *d) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, c != NULL && drive != NULL && d != NULL && duration_s > 0.0);
  size_t n = ks_circuit_n_regions(c);
  if (n > KS_IMAGING_MAX_REGIONS)
    return ks_ctx_fail(ctx, KS_EINVAL, "paradigm: %zu regions (at most %d)", n,
                       KS_IMAGING_MAX_REGIONS);
  memset(d, 0, sizeof *d);
  d->paradigm = p;
  d->n_regions = n;
  if (p == KS_PARADIGM_REST) {
    d->stim.n_cond = 0;
    return KS_OK;
  }
  if (p != KS_PARADIGM_FACES && p != KS_PARADIGM_CONFLICT)
    return ks_ctx_fail(ctx, KS_EINVAL, "paradigm: unknown paradigm %d", (int)p);
  long amy = ks_circuit_role_index(c, KS_REGION_AMYGDALA);
  long dacc = ks_circuit_role_index(c, KS_REGION_DACC);
  if (amy < 0 || (p == KS_PARADIGM_CONFLICT && dacc < 0))
    return ks_ctx_fail(ctx, KS_EINVAL, "paradigm %s: the circuit has no %s region",
                       paradigm_names[p], amy < 0 ? "amygdala" : "dACC");
  /* Cycle: faces | shapes (faces), or congruent | fixation | incongruent | fixation (conflict). */
  const size_t n_phase = p == KS_PARADIGM_FACES ? 2 : 4;
  if (p == KS_PARADIGM_FACES) {
    d->n_cond = 1;
    strcpy(d->cond_name[0], "faces");
    d->amp_nA[0][amy] = drive->threat_input_nA;
  } else {
    d->n_cond = 2;
    strcpy(d->cond_name[0], "congruent");
    strcpy(d->cond_name[1], "incongruent");
    d->amp_nA[0][amy] = drive->threat_input_nA;
    d->amp_nA[1][amy] = drive->threat_input_nA;
    d->amp_nA[1][dacc] = CONFLICT_INPUT_NA;
  }
  for (size_t b = 0;; b++) {
    double t0 = (double)b * BLOCK_S;
    if (t0 >= duration_s) break;
    size_t phase = b % n_phase;
    size_t k = SIZE_MAX;
    if (p == KS_PARADIGM_FACES && phase == 0) k = 0;
    if (p == KS_PARADIGM_CONFLICT && phase == 0) k = 0;
    if (p == KS_PARADIGM_CONFLICT && phase == 2) k = 1;
    if (k == SIZE_MAX) continue;
    if (d->n_blocks[k] == KS_IMAGING_MAX_BLOCKS)
      return ks_ctx_fail(ctx, KS_EINVAL, "paradigm: more than %d blocks (shorten the scan)",
                         KS_IMAGING_MAX_BLOCKS);
    d->onset_s[k][d->n_blocks[k]] = t0;
    d->dur_s[k][d->n_blocks[k]] = BLOCK_S;
    d->n_blocks[k]++;
  }
  d->stim.n_cond = d->n_cond;
  for (size_t k = 0; k < d->n_cond; k++) {
    d->stim.amp_nA[k] = d->amp_nA[k];
    d->stim.onset_s[k] = d->onset_s[k];
    d->stim.dur_s[k] = d->dur_s[k];
    d->stim.n_blocks[k] = d->n_blocks[k];
  }
  return KS_OK;
}

/* ---- Band-pass ------------------------------------------------------------------------------ */

/* 2nd-order Butterworth section by the bilinear transform with pre-warping. */
typedef struct biquad { double b0, b1, b2, a1, a2; } biquad;

static biquad butter2(double fc_hz, double fs_hz, int highpass) {
  double K = tan(M_PI * fc_hz / fs_hz), K2 = K * K, r2 = M_SQRT2;
  double norm = 1.0 / (1.0 + r2 * K + K2);
  biquad q;
  if (highpass) {
    q.b0 = norm;
    q.b1 = -2.0 * norm;
    q.b2 = norm;
  } else {
    q.b0 = K2 * norm;
    q.b1 = 2.0 * K2 * norm;
    q.b2 = K2 * norm;
  }
  q.a1 = 2.0 * (K2 - 1.0) * norm;
  q.a2 = (1.0 - r2 * K + K2) * norm;
  return q;
}

/* Filter column j of x (stride n) in place, forwards (dir 1) or backwards (dir -1); the state
 * starts at the steady response to the first sample, which limits the edge transient. */
static void run_biquad(const biquad *q, double *x, size_t n_t, size_t n, size_t j, int dir) {
  double x1, x2, y1, y2;
  size_t i0 = dir > 0 ? 0 : n_t - 1;
  double x0 = x[i0 * n + j];
  double dc = (q->b0 + q->b1 + q->b2) / (1.0 + q->a1 + q->a2);
  x1 = x2 = x0;
  y1 = y2 = dc * x0;
  for (size_t k = 0; k < n_t; k++) {
    size_t i = dir > 0 ? k : n_t - 1 - k;
    double xi = x[i * n + j];
    double y = q->b0 * xi + q->b1 * x1 + q->b2 * x2 - q->a1 * y1 - q->a2 * y2;
    x2 = x1;
    x1 = xi;
    y2 = y1;
    y1 = y;
    x[i * n + j] = y;
  }
}

ks_status ks_imaging_bandpass(ks_ctx *ctx, double *bold, size_t n_t, size_t n, double tr_s,
                              double lo_hz, double hi_hz) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, bold != NULL && n_t >= 4 && n > 0 && tr_s > 0.0);
  double fs = 1.0 / tr_s;
  if (!(lo_hz > 0.0 && lo_hz < 0.5 * fs && hi_hz > lo_hz))
    return ks_ctx_fail(ctx, KS_EINVAL, "band-pass %g-%g Hz at TR %g s (expected 0 < lo < hi, lo "
                                       "below Nyquist %g Hz)", lo_hz, hi_hz, tr_s, 0.5 * fs);
  if (hi_hz > 0.45 * fs) hi_hz = 0.45 * fs;
  biquad hp = butter2(lo_hz, fs, 1), lp = butter2(hi_hz, fs, 0);
  for (size_t j = 0; j < n; j++) {
    /* Remove the mean first so the high-pass does not ring on the offset. */
    double m = 0.0;
    for (size_t i = 0; i < n_t; i++) m += bold[i * n + j];
    m /= (double)n_t;
    for (size_t i = 0; i < n_t; i++) bold[i * n + j] -= m;
    run_biquad(&hp, bold, n_t, n, j, 1);
    run_biquad(&lp, bold, n_t, n, j, 1);
    run_biquad(&hp, bold, n_t, n, j, -1);
    run_biquad(&lp, bold, n_t, n, j, -1);
  }
  return KS_OK;
}

/* ---- Connectivity ---------------------------------------------------------------------------- */

ks_status ks_imaging_fc(ks_ctx *ctx, const double *bold, size_t n_t, size_t n, double *fc,
                        double *z) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, bold != NULL && fc != NULL && n > 0);
  if (n_t < 3) return ks_ctx_fail(ctx, KS_EINVAL, "FC: %zu time points (expected >= 3)", n_t);
  double *mu = ks_calloc(ctx, 2 * n, sizeof *mu);
  if (!mu) return KS_ENOMEM;
  double *sd = mu + n;
  for (size_t i = 0; i < n_t; i++)
    for (size_t j = 0; j < n; j++) mu[j] += bold[i * n + j];
  for (size_t j = 0; j < n; j++) mu[j] /= (double)n_t;
  for (size_t a = 0; a < n; a++)
    for (size_t b = 0; b <= a; b++) {
      double s = 0.0;
      for (size_t i = 0; i < n_t; i++) s += (bold[i * n + a] - mu[a]) * (bold[i * n + b] - mu[b]);
      fc[a * n + b] = fc[b * n + a] = s;
    }
  for (size_t j = 0; j < n; j++) sd[j] = sqrt(fc[j * n + j]);
  for (size_t a = 0; a < n; a++)
    for (size_t b = 0; b < a; b++) {
      double den = sd[a] * sd[b];
      double r = den > 0.0 ? fc[a * n + b] / den : 0.0;
      r = r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);
      fc[a * n + b] = fc[b * n + a] = r;
    }
  for (size_t j = 0; j < n; j++) fc[j * n + j] = 1.0;
  if (z)
    for (size_t a = 0; a < n; a++)
      for (size_t b = 0; b < n; b++) {
        double r = fc[a * n + b];
        const double lim = 1.0 - 1e-12;
        r = r > lim ? lim : (r < -lim ? -lim : r);
        z[a * n + b] = a == b ? 0.0 : atanh(r);
      }
  ks_free(ctx, mu);
  return KS_OK;
}

/* ---- GLM ------------------------------------------------------------------------------------- */

/* Gamma density with shape k and unit scale. */
static double gamma_pdf(double t, double k) {
  return t <= 0.0 ? 0.0 : exp((k - 1.0) * log(t) - t - lgamma(k));
}

double ks_imaging_hrf(double t_s) {
  /* SPM canonical HRF: gamma(6) - gamma(16)/6 (unit dispersion); integral 1 - 1/6 = 5/6. */
  return (gamma_pdf(t_s, 6.0) - gamma_pdf(t_s, 16.0) / 6.0) / (5.0 / 6.0);
}

ks_status ks_imaging_regressors(ks_ctx *ctx, const ks_imaging_design *d, size_t n_t, double tr_s,
                                double *reg) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, d != NULL && reg != NULL && n_t > 0 && tr_s > 0.0);
  const double dt = 0.1;
  const size_t n_h = (size_t)(32.0 / dt);
  double hk[320];
  for (size_t m = 0; m < n_h; m++) hk[m] = ks_imaging_hrf((double)m * dt) * dt;
  for (size_t k = 0; k < d->n_cond; k++)
    for (size_t i = 0; i < n_t; i++) {
      /* Sample at the BOLD sampling instant t = (i + 1) TR (the simulator samples at the end of
       * each TR). */
      double t = (double)(i + 1) * tr_s, acc = 0.0;
      for (size_t m = 0; m < n_h; m++) {
        double tau = t - (double)m * dt;
        int on = 0;
        for (size_t b = 0; b < d->n_blocks[k] && !on; b++)
          on = tau >= d->onset_s[k][b] && tau < d->onset_s[k][b] + d->dur_s[k][b];
        if (on) acc += hk[m];
      }
      reg[i * d->n_cond + k] = acc;
    }
  return KS_OK;
}

/* Solve the normal equations (X'X) b = X'y for p <= 8 columns by Cholesky (src/linalg/); X is
 * n_t x p. A pivot below 1e-12 (1 + |diagonal|) is a singular design. */
static int ols_factor(const double *X, size_t n_t, size_t p, double *L) {
  for (size_t a = 0; a < p; a++)
    for (size_t b = 0; b <= a; b++) {
      double s = 0.0;
      for (size_t i = 0; i < n_t; i++) s += X[i * p + a] * X[i * p + b];
      L[a * p + b] = s;
    }
  return ks_la_chol(L, p, 1e-12);
}

static void ols_solve(const double *L, const double *X, size_t n_t, size_t p, const double *y,
                      size_t ystride, double *b) {
  for (size_t a = 0; a < p; a++) {
    double s = 0.0;
    for (size_t i = 0; i < n_t; i++) s += X[i * p + a] * y[i * ystride];
    b[a] = s;
  }
  ks_la_chol_solve(L, p, b);
}

ks_status ks_imaging_glm(ks_ctx *ctx, const double *bold, size_t n_t, size_t n, const double *reg,
                         size_t n_cond, double *beta) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, bold != NULL && reg != NULL && beta != NULL && n_cond >= 1 && n_cond <= 4);
  const size_t p = 1 + n_cond;
  if (n_t <= p) return ks_ctx_fail(ctx, KS_EINVAL, "GLM: %zu time points for %zu regressors", n_t, p);
  double *X = ks_malloc(ctx, (n_t * p + p * p) * sizeof *X);
  if (!X) return KS_ENOMEM;
  double *L = X + n_t * p;
  for (size_t i = 0; i < n_t; i++) {
    X[i * p] = 1.0;
    for (size_t k = 0; k < n_cond; k++) X[i * p + 1 + k] = reg[i * n_cond + k];
  }
  ks_status st = KS_OK;
  if (ols_factor(X, n_t, p, L) != 0) {
    st = ks_ctx_fail(ctx, KS_ENUMERIC, "GLM: singular design (a condition never occurs?)");
  } else {
    for (size_t j = 0; j < n; j++) {
      double b[16];
      ols_solve(L, X, n_t, p, bold + j, n, b);
      for (size_t k = 0; k < n_cond; k++) beta[k * n + j] = b[1 + k];
    }
  }
  ks_free(ctx, X);
  return st;
}

ks_status ks_imaging_gppi(ks_ctx *ctx, const double *bold, size_t n_t, size_t n, size_t seed,
                          const double *reg, size_t n_cond, double *ppi) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, bold != NULL && reg != NULL && ppi != NULL && seed < n && n_cond >= 1 &&
                        n_cond <= 4);
  const size_t p = 2 + 2 * n_cond;
  if (n_t <= p) return ks_ctx_fail(ctx, KS_EINVAL, "gPPI: %zu time points for %zu regressors", n_t, p);
  double *X = ks_malloc(ctx, (n_t * p + p * p) * sizeof *X);
  if (!X) return KS_ENOMEM;
  double *L = X + n_t * p;
  double mean[4] = {0, 0, 0, 0}, ms = 0.0;
  for (size_t i = 0; i < n_t; i++) {
    ms += bold[i * n + seed];
    for (size_t k = 0; k < n_cond; k++) mean[k] += reg[i * n_cond + k];
  }
  ms /= (double)n_t;
  for (size_t k = 0; k < n_cond; k++) mean[k] /= (double)n_t;
  for (size_t i = 0; i < n_t; i++) {
    double ys = bold[i * n + seed] - ms;
    X[i * p] = 1.0;
    X[i * p + 1] = ys;
    for (size_t k = 0; k < n_cond; k++) {
      X[i * p + 2 + k] = reg[i * n_cond + k];
      X[i * p + 2 + n_cond + k] = ys * (reg[i * n_cond + k] - mean[k]);
    }
  }
  ks_status st = KS_OK;
  if (ols_factor(X, n_t, p, L) != 0) {
    st = ks_ctx_fail(ctx, KS_ENUMERIC, "gPPI: singular design");
  } else {
    for (size_t j = 0; j < n; j++) {
      double b[16];
      if (j == seed) {
        for (size_t k = 0; k < n_cond; k++) ppi[k * n + j] = 0.0;
        continue;
      }
      ols_solve(L, X, n_t, p, bold + j, n, b);
      for (size_t k = 0; k < n_cond; k++) ppi[k * n + j] = b[2 + n_cond + k];
    }
  }
  ks_free(ctx, X);
  return st;
}

/* ---- Analytic summary ------------------------------------------------------------------------- */

static double zof(double r) {
  const double lim = 1.0 - 1e-12;
  r = r > lim ? lim : (r < -lim ? -lim : r);
  return atanh(r);
}

/* Region indices of every built-in role; KS_EINVAL when the circuit lacks one. */
static ks_status role_ids(ks_ctx *ctx, const ks_circuit *c, long id[KS_REGION_N]) {
  for (int r = 0; r < KS_REGION_N; r++) {
    id[r] = ks_circuit_role_index(c, (ks_region)r);
    if (id[r] < 0)
      return ks_ctx_fail(ctx, KS_EINVAL, "scan summary: the circuit has no %s region",
                         ks_region_name((ks_region)r));
  }
  return KS_OK;
}

/* FC (n x n, into fc) in the faces state: threat input to the amygdala (index am); in (n, zeroed)
 * gets that input vector. */
static ks_status faces_fc(ks_ctx *ctx, const ks_circuit *c, const ks_circuit_drive *drive, size_t am,
                          double *in, double *fc) {
  in[am] = drive->threat_input_nA;
  return ks_circuit_fc_analytic(ctx, c, drive, in, KS_BOLD_STEPHAN2007, fc);
}

ks_status ks_imaging_faces_fc_z(ks_ctx *ctx, const ks_circuit *c, const ks_circuit_drive *drive,
                                double *vmpfc_amygdala_z) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, c != NULL && drive != NULL && vmpfc_amygdala_z != NULL);
  long id[KS_REGION_N];
  KS_TRY(role_ids(ctx, c, id));
  const size_t n = ks_circuit_n_regions(c);
  double *w = ks_calloc(ctx, n * n + n, sizeof *w);
  if (!w) return KS_ENOMEM;
  ks_status st = faces_fc(ctx, c, drive, (size_t)id[KS_REGION_AMYGDALA], w + n * n, w);
  if (st == KS_OK) *vmpfc_amygdala_z = zof(w[(size_t)id[KS_REGION_VMPFC] * n + (size_t)id[KS_REGION_AMYGDALA]]);
  ks_free(ctx, w);
  return st;
}

ks_status ks_imaging_scan_summary(ks_ctx *ctx, const ks_circuit *c, const ks_circuit_drive *drive,
                                  ks_imaging_summary *out) {
  if (!ctx) return KS_EINVAL;
  KS_CHECK_ARG(ctx, c != NULL && drive != NULL && out != NULL);
  long id[KS_REGION_N];
  KS_TRY(role_ids(ctx, c, id));
  const size_t n = ks_circuit_n_regions(c);
  double *w = ks_calloc(ctx, 2 * n * n + 5 * n, sizeof *w);
  if (!w) return KS_ENOMEM;
  double *fr = w, *ft = w + n * n, *in = w + 2 * n * n, *db = in + n, *rE = db + n,
         *in2 = rE + n, *db2 = in2 + n;
  ks_status st = KS_OK;
  const size_t vm = (size_t)id[KS_REGION_VMPFC], am = (size_t)id[KS_REGION_AMYGDALA],
               da = (size_t)id[KS_REGION_DACC], ins = (size_t)id[KS_REGION_AINSULA],
               pcc = (size_t)id[KS_REGION_PCC], ra = (size_t)id[KS_REGION_RACC],
               hip = (size_t)id[KS_REGION_AHIPP];
  st = ks_circuit_steady_state(ctx, c, drive, NULL, rE, NULL, NULL);
  if (st != KS_OK) goto done;
  st = ks_circuit_fc_analytic(ctx, c, drive, NULL, KS_BOLD_STEPHAN2007, fr);
  if (st != KS_OK) goto done;
  st = faces_fc(ctx, c, drive, (size_t)id[KS_REGION_AMYGDALA], in, ft);
  if (st != KS_OK) goto done;
  st = ks_circuit_bold_steady_change(ctx, c, drive, in, KS_BOLD_STEPHAN2007, db);
  if (st != KS_OK) goto done;
  /* dACC activity during incongruent (emotional conflict) blocks against fixation: threat to the
   * amygdala plus the conflict input to dACC. */
  memcpy(in2, in, n * sizeof *in);
  in2[da] += CONFLICT_INPUT_NA;
  st = ks_circuit_bold_steady_change(ctx, c, drive, in2, KS_BOLD_STEPHAN2007, db2);
  if (st != KS_OK) goto done;
  memset(out, 0, sizeof *out);
  out->vmpfc_amygdala_rest_z = zof(fr[vm * n + am]);
  out->vmpfc_amygdala_faces_z = zof(ft[vm * n + am]);
  out->vmpfc_amygdala_ppi_z = out->vmpfc_amygdala_faces_z - out->vmpfc_amygdala_rest_z;
  out->amygdala_threat_pct = db[am];
  out->dacc_conflict_pct = db2[da];
  out->salience_z = (zof(fr[ins * n + da]) + zof(fr[ins * n + am]) + zof(fr[da * n + am])) / 3.0;
  out->dmn_z = (zof(fr[vm * n + pcc]) + zof(fr[ra * n + pcc]) + zof(fr[hip * n + pcc])) / 3.0;
  out->vmpfc_insula_rest_z = zof(fr[vm * n + ins]);
  double m = 0.0;
  for (size_t i = 0; i < n; i++) m += rE[i];
  out->mean_rE_Hz = m / (double)n;
done:
  ks_free(ctx, w);
  return st;
}
