#!/usr/bin/env bash
# The mood model's comparator-arm terms at trial level (docs/model/mood.md):
#  1. calibration figures still reproduced by the committed parameters: the midazolam arm of
#     data/mood/expectancy_reference.yaml changes by -10.2 +- 1.0 MADRS at 24 h (Matsingos 2024
#     placebo d x SD 5.5; +-1.0 is about 3.5 simulation SEs at 1000 patients), and the background
#     antidepressant of data/mood/antidepressant_reference.yaml gives SMD -0.30 +- 0.06 at week 8
#     (Cipriani 2018; about 2 simulation SEs at 2000 per arm);
#  2. the antidepressant's difference from placebo grows over the weeks (week 2 < week 4 < week 8);
#  3. an open-label background raises the arm's expectancy (TRANSFORM-2's placebo spray arm gets the
#     clinic expectancy 1), a blinded one does not, and the resolved scenario keeps the key.
set -euo pipefail
ks=$1; dir=$2; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$dir"
"$ks" run data/mood/expectancy_reference.yaml --out "$tmp/e" --threads 2 --quiet --checkpoint-every 0 >/dev/null
"$ks" run data/mood/antidepressant_reference.yaml --out "$tmp/a" --threads 2 --quiet --checkpoint-every 0 >/dev/null
"$ks" run examples/trials/transform2.yaml --out "$tmp/t" --patients 20 --threads 2 --quiet --checkpoint-every 0 >/dev/null
sed 's/, open_label: false//; s/background: {drug: antidepressant, route: oral, from: 1}/background: {drug: antidepressant, route: oral, from: 1, open_label: false}/' \
  examples/trials/transform2.yaml > "$tmp/t2_blind.yaml"
"$ks" run "$tmp/t2_blind.yaml" --out "$tmp/b" --patients 20 --threads 2 --quiet --checkpoint-every 0 >/dev/null
grep -q "background: {drug: antidepressant, route: oral, from: 1, open_label: true}" "$tmp/t/scenario.resolved.yaml"
python3 - "$tmp" <<'PY'
import json, sys
t = sys.argv[1]
e = json.load(open(f"{t}/e/summary.json"))
mid = [a for a in e["arms"] if a["name"] == "midazolam"][0]["change"]["madrs"]["24 h"]["mean"]
assert -11.2 <= mid <= -9.2, ("same-day expectancy calibration moved", mid)
a = json.load(open(f"{t}/a/summary.json"))
d = a["primary"]["cohens_d_endpoint_sd"]
assert -0.36 <= d <= -0.24, ("antidepressant calibration moved", d)
ch = {x["name"]: x["change"]["madrs"] for x in a["arms"]}
d14 = ch["antidepressant"]["14"]["mean"] - ch["placebo"]["14"]["mean"]
d56 = ch["antidepressant"]["56"]["mean"] - ch["placebo"]["56"]["mean"]
d28 = ch["antidepressant"]["28"]["mean"] - ch["placebo"]["28"]["mean"]
assert d56 < d28 < d14 < 0, ("antidepressant effect does not grow over weeks", d14, d28, d56)
tr = {x["name"]: x["expectancy"]["clinic"] for x in json.load(open(f"{t}/t/summary.json"))["arms"]}
bl = {x["name"]: x["expectancy"]["clinic"] for x in json.load(open(f"{t}/b/summary.json"))["arms"]}
assert abs(tr["placebo-spray"] - 1.0) < 1e-12, tr
assert bl["placebo-spray"] < 0.5, bl
print(f"midazolam 24 h {mid:.2f}; antidepressant SMD {d:.3f} (week 2 {d14:.2f}, week 8 {d56:.2f}); "
      f"placebo-spray expectancy open {tr['placebo-spray']:.2f}, blinded {bl['placebo-spray']:.2f}")
PY
echo "1 passed, 0 failed"
