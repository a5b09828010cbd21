/**
 * Streaming throughput: `deno run -A bench/stream_throughput.ts [N] [--rounds R] [--json]`.
 * Each measurement runs one untimed warm-up round of the same size (the JIT's first pass over the code is
 * not what a running publisher or consumer sees), then R timed rounds (default 3); it reports the MEDIAN
 * round, and the warm-up round as `*_first` (what a process's first N envelopes cost).
 * 1. file sink: N envelopes built + checksummed + written to the file sink (envelopes/s);
 * 2. consumer validation: every line of that file decoded and validated the way the consumer loop does it
 *    (`check` of src/stream/consumer.ts), lines/s;
 * 3. blake3 MB/s: @noble/hashes vs hash-wasm on the same bytes, same run;
 * 4. end to end through Redis (needs CRYPTORUN_TEST_REDIS_URL or CRYPTORUN_REDIS_URL; not run otherwise):
 *    min(N, 100k) envelopes built and XADDed, THEN consumed (validated, de-duplicated, acked) by a consumer
 *    group — serially, so end to end = M ÷ (publish time + consume time), a lower bound for a pipeline
 *    whose publisher and consumer overlap; then the pipeline itself (`redis_pipeline_per_s`): the consumer
 *    group reads while the publisher builds and sends in chunks of 10,000, M ÷ (first build → last ack).
 *    A fresh stream per round.
 * `--json` prints one JSON object with the rates last (bench/side_by_side.ts reads it).
 */
import { blake3 } from "@noble/hashes/blake3.js";
import { createBLAKE3 } from "hash-wasm";
import { StreamSection } from "../src/config/sections/stream.ts";
import { makeEnvelope } from "../src/stream/envelope.ts";
import { fileProducer } from "../src/stream/file/producer.ts";
import { newProducer, type Producer } from "../src/stream/producer.ts";
import { openSource, type Source } from "../src/stream/source.ts";
import { check, consume } from "../src/stream/consumer.ts";

import { parseArgs } from "node:util";

