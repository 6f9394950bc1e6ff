#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Peer of bench_pk.c in NumPy, exact like ketasim: the same linear 14-state model (peer_scipy.py)
solved by its matrix exponential instead of an ODE solver. Per patient the one-minute propagators
exp(M dt) (with the infusion as an augmented constant input during the first 40 min) come from
scipy.linalg.expm on a batch of (n, 15, 15) matrices; all patients are then stepped together over
the 1441-point grid with batched matrix-vector products (np.einsum), and the 5/50/95th
percentiles are taken per time. Single-threaded BLAS. Usage: peer_numpy_expm.py N"""
import json, sys, time
import numpy as np
from scipy.linalg import expm


def model_matrices(p, rate):
    """(n, 15, 15) generator matrices: states 0-13, state 14 the constant 1 carrying the input."""
    cl, v1, vp1, vp2, q1, q2 = p
    n = cl.size
    M = np.zeros((n, 15, 15))
    for u, f in ((0, 1.0), (7, 0.84)):
        clu = cl * f
        M[:, u, u] = -(clu + q1 + q2) / v1
        M[:, u, u + 1] = q1 / vp1
        M[:, u, u + 2] = q2 / vp2
        M[:, u + 1, u] = q1 / v1
        M[:, u + 1, u + 1] = -q1 / vp1
        M[:, u + 2, u] = q2 / v1
        M[:, u + 2, u + 2] = -q2 / vp2
        M[:, u + 3, u] = clu / v1
        M[:, u + 3, u + 3] = -(57.7 + 42.8) / 98.6
        M[:, u + 3, u + 4] = 42.8 / 160
        M[:, u + 4, u + 3] = 42.8 / 98.6
        M[:, u + 4, u + 4] = -42.8 / 160
        M[:, u + 5, u] = 12 / v1
        M[:, u + 5, u + 5] = -12
        M[:, u + 6, u + 3] = 12 / 98.6
        M[:, u + 6, u + 6] = -12
    Minf = M.copy()
    Minf[:, 0, 14] = rate
    Minf[:, 7, 14] = rate
    return Minf, M


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rng = np.random.default_rng(2021)
    t_inf, dose, dt = 40.0 / 60.0, 35.0, 1.0 / 60.0
    w0, c0 = time.perf_counter(), time.process_time()
    z = rng.standard_normal((n, 6))
    q = np.exp(0.3 * z[:, 4])
    v1 = 133 * np.exp(0.3 * z[:, 1])
    p = (95.2 * np.exp(0.3 * z[:, 0]), v1, 187 * np.exp(0.4 * z[:, 2]), 98.8 * np.exp(0.4 * z[:, 3]),
         23.2 * q, 157 * q)
    Minf, M = model_matrices(p, 0.5 * dose / t_inf)
    Einf, E = expm(Minf * dt), expm(M * dt)
    x = np.zeros((n, 15))
    x[:, 14] = 1.0
    out = np.empty((1441, n))
    out[0] = 0.0
    for s in range(1, 1441):
        x = np.einsum("nij,nj->ni", Einf if s <= 40 else E, x)
        out[s] = (x[:, 0] + x[:, 7]) / v1 * 1000.0
    qs = np.percentile(out, [5, 50, 95], axis=1)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(json.dumps({"tool": "numpy-expm", "patients": n, "threads": 1, "wall_s": round(wall, 3),
                      "profiles_per_s": round(n / wall, 2), "p05_40min": round(qs[0, 40], 2),
                      "p50_40min": round(qs[1, 40], 2), "p95_40min": round(qs[2, 40], 2),
                      "p50_4h": round(qs[1, 240], 3), "cpu_s": round(cpu, 3),
                      "profiles_per_cpu_s": round(n / cpu, 2)}))


if __name__ == "__main__":
    main()
