/**
 * Pulsar backend against a loopback WebSocket server written here that speaks Pulsar's WebSocket protocol
 * (producer receipts, consumer push, acks, redelivery of unacked messages to a new connection).
 */
import assert from "node:assert/strict";
import { StreamSection } from "../../../src/config/sections/stream.ts";
import { newProducer } from "../../../src/stream/producer.ts";
import { type Delivery, openSource, type Source } from "../../../src/stream/source.ts";
import { consume } from "../../../src/stream/consumer.ts";
import { type Envelope, makeEnvelope } from "../../../src/stream/envelope.ts";
import { loadConfig } from "../../../src/config/load.ts";
import { ConfigError } from "../../../src/util/errors.ts";
import { MAX_TIMER_MS } from "../../../src/util/time.ts";

interface Stored {
  id: string;
  payload: string;
  key?: string;
  properties?: Record<string, string>;
}

/** `ackOnly`: the producer side acknowledges only the first N messages, then never replies again. */
function fakePulsar(opts: { ackOnly?: number } = {}) {
  let received = 0;
  const topics = new Map<string, Stored[]>();
  const acked = new Map<string, Set<string>>(); // subscription → acked ids
  const authSeen: string[] = [];
  let n = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    authSeen.push(req.headers.get("authorization") ?? "");
    const m = /^\/ws\/v2\/(producer|consumer)\/persistent\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(
      url.pathname,
    );
    if (!m) return new Response("not found", { status: 404 });
    const [, role, tenant, ns, topic, sub] = m;
    const key = `${tenant}/${ns}/${topic}`;
    const { socket, response } = Deno.upgradeWebSocket(req);
    if (!topics.has(key)) topics.set(key, []);
    const log = topics.get(key)!;
    if (role === "producer") {
      socket.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data));
        if (opts.ackOnly !== undefined && ++received > opts.ackOnly) return; // a broker that stopped replying
        let ok = typeof msg.payload === "string";
        try {
          JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(msg.payload), (c) => c.charCodeAt(0))));
        } catch {
          ok = false;
        }
        if (!ok) {
          socket.send(
            JSON.stringify({ result: "send-error:1", errorMsg: "payload missing", context: msg.context }),
          );
          return;
        }
        const id = btoa(`msg-${++n}`);
        log.push({ id, payload: msg.payload, key: msg.key, properties: msg.properties });
        socket.send(JSON.stringify({ result: "ok", messageId: id, context: msg.context }));
      };
    } else {
      const subKey = `${key}/${sub}`;
      if (!acked.has(subKey)) acked.set(subKey, new Set());
      const done = acked.get(subKey)!;
      socket.onopen = () => {
        for (const s of log) {
          if (done.has(s.id)) continue;
          socket.send(JSON.stringify({
            messageId: s.id,
            payload: s.payload,
            key: s.key,
            properties: s.properties ?? {},
            publishTime: new Date().toISOString(),
            redeliveryCount: 0,
          }));
        }
      };
      socket.onmessage = (ev) => {
        const msg = JSON.parse(String(ev.data));
        if (typeof msg.messageId === "string") done.add(msg.messageId);
      };
    }
    return response;
  });
  const port = (server.addr as Deno.NetAddr).port;
  return { server, port, topics, acked, authSeen, received: () => received };
}

async function pollN(src: Source, n: number): Promise<Delivery[]> {
  const out: Delivery[] = [];
  for (let i = 0; i < 100 && out.length < n; i++) out.push(...await src.poll(n - out.length, 100));
  return out;
}

function envs(n: number): Envelope[] {
  return Array.from(
    { length: n },
    (_, i) =>
      makeEnvelope({ ts: i * 1000, symbol: i % 3 ? "BTC/USD" : "SOL/USD", source: "test", payload: { i } }),
  );
}

