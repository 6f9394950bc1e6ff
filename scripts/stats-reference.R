# SPDX-License-Identifier: MIT
# Computes, once, the reference values that tests/unit/test_stats.c checks src/stats against.
# Run from the repository root:  Rscript scripts/stats-reference.R
# Needs r-base-core, r-cran-lme4, r-cran-lmertest, r-cran-survival (Debian). CI does not run this:
# the outputs are stored in tests/data/stats/ (reference.tsv: name, value; *_data.tsv: inputs).
suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(survival)
})
out_dir <- "tests/data/stats"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
ref <- list()
put <- function(name, value) ref[[name]] <<- unname(value)

# --- Distribution functions -------------------------------------------------------------------
put("qnorm_0.975", qnorm(0.975))
put("pnorm_-1.5", pnorm(-1.5))
put("pt_2.1_df7", pt(2.1, 7))
put("qt_0.975_df4", qt(0.975, 4))
put("qt_0.975_df17.5", qt(0.975, 17.5))
put("pchisq_upper_3.84_df1", pchisq(3.84, 1, lower.tail = FALSE))
put("qchisq_0.95_df3", qchisq(0.95, 3))
put("pf_upper_4.2_df2_15", pf(4.2, 2, 15, lower.tail = FALSE))
put("qf_0.95_df3_20", qf(0.95, 3, 20))

# --- Descriptives -----------------------------------------------------------------------------
x <- c(2.1, 3.4, NA, 5.5, 1.2, 8.8, 4.4, 3.3, NA, 7.0)
put("desc_mean", mean(x, na.rm = TRUE))
put("desc_sd", sd(x, na.rm = TRUE))
put("desc_se", sd(x, na.rm = TRUE) / sqrt(sum(!is.na(x))))
for (p in c(0, 0.1, 0.25, 0.5, 0.75, 0.9, 1))
  put(sprintf("desc_q%g", p), quantile(x, p, type = 7, na.rm = TRUE))

# --- t-tests on Student's sleep data (Cushny & Peebles 1905; R datasets::sleep) ----------------
g1 <- sleep$extra[sleep$group == 1]
g2 <- sleep$extra[sleep$group == 2]
tw <- t.test(g1, g2)
ts <- t.test(g1, g2, var.equal = TRUE)
put("welch_t", tw$statistic); put("welch_df", tw$parameter); put("welch_p", tw$p.value)
put("welch_lo", tw$conf.int[1]); put("welch_hi", tw$conf.int[2])
put("student_t", ts$statistic); put("student_df", ts$parameter); put("student_p", ts$p.value)
put("student_lo", ts$conf.int[1]); put("student_hi", ts$conf.int[2])
# Cohen's d and Hedges' g by their formulas (Hedges & Olkin 1985, eqs. 5.15 and 5.7).
n1 <- length(g1); n2 <- length(g2); df <- n1 + n2 - 2
sp <- sqrt(((n1 - 1) * var(g1) + (n2 - 1) * var(g2)) / df)
d <- (mean(g1) - mean(g2)) / sp
se_d <- sqrt((n1 + n2) / (n1 * n2) + d^2 / (2 * (n1 + n2)))
J <- exp(lgamma(df / 2) - lgamma((df - 1) / 2)) / sqrt(df / 2)
put("cohen_d", d); put("cohen_d_lo", d - qnorm(0.975) * se_d); put("cohen_d_hi", d + qnorm(0.975) * se_d)
put("hedges_g", J * d)

# --- ANCOVA: three arms, outcome ~ arm + baseline -----------------------------------------------
set.seed(20240611)
n <- 60
arm <- rep(c(0, 1, 2), each = 20)
baseline <- round(rnorm(n, 45, 8), 1)
y <- round(0.7 * baseline - 8 * (arm == 1) - 3 * (arm == 2) + rnorm(n, 0, 6), 1)
y[c(5, 33)] <- NA
write.table(data.frame(y = y, baseline = baseline, arm = arm), file.path(out_dir, "ancova_data.tsv"),
            sep = "\t", row.names = FALSE, quote = FALSE, na = "NaN")
