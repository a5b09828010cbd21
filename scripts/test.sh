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
LOG_PREFIX=test
source scripts/lib/servers.sh

# podman + runc build and run the container image in tests/deploy (image_test.ts); chromium opens the HTML report
# and fonts-dejavu-core is the font of the PNG charts (tests/report/html_chromium_test.ts, charts_test.ts).
need_packages postgresql="$PG_BIN/initdb" redis-server=redis-server prometheus=promtool lz4=lz4 podman=podman runc=runc \
  chromium=chromium fonts-dejavu-core=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
servers_init

start_postgres 55432 cryptorun_test
export CRYPTORUN_TEST_PG_DSN="$PG_DSN"
export CRYPTORUN_TEST_PG_BIN="$PG_BIN"

start_redis 56379
export CRYPTORUN_TEST_REDIS_URL="$REDIS_URL"

PROMETHEUS_BIN="$(command -v prometheus || echo /usr/bin/prometheus)"
PROMTOOL_BIN="$(command -v promtool)"
export PROMETHEUS_BIN PROMTOOL_BIN

say "postgres 127.0.0.1:$PG_PORT, redis 127.0.0.1:$REDIS_PORT"
run_deno_tests "$@"
