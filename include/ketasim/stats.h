/* SPDX-License-Identifier: MIT */
/* Statistics of virtual trials: descriptives, change from baseline, t-tests and effect sizes,
 * ANCOVA, a REML linear mixed model, proportions and Fisher's exact test, Kaplan-Meier and the
 * log-rank test, correlation with bootstrap intervals, AUC, power, and the distribution functions
 * (normal, t, chi-square, F) they need.
 *
 * Conventions. Every function is pure: it reads arrays with explicit sizes and writes a small result
 * struct owned by the caller. Scratch memory comes from the context's allocator and is freed before
 * return. A failure returns a status and leaves a message in the context (ks_ctx_last_error); the
 * result struct is then unspecified. No NaN or infinity is ever written into a result: quantities
 * that do not exist (an interval bound that is never reached, a standard deviation of one value) are
 * flagged by a field, documented per struct. NaN in an input array means "missing": functions that
 * take a ks_nan_policy skip it on request and otherwise reject it with KS_EINVAL.
 * Group labels are arbitrary ints; the treated and control groups of a contrast are named by label.
 *
 * Thread-safety: every function is re-entrant; distinct calls may run concurrently on distinct
 * contexts (or on one context, except that the last-error message is then shared). GSL is used
 * internally with its abort-on-error handler switched off once per process (pthread_once): GSL
 * failures come back as statuses, never as an abort. */
#ifndef KETASIM_STATS_H
#define KETASIM_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <ketasim/core.h>
#include <ketasim/validate.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------------
 * Distribution functions. Lower tail P(X <= x), upper tail Q(X > x) and quantiles. They never fail:
 * arguments outside the domain (df <= 0, p outside (0, 1)) are clamped to the nearest valid value,
 * and p = 0 or 1 give the finite extreme +-DBL_MAX for quantiles. */
KS_API double ks_stats_norm_cdf(double z);
KS_API double ks_stats_norm_sf(double z);
KS_API double ks_stats_norm_quantile(double p);
KS_API double ks_stats_t_cdf(double t, double df);
KS_API double ks_stats_t_sf(double t, double df);
KS_API double ks_stats_t_quantile(double p, double df);
/** Two-sided p-value 2 * P(T_df > |t|); df = +inf (or > 1e7) uses the normal. */
KS_API double ks_stats_t_p2(double t, double df);
KS_API double ks_stats_chi2_sf(double x, double df);
KS_API double ks_stats_chi2_quantile(double p, double df);
KS_API double ks_stats_f_sf(double f, double df1, double df2);
KS_API double ks_stats_f_quantile(double p, double df1, double df2);

/* ------------------------------------------------------------------------------------------------
 * Descriptives. */
typedef enum {
  KS_NAN_REJECT = 0,  /* a NaN in the input is an error (KS_EINVAL) */
  KS_NAN_SKIP = 1     /* NaN marks a missing value and is left out */
} ks_nan_policy;

typedef struct ks_describe {
  size_t n;            /* values used */
  size_t n_missing;    /* NaNs skipped */
  double mean;
  double sd;           /* sample SD (n - 1 denominator); 0 with has_sd = 0 when n < 2 */
  double se;           /* sd / sqrt(n) */
  double min, q25, median, q75, max;  /* quantiles of type 7 (R's default) */
  int has_sd;          /* 1 when n >= 2 */
} ks_describe;

/** Mean of x[0..n). @return KS_OK, KS_EINVAL (NULL pointers, no usable value, NaN with
 *  KS_NAN_REJECT, infinite values). */
KS_API ks_status ks_stats_mean(ks_ctx *ctx, const double *x, size_t n, ks_nan_policy nan,
                               double *out);
/** Sample standard deviation (n - 1 denominator); needs at least 2 usable values. */
KS_API ks_status ks_stats_sd(ks_ctx *ctx, const double *x, size_t n, ks_nan_policy nan,
                             double *out);
/** Standard error of the mean, sd / sqrt(n); needs at least 2 usable values. */
KS_API ks_status ks_stats_se(ks_ctx *ctx, const double *x, size_t n, ks_nan_policy nan,
                             double *out);
