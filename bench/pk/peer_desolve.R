# SPDX-License-Identifier: MIT
# Peer of bench_pk.c in R deSolve: same model and grid as peer_scipy.py, lsoda with
# rtol 1e-6, atol 1e-9, the infusion end as a breakpoint (two integrations).
# Usage: Rscript peer_desolve.R N
suppressMessages(library(deSolve))
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) > 0) as.integer(args[1]) else 200
set.seed(2021)
tg <- (0:(24 * 60)) / 60
t_inf <- 40 / 60; dose <- 35
rhs <- function(t, x, p) {
  with(as.list(p), {
    dx <- numeric(14)
    for (u in c(0, 7)) {
      clu <- if (u == 0) cl else cl * 0.84
      c <- x[u + 1]; a1 <- x[u + 2]; a2 <- x[u + 3]; m <- x[u + 4]; mp <- x[u + 5]
      e <- x[u + 6]; em <- x[u + 7]
      inp <- if (t < t_inf) rate else 0
      dx[u + 1] <- inp - (clu + q1 + q2) / v1 * c + q1 / vp1 * a1 + q2 / vp2 * a2
      dx[u + 2] <- q1 / v1 * c - q1 / vp1 * a1
      dx[u + 3] <- q2 / v1 * c - q2 / vp2 * a2
      dx[u + 4] <- clu / v1 * c - (57.7 + 42.8) / 98.6 * m + 42.8 / 160 * mp
      dx[u + 5] <- 42.8 / 98.6 * m - 42.8 / 160 * mp
      dx[u + 6] <- 12 * (c / v1 - e)
      dx[u + 7] <- 12 * (m / 98.6 - em)
    }
    list(dx)
  })
}
out <- matrix(0, n, length(tg))
t0 <- proc.time()[["elapsed"]]
c0 <- sum(proc.time()[c("user.self", "sys.self")])
for (k in 1:n) {
  z <- rnorm(6)
  q <- exp(0.3 * z[5])
  p <- c(cl = 95.2 * exp(0.3 * z[1]), v1 = 133 * exp(0.3 * z[2]), vp1 = 187 * exp(0.4 * z[3]),
         vp2 = 98.8 * exp(0.4 * z[4]), q1 = 23.2 * q, q2 = 157 * q, rate = 0.5 * dose / t_inf)
  s1 <- lsoda(rep(0, 14), tg[tg <= t_inf], rhs, p, rtol = 1e-6, atol = 1e-9)
  x1 <- s1[nrow(s1), 2:15]
  s2 <- lsoda(x1, c(t_inf, tg[tg > t_inf]), rhs, p, rtol = 1e-6, atol = 1e-9)
  y <- rbind(s1[, 2:15], s2[-1, 2:15])
  out[k, ] <- (y[, 1] + y[, 8]) / p[["v1"]] * 1000
}
qs <- apply(out, 2, quantile, probs = c(0.05, 0.5, 0.95))
wall <- proc.time()[["elapsed"]] - t0
cpu <- sum(proc.time()[c("user.self", "sys.self")]) - c0
cat(sprintf(paste0('{"tool": "desolve-lsoda", "patients": %d, "threads": 1, "wall_s": %.3f, ',
                   '"profiles_per_s": %.2f, "p05_40min": %.2f, "p50_40min": %.2f, ',
                   '"p95_40min": %.2f, "p50_4h": %.3f, "cpu_s": %.3f, "profiles_per_cpu_s": %.2f}\n'),
            n, wall, n / wall, qs[1, 41], qs[2, 41], qs[3, 41], qs[2, 241], cpu, n / cpu))
