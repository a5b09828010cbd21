import { basename, dirname, join, resolve } from "node:path";
import type { Command, CommandContext, ParsedArgs } from "../command.ts";
import type { StreamConfig } from "../../config/sections/stream.ts";
import { ConfigError, InputError, UsageError } from "../../util/errors.ts";
import { parseDuration, parseRange } from "../../util/time.ts";
import { createProgress } from "../../util/progress.ts";
import { dlqTopic, newProducer, type Producer, TOPIC_RE } from "../../stream/producer.ts";
import { openSource, type Source } from "../../stream/source.ts";
import { consume, SeenSet } from "../../stream/consumer.ts";
import { CHECKSUM_RE, encodeEnvelope, type Envelope } from "../../stream/envelope.ts";
import { byteLines, verifyFile } from "../../stream/verify.ts";
import { fileProducer } from "../../stream/file/producer.ts";
import { fileSource } from "../../stream/file/source.ts";
import { checkTopic, streamDir } from "../../stream/file/paths.ts";
import { publishCold } from "../../data/publish_cold.ts";
import { openColdStore } from "../../data/cold/store.ts";
import { positiveInt, str, symbolsFlag } from "../flags.ts";

const KINDS = ["file", "redis", "kafka", "pulsar"] as const;

export const streamCommand: Command = {
  name: "stream",
  summary: "publish cold-tier history as checksummed envelopes, consume with a DLQ, verify NDJSON files",
  help: `cryptorun stream — checksummed envelopes on a bus (file, Redis Streams, Kafka, Pulsar)

Usage: cryptorun stream publish --from ISO --to ISO [--table ohlcv] [--topic T] [--kind K] [--sink FILE]
                                [--window 1d] [--symbols A,B] [--checkpoint FILE] [--fresh]
       cryptorun stream consume [--topic T] [--kind K] [--sink FILE] [--group G] [--consumer NAME]
                                [--out FILE] [--max N] [--idle DURATION] [--batch N]
       cryptorun stream verify --input FILE.ndjson [--max-failures N]

publish   reads the cold tier window by window (--window) and sends one envelope per row to the topic.
          Resumable: a checkpoint (default <data-dir>/<stream.file_dir>/checkpoints/…) records the next
          window after each acknowledged one; run the same command again after a crash to continue.
consume   validates every envelope; valid new ones go to --out (appended, fsynced; their checksums are
          loaded on start so a re-run never writes one twice; a cut-off last line left by a crash is
          removed first), invalid ones go to <topic>.dlq with the reason; acks only after that. Broker
          errors are retried with exponential backoff.
verify    checks every line of an NDJSON envelope file; prints valid/invalid counts and the reasons;
          exit 1 if any line is invalid.

Flags:
  --from, --to ISO     window to publish (inclusive; ISO-8601 or epoch ms)
  --table NAME         cold-tier table (default ohlcv)
  --topic T            topic (default stream.topic); DLQ is <T>.dlq
  --kind K             file | redis | kafka | pulsar (default stream.kind)
  --sink FILE          file kind only: this NDJSON file instead of <data-dir>/<stream.file_dir>/<topic>.ndjson
                       (its DLQ is FILE with .dlq.ndjson)
  --window DURATION    publish window (default 1d; e.g. 6h, 1d)
  --symbols A,B        only these pairs
  --checkpoint FILE    publish checkpoint file; --fresh deletes it first and starts over
  --group G            consumer group (default cryptorun); --consumer NAME member name (default hostname)
  --out FILE           append valid envelopes here (NDJSON); without it they are only validated and acked
  --max N              stop after N messages; --idle DURATION stop after no message for that long
                       (default: file kind 2s, other kinds run until Ctrl-C)
  --batch N            messages per poll (default 500; at most 100000)
  --input FILE         file for verify; --max-failures N failures listed (default 20; at most 1000000)

Pitfalls:
  - stream.enabled: false refuses publish/consume (exit 2).
  - The Redis URL is a secret: set CRYPTORUN_REDIS_URL (or stream.redis_url_env / _file), never YAML.
  - A checkpoint belongs to one table/topic/range/window/symbols; the default file is also named after the
    destination (kind, or the --sink path). A --checkpoint FILE of another run is refused (or use --fresh).
  - Kafka needs stream.kafka_brokers; Pulsar needs stream.pulsar_ws_url (WebSocket API).

Examples:
  cryptorun stream publish --from 2024-01-01 --to 2024-01-31 --sink /tmp/jan.ndjson
  cryptorun stream verify --input /tmp/jan.ndjson
  CRYPTORUN_REDIS_URL=redis://127.0.0.1:6379 cryptorun stream publish --kind redis --from 2024-01-01 --to 2024-02-01
  CRYPTORUN_REDIS_URL=redis://127.0.0.1:6379 cryptorun stream consume --kind redis --out ohlcv.ndjson --idle 5s
  cryptorun stream consume --json --sink /tmp/jan.ndjson --max 1000`,
  options: {
    table: { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    topic: { type: "string" },
    kind: { type: "string" },
    sink: { type: "string" },
    window: { type: "string" },
    symbols: { type: "string" },
    checkpoint: { type: "string" },
    fresh: { type: "boolean" },
    group: { type: "string" },
    consumer: { type: "string" },
    out: { type: "string" },
    max: { type: "string" },
    idle: { type: "string" },
    batch: { type: "string" },
    input: { type: "string" },
    "max-failures": { type: "string" },
  },
  allowPositionals: true,
  async run(ctx, args) {
    const [action, ...extra] = args.positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
    switch (action) {
      case "publish":
        return await publishAction(ctx, args);
      case "consume":
        return await consumeAction(ctx, args);
      case "verify":
        return await verifyAction(ctx, args);
      case undefined:
        throw new UsageError("stream: missing action: publish | consume | verify");
      default:
        throw new UsageError(
          `stream: unknown action ${JSON.stringify(action)}: expected publish | consume | verify`,
        );
    }
  },
};

/** Upper bounds of the count flags: --batch (messages per poll, held in memory) and --max-failures (listed). */
const MAX_BATCH = 100_000;
const MAX_FAILURES_LISTED = 1_000_000;

function only(args: ParsedArgs, action: string, allowed: string[]): void {
  const globals = new Set(["config", "data-dir", "log-level", "json", "quiet", "help", "version"]);
  for (const [k, v] of Object.entries(args.values)) {
    if (v === undefined || globals.has(k) || allowed.includes(k)) continue;
    throw new UsageError(`--${k} is not a flag of 'stream ${action}'`);
  }
}

async function streamConfig(ctx: CommandContext, args: ParsedArgs): Promise<StreamConfig> {
  const cfg = (await ctx.config()).stream;
  const kind = str(args, "kind");
  if (kind !== undefined && !(KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`--kind: expected one of ${KINDS.join("|")}, found ${JSON.stringify(kind)}`);
  }
  if (!cfg.enabled) {
    throw new ConfigError(
      "stream.enabled is false: streaming is switched off (set it to true or CRYPTORUN_STREAM_ENABLED=true)",
    );
  }
  const out = { ...cfg, kind: (kind ?? cfg.kind) as StreamConfig["kind"] };
  if (str(args, "sink") !== undefined && out.kind !== "file") {
    throw new UsageError(`--sink is for the file kind only (kind is ${out.kind})`);
  }
  return out;
}

/** FILE.ndjson → FILE.dlq.ndjson */
function dlqPathFor(sink: string): string {
  return sink.endsWith(".ndjson") ? sink.slice(0, -".ndjson".length) + ".dlq.ndjson" : sink + ".dlq.ndjson";
}

async function publishAction(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  only(args, "publish", [
    "table",
    "from",
    "to",
    "topic",
    "kind",
    "sink",
    "window",
    "symbols",
    "checkpoint",
    "fresh",
  ]);
  const from = str(args, "from");
  const to = str(args, "to");
  if (from === undefined) throw new UsageError("stream publish: --from is required");
  if (to === undefined) throw new UsageError("stream publish: --to is required");
  const range = parseRange(from, to);
  const table = str(args, "table") ?? "ohlcv";
  if (!/^[a-z][a-z0-9_]*$/.test(table)) {
    throw new UsageError(`--table: expected a table name like ohlcv, found ${JSON.stringify(table)}`);
  }
  const windowMs = parseDuration(str(args, "window") ?? "1d", "--window");
  if (windowMs <= 0) {
    throw new UsageError(`--window: must be positive, found ${JSON.stringify(str(args, "window"))}`);
  }
  const symbols = symbolsFlag(args, "symbols");
  const cfg = await streamConfig(ctx, args);
  const topic = str(args, "topic") ?? cfg.topic;
  checkTopic(topic);
  const config = await ctx.config();
  const dataDir = await ctx.dataDir();
  const sink = str(args, "sink");
  // The default checkpoint names the destination (kind, and the sink's full path): a run to another backend
  // or another sink file must not find this one's checkpoint and skip its windows as "already done".
  const target = sink ? `file__${basename(sink)}-${await shortHash(resolve(sink))}` : cfg.kind;
  const checkpointPath = resolve(
    str(args, "checkpoint") ??
      join(
        streamDir(cfg, dataDir),
        "checkpoints",
        `${topic}__${table}__${range.from}_${range.to}_${windowMs}__${target}.json`,
      ),
  );
  if (args.values.fresh) await Deno.remove(checkpointPath).catch(() => {});

  const producer: Producer = sink
    ? fileProducer(() => resolve(sink), cfg.batch_bytes)
    : await newProducer(cfg, dataDir, ctx.env);
  const windowsTotal = Math.ceil((range.to - range.from + 1) / windowMs);
  const bar = createProgress(ctx.interactive, "publish", windowsTotal, "windows");
  let result;
  try {
    result = await publishCold({
      reader: openColdStore(config.cold, dataDir),
      producer,
      table,
      range,
      topic,
      windowMs,
      checkpointPath,
      symbols,
      signal: ctx.signal,
      onWindow: (p) => {
        bar.update(p.windowsDone, `${p.envelopes} envelopes`);
        ctx.log.debug("window published", {
          from: new Date(p.windowFrom).toISOString(),
          envelopes: p.envelopes,
        });
      },
    });
  } finally {
    bar.stop();
    await producer.close();
  }
  const where = sink ? resolve(sink) : `${cfg.kind}:${topic}`;
  if (ctx.globals.json) {
    ctx.out(
      JSON.stringify({
        action: "publish",
        kind: cfg.kind,
        topic,
        sink: sink ? resolve(sink) : null,
        checkpoint: checkpointPath,
        ...result,
      }),
    );
  } else {
    ctx.out(
      `published ${result.envelopes} envelopes in ${result.windows} windows to ${where}` +
        (result.resumed
          ? ` (resumed: ${result.skippedWindows} of ${result.windowsTotal} windows were already done)`
          : ""),
    );
  }
  return 0;
}

/** First 12 hex digits of SHA-256 of `text`. */
async function shortHash(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(d.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Appends handled envelopes to an NDJSON file; loads the checksums already there (idempotent re-runs). A last
 * line without "\n" (a write cut off by a crash; never acked, so it is delivered again) is cut off first,
 * so the next append does not glue a new envelope onto it.
 */
async function outputSink(
  path: string,
  seen: SeenSet,
  log: CommandContext["log"],
): Promise<{ handle(e: Envelope[]): Promise<void>; close(): void }> {
  await Deno.mkdir(dirname(path), { recursive: true });
  let whole = 0; // bytes up to the end of the last terminated line
  let torn = false;
  try {
    const f = await Deno.open(path, { read: true });
    const dec = new TextDecoder();
    for await (const { bytes, terminated } of byteLines(f.readable)) {
      if (!terminated) {
        torn = true;
        break;
      }
      whole += bytes.length + 1;
      try {
        // The envelope's own top-level checksum (a payload may hold a "checksum" member of its own).
        const c = JSON.parse(dec.decode(bytes))?.checksum;
        if (typeof c === "string" && CHECKSUM_RE.test(c)) seen.add(c);
      } catch { /* not an envelope line: nothing to remember */ }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  if (torn) {
    await Deno.truncate(path, whole);
    log.warn("--out ended in a cut-off line; removed it (its message was not acked and comes again)", {
      file: path,
      kept_bytes: whole,
    });
  }
  const out = await Deno.open(path, { append: true, create: true });
  const enc = new TextEncoder();
  return {
    async handle(envs) {
      const bytes = enc.encode(envs.map(encodeEnvelope).join("\n") + "\n");
      let off = 0;
      while (off < bytes.length) off += await out.write(bytes.subarray(off));
      await out.sync();
    },
    close: () => out.close(),
  };
}

async function consumeAction(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  only(args, "consume", ["topic", "kind", "sink", "group", "consumer", "out", "max", "idle", "batch"]);
  const cfg = await streamConfig(ctx, args);
  const topic = str(args, "topic") ?? cfg.topic;
  checkTopic(topic);
  const group = str(args, "group") ?? "cryptorun";
  if (!TOPIC_RE.test(group)) {
    throw new UsageError(
      `--group: expected letters, digits, '.', '_' or '-', found ${JSON.stringify(group)}`,
    );
  }
  const consumerName = str(args, "consumer") ?? safeHostname();
  const max = positiveInt(args, "max", Number.MAX_SAFE_INTEGER);
  const batch = positiveInt(args, "batch", MAX_BATCH) ?? 500;
  const idleArg = str(args, "idle");
  const idleMs = idleArg !== undefined ? parseDuration(idleArg, "--idle") : cfg.kind === "file" ? 2_000 : 0;
  const dataDir = await ctx.dataDir();
  const sink = str(args, "sink");
  const outPath = str(args, "out");

  const seen = new SeenSet();
  const out = outPath ? await outputSink(resolve(outPath), seen, ctx.log) : undefined;
  let source: Source | undefined;
  let dlq: Producer | undefined;
  const bar = createProgress(ctx.interactive, "consume", max ?? 0, "messages");
  try {
    if (sink) {
      const p = resolve(sink);
      source = await fileSource(p, join(dirname(p), `.${basename(p)}.offsets`, `${group}.json`), {
        topic,
        group,
        consumer: consumerName,
      });
      dlq = fileProducer(() => dlqPathFor(p), cfg.batch_bytes);
    } else {
      source = await openSource(cfg, dataDir, ctx.env, { topic, group, consumer: consumerName });
      dlq = await newProducer(cfg, dataDir, ctx.env);
    }
    const stats = await consume({
      source,
      dlq,
      topic,
      kind: cfg.kind,
      handle: out ? out.handle : () => Promise.resolve(),
      seen,
      batch,
      maxMessages: max,
      idleMs,
      log: ctx.log,
      signal: ctx.signal,
      onProgress: (s) => bar.update(s.delivered, `dlq ${s.dlq}`),
    });
    bar.stop();
    const reasons = Object.entries(stats.reasons).map(([k, n]) => `${k}: ${n}`).join(", ");
    if (ctx.globals.json) {
      ctx.out(
        JSON.stringify({
          action: "consume",
          kind: cfg.kind,
          topic,
          dlq_topic: dlqTopic(topic),
          group,
          ...stats,
        }),
      );
    } else {
      ctx.out(
        `consumed ${stats.delivered} messages from ${cfg.kind}:${topic}: ${stats.handled} valid${
          outPath ? ` written to ${resolve(outPath)}` : ""
        }, ${stats.duplicates} duplicates skipped, ${stats.dlq} sent to ${dlqTopic(topic)}${
          reasons ? ` (${reasons})` : ""
        }`,
      );
    }
    return 0;
  } finally {
    bar.stop();
    await source?.close();
    await dlq?.close();
    out?.close();
  }
}

async function verifyAction(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  only(args, "verify", ["input", "max-failures"]);
  const input = str(args, "input");
  if (input === undefined) throw new UsageError("stream verify: --input FILE.ndjson is required");
  const maxFailures = positiveInt(args, "max-failures", MAX_FAILURES_LISTED) ?? 20;
  let size: number;
  try {
    const st = await Deno.stat(input);
    if (st.isDirectory) {
      throw new InputError(`--input: ${JSON.stringify(input)} is a directory, not an NDJSON file`);
    }
    size = st.size;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new InputError(`--input: no such file ${JSON.stringify(input)}`);
    }
    throw err;
  }
  const bar = createProgress(ctx.interactive, "verify", size, "bytes");
  const r = await verifyFile(input, {
    maxFailures,
    signal: ctx.signal,
    onBytes: (n) => bar.update(Math.min(n, size)),
  });
  bar.stop();
  if (ctx.globals.json) {
    ctx.out(JSON.stringify(r));
  } else {
    const reasons = Object.entries(r.reasons).map(([k, n]) => `${k}: ${n}`).join(", ");
    ctx.out(
      `${input}: ${r.lines} envelopes, ${r.valid} valid, ${r.invalid} invalid${
        reasons ? ` (${reasons})` : ""
      }, ${r.duplicates} duplicate checksums`,
    );
    for (const f of r.failures) ctx.out(`  line ${f.line}: ${f.reason}`);
    if (r.invalid > r.failures.length) ctx.out(`  … ${r.invalid - r.failures.length} more (--max-failures)`);
    if (r.unterminatedTail) ctx.out(`  note: the last line has no newline (a write may have been cut off)`);
  }
  return r.invalid > 0 ? 1 : 0;
}

function safeHostname(): string {
  try {
    return Deno.hostname().replace(/[^A-Za-z0-9._-]/g, "_") || "cryptorun";
  } catch {
    return "cryptorun";
  }
}
