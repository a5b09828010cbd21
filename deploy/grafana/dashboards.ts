/**
 * Generates the Grafana dashboards in this directory (one JSON file per area). The JSON files are checked in;
 * tests/serve/deploy_test.ts fails when they differ from this generator's output and when a panel uses a
 * metric that `cryptorun serve` does not expose.
 *
 *   deno run --allow-write=deploy/grafana deploy/grafana/dashboards.ts
 */

type Unit = "s" | "short" | "percentunit" | "bytes" | "ops" | "none" | "reqps";

interface PanelSpec {
  title: string;
  description: string;
  targets: Array<{ expr: string; legend: string }>;
  unit?: Unit;
  kind?: "timeseries" | "stat" | "state-timeline" | "bargauge";
  /** Red threshold (stat/timeseries). */
  red?: number;
  w?: number;
}

interface DashboardSpec {
  file: string;
  uid: string;
  title: string;
  description: string;
  panels: PanelSpec[];
}

const SEL = `instance=~"$instance"`;

export const DASHBOARDS: DashboardSpec[] = [
  {
    file: "cryptorun-data-tiers.json",
    uid: "cryptorun-data-tiers",
    title: "CryptoRun — data tiers",
    description: "Freshness, replication lag, cache hit ratio and validation of the hot/warm/cold tiers.",
    panels: [
      {
        title: "Data age per tier",
        description: "Age of the newest data per tier (health checks). Alert: CryptoRunStaleData.",
        targets: [{ expr: `max by (tier) (cryptorun_data_age_seconds{${SEL}})`, legend: "{{tier}}" }],
        unit: "s",
      },
      {
        title: "Replication lag",
        description: "How far each tier/region copy lags its source.",
        targets: [{
          expr: `max by (tier, region, source) (cryptorun_replication_lag_seconds{${SEL}})`,
          legend: "{{tier}} {{region}} ← {{source}}",
        }],
        unit: "s",
      },
      {
        title: "Cache hit ratio",
        description:
          "Data door: answers a tier served fresh / lookups that reached it, last 1000 lookups (warm target > 85%). Alert: CryptoRunCacheHitRateLow/Regression.",
        targets: [{ expr: `avg by (tier) (cryptorun_cache_hit_ratio{${SEL}})`, legend: "{{tier}}" }],
        unit: "percentunit",
      },
      {
        title: "Data door lookups/s",
        description:
          "Lookups per tier by outcome (hit, miss, stale, failed): where reads are served and what falls through (hot → warm → cold).",
        targets: [{
          expr: `sum by (tier, outcome) (rate(cryptorun_tier_lookups_total{${SEL}}[5m]))`,
          legend: "{{tier}} {{outcome}}",
        }],
        unit: "ops",
      },
      {
        title: "Cold-tier rows/s",
        description: "Rows written to / read from the cold tier.",
        targets: [{ expr: `sum by (op, format) (rate(cryptorun_cold_rows_total{${SEL}}[5m]))`, legend: "{{op}} {{format}}" }],
        unit: "ops",
      },
      {
        title: "Consistency errors (1h)",
        description: "Data failing a consistency check, by check.",
        targets: [{
          expr: `sum by (check) (increase(cryptorun_data_consistency_errors_total{${SEL}}[1h]))`,
          legend: "{{check}}",
        }],
        unit: "short",
      },
      {
        title: "Quarantined (1h)",
        description: "Rows/messages quarantined as anomalies, by kind.",
        targets: [{
          expr: `sum by (kind) (increase(cryptorun_anomaly_quarantine_total{${SEL}}[1h]))`,
          legend: "{{kind}}",
        }],
        unit: "short",
      },
      {
        title: "Stream envelopes/s",
        description: "Envelopes sent, consumed and dead-lettered, by backend and topic.",
        targets: [{
          expr: `sum by (kind, direction, topic) (rate(cryptorun_stream_envelopes_total{${SEL}}[5m]))`,
          legend: "{{kind}} {{direction}} {{topic}}",
        }],
        unit: "ops",
        w: 24,
      },
    ],
  },
  {
    file: "cryptorun-scheduler.json",
    uid: "cryptorun-scheduler",
    title: "CryptoRun — scheduler",
    description: "Ingest and scan jobs run by `cryptorun serve --with-ingest --with-scan`.",
    panels: [
      {
        title: "Time since last success",
        description: "Per job. Alert: CryptoRunSchedulerNoSuccess.",
        targets: [{
          expr: `time() - max by (job) (cryptorun_scheduler_last_success_timestamp_seconds{${SEL}})`,
          legend: "{{job}}",
        }],
        unit: "s",
        kind: "stat",
      },
      {
        title: "Runs by outcome (1h)",
        description: "ok, error, skipped (a tick that came while the previous run was still going).",
        targets: [{
          expr: `sum by (job, outcome) (increase(cryptorun_scheduler_runs_total{${SEL}}[1h]))`,
          legend: "{{job}} {{outcome}}",
        }],
        unit: "short",
      },
      {
        title: "Run duration p50 / p95",
        description: "Wall-clock duration of job runs.",
        targets: [
          {
            expr:
              `histogram_quantile(0.5, sum by (job, le) (rate(cryptorun_scheduler_job_duration_seconds_bucket{${SEL}}[15m])))`,
            legend: "{{job}} p50",
          },
          {
            expr:
              `histogram_quantile(0.95, sum by (job, le) (rate(cryptorun_scheduler_job_duration_seconds_bucket{${SEL}}[15m])))`,
            legend: "{{job}} p95",
          },
        ],
        unit: "s",
      },
      {
        title: "Running",
        description: "1 while a job runs.",
        targets: [{ expr: `max by (job) (cryptorun_scheduler_running{${SEL}})`, legend: "{{job}}" }],
        unit: "none",
        kind: "state-timeline",
      },
      {
        title: "Backlogs",
        description: "Queue/backlog sizes: skipped scheduler ticks, undelivered items.",
        targets: [{ expr: `max by (queue) (cryptorun_queue_backlog{${SEL}})`, legend: "{{queue}}" }],
        unit: "short",
        w: 24,
      },
    ],
  },
  {
    file: "cryptorun-premove.json",
    uid: "cryptorun-premove",
    title: "CryptoRun — premove detector and scan",
    description: "Premove artifacts by gates passed, scan candidates and scan outcomes.",
    panels: [
      {
        title: "Premove artifacts by gates passed (1h)",
        description: "2 of 3 gates = a premove signal.",
        targets: [{
          expr: `sum by (gates_passed) (increase(cryptorun_premove_artifacts_total{${SEL}}[1h]))`,
          legend: "{{gates_passed}} gates",
        }],
        unit: "short",
        kind: "bargauge",
      },
      {
        title: "Scan candidates",
        description: "Symbols in the last scan, ranked vs passed all gates.",
        targets: [{ expr: `max by (state) (cryptorun_scan_candidates{${SEL}})`, legend: "{{state}}" }],
        unit: "short",
      },
      {
        title: "Scans by outcome (1h)",
        description: "Scan runs ok / error.",
        targets: [{ expr: `sum by (outcome) (increase(cryptorun_scan_runs_total{${SEL}}[1h]))`, legend: "{{outcome}}" }],
        unit: "short",
      },
      {
        title: "Scan latency p95 / p99",
        description: "Target: scan p99 < 300 ms. Alert: CryptoRunLatencyP99High.",
        targets: [
          {
            expr:
              `histogram_quantile(0.95, sum by (le) (rate(cryptorun_latency_seconds_bucket{component=~"scan.*",${SEL}}[5m])))`,
            legend: "p95",
          },
          {
            expr:
              `histogram_quantile(0.99, sum by (le) (rate(cryptorun_latency_seconds_bucket{component=~"scan.*",${SEL}}[5m])))`,
            legend: "p99",
          },
        ],
        unit: "s",
        red: 0.3,
      },
      {
        title: "Scan events streamed/s",
        description: "Server-sent events written to /events clients, and connected clients.",
        targets: [
          { expr: `sum by (stream) (rate(cryptorun_sse_throughput{${SEL}}[5m]))`, legend: "{{stream}} events/s" },
          { expr: `sum by (stream) (cryptorun_sse_clients{${SEL}})`, legend: "{{stream}} clients" },
        ],
        unit: "short",
        w: 24,
      },
    ],
  },
  {
    file: "cryptorun-regime.json",
    uid: "cryptorun-regime",
    title: "CryptoRun — regime tuner",
    description: "Active regime (4h boundary snapshots) and the factor weights in force.",
    panels: [
      {
        title: "Active regime",
        description: "1 for the regime in force.",
        targets: [{ expr: `max by (regime) (cryptorun_regime{${SEL}})`, legend: "{{regime}}" }],
        unit: "none",
        kind: "state-timeline",
        w: 24,
      },
      {
        title: "Factor weights",
        description: "Weights of the active regime's weight set (sum 1).",
        targets: [{ expr: `max by (factor) (cryptorun_regime_weight{${SEL}})`, legend: "{{factor}}" }],
        unit: "percentunit",
        w: 24,
      },
    ],
  },
  {
    file: "cryptorun-providers.json",
    uid: "cryptorun-providers",
    title: "CryptoRun — provider health",
    description: "Kraken REST/WebSocket: requests, rate-limit budget, reconnects, book freshness and integrity.",
    panels: [
      {
        title: "REST requests/s by code",
        description: "Per provider, endpoint and result code.",
        targets: [{
          expr: `sum by (provider, endpoint, code) (rate(cryptorun_provider_requests_total{${SEL}}[5m]))`,
          legend: "{{provider}} {{endpoint}} {{code}}",
        }],
        unit: "reqps",
      },
      {
        title: "Rate-limit budget remaining",
        description: "Remaining requests in the provider's counter model.",
        targets: [{
          expr: `min by (provider, endpoint) (cryptorun_rate_limit_remaining{${SEL}})`,
          legend: "{{provider}} {{endpoint}}",
        }],
        unit: "short",
      },
      {
        title: "WebSocket reconnects (1h)",
        description: "Alert: CryptoRunWsReconnectStorm.",
        targets: [{
          expr: `sum by (provider) (increase(cryptorun_ws_reconnects_total{${SEL}}[1h]))`,
          legend: "{{provider}}",
        }],
        unit: "short",
      },
      {
        title: "Oldest L2 book (top 10)",
        description: "Age of the last verified book update per symbol.",
        targets: [{
          expr: `topk(10, max by (provider, symbol) (cryptorun_l2_snapshot_age_seconds{${SEL}}))`,
          legend: "{{provider}} {{symbol}}",
        }],
        unit: "s",
      },
      {
        title: "Book checksum failures (1h)",
        description: "CRC32 mismatches; the book is dropped and resubscribed. Alert: CryptoRunChecksumFailures.",
        targets: [{
          expr: `sum by (provider) (increase(cryptorun_book_checksum_failures_total{${SEL}}[1h]))`,
          legend: "{{provider}}",
        }],
        unit: "short",
      },
      {
        title: "Book resyncs (1h)",
        description: "By reason: checksum, crossed, gap, invalid.",
        targets: [{
          expr: `sum by (provider, reason) (increase(cryptorun_book_resyncs_total{${SEL}}[1h]))`,
          legend: "{{provider}} {{reason}}",
        }],
        unit: "short",
      },
    ],
  },
  {
    file: "cryptorun-errors.json",
    uid: "cryptorun-errors",
    title: "CryptoRun — error rates and latency",
    description: "Error ratios across providers, scans, database and HTTP; latency per component; process health.",
    panels: [
      {
        title: "Provider error ratio",
        description: "Non-2xx / all REST requests. Alert: CryptoRunProviderErrorRate (> 5%).",
        targets: [{
          expr:
            `sum by (provider) (rate(cryptorun_provider_requests_total{code!~"2..",${SEL}}[5m])) / sum by (provider) (rate(cryptorun_provider_requests_total{${SEL}}[5m]))`,
          legend: "{{provider}}",
        }],
        unit: "percentunit",
        red: 0.05,
      },
      {
        title: "Failing health checks",
        description: "0 = failing. Alert: CryptoRunHealthCheckFailing.",
        targets: [{ expr: `min by (check) (cryptorun_health_check_ok{${SEL}})`, legend: "{{check}}" }],
        unit: "none",
        kind: "state-timeline",
      },
      {
        title: "Errors/s by source",
        description: "Scan errors, scheduler errors, database errors, HTTP 5xx.",
        targets: [
          { expr: `sum(rate(cryptorun_scan_runs_total{outcome="error",${SEL}}[5m]))`, legend: "scan" },
          { expr: `sum by (job) (rate(cryptorun_scheduler_runs_total{outcome="error",${SEL}}[5m]))`, legend: "scheduler {{job}}" },
          { expr: `sum by (repo) (rate(cryptorun_db_operations_total{outcome="error",${SEL}}[5m]))`, legend: "db {{repo}}" },
          { expr: `sum by (route) (rate(cryptorun_http_requests_total{code=~"5..",${SEL}}[5m]))`, legend: "http {{route}}" },
        ],
        unit: "ops",
      },
      {
        title: "Last error",
        description: "When each component last reported an error (`cryptorun health --json` shows the message).",
        targets: [{
          expr: `time() - max by (component) (cryptorun_last_error_timestamp_seconds{${SEL}})`,
          legend: "{{component}}",
        }],
        unit: "s",
        kind: "stat",
      },
      {
        title: "Latency p95 / p99 by component",
        description: "Alerts: CryptoRunLatencyP95High, CryptoRunLatencyP99High.",
        targets: [
          {
            expr: `histogram_quantile(0.95, sum by (component, le) (rate(cryptorun_latency_seconds_bucket{${SEL}}[5m])))`,
            legend: "{{component}} p95",
          },
          {
            expr: `histogram_quantile(0.99, sum by (component, le) (rate(cryptorun_latency_seconds_bucket{${SEL}}[5m])))`,
            legend: "{{component}} p99",
          },
        ],
        unit: "s",
        w: 24,
      },
      {
        title: "CPU",
        description: "Process CPU seconds per second.",
        targets: [{ expr: `rate(cryptorun_process_cpu_seconds_total{${SEL}}[5m])`, legend: "{{instance}}" }],
        unit: "percentunit",
      },
      {
        title: "Memory and event-loop lag",
        description: "Resident memory; event-loop lag p99 (a blocked loop delays every request).",
        targets: [
          { expr: `cryptorun_process_resident_memory_bytes{${SEL}}`, legend: "rss {{instance}}" },
          { expr: `cryptorun_nodejs_eventloop_lag_p99_seconds{${SEL}} * 1e9`, legend: "loop lag p99 (ns) {{instance}}" },
        ],
        unit: "bytes",
      },
    ],
  },
];

