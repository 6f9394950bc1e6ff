# SPDX-License-Identifier: MIT
# Peer of bench_pk.c in R deSolve with a compiled C right-hand side (pk_rhs.c, deSolve's
# compiled-code interface): same model, grid, tolerances and breakpoint as peer_desolve.R, whose
# right-hand side is R code. Usage: Rscript peer_desolve_c.R N
suppressMessages(library(deSolve))
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) > 0) as.integer(args[1]) else 200
here <- dirname(normalizePath(sub("--file=", "", grep("--file=", commandArgs(FALSE), value = TRUE))))
tmp <- tempfile("pk_rhs"); dir.create(tmp)
invisible(file.copy(file.path(here, "pk_rhs.c"), tmp))
old <- setwd(tmp)
if (system("R CMD SHLIB pk_rhs.c >/dev/null 2>&1") != 0) stop("R CMD SHLIB failed (needs r-base-dev)")
setwd(old)
dyn.load(file.path(tmp, paste0("pk_rhs", .Platform$dynlib.ext)))
set.seed(2021)
tg <- (0:(24 * 60)) / 60
t_inf <- 40 / 60; dose <- 35
out <- matrix(0, n, length(tg))
t0 <- proc.time()[["elapsed"]]
c0 <- sum(proc.time()[c("user.self", "sys.self")])
for (k in 1:n) {
  z <- rnorm(6)
  q <- exp(0.3 * z[5])
  p <- c(cl = 95.2 * exp(0.3 * z[1]), v1 = 133 * exp(0.3 * z[2]), vp1 = 187 * exp(0.4 * z[3]),
         vp2 = 98.8 * exp(0.4 * z[4]), q1 = 23.2 * q, q2 = 157 * q, rate = 0.5 * dose / t_inf, tinf = t_inf)
  s1 <- lsoda(rep(0, 14), tg[tg <= t_inf], func = "derivs", parms = p, dllname = "pk_rhs",
              initfunc = "initmod", rtol = 1e-6, atol = 1e-9)
  x1 <- s1[nrow(s1), 2:15]
  s2 <- lsoda(x1, c(t_inf, tg[tg > t_inf]), func = "derivs", parms = p, dllname = "pk_rhs",
              initfunc = "initmod", rtol = 1e-6, atol = 1e-9)
  y <- rbind(s1[, 2:15], s2[-1, 2:15])
  out[k, ] <- (y[, 1] + y[, 8]) / p[["v1"]] * 1000
}
qs <- apply(out, 2, quantile, probs = c(0.05, 0.5, 0.95))
wall <- proc.time()[["elapsed"]] - t0
cpu <- sum(proc.time()[c("user.self", "sys.self")]) - c0
unlink(tmp, recursive = TRUE)
cat(sprintf(paste0('{"tool": "desolve-lsoda-compiled-c", "patients": %d, "threads": 1, "wall_s": %.3f, ',
                   '"profiles_per_s": %.2f, "p05_40min": %.2f, "p50_40min": %.2f, ',
                   '"p95_40min": %.2f, "p50_4h": %.3f, "cpu_s": %.3f, "profiles_per_cpu_s": %.2f}\n'),
            n, wall, n / wall, qs[1, 41], qs[2, 41], qs[3, 41], qs[2, 241], cpu, n / cpu))
