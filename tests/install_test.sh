#!/bin/sh
# SPDX-License-Identifier: MIT
# Install libketasim into a temporary prefix and build examples/c against it, with pkg-config
# (shared, and static via --static) and with CMake (ketasim::ketasim, ketasim::ketasim_static);
# run each program. Usage: install_test.sh SOURCE_DIR BINARY_DIR
set -eu
src=$1
bin=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ketasim-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cmake --install "$bin" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name ketasim.pc)
[ -n "$pc" ] || { echo "install_test: no ketasim.pc installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
for h in io.h report.h; do
  if [ -e "$tmp/prefix/include/ketasim/$h" ]; then echo "install_test: internal header $h installed"; exit 1; fi
done
# The shared library exports the public API only (KS_API), not the CLI's internal helpers.
if nm -D --defined-only "$libdir/libketasim.so" | grep -q ' ks_json_\| ks_csv_\| ks_fig_\| ks_edit_distance'; then
  echo "install_test: libketasim.so exports internal helpers"; exit 1
fi
nm -D --defined-only "$libdir/libketasim.so" | grep -q ' ks_trial_run$' || { echo "install_test: ks_trial_run not exported"; exit 1; }

export PKG_CONFIG_PATH="$(dirname "$pc")"
cc=${CC:-cc}
# shellcheck disable=SC2046
$cc -std=c17 -Wall -Werror "$src/examples/c/run_trial.c" -o "$tmp/run_pc" $(pkg-config --cflags --libs ketasim) \
  -Wl,-rpath,"$libdir"
"$tmp/run_pc"
# shellcheck disable=SC2046
$cc -std=c17 -Wall -Werror "$src/examples/c/run_trial.c" -o "$tmp/run_pc_static" \
  $(pkg-config --cflags ketasim) "$libdir/libketasim.a" $(pkg-config --static --libs-only-other --libs-only-L --libs-only-l ketasim | sed 's/-lketasim//')
"$tmp/run_pc_static" >/dev/null

cmake -S "$src/examples/c" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_BUILD_RPATH="$libdir" >/dev/null
cmake --build "$tmp/build" >/dev/null
"$tmp/build/run_trial" >/dev/null
"$tmp/build/run_trial_static" >/dev/null
# Python finds the installed library through pkg-config (python/ketasim, docs/python.md).
if /usr/bin/python3 -c "import numpy, pandas" 2>/dev/null; then
  env -u KETASIM_LIB PYTHONPATH="$src/python" /usr/bin/python3 -c "
import ketasim, os
assert os.path.realpath(ketasim.library_path()).startswith(os.path.realpath('$libdir')), ketasim.library_path()
df = ketasim.pk('ketamine', 'iv', '0.5 mg/kg', infusion='40 min', duration='2 h', step='10 min')
assert len(df) == 13 and df['s-ketamine_plasma'].max() > 0
print('install_test: python uses', ketasim.library_path())"
fi
echo "install_test: pkg-config (shared, static) and CMake (ketasim::ketasim, ketasim::ketasim_static) builds ran"
