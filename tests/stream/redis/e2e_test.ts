/**
 * End to end on the real redis-server that `deno task test` starts on loopback (CRYPTORUN_TEST_REDIS_URL):
 * producer → Redis Streams → consumer with validation, DLQ and idempotence.
 */
import assert from "node:assert/strict";
import { StreamSection } from "../../../src/config/sections/stream.ts";
import { newProducer } from "../../../src/stream/producer.ts";
import { openSource } from "../../../src/stream/source.ts";
import { consume, type DlqRecord, SeenSet } from "../../../src/stream/consumer.ts";
import {
  decodeEnvelope,
  encodeEnvelope,
  type Envelope,
  makeEnvelope,
  validate,
} from "../../../src/stream/envelope.ts";
import { connectRedis } from "../../../src/stream/redis/connect.ts";
import { redisProducer } from "../../../src/stream/redis/producer.ts";
import { CLAIM_ROUNDS, redisSource } from "../../../src/stream/redis/source.ts";

function redisEnv(): Record<string, string> {
  const url = Deno.env.get("CRYPTORUN_TEST_REDIS_URL");
  if (!url) {
    throw new Error(
      "CRYPTORUN_TEST_REDIS_URL is not set: run through `deno task test` (it starts redis-server)",
    );
  }
  return { CRYPTORUN_REDIS_URL: url };
}

const cfg = StreamSection.parse({ kind: "redis", batch_bytes: 16 * 1024 });

function envelopes(n: number, tag: string): Envelope[] {
  return Array.from({ length: n }, (_, i) =>
    makeEnvelope({
      ts: Date.UTC(2024, 0, 1) + i * 60_000,
      symbol: i % 2 ? "ETH/USD" : "BTC/USD",
      source: "test",
      payload: { i, tag, close: 100 + i / 7 },
    }));
}

Deno.test("redis e2e: 1,000 envelopes published and consumed; one corrupted → DLQ with reason, 999 delivered", async () => {
  const env = redisEnv();
  const topic = `t.e2e.${crypto.randomUUID().slice(0, 8)}`;
  const sent = envelopes(1000, "e2e");
  const producer = await newProducer(cfg, "/nonexistent", env);
  await producer.send(topic, sent.slice(0, 500));
  // One corrupted envelope in the middle: its payload changed after the checksum was computed.
  const corrupted = { ...sent[500], payload: sent[500].payload.replace('"close":', '"close":1') };
  const raw = await connectRedis(env.CRYPTORUN_REDIS_URL);
  await raw.xadd(topic, "*", "e", encodeEnvelope(corrupted), "k", corrupted.symbol);
  await producer.send(topic, sent.slice(501));
  await producer.close();

  const source = await openSource(cfg, "/nonexistent", env, { topic, group: "g1", consumer: "c1" });
  const dlq = await newProducer(cfg, "/nonexistent", env);
  const got: Envelope[] = [];
  const stats = await consume({
    source,
    dlq,
    topic,
    kind: "redis",
    handle: (es) => {
      got.push(...es);
      return Promise.resolve();
    },
    batch: 128,
    idleMs: 500,
    blockMs: 200,
  });
  await source.close();
  await dlq.close();

  assert.equal(stats.delivered, 1000);
  assert.equal(stats.handled, 999);
  assert.equal(stats.dlq, 1);
  assert.deepEqual(stats.reasons, { checksum_mismatch: 1 });
  assert.equal(got.length, 999);
  for (const e of got) validate(e);
  const want = new Set(sent.filter((_, i) => i !== 500).map((e) => e.checksum));
  assert.deepEqual(new Set(got.map((e) => e.checksum)), want);

  // The DLQ entry is a valid envelope carrying the reason and the raw message.
  const dl = await raw.xrange(`${topic}.dlq`, "-", "+");
  assert.equal(dl.length, 1);
  const dlqEnv = validate(decodeEnvelope(dl[0][1][1]));
  const rec = JSON.parse(dlqEnv.payload) as DlqRecord;
  assert.equal(rec.kind, "checksum_mismatch");
  assert.equal(rec.topic, topic);
  assert.match(rec.reason, /computed/);
  assert.equal(rec.raw, encodeEnvelope(corrupted));
  // Everything was acked: nothing pending for the group.
  const pending = await raw.xpending(topic, "g1") as [number, ...unknown[]];
  assert.equal(pending[0], 0);
  await raw.del(topic, `${topic}.dlq`);
  await raw.quit();
});

