#!/usr/bin/env bash
# The man page docs/ketasim.1 lists every command of `ketasim --help` and every option of each
# command's --help, and nothing else.
set -euo pipefail
ks=$1; man=$2; fail=0; n=0
cmds=$("$ks" --help | sed -n '/^commands:/,$p' | tail -n +2 | awk '{print $1}')
for c in $cmds; do
  n=$((n+1))
  grep -q "^\.SS $c\$" "$man" || { echo "man page lacks command $c"; fail=1; }
  for o in $("$ks" "$c" --help | grep -oE '^\s+--[a-z0-9-]+' | tr -d ' '); do
    grep -qF -- "$(echo "$o" | sed 's/-/\\-/g')" "$man" || { echo "man page lacks $c $o"; fail=1; }
  done
done
for c in $(sed -n 's/^\.SS //p' "$man"); do
  echo "$cmds" | grep -qx "$c" || { echo "man page lists $c, which --help does not"; fail=1; }
done
[ $fail = 0 ] && echo "$n passed, 0 failed" || exit 1
