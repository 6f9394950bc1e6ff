#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The brain layer end to end: a short trial assessing every brain scale writes the measures into
# patients.csv (values in their ranges, NaN where not assessed), summarises them in summary.json,
# gives the same bytes with 1 and 2 threads, accepts a cognitive test as the primary endpoint,
# `ketasim patient` carries them with units, and `ketasim scan` after a regimen reports volume.
#
#   brain_cli.sh KETASIM
set -euo pipefail
ks=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/s.yaml" <<'YAML'
ketasim: 1
name: brain-cli
seed: 7
population: {n: 24, preset: civilian-chronic-ptsd}
design: parallel
arms:
  - name: ketamine
    regimen:
      - {drug: ketamine, route: iv, dose: 0.5 mg/kg, infusion: 40 min, days: [1, 3, 5]}
  - name: midazolam
    regimen:
      - {drug: midazolam, route: iv, dose: 0.045 mg/kg, infusion: 40 min, days: [1, 3, 5]}
assessments: {caps5: [0, 7], madrs: [0, "24 h", 7], ravlt: [0, "1 h", 7], tmt_a: [0, 7], tmt_b: [0, 7],
              dsst: [0, 7], mri: [0, 7], nrs: [0, 7], ssi: [0, "24 h", 7]}
endpoints:
  primary: {scale: tmt_b, day: 7}
YAML
"$ks" run "$tmp/s.yaml" --out "$tmp/a" --threads 1 --quiet > /dev/null
"$ks" run "$tmp/s.yaml" --out "$tmp/b" --threads 2 --quiet > /dev/null
cmp "$tmp/a/patients.csv" "$tmp/b/patients.csv" || { echo "patients.csv differs between 1 and 2 threads"; exit 1; }
diff <(grep -v '"wall_s"\|"threads"\|"command_line"' "$tmp/a/summary.json") <(grep -v '"wall_s"\|"threads"\|"command_line"' "$tmp/b/summary.json") > /dev/null ||
  { echo "summary.json differs between 1 and 2 threads"; exit 1; }
# ranges per column (NaN allowed where not assessed); at least one finite value each
awk -F, '
  NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
  { chk("ravlt_total", 0, 75); chk("tmt_a_s", 8, 150); chk("tmt_b_s", 15, 300); chk("dsst", 0, 133);
    chk("pain_nrs", 0, 10); chk("ssi", 0, 38); chk("madrs_item10", 0, 6); chk("vol_hippocampus_pct", -20, 20);
    chk("ketamine_cumulative_mg", 0, 1e5); chk("flag_frequent_use", 0, 1) }
  function chk(c, lo, hi,  v) { if (!(c in h)) { print "missing column " c; bad = 1; return }
    v = $h[c]; if (v == "" || v == "nan" || v == "NaN") return; seen[c]++
    if (v + 0 < lo || v + 0 > hi) { print c " out of range: " v; bad = 1 } }
  END { split("ravlt_total tmt_a_s tmt_b_s dsst pain_nrs ssi madrs_item10 vol_hippocampus_pct ketamine_cumulative_mg", cs, " ");
        for (k in cs) if (!(cs[k] in seen)) { print "no value of " cs[k]; bad = 1 }
        exit bad }' "$tmp/a/patients.csv"
# the ketamine arm's cumulative exposure on day 7 is three doses (0.5 mg/kg each)
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
  $h["arm"] == "midazolam" && $h["ketamine_cumulative_mg"] + 0 != 0 { print "midazolam counted as ketamine"; exit 1 }
  $h["arm"] == "ketamine" && $h["day"] + 0 == 7 && $h["ketamine_cumulative_mg"] + 0 <= 0 { print "no exposure"; exit 1 }' "$tmp/a/patients.csv"
# structure: the hippocampal volume is a pre-existing trait (no drug moves it, each patient has
# their own anatomy); what changes between two scans is their measurement error, per scan SD
# 0.02 sqrt(pi)/2 = 1.77%, so a change has SD 2.5% and mean 0 (24 patients: |mean| < 2).
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
  function ok(c) { return $h[c] != "" && $h[c] != "nan" }
  ok("vol_hippocampus_pct") && $h["day"] + 0 == 0 && $h["vol_hippocampus_pct"] + 0 != 0 { print "baseline change not 0"; bad = 1 }
  ok("vol_hippocampus_pct") && $h["day"] + 0 == 7 { n++; s += $h["vol_hippocampus_pct"]; ss += $h["vol_hippocampus_pct"]^2 }
  ok("vol_hippocampus_d") { d[$h["vol_hippocampus_d"]] = 1 }
  END { k = 0; for (x in d) k++; if (k < 10) { print "hippocampal d varies too little across patients: " k; bad = 1 }
        m = s / n; sd = sqrt((ss - n * m * m) / (n - 1))
        if (!(n == 24 && m > -2 && m < 2 && sd > 1.5 && sd < 4)) { print "hippocampal change n " n " mean " m " sd " sd; bad = 1 }
        exit bad }' "$tmp/a/patients.csv"
grep -q '"tmt_b"' "$tmp/a/summary.json" || { echo "summary.json lacks tmt_b"; exit 1; }
grep -q '"scale": "tmt_b"' "$tmp/a/summary.json" || { echo "primary endpoint is not tmt_b"; exit 1; }
"$ks" patient "$tmp/s.yaml" --id 1 --out "$tmp/p" --quiet > /dev/null 2>&1
grep -q '^visits.csv,tmt_b_s,s$' "$tmp/p/columns.csv" || { echo "patient: tmt_b_s without unit s"; exit 1; }
grep -q '^visits.csv,vol_hippocampus_pct,%$' "$tmp/p/columns.csv" || { echo "patient: volume without unit"; exit 1; }
"$ks" scan --drug ketamine --route iv --dose 0.5mg/kg --infusion 40min --day 1 --analytic --out "$tmp/scan" > /dev/null 2>&1
grep -q '"hippocampus": {"rel"' "$tmp/scan/summary.json" || { echo "scan summary lacks volume"; exit 1; }
echo "brain cli ok"
