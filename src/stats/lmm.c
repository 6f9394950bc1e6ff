/* SPDX-License-Identifier: MIT */
/* Linear mixed model for repeated measures with a random intercept and slope per subject, fitted by
 * REML (Patterson & Thompson 1971) with the profiled criterion of Bates et al. (2015, lme4, eqs.
 * 34-42), BOBYQA (Powell 2009, via NLopt) over the relative Cholesky factor of G, and Satterthwaite
 * degrees of freedom computed as lmerTest does (Kuznetsova et al. 2017).
 *
 * Per subject i with n_i rows: y_i = X_i beta + Z_i b_i + e_i, Z_i = [1, t], b_i ~ N(0, s2 L L'),
 * e_i ~ N(0, s2 I). With W_i = I + Z_i L L' Z_i' and M_i = I_2 + L' Z_i' Z_i L (Woodbury):
 *   W_i^-1 = I - Z_i L M_i^-1 L' Z_i',  log|W_i| = log|M_i|,
 * so every term needs only the per-subject cross-products X'X, X'Z, Z'Z, X'y, Z'y, y'y, which are
 * accumulated once; one evaluation of the criterion costs O(m p^2) and allocates nothing. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nlopt.h>

#include "stats_internal.h"

#define PMAX KS_LMM_MAX_FIXED
#define LOG_2PI 1.8378770664093454836

typedef struct {
  int subj;
  size_t row;
} subj_row;

/* Per-subject cross-products, and the model's fixed sizes. */
typedef struct {
  size_t m, p, n_obs;
  double *xtx;  /* [m][p][p] */
  double *xtz;  /* [m][p][2] */
  double *xty;  /* [m][p] */
  double *ztz;  /* [m][3]: n_i, sum t, sum t^2 */
  double *zty;  /* [m][2] */
  double *yty;  /* [m] */
  int n_eval;
} lmm_data;

/* The results of one evaluation at theta. */
typedef struct {
  double logdet_m;     /* sum_i log|M_i| */
  double l[PMAX * PMAX];  /* Cholesky factor of X' W^-1 X */
  double logdet_x;
  double beta[PMAX];
  double r;            /* penalised residual sum of squares at beta-hat */
  int ok;
} lmm_eval;

static void eval_theta(const lmm_data *d, const double *theta, lmm_eval *e) {
  const size_t p = d->p;
  const double l00 = theta[0], l10 = theta[1], l11 = theta[2];
  double a[PMAX * PMAX] = {0}, b[PMAX] = {0}, yy = 0.0, ldm = 0.0;
  e->ok = 0;
  for (size_t i = 0; i < d->m; i++) {
    const double *ztz = d->ztz + 3 * i, *xtz = d->xtz + 2 * p * i, *zty = d->zty + 2 * i;
    const double *xtx = d->xtx + p * p * i, *xty = d->xty + p * i;
    /* Z'Z L, then M = I + L' Z'Z L (2x2, symmetric). */
    double zl00 = ztz[0] * l00 + ztz[1] * l10, zl01 = ztz[1] * l11;
    double zl10 = ztz[1] * l00 + ztz[2] * l10, zl11 = ztz[2] * l11;
    double m00 = 1.0 + l00 * zl00 + l10 * zl10;
    double m01 = l00 * zl01 + l10 * zl11;
    double m11 = 1.0 + l11 * zl11;
    double det = m00 * m11 - m01 * m01;
    if (!(det > 0.0)) return;
    ldm += log(det);
    double i00 = m11 / det, i01 = -m01 / det, i11 = m00 / det;
    /* u = L' Z'y, c_k = (X'Z L)_k. */
    double u0 = l00 * zty[0] + l10 * zty[1], u1 = l11 * zty[1];
    double w0 = i00 * u0 + i01 * u1, w1 = i01 * u0 + i11 * u1;
    yy += d->yty[i] - (u0 * w0 + u1 * w1);
    double c0[PMAX], c1[PMAX];
    for (size_t r = 0; r < p; r++) {
      c0[r] = xtz[2 * r] * l00 + xtz[2 * r + 1] * l10;
      c1[r] = xtz[2 * r + 1] * l11;
      b[r] += xty[r] - (c0[r] * w0 + c1[r] * w1);
    }
    for (size_t r = 0; r < p; r++) {
      double g0 = i00 * c0[r] + i01 * c1[r], g1 = i01 * c0[r] + i11 * c1[r];
      for (size_t c = 0; c <= r; c++) a[r * p + c] += xtx[r * p + c] - (g0 * c0[c] + g1 * c1[c]);
    }
  }
  for (size_t r = 0; r < p; r++)
    for (size_t c = r + 1; c < p; c++) a[r * p + c] = a[c * p + r];
  memcpy(e->l, a, p * p * sizeof *a);
  if (ks_la_chol(e->l, p, 0.0) != 0) return;
  memcpy(e->beta, b, p * sizeof *b);
  ks_la_chol_solve(e->l, p, e->beta);
  double bb = 0.0;
  for (size_t r = 0; r < p; r++) bb += e->beta[r] * b[r];
  e->r = yy - bb;
  if (!(e->r > 0.0)) return;
  e->logdet_m = ldm;
  e->logdet_x = ks_la_chol_logdet(e->l, p);
  e->ok = isfinite(e->logdet_m) && isfinite(e->logdet_x);
}

