#!/bin/sh
# hdf5.sh KETASIM SCENARIO: `ketasim run --hdf5` read back with h5py. Exits 77 (skipped) when no
# python3 with h5py is found or the build has no HDF5.
set -u
bin=$1 scen=$2
here=$(dirname "$0")
py=""
for p in /usr/bin/python3 python3; do
  if "$p" -c "import h5py" >/dev/null 2>&1; then py=$p; break; fi
done
[ -n "$py" ] || { echo "skipped: no python3 with h5py (apt-get install python3-h5py)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$bin" run "$scen" --out "$tmp/o" --patients 17 --hdf5 "$tmp/o/patients.h5" --quiet >/dev/null 2>"$tmp/err"; then
  grep -q "built without HDF5" "$tmp/err" && { echo "skipped: $(cat "$tmp/err")"; exit 77; }
  echo "FAIL: run --hdf5"; cat "$tmp/err"; exit 1
fi
ls -a "$tmp/o" | grep -q 'tmp\|^\.checkpoint' && { echo "FAIL: temporary files left: $(ls -a "$tmp/o")"; exit 1; }
"$py" "$here/hdf5_check.py" "$tmp/o/patients.h5" "$tmp/o/patients.csv" 17