/** Quantile of type 7 (Hyndman & Fan 1996; R's default): h = (n - 1) p, linear interpolation
 *  between the order statistics floor(h) and floor(h) + 1. p in [0, 1]. Allocates one copy of x. */
KS_API ks_status ks_stats_quantile(ks_ctx *ctx, const double *x, size_t n, double p,
                                   ks_nan_policy nan, double *out);
/** All of the above at once (needs at least one usable value). Allocates one copy of x. */
KS_API ks_status ks_stats_describe(ks_ctx *ctx, const double *x, size_t n, ks_nan_policy nan,
                                   ks_describe *out);

/** Change from baseline for one arm at every visit.
 *  @param baseline  baseline score per subject, [n_subjects]
 *  @param value     scores, row-major [n_subjects][n_visits]; NaN = missed visit (skipped)
 *  @param group     arm label per subject, [n_subjects]
 *  @param arm       the arm to summarise
 *  @param out       [n_visits] descriptives of value - baseline among subjects of `arm` with both
 *                   values present (n = 0, all fields 0, when nobody in the arm has that visit)
 *  @return KS_OK, KS_EINVAL (NULL pointers, n_visits == 0), KS_ENOMEM. */
KS_API ks_status ks_stats_change_from_baseline(ks_ctx *ctx, const double *baseline,
                                               const double *value, const int *group,
                                               size_t n_subjects, size_t n_visits, int arm,
                                               ks_describe *out);

/* ------------------------------------------------------------------------------------------------
 * Two-sample comparisons of means and standardised effect sizes. */
typedef struct ks_ttest_result {
  double mean_x, mean_y;
  double diff;         /* mean_x - mean_y */
  double se;           /* standard error of diff */
  double t, df, p;     /* two-sided p */
  double ci_lo, ci_hi; /* confidence interval of diff at the requested level */
} ks_ttest_result;

/** Welch's unequal-variance t-test (Welch 1947; R t.test(x, y)) when welch != 0, otherwise
 *  Student's pooled-variance test (R t.test(x, y, var.equal = TRUE)). conf in (0, 1), e.g. 0.95.
 *  Needs at least 2 values per group and a positive variance. NaN rejected. */
KS_API ks_status ks_stats_ttest(ks_ctx *ctx, const double *x, size_t nx, const double *y,
                                size_t ny, int welch, double conf, ks_ttest_result *out);

typedef struct ks_effect_size {
  double d;             /* Cohen's d = (mean_x - mean_y) / pooled SD */
  double d_se;          /* Hedges & Olkin (1985) large-sample SE, eq. 5.15 */
  double d_lo, d_hi;    /* d +- z SE (normal approximation) */
  double g;             /* Hedges' g = J(df) d, exact J = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2)) */
  double g_lo, g_hi;    /* J(df) times the interval of d */
  double pooled_sd;
} ks_effect_size;

/** Cohen's d with the pooled SD and its normal-approximation interval (Hedges & Olkin 1985):
 *  var(d) = (nx + ny) / (nx ny) + d^2 / (2 (nx + ny)). conf e.g. 0.95. NaN rejected. */
KS_API ks_status ks_stats_cohen_d(ks_ctx *ctx, const double *x, size_t nx, const double *y,
                                  size_t ny, double conf, ks_effect_size *out);

/* ------------------------------------------------------------------------------------------------
 * ANCOVA: y ~ arm + baseline, ordinary least squares (R lm(y ~ factor(arm) + baseline)). */
typedef struct ks_ancova_result {
  size_t n;            /* observations used */
  size_t n_groups;     /* distinct arms in the data */
  double diff;         /* adjusted mean difference treat - ctrl */
  double se, t, df, p; /* df = n - n_groups - 1; two-sided p */
  double ci_lo, ci_hi; /* 95% interval */
  double slope_baseline, slope_baseline_se;
  double sigma;        /* residual SD */
  double adj_mean_treat, adj_mean_ctrl;  /* least-squares means at the mean baseline */
} ks_ancova_result;

