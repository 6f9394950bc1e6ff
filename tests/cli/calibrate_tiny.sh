#!/usr/bin/env bash
# `ketasim calibrate` at a tiny size: runs NLopt and the Laplace step through the real trial
# library and writes a fitted set with one row per parameter, a finite value inside its range, an
# SD or NA, and the objective in the header; the objective never rises from the start.
set -euo pipefail
ks=$1; dir=$2; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$dir"
"$ks" calibrate --n-scale 0.15 --max-evals 1 --threads 2 --out "$tmp/fit.tsv" --quiet > "$tmp/log"
python3 - "$tmp/fit.tsv" <<'PY'
import sys, re
lines = open(sys.argv[1]).read().splitlines()
m = re.search(r'J at start ([0-9.e+-]+), at optimum ([0-9.e+-]+)', '\n'.join(lines))
assert m and float(m.group(2)) <= float(m.group(1)) + 1e-9, lines[:4]
rows = [l.split('\t') for l in lines if not l.startswith('#')]
assert rows[0][:3] == ['name', 'value', 'sd'] and rows[0][-1] == 'optimizer_value', rows[0]
assert len(rows) == 3, rows  # header + 2 parameters
for r in rows[1:]:
    v, lo, hi = float(r[1]), float(r[4]), float(r[5])
    assert lo <= v <= hi, r
    assert r[2] == 'NA' or float(r[2]) > 0, r
    assert r[6] in ('yes', 'no') and (r[6] == 'no') == (r[2] == 'NA'), r
print("1 passed, 0 failed")
PY
