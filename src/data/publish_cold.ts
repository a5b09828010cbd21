/**
 * Cold tier → bus (spec A2.3): pages through `[from, to]` in fixed time windows with the cold store's
 * `read()`, turns every row into an envelope and sends each window through a Producer. Resumable: after a
 * window's send is acknowledged, a checkpoint file (written atomically: temp file + rename) records the next
 * window; a restart continues from there, so a crash never loses a window and never re-sends a
 * checkpointed one. The one window in flight at the crash (sent partly, or sent but not yet checkpointed)
 * is sent again whole; its envelopes are deterministic (same row → same checksum), so consumers, which are
 * idempotent by checksum, see each row exactly once.
 */
import { z } from "zod";
import type { OhlcvRow } from "../market/ohlcv.ts";
import type { TimeRange } from "../util/time.ts";
import { isoMs } from "../util/time.ts";
import { atomicWriteFile } from "../util/atomic_write.ts";
import { readStateFile } from "../util/state_file.ts";
import { InputError, show } from "../util/errors.ts";
import { type Envelope, makeEnvelope } from "../stream/envelope.ts";
import type { Producer } from "../stream/producer.ts";

/** The narrow slice of the cold store this needs (src/data/cold/store.ts `ColdStore.read`). */
export interface ColdReader {
  read(
    table: string,
    range: TimeRange,
    opts?: { columns?: string[]; symbols?: string[]; signal?: AbortSignal },
  ): AsyncIterable<Partial<OhlcvRow>>;
}

export const Checkpoint = z.strictObject({
  version: z.literal(1),
  table: z.string(),
  topic: z.string(),
  from: z.number().int(),
  to: z.number().int(),
  window_ms: z.number().int().positive(),
  symbols: z.array(z.string()).nullable(),
  /** Start of the first window not yet acknowledged (> to when finished). */
  next_from: z.number().int(),
  windows_done: z.number().int().nonnegative(),
  envelopes_sent: z.number().int().nonnegative(),
  updated_at: z.string(),
});
export type Checkpoint = z.infer<typeof Checkpoint>;

export interface PublishColdOptions {
  reader: ColdReader;
  producer: Producer;
  table: string;
  range: TimeRange;
  topic: string;
  /** Window length (ms); each window is read, sent and checkpointed as a unit. */
  windowMs: number;
  /** Checkpoint file; absent = not resumable. */
  checkpointPath?: string;
  /** Envelope source (default `cold:<table>`). */
  source?: string;
  symbols?: string[];
  /** Envelopes per `send` call inside a window (the producer batches further by bytes). */
  sendChunk?: number;
  signal?: AbortSignal;
  onWindow?(
    p: { windowFrom: number; windowTo: number; envelopes: number; windowsDone: number; windowsTotal: number },
  ): void;
}

export interface PublishColdResult {
  windows: number;
  windowsTotal: number;
  envelopes: number;
  /** True when it continued from an existing checkpoint. */
  resumed: boolean;
  /** Windows the checkpoint said were already done. */
  skippedWindows: number;
}

const NUM_FIELDS = ["open", "high", "low", "close", "volume"] as const;

/** One cold row → its envelope; the payload is the full bar, ts = bar open. Deterministic. */
export function rowEnvelope(row: Partial<OhlcvRow>, source: string, table: string): Envelope {
  if (typeof row.ts !== "number" || !Number.isFinite(row.ts)) {
    throw new InputError(`cold ${table} row: ts: expected epoch ms, found ${show(row.ts)}`);
  }
  if (typeof row.symbol !== "string" || row.symbol === "") {
    throw new InputError(
      `cold ${table} row at ${isoMs(row.ts)}: symbol: expected a pair, found ${show(row.symbol)}`,
    );
  }
  for (const f of NUM_FIELDS) {
    const v = row[f];
    // NaN/Infinity would go out as JSON null: refused rather than published as a bar without the value.
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new InputError(
        `cold ${table} row ${row.symbol} at ${isoMs(row.ts)}: ${f}: expected a finite number, found ${
          typeof v === "number" ? String(v) : show(v)
        }`,
      );
    }
  }
  return makeEnvelope({
    ts: row.ts,
    symbol: row.symbol,
    source,
    payload: {
      table,
      ts: row.ts,
      symbol: row.symbol,
      open: row.open,
      high: row.high,
      low: row.low,
      close: row.close,
      volume: row.volume,
    },
  });
}

