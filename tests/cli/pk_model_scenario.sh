#!/bin/sh
# SPDX-License-Identifier: MIT
# pk_model in a scenario regimen: the trial runs with that PK parameter set (patients.csv differs
# from the default set's run), and the resolved scenario keeps the key.
# Usage: pk_model_scenario.sh KETASIM SCENARIO_TEMPLATE WORKDIR
set -eu
ks=$1; tmpl=$2; dir=$3
rm -rf "$dir"; mkdir -p "$dir"
sed -e 's#{drug: esketamine, route: rectal, dose: 28 mg,#{drug: ketamine, route: iv, dose: 0.5 mg/kg, pk_model: domino1982,#' \
    -e 's#population: {n: 30#population: {n: 4#' "$tmpl" > "$dir/domino.yaml"
sed 's#, pk_model: domino1982##' "$dir/domino.yaml" > "$dir/default.yaml"
"$ks" run "$dir/domino.yaml" --out "$dir/d" --quiet >/dev/null
"$ks" run "$dir/default.yaml" --out "$dir/f" --quiet >/dev/null
grep -q 'pk_model: domino1982' "$dir/d/scenario.resolved.yaml" || { echo "FAIL: resolved file lost pk_model"; exit 1; }
if cmp -s "$dir/d/patients.csv" "$dir/f/patients.csv"; then echo "FAIL: pk_model had no effect"; exit 1; fi
echo "2 passed, 0 failed"
