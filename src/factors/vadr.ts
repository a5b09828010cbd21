import { type Bars, HOUR } from "./bars.ts";
import { MEMO_RING } from "./rolling_memo.ts";

/**
 * VADR — volume-adjusted daily range, the ONE definition CryptoRun uses (DOMAIN.md §3 lists four; see
 * docs/SCORING.md § VADR for why this one): the volume-weighted mean relative range Σv·(H−L)/L ÷ Σv over the
 * last 24 hourly bars, divided by the same quantity over the last 96 bars (4× window). Dimensionless, ≈1 in
 * a steady market; "≥1.75×" means today's range, weighted by where the volume traded, is 1.75× the 4-day norm.
 *
 * Returns `{value: null, bars}` ("frozen") when the 24h window has fewer than `minBars` bars or either
 * window has no volume.
 *
 * Memoised per series (a ring of the last MEMO_RING ends, keyed by the bars' arrays, which must not be
 * modified once built — as for rolling_memo.ts): the scan asks for the VADR at `end` and at the 24 ends before
 * it (the stability p80), and a rolling scan's next step asks again for 20 of those 25. A memoised value is
 * the from-scratch value (`vadrParts` runs either way), so results are bit for bit those of a fresh call
 * (tests/factors/rolling_memo_test.ts).
 */
export function vadr(bars: Bars, end: number, minBars = 20): { value: number | null; bars: number } {
  if (end < 1) return { value: null, bars: 0 };
  const m = memoFor(bars);
  if (m.tag[end & MASK] !== end + 1) fill(bars, end, m);
  const n = m.n[end & MASK];
  return { value: n < minBars || m.ok[end & MASK] === 0 ? null : m.value[end & MASK], bars: n };
}

/**
 * VADR stability floor (DOMAIN.md §3, MS/vadr.go): the 80th percentile (linear interpolation between order
 * statistics) of the VADR values at the `history` ends before `end` (end−1 … end−history, those ≥ 1), null
 * values left out; null when fewer than `minBars` ends were looked at or none had a value. No allocation.
 */
export function vadrStability(bars: Bars, end: number, minBars = 20, history = 24): number | null {
  if (history > MEMO_RING - 1) throw new RangeError(`vadrStability: history ${history} > ${MEMO_RING - 1}`);
  let looked = 0;
  let len = 0;
  const s = scratch.length >= history ? scratch : (scratch = new Float64Array(history));
  const m = memoFor(bars);
  for (let k = 1; k <= history && end - k >= 1; k++) {
    looked++;
    const e = end - k;
    const slot = e & MASK;
    if (m.tag[slot] !== e + 1) fill(bars, e, m);
    if (m.n[slot] < minBars || m.ok[slot] === 0) continue;
    const v = m.value[slot];
    if (!Number.isFinite(v)) continue;
    // Insertion sort: 24 values, ascending.
    let j = len++;
    while (j > 0 && s[j - 1] > v) {
      s[j] = s[j - 1];
      j--;
    }
    s[j] = v;
  }
  if (looked < minBars || len === 0) return null;
  const h = (len - 1) * 0.8;
  const lo = Math.floor(h);
  return s[lo] + (h - lo) * (s[Math.min(lo + 1, len - 1)] - s[lo]);
}
let scratch = new Float64Array(24);

const MASK = MEMO_RING - 1;

/** One series' VADR memo: per slot (end & MASK) the 24h bar count `n`, `ok` (0: no value whatever minBars), the value. */
interface VadrMemo {
  ts: Float64Array;
  high: Float64Array;
  low: Float64Array;
  /** end + 1 of the entry held at end & MASK (0: empty). */
  tag: Float64Array;
  n: Int32Array;
  ok: Uint8Array;
  value: Float64Array;
}
const MEMOS = new WeakMap<Float64Array, VadrMemo>();

/** The memo of this series (created empty on first use). */
function memoFor(bars: Bars): VadrMemo {
  let m = MEMOS.get(bars.volume);
  if (m === undefined || m.ts !== bars.ts || m.high !== bars.high || m.low !== bars.low) {
    m = {
      ts: bars.ts,
      high: bars.high,
      low: bars.low,
      tag: new Float64Array(MEMO_RING),
      n: new Int32Array(MEMO_RING),
      ok: new Uint8Array(MEMO_RING),
      value: new Float64Array(MEMO_RING),
    };
    MEMOS.set(bars.volume, m);
  }
  return m;
}

/** Computes the VADR at `end` (≥ 1) into its slot. */
function fill(bars: Bars, end: number, m: VadrMemo): void {
  vadrParts(bars, end, m, end & MASK);
  m.tag[end & MASK] = end + 1;
}

/** The from-scratch VADR at `end` (≥ 1) into slot k of `m`. */
function vadrParts(bars: Bars, end: number, m: VadrMemo, k: number): void {
  const last = bars.ts[end - 1];
  // One pass back over the 96h window; the 24h window is its first part, summed in the same order, so its
  // sums are the long window's sums when the walk leaves the last 24h.
  const from24 = last - 23 * HOUR;
  const from96 = last - 95 * HOUR;
  let n = 0, v = 0, wr = 0;
  let shortN = -1, shortV = 0, shortWr = 0;
  for (let i = end - 1; i >= 0; i--) {
    const t = bars.ts[i];
    if (t < from24 && shortN < 0) {
      shortN = n;
      shortV = v;
      shortWr = wr;
    }
    if (t < from96) break;
    n++;
    const vol = bars.volume[i];
    const low = bars.low[i];
    if (low > 0 && vol > 0) {
      v += vol;
      wr += (vol * (bars.high[i] - low)) / low;
    }
  }
  if (shortN < 0) {
    shortN = n;
    shortV = v;
    shortWr = wr;
  }
  m.n[k] = shortN;
  const den = v > 0 ? wr / v : NaN;
  const ok = shortV > 0 && v > 0 && den > 0;
  m.ok[k] = ok ? 1 : 0;
  m.value[k] = ok ? shortWr / shortV / den : 0;
}
