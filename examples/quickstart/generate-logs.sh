#!/usr/bin/env bash
# Fills the quickstart sandbox with application logs: eight rotated logs from hours ago and today's live log.
set -euo pipefail
dir="${1:?usage: generate-logs.sh DIR}"
mkdir -p "$dir"
services=(checkout cart search payments)
for i in 1 2 3 4 5 6 7 8; do
  svc=${services[$((i % 4))]}
  file="$dir/shop.log.$i"
  {
    for n in $(seq 1 400); do
      printf '2026-11-28T0%d:%02d:%02d.%03dZ level=info service=%s route=/api/v1/%s status=200 latency_ms=%d request_id=%08x\n' \
        $((i % 10)) $((n % 60)) $(((n * 7) % 60)) $((n % 1000)) "$svc" "$svc" $(((n * 13) % 250)) $((n * 2654435761 % 4294967296))
    done
  } > "$file.seed"
  # Repeat the block to about 4 MiB per file.
  while [ "$(stat -c %s "$file.seed")" -lt 4194304 ]; do cat "$file.seed" "$file.seed" > "$file.tmp"; mv "$file.tmp" "$file.seed"; done
  head -c 4194304 "$file.seed" > "$file"; rm -f "$file.seed"
  touch -d "-$((i + 1)) hours" "$file"
done
printf '2026-11-28T03:00:00.000Z level=info service=shop msg="live log, still being written"\n' > "$dir/shop.log"
du -sh "$dir" | awk '{print "sandbox logs: " $1}'
