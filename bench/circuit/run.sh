#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Circuit benchmark: ketasim vs NumPy/SciPy vs Brian2 (runtime, C++ standalone), same model,
# dt = 0.1 ms, BOLD on, one thread. Usage: bench/circuit/run.sh [BUILD_DIR] (default build).
# Each line gives node-steps/s by wall clock and by CPU time of the process (use the latter on a
# shared machine).
# Needs: scripts/install-deps --bench (python3-brian, python3-scipy). Prints one line per run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build}
py=/usr/bin/python3   # Debian's python, where python3-brian and python3-scipy live
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
B=$build/src
cc -std=c17 -O3 -D_DEFAULT_SOURCE -I"$root/include" -I"$build/include" "$here/bench_circuit.c" \
   -o "$work/bench_circuit" "$B/circuit/libks_circuit.a" "$B/rng/libks_rng.a" "$B/core/libks_core.a" \
   -llapacke -lm -lpthread
mkdir -p "$work/c379" "$work/c8"
cp "$root/data/circuit/default/"*.txt "$work/c8/"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
"$work/bench_circuit" 379 0.1 0 1 "$work/c379" >/dev/null
"$work/bench_circuit" 8 0 0 60
"$work/bench_circuit" 379 0.1 0 10
"$work/bench_circuit" 379 0.1 1 10
$py "$here/peer_numpy.py" "$work/c8" 0 10 2>/dev/null
$py "$here/peer_numpy.py" "$work/c379" 0 3 2>/dev/null
$py "$here/peer_numpy.py" "$work/c379" 1 3 2>/dev/null
$py "$here/peer_brian2.py" "$work/c379" runtime 2 2>/dev/null | grep brian2
$py "$here/peer_brian2.py" "$work/c379" standalone 10 2>/dev/null | grep brian2
$py "$here/peer_brian2.py" "$work/c8" standalone 30 2>/dev/null | grep brian2
