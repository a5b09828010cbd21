/**
 * Exchange-native microstructure: pure functions over ONE venue's book and bars (no I/O, no blending across
 * venues — a caller that mixed venues' books would get nonsense, so nothing here takes more than one book).
 * Definitions: docs/MICROSTRUCTURE.md.
 */

/** [price, qty] levels, best first (asks ascending, bids descending). */
export interface BookSides {
  asks: ReadonlyArray<readonly [number, number]>;
  bids: ReadonlyArray<readonly [number, number]>;
}

export class CrossedBookError extends Error {
  override name = "CrossedBookError";
}

function top(book: BookSides): { bid: number; ask: number } {
  if (book.bids.length === 0 || book.asks.length === 0) {
    throw new RangeError(`book: one side is empty (bids ${book.bids.length}, asks ${book.asks.length})`);
  }
  const bid = book.bids[0][0];
  const ask = book.asks[0][0];
  if (bid >= ask) throw new CrossedBookError(`book: crossed (best bid ${bid} ≥ best ask ${ask})`);
  return { bid, ask };
}

/** Mid price = (best bid + best ask) / 2. Throws on an empty side or a crossed book. */
export function mid(book: BookSides): number {
  const { bid, ask } = top(book);
  return (bid + ask) / 2;
}

/** Quoted spread in basis points of the mid: (ask − bid) / mid × 10 000. */
export function spreadBps(book: BookSides): number {
  const { bid, ask } = top(book);
  return ((ask - bid) / ((bid + ask) / 2)) * 1e4;
}

/**
 * Resting notional within ±pct of a reference price (default: the mid), per side, in the quote currency
 * (USD for USD pairs): Σ price·qty over bids with price ≥ ref·(1 − pct) and over asks with price ≤
 * ref·(1 + pct). `pct` is a fraction: 0.02 = ±2%. Only the levels the book holds count: a depth-10
 * subscription may under-count a deep ±2% band (docs/MICROSTRUCTURE.md).
 */
export function depthUsdWithin(book: BookSides, pct = 0.02, ref = mid(book)): { bid: number; ask: number } {
  if (!(pct > 0 && pct < 1)) throw new RangeError(`pct: expected a fraction in (0, 1), found ${pct}`);
  const lo = ref * (1 - pct);
  const hi = ref * (1 + pct);
  let bid = 0;
  for (const [p, q] of book.bids) {
    if (p < lo) break;
    bid += p * q;
  }
  let ask = 0;
  for (const [p, q] of book.asks) {
    if (p > hi) break;
    ask += p * q;
  }
  return { bid, ask };
}

/** An OHLCV bar; `ts` = bar open (epoch ms). */
export interface Bar {
  ts: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Volume-weighted relative range Σ v·(H−L)/L ÷ Σ v over `bars` (0 when there is no volume). */
export function volumeWeightedRange(bars: readonly Bar[]): number {
  let num = 0;
  let den = 0;
  for (const b of bars) {
    if (!(b.low > 0) || b.high < b.low || b.volume < 0) {
      throw new RangeError(
        `bar ${new Date(b.ts).toISOString()}: invalid high/low/volume (${b.high}/${b.low}/${b.volume})`,
      );
    }
    num += b.volume * (b.high - b.low) / b.low;
    den += b.volume;
  }
  return den > 0 ? num / den : 0;
}

export interface VadrOptions {
  /** Bars in the recent window (default 20; also the minimum history: fewer bars → null, "frozen"). */
  window?: number;
  /** Baseline length as a multiple of the window (default 4). */
  baselineMultiple?: number;
}

/**
 * VADR, volume-adjusted range ratio: the volume-weighted relative range of the last `window` bars divided by
 * the same over the last `baselineMultiple × window` bars (or as many as exist, at least `window`).
 * Dimensionless: 1 = as active as usual, ≥ 1.75 = the gate's "expanding" threshold. `bars` must be in time
 * order and contain only bars closed at the decision time (use `barsClosedBy`). Returns null when frozen
 * (fewer than `window` bars) or when the baseline has no range.
 */
export function vadr(bars: readonly Bar[], opts: VadrOptions = {}): number | null {
  const n = opts.window ?? 20;
  const m = opts.baselineMultiple ?? 4;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`window: expected a positive integer, found ${n}`);
  if (bars.length < n) return null;
  const recent = bars.slice(bars.length - n);
  const baseline = bars.slice(Math.max(0, bars.length - n * m));
  const base = volumeWeightedRange(baseline);
  if (base === 0) return null;
  return volumeWeightedRange(recent) / base;
}

/** Point in time: the bars fully closed at `asOf` (bar open + interval ≤ asOf), so a value at t uses data < t. */
export function barsClosedBy<T extends { ts: number }>(
  bars: readonly T[],
  asOf: number,
  intervalMs: number,
): T[] {
  return bars.filter((b) => b.ts + intervalMs <= asOf);
}

// ------------------------------------------------------------------ health signals

/** Milliseconds since the last verified book update (∞ when there never was one). */
export function bookStalenessMs(lastVerifiedTs: number | undefined, now: number): number {
  return lastVerifiedTs === undefined ? Infinity : Math.max(0, now - lastVerifiedTs);
}

/** Drift of the last trade print from the book mid, in bps: (last − mid) / mid × 10 000. */
export function tradeDriftBps(bookMid: number, lastTradePrice: number): number {
  return ((lastTradePrice - bookMid) / bookMid) * 1e4;
}

export interface HealthThresholds {
  /** Book older than this is stale (default 15 s: Kraken's L2 TTL). */
  maxStalenessMs: number;
  /** |trade − mid| above this is suspicious (default 100 bps). */
  maxDriftBps: number;
}

export const DEFAULT_HEALTH: HealthThresholds = { maxStalenessMs: 15_000, maxDriftBps: 100 };

export interface VenueHealthInput {
  lastVerifiedTs?: number;
  now: number;
  mid?: number;
  lastTradePrice?: number;
  checksumFailures: number;
  sequenceGaps: number;
}

export interface VenueHealth {
  ok: boolean;
  staleness_ms: number;
  drift_bps: number | null;
  checksum_failures: number;
  sequence_gaps: number;
  reasons: string[];
}

/** Book health for one symbol on one venue: staleness, checksum failures, sequence gaps, trade drift. */
export function venueHealth(i: VenueHealthInput, t: HealthThresholds = DEFAULT_HEALTH): VenueHealth {
  const staleness = bookStalenessMs(i.lastVerifiedTs, i.now);
  const drift = i.mid !== undefined && i.lastTradePrice !== undefined
    ? tradeDriftBps(i.mid, i.lastTradePrice)
    : null;
  const reasons: string[] = [];
  if (staleness > t.maxStalenessMs) {
    reasons.push(
      Number.isFinite(staleness) ? `stale book (${Math.round(staleness)} ms)` : "no verified book",
    );
  }
  if (drift !== null && Math.abs(drift) > t.maxDriftBps) reasons.push(`trade drift ${drift.toFixed(1)} bps`);
  if (i.checksumFailures > 0) reasons.push(`${i.checksumFailures} checksum failures`);
  if (i.sequenceGaps > 0) reasons.push(`${i.sequenceGaps} sequence gaps`);
  return {
    ok: reasons.length === 0,
    staleness_ms: staleness,
    drift_bps: drift,
    checksum_failures: i.checksumFailures,
    sequence_gaps: i.sequenceGaps,
    reasons,
  };
}