const DS = { type: "prometheus", uid: "${datasource}" };

function panelJson(p: PanelSpec, id: number, x: number, y: number, w: number) {
  const kind = p.kind ?? "timeseries";
  const thresholds = {
    mode: "absolute",
    steps: [{ color: "green", value: null }, ...(p.red !== undefined ? [{ color: "red", value: p.red }] : [])],
  };
  return {
    id,
    type: kind,
    title: p.title,
    description: p.description,
    datasource: DS,
    gridPos: { h: 8, w, x, y },
    targets: p.targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DS,
      expr: t.expr,
      legendFormat: t.legend,
      range: true,
    })),
    fieldConfig: { defaults: { unit: p.unit ?? "short", thresholds }, overrides: [] },
    options: kind === "timeseries"
      ? { legend: { displayMode: "list", placement: "bottom", showLegend: true }, tooltip: { mode: "multi" } }
      : {},
  };
}

export function dashboardJson(d: DashboardSpec): string {
  let x = 0;
  let y = 0;
  const panels = d.panels.map((p, i) => {
    const w = p.w ?? 12;
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    const out = panelJson(p, i + 1, x, y, w);
    x += w;
    return out;
  });
  const dash = {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ["cryptorun"],
    timezone: "utc",
    editable: true,
    schemaVersion: 39,
    version: 1,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    templating: {
      list: [
        { name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus", current: {} },
        {
          name: "instance",
          label: "Instance",
          type: "query",
          datasource: DS,
          query: { query: "label_values(cryptorun_build_info, instance)", refId: "instance" },
          definition: "label_values(cryptorun_build_info, instance)",
          includeAll: true,
          multi: true,
          allValue: ".*",
          current: { text: "All", value: "$__all" },
          refresh: 2,
        },
      ],
    },
    annotations: { list: [] },
    links: DASHBOARDS.filter((o) => o.uid !== d.uid).map((o) => ({
      title: o.title,
      type: "link",
      url: `/d/${o.uid}`,
    })),
    panels,
  };
  return JSON.stringify(dash, null, 2) + "\n";
}

if (import.meta.main) {
  const dir = new URL(".", import.meta.url).pathname;
  for (const d of DASHBOARDS) {
    await Deno.writeTextFile(`${dir}${d.file}`, dashboardJson(d));
    console.log(`wrote ${dir}${d.file}`);
  }
}