/** ANCOVA of the primary endpoint. Observations with NaN in y or baseline are left out (missing).
 *  Arms other than treat and ctrl stay in the model (they share sigma and the baseline slope).
 *  @return KS_OK, KS_EINVAL (NULL pointers, fewer than 2 observations in treat or ctrl, more than
 *  KS_STATS_MAX_ARMS arms, no residual df), KS_ENUMERIC (singular design, e.g. constant baseline),
 *  KS_ENOMEM. */
KS_API ks_status ks_stats_ancova(ks_ctx *ctx, const double *y, const double *baseline,
                                 const int *group, size_t n, int g_treat, int g_ctrl,
                                 ks_ancova_result *out);

/* ------------------------------------------------------------------------------------------------
 * Linear mixed model for repeated measures (REML).
 *   y_ij = X_ij beta + b0_i + b1_i t_ij + e_ij,  (b0_i, b1_i) ~ N(0, G) with G unstructured 2x2,
 *   e_ij ~ N(0, sigma^2), fixed effects: intercept, arm (treatment coding, reference g_ctrl), time,
 *   arm x time, and optionally the baseline score. Equivalent to R
 *   lmer(y ~ factor(arm) * time [+ baseline] + (1 + time | subject), REML = TRUE) with
 *   lmerTest's Satterthwaite degrees of freedom. */
#define KS_STATS_MAX_ARMS 8
#define KS_LMM_MAX_FIXED (3 + 2 * (KS_STATS_MAX_ARMS - 1))

typedef struct ks_contrast {
  double est, se, df, t, p;  /* two-sided p, Satterthwaite df */
  double ci_lo, ci_hi;       /* 95% interval */
} ks_contrast;

typedef struct ks_lmm_result {
  size_t n_obs, n_subjects, n_fixed;
  char names[KS_LMM_MAX_FIXED][32];      /* "(Intercept)", "arm[3]", "time", "arm[3]:time", "baseline" */
  double beta[KS_LMM_MAX_FIXED];
  double se[KS_LMM_MAX_FIXED];
  double df[KS_LMM_MAX_FIXED];            /* Satterthwaite */
  double t[KS_LMM_MAX_FIXED];
  double p[KS_LMM_MAX_FIXED];
  double vcov[KS_LMM_MAX_FIXED * KS_LMM_MAX_FIXED]; /* row-major, n_fixed x n_fixed */
  double sigma2;                          /* residual variance */
  double var_intercept, var_slope, cov_int_slope;  /* G */
  double theta[3];                        /* relative Cholesky factor of G / sigma^2 (lme4 order) */
  double reml_crit;                       /* -2 restricted log-likelihood (lme4 REMLcrit) */
  ks_contrast slope_diff;                 /* arm x time: treat - ctrl difference in slope */
  ks_contrast at_visit;                   /* treat - ctrl difference at time t_visit */
  double t_visit;
  int n_eval;                             /* REML evaluations used by the optimiser */
  int boundary;                           /* 1 when G is singular at the optimum */
} ks_lmm_result;

typedef struct ks_lmm_data {
  const double *y;          /* outcome per observation, NaN = missing (row dropped) */
  const double *time;       /* time of the observation (any unit; e.g. days) */
  const int *subject;       /* subject id per observation (arbitrary ints) */
  const int *group;         /* arm label per observation (constant within a subject) */
  const double *baseline;   /* NULL, or a covariate per observation (e.g. the baseline score) */
  size_t n;                 /* number of observations */
} ks_lmm_data;

/** Fit the model by REML and report the arm x time contrast and the treat - ctrl contrast at
 *  t_visit. The three variance parameters (relative Cholesky factor of G, as in lme4) are optimised
 *  by BOBYQA (NLopt) on the profiled REML criterion; sigma^2 and beta are profiled out in closed form.
 *  @return KS_OK, KS_EINVAL (bad pointers, < 2 subjects per contrasted arm, too many arms, arm not
 *  constant within a subject), KS_ENUMERIC (singular fixed-effects design, optimiser failure),
 *  KS_ENOMEM. */
