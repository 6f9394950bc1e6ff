#!/bin/sh
# bench/scale/run.sh [N] [N_MEM...]: scale-out benchmark of a Feder-2021-design trial
# (examples/feder2021.yaml with --patients N; issue 8).
#   - wall time, CPU time and peak RSS at 1 and 2 threads, and at 1 and 2 MPI processes (1 thread
#     each), parallel efficiency T1 / (2 T2);
#   - peak RSS for each N_MEM patients (2 threads), to show how memory grows with N;
#   - a perf profile (1 thread) of where the time goes, when perf can record.
# N defaults to 100000 (about 1.2 h of CPU at ~45 ms per patient: pass a smaller N and extrapolate
# on a shared machine). Results go to bench/scale/out/ (results.tsv, perf.txt); figures are
# recorded by hand in bench/RESULTS.md ("## Scale") and docs/scaling.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${KETASIM:-$root/build/ketasim}
scen=$root/examples/feder2021.yaml
n=${1:-100000}
shift || true
mem_ns=${*:-}
out=$here/out
mkdir -p "$out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
res=$out/results.tsv
printf 'config\tpatients\twall_s\tcpu_s\tpeak_rss_MB\tload1\n' >"$res"

# run LABEL N CMD...: time one run (GNU time: wall, user+sys, max RSS of the largest process).
run() {
  label=$1 np=$2
  shift 2
  rm -rf "$out/run_$label"
  /usr/bin/time -f '%e %U %S %M' -o "$out/time_$label" "$@" --out "$out/run_$label" --patients "$np" \
    --checkpoint-every 0 --quiet >/dev/null
  read -r wall usr sys rss_kb <"$out/time_$label"
  load=$(cut -d' ' -f1 /proc/loadavg)
  cpu=$(echo "$usr $sys" | awk '{print $1 + $2}')
  printf '%s\t%s\t%s\t%s\t%.1f\t%s\n' "$label" "$np" "$wall" "$cpu" "$(echo "$rss_kb" | awk '{print $1 / 1024}')" "$load" | tee -a "$res"
}

run threads1 "$n" "$bin" run "$scen" --threads 1
run threads2 "$n" "$bin" run "$scen" --threads 2
if command -v mpirun >/dev/null 2>&1; then
  run mpi1 "$n" mpirun --oversubscribe -np 1 "$bin" run "$scen" --threads 1
  # GNU time sees mpirun; its max RSS is the largest child (one rank), i.e. per-process memory.
  run mpi2 "$n" mpirun --oversubscribe -np 2 "$bin" run "$scen" --threads 1
fi
for m in $mem_ns; do run "mem_$m" "$m" "$bin" run "$scen" --threads 2; done

awk -F'\t' 'NR > 1 { w[$1] = $3; c[$1] = $4 }
  END {
    if (w["threads2"] > 0) printf "threads: efficiency T1/(2 T2) = %.2f (wall), CPU per patient 1 thread %.1f ms\n", w["threads1"] / (2 * w["threads2"]), 1000 * c["threads1"] / '"$n"'
    if (w["mpi2"] > 0) printf "MPI: efficiency T1/(2 T2) = %.2f (wall)\n", w["mpi1"] / (2 * w["mpi2"])
  }' "$res" | tee "$out/efficiency.txt"

# Where the time goes (1 thread, a tenth of N, at most 300 patients).
pn=$((n / 10)); [ $pn -gt 300 ] && pn=300; [ $pn -lt 20 ] && pn=20
if command -v perf >/dev/null 2>&1 &&
   perf record -g -o "$out/perf.data" "$bin" run "$scen" --threads 1 --patients $pn --checkpoint-every 0 \
     --out "$out/run_perf" --quiet >/dev/null 2>"$out/perf.err"; then
  perf report -i "$out/perf.data" --stdio --no-children --sort dso,symbol 2>/dev/null |
    grep -E '^ +[0-9]' | head -40 >"$out/perf.txt"
  perf report -i "$out/perf.data" --stdio --no-children --sort dso 2>/dev/null | grep -E '^ +[0-9]' | head -15 >"$out/perf_dso.txt"
  echo "profile: $out/perf.txt"
else
  echo "perf could not record (see $out/perf.err)"
fi
