/**
 * The server side of the `serve` load targets, run as its own process (the load generators must not share
 * its event loop): the real `serve` stack — startServer, createHandler, the event hub, readiness with the
 * real health checks over a data dir (persistence off) — plus N synthetic metric series (as
 * bench/serve_metrics.ts makes them) and, as the /events reference, a bare SSE fan-out of the same bytes
 * on a second port (Deno.serve and one ReadableStream per client: nothing but the fan-out).
 *
 *   deno run -A tests/load/serve_harness.ts DATA_DIR SERIES
 *
 * Prints one JSON line {"url","bare"} when listening, then reads commands on stdin:
 *   publish ours|bare N BYTES   sends N events of a BYTES-long payload; answers "published <epoch ms>"
 *   quit                        stops both servers and exits
 */
import client from "prom-client";
import { loadConfig } from "../../src/config/load.ts";
import { HEALTH_CHECKS } from "../../src/health/registry.ts";
import { defaultSources } from "../../src/health/sources.ts";
import { nullLogger } from "../../src/log/logger.ts";
import { enableDefaultMetrics, registry } from "../../src/metrics/registry.ts";
import { createEventHub, encodeEvent } from "../../src/serve/events.ts";
import { createHandler } from "../../src/serve/handler.ts";
import { createReadiness } from "../../src/serve/readiness.ts";
import { parseListen, startServer } from "../../src/serve/server.ts";

const [dataDir, seriesArg] = Deno.args;
const series = Number(seriesArg ?? 10_000);
const env = { CRYPTORUN_PERSISTENCE_ENABLED: "false", CRYPTORUN_STREAM_ENABLED: "false" };
const { config: cfg } = await loadConfig({ configPath: `${dataDir}/__none__.yaml`, env });

enableDefaultMetrics();
const synthetic = new client.Gauge({
  name: "cryptorun_load_series",
  help: "load-test-only series",
  labelNames: ["symbol", "kind"] as const,
  registers: [registry],
});
for (let i = 0; i < series; i++) {
  synthetic.set({ symbol: `S${Math.floor(i / 10)}/USD`, kind: `k${i % 10}` }, i);
}

const events = createEventHub({ stream: "scan", maxClients: 1000, replay: 0, heartbeatMs: 60_000 });
const readiness = createReadiness({
  checks: HEALTH_CHECKS,
  input: (signal) => ({
    config: cfg,
    dataDir,
    now: new Date(),
    signal,
    sources: defaultSources(cfg, dataDir, env),
  }),
  refreshMs: cfg.health.refresh_ms,
  log: nullLogger,
});
const server = await startServer(
  parseListen("127.0.0.1:0"),
  createHandler({ registry, readiness, events, log: nullLogger, version: "load", startedAt: Date.now() }),
  nullLogger,
  {
    maxConnections: 2048,
    headerTimeoutMs: cfg.metrics.http_header_timeout_ms,
    idleTimeoutMs: cfg.metrics.http_idle_timeout_ms,
    writeTimeoutMs: cfg.metrics.http_write_timeout_ms,
  },
);

// The reference: a bare fan-out of the same encoded events.
const bareClients = new Set<ReadableStreamDefaultController<Uint8Array>>();
const bare = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
  let me: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(ctl) {
      me = ctl;
      bareClients.add(ctl);
      ctl.enqueue(new TextEncoder().encode("retry: 3000\n\n"));
    },
    cancel() {
      bareClients.delete(me);
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
});

console.log(JSON.stringify({ url: server.url, bare: `http://127.0.0.1:${bare.addr.port}` }));

let bareId = 1;
for await (const line of stdinLines()) {
  const [cmd, which, n, bytes] = line.trim().split(/\s+/);
  if (cmd === "quit") break;
  if (cmd !== "publish") continue;
  const payload = { pad: "x".repeat(Number(bytes)) };
  const t0 = Date.now();
  for (let i = 0; i < Number(n); i++) {
    if (which === "ours") events.publish("scan", payload);
    else {
      const frame = encodeEvent({ id: bareId++, event: "scan", data: JSON.stringify(payload) });
      for (const c of bareClients) c.enqueue(frame);
    }
    // Let the writers run between events, as a live publisher would (one scan result at a time).
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 0));
  }
  console.log(`published ${t0}`);
}
events.close();
for (const c of bareClients) c.close();
await readiness.stop();
await server.shutdown();
await bare.shutdown();

async function* stdinLines(): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, i);
      buf = buf.slice(i + 1);
    }
  }
}
