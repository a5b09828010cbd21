/**
 * Streaming throughput: `deno run -A bench/stream_throughput.ts [N]`.
 * 1. envelopes built + checksummed + written to the file sink (envelopes/s);
 * 2. blake3 MB/s: @noble/hashes vs hash-wasm on the same bytes, same run;
 * 3. end to end through Redis (needs CRYPTORUN_TEST_REDIS_URL or CRYPTORUN_REDIS_URL; skipped otherwise).
 */
import { blake3 } from "@noble/hashes/blake3.js";
import { createBLAKE3 } from "hash-wasm";
import { StreamSection } from "../src/config/sections/stream.ts";
import { makeEnvelope } from "../src/stream/envelope.ts";
import { fileProducer } from "../src/stream/file/producer.ts";
import { newProducer } from "../src/stream/producer.ts";
import { openSource } from "../src/stream/source.ts";
import { consume } from "../src/stream/consumer.ts";

const N = Number(Deno.args[0] ?? 200_000);
const T0 = Date.UTC(2024, 0, 1);
const row = (i: number) => ({
  table: "ohlcv",
  ts: T0 + i * 60_000,
  symbol: "BTC/USD",
  open: 42000.5 + i,
  high: 42100.25,
  low: 41950.75,
  close: 42050.5,
  volume: 12.345678,
});

const dir = await Deno.makeTempDir();
const p = fileProducer(() => `${dir}/bench.ndjson`, 1 << 20);
let t = performance.now();
const CH = 10_000;
for (let i = 0; i < N; i += CH) {
  const batch = [];
  for (let j = i; j < Math.min(N, i + CH); j++) {
    batch.push(
      makeEnvelope({ ts: T0 + j * 60_000, symbol: "BTC/USD", source: "cold:ohlcv", payload: row(j) }),
    );
  }
  await p.send("bench", batch);
}
await p.close();
const fileSecs = (performance.now() - t) / 1000;
const bytes = (await Deno.stat(`${dir}/bench.ndjson`)).size;
console.log(
  `file sink: ${N} envelopes in ${fileSecs.toFixed(2)} s = ${Math.round(N / fileSecs)} envelopes/s (${
    (bytes / N).toFixed(0)
  } B/line)`,
);

t = performance.now();
let k = 0;
for (let i = 0; i < N; i++) {
  k += makeEnvelope({ ts: T0 + i, symbol: "BTC/USD", source: "cold:ohlcv", payload: row(i) }).checksum.length;
}
const buildSecs = (performance.now() - t) / 1000;
console.log(`build+checksum only: ${Math.round(N / buildSecs)} envelopes/s (${k > 0})`);

const buf = crypto.getRandomValues(new Uint8Array(1 << 16));
const small = buf.subarray(0, 200);
for (const [name, data, reps] of [["64 KiB", buf, 400], ["200 B", small, 200_000]] as const) {
  t = performance.now();
  for (let i = 0; i < reps; i++) blake3(data);
  const noble = (data.length * reps) / 1e6 / ((performance.now() - t) / 1000);
  const h = await createBLAKE3();
  t = performance.now();
  for (let i = 0; i < reps; i++) h.init().update(data).digest("binary");
  const wasm = (data.length * reps) / 1e6 / ((performance.now() - t) / 1000);
  console.log(
    `blake3 ${name} inputs: @noble/hashes ${noble.toFixed(0)} MB/s, hash-wasm ${wasm.toFixed(0)} MB/s`,
  );
}
await Deno.remove(dir, { recursive: true });

const url = Deno.env.get("CRYPTORUN_TEST_REDIS_URL") ?? Deno.env.get("CRYPTORUN_REDIS_URL");
if (!url) {
  console.log("redis end-to-end: not run (set CRYPTORUN_TEST_REDIS_URL)");
} else {
  const env = { CRYPTORUN_REDIS_URL: url };
  const cfg = StreamSection.parse({ kind: "redis", retention_days: 0 });
  const topic = `bench.${crypto.randomUUID().slice(0, 8)}`;
  const M = Math.min(N, 100_000);
  const envs = Array.from(
    { length: M },
    (_, i) => makeEnvelope({ ts: T0 + i, symbol: "BTC/USD", source: "bench", payload: row(i) }),
  );
  t = performance.now();
  const prod = await newProducer(cfg, "/x", env);
  await prod.send(topic, envs);
  const sendSecs = (performance.now() - t) / 1000;
  const src = await openSource(cfg, "/x", env, { topic, group: "b", consumer: "b" });
  const t2 = performance.now();
  const s = await consume({
    source: src,
    dlq: prod,
    topic,
    kind: "redis",
    batch: 1000,
    maxMessages: M,
    idleMs: 2000,
    handle: () => Promise.resolve(),
  });
  const consSecs = (performance.now() - t2) / 1000;
  await src.close();
  const { connectRedis } = await import("../src/stream/redis/connect.ts");
  const c = await connectRedis(url);
  await c.del(topic);
  await c.quit();
  await prod.close();
  console.log(
    `redis: XADD ${Math.round(M / sendSecs)} envelopes/s; consume+validate+ack ${
      Math.round(s.handled / consSecs)
    } envelopes/s; end to end ${Math.round(M / (sendSecs + consSecs))} envelopes/s`,
  );
}
