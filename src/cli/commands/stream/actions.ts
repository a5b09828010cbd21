import { sha256Hex } from "../../../util/sha256_hex.ts";
import { basename, dirname, join, resolve } from "node:path";
import type { CommandContext, ParsedArgs } from "../../command.ts";
import type { StreamConfig } from "../../../config/sections/stream.ts";
import { ConfigError, InputError, UsageError } from "../../../util/errors.ts";
import { parseDuration, parseRange } from "../../../util/time.ts";
import { createProgress } from "../../../util/progress.ts";
import type { Producer } from "../../../stream/producer.ts";
import { checkGroup, checkTopic, dlqTopic } from "../../../stream/topic.ts";
import type { Source } from "../../../stream/source.ts";
import type { SeenSet } from "../../../stream/consumer.ts";
import type { Envelope } from "../../../stream/envelope.ts";
import { streamDir } from "../../../stream/file/paths.ts";
import { positiveInt, str, symbolsFlag } from "../../flags.ts";

/**
 * The actions of `cryptorun stream` (loaded only when one is chosen). The stream runtime (envelopes and their
 * hashing, producers, sources) is imported after the flags are checked.
 */

async function streamModules() {
  const { newProducer } = await import("../../../stream/producer.ts");
  const { openSource } = await import("../../../stream/source.ts");
  const { consume, SeenSet } = await import("../../../stream/consumer.ts");
  const { CHECKSUM_RE, encodeEnvelope } = await import("../../../stream/envelope.ts");
  const { byteLines, verifyFile } = await import("../../../stream/verify.ts");
  const { fileProducer } = await import("../../../stream/file/producer.ts");
  const { fileSource } = await import("../../../stream/file/source.ts");
  return {
    newProducer,
    openSource,
    consume,
    SeenSet,
    CHECKSUM_RE,
    encodeEnvelope,
    byteLines,
    verifyFile,
    fileProducer,
    fileSource,
  };
}
type StreamModules = Awaited<ReturnType<typeof streamModules>>;

const KINDS = ["file", "redis", "kafka", "pulsar"] as const;

/** Upper bounds of the count flags: --batch (messages per poll, held in memory) and --max-failures (listed). */
const MAX_BATCH = 100_000;
const MAX_FAILURES_LISTED = 1_000_000;

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

export async function publishAction(ctx: CommandContext, args: ParsedArgs): Promise<number> {
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

  // The data door (and the cold tier's Parquet stack) is loaded only now, after every flag was checked.
  const { openMarketDoor } = await import("../../../data/door/open.ts");
  const { doorColdReader } = await import("../../../data/door/cold_reader.ts");
  const { publishCold } = await import("../../../data/publish_cold.ts");
  const { fileProducer, newProducer } = await streamModules();
  const producer: Producer = sink
    ? fileProducer(() => resolve(sink), cfg.batch_bytes)
    : await newProducer(cfg, dataDir, ctx.env);
  const windowsTotal = Math.ceil((range.to - range.from + 1) / windowMs);
  const bar = createProgress(ctx.interactive, "publish", windowsTotal, "windows");
  const door = openMarketDoor(config, dataDir, ctx.env, { log: ctx.log });
  let result;
  try {
    result = await publishCold({
      reader: doorColdReader(door, config.scan.venue, config.cold.parquet_schema.table),
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
    await door.close();
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
  return (await sha256Hex(text)).slice(0, 12);
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
  { byteLines, CHECKSUM_RE, encodeEnvelope }: StreamModules,
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

export async function consumeAction(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const cfg = await streamConfig(ctx, args);
  const topic = str(args, "topic") ?? cfg.topic;
  checkTopic(topic);
  const group = str(args, "group") ?? "cryptorun";
  checkGroup(group);
  const consumerName = str(args, "consumer") ?? safeHostname();
  const max = positiveInt(args, "max", Number.MAX_SAFE_INTEGER);
  const batch = positiveInt(args, "batch", MAX_BATCH) ?? 500;
  const idleArg = str(args, "idle");
  const idleMs = idleArg !== undefined ? parseDuration(idleArg, "--idle") : cfg.kind === "file" ? 2_000 : 0;
  const dataDir = await ctx.dataDir();
  const sink = str(args, "sink");
  const outPath = str(args, "out");

  const m = await streamModules();
  const { consume, fileProducer, fileSource, newProducer, openSource } = m;
  const seen = new m.SeenSet();
  const out = outPath ? await outputSink(resolve(outPath), seen, ctx.log, m) : undefined;
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

export async function verifyAction(ctx: CommandContext, args: ParsedArgs): Promise<number> {
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
  const { verifyFile } = await streamModules();
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
