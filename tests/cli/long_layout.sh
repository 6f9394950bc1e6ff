#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ketasim run --layout long`: patients_long.csv holds every value of patients.csv once (patient x
# visit x measure), with integer flags (after_dropout as in patients.csv's last column); after_dropout never reverts within a patient, hides every
# symptom score, and differs from "not assessed" (a visit that does not schedule CAPS-5, before
# any dropout, is assessed=0 and after_dropout=0). A high dropout rate makes both kinds appear.
set -euo pipefail
ks=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sed 's/rate_per_week: 0.02/rate_per_week: 0.3/' "$src/examples/feder2021.yaml" > "$tmp/s.yaml"
"$ks" run "$tmp/s.yaml" --out "$tmp/o" --patients 12 --layout long --quiet > /dev/null
w=$tmp/o/patients.csv l=$tmp/o/patients_long.csv
nm=$(( $(head -1 "$w" | tr ',' '\n' | wc -l) - 11 ))  # 10 fixed columns, the measures, after_dropout
head -1 "$w" | grep -q ',after_dropout$' || { echo "patients.csv has no after_dropout column"; exit 1; }
[ "$(( ($(wc -l < "$w") - 1) * nm ))" = "$(( $(wc -l < "$l") - 1 ))" ] || { echo "row count"; exit 1; }
# Every wide value appears in the long file at its place (rows in the same order).
awk -F, -v nm="$nm" 'NR == FNR { if (FNR > 1) for (m = 1; m <= nm; m++) { want[++k] = $(10 + m); drop[k] = $NF }; next }
     FNR > 1 { if ($11 != want[++j]) { print "value differs at long row " FNR ": " $0; bad = 1 }
               if ($14 != drop[j]) { print "after_dropout differs at long row " FNR ": " $0; bad = 1 }
               if ($13 != ($11 != "")) { print "assessed flag wrong: " $0; bad = 1 } }
     END { exit bad }' "$w" "$l"
awk -F, 'FNR > 1 && $10 == "caps5" {
       if ($1 != p) { p = $1; d = 0 }
       if (d && $14 == 0) { print "dropout reverted: " $0; bad = 1 }
       d = $14; if (d) { n_drop++; if ($11 != "") { print "score after dropout: " $0; bad = 1 } }
       else if ($13 == 0) n_na++ }
     END { if (!n_drop) { print "no dropout seen"; bad = 1 } if (!n_na) { print "no not-assessed row"; bad = 1 }
           print n_drop " after dropout, " n_na " not assessed"; exit bad }' "$l"
echo "ok long layout"