KS_API ks_status ks_stats_lmm_fit(ks_ctx *ctx, const ks_lmm_data *data, int g_treat, int g_ctrl,
                                  double t_visit, ks_lmm_result *out);

/* ------------------------------------------------------------------------------------------------
 * Several contrasts of one ANCOVA and their multiplicity adjustment (3+ arm trials). */
#define KS_STATS_MAX_CONTRASTS 16

typedef enum { KS_ADJUST_NONE = 0, KS_ADJUST_HOLM = 1, KS_ADJUST_DUNNETT = 2 } ks_adjust;

typedef struct ks_contrasts_result {
  size_t n, n_contrasts;
  double df, sigma;                     /* residual df and SD of the ANCOVA */
  ks_contrast c[KS_STATS_MAX_CONTRASTS]; /* unadjusted: est, se, t, df, p, 95% CI */
  ks_adjust adjust;
  double p_adj[KS_STATS_MAX_CONTRASTS];  /* Holm or Dunnett adjusted p (= p for none) */
  double ci_adj_lo[KS_STATS_MAX_CONTRASTS], ci_adj_hi[KS_STATS_MAX_CONTRASTS]; /* Dunnett: simultaneous 95% */
  double crit;                          /* critical |t| of the 95% intervals (Dunnett: simultaneous) */
  double corr[KS_STATS_MAX_CONTRASTS * KS_STATS_MAX_CONTRASTS]; /* correlation of the estimates */
  double corr_max_error;                /* Dunnett: largest |lambda_i lambda_j - corr_ij| of the product form */
} ks_contrasts_result;

/** Holm's step-down adjustment (Holm 1979; R p.adjust(p, "holm")) of p[0..k), k <= 16. */
KS_API ks_status ks_stats_holm(ks_ctx *ctx, const double *p, size_t k, double *p_adj);

/** P(max_i |T_i| <= c) for T multivariate t with df degrees of freedom (df > 1e6: normal) and the
 *  product correlation R_ij = lambda_i lambda_j (i != j): the one-dimensional conditional form of
 *  Dunnett (1955), integrated numerically over z and over the chi scale (absolute error < 1e-7). */
KS_API double ks_stats_dunnett_cdf(double c, const double *lambda, size_t k, double df);

/** ANCOVA y ~ group + baseline (baseline NULL: one-way ANOVA) by least squares, and the contrasts
 *  treat[k] - ctrl[k] (group labels), k < n_contrasts <= 16, with their adjustment: Holm, or
 *  Dunnett's single-step test and simultaneous intervals (R multcomp::glht(..., mcp(arm =
 *  "Dunnett"))). The multivariate t probability uses the product-correlation form closest to the
 *  contrasts' correlation matrix; it is exact for equal allocation without a covariate and
 *  corr_max_error reports the gap otherwise. Rows with NaN are missing.
 *  @return KS_OK, KS_EINVAL (fewer than 2 observations in a contrasted group, > 17 groups),
 *  KS_ENUMERIC (singular design). */
KS_API ks_status ks_stats_ancova_contrasts(ks_ctx *ctx, const double *y, const double *baseline, const int *group,
                                           size_t n, const int *treat, const int *ctrl, size_t n_contrasts,
                                           ks_adjust adjust, ks_contrasts_result *out);

/** One-sample t test of mean(x) = mu (R t.test(x, mu = mu)): diff = mean - mu with its interval
 *  at level conf; NaN values are skipped. mean_y holds mu. */
KS_API ks_status ks_stats_ttest_one(ks_ctx *ctx, const double *x, size_t n, double mu, double conf,
                                    ks_ttest_result *out);

/** Linear mixed model with a random intercept per subject (REML): y = X beta + b_subject + e,
 *  b ~ N(0, tau^2), e ~ N(0, sigma^2); R lmer(y ~ X - 1 + (1 | subject), REML = TRUE). X is
 *  n x p row-major (include the intercept column); L (p entries) a contrast, reported with
 *  Satterthwaite df (lmerTest). Rows with NaN y are missing.
 *  @return KS_OK, KS_EINVAL (bad sizes, p > 8), KS_ENUMERIC (singular design). */
