import assert from "node:assert/strict";
import { nullLogger } from "../../src/log/logger.ts";
import { registry } from "../../src/metrics/registry.ts";
import { HEALTH_CHECKS } from "../../src/health/registry.ts";
import { createEventHub, type EventHub } from "../../src/serve/events.ts";
import { createHandler } from "../../src/serve/handler.ts";
import { createReadiness } from "../../src/serve/readiness.ts";
import { isLoopback, parseListen, startServer } from "../../src/serve/server.ts";
import { UsageError } from "../../src/util/errors.ts";
import { tempDir } from "../helpers/tmp.ts";
import { defaultConfig, fakeSources } from "../health/fake_sources.ts";

interface Harness extends AsyncDisposable {
  url: string;
  events: EventHub;
  sources: ReturnType<typeof fakeSources>;
}

/** A real server on a free loopback port with the real handler, readiness and event hub (fake stores). */
async function harness(opts: { staleHot?: boolean; maxClients?: number } = {}): Promise<Harness> {
  const dir = await tempDir();
  const config = await defaultConfig((c) => (c.health.refresh_ms = 0));
  const now = Date.now();
  const sources = fakeSources({
    hot: [{ symbol: "BTC/USD", ts: opts.staleHot ? now - 3_600_000 : now, checksum_failed: 0, resyncs: 0 }],
  });
  const readiness = createReadiness({
    checks: HEALTH_CHECKS,
    input: (signal) => ({ config, dataDir: dir.path, now: new Date(), signal, sources }),
    refreshMs: 0,
    log: nullLogger,
  });
  const events = createEventHub({
    stream: "scan",
    maxClients: opts.maxClients ?? 10,
    replay: 5,
    heartbeatMs: 60_000,
  });
  const server = await startServer(
    parseListen("127.0.0.1:0"),
    createHandler({ registry, readiness, events, log: nullLogger, version: "test", startedAt: now }),
    nullLogger,
  );
  return {
    url: server.url,
    events,
    sources,
    async [Symbol.asyncDispose]() {
      events.close();
      await server.shutdown();
      await readiness.stop();
      await dir[Symbol.asyncDispose]();
    },
  };
}

async function get(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: string; headers: Headers }> {
  const r = await fetch(url, init);
  return { status: r.status, body: await r.text(), headers: r.headers };
}

Deno.test("parseListen: host:port and [v6]:port; anything else is a usage error naming the value", () => {
  assert.deepEqual(parseListen("127.0.0.1:9464"), { hostname: "127.0.0.1", port: 9464 });
  assert.deepEqual(parseListen("[::1]:0"), { hostname: "::1", port: 0 });
  for (const bad of ["9464", "127.0.0.1", "127.0.0.1:99999", "host:port", ""]) {
    assert.throws(
      () => parseListen(bad),
      (e: Error) => e instanceof UsageError && e.message.includes(JSON.stringify(bad)),
    );
  }
  assert.ok(isLoopback("127.0.0.1") && isLoopback("::1") && !isLoopback("0.0.0.0"));
});

