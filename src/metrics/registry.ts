import client from "prom-client";
import { attachMetric, handleNames } from "./metrics.ts";

export { boundedSymbol, setSymbolLabelCap } from "./metrics.ts";

/**
 * The one metrics registry. Every metric is defined here, once, with its help text and labels
 * (names exactly as the spec: C1.1, A3.3, D2.1). Modules import the metric they update; `serve` exposes
 * `registry.metrics()`. Label values must be bounded: symbols go through `boundedSymbol`.
 */
export const registry = new client.Registry();

let defaultsOn = false;
/** Process/runtime metrics (CPU, memory, event loop, GC where available). Idempotent. */
export function enableDefaultMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  client.collectDefaultMetrics({ register: registry, prefix: "cryptorun_" });
}

// --- Providers (C1.1) ---
export const providerRequests = new client.Counter({
  name: "cryptorun_provider_requests_total",
  help:
    "REST requests to a provider, by endpoint and result code (HTTP status, or 'error' for network failures).",
  labelNames: ["provider", "endpoint", "code"] as const,
  registers: [registry],
});
export const wsReconnects = new client.Counter({
  name: "cryptorun_ws_reconnects_total",
  help: "WebSocket reconnects per provider.",
  labelNames: ["provider"] as const,
  registers: [registry],
});
export const l2SnapshotAge = new client.Gauge({
  name: "cryptorun_l2_snapshot_age_seconds",
  help: "Age of the last verified L2 book update per symbol (seconds).",
  labelNames: ["provider", "symbol"] as const,
  registers: [registry],
});
export const bookChecksumFailures = new client.Counter({
  name: "cryptorun_book_checksum_failures_total",
  help: "Order-book updates whose CRC32 checksum did not match (book dropped and resubscribed).",
  labelNames: ["provider", "symbol"] as const,
  registers: [registry],
});
export const bookResyncs = new client.Counter({
  name: "cryptorun_book_resyncs_total",
  help: "Order books dropped and resynchronised, by reason (checksum, crossed, gap, invalid).",
  labelNames: ["provider", "reason"] as const,
  registers: [registry],
});
export const rateLimitRemaining = new client.Gauge({
  name: "cryptorun_rate_limit_remaining",
  help: "Remaining request budget in the provider's rate-limit counter model.",
  labelNames: ["provider", "endpoint"] as const,
  registers: [registry],
});
export const circuitState = new client.Gauge({
  name: "cryptorun_circuit_state",
  help:
    "Circuit breaker state per provider endpoint (src/providers/resilience.ts): 0 closed, 1 open, 2 half-open.",
  labelNames: ["provider", "endpoint"] as const,
  registers: [registry],
});

// --- Data validation and replication (A3.3) ---
export const replicationLag = new client.Gauge({
  name: "cryptorun_replication_lag_seconds",
  help: "How far a tier/region copy lags its source (seconds); for one region: data age per tier.",
  labelNames: ["tier", "region", "source"] as const,
  registers: [registry],
});
export const dataConsistencyErrors = new client.Counter({
  name: "cryptorun_data_consistency_errors_total",
  help: "Data that failed a consistency check (schema, checksum, ordering, staleness, …).",
  labelNames: ["check"] as const,
  registers: [registry],
});
export const anomalyQuarantine = new client.Counter({
  name: "cryptorun_anomaly_quarantine_total",
  help: "Rows or messages quarantined as anomalies (invalid rows skipped, DLQ, outliers).",
  labelNames: ["kind"] as const,
  registers: [registry],
});

// --- Ops (D2.1) ---
export const cacheHitRatio = new client.Gauge({
  name: "cryptorun_cache_hit_ratio",
  help:
    "Data door hit ratio per tier (0..1): answers the tier served fresh / lookups that reached it, over its last 1000 lookups (warm: from a stored response, without fetching).",
  labelNames: ["tier"] as const,
  registers: [registry],
});
export const tierLookups = new client.Counter({
  name: "cryptorun_tier_lookups_total",
  help:
    "Data door lookups per tier by outcome: hit (served fresh), miss (nothing usable), stale (older than the tier's limit), failed (the source errored).",
  labelNames: ["tier", "outcome"] as const,
  registers: [registry],
});
export const latency = new client.Histogram({
  name: "cryptorun_latency_seconds",
  help: "Latency of a component's unit of work (seconds).",
  labelNames: ["component"] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});
export const sseThroughput = new client.Counter({
  name: "cryptorun_sse_throughput",
  help: "Server-sent events written per stream.",
  labelNames: ["stream"] as const,
  registers: [registry],
});