const { values: opts, positionals } = parseArgs({
  args: Deno.args,
  options: { json: { type: "boolean", default: false }, rounds: { type: "string", default: "3" } },
  allowPositionals: true,
});
const json = opts.json;
const N = Number(positionals[0] ?? 200_000);
const ROUNDS = Number(opts.rounds);
if (!Number.isInteger(N) || N < 1) throw new Error(`N: expected a positive integer, found ${positionals[0]}`);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds: expected ≥ 1, found ${opts.rounds}`);
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
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** One untimed warm-up round, then ROUNDS timed ones: the median and all timed rates, and the warm-up rate. */
async function rounds(
  f: (round: number) => Promise<number>,
): Promise<{ median: number; first: number; all: number[] }> {
  const first = await f(0);
  const all: number[] = [];
  for (let r = 1; r <= ROUNDS; r++) all.push(await f(r));
  return { median: Math.round(median(all)), first: Math.round(first), all: all.map(Math.round) };
}

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
let bytes = 0;
const sink = await rounds(async (r) => {
  const path = `${dir}/bench${r}.ndjson`;
  const secs = await fileSink(path, N);
  bytes = (await Deno.stat(path)).size;
  return N / secs;
});
result.file_sink_per_s = sink.median;
result.file_sink_first_per_s = sink.first;
say(
  `file sink: ${N} envelopes per round: median ${sink.median} envelopes/s (rounds ${
    sink.all.join(", ")
  }; warm-up round ${sink.first}) (${(bytes / N).toFixed(0)} B/line)`,
);

const lines = (await Deno.readTextFile(`${dir}/bench1.ndjson`)).split("\n").filter((l) => l !== "");
const val = await rounds(() => {
  const t = performance.now();
  let ok = 0;
  for (let i = 0; i < lines.length; i++) if (check({ id: String(i), text: lines[i] }).ok) ok++;
  const secs = (performance.now() - t) / 1000;
  if (ok !== N) throw new Error(`consumer validation: ${ok} of ${N} lines valid`);
  return Promise.resolve(N / secs);
});
result.consumer_validate_per_s = val.median;
result.consumer_validate_first_per_s = val.first;
say(
  `consumer validation (decode + validate each line): median ${val.median} envelopes/s (rounds ${
    val.all.join(", ")
  }; warm-up round ${val.first})`,
);

let t = performance.now();
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
  const M = Math.min(N, 100_000);
  const { connectRedis } = await import("../src/stream/redis/connect.ts");
  const parts = { publish: [] as number[], consume: [] as number[] };
  /** The consumer loop over M envelopes of `topic`, validating, de-duplicating and acking (no handler work). */
  const consumeAll = (topic: string, source: Source, dlq: Producer, idleMs: number) =>
    consume({
      source,
      dlq,
      topic,
      kind: "redis",
      batch: 1000,
      maxMessages: M,
      idleMs,
      handle: () => Promise.resolve(),
    });
  /** Ends a round: closes its source and producer and deletes its stream. */
  const closeRound = async (
    topic: string,
    src: { close(): Promise<void> },
    prod: { close(): Promise<void> },
  ) => {
    await src.close();
    const c = await connectRedis(url);
    await c.del(topic);
    await c.quit();
    await prod.close();
  };
  const e2e = await rounds(async (round) => {
    const topic = `bench.${crypto.randomUUID().slice(0, 8)}`;
    const t = performance.now();
    const envs = Array.from(
      { length: M },
      (_, i) => makeEnvelope({ ts: T0 + i, symbol: "BTC/USD", source: "bench", payload: row(i) }),
    );
    const prod = await newProducer(cfg, "/x", env);
    await prod.send(topic, envs);
    const sendSecs = (performance.now() - t) / 1000;
    const src = await openSource(cfg, "/x", env, { topic, group: "b", consumer: "b" });
    const t2 = performance.now();
    const s = await consumeAll(topic, src, prod, 2000);
    const consSecs = (performance.now() - t2) / 1000;
    await closeRound(topic, src, prod);
    if (s.handled !== M) throw new Error(`redis: ${s.handled} of ${M} envelopes handled`);
    if (round > 0) {
      parts.publish.push(M / sendSecs);
      parts.consume.push(s.handled / consSecs);
    }
    return M / (sendSecs + consSecs);
  });
  // The pipeline: a consumer group reading while the publisher builds and sends, as a running system does
  // (one process here, so the overlap is JS work against redis-server's, not two JS threads).
  const pipe = await rounds(async () => {
    const topic = `bench.${crypto.randomUUID().slice(0, 8)}`;
    const prod = await newProducer(cfg, "/x", env);
    const src = await openSource(cfg, "/x", env, { topic, group: "b", consumer: "b" });
    const t = performance.now();
    const consumed = consumeAll(topic, src, prod, 5000);
    const CHUNK = 10_000;
    for (let i = 0; i < M; i += CHUNK) {
      const envs: ReturnType<typeof makeEnvelope>[] = [];
      for (let j = i; j < Math.min(M, i + CHUNK); j++) {
        envs.push(makeEnvelope({ ts: T0 + j, symbol: "BTC/USD", source: "bench", payload: row(j) }));
      }
      await prod.send(topic, envs);
    }
    const s = await consumed;
    const secs = (performance.now() - t) / 1000;
    await closeRound(topic, src, prod);
    if (s.handled !== M) throw new Error(`redis pipeline: ${s.handled} of ${M} envelopes handled`);
    return M / secs;
  });
  result.redis_pipeline_per_s = pipe.median;
  result.redis_publish_per_s = Math.round(median(parts.publish));
  result.redis_consume_per_s = Math.round(median(parts.consume));
  result.redis_end_to_end_per_s = e2e.median;
  result.redis_end_to_end_first_per_s = e2e.first;
  say(
    `redis (${M} per round): build + XADD ${result.redis_publish_per_s} envelopes/s; consume+validate+ack ${result.redis_consume_per_s} envelopes/s; end to end median ${e2e.median} envelopes/s (rounds ${
      e2e.all.join(", ")
    }; warm-up round ${e2e.first}); publisher and consumer at once: median ${pipe.median} envelopes/s (rounds ${
      pipe.all.join(", ")
    }; warm-up round ${pipe.first})`,
  );
}
if (json) console.log(JSON.stringify(result));
