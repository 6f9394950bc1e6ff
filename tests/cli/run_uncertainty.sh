#!/usr/bin/env bash
# `ketasim run --uncertainty K` at a tiny size: summary.json gains "uncertainty" with K draws and,
# for every endpoint, the estimate, its sampling CI and a 95% prediction interval (lo <= hi); the
# same command gives the same bytes (draws keyed by the seed).
set -euo pipefail
ks=$1; dir=$2; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for r in a b; do
  "$ks" run "$dir/examples/trials/feder2021.yaml" --out "$tmp/$r" --patients 24 --threads 2 --uncertainty 3 --quiet > "$tmp/$r.log"
done
python3 - "$tmp/a/summary.json" "$tmp/b/summary.json" <<'PY'
import json, sys
a, b = (json.load(open(p))['uncertainty'] for p in sys.argv[1:3])
assert a == b, "not reproducible"
assert a['draws'] == 3 and 'Laplace' in a['method']
assert len(a['endpoints']) >= 3
for e in a['endpoints']:
    lo, hi = e['prediction_interval95']
    assert lo is not None and hi is not None and lo <= hi, e
    assert e['estimate'] is not None and len(e['sampling_ci95']) == 2, e
assert a['endpoints'][0]['endpoint'].startswith('primary difference')
print("1 passed, 0 failed")
PY
