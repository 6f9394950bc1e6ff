#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Peer of bench_sobol.c in NumPy: the same estimator written with vectorised NumPy (SALib is not
packaged by Debian or npm). Design: the Saltelli 2010 A, B, AB_i matrices from an unscrambled
Sobol sequence of dimension 2k (scipy.stats.qmc.Sobol, first point skipped, as ketasim skips the
origin); Ishigami (a = 7, b = 0.1) on every row; S1 = mean(f_B (f_ABi - f_A)) / V (Saltelli
2010), ST = mean((f_A - f_ABi)^2) / (2 V) (Jansen), V the variance of [f_A; f_B]; percentile
bootstrap over the rows, the resamples vectorised in chunks of 50. Prints one JSON line.
Usage: peer_numpy.py N B"""
import json, sys, time
import numpy as np
from scipy.stats import qmc


def indices(fa, fb, fab, idx):
    a, b, ab = fa[..., idx], fb[..., idx], fab[:, idx] if idx.ndim == 1 else fab[:, idx]
    ya = np.concatenate([a, b], axis=-1)
    var = ya.var(axis=-1, ddof=1)
    s1 = np.mean(b[None] * (ab - a[None]), axis=-1) / var
    st = 0.5 * np.mean((a[None] - ab) ** 2, axis=-1) / var
    return s1, st


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 65536
    nb = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    k = 3
    w0, c0 = time.perf_counter(), time.process_time()
    sob = qmc.Sobol(d=2 * k, scramble=False)
    sob.fast_forward(1)
    u = sob.random(n)
    lo, hi = -np.pi, np.pi
    A, B = lo + (hi - lo) * u[:, :k], lo + (hi - lo) * u[:, k:]
    f = lambda x: np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    fa, fb = f(A), f(B)
    fab = np.empty((k, n))
    for i in range(k):
        ab = A.copy()
        ab[:, i] = B[:, i]
        fab[i] = f(ab)
    w1, c1 = time.perf_counter(), time.process_time()
    s1, st = indices(fa, fb, fab, np.arange(n))
    rng = np.random.default_rng(1)
    bs1, bst = np.empty((nb, k)), np.empty((nb, k))
    for c in range(0, nb, 50):
        m = min(50, nb - c)
        idx = rng.integers(0, n, size=(m, n))
        a, b = fa[idx], fb[idx]                       # (m, n)
        ab = fab[:, idx]                              # (k, m, n)
        var = np.concatenate([a, b], axis=1).var(axis=1, ddof=1)
        bs1[c:c + m] = (np.mean(b[None] * (ab - a[None]), axis=2) / var).T
        bst[c:c + m] = (0.5 * np.mean((a[None] - ab) ** 2, axis=2) / var).T
    q = lambda v: np.percentile(v, [2.5, 97.5], axis=0)
    l1, h1 = q(bs1)
    lt, ht = q(bst)
    w2, c2 = time.perf_counter(), time.process_time()
    out = {"tool": "numpy", "n": n, "boot": nb, "design_eval_wall_s": round(w1 - w0, 4),
           "design_eval_cpu_s": round(c1 - c0, 4), "indices_wall_s": round(w2 - w1, 4),
           "indices_cpu_s": round(c2 - c1, 4), "total_wall_s": round(w2 - w0, 4), "total_cpu_s": round(c2 - c0, 4)}
    for i in range(k):
        out[f"S1_{i + 1}"] = [round(float(s1[i]), 4), round(float(l1[i]), 4), round(float(h1[i]), 4)]
        out[f"ST_{i + 1}"] = [round(float(st[i]), 4), round(float(lt[i]), 4), round(float(ht[i]), 4)]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
