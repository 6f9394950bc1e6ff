#!/bin/sh
# SPDX-License-Identifier: MIT
# The whole-trial regression: run the case of case.sh and compare with the stored answer
# (compare.py states the tolerance). Usage: run.sh KETASIM SOURCE_DIR
set -eu
bin=$1
root=$2
. "$root/tests/regression/case.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ketasim-regression.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$bin" run "$root/$KS_REGRESSION_SCENARIO" $KS_REGRESSION_ARGS --out "$tmp/run" --quiet >/dev/null
python3 "$root/tests/regression/compare.py" "$root/tests/regression/expected" "$tmp/run"
