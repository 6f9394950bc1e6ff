#!/usr/bin/env bash
# The declared target lists (data/targets/calibration.tsv, by_construction.tsv; compiled into
# src/core/targets.c from the files): no id is in both (a target is calibration or validation,
# never both), no id is listed twice, and every trial-level calibration target is a row of the
# trial library (data/trials/library.tsv, the one list of trial targets).
set -euo pipefail
dir=$1
ids() { grep -v '^#' "$dir/data/targets/$1" | tail -n +2 | cut -f1 | sort; }
[ -z "$(comm -12 <(ids calibration.tsv) <(ids by_construction.tsv))" ]
[ -z "$(ids calibration.tsv | uniq -d)" ] && [ -z "$(ids by_construction.tsv | uniq -d)" ]
lib=$(grep -v '^#' "$dir/data/trials/library.tsv" | tail -n +2 | cut -f1 | sort)
missing=$(comm -23 <(ids calibration.tsv | grep '^trial\.') <(echo "$lib"))
[ -z "$missing" ] || { echo "calibration targets not in the trial library: $missing"; exit 1; }
echo "1 passed, 0 failed"
