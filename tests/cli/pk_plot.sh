#!/bin/sh
# SPDX-License-Identifier: MIT
# ketasim pk --plot: the figure exists and is a PNG (magic bytes) or an SVG (root element);
# a wrong extension is refused with exit 2 and no file. Usage: pk_plot.sh KETASIM WORKDIR
set -eu
ks=$1; dir=$2
rm -rf "$dir"; mkdir -p "$dir"
fail=0; n=0
check() { n=$((n+1)); if eval "$2"; then :; else echo "FAIL: $1"; fail=1; fi; }
"$ks" pk --drug ketamine --route iv --dose 0.5mg/kg --infusion 40min --summary \
  --plot "$dir/single.png" >"$dir/single.json"
check "single PNG written" "[ -s '$dir/single.png' ]"
check "single PNG magic" "[ \"\$(head -c 8 '$dir/single.png' | od -An -tx1 | tr -d ' \n')\" = 89504e470d0a1a0a ]"
check "summary still printed" "grep -q cmax_ng_ml '$dir/single.json'"
check "summary: one JSON line with the provenance block and the command line" \
  "python3 -c \"import json,sys; p=json.load(open(sys.argv[1]))['provenance']; assert p['command_line'].startswith('ketasim pk') and p['ketasim_version']\" '$dir/single.json'"
"$ks" pk --drug esketamine --route intranasal --dose 56mg --population 50 --duration 8h \
  --plot "$dir/band.SVG" >"$dir/band.csv"
check "population SVG written" "grep -q '<svg' '$dir/band.SVG'"
check "population CSV still printed" "[ \$(wc -l < '$dir/band.csv') -gt 400 ]"
"$ks" pk --drug midazolam --route iv --dose 0.05mg/kg --plot "$dir/mdz.svg" >/dev/null
check "midazolam SVG written" "grep -q '<svg' '$dir/mdz.svg'"
set +e
"$ks" pk --drug ketamine --route iv --dose 0.5mg/kg --plot "$dir/fig.jpg" >/dev/null 2>"$dir/err.txt"
rc=$?
set -e
check "bad extension exits 2" "[ $rc = 2 ]"
check "bad extension names the option" "grep -q -- '--plot' '$dir/err.txt'"
check "bad extension writes nothing" "[ ! -e '$dir/fig.jpg' ]"
[ $fail = 0 ] && echo "$n passed, 0 failed" || exit 1