// --- Streaming, storage, scan ---
export const envelopesTotal = new client.Counter({
  name: "cryptorun_stream_envelopes_total",
  help: "Envelopes produced or consumed, by backend, direction (sent|consumed|dlq) and topic.",
  labelNames: ["kind", "direction", "topic"] as const,
  registers: [registry],
});
export const coldRowsTotal = new client.Counter({
  name: "cryptorun_cold_rows_total",
  help: "Rows written to or read from the cold tier.",
  labelNames: ["op", "format"] as const,
  registers: [registry],
});
export const dbOperations = new client.Counter({
  name: "cryptorun_db_operations_total",
  help: "Repository calls by repo, operation and outcome (ok|retry|error).",
  labelNames: ["repo", "op", "outcome"] as const,
  registers: [registry],
});
export const reportAlerts = new client.Counter({
  name: "cryptorun_report_alerts_total",
  help:
    "Threshold alerts of `cryptorun report` by channel (webhook|email) and outcome (sent|failed|deduped).",
  labelNames: ["channel", "outcome"] as const,
  registers: [registry],
});
export const scanRuns = new client.Counter({
  name: "cryptorun_scan_runs_total",
  help: "Scans run, by outcome (ok|error).",
  labelNames: ["outcome"] as const,
  registers: [registry],
});
export const scanCandidates = new client.Gauge({
  name: "cryptorun_scan_candidates",
  help: "Symbols in the last scan, by state (ranked|passed).",
  labelNames: ["state"] as const,
  registers: [registry],
});
export const premoveArtifacts = new client.Counter({
  name: "cryptorun_premove_artifacts_total",
  help: "Premove artifacts written, by number of gates passed (0..3).",
  labelNames: ["gates_passed"] as const,
  registers: [registry],
});
export const regimeInfo = new client.Gauge({
  name: "cryptorun_regime",
  help: "Current regime (1 for the active one) with its 4h-boundary snapshot time.",
  labelNames: ["regime"] as const,
  registers: [registry],
});
export const regimeWeight = new client.Gauge({
  name: "cryptorun_regime_weight",
  help: "Factor weight in the active regime's weight set.",
  labelNames: ["factor"] as const,
  registers: [registry],
});
export const dataAge = new client.Gauge({
  name: "cryptorun_data_age_seconds",
  help: "Age of the newest data per tier (seconds) as of the last check.",
  labelNames: ["tier"] as const,
  registers: [registry],
});
export const schedulerRuns = new client.Counter({
  name: "cryptorun_scheduler_runs_total",
  help:
    "Scheduled job runs in `serve` (job = ingest|scan), by outcome (ok|error|skipped = tick skipped because the previous run was still going).",
  labelNames: ["job", "outcome"] as const,
  registers: [registry],
});
export const schedulerLastSuccess = new client.Gauge({
  name: "cryptorun_scheduler_last_success_timestamp_seconds",
  help: "Unix time of the last successful run of a scheduled job.",
  labelNames: ["job"] as const,
  registers: [registry],
});

export const schedulerRunning = new client.Gauge({
  name: "cryptorun_scheduler_running",
  help: "1 while a scheduled job is running, else 0.",
  labelNames: ["job"] as const,
  registers: [registry],
});
export const schedulerDuration = new client.Histogram({
  name: "cryptorun_scheduler_job_duration_seconds",
  help: "Wall-clock duration of scheduled job runs (seconds).",
  labelNames: ["job"] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  registers: [registry],
});
export const supervisedRestarts = new client.Counter({
  name: "cryptorun_supervised_restarts_total",
  help:
    "Restarts of a continuous supervised session in `serve` (component = kraken_books) after it ended or failed.",
  labelNames: ["component"] as const,
  registers: [registry],
});
export const supervisedRunning = new client.Gauge({
  name: "cryptorun_supervised_running",
  help: "1 while a supervised continuous session runs, 0 while it waits to restart or is stopped.",
  labelNames: ["component"] as const,
  registers: [registry],
});

