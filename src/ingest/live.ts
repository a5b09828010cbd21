import type { Config } from "../config/schema.ts";
import type { Logger } from "../log/logger.ts";
import { atomicWriteStream } from "../util/atomic_write.ts";
import { bookChecksumFailures, bookResyncs, boundedSymbol } from "../metrics/metrics.ts";
import { createIngestPipeline, type IngestSummary } from "./pipeline.ts";
import {
  type ConnectionCounters,
  type LiveConnection,
  type LiveVenue,
  RESYNC_REASONS,
  type VenueFeed,
} from "./ports.ts";
import { tierSinks } from "./tier_sinks.ts";

/**
 * One live ingest session against the real tiers (the use case under `cryptorun ingest` and the book session
 * of `serve --with-ingest`): a venue's live connection → the pipeline → hot tier, trades table, 1-minute
 * bar table. The venue is a port (src/ingest/ports.ts); the caller picks it.
 */

export interface LiveIngestOptions<F extends VenueFeed = VenueFeed> {
  config: Config;
  dataDir: string;
  env: Record<string, string>;
  log: Logger;
  signal: AbortSignal;
  venue: LiveVenue<F>;
  /** Normalised symbols to subscribe (validated by the caller against the venue's instruments and quotes). */
  symbols: string[];
  /** Cold-tier table of the closed 1-minute bars built from trades. */
  barsTable: string;
  /** At most one hot snapshot per symbol per this much exchange time. */
  hotIntervalMs: number;
  /** Stop after this long (default: when `signal` aborts). */
  durationMs?: number;
  /** Write every received frame here (the venue's recording format), atomically at the end. */
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
export async function runLiveIngest<F extends VenueFeed>(o: LiveIngestOptions<F>): Promise<{
  summary: IngestSummary;
  written: { hot: number; trades: number; bars: number };
  /** The live session's counters: attempts, opened sockets (0 = never connected). */
  connection: ConnectionCounters;
}> {
  const { symbols, durationMs, recordPath, dataDir, venue } = o;
  const dryRun = o.dryRun === true;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  o.signal.addEventListener("abort", onAbort, { once: true });
  const timer = durationMs !== undefined ? setTimeout(() => stop.abort(), durationMs) : undefined;

  const tiers = tierSinks(o.config, dataDir, {
    venue: venue.venue,
    barsTable: o.barsTable,
    dryRun,
    env: o.env,
    log: o.log,
    signal: o.signal,
  });
  const connRef: { conn?: LiveConnection } = {};
  // The session's bounded label sets start at 0, so increase() sees the first checksum failure or resync.
  for (const reason of RESYNC_REASONS) bookResyncs.inc({ provider: venue.venue, reason }, 0);
  for (const s of symbols) bookChecksumFailures.inc({ provider: venue.venue, symbol: boundedSymbol(s) }, 0);
  const pipe = createIngestPipeline({
    venue: venue.venue,
    feed: venue.feed,
    hotIntervalMs: o.hotIntervalMs,
    sinks: o.bars === false ? { ...tiers.sinks, bars: undefined } : tiers.sinks,
    live: true,
    log: o.log,
    onResync: (_s, venueSymbol) => connRef.conn?.resync(venueSymbol),
  });

  const recorded: string[] = [];
  let connection: ConnectionCounters = { connections: 0, opened: 0 };
  const conn = connRef.conn = venue.connect({
    symbols,
    feed: pipe.feed,
    signal: stop.signal,
    log: o.log,
    onFrame: recordPath ? (text, recvMs) => recorded.push(venue.recordLine(text, recvMs)) : undefined,
  });

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
      const r = connection = await conn.run();
      o.log.info(`${venue.venue} ws: stopped`, { ...r });
    } finally {
      clearInterval(tick);
    }
    await flushing;
    await pipe.finish();
    await flushAll();
  };

  try {
    o.log.info("ingest: live", {
      venue: venue.venue,
      symbols,
      depth: venue.depth,
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
