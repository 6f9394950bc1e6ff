#!/usr/bin/env bash
# `ketasim validate --trials` at a small n: every row of data/trials/library.tsv is reported; a
# scenario the language cannot express is skipped only with a message naming what it needs; every
# figure with a published number and a run has a band and a simulated value; the forest plot is
# written. Misses are the model's (exit 1 allowed); errors (exit 2+) are not. With --uncertainty 2
# (two ensemble draws): every compared figure has a prediction interval containing its simulated
# value, and the band widened by it contains the published band.
set -euo pipefail
ks=$1; dir=$2; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$dir"
set +e; "$ks" validate --trials --n-scale 0.5 --uncertainty 2 --threads 2 --json --plot "$tmp/forest.svg" > "$tmp/out.json"; rc=$?; set -e
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
        assert t['prediction_lo'] is not None and t['prediction_lo'] <= t['simulated'] <= t['prediction_hi'], t
        assert t['band_lo'] <= t['band_published_lo'] and t['band_hi'] >= t['band_published_hi'], t
assert ran >= 3, "fewer than 3 library figures ran"
print(f"{len(ids)} targets reported, {ran} compared")
PY
grep -q "<svg" "$tmp/forest.svg"
set +e; "$ks" validate --uncertainty 2 2> "$tmp/err"; rc=$?; set -e
[ $rc = 2 ] && grep -q "go with --trials" "$tmp/err" || { echo "--uncertainty without --trials: exit $rc"; cat "$tmp/err"; exit 1; }
echo "1 passed, 0 failed"