async function readCheckpoint(path: string): Promise<Checkpoint | undefined> {
  const st = await readStateFile(path, Checkpoint);
  if (st.status === "missing") return undefined;
  if (st.status === "invalid") {
    throw new InputError(`checkpoint ${path}: ${st.reason} (delete it to start over)`);
  }
  return st.value;
}

/** Publishes the windows of `range` not yet checkpointed. */
export async function publishCold(o: PublishColdOptions): Promise<PublishColdResult> {
  const source = o.source ?? `cold:${o.table}`;
  const chunk = o.sendChunk ?? 5_000;
  const symbols = o.symbols && o.symbols.length > 0 ? [...o.symbols].sort() : null;
  const windowsTotal = Math.ceil((o.range.to - o.range.from + 1) / o.windowMs);
  let cp: Checkpoint = {
    version: 1,
    table: o.table,
    topic: o.topic,
    from: o.range.from,
    to: o.range.to,
    window_ms: o.windowMs,
    symbols,
    next_from: o.range.from,
    windows_done: 0,
    envelopes_sent: 0,
    updated_at: new Date().toISOString(),
  };
  let resumed = false;
  if (o.checkpointPath) {
    const prev = await readCheckpoint(o.checkpointPath);
    if (prev) {
      for (const k of ["table", "topic", "from", "to", "window_ms"] as const) {
        if (prev[k] !== cp[k]) {
          throw new InputError(
            `checkpoint ${o.checkpointPath}: ${k} is ${show(prev[k])} but this run has ${
              show(cp[k])
            }: use another --checkpoint or delete it to start over`,
          );
        }
      }
      if (JSON.stringify(prev.symbols) !== JSON.stringify(symbols)) {
        throw new InputError(
          `checkpoint ${o.checkpointPath}: symbols is ${show(prev.symbols)} but this run has ${
            show(symbols)
          }`,
        );
      }
      cp = prev;
      resumed = true;
    }
  }
  const skippedWindows = cp.windows_done;
  let windows = 0;
  let envelopes = 0;
  while (cp.next_from <= o.range.to) {
    o.signal?.throwIfAborted();
    const wFrom = cp.next_from;
    const wTo = Math.min(wFrom + o.windowMs - 1, o.range.to);
    let batch: Envelope[] = [];
    let inWindow = 0;
    for await (
      const row of o.reader.read(o.table, { from: wFrom, to: wTo }, {
        signal: o.signal,
        symbols: symbols ?? undefined,
      })
    ) {
      if (typeof row.ts === "number" && (row.ts < wFrom || row.ts > wTo)) {
        throw new InputError(
          `cold ${o.table}: read of [${isoMs(wFrom)}, ${isoMs(wTo)}] returned a row at ${isoMs(row.ts)}`,
        );
      }
      batch.push(rowEnvelope(row, source, o.table));
      if (batch.length >= chunk) {
        await o.producer.send(o.topic, batch, o.signal);
        inWindow += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) {
      await o.producer.send(o.topic, batch, o.signal);
      inWindow += batch.length;
    }
    cp = {
      ...cp,
      next_from: wTo + 1,
      windows_done: cp.windows_done + 1,
      envelopes_sent: cp.envelopes_sent + inWindow,
      updated_at: new Date().toISOString(),
    };
    if (o.checkpointPath) await atomicWriteFile(o.checkpointPath, JSON.stringify(cp, null, 2) + "\n");
    windows++;
    envelopes += inWindow;
    o.onWindow?.({
      windowFrom: wFrom,
      windowTo: wTo,
      envelopes: inWindow,
      windowsDone: cp.windows_done,
      windowsTotal,
    });
  }
  return { windows, windowsTotal, envelopes, resumed, skippedWindows };
}
