#!/bin/sh
# strip_run.sh SUMMARY.json: print summary.json without its "run" object (timing, host, processes),
# so the rest can be compared byte for byte.
awk '
  skip == 0 && /"run": *\{/ { skip = 1; depth = 0 }
  skip == 1 {
    depth += gsub(/\{/, "{"); depth -= gsub(/\}/, "}")
    if (depth <= 0) skip = 2
    next
  }
  { print }
' "$1"
