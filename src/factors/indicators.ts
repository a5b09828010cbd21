import { type Bars, HOUR, lastIndexAtOrBefore } from "./bars.ts";
import { barMoves, chunkMemo, meanRs, MEMO_RING, NO_RS, RS_SIZES } from "./rolling_memo.ts";

const MEMO_MASK = MEMO_RING - 1;

/**
 * Classic technical indicators over the bars before `end`. Each uses a FIXED warm-up window (not "all
 * history"), so its value at a bar does not depend on how much older history happened to be loaded — a
 * requirement for byte-identical point-in-time scans.
 */

/** Warm-up multiplier for Wilder-smoothed indicators: 5×n bars before the value. */
const WARMUP = 5;

/**
 * Average true range (Wilder, n bars) at the last bar before `end`; NaN if fewer than n+1 bars. True range of
 * bar i: the largest of H−L, |H − previous close|, |L − previous close| (memoised across calls, see
 * rolling_memo.ts).
 */
export function atr(bars: Bars, end: number, n = 14): number {
  if (end < n + 1) return NaN;
  const start = Math.max(1, end - WARMUP * n);
  const mv = barMoves(bars, start, end).moves;
  let value = NaN;
  let sum = 0;
  let count = 0;
  for (let i = start; i < end; i++) {
    const tr = mv[3 * (i & MEMO_MASK)];
    if (count < n) {
      sum += tr;
      count++;
      if (count === n) value = sum / n;
    } else {
      value = (value * (n - 1) + tr) / n;
    }
  }
  return value;
}

/** RSI (Wilder, n periods) of a series' last value; NaN if fewer than n+1 values. */
export function rsi(values: ArrayLike<number>, n = 14): number {
  return rsiOf(values, 0, values.length, n);
}

