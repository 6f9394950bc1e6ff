#!/usr/bin/env bash
# A randomized-withdrawal design (scenario `induction`, docs/scenario.md), run on the SUSTAIN-1
# scenario at a small n:
#  1. every patient of every arm gets the induction's doses (doses.csv: esketamine on the induction
#     days in the placebo arm too), and the arm's own doses only after it (saline has no PK dose);
#  2. a patient is followed after the induction's last day exactly when their MADRS at that visit
#     met the remission rule (< 13); the others have no later values;
#  3. the resolved scenario writes the induction once (not inside the arms) and loads to the same
#     scenario (check passes; the resolved file of the resolved file is identical).
set -euo pipefail
ks=$1; dir=$2; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$dir"
"$ks" run examples/trials/sustain1.yaml --out "$tmp/r" --patients 60 --threads 2 --quiet --checkpoint-every 0 >/dev/null
python3 - "$tmp/r" <<'PY'
import csv, sys
d = sys.argv[1]
rows = [r for r in csv.DictReader(l for l in open(f"{d}/patients.csv") if not l.startswith('#'))]
doses = [r for r in csv.DictReader(l for l in open(f"{d}/doses.csv") if not l.startswith('#')) if r["EVID"] == "1"]
arm_of = {r["patient"]: r["arm"] for r in rows}
ind_days = {1, 4, 8, 11, 15, 18, 22, 25, 29, 36, 43, 50, 57, 64, 71, 78, 85, 92, 99, 106}
by_pt = {}
for x in doses:
    by_pt.setdefault(x["ID"], []).append((float(x["TIME"]) / 24.0, x["DRUG"]))
assert len(by_pt) == len(arm_of), "every patient has doses"
for pid, ds in by_pt.items():
    ind = {round(t) for t, drug in ds if t <= 112}
    assert ind == ind_days and all(drug == "esketamine" for t, drug in ds if t <= 112), (pid, sorted(ind))
    own = {drug for t, drug in ds if t > 112}
    assert own == ({"esketamine"} if arm_of[pid] == "esketamine" else set()), (pid, own)  # saline: no PK dose
sel = followed = 0
pts = {}
for r in rows:
    pts.setdefault(r["patient"], {})[int(float(r["day"]))] = r["madrs"]
for pid, v in pts.items():
    remitted = v[112] != "" and float(v[112]) < 13
    later = [v[k] for k in v if k > 112]
    assert all(x != "" for x in later) if remitted else all(x == "" for x in later), (pid, v[112], later[:3])
    sel += remitted
assert 0 < sel < len(pts), ("selection kept nobody or everybody", sel, len(pts))
print(f"{sel} of {len(pts)} patients selected at day 112")
PY
grep -c "induction: 1\|^induction:" "$tmp/r/scenario.resolved.yaml" | grep -qx 1
"$ks" check "$tmp/r/scenario.resolved.yaml" --resolved > "$tmp/again.yaml"
diff <(grep -v '^# ' "$tmp/r/scenario.resolved.yaml") <(grep -v '^# ' "$tmp/again.yaml")
echo "1 passed, 0 failed"
