/**
 * Metric updates without prom-client: every counter and gauge of src/metrics/registry.ts as a light handle
 * (same export names, same names on /metrics). A one-shot command (`cryptorun cold dump`, `stream publish`…)
 * records through these handles without loading prom-client; when src/metrics/registry.ts is loaded (serve,
 * anything that exposes or reads metrics) it attaches the real metrics, which receive what was recorded
 * before (counters summed, gauges' last values, per label set: bounded by the labels' cardinality) and every
 * update after. Histograms need the registry itself (src/metrics/registry.ts). Label values must be bounded:
 * symbols go through `boundedSymbol`.
 */

export type Labels = Record<string, string>;

export interface CounterHandle {
  /** Adds `value` (default 1) to the series of `labels`; 0 creates the series. */
  inc(labels: Labels, value?: number): void;
}

export interface GaugeHandle {
  set(labels: Labels, value: number): void;
}

type Apply = (labels: Labels, value: number) => void;

interface Slot {
  kind: "counter" | "gauge";
  target?: Apply;
  /** Recorded before a target was attached: label-set key → labels and value. */
  pending: Map<string, { labels: Labels; value: number }>;
}

const slots = new Map<string, Slot>();

/** A label set's key: its entries by name (code-unit order: `localeCompare` would load ICU's collator). */
const keyOf = (labels: Labels) =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0));

function slot(name: string, kind: Slot["kind"]): Slot {
  if (slots.has(name)) throw new Error(`metric ${name} defined twice`);
  const s: Slot = { kind, pending: new Map() };
  slots.set(name, s);
  return s;
}

function record(s: Slot, labels: Labels, value: number): void {
  if (s.target) return s.target(labels, value);
  const k = keyOf(labels);
  const p = s.pending.get(k);
  if (!p) s.pending.set(k, { labels: { ...labels }, value });
  else p.value = s.kind === "counter" ? p.value + value : value;
}

function counter(name: string): CounterHandle {
  const s = slot(name, "counter");
  return { inc: (labels, value = 1) => record(s, labels, value) };
}

function gauge(name: string): GaugeHandle {
  const s = slot(name, "gauge");
  return { set: (labels, value) => record(s, labels, value) };
}

/**
 * Binds the handle `name` to a real metric (src/metrics/registry.ts does, once): replays what was recorded,
 * then forwards every update.
 */
export function attachMetric(name: string, target: Apply): void {
  const s = slots.get(name);
  if (!s) throw new Error(`no metric handle named ${name}`);
  if (s.target) throw new Error(`metric ${name} is attached already`);
  s.target = target;
  for (const p of s.pending.values()) target(p.labels, p.value);
  s.pending.clear();
}

/** Names of every handle (the registry checks it attached them all). */
export function handleNames(): string[] {
  return [...slots.keys()];
}

export const providerRequests = counter("cryptorun_provider_requests_total");
export const wsReconnects = counter("cryptorun_ws_reconnects_total");
export const l2SnapshotAge = gauge("cryptorun_l2_snapshot_age_seconds");
export const bookChecksumFailures = counter("cryptorun_book_checksum_failures_total");
export const bookResyncs = counter("cryptorun_book_resyncs_total");
export const rateLimitRemaining = gauge("cryptorun_rate_limit_remaining");
export const circuitState = gauge("cryptorun_circuit_state");
export const replicationLag = gauge("cryptorun_replication_lag_seconds");
export const dataConsistencyErrors = counter("cryptorun_data_consistency_errors_total");
export const anomalyQuarantine = counter("cryptorun_anomaly_quarantine_total");
export const cacheHitRatio = gauge("cryptorun_cache_hit_ratio");
export const tierLookups = counter("cryptorun_tier_lookups_total");
export const sseThroughput = counter("cryptorun_sse_throughput");
export const envelopesTotal = counter("cryptorun_stream_envelopes_total");
export const coldRowsTotal = counter("cryptorun_cold_rows_total");
export const dbOperations = counter("cryptorun_db_operations_total");
export const scanRuns = counter("cryptorun_scan_runs_total");
export const scanCandidates = gauge("cryptorun_scan_candidates");
export const premoveArtifacts = counter("cryptorun_premove_artifacts_total");
export const regimeInfo = gauge("cryptorun_regime");
export const regimeWeight = gauge("cryptorun_regime_weight");
export const dataAge = gauge("cryptorun_data_age_seconds");
export const schedulerRuns = counter("cryptorun_scheduler_runs_total");
export const schedulerLastSuccess = gauge("cryptorun_scheduler_last_success_timestamp_seconds");
export const schedulerRunning = gauge("cryptorun_scheduler_running");
export const supervisedRestarts = counter("cryptorun_supervised_restarts_total");
export const supervisedRunning = gauge("cryptorun_supervised_running");
export const healthCheckOk = gauge("cryptorun_health_check_ok");
export const queueBacklog = gauge("cryptorun_queue_backlog");
export const lastErrorTimestamp = gauge("cryptorun_last_error_timestamp_seconds");
export const httpRequests = counter("cryptorun_http_requests_total");
export const sseClients = gauge("cryptorun_sse_clients");
export const buildInfo = gauge("cryptorun_build_info");

let maxSymbols = 500;
const seenSymbols = new Set<string>();
/** Sets the symbol-label cap (config `metrics.max_symbol_labels`); symbols already admitted stay admitted. */
export function setSymbolLabelCap(max: number): void {
  if (!Number.isInteger(max) || max < 1) {
    throw new RangeError(`symbol label cap must be a positive integer, found ${max}`);
  }
  maxSymbols = max;
}
/**
 * Bounds the symbol label's cardinality: the first `max` distinct symbols pass through, later ones
 * collapse into "other". Symbols are normalised pair names (never user text).
 */
export function boundedSymbol(symbol: string, max = maxSymbols): string {
  if (seenSymbols.has(symbol)) return symbol;
  if (seenSymbols.size >= max) return "other";
  if (!/^[A-Z0-9]{1,15}\/[A-Z0-9]{1,10}$/.test(symbol)) return "invalid";
  seenSymbols.add(symbol);
  return symbol;
}