/** `rsi` of values[from, to) (no subarray per call). */
function rsiOf(values: ArrayLike<number>, from: number, to: number, n: number): number {
  if (to - from < n + 1) return NaN;
  let gain = 0;
  let loss = 0;
  for (let i = from + 1; i <= from + n; i++) {
    const d = values[i] - values[i - 1];
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= n;
  loss /= n;
  for (let i = from + n + 1; i < to; i++) {
    const d = values[i] - values[i - 1];
    gain = (gain * (n - 1) + Math.max(d, 0)) / n;
    loss = (loss * (n - 1) + Math.max(-d, 0)) / n;
  }
  if (loss === 0) return gain === 0 ? 50 : 100;
  return 100 - 100 / (1 + gain / loss);
}

/**
 * Closes sampled at fixed UTC steps: for each of the `count` boundaries anchor, anchor−step, …, the close of the
 * latest bar (< end) closed by that boundary (ts + 1h ≤ boundary). Oldest first; boundaries before the first
 * bar are dropped.
 */
export function sampledCloses(
  bars: Bars,
  end: number,
  anchor: number,
  stepMs: number,
  count: number,
): number[] {
  const out = new Float64Array(count);
  const n = sampleCloses(out, bars, end, anchor, stepMs, count);
  return Array.from(out.subarray(count - n));
}

/**
 * `sampledCloses` into the END of `out` (oldest first, ending at out[count − 1]); returns how many were found
 * (they are out[count − found, count)). No allocation: the scan's hot path.
 */
export function sampleCloses(
  out: Float64Array,
  bars: Bars,
  end: number,
  anchor: number,
  stepMs: number,
  count: number,
): number {
  // Boundaries descend, so the index only moves left: short steps walk back bar by bar, long steps (daily)
  // binary-search within what is left.
  // For gap-free hourly bars the next index is exactly `stepBars` further left: jump there, then correct by
  // walking (gaps) — the result is the same as a search, in ~2 comparisons per boundary.
  const ts = bars.ts;
  const stepBars = Math.max(1, Math.round(stepMs / HOUR));
  let j = end - 1;
  for (let k = 0; k < count; k++) {
    const limit = anchor - k * stepMs - HOUR;
    if (j >= 0 && ts[j] > limit) {
      // ts[j] > limit: the answer is < j. Bars are ≥ 1h apart, so it is ≥ j − stepBars·(gap factor); jump and fix.
      let g = Math.max(0, j - stepBars);
      if (ts[g] > limit) g = lastIndexAtOrBefore(ts, g, limit);
      else while (g + 1 < j && ts[g + 1] <= limit) g++;
      j = g;
    }
    if (j < 0) return k;
    out[count - 1 - k] = bars.close[j];
  }
  return count;
}

let rsiCloses = new Float64Array(WARMUP * 14 + 1);

/** RSI(14) on completed 4h closes (UTC 4h boundaries ≤ asOf), with a 5×14-period warm-up. */
export function rsi4h(bars: Bars, end: number, asOf: number, n = 14): number {
  const step = 4 * HOUR;
  const anchor = Math.floor(asOf / step) * step;
  const count = WARMUP * n + 1;
  if (rsiCloses.length < count) rsiCloses = new Float64Array(count);
  const found = sampleCloses(rsiCloses, bars, end, anchor, step, count);
  return rsiOf(rsiCloses, count - found, count, n);
}

/** ADX (Wilder, n bars) at the last bar before `end`; NaN if fewer than 2n+1 bars. */
export function adx(bars: Bars, end: number, n = 14): number {
  if (end < 2 * n + 1) return NaN;
  const start = Math.max(1, end - WARMUP * 2 * n);
  const mv = barMoves(bars, start, end).moves;
  let trS = 0, pS = 0, mS = 0;
  let count = 0;
  let dxSum = 0;
  let dxCount = 0;
  let adxValue = NaN;
  for (let i = start; i < end; i++) {
    const k = 3 * (i & MEMO_MASK);
    const tr = mv[k];
    const pdm = mv[k + 1];
    const mdm = mv[k + 2];
    if (count < n) {
      trS += tr;
      pS += pdm;
      mS += mdm;
      count++;
      if (count < n) continue;
    } else {
      trS = trS - trS / n + tr;
      pS = pS - pS / n + pdm;
      mS = mS - mS / n + mdm;
    }
    const pdi = trS > 0 ? (100 * pS) / trS : 0;
    const mdi = trS > 0 ? (100 * mS) / trS : 0;
    const dx = pdi + mdi > 0 ? (100 * Math.abs(pdi - mdi)) / (pdi + mdi) : 0;
    if (dxCount < n) {
      dxSum += dx;
      dxCount++;
      if (dxCount === n) adxValue = dxSum / n;
    } else {
      adxValue = (adxValue * (n - 1) + dx) / n;
    }
  }
  return adxValue;
}

const LOG_RETURNS = new WeakMap<Float64Array, Float64Array>();

/**
 * 1h log returns of a series, lr[i] = ln(close[i] / close[i−1]) (0 when a price is not positive; lr[0] = 0),
 * computed once per close array and cached (rolling scans reuse them). lr[i] depends on bars i−1 and i only,
 * so reading lr[i] for i < end stays point in time.
 */
export function logReturns(bars: Bars): Float64Array {
  let lr = LOG_RETURNS.get(bars.close);
  if (!lr) {
    const c = bars.close;
    lr = new Float64Array(c.length);
    for (let i = 1; i < c.length; i++) lr[i] = c[i - 1] > 0 && c[i] > 0 ? Math.log(c[i] / c[i - 1]) : 0;
    LOG_RETURNS.set(c, lr);
  }
  return lr;
}

/**
 * Hurst exponent by rescaled-range (R/S) analysis of the last `window` 1h log returns: the slope of
 * log(mean R/S) on log(chunk size) over chunk sizes 8, 16, 32, 64. ≈0.5 random walk, >0.5 trending.
 * NaN if fewer than window+1 bars. Each chunk's R/S is memoised across calls (rolling_memo.ts `meanRs`).
 */
export function hurst(bars: Bars, end: number, window = 128): number {
  if (end < window + 1) return NaN;
  const lr = logReturns(bars);
  const memo = chunkMemo(lr);
  let points = 0;
  for (let si = 0; si < RS_SIZES.length; si++) {
    if (RS_SIZES[si] > window) break;
    const mean = meanRs(memo, lr, end - window, window, si);
    if (mean !== NO_RS) {
      fitX[points] = LOG_SIZES[si];
      fitY[points] = Math.log(mean);
      points++;
    }
  }
  if (points < 2) return NaN;
  let mx = 0, my = 0;
  for (let i = 0; i < points; i++) mx += fitX[i];
  for (let i = 0; i < points; i++) my += fitY[i];
  mx /= points;
  my /= points;
  let num = 0, den = 0;
  for (let i = 0; i < points; i++) {
    num += (fitX[i] - mx) * (fitY[i] - my);
    den += (fitX[i] - mx) ** 2;
  }
  return den > 0 ? num / den : NaN;
}

const LOG_SIZES = RS_SIZES.map((size) => Math.log(size));
const fitX = new Float64Array(RS_SIZES.length);
const fitY = new Float64Array(RS_SIZES.length);

/**
 * Annualised realized volatility: stdev of 1h log returns over the last `hours` bars × √(24·365). NaN if
 * fewer than hours/2 returns.
 */
export function realizedVol(bars: Bars, end: number, hours = 168): number {
  const start = Math.max(1, end - hours);
  const n = end - start;
  if (n < hours / 2) return NaN;
  let sum = 0, sq = 0;
  const lr = logReturns(bars);
  for (let i = start; i < end; i++) {
    const v = lr[i];
    sum += v;
    sq += v * v;
  }
  const mean = sum / n;
  const variance = Math.max(0, sq / n - mean * mean) * (n / Math.max(1, n - 1));
  return Math.sqrt(variance) * Math.sqrt(24 * 365);
}

/** USD (quote) notional volume of the bars opened in the last `hours` before the last usable bar's close. */
export function notionalVolume(bars: Bars, end: number, hours: number): number {
  if (end < 1) return 0;
  const from = bars.ts[end - 1] - (hours - 1) * HOUR;
  let sum = 0;
  for (let i = end - 1; i >= 0 && bars.ts[i] >= from; i--) sum += bars.close[i] * bars.volume[i];
  return sum;
}

/** Number of bars opened in the last `hours` hours up to the last usable bar (a coverage measure). */
export function barsInWindow(bars: Bars, end: number, hours: number): number {
  if (end < 1) return 0;
  const from = bars.ts[end - 1] - (hours - 1) * HOUR;
  let n = 0;
  for (let i = end - 1; i >= 0 && bars.ts[i] >= from; i--) n++;
  return n;
}
