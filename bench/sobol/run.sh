#!/bin/sh
# SPDX-License-Identifier: MIT
# Sobol indices of the Ishigami function: ketasim's estimator against the same estimator in NumPy,
# at the same N and bootstrap size. Each prints its stage times and indices; the analytic values
# are S1 = 0.3139, 0.4424, 0 and ST = 0.5576, 0.4424, 0.2437.
# Usage: bench/sobol/run.sh [N [B]]   (defaults 65536 and 1000). Needs a build in build/ (or
# $KS_BUILD) and python3-numpy + python3-scipy (Debian).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${KS_BUILD:-$root/build}
n=${1:-65536}
nb=${2:-1000}
cmake --build "$build" -j2 --target ks_stats >/dev/null
exe="$build/bench_sobol"
cc -std=c17 -D_DEFAULT_SOURCE -O2 -I"$root/include" -I"$build/include" "$here/bench_sobol.c" \
  "$build/src/stats/libks_stats.a" "$build/src/rng/libks_rng.a" "$build/src/core/libks_core.a" \
  $(pkg-config --libs gsl nlopt) -lm -lpthread -o "$exe"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$exe" "$n" "$nb"
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$here/peer_numpy.py" "$n" "$nb"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
