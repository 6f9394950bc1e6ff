#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Vectorised NumPy/SciPy reference of the same model as ketasim's circuit: reduced Wong-Wang E/I
(Deco 2014), sparse coupling (scipy.sparse CSR), additive noise, stochastic Heun at dt = 0.1 ms,
Balloon-Windkessel (Stephan 2007) at 1 ms. Optional delays through a ring buffer.
usage: peer_numpy.py CONNECTOME_DIR DELAYS SECONDS  -> prints node-steps/s (marginal cost)."""
import sys, time
import numpy as np
import scipy.sparse as sp

aE, bE, dE, aI, bI, dI = 310.0, 125.0, 0.16, 615.0, 177.0, 0.087
tauE, tauI, gE, gI, J, I0, WE, WI, wp = 100.0, 10.0, 0.641e-3, 1e-3, 0.15, 0.382, 1.0, 0.7, 1.4

def H(x, a, b, d):
    y = a * x - b
    return y / (1.0 - np.exp(-d * y))

def run(W, D, delays, secs, rng):
    n = W.shape[0]
    C = sp.csr_matrix(W * (0.2 * 2.0 / W.max()) * J)
    Ji = np.ones(n)  # FIC values do not change the cost
    SE = np.full(n, 0.164); SI = np.full(n, 0.1)
    s = np.zeros(n); f = np.ones(n); v = np.ones(n); q = np.ones(n)
    dt, sq = 0.1, 0.01 * np.sqrt(0.1)
    if delays:
        steps = np.maximum(1, np.rint(D / 3.0 / dt).astype(np.int64))
        Cc = C.tocoo(); rows, cols, w = Cc.row, Cc.col, Cc.data
        dl = steps[rows, cols]; L = int(dl.max()) + 1
        hist = np.tile(SE, (L, 1)); head = 0
    kap, gam, tau, alp, E0 = 0.64, 0.32, 2.0, 0.32, 0.4
    nsteps = int(round(secs * 1e4))
    zacc = np.zeros(n)
    for k in range(nsteps):
        nz = rng.standard_normal(2 * n) * sq
        if delays:
            x = hist[(head - dl) % L, cols] * w
            cE = np.bincount(rows, weights=x, minlength=n)
        else:
            cE = C @ SE
        re = H(WE * I0 + J * wp * SE + cE - Ji * SI, aE, bE, dE)
        ri = H(WI * I0 + J * SE - SI, aI, bI, dI)
        d1E = -SE / tauE + (1 - SE) * gE * re; d1I = -SI / tauI + gI * ri
        pE = np.clip(SE + dt * d1E + nz[:n], 0, 1); pI = np.maximum(SI + dt * d1I + nz[n:], 0)
        if not delays:
            cE = C @ pE
        re = H(WE * I0 + J * wp * pE + cE - Ji * pI, aE, bE, dE)
        ri = H(WI * I0 + J * pE - pI, aI, bI, dI)
        SE = np.clip(SE + 0.5 * dt * (d1E - pE / tauE + (1 - pE) * gE * re) + nz[:n], 0, 1)
        SI = np.maximum(SI + 0.5 * dt * (d1I - pI / tauI + gI * ri) + nz[n:], 0)
        if delays:
            head = (head + 1) % L; hist[head] = SE
        zacc += SE
        if k % 10 == 9:  # hemodynamics at 1 ms (Euler; cheaper than ketasim's Heun)
            z = zacc / 10 - 0.164; zacc[:] = 0
            vo = v ** (1 / alp); E = 1 - (1 - E0) ** (1 / f)
            s, f, v, q = (s + 1e-3 * (z - kap * s - gam * (f - 1)), f + 1e-3 * s,
                          v + 1e-3 * (f - vo) / tau, q + 1e-3 * (f * E / E0 - vo * q / v) / tau)
    bold = 4.0 * (2.7726 * (1 - q) + 0.4 * (1 - q / v))
    return bold

def main():
    d, delays, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    W = np.loadtxt(d + "/weights.txt"); D = np.loadtxt(d + "/tract_lengths.txt")
    rng = np.random.default_rng(1)
    c0 = time.process_time(); t0 = time.perf_counter(); run(W, D, delays, secs / 10, rng)
    w0 = time.perf_counter() - t0; c0 = time.process_time() - c0
    c1 = time.process_time(); t0 = time.perf_counter(); run(W, D, delays, secs, rng)
    w1 = time.perf_counter() - t0; c1 = time.process_time() - c1
    n = W.shape[0]
    print("numpy n=%d delays=%d node_steps_per_s=%.4g wall_s=%.3f cpu_node_steps_per_s=%.4g"
          % (n, delays, n * 0.9 * secs * 1e4 / (w1 - w0), w1 - w0, n * 0.9 * secs * 1e4 / (c1 - c0)))

if __name__ == "__main__":
    main()