// --- Health, serve (issue 9) ---
export const healthCheckOk = new client.Gauge({
  name: "cryptorun_health_check_ok",
  help: "Result of each health check at its last run in `serve` (1 ok, 0 failing).",
  labelNames: ["check"] as const,
  registers: [registry],
});
export const queueBacklog = new client.Gauge({
  name: "cryptorun_queue_backlog",
  help: "Items waiting in a queue or backlog (e.g. scheduler ticks pending, undelivered events).",
  labelNames: ["queue"] as const,
  registers: [registry],
});
export const lastErrorTimestamp = new client.Gauge({
  name: "cryptorun_last_error_timestamp_seconds",
  help: "Unix time of the last error a component reported (the message is in `cryptorun health --json`).",
  labelNames: ["component"] as const,
  registers: [registry],
});
export const httpRequests = new client.Counter({
  name: "cryptorun_http_requests_total",
  help:
    "Requests to the `serve` HTTP endpoints by route (metrics|healthz|readyz|events|other) and status code.",
  labelNames: ["route", "code"] as const,
  registers: [registry],
});
export const httpConnections = new client.Gauge({
  name: "cryptorun_http_connections",
  help: "Open connections to the `serve` HTTP endpoints.",
  registers: [registry],
});
export const httpConnectionsClosed = new client.Counter({
  name: "cryptorun_http_connections_closed_total",
  help:
    "Connections to `serve` closed, by reason: done, client_closed, header_timeout, idle_timeout, write_timeout, " +
    "bad_request, evicted (an idle one closed for a new one: connection cap or out of file descriptors), " +
    "over_cap (refused: the cap was reached and none was idle), shutdown, error.",
  labelNames: ["reason"] as const,
  registers: [registry],
});
export const httpAcceptErrors = new client.Counter({
  name: "cryptorun_http_accept_errors_total",
  help:
    "Temporary accept errors of `serve` by kind (emfile, enfile, …): the server backs off and keeps serving.",
  labelNames: ["kind"] as const,
  registers: [registry],
});
export const sseClients = new client.Gauge({
  name: "cryptorun_sse_clients",
  help: "Connected server-sent-event clients per stream.",
  labelNames: ["stream"] as const,
  registers: [registry],
});
export const buildInfo = new client.Gauge({
  name: "cryptorun_build_info",
  help: "Always 1; the labels carry the running version.",
  labelNames: ["version"] as const,
  registers: [registry],
});

// Light handles (src/metrics/metrics.ts) record into these from now on, and replay what they recorded before.
const ATTACHED: Record<string, (labels: Record<string, string>, value: number) => void> = {
  "cryptorun_provider_requests_total": (l, v) => providerRequests.inc(l, v),
  "cryptorun_ws_reconnects_total": (l, v) => wsReconnects.inc(l, v),
  "cryptorun_l2_snapshot_age_seconds": (l, v) => l2SnapshotAge.set(l, v),
  "cryptorun_book_checksum_failures_total": (l, v) => bookChecksumFailures.inc(l, v),
  "cryptorun_book_resyncs_total": (l, v) => bookResyncs.inc(l, v),
  "cryptorun_rate_limit_remaining": (l, v) => rateLimitRemaining.set(l, v),
  "cryptorun_circuit_state": (l, v) => circuitState.set(l, v),
  "cryptorun_replication_lag_seconds": (l, v) => replicationLag.set(l, v),
  "cryptorun_data_consistency_errors_total": (l, v) => dataConsistencyErrors.inc(l, v),
  "cryptorun_anomaly_quarantine_total": (l, v) => anomalyQuarantine.inc(l, v),
  "cryptorun_cache_hit_ratio": (l, v) => cacheHitRatio.set(l, v),
  "cryptorun_tier_lookups_total": (l, v) => tierLookups.inc(l, v),
  "cryptorun_sse_throughput": (l, v) => sseThroughput.inc(l, v),
  "cryptorun_stream_envelopes_total": (l, v) => envelopesTotal.inc(l, v),
  "cryptorun_cold_rows_total": (l, v) => coldRowsTotal.inc(l, v),
  "cryptorun_db_operations_total": (l, v) => dbOperations.inc(l, v),
  "cryptorun_scan_runs_total": (l, v) => scanRuns.inc(l, v),
  "cryptorun_scan_candidates": (l, v) => scanCandidates.set(l, v),
  "cryptorun_premove_artifacts_total": (l, v) => premoveArtifacts.inc(l, v),
  "cryptorun_regime": (l, v) => regimeInfo.set(l, v),
  "cryptorun_regime_weight": (l, v) => regimeWeight.set(l, v),
  "cryptorun_data_age_seconds": (l, v) => dataAge.set(l, v),
  "cryptorun_scheduler_runs_total": (l, v) => schedulerRuns.inc(l, v),
  "cryptorun_scheduler_last_success_timestamp_seconds": (l, v) => schedulerLastSuccess.set(l, v),
  "cryptorun_scheduler_running": (l, v) => schedulerRunning.set(l, v),
  "cryptorun_supervised_restarts_total": (l, v) => supervisedRestarts.inc(l, v),
  "cryptorun_supervised_running": (l, v) => supervisedRunning.set(l, v),
  "cryptorun_health_check_ok": (l, v) => healthCheckOk.set(l, v),
  "cryptorun_queue_backlog": (l, v) => queueBacklog.set(l, v),
  "cryptorun_last_error_timestamp_seconds": (l, v) => lastErrorTimestamp.set(l, v),
  "cryptorun_http_requests_total": (l, v) => httpRequests.inc(l, v),
  "cryptorun_sse_clients": (l, v) => sseClients.set(l, v),
  "cryptorun_build_info": (l, v) => buildInfo.set(l, v),
};
for (const name of handleNames()) {
  const target = ATTACHED[name];
  if (!target) throw new Error(`metric handle ${name} has no registry metric`);
  attachMetric(name, target);
}