typedef struct ks_lmm_ri_result {
  size_t n_obs, n_subjects, p;
  double beta[8], se[8];
  double sigma2, tau2;        /* residual and subject variances */
  double reml_crit;           /* -2 restricted log-likelihood (lme4 REMLcrit) */
  ks_contrast contrast;       /* L beta: est, se, Satterthwaite df, t, p, 95% CI */
} ks_lmm_ri_result;
KS_API ks_status ks_stats_lmm_ri(ks_ctx *ctx, const double *y, const double *x, const int *subject, size_t n,
                                 size_t p, const double *l, ks_lmm_ri_result *out);

/* ------------------------------------------------------------------------------------------------
 * Proportions. */
typedef struct ks_proportion {
  size_t k, n;
  double p;           /* k / n */
  double lo, hi;      /* Wilson score interval (Wilson 1927), no continuity correction */
} ks_proportion;

/** k successes out of n, Wilson interval at level conf (e.g. 0.95). n may be 0 (p = 0, [0, 1]). */
KS_API ks_status ks_stats_proportion(ks_ctx *ctx, size_t k, size_t n, double conf,
                                     ks_proportion *out);

/** Responders: count i with (baseline - post) / baseline >= drop_pct / 100 among subjects with
 *  both scores and baseline > 0 (NaN = missing). Remitters: post < below (set drop_pct < 0 to
 *  use `below` instead). Writes the count and the number evaluated. */
KS_API ks_status ks_stats_count_response(ks_ctx *ctx, const double *baseline, const double *post,
                                         size_t n, double drop_pct, double below, size_t *k_out,
                                         size_t *n_out);

typedef struct ks_risk_diff {
  double diff;        /* p1 - p2 */
  double lo, hi;      /* Newcombe (1998) hybrid score interval, method 10 */
} ks_risk_diff;

/** Difference of two proportions k1/n1 - k2/n2 with Newcombe's interval (n1, n2 >= 1). */
KS_API ks_status ks_stats_risk_diff(ks_ctx *ctx, size_t k1, size_t n1, size_t k2, size_t n2,
                                    double conf, ks_risk_diff *out);

typedef struct ks_fisher_result {
  double p;            /* two-sided (R fisher.test: tables at most as probable as the observed) */
  double odds_ratio;   /* sample odds ratio a d / (b c); DBL_MAX when b c = 0 < a d; 0 when a d = 0 */
} ks_fisher_result;

/** Fisher's exact test of the 2x2 table [[a, b], [c, d]]. */
KS_API ks_status ks_stats_fisher_exact(ks_ctx *ctx, size_t a, size_t b, size_t c, size_t d,
                                       ks_fisher_result *out);

/* ------------------------------------------------------------------------------------------------
 * Survival. time >= 0, event 1 = event observed, 0 = censored. */
typedef struct ks_km_summary {
  size_t n, n_events;
  double median;         /* valid when has_median */
  double median_lo;      /* lower 95% bound, valid when has_median_lo */
  double median_hi;      /* upper 95% bound, valid when has_median_hi (else not reached) */
  int has_median, has_median_lo, has_median_hi;
} ks_km_summary;

/** Kaplan-Meier estimate with Greenwood's variance and the log-transformed pointwise 95% interval
 *  (R survfit's default conf.type = "log"); the median and its interval are where the curve and
 *  its interval bounds first reach 0.5 (Brookmeyer & Crowley 1982, as R's print.survfit).
 *  Curve outputs (each [n], may be NULL together): distinct event times, survival just after, and
 *  the interval bounds; *n_curve gets their number.
 *  @return KS_OK, KS_EINVAL (n == 0, negative or NaN time, event not 0/1), KS_ENOMEM. */
KS_API ks_status ks_stats_km(ks_ctx *ctx, const double *time, const int *event, size_t n,
                             double *t_curve, double *surv, double *surv_lo, double *surv_hi,
                             size_t *n_curve, ks_km_summary *out);

