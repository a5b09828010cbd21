#!/usr/bin/env bash
# deno task test — prepares what the tests need, runs them, cleans up, prints `N passed, N failed`.
#
# 1. Installs the Debian packages the tests use when they are missing (root or passwordless sudo);
#    otherwise stops with the exact command to run. Nothing is skipped silently.
# 2. Starts throwaway servers on loopback ports: PostgreSQL 15 (initdb in a temp dir, non-root user)
#    and redis-server; exports their addresses as CRYPTORUN_TEST_PG_DSN / CRYPTORUN_TEST_REDIS_URL.
#    Prometheus/promtool are found and exported (PROMETHEUS_BIN, PROMTOOL_BIN); the test that needs
#    Prometheus starts it itself, because it scrapes a server that only that test runs.
# 3. Runs `deno test` (extra arguments are passed on, e.g. `deno task test tests/config`).
# 4. Stops what it started and prints the plain summary line.
set -euo pipefail
export NO_COLOR=1
cd "$(dirname "$0")/.."

# Debian package → a command it provides.
declare -A NEEDS=(
  [postgresql]="/usr/lib/postgresql/15/bin/initdb"
  [redis-server]="redis-server"
  [prometheus]="promtool"
  [lz4]="lz4"
)

have() { if [[ "$1" == /* ]]; then [[ -x "$1" ]]; else command -v "$1" >/dev/null 2>&1; fi; }

missing=()
for pkg in "${!NEEDS[@]}"; do have "${NEEDS[$pkg]}" || missing+=("$pkg"); done
if ((${#missing[@]})); then
  IFS=$'\n' missing=($(sort <<<"${missing[*]}")); unset IFS
  if [[ $(id -u) -eq 0 ]]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
  if [[ "$SUDO" == none ]]; then
    echo "test: missing Debian packages: ${missing[*]}" >&2
    echo "test: install them, then run again:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "test: installing ${missing[*]} (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  for pkg in "${missing[@]}"; do
    have "${NEEDS[$pkg]}" || { echo "test: $pkg installed but ${NEEDS[$pkg]} is still missing" >&2; exit 1; }
  done
fi

TMP=$(mktemp -d /tmp/cryptorun-test.XXXXXX)
chmod 755 "$TMP"
PIDS_TO_STOP=()
PG_DATA=""
PG_RUN=()

cleanup() {
  set +e
  if [[ -n "$PG_DATA" ]]; then "${PG_RUN[@]}" /usr/lib/postgresql/15/bin/pg_ctl -D "$PG_DATA" -m immediate stop >/dev/null 2>&1; fi
  for pid in "${PIDS_TO_STOP[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS_TO_STOP[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

# --- PostgreSQL 15: initdb into a temp dir as a non-root user, loopback only ---
PG_BIN=/usr/lib/postgresql/15/bin
PG_PORT=$(free_port 55432)
PG_DATA="$TMP/pg"
if [[ $(id -u) -eq 0 ]]; then
  id -u postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  mkdir -p "$PG_DATA" && chown postgres "$PG_DATA" "$TMP"
  PG_RUN=(runuser -u postgres --)
else
  mkdir -p "$PG_DATA"
  PG_RUN=()
fi
"${PG_RUN[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U cryptorun -A trust --no-sync -E UTF8 >"$TMP/initdb.log" 2>&1 \
  || { echo "test: initdb failed:" >&2; cat "$TMP/initdb.log" >&2; exit 1; }
"${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$TMP/pg.log" -w -t 60 \
  -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $TMP -c fsync=off -c max_connections=100" start >/dev/null \
  || { echo "test: PostgreSQL did not start:" >&2; cat "$TMP/pg.log" >&2; exit 1; }
"$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U cryptorun -d postgres -qAtc "CREATE DATABASE cryptorun_test" >/dev/null
export CRYPTORUN_TEST_PG_DSN="postgres://cryptorun@127.0.0.1:$PG_PORT/cryptorun_test"
export CRYPTORUN_TEST_PG_BIN="$PG_BIN"

# --- Redis: loopback, no persistence ---
REDIS_PORT=$(free_port 56379)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
  --dir "$TMP" >"$TMP/redis.log" 2>&1 &
PIDS_TO_STOP+=($!)
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && break; sleep 0.1; done
(exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null \
  || { echo "test: redis-server did not start:" >&2; cat "$TMP/redis.log" >&2; exit 1; }
export CRYPTORUN_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"

# --- Prometheus binaries (the observability test starts its own server) ---
export PROMETHEUS_BIN="$(command -v prometheus || echo /usr/bin/prometheus)"
export PROMTOOL_BIN="$(command -v promtool)"

echo "test: postgres 127.0.0.1:$PG_PORT, redis 127.0.0.1:$REDIS_PORT" >&2

set +e
deno test -A --no-prompt "$@" 2>&1 | tee "$TMP/deno-test.out"
status=${PIPESTATUS[0]}
set -e

line=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$TMP/deno-test.out" | tail -n 1 || true)
passed=$(sed -E 's/.*\| ([0-9]+) passed.*/\1/' <<<"$line")
failed=$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$line")
ignored=$(grep -oE '[0-9]+ ignored' <<<"$line" | grep -oE '[0-9]+' || echo 0)
if [[ -z "$line" ]]; then
  echo "deno test: 0 passed, 1 failed"
  echo "test: deno test printed no summary (exit $status)" >&2
  exit 1
fi
echo "deno test: ${passed:-0} passed, ${failed:-0} failed, ${ignored:-0} skipped"
exit "$status"
