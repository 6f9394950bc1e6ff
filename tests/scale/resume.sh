#!/bin/sh
# resume.sh KETASIM SCENARIO: checkpoints and --resume (issue 8).
#  1. SIGKILL at a random point after the first checkpoint, then --resume: outputs identical to an
#     uninterrupted run, and no output file under its final name before the end.
#  2. SIGINT: exit 130 with a message, a checkpoint, then --resume: identical outputs.
#  3. --resume with a checkpoint of another run (other number of patients): refused, exit 2.
set -u
bin=$1 scen=$2
here=$(dirname "$0")
n=80
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
"$bin" run "$scen" --out "$tmp/ref" --patients $n --threads 2 --quiet >/dev/null || { echo "FAIL: reference run"; exit 1; }
"$here/strip_run.sh" "$tmp/ref/summary.json" >"$tmp/ref.json"

same_as_ref() { # DIR LABEL
  cmp "$tmp/ref/patients.csv" "$1/patients.csv" || { echo "FAIL: $2: patients.csv differs"; fail=1; }
  "$here/strip_run.sh" "$1/summary.json" >"$1.json"
  cmp "$tmp/ref.json" "$1.json" || { echo "FAIL: $2: summary.json (less run) differs"; fail=1; }
  ls -a "$1" | grep -q '^\.checkpoint\|\.part$' && { echo "FAIL: $2: checkpoint files left behind"; fail=1; }
}

wait_checkpoint() { # DIR PID: wait until DIR/.checkpoint exists (or the run ended)
  i=0
  while [ ! -f "$1/.checkpoint" ] && kill -0 "$2" 2>/dev/null && [ $i -lt 6000 ]; do sleep 0.05; i=$((i + 1)); done
}

# 1. SIGKILL at a random point after the first checkpoint.
d="$tmp/kill"
"$bin" run "$scen" --out "$d" --patients $n --threads 2 --checkpoint-every 4 --quiet >/dev/null 2>&1 &
pid=$!
wait_checkpoint "$d" $pid
delay=$(awk -v s="$$" 'BEGIN { srand(s); printf "%.2f", rand() * 0.8 }')
sleep "$delay"
if kill -KILL $pid 2>/dev/null; then
  wait $pid 2>/dev/null
  done_k=$(awk '/^done/ { print $2 }' "$d/.checkpoint")
  echo "killed after ${delay}s past the first checkpoint; checkpoint holds $done_k of $n patients"
  # A kill while the outputs are being written may leave some of them in place: each must then be
  # complete (the same as the uninterrupted run's), never partial.
  if [ -e "$d/patients.csv" ]; then
    cmp -s "$tmp/ref/patients.csv" "$d/patients.csv" || { echo "FAIL: a partial patients.csv after SIGKILL"; fail=1; }
    echo "note: killed while writing the outputs; patients.csv already complete"
  fi
  if [ -e "$d/summary.json" ]; then
    "$here/strip_run.sh" "$d/summary.json" | cmp -s "$tmp/ref.json" - ||
      { echo "FAIL: a partial summary.json after SIGKILL"; fail=1; }
  fi
else
  echo "note: the run ended before the kill (delay ${delay}s); resuming a finished run instead"
  wait $pid
fi
"$bin" run "$scen" --out "$d" --patients $n --threads 1 --checkpoint-every 4 --resume --quiet >/dev/null ||
  { echo "FAIL: resume after SIGKILL"; fail=1; }
same_as_ref "$d" "SIGKILL+resume"

# 2. SIGINT: clean stop with a checkpoint, then resume.
d="$tmp/int"
"$bin" run "$scen" --out "$d" --patients $n --threads 2 --checkpoint-every 4 --quiet >/dev/null 2>"$d.err" &
pid=$!
wait_checkpoint "$d" $pid
kill -INT $pid
wait $pid
rc=$?
if [ $rc -eq 130 ]; then
  grep -q "interrupted after .* rerun with --resume" "$d.err" || { echo "FAIL: SIGINT message: $(cat "$d.err")"; fail=1; }
  [ -f "$d/.checkpoint" ] || { echo "FAIL: no checkpoint after SIGINT"; fail=1; }
  [ -e "$d/patients.csv" ] && { echo "FAIL: patients.csv exists after SIGINT"; fail=1; }
elif [ $rc -ne 0 ]; then
  echo "FAIL: SIGINT exit code $rc (expected 130)"; cat "$d.err"; fail=1
fi
"$bin" run "$scen" --out "$d" --patients $n --threads 2 --checkpoint-every 4 --resume --quiet >/dev/null ||
  { echo "FAIL: resume after SIGINT"; fail=1; }
same_as_ref "$d" "SIGINT+resume"

# 3. A checkpoint of another run is refused.
d="$tmp/other"
"$bin" run "$scen" --out "$d" --patients $n --threads 2 --checkpoint-every 4 --quiet >/dev/null 2>&1 &
pid=$!
wait_checkpoint "$d" $pid
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
if [ -f "$d/.checkpoint" ]; then
  "$bin" run "$scen" --out "$d" --patients $((n + 1)) --resume --quiet >/dev/null 2>"$d.err"
  rc=$?
  [ $rc -eq 2 ] || { echo "FAIL: mismatched checkpoint: exit $rc (expected 2)"; fail=1; }
  grep -q "checkpoint of a different run" "$d.err" || { echo "FAIL: mismatched checkpoint message: $(cat "$d.err")"; fail=1; }
  # Without --resume the other run's checkpoint is not silently discarded either.
  "$bin" run "$scen" --out "$d" --patients $((n + 1)) --quiet >/dev/null 2>"$d.err"
  rc=$?
  [ $rc -eq 2 ] || { echo "FAIL: other run's checkpoint without --resume: exit $rc (expected 2)"; fail=1; }
  grep -q "holds the checkpoint of another run" "$d.err" ||
    { echo "FAIL: other run's checkpoint message: $(cat "$d.err")"; fail=1; }
  [ -f "$d/.checkpoint" ] || { echo "FAIL: the other run's checkpoint was removed"; fail=1; }
fi

# 4. More patients than one run holds, or than memory holds: refused at once (exit 2), nothing written.
for p in 2e7 1e9; do
  d="$tmp/big$p"
  "$bin" run "$scen" --out "$d" --patients $p --quiet >/dev/null 2>"$tmp/big.err"
  rc=$?
  [ $rc -eq 2 ] || { echo "FAIL: --patients $p: exit $rc (expected 2)"; fail=1; }
  grep -q "more than one run holds" "$tmp/big.err" || { echo "FAIL: --patients $p message: $(cat "$tmp/big.err")"; fail=1; }
  [ -e "$d" ] && { echo "FAIL: --patients $p left $d behind"; fail=1; }
done
d="$tmp/bigmem"
"$bin" run "$scen" --out "$d" --patients 1e7 --max-memory 1G --quiet >/dev/null 2>"$tmp/big.err"
rc=$?
[ $rc -eq 2 ] || { echo "FAIL: 1e7 patients in 1 GiB: exit $rc (expected 2)"; fail=1; }
grep -q "^ketasim: memory: 10000000 patients need at least" "$tmp/big.err" ||
  { echo "FAIL: memory message: $(cat "$tmp/big.err")"; fail=1; }
[ -e "$d" ] && { echo "FAIL: the refused run left $d behind"; fail=1; }
[ $fail -eq 0 ] && echo "ok: SIGKILL/SIGINT + --resume give identical outputs; foreign checkpoints refused; oversized runs refused"
exit $fail
