#!/bin/sh
# SPDX-License-Identifier: MIT
# One studied-dose table (issue 15 part 2): `ketasim pk` and `ketasim check` accept and refuse
# the same doses. For each (drug, route, dose) both commands run; their exit codes must be equal
# (0 accepted, 2 refused), and the expected decision is written here by hand from the table in
# docs/model/pk.md. Usage: pk_studied_range.sh KETASIM SCENARIO_TEMPLATE WORKDIR
set -eu
ks=$1; tmpl=$2; dir=$3
rm -rf "$dir"; mkdir -p "$dir"
fail=0; n=0
# drug route dose(pk spelling) dose(yaml) expected-exit
cases="ketamine iv 0.5mg/kg 0.5|mg/kg 0
ketamine iv 1.0mg/kg 1.0|mg/kg 0
ketamine iv 1.2mg/kg 1.2|mg/kg 2
ketamine iv 70mg 70|mg 0
ketamine iv 75mg 75|mg 2
ketamine oral 3mg/kg 3|mg/kg 0
ketamine oral 250mg 250|mg 0
ketamine oral 260mg 260|mg 2
ketamine sublingual 70mg 70|mg 0
ketamine sublingual 1.1mg/kg 1.1|mg/kg 2
ketamine rectal 25mg 25|mg 2
ketamine intranasal 100mg 100|mg 0
esketamine intranasal 84mg 84|mg 0
esketamine intranasal 112mg 112|mg 2
esketamine iv 0.4mg/kg 0.4|mg/kg 0
esketamine iv 0.5mg/kg 0.5|mg/kg 2
midazolam iv 0.045mg/kg 0.045|mg/kg 0
midazolam iv 0.2mg/kg 0.2|mg/kg 2"
echo "$cases" | while read -r drug route pkdose ydose want; do
  n=$((n+1))
  y=$(echo "$ydose" | tr '|' ' ')
  f="$dir/$n.yaml"
  sed "s#{drug: esketamine, route: rectal, dose: 28 mg#{drug: $drug, route: $route, dose: $y#" \
    "$tmpl" > "$f"
  set +e
  "$ks" check "$f" >/dev/null 2>"$dir/$n.check.err"; rc_check=$?
  "$ks" pk --drug "$drug" --route "$route" --dose "$pkdose" --duration 1h --summary \
    >/dev/null 2>"$dir/$n.pk.err"; rc_pk=$?
  set -e
  if [ "$rc_check" != "$want" ] || [ "$rc_pk" != "$want" ]; then
    echo "FAIL: $drug $route $pkdose: check exit $rc_check, pk exit $rc_pk (expected $want)"
    cat "$dir/$n.check.err" "$dir/$n.pk.err"
    echo x >> "$dir/failed"
  fi
done
[ ! -e "$dir/failed" ] && echo "$(echo "$cases" | wc -l) cases agree" || exit 1
