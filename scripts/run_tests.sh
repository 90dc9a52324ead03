#!/usr/bin/env bash
# Run the whole test suite. Starts a throwaway PostgreSQL cluster on 127.0.0.1 for the
# PostgreSQL pass of the workspace tests and stops it afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p test-artifacts

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ -n "$pg_bin" ] && { [ "$(id -u)" -ne 0 ] || id postgres >/dev/null 2>&1; }; then
  pg_dir=$(mktemp -d /tmp/editcaption-pg.XXXXXX)
  chmod 755 "$pg_dir"
  [ "$(id -u)" -eq 0 ] && chown postgres "$pg_dir"
  port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  if as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U editcaption --auth=trust >"$pg_dir/initdb.log" 2>&1 \
     && as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
          -o "-h 127.0.0.1 -p $port -k $pg_dir -F" start >/dev/null 2>&1; then
    export EDITCAPTION_TEST_PG_URL="postgresql://editcaption@127.0.0.1:$port/postgres"
    echo "PostgreSQL test server on 127.0.0.1:$port"
  else
    echo "NOTICE: could not start PostgreSQL (see $pg_dir/*.log); the PostgreSQL pass will be skipped" >&2
    cat "$pg_dir"/*.log >&2 || true
  fi
else
  echo "NOTICE: PostgreSQL is not installed; the PostgreSQL pass will be skipped" >&2
fi

$PY -m pytest "$@"
