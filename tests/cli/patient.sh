#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ketasim patient`: patient K's visits.csv holds exactly the values of the rows "patient = K" of
# patients.csv from `ketasim run` with the same scenario (same covariates, streams, allocation),
# for several K in both arms; --arm gives a counterfactual with the same covariates; every table
# is written; --plot writes one figure per panel.
#
#   patient.sh KETASIM SCENARIO.yaml
set -euo pipefail
ks=$1; scen=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0; n=0
"$ks" run "$scen" --out "$tmp/run" --quiet > /dev/null
measures="caps5 caps5_b caps5_c caps5_d caps5_e pcl5 iesr madrs cadss fc_vmpfc_amygdala_z window gain_vmpfc_amygdala spine_pfc fear avoidance sbp_peak_mmHg dbp_peak_mmHg"

# columns COLS of FILE (by header name), rows where column FC equals FV (FC empty: every row)
pick() {
  awk -F, -v cols="$2" -v fc="$3" -v fv="$4" '
    NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; n = split(cols, c, " ");
              for (j = 1; j <= n; j++) if (!(c[j] in h)) { print "missing column " c[j] > "/dev/stderr"; exit 3 }
              next }
    fc == "" || $h[fc] == fv { s = ""; for (j = 1; j <= n; j++) s = s (j > 1 ? "," : "") $h[c[j]]; print s }' "$1"
}

npat=$(awk -F, 'NR > 1 { print $1 }' "$tmp/run/patients.csv" | sort -n | tail -1)
arms=$(awk -F, 'NR > 1 { print $2 }' "$tmp/run/patients.csv" | sort -u)
# the first patient of each arm, and the last patient
ids=$(for a in $arms; do awk -F, -v a="$a" 'NR > 1 && $2 == a { print $1; exit }' "$tmp/run/patients.csv"; done; echo "$npat")
for k in $(echo "$ids" | sort -nu); do
  n=$((n + 1))
  out=$tmp/p$k
  "$ks" patient "$scen" --id "$k" --out "$out" --quiet
  for f in patient doses pk cascade fear visits columns; do
    [ -s "$out/$f.csv" ] || { echo "FAIL patient $k: $f.csv missing or empty"; fail=1; }
  done
  want=$(pick "$tmp/run/patients.csv" "visit t_h $measures" patient "$k")
  got=$(pick "$out/visits.csv" "visit_label t_h $measures" "" "")
  if [ "$want" != "$got" ]; then
    echo "FAIL patient $k: visits.csv differs from patients.csv"
    diff <(echo "$want") <(echo "$got") | head -10
    fail=1
  fi
  # the covariates agree with patients.csv too
  wc=$(pick "$tmp/run/patients.csv" "age_y female weight_kg" patient "$k" | head -1)
  gc=$(pick "$out/patient.csv" "age_y female weight_kg" "" "")
  [ "$wc" = "$gc" ] || { echo "FAIL patient $k: covariates $gc, patients.csv $wc"; fail=1; }
done

# A counterfactual: patient 1 on the other arm keeps the covariates and changes the trajectory.
first_arm=$(pick "$tmp/run/patients.csv" "arm" patient 1 | head -1)
other=$(echo "$arms" | grep -vx "$first_arm" | head -1 || true)
if [ -n "$other" ]; then
  n=$((n + 1))
  "$ks" patient "$scen" --id 1 --arm "$other" --out "$tmp/cf" --quiet --plot "$tmp/cf/fig.svg"
  [ "$(pick "$tmp/cf/patient.csv" "age_y weight_kg caps5_true" "" "")" = \
    "$(pick "$tmp/p1/patient.csv" "age_y weight_kg caps5_true" "" "")" ] || { echo "FAIL counterfactual changed the covariates"; fail=1; }
  [ "$(pick "$tmp/cf/visits.csv" "$measures" "" "")" != "$(pick "$tmp/p1/visits.csv" "$measures" "" "")" ] || {
    echo "FAIL counterfactual arm $other gave the same trajectory as $first_arm"; fail=1; }
  for p in concentrations receptor cascade gains fear clusters scales; do
    grep -q "<svg" "$tmp/cf/fig-$p.svg" 2>/dev/null || { echo "FAIL --plot: fig-$p.svg missing"; fail=1; }
  done
fi
[ $fail = 0 ] && echo "$n passed, 0 failed" || exit 1