Deno.test("serve: /metrics, /healthz, /readyz (200 when healthy), HEAD, index", async () => {
  await using h = await harness();
  const m = await get(`${h.url}/metrics`);
  assert.equal(m.status, 200);
  assert.match(m.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
  assert.match(m.body, /^# TYPE cryptorun_provider_requests_total counter$/m);
  const hz = await get(`${h.url}/healthz`);
  assert.deepEqual([hz.status, hz.body], [200, "ok\n"]);
  const rz = await get(`${h.url}/readyz`);
  assert.deepEqual([rz.status, rz.body], [200, "OK\n"]);
  const rzj = JSON.parse((await get(`${h.url}/readyz?format=json`)).body);
  assert.equal(rzj.status, "ok");
  assert.ok(rzj.checks.some((c: { name: string }) => c.name === "database"));
  const head = await get(`${h.url}/metrics`, { method: "HEAD" });
  assert.deepEqual([head.status, head.body], [200, ""]);
  assert.match((await get(`${h.url}/`)).body, /\/readyz/);
  // The scrape itself is measured, and health gauges are set by the readiness run.
  const again = (await get(`${h.url}/metrics`)).body;
  assert.match(again, /cryptorun_latency_seconds_count\{component="metrics_scrape"\} [1-9]/);
  assert.match(again, /cryptorun_health_check_ok\{check="freshness_hot"\} 1/);
  assert.match(again, /cryptorun_http_requests_total\{route="readyz",code="200"\} [1-9]/);
});

Deno.test("serve: /readyz is 503 with the reason when data is stale or the database is down", async () => {
  await using h = await harness({ staleHot: true });
  const rz = await get(`${h.url}/readyz`);
  assert.equal(rz.status, 503);
  assert.match(rz.body, /^FAIL: provider: kraken: all 1 books stale.*; freshness_hot: hot data stale/);
  h.sources.state.hot = [{ symbol: "BTC/USD", ts: Date.now(), checksum_failed: 0, resyncs: 0 }];
  h.sources.state.dbError = new Error("connection refused");
  const rz2 = await get(`${h.url}/readyz`);
  assert.equal(rz2.status, 503);
  assert.equal(rz2.body, "FAIL: database: embedded database unreachable: connection refused\n");
  assert.match((await get(`${h.url}/metrics`)).body, /cryptorun_health_check_ok\{check="database"\} 0/);
});

Deno.test("serve: malformed requests get 4xx and the server keeps serving", async () => {
  await using h = await harness();
  const notFound = await get(`${h.url}/nope`);
  assert.equal(notFound.status, 404);
  for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
    const r = await get(`${h.url}/metrics`, { method, body: method === "DELETE" ? undefined : "x" });
    assert.equal(r.status, 405, method);
    assert.equal(r.headers.get("allow"), "GET, HEAD");
  }
  const badId = await get(`${h.url}/events`, { headers: { "last-event-id": "DROP TABLE" } });
  assert.equal(badId.status, 400);
  // Headers far beyond any sane size: the runtime refuses them with a 4xx (raw socket, no client limits).
  const port = Number(new URL(h.url).port);
  for (const size of [64 * 1024, 1024 * 1024]) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const req = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(size)}\r\n\r\n`;
    const status = await (async () => {
      try {
        await conn.write(new TextEncoder().encode(req));
      } catch { /* the server may close before reading it all */ }
      const buf = new Uint8Array(256);
      const n = await conn.read(buf).catch(() => null);
      return n ? new TextDecoder().decode(buf.subarray(0, n)).split("\r\n")[0] : "closed";
    })();
    conn.close();
    assert.match(status, /^HTTP\/1\.1 4\d\d|^closed$/, `headers of ${size} bytes: ${status}`);
  }
  // Garbage request line.
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode("NOT HTTP AT ALL\r\n\r\n"));
  const buf = new Uint8Array(256);
  const n = await conn.read(buf).catch(() => null);
  conn.close();
  if (n) assert.match(new TextDecoder().decode(buf.subarray(0, n)), /^HTTP\/1\.1 4\d\d/);
  // Still serving.
  assert.equal((await get(`${h.url}/healthz`)).status, 200);
  assert.match(
    (await get(`${h.url}/metrics`)).body,
    /cryptorun_http_requests_total\{route="other",code="404"\} [1-9]/,
  );
});

async function readEvents(body: ReadableStream<Uint8Array>, want: number): Promise<string[]> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const out: string[] = [];
  while (out.length < want) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
    let i;
    while ((i = text.indexOf("\n\n")) >= 0) {
      const block = text.slice(0, i);
      text = text.slice(i + 2);
      if (block.includes("data: ")) out.push(block);
    }
  }
  await reader.cancel();
  return out;
}

async function throughput(): Promise<number> {
  const m = /^cryptorun_sse_throughput\{stream="scan"\} (\S+)$/m.exec(await registry.metrics());
  return m ? Number(m[1]) : 0;
}

Deno.test("serve: /events streams scan results, replays after Last-Event-ID, counts throughput", async () => {
  await using h = await harness();
  const before = await throughput();
  const res = await fetch(`${h.url}/events`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/event-stream/);
  const got = readEvents(res.body!, 2);
  // Wait until the client is registered before publishing.
  while (h.events.clients() === 0) await new Promise((r) => setTimeout(r, 5));
  const id1 = h.events.publish("scan", { ranked: [{ symbol: "BTC/USD", score: 81.5 }] });
  const id2 = h.events.publish("scan", { ranked: [] });
  const blocks = await got;
  assert.deepEqual(blocks, [
    `id: ${id1}\nevent: scan\ndata: {"ranked":[{"symbol":"BTC/USD","score":81.5}]}`,
    `id: ${id2}\nevent: scan\ndata: {"ranked":[]}`,
  ]);
  assert.equal(await throughput(), before + 2);

  // A reconnecting client gets only what it missed.
  const res2 = await fetch(`${h.url}/events`, { headers: { "last-event-id": String(id1) } });
  const replayed = await readEvents(res2.body!, 1);
  assert.deepEqual(replayed, [`id: ${id2}\nevent: scan\ndata: {"ranked":[]}`]);
  while (h.events.clients() > 0) await new Promise((r) => setTimeout(r, 5));
});

Deno.test("serve: /events refuses clients over the cap with 503, and close() ends open streams", async () => {
  await using h = await harness({ maxClients: 1 });
  const first = await fetch(`${h.url}/events`);
  assert.equal(first.status, 200);
  const second = await fetch(`${h.url}/events`);
  assert.equal(second.status, 503);
  await second.body?.cancel();
  h.events.close();
  // The open stream ends (the server could now shut down without waiting for it).
  const text = await first.text();
  assert.match(text, /^retry: 3000/);
});
