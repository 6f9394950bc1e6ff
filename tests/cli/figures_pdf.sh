#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ketasim run --figures-pdf`: every PLplot figure of report.html also as DIR/figures/figure-NN.pdf
# (numbered as in the report; the hand-written participant-flow SVG has none), and report.html
# unchanged by the option (but for its generation time and command line).
set -euo pipefail
ks=$1 scen=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$ks" run "$scen" --out "$tmp/a" --patients 12 --figures-pdf --quiet > /dev/null
"$ks" run "$scen" --out "$tmp/b" --patients 12 --quiet > /dev/null
cmp <(grep -v '<dt>generated</dt>\|<dt>command line</dt>' "$tmp/a/report.html") <(grep -v '<dt>generated</dt>\|<dt>command line</dt>' "$tmp/b/report.html")
n_fig=$(( $(grep -o '<figure' "$tmp/a/report.html" | wc -l) - $(grep -o 'ks-arrow"' "$tmp/a/report.html" | wc -l) ))
n_pdf=$(ls "$tmp/a/figures" | grep -c '^figure-[0-9][0-9]\.pdf$')
[ "$n_fig" -gt 0 ] && [ "$n_fig" = "$n_pdf" ] || { echo "figures $n_fig, PDFs $n_pdf"; exit 1; }
for f in "$tmp"/a/figures/*.pdf; do
  [ "$(head -c 5 "$f")" = "%PDF-" ] || { echo "$f is not a PDF"; exit 1; }
done
[ ! -e "$tmp/b/figures" ] || { echo "figures/ written without --figures-pdf"; exit 1; }
echo "ok $n_pdf PDF figures"
