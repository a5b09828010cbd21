import type { Logger } from "../log/logger.ts";
import { nullLogger } from "../log/logger.ts";
import { bookChecksumFailures, bookResyncs, boundedSymbol, l2SnapshotAge } from "../metrics/metrics.ts";
import { type ClosedBar, createBarBuilder } from "../market/bars.ts";
import { type MicrostructureSnapshot, snapshotFromBook } from "../market/snapshot.ts";
import type { TradePrint } from "../market/trade.ts";
import type { FeedFactory, IngestSinks, ResyncReason, VenueFeed } from "./ports.ts";

/**
 * Wires a venue's feed to the sinks: verified books → microstructure snapshots (hot tier, at most one
 * per symbol per `hotIntervalMs` of exchange time, plus the final state), trade prints → the trades
 * repository, trades → closed 1-minute bars → the cold tier. Live and replay use this same pipeline, and
 * every venue: the venue only supplies its feed (src/ingest/ports.ts). Writes are buffered and drained by
 * `flush()`.
 */

export interface PipelineOptions<F extends VenueFeed> {
  /** Lower-case venue name: the snapshots' venue and the metrics' provider label. */
  venue: string;
  /** The venue's feed (its frames → verified books and trades). */
  feed: FeedFactory<F>;
  /** Minimum exchange-time spacing of hot snapshots per symbol (default 1000 ms). */
  hotIntervalMs?: number;
  sinks?: IngestSinks;
  /** Live: snapshot-age metric against the wall clock, and bars closed by the wall clock. */
  live?: boolean;
  log?: Logger;
  /** Live: resubscribe a dropped book. */
  onResync?(symbol: string, venueSymbol: string, reason: ResyncReason): void;
}

export interface SymbolSummary {
  checksum_ok: number;
  checksum_failed: number;
  resyncs: number;
  best_bid: number | null;
  best_ask: number | null;
  spread_bps: number | null;
  depth_usd_2pct: { bid: number; ask: number } | null;
}

export interface IngestSummary {
  messages: number;
  symbols: Record<string, SymbolSummary>;
  /** 1-minute bars not written because the stream did not cover their whole minute (start, reconnects). */
  incomplete_bars: number;
}

export interface IngestPipeline<F extends VenueFeed = VenueFeed> {
  /** The venue's feed: hand it the frames (its `resetAll` also restarts the bar coverage). */
  feed: F;
  /** Drains buffered writes into the sinks. */
  flush(): Promise<void>;
  /** Final hot snapshots and closed bars, then flush. */
  finish(): Promise<void>;
  summary(): IngestSummary;
  written(): { hot: number; trades: number; bars: number };
}

