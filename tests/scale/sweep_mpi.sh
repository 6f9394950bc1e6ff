#!/bin/sh
# sweep_mpi.sh KETASIM SOURCE_DIR: the sweeps over MPI (issue 17 part 4).
#  1. `ketasim optimize` (tests/data/sweep/optimize-small.yaml) and `ketasim sensitivity` (Sobol
#     N = 4 over dose and caps5_mean) under mpirun -np 1, 2, 3 x --threads 1, 2, and Morris (r = 3)
#     and who responds under -np 2 x 1 and -np 3 x 2 thread(s), write the same bytes (and print
#     the same results) as one process without mpirun.
#  2. Resume after a kill under MPI: a Sobol run under mpirun -np 3 whose rank 0 is SIGKILLed once
#     trials are in its evaluation log (mpirun then ends the other ranks), continued with --resume
#     under mpirun -np 2, writes the same bytes as the uninterrupted run.
# Exits 77 (skipped) without mpirun or MPI.
set -u
bin=$1 src=$2
if [ -n "${KS_MPI_SKIP_REASON:-}" ]; then echo "skipped: $KS_MPI_SKIP_REASON"; exit 77; fi
command -v mpirun >/dev/null 2>&1 || { echo "skipped: mpirun not found"; exit 77; }
# Debian's Open MPI refuses to run as root unless told twice.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
scen=$src/tests/data/sweep/optimize-small.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'name\tlow\thigh\tunit\tsource\ndose\t0.2\t0.5\tmg/kg\ttest\ncaps5_mean\t35\t45\tpoints\ttest\n' >"$tmp/p.tsv"
fail=0

# The arguments of each sweep (after the scenario; --out, --threads and --quiet are added).
sweep_args() {
  case $1 in
    optimize) echo "optimize $scen" ;;
    sobol) echo "sensitivity $scen --method sobol --params $tmp/p.tsv --endpoint change --n 4 --boot 200" ;;
    morris) echo "sensitivity $scen --method morris --params $tmp/p.tsv --endpoint change --n 3 --boot 200" ;;
    covariates) echo "sensitivity $scen --covariates --patients 60 --boot 200" ;;
  esac
}

same_dir() { # REF DIR LABEL: every file of REF is in DIR with the same bytes, and no log is left
  for f in "$1"/*; do
    cmp "$f" "$2/$(basename "$f")" || { echo "FAIL: $3: $(basename "$f") differs"; fail=1; }
  done
  [ -e "$2/.evaluations.log" ] && { echo "FAIL: $3: evaluation log left behind"; fail=1; }
  return 0
}

for s in optimize sobol morris covariates; do
  # shellcheck disable=SC2046
  "$bin" $(sweep_args $s) --out "$tmp/$s.ref" --threads 1 --quiet >"$tmp/$s.ref.txt" 2>&1 ||
    { echo "FAIL: $s: reference run"; cat "$tmp/$s.ref.txt"; exit 1; }
  # Every process x thread count for optimize and Sobol; two mixes for the others (time).
  combos="1.1 1.2 2.1 2.2 3.1 3.2"
  case $s in morris | covariates) combos="2.1 3.2" ;; esac
  for c in $combos; do
    np=${c%.*} nt=${c#*.}
    {
      d="$tmp/$s.np$np.t$nt"
      # shellcheck disable=SC2046
      if ! mpirun --oversubscribe --allow-run-as-root -np $np "$bin" $(sweep_args $s) --out "$d" --threads $nt \
           --quiet >"$d.txt" 2>"$d.err"; then
        echo "FAIL: $s: mpirun -np $np --threads $nt"; cat "$d.err"; fail=1; continue
      fi
      same_dir "$tmp/$s.ref" "$d" "$s np=$np threads=$nt"
      # The results table is printed once (by rank 0), the same as one process's.
      cmp -s "$tmp/$s.ref.txt" "$d.txt" || { echo "FAIL: $s np=$np threads=$nt: printed results differ"; fail=1; }
    }
  done
done

# 2. SIGKILL of rank 0 under mpirun -np 3, then --resume under -np 2. 40 patients a trial so the
#    16 trials take long enough to be killed part way.
args="sensitivity $scen --method sobol --params $tmp/p.tsv --endpoint change --n 4 --boot 200 --patients 40"
# shellcheck disable=SC2086
"$bin" $args --out "$tmp/kref" --threads 1 --quiet >/dev/null 2>&1 || { echo "FAIL: kill reference run"; exit 1; }
d="$tmp/kill"
# shellcheck disable=SC2086
mpirun --oversubscribe --allow-run-as-root -np 3 "$bin" $args --out "$d" --threads 1 --quiet >/dev/null 2>&1 &
mp=$!
n=0
for _ in $(seq 1 3000); do
  n=0
  [ -f "$d/.evaluations.log" ] && n=$(wc -l <"$d/.evaluations.log")
  [ "$n" -ge 5 ] && break
  kill -0 $mp 2>/dev/null || break
  sleep 0.05
done
# Rank 0 is the process that holds the log open.
r0=""
for p in $(pgrep -P $mp 2>/dev/null); do
  ls -l /proc/"$p"/fd 2>/dev/null | grep -q "$d/.evaluations.log" && r0=$p
done
if [ -n "$r0" ] && kill -KILL "$r0" 2>/dev/null; then
  wait $mp 2>/dev/null
  echo "killed rank 0 with $((n - 1)) trials in the log"
  [ -e "$d/indices.csv" ] && { echo "FAIL: a killed run left indices.csv"; fail=1; }
  # shellcheck disable=SC2086
  err=$(mpirun --oversubscribe --allow-run-as-root -np 2 "$bin" $args --out "$d" --threads 2 --resume 2>&1 >/dev/null) ||
    { echo "FAIL: resume under mpirun -np 2: $err"; fail=1; }
  echo "$err" | grep -q "resumed: [1-9]" || { echo "FAIL: nothing was resumed: $err"; fail=1; }
  same_dir "$tmp/kref" "$d" "SIGKILL of rank 0 + resume"
else
  wait $mp
  echo "FAIL: the run ended before rank 0 could be killed (log had $n lines)"; fail=1
fi
[ $fail -eq 0 ] && echo "ok: optimize and sensitivity give identical outputs for 1-3 processes x 1-2 threads; resume after a kill under MPI"
exit $fail
