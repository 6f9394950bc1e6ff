#!/usr/bin/env bash
# docs/model.md is the assembly of docs/model/*.md (scripts/build-model-doc): check it is current.
set -euo pipefail
src=$1; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp -r "$src/docs" "$src/scripts" "$tmp/"
(cd "$tmp" && scripts/build-model-doc)
cmp "$tmp/docs/model.md" "$src/docs/model.md" || { echo "docs/model.md is stale: run scripts/build-model-doc"; exit 1; }
echo "1 passed, 0 failed"
