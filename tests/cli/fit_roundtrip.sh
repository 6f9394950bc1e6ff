#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Round trip of a run's doses.csv (NONMEM layout): `ketasim run` writes it, `ketasim pk --data`
# reads it back and predicts each patient's concentrations as a typical patient, those
# predictions become observations (EVID 0) beside the doses, and `ketasim fit` must find the
# typical patient again: every eta within 0.02 of 0 (noise-free data at eta 0: the MAP is 0)
# and the individual predictions within 1% of the observations.
set -euo pipefail
ks=$1 src=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$src"
"$ks" run examples/feder2021.yaml --out "$tmp/run" --patients 6 --quiet > /dev/null
test -s "$tmp/run/doses.csv"
grep -q '^ID,TIME,AMT,RATE,EVID,CMT,MDV,DRUG,ROUTE,PERIOD,ARM,WT,AGE,SEX$' "$tmp/run/doses.csv"
"$ks" pk --data "$tmp/run/doses.csv" --step 30min --duration 60h > "$tmp/pred.csv"
# Ketamine patients only; observations 0.5-8 h after their first dose (day 1, 24 h).
awk -F, 'FNR == NR { if ($8 == "ketamine") { k[$1] = 1; wt[$1] = $12; age[$1] = $13; sex[$1] = $14 } next }
         /^#/ || FNR == 1 { next }
         ($1 in k) && ($2 == 24.5 || $2 == 25 || $2 == 26 || $2 == 28 || $2 == 32) {
           printf "%s,%s,.,.,0,2,0,.,.,1,ketamine,%s,%s,%s,%s\n", $1, $2, wt[$1], age[$1], sex[$1], $3
           printf "%s,%s,.,.,0,3,0,.,.,1,ketamine,%s,%s,%s,%s\n", $1, $2, wt[$1], age[$1], sex[$1], $4 }' \
    "$tmp/run/doses.csv" "$tmp/pred.csv" > "$tmp/obs.rows"
test -s "$tmp/obs.rows" || { echo "no ketamine patients among the first 6"; exit 1; }
{ echo "# units: TIME=h AMT=mg WT=kg DV=ng/mL"
  echo "ID,TIME,AMT,RATE,EVID,CMT,MDV,DRUG,ROUTE,PERIOD,ARM,WT,AGE,SEX,DV"
  { awk -F, '!/^#/ && NR > 4 && $8 == "ketamine" { print $0 ",." }' "$tmp/run/doses.csv"; cat "$tmp/obs.rows"; } \
    | sort -t, -s -k1,1n -k2,2g; } > "$tmp/data.csv"
# Additive residual error only: with a proportional part, the log(SD) term of the likelihood
# pulls the MAP of noise-free data slightly towards lower predictions (about +0.03 on eta here).
"$ks" fit "$tmp/data.csv" --out "$tmp/fit" --quiet --sigma-prop 0 --sigma-add "1 ng/mL"
awk -F, 'NR > 1 { n++; if ($4 > 0.02 || $4 < -0.02 || $5 == "" ) { print "eta off 0: " $0; bad = 1 } }
         END { if (n == 0) { print "no estimates"; exit 1 } exit bad }' "$tmp/fit/estimates.csv"
awk -F, 'NR > 1 { n++; d = $5 - $4; if (d < 0) d = -d; if (d > 0.01 * $4 + 1e-6) { print "IPRED off DV: " $0; bad = 1 } }
         END { print n " observations"; exit bad }' "$tmp/fit/predictions.csv"
echo "ok fit round trip"
