#!/usr/bin/env bash
# deno task dbtest — the persistence tests against a throwaway PostgreSQL 15 (spec B1.3), standalone:
#
# 1. Installs Debian's postgresql when initdb is missing (root or passwordless sudo; otherwise prints the
#    exact apt-get command and fails — never a silent skip).
# 2. initdb into a temp dir as a non-root user (Postgres refuses root), trust auth, loopback only, a free port
#    from 57432; creates the database cryptorun_dbtest.
# 3. Applies the migrations with `cryptorun db migrate` twice (the second run must change nothing; kind
#    postgres, DSN from CRYPTORUN_PG_DSN), then runs tests/persistence with CRYPTORUN_TEST_PG_DSN set (each
#    test makes its own fresh database on this server) and tests/data/door/pit_test.ts (trades read from the
#    database through the data door, PIT). Extra arguments go to `deno test` (e.g. --filter fault).
# 4. Stops the server, removes the temp dir, prints `deno test: N passed, N failed, N skipped`.
set -euo pipefail
export NO_COLOR=1
cd "$(dirname "$0")/.."
LOG_PREFIX=dbtest
source scripts/lib/servers.sh

need_packages postgresql="$PG_BIN/initdb"
servers_init
start_postgres 57432 cryptorun_dbtest
say "postgres 15 on 127.0.0.1:$PG_PORT"

PERMS=(--allow-read --allow-write --allow-net --allow-env --allow-sys)
for run in 1 2; do
  out=$(CRYPTORUN_PERSISTENCE_KIND=postgres CRYPTORUN_PG_DSN="$PG_DSN" \
    deno run "${PERMS[@]}" main.ts --data-dir "$TMP/data" db migrate)
  echo "$out" >&2
  if [[ $run == 2 && $out != "nothing to apply: "* ]]; then
    say "the second db migrate changed the database (expected \"nothing to apply\")"
    exit 1
  fi
done

export CRYPTORUN_TEST_PG_DSN="$PG_DSN"
export CRYPTORUN_TEST_PG_BIN="$PG_BIN"
run_deno_tests tests/persistence tests/data/door/pit_test.ts "$@"
