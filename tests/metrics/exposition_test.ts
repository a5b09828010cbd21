// renderMetrics must serve exactly what prom-client's own serialiser would: every metric type, labels that
// need escaping, special values, shared (histogram) labels, collectors, and the project's real registry.
import assert from "node:assert/strict";
import client from "prom-client";
import { renderMetrics } from "../../src/metrics/exposition.ts";
import { bookResyncs, l2SnapshotAge, latency, registry } from "../../src/metrics/registry.ts";
import { parseExposition } from "./exposition.ts";

function everyKind(reg: client.Registry): void {
  const c = new client.Counter({
    name: "t_requests_total",
    help: 'help with a backslash \\ and a\nnewline and "quotes"',
    labelNames: ["path", "code"] as const,
    registers: [reg],
  });
  c.inc({ path: '/a"b', code: "200" }, 3);
  c.inc({ path: "back\\slash", code: "500" });
  c.inc({ path: "new\nline", code: "404" }, 0.5);
  c.inc({ path: "plain", code: "200" }, 1e21);
  const g = new client.Gauge({
    name: "t_gauge",
    help: "a gauge",
    labelNames: ["k"] as const,
    registers: [reg],
  });
  g.set({ k: "nan" }, NaN);
  g.set({ k: "inf" }, Infinity);
  g.set({ k: "-inf" }, -Infinity);
  g.set({ k: "tiny" }, 1.5e-7);
  g.set({ k: "neg" }, -42.125);
  new client.Gauge({ name: "t_unlabelled", help: "no labels", registers: [reg] }).set(7);
  new client.Gauge({
    name: "t_empty",
    help: "labels declared, no sample yet",
    labelNames: ["x"],
    registers: [reg],
  });
  const h = new client.Histogram({
    name: "t_latency_seconds",
    help: "a histogram",
    labelNames: ["component"] as const,
    buckets: [0.01, 0.1, 1],
    registers: [reg],
  });
  h.observe({ component: "scan" }, 0.05);
  h.observe({ component: "scan" }, 2);
  h.observe({ component: 'we"ird' }, 0.001);
  new client.Histogram({ name: "t_plain_hist", help: "no labels", buckets: [1], registers: [reg] }).observe(
    0.5,
  );
  const s = new client.Summary({
    name: "t_summary",
    help: "a summary",
    labelNames: ["q"] as const,
    percentiles: [0.5, 0.99],
    registers: [reg],
  });
  for (let i = 0; i < 100; i++) s.observe({ q: "x" }, i);
  new client.Gauge({
    name: "t_collected",
    help: "set by a collect callback",
    registers: [reg],
    collect() {
      this.set(123);
    },
  });
}

Deno.test("renderMetrics is byte-identical to prom-client for every metric kind, escaping and special values", async () => {
  const reg = new client.Registry();
  everyKind(reg);
  client.collectDefaultMetrics({ register: reg, prefix: "t_" });
  const ours = await renderMetrics(reg);
  // Default metrics change between two calls (CPU, memory): compare against a render taken right after.
  const theirs = await reg.metrics();
  const stable = (s: string) => s.split("\n").filter((l) => !/^t_(process|nodejs)_/.test(l)).join("\n");
  assert.equal(stable(ours), stable(theirs));
  assert.match(ours, /t_requests_total\{path="\/a\\"b",code="200"\} 3/);
  assert.match(ours, /t_requests_total\{path="new\\nline",code="404"\} 0\.5/);
  assert.match(ours, /t_gauge\{k="nan"\} Nan/);
  assert.match(ours, /t_latency_seconds_bucket\{le="\+Inf",component="scan"\} 2/);
  assert.match(ours, /t_collected 123/);
  // And what we serve parses as the text format.
  const families = parseExposition(ours);
  assert.equal(families.get("t_summary")?.type, "summary");
  assert.equal(
    families.get("t_requests_total")?.samples.find((x) => x.labels.code === "404")?.labels.path,
    "new\nline",
  );
});

Deno.test("renderMetrics serves the project's real registry exactly as prom-client would", async () => {
  l2SnapshotAge.set({ provider: "kraken", symbol: "BTC/USD" }, 1.25);
  bookResyncs.inc({ provider: "kraken", reason: "checksum" });
  latency.observe({ component: "metrics_scrape" }, 0.004);
  assert.equal(await renderMetrics(registry), await registry.metrics());
});

Deno.test("renderMetrics keeps prom-client's serialiser for OpenMetrics and default labels", async () => {
  const om = new client.Registry();
  om.setContentType(
    client.Registry.OPENMETRICS_CONTENT_TYPE as typeof client.Registry.PROMETHEUS_CONTENT_TYPE,
  );
  everyKind(om);
  const a = await renderMetrics(om);
  assert.equal(a, await om.metrics());
  assert.ok(a.endsWith("# EOF\n"));
  const dl = new client.Registry();
  everyKind(dl);
  dl.setDefaultLabels({ region: "eu" });
  const b = await renderMetrics(dl);
  assert.equal(b, await dl.metrics());
  assert.match(b, /t_unlabelled\{region="eu"\} 7/);
});

Deno.test("renderMetrics of 10,000 series equals prom-client's output", async () => {
  const reg = new client.Registry();
  const g = new client.Gauge({
    name: "t_series",
    help: "many",
    labelNames: ["symbol", "kind"],
    registers: [reg],
  });
  for (let i = 0; i < 10_000; i++) g.set({ symbol: `S${Math.floor(i / 10)}/USD`, kind: `k${i % 10}` }, i / 7);
  assert.equal(await renderMetrics(reg), await reg.metrics());
});

Deno.test("parseExposition unescapes label values in one pass (an escaped backslash before n is not a newline)", () => {
  const fams = parseExposition('# TYPE t gauge\nt{p="C:\\\\new",q="a\\nb",r="say \\"hi\\""} 1\n');
  assert.deepEqual(fams.get("t")?.samples[0].labels, { p: "C:\\new", q: "a\nb", r: 'say "hi"' });
});
