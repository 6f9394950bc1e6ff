#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two identical runs, at least a second apart, give byte-identical HDF5 files (no object
# timestamps). Skipped (77) without HDF5 in the build.
set -euo pipefail
ks=$1 scen=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$ks" run "$scen" --out "$tmp/a" --patients 6 --hdf5 "$tmp/a.h5" --quiet > /dev/null 2> "$tmp/err" || {
  grep -q "without HDF5" "$tmp/err" && exit 77; cat "$tmp/err"; exit 1; }
sleep 1.1
"$ks" run "$scen" --out "$tmp/b" --patients 6 --hdf5 "$tmp/b.h5" --quiet > /dev/null
cmp "$tmp/a.h5" "$tmp/b.h5"
echo "ok identical HDF5"