fit <- lm(y ~ factor(arm) + baseline)
cf <- summary(fit)$coefficients
put("ancova_diff", cf["factor(arm)1", 1]); put("ancova_se", cf["factor(arm)1", 2])
put("ancova_t", cf["factor(arm)1", 3]); put("ancova_p", cf["factor(arm)1", 4])
ci <- confint(fit)["factor(arm)1", ]
put("ancova_lo", ci[1]); put("ancova_hi", ci[2]); put("ancova_df", fit$df.residual)
put("ancova_slope", cf["baseline", 1]); put("ancova_sigma", summary(fit)$sigma)
# Contrast arm 2 - arm 1 (neither is the reference): the same fit, releveled.
fit2 <- lm(y ~ relevel(factor(arm), ref = "1") + baseline)
cf2 <- summary(fit2)$coefficients
put("ancova21_diff", cf2[3, 1]); put("ancova21_se", cf2[3, 2]); put("ancova21_p", cf2[3, 4])

# --- Linear mixed model: random intercept and slope, two arms, dropout ---------------------------
set.seed(7)
ns <- 40
days <- c(0, 7, 14, 28)
id <- rep(seq_len(ns), each = length(days))
tm <- rep(days, ns)
ar <- rep(rep(c(0, 1), each = ns / 2), each = length(days))
b0 <- rnorm(ns, 0, 6); b1 <- rnorm(ns, 0, 0.25)
yy <- 60 + b0[id] + (-0.3 + b1[id]) * tm - 0.35 * ar * tm + rnorm(length(tm), 0, 4)
yy <- round(yy, 2)
yy[c(8, 12, 27, 28, 63, 100, 151, 160)] <- NA
bl <- rep(round(55 + rnorm(ns, 0, 7), 1), each = length(days))
yy2 <- round(yy + 0.4 * (bl - 55), 2)
write.table(data.frame(id = id, arm = ar, day = tm, y = yy, y2 = yy2, baseline = bl),
            file.path(out_dir, "lmm_data.tsv"), sep = "\t", row.names = FALSE, quote = FALSE,
            na = "NaN")
dat <- data.frame(id = id, arm = factor(ar), day = tm, y = yy, y2 = yy2, baseline = bl)
m1 <- lmer(y ~ arm * day + (1 + day | id), data = dat, REML = TRUE,
           control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-10)))
s1 <- summary(m1, ddf = "Satterthwaite")$coefficients
nm <- c("int", "arm", "day", "armday")
for (k in 1:4) {
  put(paste0("lmm1_beta_", nm[k]), s1[k, "Estimate"]); put(paste0("lmm1_se_", nm[k]), s1[k, "Std. Error"])
  put(paste0("lmm1_df_", nm[k]), s1[k, "df"]); put(paste0("lmm1_p_", nm[k]), s1[k, "Pr(>|t|)"])
}
vc <- as.data.frame(VarCorr(m1))
put("lmm1_var_int", vc$vcov[1]); put("lmm1_var_slope", vc$vcov[2]); put("lmm1_cov", vc$vcov[3])
put("lmm1_sigma2", sigma(m1)^2); put("lmm1_remlcrit", REMLcrit(m1))
ct <- contest(m1, L = c(0, 1, 0, 14), ddf = "Satterthwaite", joint = FALSE)
put("lmm1_d14_est", ct$Estimate); put("lmm1_d14_se", ct$`Std. Error`); put("lmm1_d14_df", ct$df)
put("lmm1_d14_p", ct$`Pr(>|t|)`)
m2 <- lmer(y2 ~ arm * day + baseline + (1 + day | id), data = dat, REML = TRUE,
           control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-10)))
s2 <- summary(m2, ddf = "Satterthwaite")$coefficients
put("lmm2_beta_baseline", s2["baseline", "Estimate"]); put("lmm2_se_baseline", s2["baseline", "Std. Error"])
put("lmm2_beta_armday", s2["arm1:day", "Estimate"]); put("lmm2_se_armday", s2["arm1:day", "Std. Error"])
put("lmm2_df_armday", s2["arm1:day", "df"]); put("lmm2_p_armday", s2["arm1:day", "Pr(>|t|)"])
put("lmm2_remlcrit", REMLcrit(m2))

