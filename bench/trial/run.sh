#!/bin/sh
# bench/trial/run.sh [N] [N0]: CPU per patient of a Feder-2021-design trial (examples/feder2021.yaml,
# every layer per patient; issue 17 part 4) and its determinism across thread counts.
#   - N patients on 2 threads and N0 patients (default 200) on 2 threads: user+sys CPU and peak RSS
#     (GNU time); CPU per patient = (CPU(N) - CPU(N0)) / (N - N0), i.e. without the run's fixed
#     set-up and report;
#   - N0 patients on 1 thread: summary.json (without its "run" block: wall time, thread count)
#     and patients.csv must be byte-identical to the 2-thread run.
# KETASIM selects the binary (default build/ketasim): point it at a build of an earlier commit to
# measure that one the same way. On a shared machine use CPU time, not wall time. Results in
# bench/trial/out/results.tsv; figures are recorded by hand in bench/RESULTS.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${KETASIM:-$root/build/ketasim}
scen=$root/examples/feder2021.yaml
n=${1:-100000}
n0=${2:-200}
out=$here/out
mkdir -p "$out"
export OPENBLAS_NUM_THREADS=1
res=$out/results.tsv
[ -f "$res" ] || printf 'binary\tthreads\tpatients\twall_s\tcpu_s\tpeak_rss_MB\tload1\n' >"$res"

# run LABEL THREADS N: one timed run into $out/run_LABEL; prints "cpu_s rss_MB".
run() {
  rm -rf "$out/run_$1"
  /usr/bin/time -f '%e %U %S %M' -o "$out/time_$1" "$bin" run "$scen" --threads "$2" --patients "$3" \
    --checkpoint-every 0 --quiet --out "$out/run_$1" >/dev/null
  read -r wall usr sys rss_kb <"$out/time_$1"
  cpu=$(echo "$usr $sys" | awk '{printf "%.2f", $1 + $2}')
  rss=$(echo "$rss_kb" | awk '{printf "%.1f", $1 / 1024}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$bin" "$2" "$3" "$wall" "$cpu" "$rss" "$(cut -d' ' -f1 /proc/loadavg)" >>"$res"
  echo "$cpu $rss"
}

strip_run() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("run",None); print(json.dumps(d,sort_keys=True))' "$1"; }

set -- $(run small1 1 "$n0")
set -- $(run small2 2 "$n0")
c0=$1
if [ "$(strip_run "$out/run_small1/summary.json")" = "$(strip_run "$out/run_small2/summary.json")" ] &&
   cmp -s "$out/run_small1/patients.csv" "$out/run_small2/patients.csv"; then
  echo "threads 1 vs 2 ($n0 patients): summary.json (without run) and patients.csv identical"
else
  echo "threads 1 vs 2 ($n0 patients): OUTPUTS DIFFER" >&2
  exit 1
fi
set -- $(run big2 2 "$n")
echo "$n patients, 2 threads: CPU $1 s, peak RSS $2 MB"
echo "$1 $c0 $n $n0" | awk '{printf "CPU per patient (marginal over %d..%d): %.3f ms\n", $4, $3, 1000 * ($1 - $2) / ($3 - $4)}'
