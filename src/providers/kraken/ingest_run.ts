import { dirname, join } from "node:path";
import type { Config } from "../../config/schema.ts";
import { openColdStore } from "../../data/cold/store.ts";
import { SYMBOL_RE as COLD_SYMBOL_RE } from "../../data/cold/types.ts";
import type { Logger } from "../../log/logger.ts";
import type { ClosedBar } from "../../market/bars.ts";
import { writeMicrostructureBatch } from "../../market/hot_store.ts";
import { openPersistence } from "../../persistence/open.ts";
import type { Persistence } from "../../persistence/types.ts";
import { atomicWriteStream } from "../../util/atomic_write.ts";
import { InputError, show } from "../../util/errors.ts";
import { createIngestPipeline, type IngestSinks, type IngestSummary } from "./pipeline.ts";
import { recordLine } from "./replay.ts";
import { type KrakenPair, pairsFromAssetPairs } from "./symbols.ts";
import { createKrakenWs, type WsRunResult } from "./ws_client.ts";
import type { Precision, TradePrint } from "./ws_messages.ts";

/**
 * Running Kraken ingest against the real tiers (the application layer under `cryptorun ingest`, usable by a
 * scheduler too): hot tier writer, trades repository, 1-minute bar table, and the live WebSocket session.
 */

export interface IngestContext {
  env: Record<string, string>;
  log: Logger;
  signal: AbortSignal;
}

export async function loadAssetPairsFile(path: string): Promise<KrakenPair[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new InputError(`--asset-pairs ${show(path)}: cannot read (${(err as Error).name})`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new InputError(`--asset-pairs ${show(path)}: not JSON (${(err as Error).message})`);
  }
  const o = obj as Record<string, unknown>;
  const result = o && typeof o === "object" && "result" in o ? o.result : o;
  if (!result || typeof result !== "object" || Array.isArray(result)) {
    throw new InputError(`--asset-pairs ${show(path)}: result: expected an object of pairs`);
  }
  try {
    return pairsFromAssetPairs(result as Record<string, unknown>);
  } catch (err) {
    throw new InputError(`--asset-pairs ${show(path)}: ${(err as Error).message}`);
  }
}

export function precisionsOf(pairs: KrakenPair[]): Map<string, Precision> {
  return new Map(pairs.map((p) => [p.symbol, { price: p.pricePrecision, qty: p.qtyPrecision }]));
}

/**
 * The cold-tier table of 1-minute bars: a sibling of the configured table's directory, named after it
 * (`cold/ohlcv` → `cold/ohlcv_1m`), with the same format and schema.
 */
export function barStore(cfg: Config, dataDir: string) {
  const table = cfg.kraken.bars_table;
  return openColdStore({
    ...cfg.cold,
    path: join(dirname(cfg.cold.path), table),
    parquet_schema: { ...cfg.cold.parquet_schema, table },
  }, dataDir);
}

/** The tier writers. Persistence and the cold store are opened on first use (a book-only replay needs neither). */
export function tierSinks(ctx: IngestContext, cfg: Config, dataDir: string, dryRun: boolean) {
  let persistence: Persistence | undefined;
  const skippedBars = { count: 0 };
  const sinks: IngestSinks = dryRun ? {} : {
    hot: (snaps) => writeMicrostructureBatch(dataDir, "kraken", snaps, { hotPath: cfg.tiers.hot_path }),
    trades: cfg.persistence.enabled
      ? async (trades: TradePrint[]) => {
        persistence ??= await openPersistence(cfg.persistence, dataDir, ctx.env, { log: ctx.log });
        await persistence.trades.insertMany(
          trades.map((t) => ({
            ts: new Date(t.ts),
            symbol: t.symbol,
            venue: "kraken",
            side: t.side,
            price: t.price,
            qty: t.qty,
            ...(t.tradeId !== undefined ? { trade_id: t.tradeId } : {}),
            ...(t.ordType ? { attributes: { ord_type: t.ordType } } : {}),
          })).filter((t) => t.qty > 0),
          { signal: ctx.signal },
        );
      }
      : undefined,
    bars: async (bars: ClosedBar[]) => {
      // The cold tier holds USD pairs only (its schema); other quotes' bars are counted, not written.
      const usd = bars.filter((b) => COLD_SYMBOL_RE.test(b.symbol));
      skippedBars.count += bars.length - usd.length;
      if (usd.length === 0) return;
      await barStore(cfg, dataDir).write(cfg.kraken.bars_table, usd, {
        skipInvalid: true,
        signal: ctx.signal,
      });
    },
  };
  return {
    sinks,
    skippedBars,
    async close() {
      await persistence?.close();
    },
  };
}

