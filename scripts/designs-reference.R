# SPDX-License-Identifier: MIT
# Computes, once, the reference values that tests/unit/test_stats.c checks the analyses of the trial
# designs (issue 13) against: Dunnett's and Holm's adjustments of several ANCOVA contrasts, the
# crossover mixed model, the one-sample t test and the effect sizes.
# Run from the repository root:  Rscript scripts/designs-reference.R
# Needs r-base-core, r-cran-lme4, r-cran-lmertest, r-cran-multcomp (Debian; scripts/install-deps
# --dev). CI does not run this: the outputs are stored in tests/data/stats/ (designs_reference.tsv:
# name, value; designs_*_data.tsv: inputs).
suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(multcomp)
})
out_dir <- "tests/data/stats"
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
ref <- list()
put <- function(name, value) ref[[name]] <<- unname(value)
precise <- GenzBretz(maxpts = 5e5, abseps = 1e-6, releps = 0)

# --- Dunnett: three treatments against one control, unequal n, baseline covariate ---------------
set.seed(1955)
ng <- c(14, 11, 12, 13)                      # control (0), then arms 1..3
arm <- rep(0:3, times = ng)
baseline <- round(rnorm(length(arm), 40, 7), 1)
y <- round(0.6 * (baseline - 40) - c(0, 6, 2.5, 0.5)[arm + 1] + rnorm(length(arm), 0, 5), 2)
y[c(3, 20)] <- NA
write.table(data.frame(y = y, baseline = baseline, arm = arm), file.path(out_dir, "designs_dunnett_data.tsv"),
            sep = "\t", row.names = FALSE, quote = FALSE, na = "NaN")
d <- data.frame(y = y, baseline = baseline, arm = factor(arm))
fit <- lm(y ~ arm + baseline, data = d)
set.seed(1)
g <- glht(fit, linfct = mcp(arm = "Dunnett"))
sg <- summary(g, test = adjusted(type = "single-step", algorithm = precise))
ci <- confint(g, level = 0.95, calpha = adjusted_calpha(algorithm = precise))
for (k in 1:3) {
  put(sprintf("dunnett_est_%d", k), sg$test$coefficients[k])
  put(sprintf("dunnett_se_%d", k), sg$test$sigma[k])
  put(sprintf("dunnett_t_%d", k), sg$test$tstat[k])
  put(sprintf("dunnett_padj_%d", k), sg$test$pvalues[k])
  put(sprintf("dunnett_lo_%d", k), ci$confint[k, "lwr"])
  put(sprintf("dunnett_hi_%d", k), ci$confint[k, "upr"])
}
put("dunnett_crit", attr(ci$confint, "calpha"))
ph <- summary(g, test = adjusted(type = "holm"))
for (k in 1:3) put(sprintf("holm_padj_%d", k), ph$test$pvalues[k])
praw <- summary(g, test = adjusted(type = "none"))$test$pvalues
for (k in 1:3) put(sprintf("raw_p_%d", k), praw[k])
put("holm_check", p.adjust(praw, "holm")[2])

# Equal allocation without a covariate: the correlation is exactly 1/2 (product form).
set.seed(42)
arm2 <- rep(0:4, each = 8)
y2 <- round(rnorm(length(arm2), 10 + c(0, 1, 2, -1, 0.5)[arm2 + 1], 2), 2)
write.table(data.frame(y = y2, arm = arm2), file.path(out_dir, "designs_dunnett_eq_data.tsv"),
            sep = "\t", row.names = FALSE, quote = FALSE)
fit2 <- lm(y ~ factor(arm), data = data.frame(y = y2, arm = arm2))
g2 <- glht(fit2, linfct = mcp(`factor(arm)` = "Dunnett"))
sg2 <- summary(g2, test = adjusted(type = "single-step", algorithm = precise))
for (k in 1:4) put(sprintf("dunnett_eq_padj_%d", k), sg2$test$pvalues[k])
ci2 <- confint(g2, level = 0.95, calpha = adjusted_calpha(algorithm = precise))
put("dunnett_eq_crit", attr(ci2$confint, "calpha"))
# The multivariate t probability itself, with a tight Genz-Bretz error (checked: error < 1e-7).
Req <- matrix(0.5, 4, 4); diag(Req) <- 1
for (cc in c(2.0, 2.6)) {
  set.seed(3)
  pp <- pmvt(lower = rep(-cc, 4), upper = rep(cc, 4), df = 35, corr = Req,
             algorithm = GenzBretz(maxpts = 2e7, abseps = 1e-8, releps = 0))
  put(sprintf("pmvt_k4_df35_c%g", cc), pp)
}

# --- Crossover: y ~ treatment + period + sequence + (1 | subject) ------------------------------
set.seed(2014)
ns <- 24
seq <- rep(0:1, each = ns / 2)               # 0: treatment A first
subj_eff <- rnorm(ns, 0, 4)
rows <- expand.grid(period = 0:1, id = seq_len(ns))
rows$seq <- seq[rows$id]
rows$treat <- as.integer((rows$seq == 0 & rows$period == 0) | (rows$seq == 1 & rows$period == 1))
rows$y <- round(-3 * rows$treat + 1.5 * rows$period + subj_eff[rows$id] + rnorm(nrow(rows), 0, 3), 2)
rows$y[c(6, 15, 30)] <- NA                   # three missed period visits
write.table(rows[, c("id", "period", "seq", "treat", "y")], file.path(out_dir, "designs_crossover_data.tsv"),
            sep = "\t", row.names = FALSE, quote = FALSE, na = "NaN")
m <- lmer(y ~ treat + period + seq + (1 | id), data = rows, REML = TRUE,
          control = lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-10)))
s <- summary(m, ddf = "Satterthwaite")$coefficients
put("xo_treat_est", s["treat", "Estimate"]); put("xo_treat_se", s["treat", "Std. Error"])
put("xo_treat_df", s["treat", "df"]); put("xo_treat_p", s["treat", "Pr(>|t|)"])
put("xo_period_est", s["period", "Estimate"]); put("xo_seq_est", s["seq", "Estimate"])
put("xo_seq_se", s["seq", "Std. Error"])
vc <- as.data.frame(VarCorr(m))
put("xo_tau2", vc$vcov[1]); put("xo_sigma2", sigma(m)^2); put("xo_remlcrit", REMLcrit(m))

# --- One-sample t on change (single-arm design) and effect sizes --------------------------------
chg <- c(-12.5, -3, -20.25, -8, 1.5, -15, -9.75, -11, -4.5, -17, NA, -6.25)
write.table(data.frame(change = chg), file.path(out_dir, "designs_onesample_data.tsv"), sep = "\t",
            row.names = FALSE, quote = FALSE, na = "NaN")
t1 <- t.test(chg, mu = 0)
put("one_t", t1$statistic); put("one_df", t1$parameter); put("one_p", t1$p.value)
put("one_lo", t1$conf.int[1]); put("one_hi", t1$conf.int[2])

writeLines(c("name\tvalue", sprintf("%s\t%.15g", names(ref), unlist(ref))),
           file.path(out_dir, "designs_reference.tsv"))
cat("wrote", length(ref), "reference values to", out_dir, "\n")
