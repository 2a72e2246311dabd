#!/usr/bin/env bash
# Runs every test on a fresh machine: starts what the tests need, builds with warnings as errors, runs the whole
# suite with TRX results, and ends with one line "N passed, N failed, N skipped". Exits non-zero if anything failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 CI="${CI:-true}"
results="$root/TestResults"
rm -rf "$results"

# Real components the tests run against. The tests start them themselves, bound to 127.0.0.1, from these Debian
# packages: pebble and lego (host certificate renewal against a real ACME CA), Prometheus, Alertmanager and
# node_exporter (the real monitoring stack end to end), and the PostgreSQL server (preinstalled on these machines;
# PostgreSQL actions). Install whatever is missing.
missing=()
for pair in pebble:/usr/bin/pebble lego:/usr/bin/lego prometheus:/usr/bin/prometheus \
    prometheus-alertmanager:/usr/bin/prometheus-alertmanager prometheus-node-exporter:/usr/bin/prometheus-node-exporter; do
  [ -x "${pair#*:}" ] || missing+=("${pair%%:*}")
done
ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1 || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq > /dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
  else
    echo "scripts/test.sh: install ${missing[*]} (apt-get) or run as root" >&2
  fi
fi

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
