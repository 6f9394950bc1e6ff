#!/bin/sh
# mpi.sh KETASIM SCENARIO: 1, 2 and 3 MPI processes and 1 and 2 threads give bit-identical
# patients.csv and summary.json (less its "run" key). Exits 77 (skipped) without mpirun or MPI.
set -u
bin=$1 scen=$2
here=$(dirname "$0")
if [ -n "${KS_MPI_SKIP_REASON:-}" ]; then echo "skipped: $KS_MPI_SKIP_REASON"; exit 77; fi
command -v mpirun >/dev/null 2>&1 || { echo "skipped: mpirun not found"; exit 77; }
# Debian's Open MPI refuses to run as root unless told twice.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run "$scen" --out "$tmp/ref" --threads 1 --patients 24 --quiet >/dev/null || { echo "FAIL: reference run"; exit 1; }
"$here/strip_run.sh" "$tmp/ref/summary.json" >"$tmp/ref.json"
fail=0
for np in 1 2 3; do
  for nt in 1 2; do
    d="$tmp/np${np}_t${nt}"
    if ! mpirun --oversubscribe --allow-run-as-root -np $np "$bin" run "$scen" --out "$d" --threads $nt \
         --patients 24 --checkpoint-every 5 --quiet >"$d.log" 2>&1; then
      echo "FAIL: mpirun -np $np --threads $nt"; cat "$d.log"; fail=1; continue
    fi
    if [ $np -gt 1 ] && ! grep -q "\"processes\": $np" "$d/summary.json"; then
      echo "skipped: this ketasim was built without MPI (summary.json has processes != $np)"; exit 77
    fi
    cmp "$tmp/ref/patients.csv" "$d/patients.csv" || { echo "FAIL: patients.csv differs at np=$np threads=$nt"; fail=1; }
    "$here/strip_run.sh" "$d/summary.json" >"$d.json"
    cmp "$tmp/ref.json" "$d.json" || { echo "FAIL: summary.json (less run) differs at np=$np threads=$nt"; fail=1; }
    ls -a "$d" | grep -q '^\.checkpoint' && { echo "FAIL: checkpoint left behind at np=$np"; fail=1; }
  done
done
[ $fail -eq 0 ] && echo "ok: 1-3 processes x 1-2 threads give identical outputs"
exit $fail
