/**
 * /metrics latency under a loopback load generator (npm:autocannon) with N series registered, and the
 * scrape cost (renderMetrics, what /metrics serves) as series grow. The load generator runs in its own process (it must not
 * share the server's event loop). Run: deno run -A bench/serve_metrics.ts [seconds]
 */
import client from "prom-client";
import { renderMetrics } from "../src/metrics/exposition.ts";
import { registry } from "../src/metrics/registry.ts";
import { nullLogger } from "../src/log/logger.ts";
import { createEventHub } from "../src/serve/events.ts";
import { createHandler } from "../src/serve/handler.ts";
import { parseListen, startServer } from "../src/serve/server.ts";
import type { Readiness } from "../src/serve/readiness.ts";

const seconds = Number(Deno.args[0] ?? 10);
const synthetic = new client.Gauge({
  name: "cryptorun_bench_series",
  help: "bench-only series",
  labelNames: ["symbol", "kind"] as const,
  registers: [registry],
});
let added = 0;
function grow(to: number) {
  for (; added < to; added++) {
    synthetic.set({ symbol: `S${Math.floor(added / 10)}/USD`, kind: `k${added % 10}` }, added);
  }
}

console.log("| series | scrape (renderMetrics) median | body |");
console.log("| --- | --- | --- |");
for (const n of [1_000, 5_000, 10_000, 20_000]) {
  grow(n);
  const t: number[] = [];
  let size = 0;
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    size = (await renderMetrics(registry)).length;
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  console.log(`| ${n} | ${t[15].toFixed(2)} ms | ${(size / 1024).toFixed(0)} KiB |`);
}

// Load test at 10 k series.
synthetic.reset();
added = 0;
grow(10_000);
const readiness: Readiness = {
  report: () => Promise.resolve({ ok: true, summary: "OK", checks: [], at: Date.now() }),
  start() {},
  stop: () => Promise.resolve(),
};
const events = createEventHub({ stream: "scan", maxClients: 1, replay: 0, heartbeatMs: 60_000 });
const server = await startServer(
  parseListen("127.0.0.1:0"),
  createHandler({ registry, readiness, events, log: nullLogger, version: "bench", startedAt: Date.now() }),
  nullLogger,
);
for (const connections of [1, 4]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "npm:autocannon@7.15.0",
      "--json",
      "-c",
      String(connections),
      "-d",
      String(seconds),
      `${server.url}/metrics`,
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  const r = JSON.parse(new TextDecoder().decode(out.stdout));
  console.log(
    `autocannon ${connections} conn, ${seconds}s, 10k series: ${r.requests.total} req, ${
      r.requests.average.toFixed(1)
    } req/s, latency p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, max ${r.latency.max} ms, errors ${r.errors}, non-2xx ${r.non2xx}`,
  );
}
events.close();
await server.shutdown();
