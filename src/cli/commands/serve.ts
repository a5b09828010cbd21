import { loadEntry } from "../../util/entries.ts";
import type { Command } from "../command.ts";

/** `cryptorun serve`: help and flags (light; the implementation lives in ./serve/run.ts). */

export const serveCommand: Command = {
  name: "serve",
  summary: "long-running process: /metrics, /healthz, /readyz, /events; optional ingest/scan schedulers",
  help: `cryptorun serve — the process a deployment runs: Prometheus metrics, health probes, scan events

Usage: cryptorun serve [--listen HOST:PORT] [--with-ingest [--ingest-every 5m]]
                       [--with-scan [--scan-every 15m]]

Endpoints (GET or HEAD; anything else gets 405, unknown paths 404):
  /metrics   Prometheus text format: every cryptorun_* metric plus process/runtime metrics
  /healthz   liveness: 200 "ok" while the process serves requests
  /readyz    readiness: 200 "OK" or 503 "FAIL: <check>: <reason>" — config valid, database reachable
             (when persistence is enabled), data fresh, schedulers healthy; ?format=json for details
  /events    server-sent events: one "scan" event per finished scan (with --with-scan); reconnecting
             clients send Last-Event-ID and get what they missed (metrics.events_replay events)

Flags:
  --listen HOST:PORT   bind address (default metrics.listen = 127.0.0.1:9464; port 0 = any free port)
  --with-ingest        Kraken ingest in this process, two parts:
                       - every --ingest-every (default 5m): closed hourly bars of kraken.symbols (REST
                         OHLC, only bars newer than the stored ones) → cold tier (scheduler job "ingest");
                       - continuously: one live WebSocket book session over kraken.symbols → verified
                         snapshots in the hot tier every kraken.hot_snapshot_interval_ms, complete 1-minute
                         bars → kraken.bars_table, trades → database (persistence.enabled). Supervised:
                         restarted after it ends or fails (backoff 1 s doubling to 60 s, full jitter)
  --with-scan          run the scan every --scan-every (default 15m, aligned to :00/:15/:30/:45 UTC)
                       and publish each result on /events
  --ingest-every D     hourly-bar poll cadence, e.g. 2m, 5m, 15m (1s to 1d)
  --scan-every D       scan cadence, e.g. 5m, 15m, 1h (1s to 1d)

Both jobs run once at start, then on their cadence; a tick that comes while the previous run of the
same job is still going is skipped (cryptorun_scheduler_runs_total{outcome="skipped"}), never queued.
The continuous book session is not a scheduler job (no ticks, never "skipped"): it reports as component
supervisor.kraken_books (cryptorun health) and in cryptorun_supervised_restarts_total /
cryptorun_supervised_running. SIGINT/SIGTERM (Ctrl-C) stop gracefully: running jobs and the session are
aborted (its buffered writes are flushed), event streams end, in-flight requests finish, exit 0.

Pitfalls:
  - The endpoints have no authentication: keep the default loopback bind, or put a proxy in front when
    binding 0.0.0.0 (a warning is logged).
  - /readyz runs the same checks as 'cryptorun health' (cached for health.refresh_ms); stale recorded
    data makes it 503 by design: tune health.*_max_age_ms.
  - Port already in use → exit 1 naming the address.
  - Connections: a request head must arrive within metrics.http_header_timeout_ms (10 s), a kept-alive
    connection's next one within metrics.http_idle_timeout_ms (60 s); past metrics.http_max_connections (512)
    or out of file descriptors, the oldest idle connection is closed and serving goes on (docs/MONITORING.md
    § Connection limits). Keep the cap below 'ulimit -n' minus ~100.
  - --with-ingest talks to Kraken (kraken.rest_base_url, kraken.ws_url); a bar run with any failed symbol
    counts as outcome="error" after writing what succeeded. The book session reconnects by itself; it
    fails (and is restarted) when it wrote no verified book for max(60 s, 6 × kraken.ws_silence_ms).
  - With persistence.kind embedded, this process keeps the database open while the session writes
    trades: other processes on the same data dir ('cryptorun db', 'cryptorun scan') are refused until
    serve stops — query /readyz, or use persistence.kind postgres for several processes.
  - A session's first minute (and any minute spanning a reconnect) is partial: its 1-minute bar is not
    written (counted as incomplete_bars), never stored as if complete.

Examples:
  cryptorun serve
  cryptorun serve --listen 127.0.0.1:9464 --with-ingest --with-scan
  cryptorun serve --with-scan --scan-every 5m --log-level debug
  curl -s 127.0.0.1:9464/metrics | grep cryptorun_scheduler
  curl -s '127.0.0.1:9464/readyz?format=json' | jq .checks
  curl -N 127.0.0.1:9464/events`,
  options: {
    listen: { type: "string" },
    "with-ingest": { type: "boolean" },
    "with-scan": { type: "boolean" },
    "ingest-every": { type: "string" },
    "scan-every": { type: "string" },
  },
  load: async () => (await loadEntry<typeof import("./serve/run.ts")>("cli/commands/serve/run.ts")).run,
};
