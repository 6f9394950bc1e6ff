#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# "Give these patients these doses": `ketasim run --data DIR/doses.csv` with a run's own doses.csv
# reproduces that run: scale scores exactly, every other value within 1e-6 relative or 1e-5
# absolute. doses.csv carries amounts to 10 significant digits, which changes CVODE's step
# sequence; the window W = dp / (dp + 0.1) of a protein rise dp that is a difference of states of
# order 1 solved to rtol 1e-7 then differs by up to ~1e-6 absolute where W is tiny. And `ketasim patient --data` is row K of it. A data set
# with other doses (every dose halved) changes the ketamine patients' exposure-driven states.
set -euo pipefail
ks=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$src"
"$ks" run examples/feder2021.yaml --out "$tmp/a" --patients 10 --quiet > /dev/null
"$ks" run examples/feder2021.yaml --out "$tmp/b" --patients 10 --data "$tmp/a/doses.csv" --quiet > /dev/null
cmp "$tmp/a/doses.csv" "$tmp/b/doses.csv"
same() {  # same FILE1 FILE2 TOL: every field equal, numbers within TOL relative or 1e-5 absolute
  awk -F, -v tol="$3" 'NR == FNR { row[FNR] = $0; next }
    { n = split(row[FNR], a, ","); if (n != NF) { print "fields differ, line " FNR; bad = 1; next }
      for (i = 1; i <= NF; i++) { if (a[i] == $i) continue
        d = a[i] - $i; if (d < 0) d = -d; m = (a[i] < 0 ? -a[i] : a[i]); if (m < 1e-9) m = 1e-9
        if (!(a[i] ~ /^[-0-9.e+]+$/) || (d > tol * m && d > 1e-5) || (i >= 11 && i <= 18)) { print "line " FNR " field " i ": " a[i] " vs " $i; bad = 1 } } }
    END { exit bad }' "$1" "$2"
}
same "$tmp/a/patients.csv" "$tmp/b/patients.csv" 1e-6
# patient --data: patient 3 as in run b.
"$ks" patient examples/feder2021.yaml --id 3 --data "$tmp/a/doses.csv" --out "$tmp/p3" --quiet
a=$(awk -F, 'NR > 1 && $1 == 3 && $5 == "day 14" { print $11 }' "$tmp/b/patients.csv")
b=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "caps5") c = i } NR > 1 && $2 == "day 14" { print $c }' "$tmp/p3/visits.csv")
[ -n "$a" ] && [ "$a" = "$b" ] || { echo "patient 3: run '$a', patient '$b'"; exit 1; }
# Halved doses: the ketamine patients' plasticity window at 24 h changes.
awk -F, 'BEGIN { OFS = "," } /^#/ || $1 == "ID" { print; next } { $3 = $3 / 2; $4 = $4 / 2; print }' \
    "$tmp/a/doses.csv" > "$tmp/half.csv"
"$ks" run examples/feder2021.yaml --out "$tmp/c" --patients 10 --data "$tmp/half.csv" --quiet > /dev/null
changed=$(awk -F, 'NR == FNR { if ($2 == "ketamine" && $5 == "24 h") w[$1] = $21; next }
                   ($1 in w) && $5 == "24 h" && $21 != w[$1] { n++ } END { print n + 0 }' "$tmp/a/patients.csv" "$tmp/c/patients.csv")
[ "$changed" -gt 0 ] || { echo "halved doses changed nothing"; exit 1; }
echo "ok given doses ($changed ketamine patients changed with halved doses)"
