/**
 * The scanner's indicators as they were before issue #21's speed-ups (commit 7a0437c), copied verbatim: the
 * from-scratch reference the memoised and allocation-free versions must equal bit for bit
 * (tests/factors/rolling_memo_test.ts, tests/gates/num_test.ts). Test-only; never imported by src/.
 */
import { type Bars, HOUR, lastIndexAtOrBefore } from "../../src/factors/bars.ts";
import { logReturns, rsi } from "../../src/factors/indicators.ts";
import {
  type CompositeResult,
  FACTOR_ORDER,
  type FactorName,
  type FactorWeights,
  POINT_SCALES,
  toPoints,
} from "../../src/factors/composite.ts";
import { socialPoints } from "../../src/factors/social.ts";

/** Warm-up multiplier for Wilder-smoothed indicators: 5×n bars before the value. */
const WARMUP = 5;

export function closedCount(ts: Float64Array, asOf: number): number {
  let lo = 0;
  let hi = ts.length;
  const limit = asOf - HOUR;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function trueRange(bars: Bars, i: number): number {
  return Math.max(
    bars.high[i] - bars.low[i],
    Math.abs(bars.high[i] - bars.close[i - 1]),
    Math.abs(bars.low[i] - bars.close[i - 1]),
  );
}

export function atr(bars: Bars, end: number, n = 14): number {
  if (end < n + 1) return NaN;
  const start = Math.max(1, end - WARMUP * n);
  let value = NaN;
  let sum = 0;
  let count = 0;
  for (let i = start; i < end; i++) {
    const tr = trueRange(bars, i);
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

export function sampledCloses(
  bars: Bars,
  end: number,
  anchor: number,
  stepMs: number,
  count: number,
): number[] {
  // Boundaries descend, so the index only moves left: short steps walk back bar by bar, long steps (daily)
  // binary-search within what is left.
  // For gap-free hourly bars the next index is exactly `stepBars` further left: jump there, then correct by
  // walking (gaps) — the result is the same as a search, in ~2 comparisons per boundary.
  const rev: number[] = [];
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
    if (j < 0) break;
    rev.push(bars.close[j]);
  }
  return rev.reverse();
}

export function rsi4h(bars: Bars, end: number, asOf: number, n = 14): number {
  const step = 4 * HOUR;
  const anchor = Math.floor(asOf / step) * step;
  return rsi(sampledCloses(bars, end, anchor, step, WARMUP * n + 1), n);
}

export function adx(bars: Bars, end: number, n = 14): number {
  if (end < 2 * n + 1) return NaN;
  const start = Math.max(1, end - WARMUP * 2 * n);
  let trS = 0, pS = 0, mS = 0;
  let count = 0;
  let dxSum = 0;
  let dxCount = 0;
  let adxValue = NaN;
  for (let i = start; i < end; i++) {
    const up = bars.high[i] - bars.high[i - 1];
    const down = bars.low[i - 1] - bars.low[i];
    const pdm = up > down && up > 0 ? up : 0;
    const mdm = down > up && down > 0 ? down : 0;
    const tr = trueRange(bars, i);
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

export function hurst(bars: Bars, end: number, window = 128): number {
  if (end < window + 1) return NaN;
  const r = logReturns(bars).subarray(end - window, end);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const size of [8, 16, 32, 64]) {
    if (size > window) break;
    let rsSum = 0;
    let chunks = 0;
    for (let s = 0; s + size <= window; s += size) {
      let mean = 0;
      for (let i = s; i < s + size; i++) mean += r[i];
      mean /= size;
      let cum = 0, max = -Infinity, min = Infinity, sq = 0;
      for (let i = s; i < s + size; i++) {
        const d = r[i] - mean;
        cum += d;
        sq += d * d;
        if (cum > max) max = cum;
        if (cum < min) min = cum;
      }
      const sd = Math.sqrt(sq / size);
      if (sd > 0) {
        rsSum += (max - min) / sd;
        chunks++;
      }
    }
    if (chunks > 0) {
      xs.push(Math.log(size));
      ys.push(Math.log(rsSum / chunks));
    }
  }
  if (xs.length < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0, den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den > 0 ? num / den : NaN;
}

export function volumeP80(bars: Bars, end: number): number {
  if (end < 2) return NaN;
  const from = bars.ts[end - 1] - 168 * HOUR;
  let start = end - 1;
  while (start > 0 && bars.ts[start - 1] >= from) start--;
  const n = end - 1 - start;
  if (n < 24) return NaN;
  return kth(bars.volume.slice(start, end - 1), Math.min(n - 1, Math.ceil(0.8 * n) - 1));
}

export function kth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

export function vadr(bars: Bars, end: number, minBars = 20): { value: number | null; bars: number } {
  if (end < 1) return { value: null, bars: 0 };
  const last = bars.ts[end - 1];
  const short = window(bars, end, last - 23 * HOUR);
  const long = window(bars, end, last - 95 * HOUR);
  if (short.n < minBars || short.v <= 0 || long.v <= 0) return { value: null, bars: short.n };
  const den = long.wr / long.v;
  if (!(den > 0)) return { value: null, bars: short.n };
  return { value: short.wr / short.v / den, bars: short.n };
}

function window(bars: Bars, end: number, from: number): { n: number; v: number; wr: number } {
  let n = 0, v = 0, wr = 0;
  for (let i = end - 1; i >= 0 && bars.ts[i] >= from; i--) {
    n++;
    const vol = bars.volume[i];
    const low = bars.low[i];
    if (low > 0 && vol > 0) {
      v += vol;
      wr += (vol * (bars.high[i] - low)) / low;
    }
  }
  return { n, v, wr };
}

export function technicalRaw(rsi4h: number, adx1h: number, hurst: number): number {
  const parts = [rsi4h / 100, adx1h / 100, hurst].filter(Number.isFinite);
  if (parts.length === 0) return 0;
  return parts.reduce((a, b) => a + b, 0) / parts.length - 0.5;
}

export function qualityRaw(
  barsIn7d: number,
  book?: { checksum_failed?: number; resyncs?: number },
): number {
  const parts = [Math.min(1, barsIn7d / 168) - 1];
  if (book) parts.push(-Math.min(1, ((book.checksum_failed ?? 0) + (book.resyncs ?? 0)) / 10));
  return parts.reduce((a, b) => a + b, 0) / parts.length;
}

export function num(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  // Enough decimals that a value just below a round threshold never prints as the threshold.
  if (a >= 1e9) return `${+(x / 1e9).toFixed(3)}B`;
  if (a >= 1e6) return `${+(x / 1e6).toFixed(3)}M`;
  if (a >= 1e4) return `${+(x / 1e3).toFixed(3)}k`;
  const k = 10 ** digits;
  const r = Math.round(x * k) / k;
  return `${r === 0 ? 0 : r}`;
}

export function composite(
  values: Record<FactorName, number>,
  weights: FactorWeights,
): CompositeResult {
  const points = {} as Record<FactorName, number>;
  const contributions = {} as Record<FactorName, number>;
  const steps: CompositeResult["steps"] = [];
  let running = 0;
  for (const f of FACTOR_ORDER) {
    if (f === "social") continue;
    points[f] = toPoints(values[f], POINT_SCALES[f]);
    contributions[f] = weights[f] * points[f];
    running += contributions[f];
    steps.push({ factor: f, score: running });
  }
  const internal = Math.min(100, Math.max(0, running));
  if (internal !== running) {
    // Keep attribution summing to the score: scale the weighted contributions to the clamped total.
    const k = running === 0 ? 0 : internal / running;
    for (const f of FACTOR_ORDER) if (f !== "social") contributions[f] *= k;
  }
  steps.push({ factor: "clamp", score: internal });
  points.social = socialPoints(values.social);
  // internal ∈ [0,100] and social ∈ [0,10], so the final clamp to [0,110] never cuts the social points.
  const score = Math.min(110, Math.max(0, internal + points.social));
  contributions.social = points.social;
  steps.push({ factor: "social", score });
  return { score, internal, contributions, points, steps };
}
