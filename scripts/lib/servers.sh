# Shared by scripts/test.sh and scripts/dbtest.sh (sourced, not run): installs missing Debian packages,
# starts throwaway servers on loopback, stops them, and turns deno test's closing line into the plain
# `deno test: N passed, N failed, N skipped` summary.
#
# The caller sets LOG_PREFIX (e.g. "test") and calls: servers_init; need_packages …; start_postgres …;
# start_redis …; run_deno_tests …  Cleanup runs on EXIT.

PG_BIN=/usr/lib/postgresql/15/bin
LOG_PREFIX=${LOG_PREFIX:-test}
TMP=""
PG_DATA=""
PG_RUN=()
PIDS_TO_STOP=()

say() { echo "$LOG_PREFIX: $*" >&2; }

servers_init() {
  TMP=$(mktemp -d "/tmp/cryptorun-$LOG_PREFIX.XXXXXX")
  chmod 755 "$TMP"
  trap servers_cleanup EXIT
}

servers_cleanup() {
  set +e
  if [[ -n "$PG_DATA" ]]; then "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1; fi
  for pid in "${PIDS_TO_STOP[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS_TO_STOP[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  [[ -n "$TMP" ]] && rm -rf "$TMP"
}

# have CMD|/PATH — a command on PATH, an executable path, or (a font, *.ttf) a readable file.
have() {
  if [[ "$1" == /*.ttf ]]; then [[ -r "$1" ]]; elif [[ "$1" == /* ]]; then [[ -x "$1" ]]; else command -v "$1" >/dev/null 2>&1; fi
}

# need_packages PKG=COMMAND …  — installs each Debian package whose command is missing (root or
# passwordless sudo); otherwise stops with the exact apt-get command. Never a silent skip.
need_packages() {
  local missing=() spec pkg cmd
  for spec in "$@"; do
    pkg=${spec%%=*}; cmd=${spec#*=}
    have "$cmd" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  local sudo
  if [[ $(id -u) -eq 0 ]]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    say "missing Debian packages: ${missing[*]}"
    say "install them, then run again:  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  for spec in "$@"; do
    pkg=${spec%%=*}; cmd=${spec#*=}
    have "$cmd" || { say "$pkg installed but $cmd is still missing"; exit 1; }
  done
}

free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

# start_postgres FIRST_PORT DBNAME — initdb into $TMP as a non-root user (Postgres refuses root), trust auth,
# loopback only; sets PG_PORT and PG_DSN.
start_postgres() {
  PG_PORT=$(free_port "$1")
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
    || { say "initdb failed:"; cat "$TMP/initdb.log" >&2; PG_DATA=""; exit 1; }
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$TMP/pg.log" -w -t 60 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $TMP -c fsync=off -c max_connections=100" start >/dev/null \
    || { say "PostgreSQL did not start:"; cat "$TMP/pg.log" >&2; exit 1; }
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U cryptorun -d postgres -qAtc "CREATE DATABASE $2" >/dev/null
  PG_DSN="postgres://cryptorun@127.0.0.1:$PG_PORT/$2"
}

# start_redis FIRST_PORT — loopback, no persistence; sets REDIS_PORT and REDIS_URL.
start_redis() {
  REDIS_PORT=$(free_port "$1")
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
    --dir "$TMP" >"$TMP/redis.log" 2>&1 &
  PIDS_TO_STOP+=($!)
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && break; sleep 0.1; done
  (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null \
    || { say "redis-server did not start:"; cat "$TMP/redis.log" >&2; exit 1; }
  REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
}

# run_deno_tests ARGS… — runs deno test, prints the plain summary line, exits with deno test's status.
run_deno_tests() {
  local status line passed failed ignored
  set +e
  deno test -A --no-prompt "$@" 2>&1 | tee "$TMP/deno-test.out"
  status=${PIPESTATUS[0]}
  set -e
  line=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$TMP/deno-test.out" | tail -n 1 || true)
  if [[ -z "$line" ]]; then
    echo "deno test: 0 passed, 1 failed"
    say "deno test printed no summary (exit $status)"
    exit 1
  fi
  passed=$(sed -E 's/.*\| ([0-9]+) passed.*/\1/' <<<"$line")
  failed=$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$line")
  ignored=$(grep -oE '[0-9]+ ignored' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  echo "deno test: ${passed:-0} passed, ${failed:-0} failed, ${ignored:-0} skipped"
  exit "$status"
}