typedef struct ks_logrank_result {
  double chi2, p;        /* 1 df */
  double observed_treat, expected_treat;
} ks_logrank_result;

/** Log-rank test of two groups (Mantel 1966; R survdiff). Rows whose group is neither label are
 *  ignored. */
KS_API ks_status ks_stats_logrank(ks_ctx *ctx, const double *time, const int *event,
                                  const int *group, size_t n, int g_treat, int g_ctrl,
                                  ks_logrank_result *out);

/* ------------------------------------------------------------------------------------------------
 * Association. */
typedef struct ks_corr_result {
  size_t n;
  double r;
  double lo, hi;       /* Fisher z interval at the requested level */
  double t, p;         /* t = r sqrt((n-2)/(1-r^2)), two-sided p on n - 2 df (R cor.test) */
} ks_corr_result;

/** Pearson correlation of (x, y); pairs with a NaN are skipped. Needs 3 complete pairs and
 *  non-zero variances. conf e.g. 0.95. */
KS_API ks_status ks_stats_pearson(ks_ctx *ctx, const double *x, const double *y, size_t n,
                                  double conf, ks_corr_result *out);

typedef struct ks_boot_result {
  double estimate;     /* r of the original sample */
  double lo, hi;       /* percentile interval: type-7 quantiles of the replicates */
  size_t n_boot;       /* replicates requested */
  size_t n_valid;      /* replicates with a defined r (non-constant resample) */
} ks_boot_result;

/** Bootstrap percentile interval of Pearson's r (Efron & Tibshirani 1993, ch. 13): n_boot resamples
 *  of complete pairs drawn with ks_rng stream (seed, KS_STREAM_BOOTSTRAP, entity, replicate index),
 *  so the answer depends only on (data, seed, entity, n_boot). */
KS_API ks_status ks_stats_pearson_boot(ks_ctx *ctx, const double *x, const double *y, size_t n,
                                       size_t n_boot, double conf, uint64_t seed, uint64_t entity,
                                       ks_boot_result *out);

typedef struct ks_auc_result {
  size_t n_pos, n_neg;
  double auc;          /* P(score_pos > score_neg) + 0.5 P(tie) (Mann-Whitney) */
  double se;           /* DeLong et al. (1988) */
  double lo, hi;       /* auc +- z se, clipped to [0, 1] (as pROC ci.auc, method "delong") */
} ks_auc_result;

/** AUC of `score` for predicting label = 1 against label = 0 (other labels ignored, NaN scores
 *  skipped); needs at least 2 of each class. */
KS_API ks_status ks_stats_auc(ks_ctx *ctx, const double *score, const int *label, size_t n,
                              double conf, ks_auc_result *out);

/* ------------------------------------------------------------------------------------------------
 * Power from replicates. */

/** Share of replicate p-values below alpha (the empirical power, or type-I error under a null
 *  scenario) with its Wilson interval at level conf. NaN p-values (failed replicates) are rejected. */
KS_API ks_status ks_stats_power(ks_ctx *ctx, const double *p_values, size_t n_rep, double alpha,
                                double conf, ks_proportion *out);

/** Normal-approximation power of a two-sided two-sample comparison of means with n_per_arm
 *  per arm and standardised effect d: Phi(|d| sqrt(n/2) - z_{1-alpha/2}) + Phi(-|d| sqrt(n/2) -
 *  z_{1-alpha/2}). A planning check for the simulated power curve. */
KS_API double ks_stats_power_normal(double d, double n_per_arm, double alpha);

/* ------------------------------------------------------------------------------------------------
 * Validation. */

/** Published worked examples the estimators must reproduce (Welch t on the sleep data, Fisher's
 *  tea test, Wilson and Newcombe intervals, the AML log-rank test and Kaplan-Meier median, Cohen's
 *  power table). All KS_TARGET_HELD_OUT: nothing is fitted. Appends up to cap - *n entries. */
KS_API ks_status ks_stats_validate(ks_ctx *ctx, ks_target_result *out, size_t cap, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
