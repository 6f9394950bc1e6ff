#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Peer of bench_pk.c in SciPy: same model (fanta2015 racemic ketamine: S and R halves, each a
3-cmt parent + 2-cmt norketamine + effect sites, R clearance x 0.84), same IIV omegas (log-normal,
own RNG), IV 0.5 mg/kg over 40 min, 24 h at 1-min output (t_eval), solve_ivp LSODA with
rtol 1e-6, atol 1e-9 (mg), infusion end as a breakpoint. Usage: peer_scipy.py N."""
import json, sys, time
import numpy as np
from scipy.integrate import solve_ivp

def rhs_factory(p, rate_s, t_inf):
    v1, cl, q1, vp1, q2, vp2, vm, clm, qm, vmp, ke0, rcl = p
    def f(t, x):
        dx = np.empty(14)
        for u, clu in ((0, cl), (7, cl * rcl)):
            c, a1, a2, m, mp, e, em = x[u:u + 7]
            inp = rate_s if t < t_inf else 0.0
            dx[u] = inp - (clu + q1 + q2) / v1 * c + q1 / vp1 * a1 + q2 / vp2 * a2
            dx[u + 1] = q1 / v1 * c - q1 / vp1 * a1
            dx[u + 2] = q2 / v1 * c - q2 / vp2 * a2
            dx[u + 3] = clu / v1 * c - (clm + qm) / vm * m + qm / vmp * mp
            dx[u + 4] = qm / vm * m - qm / vmp * mp
            dx[u + 5] = ke0 * (c / v1 - e)
            dx[u + 6] = ke0 * (m / vm - em)
        return dx
    return f

def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    rng = np.random.default_rng(2021)
    tg = np.arange(0, 24 * 60 + 1) / 60.0
    t_inf, dose = 40.0 / 60.0, 35.0
    out = np.empty((n, tg.size))
    t0 = time.perf_counter()
    c0 = time.process_time()
    for k in range(n):
        z = rng.standard_normal(6)
        cl, v1, vp1, vp2, q = 95.2 * np.exp(0.3 * z[0]), 133 * np.exp(0.3 * z[1]), \
            187 * np.exp(0.4 * z[2]), 98.8 * np.exp(0.4 * z[3]), np.exp(0.3 * z[4])
        p = (v1, cl, 23.2 * q, vp1, 157 * q, vp2, 98.6, 57.7, 42.8, 160, 12.0, 0.84)
        f = rhs_factory(p, 0.5 * dose / t_inf, t_inf)
        s1 = solve_ivp(f, (0, t_inf), np.zeros(14), method="LSODA", t_eval=tg[tg <= t_inf],
                       rtol=1e-6, atol=1e-9)
        s2 = solve_ivp(f, (t_inf, 24.0), s1.y[:, -1], method="LSODA", t_eval=tg[tg > t_inf],
                       rtol=1e-6, atol=1e-9)
        y = np.concatenate([s1.y, s2.y], axis=1)
        out[k] = (y[0] + y[7]) / v1 * 1000.0
    q = np.percentile(out, [5, 50, 95], axis=0)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({"tool": "scipy-lsoda", "patients": n, "threads": 1, "wall_s": round(wall, 3),
                      "profiles_per_s": round(n / wall, 2), "p05_40min": round(q[0, 40], 2),
                      "p50_40min": round(q[1, 40], 2), "p95_40min": round(q[2, 40], 2),
                      "p50_4h": round(q[1, 240], 3), "cpu_s": round(cpu, 3),
                      "profiles_per_cpu_s": round(n / cpu, 2)}))

if __name__ == "__main__":
    main()
