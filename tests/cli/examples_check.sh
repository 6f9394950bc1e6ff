#!/usr/bin/env bash
# `ketasim check` accepts every scenario in examples/.
set -euo pipefail
ks=$1; dir=$2; n=0
for f in "$dir"/examples/*.yaml; do "$ks" check "$f" >/dev/null; n=$((n+1)); done
[ "$n" -gt 0 ]
echo "$n passed, 0 failed"