# --- Proportions, risk difference, Fisher --------------------------------------------------------
for (kn in list(c(7, 20), c(0, 15), c(15, 15), c(81, 263))) {
  ci <- prop.test(kn[1], kn[2], correct = FALSE)$conf.int
  put(sprintf("wilson_%d_%d_lo", kn[1], kn[2]), ci[1]); put(sprintf("wilson_%d_%d_hi", kn[1], kn[2]), ci[2])
}
put("fisher_tea_p", fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value)
put("fisher_b_p", fisher.test(matrix(c(10, 3, 2, 15), 2))$p.value)   # [[10, 2], [3, 15]]
put("fisher_c_p", fisher.test(matrix(c(1, 9, 11, 3), 2))$p.value)    # [[1, 11], [9, 3]]
put("fisher_d_p", fisher.test(matrix(c(0, 20, 7, 13), 2))$p.value)   # [[0, 7], [20, 13]]

# --- Survival: the AML maintenance trial (Embury et al. 1977; survival::aml) -------------------
write.table(data.frame(time = aml$time, status = aml$status, maintained = as.integer(aml$x == "Maintained")),
            file.path(out_dir, "aml_data.tsv"), sep = "\t", row.names = FALSE, quote = FALSE)
for (g in c("Maintained", "Nonmaintained")) {
  f <- survfit(Surv(time, status) ~ 1, data = aml[aml$x == g, ])
  q <- quantile(f, 0.5)
  put(paste0("km_", g, "_median"), q$quantile); put(paste0("km_", g, "_lo"), q$lower)
  put(paste0("km_", g, "_hi"), ifelse(is.na(q$upper), -1, q$upper))
  put(paste0("km_", g, "_surv_last"), tail(f$surv, 1))
}
fall <- survfit(Surv(time, status) ~ 1, data = aml)
put("km_all_median", quantile(fall, 0.5)$quantile)
put("km_all_lo", quantile(fall, 0.5)$lower); put("km_all_hi", quantile(fall, 0.5)$upper)
i12 <- which(fall$time == 12)
put("km_all_s12", fall$surv[i12]); put("km_all_lo12", fall$lower[i12]); put("km_all_hi12", fall$upper[i12])
sd1 <- survdiff(Surv(time, status) ~ x, data = aml)
put("logrank_chi2", sd1$chisq); put("logrank_p", pchisq(sd1$chisq, 1, lower.tail = FALSE))
put("logrank_obs_maint", sd1$obs[1]); put("logrank_exp_maint", sd1$exp[1])

# --- Correlation and AUC -------------------------------------------------------------------------
ct <- cor.test(cars$speed, cars$dist)
put("pearson_r", ct$estimate); put("pearson_t", ct$statistic); put("pearson_p", ct$p.value)
put("pearson_lo", ct$conf.int[1]); put("pearson_hi", ct$conf.int[2])
# AUC of mtcars$mpg for am == 1, DeLong's variance from the pairwise kernel (DeLong 1988, eq. 3).
pos <- mtcars$mpg[mtcars$am == 1]; neg <- mtcars$mpg[mtcars$am == 0]
psi <- outer(pos, neg, function(a, b) (a > b) + 0.5 * (a == b))
auc <- mean(psi)
v10 <- rowMeans(psi); v01 <- colMeans(psi)
se <- sqrt(var(v10) / length(pos) + var(v01) / length(neg))
put("auc", auc); put("auc_se", se)
put("auc_mw", wilcox.test(pos, neg, exact = FALSE)$statistic / (length(pos) * length(neg)))

con <- file(file.path(out_dir, "reference.tsv"), "w")
writeLines(c(paste0("# Computed by scripts/stats-reference.R with ", R.version.string,
                    ", lme4 ", packageVersion("lme4"), ", lmerTest ", packageVersion("lmerTest"),
                    ", survival ", packageVersion("survival")), "name\tvalue"), con)
for (k in names(ref)) writeLines(sprintf("%s\t%.17g", k, ref[[k]]), con)
close(con)