Deno.test("redis e2e: a crash before ack redelivers the unacked batch; a checksum-keyed handler keeps each once", async () => {
  const env = redisEnv();
  const topic = `t.redeliver.${crypto.randomUUID().slice(0, 8)}`;
  const sent = envelopes(300, "redeliver");
  const producer = await newProducer(cfg, "/nonexistent", env);
  await producer.send(topic, sent);
  await producer.close();

  const seen = new SeenSet();
  const handled: string[] = [];
  // First run: the handler succeeds for the first batch, then the process "crashes" inside the second
  // batch (after handling, before ack): modelled by a handler that throws a non-retryable error.
  const src1 = await openSource(cfg, "/nonexistent", env, { topic, group: "g", consumer: "c" });
  const dlq = await newProducer(cfg, "/nonexistent", env);
  let calls = 0;
  await assert.rejects(
    consume({
      source: src1,
      dlq,
      topic,
      kind: "redis",
      seen,
      batch: 100,
      idleMs: 500,
      retry: { attempts: 1, startMs: 1, maxDelayMs: 1 },
      handle: (es) => {
        calls++;
        handled.push(...es.map((e) => e.checksum));
        if (calls === 2) return Promise.reject(new Error("simulated crash after handling"));
        return Promise.resolve();
      },
    }),
    /simulated crash/,
  );
  await src1.close();
  // Second batch was handled but never acked or recorded as seen: the restart gets it again.
  const src2 = await openSource(cfg, "/nonexistent", env, { topic, group: "g", consumer: "c" });
  const idempotent = new Set(handled);
  const stats = await consume({
    source: src2,
    dlq,
    topic,
    kind: "redis",
    seen,
    batch: 100,
    idleMs: 500,
    handle: (es) => {
      for (const e of es) idempotent.add(e.checksum);
      handled.push(...es.map((e) => e.checksum));
      return Promise.resolve();
    },
  });
  await src2.close();
  await dlq.close();
  assert.equal(stats.delivered, 200, "the unacked batch is redelivered, then the rest");
  // 100 (acked) + 100 (handled, then the crash) + 200 (restart: the unacked 100 again, then the last 100).
  assert.equal(handled.length, 400, "at-least-once: the handled-but-unacked batch reaches the handler again");
  assert.equal(stats.handled, 200);
  assert.equal(idempotent.size, 300);
  assert.deepEqual(idempotent, new Set(sent.map((e) => e.checksum)));
  const raw = await connectRedis(env.CRYPTORUN_REDIS_URL);
  await raw.del(topic);
  await raw.quit();
});

Deno.test("redis e2e: producer cancelled mid-send loses nothing it acknowledged; a retry completes the set", async () => {
  const env = redisEnv();
  const topic = `t.cancel.${crypto.randomUUID().slice(0, 8)}`;
  const sent = envelopes(1000, "cancel");
  const client = await connectRedis(env.CRYPTORUN_REDIS_URL);
  const small = StreamSection.parse({ kind: "redis", batch_bytes: 4096 });
  const producer = redisProducer(client, small, false);
  const ac = new AbortController();
  // Abort once the third batch (one XADD script call each) has been added.
  const batched = client as unknown as { xaddBatch(...a: unknown[]): Promise<unknown> };
  const origBatch = batched.xaddBatch;
  let batches = 0;
  batched.xaddBatch = async (...a: unknown[]) => {
    const r = await origBatch.apply(client, a);
    if (++batches === 3) ac.abort(new DOMException("cancelled", "AbortError"));
    return r;
  };
  await assert.rejects(
    producer.send(topic, sent, ac.signal),
    (err: unknown) => (err as Error).name === "AbortError",
  );
  await producer.close();
  batched.xaddBatch = origBatch;
  assert.equal(batches, 3);
  const afterCancel = await client.xlen(topic);
  assert.ok(afterCancel > 0 && afterCancel < 1000, `partial: ${afterCancel}`);
  // Every entry written before the cancel is intact and valid.
  const entries = await client.xrange(topic, "-", "+");
  const firstPart = entries.map(([, f]) => validate(decodeEnvelope(f[1])).checksum);
  assert.deepEqual(firstPart, sent.slice(0, afterCancel).map((e) => e.checksum));
  // Re-sending the whole batch (at-least-once) + consumer idempotence = every envelope exactly once.
  const p2 = redisProducer(client, small, false);
  await p2.send(topic, sent);
  const src = await openSource(small, "/x", env, { topic, group: "g", consumer: "c" });
  const dlq = redisProducer(client, small, false);
  const got = new Map<string, number>();
  const stats = await consume({
    source: src,
    dlq,
    topic,
    kind: "redis",
    idleMs: 500,
    handle: (es) => {
      for (const e of es) got.set(e.checksum, (got.get(e.checksum) ?? 0) + 1);
      return Promise.resolve();
    },
  });
  await src.close();
  assert.equal(stats.delivered, afterCancel + 1000);
  assert.equal(stats.duplicates, afterCancel);
  assert.equal(got.size, 1000);
  assert.ok([...got.values()].every((n) => n === 1));
  await client.del(topic);
  await client.quit();
});

