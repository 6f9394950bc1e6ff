#!/bin/sh
# SPDX-License-Identifier: MIT
# Population PK benchmark, ketasim against SciPy (solve_ivp LSODA), R deSolve (lsoda, with an R
# and with a compiled C right-hand side) and a vectorised NumPy matrix-exponential propagator.
# Usage: bench/pk/run.sh [N_KETASIM [N_PEERS [N_NUMPY]]]   (defaults 100000, 200 and 5000)
# Needs: a build of ks_pk in build-pk (or $KS_BUILD), python3-scipy, r-cran-desolve, r-base-dev.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${KS_BUILD:-$root/build-pk}
n=${1:-100000}
np=${2:-200}
nn=${3:-5000}
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j2 --target ks_pk >/dev/null
exe="$build/bench_pk"
cc -std=c17 -D_DEFAULT_SOURCE -O3 -fopenmp -I"$root/include" -I"$build/include" \
  "$here/bench_pk.c" "$build/src/pk/libks_pk.a" "$build/src/rng/libks_rng.a" \
  "$build/src/core/libks_core.a" -llapacke -lm -lpthread -o "$exe"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# ketasim: $n patients, OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}"
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} /usr/bin/time -f "peak_rss_kB %M" "$exe" "$n"
echo "# scipy: $np patients"
/usr/bin/time -f "peak_rss_kB %M" /usr/bin/python3 "$here/peer_scipy.py" "$np"
echo "# deSolve: $np patients"
/usr/bin/time -f "peak_rss_kB %M" Rscript "$here/peer_desolve.R" "$np"
echo "# deSolve, compiled C right-hand side: $np patients"
/usr/bin/time -f "peak_rss_kB %M" Rscript "$here/peer_desolve_c.R" "$np"
echo "# NumPy matrix exponential: $nn patients"
OPENBLAS_NUM_THREADS=1 /usr/bin/time -f "peak_rss_kB %M" /usr/bin/python3 "$here/peer_numpy_expm.py" "$nn"
echo "# accuracy check: 20000 patients, batch grid vs ks_pk_sim_eval, histogram vs exact percentiles"
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} "$exe" 20000 --check
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
