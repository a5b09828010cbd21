#!/usr/bin/env bash
# deno task dbtest — the persistence tests against a throwaway PostgreSQL 15 (spec B1.3), standalone:
#
# 1. Installs Debian's postgresql when initdb is missing (root or passwordless sudo; otherwise prints the
#    exact apt-get command and fails — never a silent skip).
# 2. initdb into a temp dir as a non-root user (Postgres refuses root), trust auth, loopback only, a free port
#    from 57432; creates the database cryptorun_dbtest.
# 3. Applies the migrations with `cryptorun db migrate` (kind postgres, DSN from CRYPTORUN_PG_DSN), then runs
#    tests/persistence and tests/data/facade_test.ts with CRYPTORUN_TEST_PG_DSN set (each test makes its own
#    fresh database on this server). Extra arguments go to `deno test` (e.g. --filter fault).
# 4. Stops the server, removes the temp dir, prints `deno test: N passed, N failed, N skipped`.
set -euo pipefail
export NO_COLOR=1
cd "$(dirname "$0")/.."

PG_BIN=/usr/lib/postgresql/15/bin
if [[ ! -x "$PG_BIN/initdb" ]]; then
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "dbtest: PostgreSQL 15 is missing. Install it, then run again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y postgresql" >&2
    exit 1
  fi
  echo "dbtest: installing postgresql (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  [[ -x "$PG_BIN/initdb" ]] || { echo "dbtest: postgresql installed but $PG_BIN/initdb is missing" >&2; exit 1; }
fi

TMP=$(mktemp -d /tmp/cryptorun-dbtest.XXXXXX)
chmod 755 "$TMP"
PG_DATA="$TMP/pg"
PG_RUN=()
STARTED=0
cleanup() {
  set +e
  if ((STARTED)); then "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

PG_PORT=$(free_port 57432)
if [[ $(id -u) -eq 0 ]]; then
  id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  mkdir -p "$PG_DATA" && chown postgres "$PG_DATA" "$TMP"
  PG_RUN=(runuser -u postgres --)
else
  mkdir -p "$PG_DATA"
fi
"${PG_RUN[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U cryptorun -A trust --no-sync -E UTF8 >"$TMP/initdb.log" 2>&1 \
  || { echo "dbtest: initdb failed:" >&2; cat "$TMP/initdb.log" >&2; exit 1; }
"${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$TMP/pg.log" -w -t 60 \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $TMP -c fsync=off -c max_connections=100" start >/dev/null \
  || { echo "dbtest: PostgreSQL did not start:" >&2; cat "$TMP/pg.log" >&2; exit 1; }
STARTED=1
"$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U cryptorun -d postgres -qAtc "CREATE DATABASE cryptorun_dbtest" >/dev/null
DSN="postgres://cryptorun@127.0.0.1:$PG_PORT/cryptorun_dbtest"
echo "dbtest: postgres 15 on 127.0.0.1:$PG_PORT" >&2

CRYPTORUN_PERSISTENCE_KIND=postgres CRYPTORUN_PG_DSN="$DSN" \
  deno run --allow-read --allow-write --allow-net --allow-env --allow-sys main.ts --data-dir "$TMP/data" db migrate >&2
CRYPTORUN_PERSISTENCE_KIND=postgres CRYPTORUN_PG_DSN="$DSN" \
  deno run --allow-read --allow-write --allow-net --allow-env --allow-sys main.ts --data-dir "$TMP/data" db migrate >&2

export CRYPTORUN_TEST_PG_DSN="$DSN"
export CRYPTORUN_TEST_PG_BIN="$PG_BIN"
set +e
deno test -A --no-prompt tests/persistence tests/data/facade_test.ts "$@" 2>&1 | tee "$TMP/deno-test.out"
status=${PIPESTATUS[0]}
set -e

line=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$TMP/deno-test.out" | tail -n 1 || true)
if [[ -z "$line" ]]; then
  echo "deno test: 0 passed, 1 failed"
  echo "dbtest: deno test printed no summary (exit $status)" >&2
  exit 1
fi
passed=$(sed -E 's/.*\| ([0-9]+) passed.*/\1/' <<<"$line")
failed=$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$line")
ignored=$(grep -oE '[0-9]+ ignored' <<<"$line" | grep -oE '[0-9]+' || echo 0)
echo "deno test: ${passed:-0} passed, ${failed:-0} failed, ${ignored:-0} skipped"
exit "$status"
