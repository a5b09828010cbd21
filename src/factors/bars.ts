/**
 * Hourly bars of one symbol as parallel typed arrays, sorted by ts ascending, no duplicates. `ts` is the bar
 * OPEN time (epoch ms UTC); an hourly bar closes at ts + 1h. Every function in src/factors, src/regime and
 * src/gates takes `end` — the number of leading bars it may use — and never reads index ≥ end: that is how
 * point-in-time is enforced (the scan sets `end` = bars closed at the as-of time).
 */
export interface Bars {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

export const HOUR = 3_600_000;

/** Number of bars closed at `asOf`: bars with ts + 1h ≤ asOf (binary search). */
export function closedCount(ts: Float64Array, asOf: number): number {
  const limit = asOf - HOUR;
  const n = ts.length;
  // Bars are ≥ 1h apart, so at most (limit − ts[0]) / 1h + 1 of them are closed: gap-free hourly bars sit
  // exactly at that bound (one check instead of a search); otherwise search.
  if (n > 0 && ts[0] <= limit) {
    const guess = Math.min(n, Math.floor((limit - ts[0]) / HOUR) + 1);
    if (ts[guess - 1] <= limit && (guess === n || ts[guess] > limit)) return guess;
  }
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Index of the last bar (< end) with ts ≤ t, or -1. `from` (default 0) is a known lower bound for the search:
 * callers that know the answer is ≥ from (e.g. hourly bars: going back h bars moves back ≥ h hours) pass it.
 */
export function lastIndexAtOrBefore(ts: Float64Array, end: number, t: number, from = 0): number {
  if (from > 0 && (from >= end || ts[from] > t)) from = 0; // the bound does not hold: search everything
  let lo = from;
  let hi = end;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Builds Bars from row objects (sorted by ts; later duplicates of a ts replace earlier ones). */
export function barsFromRows(
  rows: { ts: number; open: number; high: number; low: number; close: number; volume: number }[],
): Bars {
  const sorted = [...rows].sort((a, b) => a.ts - b.ts);
  const dedup: typeof sorted = [];
  for (const r of sorted) {
    if (dedup.length > 0 && dedup[dedup.length - 1].ts === r.ts) dedup[dedup.length - 1] = r;
    else dedup.push(r);
  }
  const n = dedup.length;
  const b: Bars = {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  dedup.forEach((r, i) => {
    b.ts[i] = r.ts;
    b.open[i] = r.open;
    b.high[i] = r.high;
    b.low[i] = r.low;
    b.close[i] = r.close;
    b.volume[i] = r.volume;
  });
  return b;
}
