#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ketasim run --population-csv FILE`: the trial enrols the table's patients (n = rows), with the
# given covariates in patients.csv and doses.csv (weight-based doses from the given weight), and
# `ketasim patient --id K --population-csv FILE` is row K of that run.
set -euo pipefail
ks=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$src"
printf '# units: WT=lb\nID,AGE,SEX,WT,caps5\n1,30,F,132,45\n2,50,M,198,70\n3,,,,\n4,41,F,158.4,38\n5,33,M,176,55\n' > "$tmp/pop.csv"
"$ks" run examples/feder2021.yaml --out "$tmp/run" --population-csv "$tmp/pop.csv" --quiet > /dev/null
# One patient per row; the given age, sex and weight (lb -> kg) at every visit.
awk -F, 'NR > 1 { seen[$1] = 1 } END { n = 0; for (k in seen) n++; if (n != 5) { print "patients: " n; exit 1 } }' "$tmp/run/patients.csv"
awk -F, 'BEGIN { age[1] = 30; f[1] = 1; w[1] = 132; age[2] = 50; f[2] = 0; w[2] = 198; age[4] = 41; f[4] = 1; w[4] = 158.4 }
         NR > 1 && ($1 in age) { kg = w[$1] * 0.45359237; d = $10 - kg; if (d < 0) d = -d
           if ($8 != age[$1] || $9 != f[$1] || d > 1e-6) { print "covariates of patient " $1 ": " $0; bad = 1 } }
         END { exit bad }' "$tmp/run/patients.csv"
# Weight-based doses (0.5 mg/kg ketamine, 0.045 mg/kg midazolam) from the given weight.
awk -F, '!/^#/ && NR > 4 && $1 == 2 { r = $3 / ($12); if (r != 0.5 && (r < 0.0449999 || r > 0.0450001) && (r < 0.4999999 || r > 0.5000001)) { print "dose per kg " r; bad = 1 } n++ }
         END { if (!n) { print "no doses for patient 2"; bad = 1 } exit bad }' "$tmp/run/doses.csv"
for k in 2 4; do
  "$ks" patient examples/feder2021.yaml --id $k --population-csv "$tmp/pop.csv" --out "$tmp/p$k" --quiet
  a=$(awk -F, -v k=$k 'NR > 1 && $1 == k && $5 == "day 14" { print $11 }' "$tmp/run/patients.csv")
  b=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "caps5") c = i } NR > 1 && $2 == "day 14" { print $c }' "$tmp/p$k/visits.csv")
  [ -n "$a" ] && [ "$a" = "$b" ] || { echo "patient $k: run CAPS-5 day 14 '$a', patient '$b'"; exit 1; }
done
echo "ok population csv"