/* Profiled REML criterion (lme4 REMLcrit): sigma^2 = r / (N - p). */
static double reml_profiled(const lmm_data *d, const double *theta, lmm_eval *e) {
  eval_theta(d, theta, e);
  if (!e->ok) return DBL_MAX;
  double nmp = (double)(d->n_obs - d->p);
  return e->logdet_m + e->logdet_x + nmp * (1.0 + LOG_2PI + log(e->r / nmp));
}

/* REML deviance at (theta, sigma), sigma not profiled (lmerTest devfun_vp). */
static double reml_full(const lmm_data *d, const double *vp, lmm_eval *e) {
  eval_theta(d, vp, e);
  if (!e->ok) return DBL_MAX;
  double s2 = vp[3] * vp[3];
  double nmp = (double)(d->n_obs - d->p);
  return e->logdet_m + e->logdet_x + nmp * (LOG_2PI + log(s2)) + e->r / s2;
}

static double nlopt_obj(unsigned n, const double *x, double *grad, void *ud) {
  (void)n;
  (void)grad;
  lmm_data *d = ud;
  lmm_eval e;
  d->n_eval++;
  return reml_profiled(d, x, &e);
}

/* Covariance of beta-hat at (theta, sigma): sigma^2 (X' W^-1 X)^-1. */
static int vcov_at(const lmm_data *d, const double *vp, double *v) {
  lmm_eval e;
  eval_theta(d, vp, &e);
  if (!e.ok) return -1;
  ks_la_chol_inverse(e.l, d->p, v);
  double s2 = vp[3] * vp[3];
  for (size_t k = 0; k < d->p * d->p; k++) v[k] *= s2;
  return 0;
}

/* Eigen-decomposition of a symmetric 4x4 matrix by cyclic Jacobi rotations (Golub & Van Loan
 * 2013, sec. 8.5); used for the pseudo-inverse of the Hessian when it is not positive definite. */
