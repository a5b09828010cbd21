import { failed, type GateResult, num, passed, unknown } from "./types.ts";

/**
 * The fields of an exchange-native, checksum-verified book snapshot the liquidity gates read (a structural
 * subset of src/market/snapshot.ts's MicrostructureSnapshot). Aggregator data never reaches here: the scan
 * passes only exchange-native books from the data door — the hot tier's checksum-verified WebSocket books or
 * the venue's own REST Depth snapshot (warm tier).
 */
export interface BookSnapshot {
  ts: number;
  venue: string;
  symbol: string;
  spread_bps: number;
  depth_usd_2pct: { bid: number; ask: number };
  verified: true;
  /** Book health counters (feed the quality factor when present). */
  checksum_failed?: number;
  resyncs?: number;
}

export interface LiquidityThresholds {
  spread_bps_max: number;
  depth_usd_min: number;
}

/** Why there is no usable book: null when `book` is usable at `asOf`. */
function bookProblem(
  book: BookSnapshot | undefined,
  asOf: number,
  maxAgeMs: number,
  venue: string,
  symbol: string,
): string | null {
  if (!book) return `no verified ${venue} book for ${symbol} at the as-of time (hourly bars only)`;
  if (book.ts > asOf) return `book at ${new Date(book.ts).toISOString()} is after the as-of time`;
  const age = asOf - book.ts;
  if (age > maxAgeMs) {
    return `${venue} book is ${num(age / 1000, 1)}s old > ${num(maxAgeMs / 1000, 1)}s max age`;
  }
  return null;
}

/** Spread ≤ cap (bps of mid, inclusive), from the venue's own verified book only. */
export function spreadGate(
  book: BookSnapshot | undefined,
  asOf: number,
  maxAgeMs: number,
  t: LiquidityThresholds,
  venue: string,
  symbol: string,
): GateResult {
  const problem = bookProblem(book, asOf, maxAgeMs, venue, symbol);
  if (problem) return unknown("spread", t.spread_bps_max, problem);
  const s = book!.spread_bps;
  if (!Number.isFinite(s)) return unknown("spread", t.spread_bps_max, `spread is ${s} in the ${venue} book`);
  if (s <= t.spread_bps_max) {
    return passed(
      "spread",
      s,
      t.spread_bps_max,
      `spread ${num(s, 1)} bps ≤ ${num(t.spread_bps_max, 1)} bps cap`,
    );
  }
  return failed(
    "spread",
    s,
    t.spread_bps_max,
    `spread ${num(s, 1)} bps > ${num(t.spread_bps_max, 1)} bps cap`,
  );
}

/** USD depth within ±2% of mid (bids + asks, as the original's MS/depth.go sums) ≥ minimum (inclusive). */
export function depthGate(
  book: BookSnapshot | undefined,
  asOf: number,
  maxAgeMs: number,
  t: LiquidityThresholds,
  venue: string,
  symbol: string,
): GateResult {
  const problem = bookProblem(book, asOf, maxAgeMs, venue, symbol);
  if (problem) return unknown("depth", t.depth_usd_min, problem);
  const d = book!.depth_usd_2pct.bid + book!.depth_usd_2pct.ask;
  if (!Number.isFinite(d)) return unknown("depth", t.depth_usd_min, `depth is ${d} in the ${venue} book`);
  if (d >= t.depth_usd_min) {
    return passed("depth", d, t.depth_usd_min, `depth ±2% $${num(d)} ≥ $${num(t.depth_usd_min)}`);
  }
  return failed("depth", d, t.depth_usd_min, `depth ±2% $${num(d)} < $${num(t.depth_usd_min)} minimum`);
}
