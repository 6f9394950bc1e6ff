#!/usr/bin/env bash
# `ketasim validate --trials` at a small n: every row of data/trials/library.tsv is reported; a
# scenario the language cannot express is skipped only with a message naming what it needs; every
# figure with a published number and a run has a band and a simulated value; the forest plot is
# written. Misses are the model's (exit 1 allowed); errors (exit 2+) are not.
set -euo pipefail
ks=$1; dir=$2; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$dir"
set +e; "$ks" validate --trials --n-scale 0.5 --threads 2 --json --plot "$tmp/forest.svg" > "$tmp/out.json"; rc=$?; set -e
[ $rc -le 1 ] || { echo "validate --trials exited $rc"; exit 1; }
python3 - "$tmp/out.json" data/trials/library.tsv <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = [l.split('\t')[0] for l in open(sys.argv[2]) if not l.startswith('#') and not l.startswith('id\t') and l.strip()]
ids = [t['id'] for t in d['targets']]
assert ids == rows, ("library rows and reported targets differ", ids, rows)
ran = 0
for t in d['targets']:
    if t['status'] == 'skipped':
        assert 'needs' in t['skipped_because'] and 'parser:' in t['skipped_because'], t
    if t['status'] in ('pass', 'MISS'):
        ran += 1
        assert t['band_lo'] is not None and t['simulated'] is not None, t
        assert t['role'] in ('calibration', 'validation')
        assert (t['band_lo'] <= t['simulated'] <= t['band_hi']) == (t['status'] == 'pass'), t
assert ran >= 3, "fewer than 3 library figures ran"
print(f"{len(ids)} targets reported, {ran} compared")
PY
grep -q "<svg" "$tmp/forest.svg"
echo "1 passed, 0 failed"
