#!/usr/bin/env bash
# Prints "N passed, N failed, N skipped" summed over the TRX files in a folder; exits 1 when any test failed or none ran.
set -euo pipefail
dir="${1:?usage: trx-summary.sh RESULTS_DIR}"
shopt -s nullglob
files=("$dir"/*.trx)
passed=0; failed=0; skipped=0
for f in "${files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$f" | head -n 1)
  value() { printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  # Skipped tests are results with outcome NotExecuted; the Counters element does not always count them.
  skipped=$((skipped + $({ grep -o '<UnitTestResult [^>]*outcome="NotExecuted"' "$f" || true; } | wc -l)))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
