#!/usr/bin/env bash
# ketasim ablation: one line per route; removing therapy from a design without therapy changes
# nothing (share 0%, the same effect); a missing scenario is bad input (exit 2).
set -euo pipefail
ks=$1; dir=$2
out=$("$ks" ablation "$dir/examples/feder2021.yaml" --patients 24 --threads 1 --quiet)
echo "$out"
[ "$(echo "$out" | grep -cE '^(window|spine|acute|everyday|expectancy|therapy)')" = 6 ]
echo "$out" | grep -E '^therapy sessions +0% +[-+][0-9.]+ +0% +[-+][0-9.]+ +0% ' >/dev/null ||
  { echo "therapy route changed a design without therapy"; exit 1; }
set +e
"$ks" ablation 2>/dev/null; rc=$?
set -e
[ $rc = 2 ] || { echo "missing scenario: exit $rc, expected 2"; exit 1; }
echo "3 passed, 0 failed"
