/* SPDX-License-Identifier: MIT */
/* Distribution functions (normal, t, chi-square, F) on top of GSL, with clamped arguments. */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "stats_internal.h"

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;

static void gsl_init_once(void) {
  /* GSL's default handler calls abort(); the library never aborts (DESIGN.md), so GSL reports
   * through return values and every caller checks what comes back. */
  gsl_set_error_handler_off();
}

void ks__stats_gsl_init(void) { (void)pthread_once(&gsl_once, gsl_init_once); }

/* Finite version of a result: NaN becomes `fallback`, infinities become +-DBL_MAX. */
static double finite_or(double v, double fallback) {
  if (isnan(v)) return fallback;
  if (isinf(v)) return v > 0 ? DBL_MAX : -DBL_MAX;
  return v;
}

static double clamp_p(double p) {
  if (!(p >= 0.0)) return 0.0; /* also NaN */
  return p > 1.0 ? 1.0 : p;
}

static double clamp_df(double df) { return (df > 0.0 && !isnan(df)) ? df : DBL_MIN; }

double ks_stats_norm_cdf(double z) {
  ks__stats_gsl_init();
  if (isnan(z)) return 0.5;
  return clamp_p(gsl_cdf_ugaussian_P(z));
}

double ks_stats_norm_sf(double z) {
  ks__stats_gsl_init();
  if (isnan(z)) return 0.5;
  return clamp_p(gsl_cdf_ugaussian_Q(z));
}

double ks_stats_norm_quantile(double p) {
  ks__stats_gsl_init();
  p = clamp_p(p);
  if (p <= 0.0) return -DBL_MAX;
  if (p >= 1.0) return DBL_MAX;
  return finite_or(gsl_cdf_ugaussian_Pinv(p), 0.0);
}

double ks_stats_t_cdf(double t, double df) {
  ks__stats_gsl_init();
  if (isnan(t)) return 0.5;
  if (df > 1e7) return ks_stats_norm_cdf(t);
  return clamp_p(finite_or(gsl_cdf_tdist_P(t, clamp_df(df)), 0.5));
}

double ks_stats_t_sf(double t, double df) {
  ks__stats_gsl_init();
  if (isnan(t)) return 0.5;
  if (df > 1e7) return ks_stats_norm_sf(t);
  return clamp_p(finite_or(gsl_cdf_tdist_Q(t, clamp_df(df)), 0.5));
}

double ks_stats_t_quantile(double p, double df) {
  ks__stats_gsl_init();
  p = clamp_p(p);
  if (p <= 0.0) return -DBL_MAX;
  if (p >= 1.0) return DBL_MAX;
  if (df > 1e7) return ks_stats_norm_quantile(p);
  return finite_or(gsl_cdf_tdist_Pinv(p, clamp_df(df)), 0.0);
}

double ks_stats_t_p2(double t, double df) {
  if (isnan(t)) return 1.0;
  double q = ks_stats_t_sf(fabs(t), df);
  double p = 2.0 * q;
  return p > 1.0 ? 1.0 : p;
}

double ks_stats_chi2_sf(double x, double df) {
  ks__stats_gsl_init();
  if (isnan(x) || x <= 0.0) return 1.0;
  return clamp_p(finite_or(gsl_cdf_chisq_Q(x, clamp_df(df)), 1.0));
}

double ks_stats_chi2_quantile(double p, double df) {
  ks__stats_gsl_init();
  p = clamp_p(p);
  if (p <= 0.0) return 0.0;
  if (p >= 1.0) return DBL_MAX;
  return finite_or(gsl_cdf_chisq_Pinv(p, clamp_df(df)), 0.0);
}

double ks_stats_f_sf(double f, double df1, double df2) {
  ks__stats_gsl_init();
  if (isnan(f) || f <= 0.0) return 1.0;
  return clamp_p(finite_or(gsl_cdf_fdist_Q(f, clamp_df(df1), clamp_df(df2)), 1.0));
}

double ks_stats_f_quantile(double p, double df1, double df2) {
  ks__stats_gsl_init();
  p = clamp_p(p);
  if (p <= 0.0) return 0.0;
  if (p >= 1.0) return DBL_MAX;
  return finite_or(gsl_cdf_fdist_Pinv(p, clamp_df(df1), clamp_df(df2)), 0.0);
}

double ks__z_crit(double conf) { return ks_stats_norm_quantile(0.5 + 0.5 * conf); }