Deno.test("redis e2e: CLI publish of a window already published to the file kind still sends it all to redis", async () => {
  const env = redisEnv();
  const { openColdStore } = await import("../../../src/data/cold/store.ts");
  const { ColdSection } = await import("../../../src/config/sections/cold.ts");
  const { runCliCaptured } = await import("../../helpers/cli.ts");
  const { tempDir } = await import("../../helpers/tmp.ts");
  await using dir = await tempDir();
  const T0 = Date.UTC(2024, 0, 1);
  await openColdStore(ColdSection.parse({}), dir.path).write(
    "ohlcv",
    Array.from({ length: 24 }, (_, h) => ({
      ts: T0 + h * 3_600_000,
      symbol: "BTC/USD",
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: h,
    })),
  );
  const topic = `t.cli.${crypto.randomUUID().slice(0, 8)}`;
  const argv = [
    "--data-dir",
    dir.path,
    "stream",
    "publish",
    "--from",
    "2024-01-01",
    "--to",
    "2024-01-01T23:59:59Z",
  ];
  const toFile = await runCliCaptured([...argv, "--topic", topic, "--kind", "file"], env);
  assert.equal(toFile.code, 0, toFile.stderr);
  assert.match(toFile.stdout, /published 24 envelopes/);
  // Same topic/table/range/window, another backend: its own default checkpoint, so nothing is skipped.
  const toRedis = await runCliCaptured([...argv, "--topic", topic, "--kind", "redis"], env);
  assert.equal(toRedis.code, 0, toRedis.stderr);
  assert.match(toRedis.stdout, /published 24 envelopes in 1 windows to redis:/);
  const raw = await connectRedis(env.CRYPTORUN_REDIS_URL);
  assert.equal(await raw.xlen(topic), 24);
  await raw.del(topic);
  await raw.quit();
});

Deno.test("redis: a missing server fails fast with a clear error; the URL is a secret", async () => {
  const ln = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (ln.addr as Deno.NetAddr).port;
  ln.close();
  await assert.rejects(
    newProducer(cfg, "/x", { CRYPTORUN_REDIS_URL: `redis://user:sekret-pass@127.0.0.1:${port}` }),
    (err: Error) => /redis: cannot connect/.test(err.message) && !err.message.includes("sekret-pass"),
  );
  await assert.rejects(newProducer(cfg, "/x", {}), /CRYPTORUN_REDIS_URL/);
});

/**
 * Pending entries of crashed members, taken over by a fresh member through XAUTOCLAIM. `live` holds `live`
 * entries (read just now, so not idle enough to claim); then `dead` holds `dead` entries made idle for an hour
 * (XCLAIM … IDLE, so no sleeping).
 */
async function pendingSetup(live: number, dead: number) {
  const env = redisEnv();
  const client = await connectRedis(env.CRYPTORUN_REDIS_URL);
  const topic = `t.claim.${crypto.randomUUID().slice(0, 8)}`;
  await client.xgroup("CREATE", topic, "g", "0", "MKSTREAM");
  const pipe = client.pipeline();
  for (let i = 0; i < live + dead; i++) pipe.xadd(topic, "*", "e", `{"n":${i}}`);
  await pipe.exec();
  const readAs = async (consumer: string, n: number): Promise<string[]> => {
    if (n === 0) return [];
    // deno-lint-ignore no-explicit-any
    const r = await (client as any).xreadgroup("GROUP", "g", consumer, "COUNT", n, "STREAMS", topic, ">") as [
      string,
      [string, string[]][],
    ][];
    return r[0][1].map(([id]) => id);
  };
  await readAs("live", live);
  const deadIds = await readAs("dead", dead);
  await client.xclaim(topic, "g", "dead", 0, ...deadIds, "IDLE", 3_600_000, "JUSTID");
  const source = await redisSource(client, { topic, group: "g", consumer: "c2", claimIdleMs: 60_000 }, false);
  return { client, topic, deadIds, source };
}

Deno.test("redis: XAUTOCLAIM takes over more pending entries than one poll's max, following the cursor", async () => {
  const { client, topic, deadIds, source } = await pendingSetup(0, 250);
  try {
    const polls: string[][] = [];
    for (let i = 0; i < 4; i++) polls.push((await source.poll(100, 10)).map((d) => d.id));
    assert.deepEqual(polls.map((p) => p.length), [100, 100, 50, 0]);
    assert.deepEqual(polls.flat(), deadIds, "each crashed member's entry once, in order");
    await source.ack(polls.flat());
    const pending = await client.xpending(topic, "g") as [number, ...unknown[]];
    assert.equal(pending[0], 0);
  } finally {
    await source.close();
    await client.del(topic);
    await client.quit();
  }
});

Deno.test("redis: XAUTOCLAIM follows its cursor past entries that are not idle enough to claim", async () => {
  // 500 live entries come first: one XAUTOCLAIM with COUNT 10 scans at most 100 pending entries, so the dead
  // member's entries are reached only by following the returned cursor (at most CLAIM_ROUNDS calls per poll).
  const { client, topic, deadIds, source } = await pendingSetup(500, 25);
  try {
    assert.ok(CLAIM_ROUNDS * 10 * 10 > 500, "the test needs one poll's rounds to reach the dead entries");
    const polls: string[][] = [];
    for (let i = 0; i < 4; i++) polls.push((await source.poll(10, 10)).map((d) => d.id));
    assert.deepEqual(polls.map((p) => p.length), [10, 10, 5, 0]);
    assert.deepEqual(polls.flat(), deadIds);
    // The live member's entries were left alone.
    const live = await client.xpending(topic, "g", "-", "+", 1000, "live");
    assert.equal((live as unknown[]).length, 500);
  } finally {
    await source.close();
    await client.del(topic);
    await client.quit();
  }
});
