import assert from "node:assert/strict";
import {
  anomalyQuarantine,
  boundedSymbol,
  cacheHitRatio,
  dataConsistencyErrors,
  enableDefaultMetrics,
  l2SnapshotAge,
  latency,
  providerRequests,
  rateLimitRemaining,
  registry,
  replicationLag,
  setSymbolLabelCap,
  sseThroughput,
  wsReconnects,
} from "../../src/metrics/registry.ts";
import { renderMetrics } from "../../src/metrics/exposition.ts";
import { parseExposition } from "./exposition.ts";

/** The spec's metrics (C1.1, A3.3, D2.1) with their exact label sets. */
export const SPEC_METRICS: Array<[string, string, string[]]> = [
  ["cryptorun_provider_requests_total", "counter", ["provider", "endpoint", "code"]],
  ["cryptorun_ws_reconnects_total", "counter", ["provider"]],
  ["cryptorun_l2_snapshot_age_seconds", "gauge", ["provider", "symbol"]],
  ["cryptorun_replication_lag_seconds", "gauge", ["tier", "region", "source"]],
  ["cryptorun_data_consistency_errors_total", "counter", ["check"]],
  ["cryptorun_anomaly_quarantine_total", "counter", ["kind"]],
  ["cryptorun_rate_limit_remaining", "gauge", ["provider", "endpoint"]],
  ["cryptorun_cache_hit_ratio", "gauge", ["tier"]],
  ["cryptorun_latency_seconds", "histogram", ["component"]],
  ["cryptorun_sse_throughput", "counter", ["stream"]],
];

Deno.test("/metrics text parses as Prometheus exposition and carries every spec metric with its labels", async () => {
  enableDefaultMetrics();
  // What the adapters do when they run (one observation each).
  providerRequests.inc({ provider: "kraken", endpoint: "OHLC", code: "200" });
  wsReconnects.inc({ provider: "kraken" });
  l2SnapshotAge.set({ provider: "kraken", symbol: boundedSymbol("BTC/USD") }, 1.5);
  replicationLag.set({ tier: "warm", region: "eu-1", source: "us-1" }, 3);
  dataConsistencyErrors.inc({ check: "schema" });
  anomalyQuarantine.inc({ kind: "outlier" });
  rateLimitRemaining.set({ provider: "kraken", endpoint: "rest" }, 14);
  cacheHitRatio.set({ tier: "warm" }, 0.9);
  latency.observe({ component: "scan" }, 0.12);
  sseThroughput.inc({ stream: "scan" });

  const fams = parseExposition(await renderMetrics(registry));
  for (const [name, type, labels] of SPEC_METRICS) {
    const f = fams.get(name);
    assert.ok(f, `${name} missing`);
    assert.equal(f.type, type, name);
    assert.ok(f.help.length > 10, `${name} has help text`);
    const s = f.samples.find((x) => x.name === (type === "histogram" ? `${name}_bucket` : name));
    assert.ok(s, `${name} has a sample`);
    const keys = Object.keys(s.labels).filter((k) => k !== "le").sort();
    assert.deepEqual(keys, [...labels].sort(), name);
  }
  // The histogram exposes _bucket with le, _sum and _count.
  const h = fams.get("cryptorun_latency_seconds")!;
  assert.ok(h.samples.some((s) => s.name === "cryptorun_latency_seconds_bucket" && s.labels.le === "+Inf"));
  assert.ok(
    h.samples.some((s) => s.name === "cryptorun_latency_seconds_count" && s.labels.component === "scan"),
  );
  // Process/runtime metrics.
  for (
    const n of [
      "cryptorun_process_cpu_seconds_total",
      "cryptorun_process_resident_memory_bytes",
      "cryptorun_nodejs_eventloop_lag_p99_seconds",
    ]
  ) {
    assert.ok(fams.has(n), n);
  }
  // Every metric family we define is ours (cryptorun_ prefix) and documented.
  for (const f of fams.values()) assert.match(f.name, /^cryptorun_/);
  const doc = await Deno.readTextFile(new URL("../../docs/MONITORING.md", import.meta.url));
  for (const f of fams.values()) {
    if (/^cryptorun_(process|nodejs)_/.test(f.name)) continue;
    assert.ok(doc.includes("`" + f.name + "`"), `docs/MONITORING.md documents ${f.name}`);
  }
});

Deno.test("promtool accepts the exposition (promtool check metrics)", async () => {
  const bin = Deno.env.get("PROMTOOL_BIN");
  assert.ok(bin, "PROMTOOL_BIN is not set (run through `deno task test`)");
  const child = new Deno.Command(bin, {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  })
    .spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(await renderMetrics(registry)));
  await w.close();
  const r = await child.output();
  const out = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
  // promtool exits 3 for lint warnings only; parse errors exit 1. Ours must have neither errors nor
  // warnings other than the runtime library's own (nodejs_* naming is prom-client's, not ours) and the
  // spec's own name `cryptorun_sse_throughput` (D2.1 names it without _total; we keep the spec's name).
  const problems = out.split("\n").filter((l) =>
    l.trim() && !/^cryptorun_nodejs_|^cryptorun_process_/.test(l) &&
    l !== 'cryptorun_sse_throughput counter metrics should have "_total" suffix'
  );
  assert.deepEqual(problems, [], out);
  assert.ok(r.code === 0 || r.code === 3, `promtool exit ${r.code}: ${out}`);
});

Deno.test("exposition parser rejects malformed text (so the test above can fail)", () => {
  assert.throws(() => parseExposition('# TYPE x counter\nx{a="1" 2\n'), /line 2/);
  assert.throws(() => parseExposition("# TYPE x counter\ny 1\n"), /outside its family/);
  assert.throws(() => parseExposition("# TYPE x counter\nx abc\n"), /bad value/);
});

Deno.test("boundedSymbol caps the symbol label set and refuses non-pair text", () => {
  setSymbolLabelCap(100_000);
  assert.equal(boundedSymbol("user input with spaces"), "invalid");
  assert.equal(boundedSymbol("BTC/USD"), "BTC/USD");
  setSymbolLabelCap(1);
  assert.equal(boundedSymbol("ZZZNEW/USD"), "other", "over the cap collapses into other");
  assert.equal(boundedSymbol("BTC/USD"), "BTC/USD", "already admitted symbols stay");
  assert.throws(() => setSymbolLabelCap(0), /positive integer/);
  setSymbolLabelCap(500);
});