static void jacobi4(double a[4][4], double v[4][4], double ev[4]) {
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) v[i][j] = (i == j);
  for (int sweep = 0; sweep < 60; sweep++) {
    double off = 0.0;
    for (int i = 0; i < 4; i++)
      for (int j = i + 1; j < 4; j++) off += a[i][j] * a[i][j];
    if (off < 1e-30) break;
    for (int pp = 0; pp < 4; pp++)
      for (int q = pp + 1; q < 4; q++) {
        if (fabs(a[pp][q]) < 1e-300) continue;
        double th = (a[q][q] - a[pp][pp]) / (2.0 * a[pp][q]);
        double t = (th >= 0 ? 1.0 : -1.0) / (fabs(th) + sqrt(th * th + 1.0));
        double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
        for (int k = 0; k < 4; k++) {
          double akp = a[k][pp], akq = a[k][q];
          a[k][pp] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (int k = 0; k < 4; k++) {
          double apk = a[pp][k], aqk = a[q][k];
          a[pp][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (int k = 0; k < 4; k++) {
          double vkp = v[k][pp], vkq = v[k][q];
          v[k][pp] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
  }
  for (int i = 0; i < 4; i++) ev[i] = a[i][i];
}

/* Fill one contrast c'beta with Satterthwaite df: df = 2 (c'Vc)^2 / (g' A g), g_k = c' dV_k c,
 * A = asymptotic covariance of the variance parameters. Falls back to n - p when g'Ag is not
 * positive (then the variance parameters carry no information about this contrast). */
static void fill_contrast(const double *c, size_t p, const double *v, const double *dv,
                          const double a[4][4], double fallback_df, ks_contrast *out) {
  double var = 0.0, g[4] = {0};
  for (size_t r = 0; r < p; r++)
    for (size_t s = 0; s < p; s++) {
      var += c[r] * v[r * p + s] * c[s];
      for (int k = 0; k < 4; k++) g[k] += c[r] * dv[(size_t)k * p * p + r * p + s] * c[s];
    }
  double gag = 0.0;
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) gag += g[i] * a[i][j] * g[j];
  double df = (gag > 0.0 && isfinite(gag)) ? 2.0 * var * var / gag : fallback_df;
  if (!(df > 0.0) || !isfinite(df)) df = fallback_df;
  out->se = var > 0.0 ? sqrt(var) : 0.0;
  out->df = df;
  out->t = out->se > 0.0 ? out->est / out->se : 0.0;
  out->p = out->se > 0.0 ? ks_stats_t_p2(out->t, df) : 1.0;
  double q = ks_stats_t_quantile(0.975, df);
  out->ci_lo = out->est - q * out->se;
  out->ci_hi = out->est + q * out->se;
}

static int cmp_subj_row(const void *x, const void *y) {
  const subj_row *a = x, *b = y;
  if (a->subj != b->subj) return (a->subj > b->subj) - (a->subj < b->subj);
  return (a->row > b->row) - (a->row < b->row);
}

ks_status ks_stats_lmm_fit(ks_ctx *ctx, const ks_lmm_data *data, int g_treat, int g_ctrl,
                           double t_visit, ks_lmm_result *out) {
  KS_CHECK_ARG(ctx, data != NULL && out != NULL);
  KS_CHECK_ARG(ctx, data->y != NULL && data->time != NULL && data->subject != NULL &&
                        data->group != NULL);
  KS_CHECK_ARG(ctx, g_treat != g_ctrl && isfinite(t_visit));
  ks__stats_gsl_init();
  const size_t n = data->n;
  const int has_base = data->baseline != NULL;

  /* Usable rows, sorted by subject. */
  subj_row *rows = ks_malloc(ctx, (n ? n : 1) * sizeof *rows);
  if (!rows) return KS_ENOMEM;
  size_t n_use = 0;
  double t_sum = 0.0, t_ss = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (isnan(data->y[i]) || isnan(data->time[i]) || (has_base && isnan(data->baseline[i]))) continue;
    if (isinf(data->y[i]) || isinf(data->time[i]) || (has_base && isinf(data->baseline[i]))) {
      ks_free(ctx, rows);
      return ks_ctx_fail(ctx, KS_EINVAL, "%s: infinite value at row %zu", __func__, i);
    }
    rows[n_use++] = (subj_row){data->subject[i], i};
    t_sum += data->time[i];
  }
  qsort(rows, n_use, sizeof *rows, cmp_subj_row);

  /* Arms (reference g_ctrl first), subjects, and the time scale. */
  int arms[KS_STATS_MAX_ARMS];
  size_t n_arms = 1, n_subj = 0, subj_treat = 0, subj_ctrl = 0;
  arms[0] = g_ctrl;
  ks_status st = KS_OK;
  for (size_t k = 0; k < n_use; k++) {
    size_t i = rows[k].row;
    int g = data->group[i];
    size_t a = 0;
    while (a < n_arms && arms[a] != g) a++;
    if (a == n_arms) {
      if (n_arms == KS_STATS_MAX_ARMS) {
        st = ks_ctx_fail(ctx, KS_EINVAL, "%s: more than %d arms", __func__, KS_STATS_MAX_ARMS);
        break;
      }
      arms[n_arms++] = g;
    }
    if (k == 0 || rows[k].subj != rows[k - 1].subj) {
      n_subj++;
      subj_treat += g == g_treat;
      subj_ctrl += g == g_ctrl;
    } else if (data->group[rows[k - 1].row] != g) {
      st = ks_ctx_fail(ctx, KS_EINVAL, "%s: subject %d appears in two arms", __func__, rows[k].subj);
      break;
    }
    double dt = data->time[i] - t_sum / (double)n_use;
    t_ss += dt * dt;
  }
  size_t p = 1 + 2 * (n_arms - 1) + 1 + (size_t)has_base;
  if (st == KS_OK && (subj_treat < 2 || subj_ctrl < 2))
    st = ks_ctx_fail(ctx, KS_EINVAL, "%s: %zu treated and %zu control subjects (expected at least 2 each)",
                     __func__, subj_treat, subj_ctrl);
  if (st == KS_OK && n_use <= p + 3)
    st = ks_ctx_fail(ctx, KS_EINVAL, "%s: %zu observations for %zu fixed effects and 4 variance parameters",
                     __func__, n_use, p);
  double t_scale = n_use > 1 ? sqrt(t_ss / (double)(n_use - 1)) : 0.0;
  if (st == KS_OK && !(t_scale > 0.0))
    st = ks_ctx_fail(ctx, KS_EINVAL, "%s: time is constant (a slope cannot be estimated)", __func__);
  if (st != KS_OK) {
    ks_free(ctx, rows);
    return st;
  }

  /* Columns: 0 intercept; 1..k-1 arm dummies; k time; k+1..2k-1 arm x time; 2k baseline.
   * Time is divided by its SD inside the fit, so theta is of order one whatever the time unit;
   * the results are transformed back (the model is invariant to this reparameterisation). */
  const size_t c_time = n_arms;
  lmm_data d;
  memset(&d, 0, sizeof d);
  d.m = n_subj;
  d.p = p;
  d.n_obs = n_use;
  size_t per = p * p + 2 * p + p + 3 + 2 + 1;
  double *buf = ks_calloc(ctx, n_subj * per, sizeof *buf);
  if (!buf) {
    ks_free(ctx, rows);
    return KS_ENOMEM;
  }
  d.xtx = buf;
  d.xtz = d.xtx + n_subj * p * p;
  d.xty = d.xtz + n_subj * 2 * p;
  d.ztz = d.xty + n_subj * p;
  d.zty = d.ztz + n_subj * 3;
  d.yty = d.zty + n_subj * 2;
  size_t s = 0;
  for (size_t k = 0; k < n_use; k++) {
    if (k > 0 && rows[k].subj != rows[k - 1].subj) s++;
    size_t i = rows[k].row;
    double x[PMAX] = {0}, t = data->time[i] / t_scale, y = data->y[i];
    x[0] = 1.0;
    x[c_time] = t;
    for (size_t a = 1; a < n_arms; a++)
      if (arms[a] == data->group[i]) {
        x[a] = 1.0;
        x[c_time + a] = t;
      }
    if (has_base) x[p - 1] = data->baseline[i];
    double *xtx = d.xtx + s * p * p, *xtz = d.xtz + s * 2 * p, *xty = d.xty + s * p;
    for (size_t r = 0; r < p; r++) {
      for (size_t c = 0; c <= r; c++) xtx[r * p + c] += x[r] * x[c];
      xtz[2 * r] += x[r];
      xtz[2 * r + 1] += x[r] * t;
      xty[r] += x[r] * y;
    }
    d.ztz[3 * s] += 1.0;
    d.ztz[3 * s + 1] += t;
    d.ztz[3 * s + 2] += t * t;
    d.zty[2 * s] += y;
    d.zty[2 * s + 1] += t * y;
    d.yty[s] += y * y;
  }
  ks_free(ctx, rows);

  /* Optimise the profiled REML criterion over theta = (L00, L10, L11), L00, L11 >= 0 (lme4). */
  double theta[3] = {1.0, 0.0, 1.0}, fmin = 0.0;
  nlopt_opt opt = nlopt_create(NLOPT_LN_BOBYQA, 3);
  if (!opt) {
    ks_free(ctx, buf);
    return ks_ctx_fail(ctx, KS_ENOMEM, "%s: nlopt_create failed", __func__);
  }
  double lb[3] = {0.0, -1e6, 0.0}, ub[3] = {1e6, 1e6, 1e6}, step[3] = {0.2, 0.2, 0.2};
  nlopt_set_lower_bounds(opt, lb);
  nlopt_set_upper_bounds(opt, ub);
  nlopt_set_initial_step(opt, step);
  nlopt_set_min_objective(opt, nlopt_obj, &d);
  nlopt_set_xtol_abs1(opt, 1e-10);
  nlopt_set_ftol_abs(opt, 1e-12);
  nlopt_set_maxeval(opt, 20000);
  nlopt_result nr = nlopt_optimize(opt, theta, &fmin);
  nlopt_destroy(opt);
  lmm_eval e;
  double crit = reml_profiled(&d, theta, &e);
  if (nr < 0 && nr != NLOPT_ROUNDOFF_LIMITED) {
    ks_free(ctx, buf);
    return ks_ctx_fail(ctx, KS_ENUMERIC, "%s: REML optimiser failed (NLopt code %d)", __func__, (int)nr);
  }
  if (!e.ok || crit == DBL_MAX) {
    ks_free(ctx, buf);
    return ks_ctx_fail(ctx, KS_ENUMERIC, "%s: singular fixed-effects design or degenerate data", __func__);
  }
  if (nr == NLOPT_MAXEVAL_REACHED)
    ks_log(ctx, KS_LOG_WARN, "%s: REML optimiser stopped at %d evaluations before converging",
           __func__, d.n_eval);
  double nmp = (double)(n_use - p);
  double sigma2 = e.r / nmp;

  /* Satterthwaite: Hessian of the REML deviance in (theta, sigma) by central differences, and the
   * derivatives of Var(beta-hat) in the same parameters (lmerTest's construction). */
  double vp[4] = {theta[0], theta[1], theta[2], sqrt(sigma2)}, h[4];
  for (int k = 0; k < 4; k++) h[k] = 1e-4 * fmax(fabs(vp[k]), 0.1);
  double hess[4][4];
  double f0 = reml_full(&d, vp, &e);
  for (int i = 0; i < 4; i++)
    for (int j = i; j < 4; j++) {
      double q[4], fpp, fpm, fmp, fmm;
      memcpy(q, vp, sizeof q);
      if (i == j) {
        q[i] = vp[i] + h[i];
        fpp = reml_full(&d, q, &e);
        q[i] = vp[i] - h[i];
        fmm = reml_full(&d, q, &e);
        hess[i][i] = (fpp - 2.0 * f0 + fmm) / (h[i] * h[i]);
        continue;
      }
      q[i] = vp[i] + h[i], q[j] = vp[j] + h[j];
      fpp = reml_full(&d, q, &e);
      q[i] = vp[i] + h[i], q[j] = vp[j] - h[j];
      fpm = reml_full(&d, q, &e);
      q[i] = vp[i] - h[i], q[j] = vp[j] + h[j];
      fmp = reml_full(&d, q, &e);
      q[i] = vp[i] - h[i], q[j] = vp[j] - h[j];
      fmm = reml_full(&d, q, &e);
      hess[i][j] = hess[j][i] = (fpp - fpm - fmp + fmm) / (4.0 * h[i] * h[j]);
    }
  /* A = 2 H^-1 over the positive eigenvalues (a pseudo-inverse when the fit is on the boundary). */
  double ev[4], vec[4][4], acov[4][4] = {{0}}, emax = 0.0;
  jacobi4(hess, vec, ev);
  for (int k = 0; k < 4; k++) emax = fmax(emax, fabs(ev[k]));
  for (int k = 0; k < 4; k++) {
    if (!(ev[k] > 1e-8 * emax) || !isfinite(ev[k])) continue;
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 4; j++) acov[i][j] += 2.0 * vec[i][k] * vec[j][k] / ev[k];
  }

  /* Var(beta) and its derivatives, back on the caller's time scale: beta = D beta_scaled with
   * D = 1 / t_scale on the time columns. */
  double dsc[PMAX];
  for (size_t r = 0; r < p; r++) dsc[r] = (r >= c_time && r < c_time + n_arms) ? 1.0 / t_scale : 1.0;
  double v[PMAX * PMAX], dv[4 * PMAX * PMAX], vplus[PMAX * PMAX], vminus[PMAX * PMAX];
  int bad = vcov_at(&d, vp, v);
  for (int k = 0; k < 4 && !bad; k++) {
    double q[4];
    memcpy(q, vp, sizeof q);
    q[k] = vp[k] + h[k];
    bad |= vcov_at(&d, q, vplus);
    q[k] = vp[k] - h[k];
    bad |= vcov_at(&d, q, vminus);
    for (size_t r = 0; r < p * p; r++)
      dv[(size_t)k * p * p + r] = (vplus[r] - vminus[r]) / (2.0 * h[k]) * dsc[r / p] * dsc[r % p];
  }
  if (bad) {
    ks_free(ctx, buf);
    return ks_ctx_fail(ctx, KS_ENUMERIC, "%s: covariance of the fixed effects is singular", __func__);
  }
  for (size_t r = 0; r < p * p; r++) v[r] *= dsc[r / p] * dsc[r % p];
  /* acov stays in the scaled variance parameters: the Satterthwaite df 2 f^2 / (g' A g) is
   * invariant under the linear map between scaled and unscaled theta (g and A transform
   * contragrediently), so only Var(beta) itself needs the back-transformation above. */

  ks_lmm_result r;
  memset(&r, 0, sizeof r);
  r.n_obs = n_use;
  r.n_subjects = n_subj;
  r.n_fixed = p;
  r.sigma2 = sigma2;
  r.n_eval = d.n_eval;
  r.t_visit = t_visit;
  /* Criterion on the caller's scale: log|X'W^-1X| gains 2 log(t_scale) per time column. */
  r.reml_crit = crit + 2.0 * (double)n_arms * log(t_scale);
  double l00 = theta[0], l10 = theta[1] / t_scale, l11 = theta[2] / t_scale;
  r.theta[0] = l00;
  r.theta[1] = l10;
  r.theta[2] = l11;
  r.var_intercept = sigma2 * l00 * l00;
  r.cov_int_slope = sigma2 * l00 * l10;
  r.var_slope = sigma2 * (l10 * l10 + l11 * l11);
  r.boundary = theta[0] < 1e-5 || theta[2] < 1e-5;
  memcpy(r.vcov, v, p * p * sizeof *v);
  size_t i_treat = 0;
  for (size_t a = 1; a < n_arms; a++)
    if (arms[a] == g_treat) i_treat = a;
  for (size_t j = 0; j < p; j++) {
    double c[PMAX] = {0};
    c[j] = 1.0;
    ks_contrast ct;
    ct.est = e.beta[j] * dsc[j];
    fill_contrast(c, p, v, dv, acov, nmp, &ct);
    r.beta[j] = ct.est;
    r.se[j] = ct.se;
    r.df[j] = ct.df;
    r.t[j] = ct.t;
    r.p[j] = ct.p;
    if (j == 0) snprintf(r.names[j], sizeof r.names[j], "(Intercept)");
    else if (j < c_time) snprintf(r.names[j], sizeof r.names[j], "arm[%d]", arms[j]);
    else if (j == c_time) snprintf(r.names[j], sizeof r.names[j], "time");
    else if (j < c_time + n_arms) snprintf(r.names[j], sizeof r.names[j], "arm[%d]:time", arms[j - c_time]);
    else snprintf(r.names[j], sizeof r.names[j], "baseline");
  }
  {
    double c[PMAX] = {0};
    c[c_time + i_treat] = 1.0;
    r.slope_diff.est = r.beta[c_time + i_treat];
    fill_contrast(c, p, v, dv, acov, nmp, &r.slope_diff);
    double c2[PMAX] = {0};
    c2[i_treat] = 1.0;
    c2[c_time + i_treat] = t_visit;
    r.at_visit.est = r.beta[i_treat] + t_visit * r.beta[c_time + i_treat];
    fill_contrast(c2, p, v, dv, acov, nmp, &r.at_visit);
  }
  ks_free(ctx, buf);
  *out = r;
  return KS_OK;
}
