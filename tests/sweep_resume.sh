#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ketasim optimize` resumes after a kill: a run killed (SIGKILL) once two regimens are in its
# evaluation log, continued with --resume, writes the same regimens.csv as an uninterrupted run
# (80 patients a trial: each trial long enough to be killed between the 2nd and the last).
#   sweep_resume.sh CLI SOURCE_DIR OUT_DIR
set -u
cli=$1 src=$2 out=$3
scen=$src/tests/data/sweep/optimize-small.yaml
rm -rf "$out" && mkdir -p "$out"
"$cli" optimize "$scen" --out "$out/ref" --threads 1 --patients 80 --quiet >/dev/null || { echo "FAIL: reference run"; exit 1; }
"$cli" optimize "$scen" --out "$out/k" --threads 1 --patients 80 --quiet >/dev/null &
pid=$!
for _ in $(seq 1 3000); do
  n=0
  [ -f "$out/k/.evaluations.log" ] && n=$(wc -l < "$out/k/.evaluations.log")
  [ "$n" -ge 3 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if ! kill -9 "$pid" 2>/dev/null; then
  echo "FAIL: the run finished before it could be killed (log had ${n:-0} lines)"; exit 1
fi
wait "$pid" 2>/dev/null
[ -f "$out/k/regimens.csv" ] && { echo "FAIL: a killed run left regimens.csv"; exit 1; }
err=$("$cli" optimize "$scen" --out "$out/k" --threads 1 --patients 80 --resume 2>&1 >/dev/null) || { echo "FAIL: resume: $err"; exit 1; }
echo "$err" | grep -q "resumed: [1-9]" || { echo "FAIL: nothing was resumed: $err"; exit 1; }
cmp "$out/ref/regimens.csv" "$out/k/regimens.csv" || { echo "FAIL: resumed regimens.csv differs"; exit 1; }
cmp "$out/ref/best.yaml" "$out/k/best.yaml" || { echo "FAIL: resumed best.yaml differs"; exit 1; }
echo "1 passed, 0 failed"
