#!/usr/bin/env bash
# The trial library's visit measures (src/cli/validate_trials.c): change_diff:SCALE:VISIT and
# d_ratio:SCALE:LATE:EARLY, used by the meta-analysis calibration target (Borgogna 2024, 1-week/24-h
# ratio of the PTSD effect). `validate --trials` on a one-scenario library must report the
# values computed here independently from `ketasim run`'s patients.csv of the same scenario, seed
# and size, and the band must be the published (derived) CI of data/trials/borgogna2024.tsv.
set -euo pipefail
ks=$1; dir=$2; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$dir"
mkdir -p "$tmp/lib" "$tmp/data"
cp examples/trials/borgogna2024.yaml "$tmp/lib/"
cp data/trials/borgogna2024.tsv "$tmp/data/"
printf 'id\tscenario\ttrial\tarm_or_contrast\tstatistic\tmeasure\n' > "$tmp/data/library.tsv"
printf 'trial.borgogna2024.effect_ratio_week1_24h\tborgogna2024\tborgogna2024\tketamine - control\teffect_ratio\td_ratio:iesr:day 7:24 h\n' >> "$tmp/data/library.tsv"
printf 'x.change_24h\tborgogna2024\tborgogna2024\tketamine - control\thedges_g@24 h\tchange_diff:iesr:24 h\n' >> "$tmp/data/library.tsv"
set +e; "$ks" validate --trials --library "$tmp/lib" --data "$tmp/data" --n-scale 1 --threads 2 --json > "$tmp/v.json"; rc=$?; set -e
[ $rc -le 1 ] || { echo "validate --trials exited $rc"; exit 1; }
"$ks" run examples/trials/borgogna2024.yaml --out "$tmp/run" --patients 221 --threads 1 --quiet --checkpoint-every 0 > /dev/null
python3 - "$tmp/v.json" "$tmp/run/patients.csv" <<'PY'
import csv, json, math, sys
d = {t['id']: t for t in json.load(open(sys.argv[1]))['targets']}
rows = list(csv.DictReader(open(sys.argv[2])))
base, at = {}, {}
for r in rows:
    if r['iesr'] == '':
        continue
    key = (r['patient'], r['arm'])
    if r['visit'] in ('day 0', '0', 'baseline'):
        base[key] = float(r['iesr'])
    else:
        at[(key, r['visit'])] = float(r['iesr'])
def effect(visit):
    ch = {'ketamine': [], 'midazolam': []}
    for (key, v), x in at.items():
        if v == visit and key in base:
            ch[key[1]].append(x - base[key])
    m = {a: sum(c) / len(c) for a, c in ch.items()}
    ss = sum((x - m[a]) ** 2 for a, c in ch.items() for x in c)
    sd = math.sqrt(ss / (len(ch['ketamine']) + len(ch['midazolam']) - 2))
    diff = m['ketamine'] - m['midazolam']
    return diff, diff / sd
diff24, d24 = effect('24 h')
diff7, d7 = effect('day 7')
ratio = d['trial.borgogna2024.effect_ratio_week1_24h']
assert ratio['role'] == 'calibration', ratio
assert abs(ratio['simulated'] - d7 / d24) < 1e-9 * max(1, abs(d7 / d24)), (ratio['simulated'], d7 / d24)
assert abs(ratio['band_lo'] - (-0.205)) < 1e-9 and abs(ratio['band_hi'] - 1.576) < 1e-9, ratio
ch = d['x.change_24h']
assert abs(ch['simulated'] - diff24) < 1e-9 * max(1, abs(diff24)), (ch['simulated'], diff24)
assert ch['role'] == 'validation', ch
print(f"ratio {d7 / d24:.4f} (d 24 h {d24:.3f}, day 7 {d7:.3f}); change difference 24 h {diff24:.3f}")
PY
echo "1 passed, 0 failed"
