#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL 15 on 127.0.0.1 for tests and benchmarks.
#   .ci/postgres.sh start DIR [PORT]   -> prints the DATABASE_URL on stdout
#   .ci/postgres.sh stop DIR
# Runs the server as the "postgres" system user (initdb refuses root). Durability is switched
# off (fsync, synchronous_commit): this cluster holds nothing worth keeping.
set -euo pipefail
action=${1:?start|stop}
dir=${2:?data directory}
port=${3:-55432}
bin=/usr/lib/postgresql/15/bin
run_as_postgres() {
  # From /, since the postgres user may not enter the current directory.
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
case "$action" in
  start)
    if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
      useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    if [ ! -f "$dir/PG_VERSION" ]; then
      run_as_postgres "$bin/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    run_as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null
    run_as_postgres "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='conference'" | grep -q 1 ||
      run_as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres conference
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/conference"
    ;;
  stop)
    [ -f "$dir/postmaster.pid" ] && run_as_postgres "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    ;;
  *)
    echo "usage: $0 start|stop DIR [PORT]" >&2
    exit 2
    ;;
esac