export interface LiveIngestOptions extends IngestContext {
  config: Config;
  dataDir: string;
  /** Normalised symbols to subscribe (validated by the caller against AssetPairs and kraken.quotes). */
  symbols: string[];
  /** Stop after this long (default: when `signal` aborts). */
  durationMs?: number;
  /** Write every received frame here (`--record` format), atomically at the end. */
  recordPath?: string;
  dryRun?: boolean;
  /**
   * Build 1-minute bars from the session's trades and write them (default true). Only minutes the session
   * covered whole are written (the pipeline drops the partial first minute and minutes spanning a reconnect).
   */
  bars?: boolean;
  /** Called after every drain of the buffered writes with the running totals (supervision, progress). */
  onWritten?: (written: { hot: number; trades: number; bars: number }) => void;
}

/** One live session: connects, ingests until `durationMs` or `signal`, writes the tiers, returns the summary. */
export async function runLiveIngest(o: LiveIngestOptions): Promise<{
  summary: IngestSummary;
  written: { hot: number; trades: number; bars: number };
  /** The WebSocket session: attempts, opened sockets (0 = never connected), frames. */
  connection: WsRunResult;
}> {
  const cfg = o.config;
  const k = cfg.kraken;
  const { symbols, durationMs, recordPath, dataDir } = o;
  const dryRun = o.dryRun === true;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  o.signal.addEventListener("abort", onAbort, { once: true });
  const timer = durationMs !== undefined ? setTimeout(() => stop.abort(), durationMs) : undefined;

  const tiers = tierSinks(o, cfg, dataDir, dryRun);
  const wsRef: { ws?: ReturnType<typeof createKrakenWs> } = {};
  const pipe = createIngestPipeline({
    venue: "kraken",
    hotIntervalMs: k.hot_snapshot_interval_ms,
    sinks: o.bars === false ? { ...tiers.sinks, bars: undefined } : tiers.sinks,
    live: true,
    depth: k.book_depth,
    log: o.log,
    onResync: (_s, venueSymbol) => wsRef.ws?.resync(venueSymbol),
  });

  const recorded: string[] = [];
  const ws = wsRef.ws = createKrakenWs({
    url: k.ws_url,
    symbols,
    depth: k.book_depth,
    feed: pipe.feed,
    signal: stop.signal,
    log: o.log,
    silenceMs: k.ws_silence_ms,
    backoffCapMs: k.reconnect_max_ms,
    onFrame: recordPath ? (text, recvMs) => recorded.push(recordLine(text, recvMs)) : undefined,
  });

  let connection: WsRunResult = { connections: 0, opened: 0, reconnects: 0, frames: 0, frameErrors: 0 };
  const live = async (writeRecord?: (chunk: Uint8Array) => Promise<void>) => {
    const enc = new TextEncoder();
    let flushing: Promise<void> = Promise.resolve();
    const flushAll = () => {
      flushing = flushing.then(async () => {
        await pipe.flush();
        o.onWritten?.(pipe.written());
        if (writeRecord && recorded.length) {
          await writeRecord(enc.encode(recorded.splice(0).join("\n") + "\n"));
        }
      });
      return flushing;
    };
    const tick = setInterval(() => {
      flushAll().catch((err) => {
        o.log.error("ingest: write failed, stopping", { error: (err as Error).message });
        stop.abort();
      });
    }, 1000);
    try {
      const r = connection = await ws.run();
      o.log.info("kraken ws: stopped", { ...r });
    } finally {
      clearInterval(tick);
    }
    await flushing;
    await pipe.finish();
    await flushAll();
  };

  try {
    o.log.info("ingest: live", {
      venue: "kraken",
      symbols,
      depth: k.book_depth,
      duration_ms: durationMs,
      dry_run: dryRun,
    });
    if (recordPath) await atomicWriteStream(recordPath, (write) => live(write));
    else await live();
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener("abort", onAbort);
    await tiers.close();
  }
  return { summary: pipe.summary(), written: pipe.written(), connection };
}
