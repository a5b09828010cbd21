import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { CompressionCodecs, CompressionTypes, Kafka } from "kafkajs";
import { StreamSection } from "../../../src/config/sections/stream.ts";
import { batchesByBytes, kafkaSettings } from "../../../src/stream/kafka/settings.ts";
import { lz4Codec, registerLz4Codec } from "../../../src/stream/kafka/lz4_codec.ts";
import { makeEnvelope } from "../../../src/stream/envelope.ts";
import { newProducer } from "../../../src/stream/producer.ts";
import { ConfigError } from "../../../src/util/errors.ts";

const base = { kind: "kafka", kafka_brokers: ["127.0.0.1:9092"] };

Deno.test("kafka settings: acks all → -1 with the idempotent producer; leader → 1, none → 0 without it", () => {
  const all = kafkaSettings(StreamSection.parse(base));
  assert.equal(all.acks, -1);
  assert.equal(all.producer.idempotent, true);
  assert.equal(all.producer.maxInFlightRequests, 1);
  const leader = kafkaSettings(StreamSection.parse({ ...base, acks: "leader" }));
  assert.equal(leader.acks, 1);
  assert.equal(leader.producer.idempotent, false);
  assert.equal(kafkaSettings(StreamSection.parse({ ...base, acks: "none" })).acks, 0);
  // The settings are accepted by the real kafkajs client (constructing a producer does not connect).
  const producer = new Kafka(all.client).producer(all.producer);
  assert.equal(typeof producer.send, "function");
  assert.equal(all.client.clientId, "cryptorun");
  assert.deepEqual(all.client.brokers, ["127.0.0.1:9092"]);
});

Deno.test("kafka settings: compression lz4/gzip/none; brokers validated", () => {
  assert.equal(kafkaSettings(StreamSection.parse(base)).compression, CompressionTypes.LZ4);
  assert.equal(
    kafkaSettings(StreamSection.parse({ ...base, compression: "gzip" })).compression,
    CompressionTypes.GZIP,
  );
  assert.equal(
    kafkaSettings(StreamSection.parse({ ...base, compression: "none" })).compression,
    CompressionTypes.None,
  );
  assert.throws(() => kafkaSettings(StreamSection.parse({ kind: "kafka" })), ConfigError);
  assert.throws(
    () => kafkaSettings(StreamSection.parse({ ...base, kafka_brokers: ["nohost"] })),
    /kafka_brokers: expected host:port, found "nohost"/,
  );
});

Deno.test("kafka batching by bytes: key = symbol, every batch ≤ batch_bytes, order kept", () => {
  const envs = Array.from(
    { length: 100 },
    (_, i) =>
      makeEnvelope({
        ts: i,
        symbol: i % 2 ? "BTC/USD" : "ETH/USD",
        source: "t",
        payload: { i, pad: "x".repeat(50) },
      }),
  );
  const batches = batchesByBytes(envs, 2_000);
  assert.ok(batches.length > 1);
  const flat = batches.flat();
  assert.equal(flat.length, 100);
  flat.forEach((m, i) => {
    assert.equal(m.key, envs[i].symbol);
    assert.equal((m.headers as Record<string, string>).checksum, envs[i].checksum);
  });
  for (const b of batches) {
    const size = b.reduce(
      (n, m) => n + Buffer.byteLength(m.value as string) + Buffer.byteLength(m.key as string),
      0,
    );
    assert.ok(size <= 2_000, `batch of ${size} bytes`);
  }
  // One message larger than the limit travels alone rather than being dropped.
  assert.deepEqual(batchesByBytes(envs.slice(0, 3), 10).map((b) => b.length), [1, 1, 1]);
});

Deno.test("kafka LZ4 codec: registered with kafkajs, writes LZ4 frames that Debian's lz4 reads", async () => {
  registerLz4Codec();
  // deno-lint-ignore no-explicit-any
  const codec = (CompressionCodecs as any)[CompressionTypes.LZ4]();
  assert.equal(codec, lz4Codec);
  const input = new TextEncoder().encode(
    JSON.stringify(Array.from({ length: 500 }, (_, i) => ({ i, s: "BTC/USD" }))),
  );
  const frame: Buffer = await codec.compress({ buffer: Buffer.from(input) });
  assert.deepEqual([...frame.subarray(0, 4)], [0x04, 0x22, 0x4d, 0x18], "LZ4 frame magic");
  assert.ok(frame.length < input.length / 3);
  assert.deepEqual(new Uint8Array(await codec.decompress(frame)), input);
  // An independent decoder: the lz4 command (installed by `deno task test`).
  const lz4 = new Deno.Command("lz4", {
    args: ["-d", "-c"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = lz4.stdin.getWriter();
  await w.write(frame);
  await w.close();
  const out = await lz4.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.deepEqual(new Uint8Array(out.stdout), input);
});

Deno.test("kafka: a missing broker fails fast with a clear error", async () => {
  const ln = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (ln.addr as Deno.NetAddr).port;
  ln.close();
  await assert.rejects(
    newProducer(StreamSection.parse({ kind: "kafka", kafka_brokers: [`127.0.0.1:${port}`] }), "/x", {}),
    new RegExp(`kafka: cannot connect to 127.0.0.1:${port}`),
  );
});

const brokers = Deno.env.get("KAFKA_BROKERS");
if (!brokers) {
  console.log("kafka integration test NOT RUN: KAFKA_BROKERS is not set (e.g. KAFKA_BROKERS=127.0.0.1:9092)");
}
Deno.test({
  name:
    "kafka integration (real broker from KAFKA_BROKERS): publish 1,000 lz4 envelopes, consume, all validate",
  ignore: !brokers, // Reason: no Kafka broker can run on our machines; runs wherever KAFKA_BROKERS is set.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { openSource } = await import("../../../src/stream/source.ts");
    const { consume } = await import("../../../src/stream/consumer.ts");
    const cfg = StreamSection.parse({ kind: "kafka", kafka_brokers: brokers!.split(",") });
    const topic = `cryptorun.it.${crypto.randomUUID().slice(0, 8)}`;
    const admin = new Kafka(kafkaSettings(cfg).client).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }, { topic: `${topic}.dlq` }] });
    const envs = Array.from(
      { length: 1000 },
      (_, i) => makeEnvelope({ ts: i, symbol: "BTC/USD", source: "it", payload: { i } }),
    );
    const p = await newProducer(cfg, "/x", {});
    await p.send(topic, envs);
    await p.close();
    const src = await openSource(cfg, "/x", {}, { topic, group: `g-${topic}`, consumer: "c" });
    const dlq = await newProducer(cfg, "/x", {});
    const seen = new Set<string>();
    const stats = await consume({
      source: src,
      dlq,
      topic,
      kind: "kafka",
      idleMs: 10_000,
      maxMessages: 1000,
      handle: (es) => {
        es.forEach((e) => seen.add(e.checksum));
        return Promise.resolve();
      },
    });
    await src.close();
    await dlq.close();
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => {});
    await admin.disconnect();
    assert.equal(stats.handled, 1000);
    assert.equal(seen.size, 1000);
  },
});
