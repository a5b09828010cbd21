import { z } from "zod";
import { type BookSides, depthUsdWithin, mid, spreadBps } from "./microstructure.ts";
import { PAIR_RE } from "./symbols.ts";

/** The hot-tier record of one verified book of one venue (never blended across venues). */
export const MicrostructureSnapshot = z.strictObject({
  /** Exchange time of the book update (epoch ms). */
  ts: z.number().int().nonnegative(),
  venue: z.string().regex(/^[a-z0-9_-]+$/),
  symbol: z.string().regex(PAIR_RE),
  best_bid: z.number().positive(),
  best_ask: z.number().positive(),
  mid: z.number().positive(),
  spread_bps: z.number().nonnegative(),
  depth_usd_2pct: z.strictObject({ bid: z.number().nonnegative(), ask: z.number().nonnegative() }),
  verified: z.literal(true),
  checksum_ok: z.number().int().nonnegative(),
  checksum_failed: z.number().int().nonnegative(),
  resyncs: z.number().int().nonnegative(),
});
export type MicrostructureSnapshot = z.infer<typeof MicrostructureSnapshot>;

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
