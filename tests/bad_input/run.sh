#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One case of the bad-input catalogue: run ketasim on it and check that it exits 2, prints nothing
# on stdout and exactly the line of NAME.expect on stderr.
#
#   run.sh CLI SOURCE_DIR BINARY_DIR NAME
#
# NAME.yaml  a malformed scenario, checked as `ketasim check tests/bad_input/NAME.yaml` from SOURCE_DIR;
# NAME.args  a command line (one argument per line) run from SOURCE_DIR;
# NAME.gen   a size in bytes: a scenario file of that size is generated in BINARY_DIR/bad_input_gen
#            (never committed) and checked as `ketasim check bad_input_gen/NAME.yaml` from BINARY_DIR.
set -u
cli=$1 src=$2 bin=$3 name=$4
dir=$src/tests/bad_input
expect_file=$dir/$name.expect
[ -f "$expect_file" ] || { echo "missing $expect_file"; exit 1; }
expected=$(cat "$expect_file")

if [ -f "$dir/$name.args" ]; then
  mapfile -t args < "$dir/$name.args"
  cd "$src" || exit 1
elif [ -f "$dir/$name.gen" ]; then
  size=$(head -n1 "$dir/$name.gen")
  mkdir -p "$bin/bad_input_gen"
  gen=$bin/bad_input_gen/$name.yaml
  if [ ! -f "$gen" ] || [ "$(stat -c %s "$gen")" != "$size" ]; then
    { printf 'ketasim: 1\nname: huge\n'; yes '# padding padding padding padding padding padding padding'; } 2>/dev/null \
      | head -c "$size" > "$gen.tmp" && mv "$gen.tmp" "$gen"
  fi
  args=(check "bad_input_gen/$name.yaml")
  cd "$bin" || exit 1
else
  args=(check "tests/bad_input/$name.yaml")
  cd "$src" || exit 1
fi

out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$cli" "${args[@]}" >"$out" 2>"$err"
rc=$?
fail=0
if [ "$rc" -ne 2 ]; then echo "FAIL $name: exit code $rc, expected 2"; fail=1; fi
if [ -s "$out" ]; then echo "FAIL $name: stdout not empty:"; cat "$out"; fail=1; fi
if [ "$(cat "$err")" != "$expected" ]; then
  echo "FAIL $name: stderr differs"
  echo "  expected: $expected"
  echo "  got:      $(cat "$err")"
  fail=1
fi
if [ "$(wc -l < "$err")" -ne 1 ]; then echo "FAIL $name: stderr has $(wc -l < "$err") lines, expected 1"; fail=1; fi
[ $fail -eq 0 ] && echo "ok $name"
exit $fail
