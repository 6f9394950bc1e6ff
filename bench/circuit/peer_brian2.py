#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Brian2 version of the same model (runtime mode or C++ standalone), no delays (Brian2's summed
variables are instantaneous). Neural masses in one NeuronGroup (stochastic Heun, dt 0.1 ms),
coupling through Synapses with a summed variable, Balloon-Windkessel in a second group on a 1-ms
clock linked to S_E.
usage: peer_brian2.py CONNECTOME_DIR runtime|standalone SECONDS -> node-steps/s (marginal cost)."""
import sys, time, os, tempfile, resource, subprocess
import numpy as np
import brian2 as b2

def build_and_run(W, secs, mode, workdir=None):
    b2.start_scope()
    n = W.shape[0]
    b2.defaultclock.dt = 0.1 * b2.ms
    eqs = """
    dSE/dt = -SE/(100*ms) + (1-SE)*0.641*rE/second + 0.01*xi_1/sqrt(ms) : 1
    dSI/dt = -SI/(10*ms) + rI/second + 0.01*xi_2/sqrt(ms) : 1
    yE = 310*(0.382 + 0.15*1.4*SE + coup - SI) - 125 : 1
    yI = 615*(0.7*0.382 + 0.15*SE - SI) - 177 : 1
    rE = yE/(1 - exp(-0.16*yE)) : 1
    rI = yI/(1 - exp(-0.087*yI)) : 1
    coup : 1
    """
    G = b2.NeuronGroup(n, eqs, method="heun")
    G.SE = 0.164; G.SI = 0.1
    src, dst = np.nonzero(W.T)
    S = b2.Synapses(G, G, "w : 1\ncoup_post = w*SE_pre : 1 (summed)")
    S.connect(i=src, j=dst)
    S.w = (W.T[src, dst] * 0.2 * 2.0 / W.max() * 0.15)
    heqs = """
    ds/dt = (SE_l - 0.164 - 0.64*s - 0.32*(f-1))/second : 1
    df/dt = s/second : 1
    dv/dt = (f - v**(1/0.32))/(2*second) : 1
    dq/dt = (f*(1-(0.6)**(1/f))/0.4 - v**(1/0.32)*q/v)/(2*second) : 1
    SE_l : 1 (linked)
    """
    Hm = b2.NeuronGroup(n, heqs, method="euler", dt=1 * b2.ms)
    Hm.SE_l = b2.linked_var(G, "SE")
    Hm.f = 1; Hm.v = 1; Hm.q = 1
    net = b2.Network(G, S, Hm)
    t0 = time.perf_counter()
    net.run(secs * b2.second)
    if mode == "standalone":
        b2.device.build(directory=workdir, compile=True, run=True)
    return time.perf_counter() - t0

def main():
    d, mode, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
    W = np.loadtxt(d + "/weights.txt")
    n = W.shape[0]
    if mode == "standalone":
        # Marginal cost: two builds of different length; the difference removes compile time.
        work = tempfile.mkdtemp(prefix="ks_brian2_")
        times, cpus = [], []
        for k, s in enumerate((secs / 10, secs)):
            b2.set_device("cpp_standalone", build_on_run=False)
            b2.device.reinit(); b2.device.activate(build_on_run=False)
            b2.prefs.devices.cpp_standalone.openmp_threads = 0
            wd = os.path.join(work, str(k))
            build_and_run(W, s, mode, wd)
            times.append(b2.device._last_run_time)
            # CPU time of a second run of the compiled binary (excludes compilation and the time
            # other jobs hold the core on a shared machine).
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(["./main"], cwd=wd, check=True, stdout=subprocess.DEVNULL)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
        w = times[1] - times[0]
        c = cpus[1] - cpus[0]
    else:
        b2.prefs.codegen.target = "numpy"
        c0 = time.process_time(); w0 = build_and_run(W, secs / 10, mode); c0 = time.process_time() - c0
        c1 = time.process_time(); w1 = build_and_run(W, secs, mode); c1 = time.process_time() - c1
        w = w1 - w0
        c = c1 - c0
    steps = n * 0.9 * secs * 1e4
    print("brian2-%s n=%d delays=0 node_steps_per_s=%.4g wall_s=%.3f cpu_node_steps_per_s=%.4g"
          % (mode, n, steps / w, w, steps / c))

if __name__ == "__main__":
    main()
