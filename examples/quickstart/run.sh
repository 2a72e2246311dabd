#!/usr/bin/env bash
# Homeostat quickstart: a sandbox fills with logs, a host probe sees the directory over budget and sends a
# disk_full signal, the catalog's rotate_and_compress_logs remediates it live inside the sandbox, the probe
# verifies the usage dropped, and the audit trail is printed. Then the service keeps running until Ctrl-C.
#   QUICKSTART_EXIT=1    exit after the demo instead of keeping the service running (used by the tests)
#   HOMEOSTAT_LISTEN=URL listen elsewhere than http://127.0.0.1:8088
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
homeostat="$root/homeostat"
listen="${HOMEOSTAT_LISTEN:-http://127.0.0.1:8088}"
cd "$here"

echo "==> building homeostat"
"$homeostat" --help > /dev/null

echo "==> preparing the sandbox (examples/quickstart/sandbox) and a fresh store (examples/quickstart/data)"
rm -rf sandbox data
bash ./generate-logs.sh sandbox/var/log/shop

echo "==> starting homeostat (live inside the sandbox only; see homeostat.yaml)"
"$homeostat" run --config homeostat.yaml --listen "$listen" > homeostat.log 2>&1 &
pid=$!
stop() { kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 100); do
  if curl -sf "$listen/readyz" > /dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2> /dev/null; then cat homeostat.log; echo "homeostat stopped during start-up" >&2; exit 1; fi
  sleep 0.2
done
curl -sf "$listen/readyz" > /dev/null || { cat homeostat.log; echo "homeostat did not become ready" >&2; exit 1; }
head -n 3 homeostat.log

echo "==> waiting for the probe to notice and for the remediation to be verified"
state=""
incident=""
for _ in $(seq 1 150); do
  body="$(curl -sf "$listen/api/v1/incidents?service=shop" || true)"
  incident="$(printf '%s' "$body" | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p' | head -n 1)"
  state="$(printf '%s' "$body" | sed -n 's/.*"state":"\([a-z_]*\)".*/\1/p' | head -n 1)"
  case "$state" in remediated|escalated|dry_run) break ;; esac
  sleep 0.2
done

echo "==> an alert for a real directory outside the sandbox: the action may not touch it (not_applicable) and a human is told"
curl -sf -X POST "$listen/api/v1/signals" -H 'Content-Type: application/json' -d '{
  "id": "quickstart-outside", "source": "api", "service": "billing",
  "title": "NodeFilesystemAlmostOutOfSpace", "text": "filesystem /var/log has 2% space left",
  "labels": {"alertname": "NodeFilesystemAlmostOutOfSpace", "path": "/var/log", "severity": "critical"}}' > /dev/null
outside=""
for _ in $(seq 1 50); do
  outside="$(curl -sf "$listen/api/v1/incidents?service=billing" | sed -n 's/.*"state":"\([a-z_]*\)","reason":"\([a-z_]*\)".*/\1 (\2)/p' | head -n 1)"
  [ -n "$outside" ] && break
  sleep 0.2
done
echo "billing /var/log incident: ${outside:-not decided yet}"

echo "==> sandbox after healing"
du -sh sandbox/var/log/shop | awk '{print "sandbox logs: " $1}'
ls sandbox/var/log/shop

echo "==> the audit trail"
"$homeostat" audit --config homeostat.yaml
echo
if [ -n "$incident" ]; then
  echo "==> homeostat explain $incident (the sandbox incident)"
  "$homeostat" explain "$incident" --config homeostat.yaml
fi
"$homeostat" audit --verify --config homeostat.yaml

if [ "$state" != "remediated" ]; then
  echo "quickstart: the incident ended '$state', not remediated; see examples/quickstart/homeostat.log" >&2
  exit 1
fi
echo "quickstart: disk_full remediated and verified in the sandbox"

if [ "${QUICKSTART_EXIT:-0}" = "1" ]; then
  exit 0
fi
echo "==> homeostat keeps running on $listen (API: $listen/api/v1/incidents); press Ctrl-C to stop"
wait "$pid"