Deno.test("pulsar: produce (receipts), consume (push), ack; unacked messages come back to a new connection", async () => {
  const pulsar = fakePulsar();
  try {
    const cfg = StreamSection.parse({
      kind: "pulsar",
      pulsar_ws_url: `ws://127.0.0.1:${pulsar.port}/ws/v2`,
      batch_bytes: 2048,
    });
    const env = { CRYPTORUN_PULSAR_TOKEN: "tok-123456" };
    const sent = envs(50);
    const p = await newProducer(cfg, "/x", env);
    await p.send("prices", sent);
    await p.close();
    const stored = pulsar.topics.get("public/default/prices")!;
    assert.equal(stored.length, 50);
    assert.equal(stored[0].key, "SOL/USD", "key = symbol");
    assert.equal(stored[1].properties?.checksum, sent[1].checksum);
    assert.ok(pulsar.authSeen.includes("Bearer tok-123456"), "token sent as bearer header");

    // First consumer takes 20 messages, acks them, and goes away.
    const src1 = await openSource(cfg, "/x", env, { topic: "prices", group: "sub1", consumer: "c" });
    const first = await pollN(src1, 20);
    assert.equal(first.length, 20);
    await src1.ack(first.map((d) => d.id));
    const notAcked = await pollN(src1, 5);
    assert.equal(notAcked.length, 5);
    await src1.close();
    // The server processes the acks asynchronously: wait until it has seen them (bounded, no fixed sleep).
    const acked = () => pulsar.acked.get("public/default/prices/sub1")?.size ?? 0;
    for (let i = 0; i < 500 && acked() < 20; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(acked(), 20);

    // A new consumer gets the remaining 30 (including the 5 delivered but never acked).
    const src2 = await openSource(cfg, "/x", env, { topic: "prices", group: "sub1", consumer: "c" });
    const dlq = await newProducer(cfg, "/x", env);
    const got: Envelope[] = [];
    const stats = await consume({
      source: src2,
      dlq,
      topic: "prices",
      kind: "pulsar",
      idleMs: 300,
      blockMs: 100,
      handle: (es) => {
        got.push(...es);
        return Promise.resolve();
      },
    });
    await src2.close();
    await dlq.close();
    assert.equal(stats.handled, 30);
    assert.deepEqual(got.map((e) => e.checksum), sent.slice(20).map((e) => e.checksum));
  } finally {
    await pulsar.server.shutdown();
  }
});

Deno.test("pulsar: a send-error receipt rejects send; no server → clear connection error", async () => {
  const pulsar = fakePulsar();
  const cfg = StreamSection.parse({ kind: "pulsar", pulsar_ws_url: `ws://127.0.0.1:${pulsar.port}/ws/v2` });
  try {
    const p = await newProducer(cfg, "/x", {});
    // An envelope whose wire form the fake refuses: we bypass encode by sending a bad object directly.
    await assert.rejects(
      p.send("bad", [{ ...envs(1)[0], payload: undefined as unknown as string }]),
      /pulsar: bad: send-error:1: payload missing/,
    );
    await p.close();
  } finally {
    await pulsar.server.shutdown();
  }
  const dead = StreamSection.parse({ kind: "pulsar", pulsar_ws_url: `ws://127.0.0.1:${pulsar.port}/ws/v2` });
  const p2 = await newProducer(dead, "/x", {});
  await assert.rejects(p2.send("t", envs(1)), /pulsar: (cannot connect|connection)/);
  await p2.close();
});

/**
 * Turns a hang into a failure naming `what`. Not a timed assertion: the deadline is far above the timeout
 * under test; it only keeps a broken build from hanging CI.
 */
async function settles<T>(what: string, p: Promise<T>, deadlineMs = 30_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${deadlineMs} ms`)), deadlineMs);
  });
  try {
    return await Promise.race([p, hung]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("pulsar: a broker that stops sending receipts fails send after stream.pulsar_send_timeout_ms, naming topic and timeout", async () => {
  const pulsar = fakePulsar({ ackOnly: 1 });
  try {
    const cfg = StreamSection.parse({
      kind: "pulsar",
      pulsar_ws_url: `ws://127.0.0.1:${pulsar.port}/ws/v2`,
      pulsar_send_timeout_ms: 100,
    });
    const p = await newProducer(cfg, "/x", {});
    await assert.rejects(
      settles("send to a silent broker", p.send("prices", envs(3))),
      /^Error: pulsar: prices: no send receipt for 2 of 3 messages within 100 ms \(stream\.pulsar_send_timeout_ms\)$/,
    );
    assert.equal(pulsar.received(), 3, "all three messages reached the broker");
    await p.close();
  } finally {
    await pulsar.server.shutdown();
  }
});

Deno.test("pulsar: stream.pulsar_send_timeout_ms defaults to 30 s and is validated (positive integer, <= 2^31-1 ms)", async () => {
  assert.equal(StreamSection.parse({}).pulsar_send_timeout_ms, 30_000);
  const env = "CRYPTORUN_STREAM_PULSAR_SEND_TIMEOUT_MS";
  for (const bad of [String(MAX_TIMER_MS + 1), "0", "1.5"]) {
    const err = await loadConfig({ configPath: "/none.yaml", env: { [env]: bad } }).then(
      () => undefined,
      (e) => e,
    );
    assert.ok(err instanceof ConfigError, `${bad}: expected a ConfigError, got ${err}`);
    assert.match(
      err.message,
      new RegExp(`environment ${env}: stream\\.pulsar_send_timeout_ms: .*found ${bad}`),
    );
  }
  const ok = await loadConfig({ configPath: "/none.yaml", env: { [env]: String(MAX_TIMER_MS) } });
  assert.equal(ok.config.stream.pulsar_send_timeout_ms, MAX_TIMER_MS);
});
