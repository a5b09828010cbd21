import type { MicrostructureSnapshot } from "./hot_store.ts";
import { type BookSides, depthUsdWithin, mid, spreadBps } from "./microstructure.ts";

export interface BookCounters {
  checksum_ok: number;
  checksum_failed: number;
  resyncs: number;
}

/**
 * The hot-tier record of one verified book: top of book, mid, spread (bps), ±2% depth per side. Pure; the
 * caller guarantees the book is verified (the feed only hands out verified books).
 */
export function snapshotFromBook(
  venue: string,
  symbol: string,
  ts: number,
  book: BookSides,
  counters: BookCounters,
): MicrostructureSnapshot {
  const m = mid(book);
  return {
    ts: Math.round(ts),
    venue,
    symbol,
    best_bid: book.bids[0][0],
    best_ask: book.asks[0][0],
    mid: m,
    spread_bps: spreadBps(book),
    depth_usd_2pct: depthUsdWithin(book, 0.02, m),
    verified: true,
    checksum_ok: counters.checksum_ok,
    checksum_failed: counters.checksum_failed,
    resyncs: counters.resyncs,
  };
}