export function createIngestPipeline<F extends VenueFeed>(o: PipelineOptions<F>): IngestPipeline<F> {
  const venue = o.venue;
  const interval = o.hotIntervalMs ?? 1000;
  const log = o.log ?? nullLogger;
  const sinks = o.sinks ?? {};
  const bars = createBarBuilder(60_000);
  const pending = {
    hot: [] as MicrostructureSnapshot[],
    trades: [] as TradePrint[],
    bars: [] as ClosedBar[],
  };
  const written = { hot: 0, trades: 0, bars: 0 };
  const lastWritten = new Map<string, number>();
  const lastVerified = new Map<string, number>();
  const lastSnap = new Map<string, MicrostructureSnapshot>();
  let maxTs = 0;
  // Bar coverage: the first exchange-timestamped event of the stream (and of every connection after a
  // reconnect, signalled by `feed.resetAll()`) starts the coverage; a minute that began earlier is partial.
  let covered = false;
  let aliveUntil: number | undefined;
  const cover = (ts: number) => {
    if (covered) return;
    covered = true;
    for (const b of bars.startCoverage(ts, aliveUntil)) pending.bars.push(b);
  };

  const snapOf = (symbol: string, ts: number): MicrostructureSnapshot | undefined => {
    const book = feed.verifiedBook(symbol);
    if (!book || book.asks.length === 0 || book.bids.length === 0) return undefined;
    const s = feed.stats.get(symbol)!;
    return snapshotFromBook(venue, symbol, ts, book, s);
  };

  const feed = o.feed({
    onBook(symbol, ts) {
      if (ts === undefined) return;
      cover(ts);
      if (ts > maxTs) maxTs = ts;
      lastVerified.set(symbol, ts);
      if (o.live) {
        l2SnapshotAge.set(
          { provider: venue, symbol: boundedSymbol(symbol) },
          Math.max(0, Date.now() - ts) / 1000,
        );
      }
      const prev = lastWritten.get(symbol);
      if (prev !== undefined && ts - prev < interval) return;
      const snap = snapOf(symbol, ts);
      if (!snap) return;
      lastWritten.set(symbol, ts);
      lastSnap.set(symbol, snap);
      pending.hot.push(snap);
    },
    onTrades(_symbol, trades) {
      if (trades.length > 0) cover(Math.min(...trades.map((t) => t.ts)));
      for (const t of trades) if (t.ts > maxTs) maxTs = t.ts;
      if (sinks.trades) { for (const t of trades) pending.trades.push(t); }
      for (const b of bars.add(trades)) pending.bars.push(b);
    },
    onResync(symbol, venueSymbol, reason) {
      bookResyncs.inc({ provider: venue, reason });
      if (reason === "checksum") {
        bookChecksumFailures.inc({ provider: venue, symbol: boundedSymbol(symbol) });
      }
      log.warn("book dropped, resyncing", { venue, symbol, reason });
      o.onResync?.(symbol, venueSymbol, reason);
    },
  });

  async function flush(): Promise<void> {
    const hot = pending.hot.splice(0);
    const trades = pending.trades.splice(0);
    const closed = pending.bars.splice(0);
    if (hot.length && sinks.hot) {
      await sinks.hot(hot);
      written.hot += hot.length;
    }
    if (trades.length && sinks.trades) {
      await sinks.trades(trades);
      written.trades += trades.length;
    }
    if (closed.length && sinks.bars) {
      await sinks.bars(closed);
      written.bars += closed.length;
    }
  }

  return {
    feed: {
      ...feed,
      resetAll() {
        feed.resetAll();
        // A reconnect: trades were missed between the last event and the next connection's first one.
        if (covered) aliveUntil = maxTs;
        covered = false;
      },
    },
    flush,
    async finish() {
      for (const [symbol, ts] of lastVerified) {
        if (lastWritten.get(symbol) === ts) continue;
        const snap = snapOf(symbol, ts);
        if (!snap) continue;
        lastWritten.set(symbol, ts);
        lastSnap.set(symbol, snap);
        pending.hot.push(snap);
      }
      // Bars whose minute ended before the last time the stream was seen alive are complete.
      for (const b of bars.flush(o.live ? Date.now() : maxTs)) pending.bars.push(b);
      await flush();
    },
    summary() {
      const symbols: Record<string, SymbolSummary> = {};
      for (const [symbol, s] of [...feed.stats].sort(([a], [b]) => a.localeCompare(b))) {
        if (s.book_messages === 0) continue;
        const snap = snapOf(symbol, lastVerified.get(symbol) ?? 0) ?? lastSnap.get(symbol);
        symbols[symbol] = {
          checksum_ok: s.checksum_ok,
          checksum_failed: s.checksum_failed,
          resyncs: s.resyncs,
          best_bid: snap?.best_bid ?? null,
          best_ask: snap?.best_ask ?? null,
          spread_bps: snap?.spread_bps ?? null,
          depth_usd_2pct: snap?.depth_usd_2pct ?? null,
        };
      }
      return { messages: feed.messages(), symbols, incomplete_bars: bars.incomplete() };
    },
    written: () => ({ ...written }),
  };
}
