#!/bin/sh
# bench/optimize/run.sh [PATIENTS] [THREADS]: time a 200-trial `ketasim optimize` of the Feder-2021
# design (feder2021-optimize.yaml: 25 grid cells x up to 10 COBYLA evaluations) at PATIENTS per trial
# (default 400) on THREADS threads (default 2): wall, user+sys CPU and peak RSS (GNU time), and the
# number of regimens evaluated (rows of regimens.csv). KETASIM selects the binary (default
# build/ketasim). On a shared machine read the CPU time. Figures are recorded in bench/RESULTS.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${KETASIM:-$root/build/ketasim}
n=${1:-400}
threads=${2:-2}
out=$here/out
rm -rf "$out/run"
mkdir -p "$out"
export OPENBLAS_NUM_THREADS=1
/usr/bin/time -f '%e %U %S %M' -o "$out/time" "$bin" optimize "$here/feder2021-optimize.yaml" \
  --patients "$n" --threads "$threads" --quiet --out "$out/run" >/dev/null
read -r wall usr sys rss_kb <"$out/time"
rows=$(($(wc -l <"$out/run/regimens.csv") - 1))
echo "$n patients per trial, $threads threads: $rows regimens; wall $wall s, CPU $(echo "$usr $sys" |
  awk '{printf "%.1f", $1 + $2}') s, peak RSS $(echo "$rss_kb" | awk '{printf "%.1f", $1 / 1024}') MB"
