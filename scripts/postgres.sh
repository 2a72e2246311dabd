#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL server on 127.0.0.1 for the tests (no systemd; the Debian server binaries).
#   scripts/postgres.sh start DIR PORT   prints the connection string on its last line
#   scripts/postgres.sh stop DIR
set -euo pipefail
cmd="${1:?usage: postgres.sh start|stop DIR [PORT]}"; base="${2:?DIR}"; port="${3:-15432}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
[ -n "$bin" ] || { echo "postgres.sh: no PostgreSQL server binaries under /usr/lib/postgresql" >&2; exit 1; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "$cmd" in
  start)
    rm -rf "$base"; mkdir -p "$base"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$base"; fi
    echo 'homeostat-test' > "$base/pw"
    if [ "$(id -u)" = 0 ]; then chown postgres "$base/pw"; fi
    as_postgres "$bin/initdb" -D "$base/data" -U postgres --pwfile="$base/pw" --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --no-locale --no-sync > "$base/initdb.log"
    as_postgres "$bin/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $base -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60" start > /dev/null
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Password=homeostat-test;Database=postgres"
    ;;
  stop)
    [ -d "$base/data" ] && as_postgres "$bin/pg_ctl" -D "$base/data" -m fast -w stop > /dev/null || true
    ;;
esac
