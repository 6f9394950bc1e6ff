#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ketasim cascade --plot FILE`: the CSV still goes to stdout, and a complete PNG or SVG figure is
# written (for one dose over hours and for repeated doses over days); nothing is left behind on
# failure.
#
#   cascade_plot.sh KETASIM
set -euo pipefail
ks=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0; n=0
check() { n=$((n + 1)); if ! eval "$2"; then echo "FAIL $1"; fail=1; fi; }

"$ks" cascade --drug ketamine --route iv --dose 0.5mg/kg --infusion 40min --days 1 --step 5min \
  --plot "$tmp/one.svg" > "$tmp/one.csv"
check "one dose: CSV rows" '[ "$(wc -l < "$tmp/one.csv")" -eq 290 ]'
check "one dose: SVG written" 'grep -q "</svg>" "$tmp/one.svg"'

"$ks" cascade --drug ketamine --route iv --dose 0.5mg/kg --infusion 40min --repeat 3 --every 48h \
  --days 10 --knockout mtorc1 --plot "$tmp/ko.png" > "$tmp/ko.csv"
check "repeated doses: PNG written" '[ "$(head -c 8 "$tmp/ko.png" | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a ]'
check "repeated doses: CSV header" 'head -1 "$tmp/ko.csv" | grep -q "^t_h,"'

# A bad extension is refused before anything runs, with exit 2 and nothing on stdout.
set +e
out=$("$ks" cascade --drug ketamine --route iv --dose 0.5mg/kg --plot "$tmp/x.jpg" 2> "$tmp/err")
rc=$?
set -e
check "bad extension: exit 2" '[ $rc -eq 2 ] && [ -z "$out" ] && grep -q "^ketasim: --plot:" "$tmp/err"'
# An unwritable place fails (exit 1) and leaves no file.
set +e
"$ks" cascade --drug ketamine --route iv --dose 0.5mg/kg --days 1 --plot "$tmp/missing-dir/x.png" > /dev/null 2> "$tmp/err"
rc=$?
set -e
check "unwritable: exit 1, no file" '[ $rc -eq 1 ] && [ ! -e "$tmp/missing-dir/x.png" ]'
[ $fail = 0 ] && echo "$n passed, 0 failed" || exit 1
