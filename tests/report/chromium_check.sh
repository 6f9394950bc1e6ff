#!/bin/sh
# SPDX-License-Identifier: MIT
# Render a sample report in headless Chromium and check that it loads without errors and that
# every figure and table is in the rendered DOM; keep a screenshot as a test artifact.
#   chromium_check.sh SAMPLE_REPORT_PROGRAM OUT_DIR
# Exit 0 pass, 1 fail, 77 skip (no Chromium; CTest's SKIP_RETURN_CODE).
set -eu

prog=$1
out=$2
chromium=${KS_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "SKIP: $chromium not found (install the Debian package chromium; scripts/install-deps does)"
  exit 77
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
html=$out/sample_report.html
shot=$out/report_screenshot.png
rm -f "$html" "$shot" "$out/dom.html"

counts=$("$prog" "$html")
n_fig=$(echo "$counts" | sed -n 's/^figures \([0-9]*\) tables \([0-9]*\)$/\1/p')
n_tab=$(echo "$counts" | sed -n 's/^figures \([0-9]*\) tables \([0-9]*\)$/\2/p')
if [ -z "$n_fig" ] || [ -z "$n_tab" ] || [ ! -s "$html" ]; then
  echo "FAIL: the sample program did not write a report ($counts)"
  exit 1
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT INT TERM
flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --disable-extensions --disable-default-apps --mute-audio --hide-scrollbars \
  --enable-logging=stderr --log-level=0 --v=0 --user-data-dir=$profile"

# shellcheck disable=SC2086
if ! timeout 120 "$chromium" $flags --dump-dom "file://$html" >"$out/dom.html" 2>"$out/chromium_dom.log"; then
  echo "FAIL: chromium --dump-dom failed; see $out/chromium_dom.log"
  tail -5 "$out/chromium_dom.log"
  exit 1
fi
# shellcheck disable=SC2086
if ! timeout 120 "$chromium" $flags --screenshot="$shot" --window-size=1280,2000 "file://$html" \
  >"$out/chromium_shot.log" 2>&1; then
  echo "FAIL: chromium --screenshot failed; see $out/chromium_shot.log"
  tail -5 "$out/chromium_shot.log"
  exit 1
fi

fail=0
check() { # check WHAT EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: expected $2, got $3"
    fail=1
  else
    echo "ok   $1: $3"
  fi
}
count() { grep -o -- "$1" "$out/dom.html" | wc -l | tr -d ' '; }

# It loaded: the DOM was serialised to the end, with the report's title and fixed sections.
check "DOM complete" 1 "$(grep -c '</html>' "$out/dom.html")"
check "title" 1 "$(grep -c '<title>Sample ketasim report' "$out/dom.html")"
check "what-this-is section" 1 "$(count 'id="what-this-is"')"
check "provenance section" 1 "$(count 'id="provenance"')"
# Every figure and table is present, each figure as an inline SVG with drawn content.
check "figures" "$n_fig" "$(count '<figure id="fig-')"
check "inline svg" "$n_fig" "$(count '<svg class="ks-fig"')"
check "figure captions" "$n_fig" "$(count '<figcaption>')"
check "tables" "$n_tab" "$(count '<table id="table-')"
# No errors while loading: no console messages and no failed resource loads.
check "console messages" 0 "$(grep -c 'CONSOLE' "$out/chromium_dom.log" || true)"
check "failed loads" 0 "$(grep -ci 'Failed to load\|net::ERR_' "$out/chromium_dom.log" || true)"
# The screenshot is a PNG of a drawn page (a blank page compresses to a few KB).
magic=$(od -An -tx1 -N8 "$shot" 2>/dev/null | tr -d ' \n')
check "screenshot PNG" 89504e470d0a1a0a "$magic"
size=$(wc -c <"$shot" | tr -d ' ')
if [ "$size" -lt 40000 ]; then
  echo "FAIL: screenshot is only $size bytes (blank page?)"
  fail=1
else
  echo "ok   screenshot: $size bytes at $shot"
fi
exit $fail
