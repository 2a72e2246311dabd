#!/usr/bin/env bash
# Runs every test on a fresh machine: starts what the tests need, builds with warnings as errors, runs the whole
# suite with TRX results, and ends with one line "N passed, N failed, N skipped". Exits non-zero if anything failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 CI="${CI:-true}"
results="$root/TestResults"
rm -rf "$results"

# External components the tests run against are started here (bound to 127.0.0.1) and stopped on exit.
# The current suite needs none: the embedded store is SQLite and every HTTP peer is started in-process.
services_pids=()
cleanup() { for pid in "${services_pids[@]}"; do kill "$pid" 2> /dev/null || true; done; }
trap cleanup EXIT

echo "==> build (Release, warnings are errors)"
if ! dotnet build Homeostat.slnx -c Release -nologo -v minimal; then
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

echo "==> test"
dotnet test Homeostat.slnx -c Release --no-build -nologo --logger "trx" --logger "console;verbosity=normal" --results-directory "$results"
status=$?

summary_status=0
bash "$root/scripts/trx-summary.sh" "$results" || summary_status=$?
if [ "$status" -ne 0 ] || [ "$summary_status" -ne 0 ]; then
  exit 1
fi
