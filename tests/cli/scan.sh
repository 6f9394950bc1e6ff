#!/bin/sh
# SPDX-License-Identifier: MIT
# ketasim scan: baseline scan files (FC with region names as header row and first column,
# symmetric with unit diagonal; BOLD per TR; heatmap PNG); a scan after a ketamine course adds
# the baseline and the change (fc_change = fc - fc_baseline) and raises the analytic
# vmPFC-amygdala coupling; bad regimen flags exit 2 with one message and nothing written.
# Usage: scan.sh KETASIM WORKDIR
set -eu
ks=$1; dir=$2
rm -rf "$dir"; mkdir -p "$dir"
fail=0; n=0
check() { n=$((n+1)); if eval "$2"; then :; else echo "FAIL: $1"; fail=1; fi; }
png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }

"$ks" scan --severity 1 --duration 2min --tr 2s --out "$dir/base" 2>/dev/null
check "fc.csv header row" "head -1 '$dir/base/fc.csv' | grep -q '^region,vmPFC,rACC,dACC,dlPFC,amygdala,aHipp,aInsula,PCC\$'"
check "fc.csv first column" "[ \"\$(cut -d, -f1 '$dir/base/fc.csv' | tail -n +2 | tr '\n' ' ')\" = 'vmPFC rACC dACC dlPFC amygdala aHipp aInsula PCC ' ]"
check "fc symmetric, unit diagonal, |r| <= 1" "awk -F, 'NR>1{for(j=2;j<=NF;j++)m[NR-1,j-1]=\$j} END{bad=0;for(i=1;i<=8;i++)for(j=1;j<=8;j++){if(m[i,j]!=m[j,i]||m[i,j]>1||m[i,j]<-1)bad=1}for(i=1;i<=8;i++)if(m[i,i]!=1)bad=1; exit bad}' '$dir/base/fc.csv'"
check "bold.csv: header + 60 TRs" "[ \$(wc -l < '$dir/base/bold.csv') = 61 ] && head -1 '$dir/base/bold.csv' | grep -q '^time_s,vmPFC,'"
check "fc.png is a PNG" "png '$dir/base/fc.png'"
check "no drug: no baseline files" "[ ! -e '$dir/base/fc_change.csv' ]"
check "summary.json: valid JSON with the provenance block and the command line" \
  "python3 -c \"import json,sys; p=json.load(open(sys.argv[1]))['provenance']; assert p['command_line'].startswith('ketasim scan') and p['ketasim_version']\" '$dir/base/summary.json'"

# Whole-brain scans through a connectome, with conduction delays (the delayed coupling path) and
# without: both finish with finite FC (regression: the delayed gather once read past its history).
src=$(cd "$(dirname "$0")/../.." && pwd)
for mode in delays no-delays; do
  flag=; [ "$mode" = no-delays ] && flag=--no-delays
  "$ks" scan --connectome "$src/data/circuit/example_bilateral" $flag --duration 1min --out "$dir/wb-$mode" 2>/dev/null
  check "connectome scan ($mode) writes fc.csv" "[ -s '$dir/wb-$mode/fc.csv' ]"
  check "connectome scan ($mode): FC finite" "! tail -n +2 '$dir/wb-$mode/fc.csv' | grep -qi 'nan\|inf'"
done

"$ks" scan --severity 1 --drug ketamine --route iv --dose 0.5mg/kg --infusion 40min \
  --repeat 6 --every 56h --day 14 --duration 2min --out "$dir/ket" 2>/dev/null
for f in fc.csv fc_baseline.csv fc_change.csv bold.csv bold_baseline.csv summary.json; do
  check "regimen writes $f" "[ -s '$dir/ket/$f' ]"
done
for f in fc.png fc_baseline.png fc_change.png; do check "regimen $f is a PNG" "png '$dir/ket/$f'"; done
check "fc_change = fc - fc_baseline" "paste -d, '$dir/ket/fc.csv' '$dir/ket/fc_baseline.csv' '$dir/ket/fc_change.csv' | awk -F, 'NR>1{for(j=2;j<=9;j++){d=\$j-\$(j+9)-\$(j+18); if(d>2e-6||d<-2e-6)bad=1}} END{exit bad}'"
check "course raises analytic vmPFC-amygdala FC" "awk '/\"vmpfc_amygdala_rest_z\"/{gsub(/[,]/,\"\",\$2); v[++k]=\$2} END{exit !(k==2 && v[2]>v[1])}' '$dir/ket/summary.json'"
check "course lowers spine deficit (drive from the cascade)" "awk '/\"spine_pfc_rel\"/{gsub(/[,]/,\"\",\$2); v[++k]=\$2} END{exit !(k==2 && v[1]<1 && v[2]>v[1])}' '$dir/ket/summary.json'"

bad() { # name, expected option in message, args...
  name=$1; opt=$2; shift 2
  rm -rf "$dir/bad"
  set +e
  "$ks" scan "$@" --out "$dir/bad" >/dev/null 2>"$dir/err.txt"
  rc=$?
  set -e
  check "$name exits 2" "[ $rc = 2 ]"
  check "$name: one line naming $opt" "[ \$(wc -l < '$dir/err.txt') = 1 ] && grep -q -- '^ketasim: $opt' '$dir/err.txt'"
  check "$name writes nothing" "[ ! -e '$dir/bad' ] || [ -z \"\$(ls -A '$dir/bad')\" ]"
}
bad "drug without dose" --dose --drug ketamine --route iv --day 1
bad "day without drug" --day --day 3
bad "unknown drug" --drug --drug aspirin --route iv --dose 10mg --day 1
bad "drive flag with drug" --gain-dmn --drug ketamine --route iv --dose 10mg --day 1 --gain-dmn 2
bad "infusion on a non-iv route" --infusion --drug esketamine --route intranasal --dose 56mg --infusion 40min --day 1
bad "day out of range" --day --drug ketamine --route iv --dose 10mg --day 400
[ $fail = 0 ] && echo "$n passed, 0 failed" || exit 1
