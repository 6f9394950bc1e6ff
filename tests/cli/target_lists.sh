#!/usr/bin/env bash
# data/targets/calibration.tsv and by_construction.tsv equal their mirrors in src/core/targets.c,
# and no id is in both (a target is calibration or validation, never both).
set -euo pipefail
dir=$1
ids() { grep -v '^#' "$dir/data/targets/$1" | tail -n +2 | cut -f1 | sort; }
arr() { sed -n "/$1\[\] = {/,/NULL}/p" "$dir/src/core/targets.c" | grep -oE '"[^"]+"' | tr -d '"' | sort; }
diff <(ids calibration.tsv) <(arr calibration_ids)
diff <(ids by_construction.tsv) <(arr by_construction_ids)
[ -z "$(comm -12 <(ids calibration.tsv) <(ids by_construction.tsv))" ]
echo "1 passed, 0 failed"
