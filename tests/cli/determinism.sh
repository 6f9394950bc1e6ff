#!/usr/bin/env bash
# Same seed, same answer: `ketasim run` with 1 and 2 threads writes byte-identical patients.csv
# and summary.json (less its "run" key).
set -euo pipefail
ks=$1; scen=$2; out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$ks" run "$scen" --out "$out/t1" --threads 1 --quiet >/dev/null
"$ks" run "$scen" --out "$out/t2" --threads 2 --quiet >/dev/null
cmp "$out/t1/patients.csv" "$out/t2/patients.csv"
strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("run"); print(json.dumps(d, sort_keys=True))' "$1"; }
[ "$(strip "$out/t1/summary.json")" = "$(strip "$out/t2/summary.json")" ] || { echo "summary.json differs"; exit 1; }
for f in summary.json patients.csv scenario.resolved.yaml report.html; do [ -s "$out/t1/$f" ] || { echo "missing $f"; exit 1; }; done
# No temporary file is left behind.
if ls -a "$out/t1" | grep -q '\.tmp\.'; then echo "temporary file left"; exit 1; fi
echo "1 passed, 0 failed"
