/**
 * Streaming throughput: `deno run -A bench/stream_throughput.ts [N] [--json]`.
 * 1. file sink: envelopes built + checksummed + written to the file sink (envelopes/s), after an untimed
 *    warm-up of N/10 (the JIT's first pass is not what a running publisher sees);
 * 2. consumer validation: every line of that file decoded and validated the way the consumer loop does it
 *    (`check` of src/stream/consumer.ts), lines/s;
 * 3. blake3 MB/s: @noble/hashes vs hash-wasm on the same bytes, same run;
 * 4. end to end through Redis (needs CRYPTORUN_TEST_REDIS_URL or CRYPTORUN_REDIS_URL; not run otherwise).
 * `--json` prints one JSON object with the rates last (bench/side_by_side.ts reads it).
 */
import { blake3 } from "@noble/hashes/blake3.js";
import { createBLAKE3 } from "hash-wasm";
import { StreamSection } from "../src/config/sections/stream.ts";
import { makeEnvelope } from "../src/stream/envelope.ts";
import { fileProducer } from "../src/stream/file/producer.ts";
import { newProducer } from "../src/stream/producer.ts";
import { openSource } from "../src/stream/source.ts";
import { check, consume } from "../src/stream/consumer.ts";

const args = Deno.args.filter((a) => a !== "--json");
const json = Deno.args.includes("--json");
const N = Number(args[0] ?? 200_000);
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
const result: Record<string, number | null> = {};
const say = (s: string) => json ? console.error(s) : console.log(s);

async function fileSink(path: string, n: number): Promise<number> {
  const p = fileProducer(() => path, 1 << 20);
  const t = performance.now();
  const CH = 10_000;
  for (let i = 0; i < n; i += CH) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + CH); j++) {
      batch.push(
        makeEnvelope({ ts: T0 + j * 60_000, symbol: "BTC/USD", source: "cold:ohlcv", payload: row(j) }),
      );
    }
    await p.send("bench", batch);
  }
  await p.close();
  return (performance.now() - t) / 1000;
}

const dir = await Deno.makeTempDir();
await fileSink(`${dir}/warmup.ndjson`, Math.max(1, Math.floor(N / 10)));
const fileSecs = await fileSink(`${dir}/bench.ndjson`, N);
const bytes = (await Deno.stat(`${dir}/bench.ndjson`)).size;
result.file_sink_per_s = Math.round(N / fileSecs);
say(
  `file sink: ${N} envelopes in ${fileSecs.toFixed(2)} s = ${result.file_sink_per_s} envelopes/s (${
    (bytes / N).toFixed(0)
  } B/line)`,
);

const lines = (await Deno.readTextFile(`${dir}/bench.ndjson`)).split("\n").filter((l) => l !== "");
for (let i = 0; i < lines.length / 10; i++) check({ id: String(i), text: lines[i] }); // warm-up
let t = performance.now();
let ok = 0;
for (let i = 0; i < lines.length; i++) if (check({ id: String(i), text: lines[i] }).ok) ok++;
const valSecs = (performance.now() - t) / 1000;
if (ok !== N) throw new Error(`consumer validation: ${ok} of ${N} lines valid`);
result.consumer_validate_per_s = Math.round(N / valSecs);
say(`consumer validation (decode + validate each line): ${result.consumer_validate_per_s} envelopes/s`);

t = performance.now();
let k = 0;
for (let i = 0; i < N; i++) {
  k += makeEnvelope({ ts: T0 + i, symbol: "BTC/USD", source: "cold:ohlcv", payload: row(i) }).checksum.length;
}
const buildSecs = (performance.now() - t) / 1000;
result.build_per_s = Math.round(N / buildSecs);
say(`build+checksum only: ${result.build_per_s} envelopes/s (${k > 0})`);

const buf = crypto.getRandomValues(new Uint8Array(1 << 16));
const small = buf.subarray(0, 200);
for (const [name, data, reps] of [["64k", buf, 400], ["200b", small, 200_000]] as const) {
  t = performance.now();
  for (let i = 0; i < reps; i++) blake3(data);
  const noble = (data.length * reps) / 1e6 / ((performance.now() - t) / 1000);
  const h = await createBLAKE3();
  t = performance.now();
  for (let i = 0; i < reps; i++) h.init().update(data).digest("binary");
  const wasm = (data.length * reps) / 1e6 / ((performance.now() - t) / 1000);
  result[`blake3_noble_${name}_mb_s`] = Math.round(noble);
  result[`blake3_wasm_${name}_mb_s`] = Math.round(wasm);
  say(`blake3 ${name} inputs: @noble/hashes ${noble.toFixed(0)} MB/s, hash-wasm ${wasm.toFixed(0)} MB/s`);
}
await Deno.remove(dir, { recursive: true });

const url = Deno.env.get("CRYPTORUN_TEST_REDIS_URL") ?? Deno.env.get("CRYPTORUN_REDIS_URL");
if (!url) {
  say("redis end-to-end: not run (set CRYPTORUN_TEST_REDIS_URL)");
} else {
  const env = { CRYPTORUN_REDIS_URL: url };
  const cfg = StreamSection.parse({ kind: "redis", retention_days: 0 });
  const topic = `bench.${crypto.randomUUID().slice(0, 8)}`;
  const M = Math.min(N, 100_000);
  t = performance.now();
  const envs = Array.from(
    { length: M },
    (_, i) => makeEnvelope({ ts: T0 + i, symbol: "BTC/USD", source: "bench", payload: row(i) }),
  );
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
  if (s.handled !== M) throw new Error(`redis: ${s.handled} of ${M} envelopes handled`);
  result.redis_publish_per_s = Math.round(M / sendSecs);
  result.redis_consume_per_s = Math.round(s.handled / consSecs);
  result.redis_end_to_end_per_s = Math.round(M / (sendSecs + consSecs));
  say(
    `redis: build + XADD ${result.redis_publish_per_s} envelopes/s; consume+validate+ack ${result.redis_consume_per_s} envelopes/s; end to end ${result.redis_end_to_end_per_s} envelopes/s`,
  );
}
if (json) console.log(JSON.stringify(result));
