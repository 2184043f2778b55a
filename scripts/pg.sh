# A private PostgreSQL cluster on a loopback port for the test run (sourced by scripts/test.sh).
# It runs as the `postgres` system user (initdb refuses root) from a temp dir, and stops on exit.
PG_PORT="${PG_PORT:-55432}"

start_private_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PG_DIR=$(mktemp -d /tmp/orchestra-pg.XXXXXX)
  chown postgres "$PG_DIR"
  runuser -u postgres -- "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
  runuser -u postgres -- "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" orchestra_test
  export TEST_PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/orchestra_test"
  PG_BIN="$bin"
}

stop_private_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
