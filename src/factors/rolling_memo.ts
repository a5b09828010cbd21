import type { Bars } from "./bars.ts";

/**
 * Work a rolling scan reuses across steps, per series. A rolling backtest calls the scanner at every 4h step
 * over the same bars; the indicators restart their smoothing at a fixed distance before each `end` (what keeps
 * them point in time and byte-identical), so what can be carried from one step to the next is the per-bar and
 * per-chunk work that does not depend on `end`:
 *
 * - `barMoves`: true range, +DM and −DM of each bar (ADX, ATR);
 * - `meanRs`: the rescaled range of each fixed chunk of 1h log returns (Hurst).
 *
 * Each value is a pure function of a few bars strictly before the `end` that asks for it (bar i reads bars
 * i−1 and i; a chunk [a, a+size) reads returns < a+size ≤ end), computed with the same expression as the
 * from-scratch code, so a memoised value is bit for bit the value a fresh computation gives, whatever order
 * the scans run in (tests/factors/rolling_memo_test.ts). Memos live in small rings of the most recent
 * positions (a few KB per series), keyed by the bars' arrays, which must not be modified once built (as for
 * `logReturns`).
 */

/** Ring size: ≥ the longest window read (ADX: 140 bars) plus several steps. A power of two. */
export const MEMO_RING = 256;
const MASK = MEMO_RING - 1;

/**
 * Per-bar moves of bars [lo, hi): bar i's true range, +DM and −DM at moves[3k], moves[3k+1], moves[3k+2] with
 * k = i & (MEMO_RING − 1) (side by side: one cache line holds all three for a bar and its neighbours).
 */
export interface BarMoves {
  high: Float64Array;
  low: Float64Array;
  lo: number;
  hi: number;
  moves: Float64Array;
}

const MOVES = new WeakMap<Float64Array, BarMoves>();

/**
 * True range, +DM and −DM of bars [start, end) (1 ≤ start, end − start ≤ MEMO_RING), reusing the bars an
 * earlier call already covered. Bar i: TR = max(H−L, |H − C₋₁|, |L − C₋₁|); up = H − H₋₁, down = L₋₁ − L;
 * +DM = up if up > down and up > 0, else 0; −DM likewise.
 */
export function barMoves(bars: Bars, start: number, end: number): BarMoves {
  if (start < 1 || end - start > MEMO_RING) {
    throw new RangeError(`barMoves: window [${start}, ${end}) outside 1 ≤ start, length ≤ ${MEMO_RING}`);
  }
  let m = MOVES.get(bars.close);
  if (m === undefined || m.high !== bars.high || m.low !== bars.low) {
    m = { high: bars.high, low: bars.low, lo: start, hi: start, moves: new Float64Array(3 * MEMO_RING) };
    MOVES.set(bars.close, m);
  }
  if (start < m.lo || start > m.hi) m.lo = m.hi = start;
  if (end > m.hi) {
    const { high, low, close } = bars;
    const v = m.moves;
    for (let i = m.hi; i < end; i++) {
      const k = 3 * (i & MASK);
      v[k] = Math.max(
        high[i] - low[i],
        Math.abs(high[i] - close[i - 1]),
        Math.abs(low[i] - close[i - 1]),
      );
      const up = high[i] - high[i - 1];
      const down = low[i - 1] - low[i];
      v[k + 1] = up > down && up > 0 ? up : 0;
      v[k + 2] = down > up && down > 0 ? down : 0;
    }
    m.hi = end;
    if (m.hi - m.lo > MEMO_RING) m.lo = m.hi - MEMO_RING;
  }
  return m;
}

/** Chunk sizes of the Hurst R/S fit (powers of two). */
export const RS_SIZES = [8, 16, 32, 64] as const;
const LOG2_SIZES = [3, 4, 5, 6];
/**
 * Chunks remembered per (size, lattice): the chunks of a 128-return window plus two; a power of two. A lattice
 * is a chunk start's remainder mod the size: windows 4 bars apart tile with chunks on different lattices, and
 * each lattice keeps its chunks side by side in memory, in order, so a scan reads a few cache lines.
 */
const RING_CHUNKS = [32, 16, 8, 4];
/** Where each size's lattices start in the memo array (in (tag, value) pairs). */
const SIZE_BASE: number[] = [];
let memoPairs = 0;
for (let si = 0; si < RS_SIZES.length; si++) {
  SIZE_BASE.push(memoPairs);
  memoPairs += RS_SIZES[si] * RING_CHUNKS[si];
}

/**
 * Rescaled ranges of chunks of 1h log returns: for chunk [a, a+size) of size RS_SIZES[si], the pair at
 * 2·(SIZE_BASE[si] + (a mod size)·RING_CHUNKS[si] + (⌊a / size⌋ mod RING_CHUNKS[si])) holds a+1 (0: empty)
 * and the value.
 */
export type ChunkMemo = Float64Array;
const CHUNKS = new WeakMap<Float64Array, ChunkMemo>();

/** `rescaledRange` of a chunk with zero (or undefined) deviation, which counts for nothing; `meanRs` of no chunk. */
export const NO_RS = -1;

/** The chunk memo of the log returns `lr` (`logReturns(bars)`); look it up once per scan of a series. */
export function chunkMemo(lr: Float64Array): ChunkMemo {
  let c = CHUNKS.get(lr);
  if (c === undefined) {
    c = new Float64Array(2 * memoPairs);
    CHUNKS.set(lr, c);
  }
  return c;
}

/**
 * Mean rescaled range over the chunks of size RS_SIZES[si] that tile lr[first, first+window) from its start
 * (a last partial chunk is left out), skipping chunks whose deviation is not > 0; NO_RS when none is left.
 * Each chunk's value is `rescaledRange`, memoised in `memo` (which must be `chunkMemo(lr)`); the sum runs in
 * chunk order, as a from-scratch loop would.
 */
export function meanRs(memo: ChunkMemo, lr: Float64Array, first: number, window: number, si: number): number {
  const size = RS_SIZES[si];
  const ring = RING_CHUNKS[si];
  const base = SIZE_BASE[si] + (first & (size - 1)) * ring;
  let q = first >> LOG2_SIZES[si];
  let sum = 0;
  let chunks = 0;
  for (let s = 0; s + size <= window; s += size, q++) {
    const a = first + s;
    const k = 2 * (base + (q & (ring - 1)));
    let v: number;
    if (memo[k] === a + 1) {
      v = memo[k + 1];
    } else {
      v = rescaledRange(lr, a, size);
      memo[k] = a + 1;
      memo[k + 1] = v;
    }
    if (v !== NO_RS) {
      sum += v;
      chunks++;
    }
  }
  return chunks > 0 ? sum / chunks : NO_RS;
}

/**
 * The rescaled range of r[a, a+size): (max − min of the cumulative deviations from the chunk mean) ÷ their
 * standard deviation; NO_RS when the deviation is not > 0 (a rescaled range is never negative, so NO_RS cannot
 * collide with a value).
 */
export function rescaledRange(r: Float64Array, a: number, size: number): number {
  let mean = 0;
  for (let i = a; i < a + size; i++) mean += r[i];
  mean /= size;
  let cum = 0, max = -Infinity, min = Infinity, sq = 0;
  for (let i = a; i < a + size; i++) {
    const d = r[i] - mean;
    cum += d;
    sq += d * d;
    if (cum > max) max = cum;
    if (cum < min) min = cum;
  }
  const sd = Math.sqrt(sq / size);
  return sd > 0 ? (max - min) / sd : NO_RS;
}

/** A sorted copy of values[lo, hi) (a multiset: equal values kept). */
interface SortedWindow {
  lo: number;
  hi: number;
  sorted: Float64Array;
}
const WINDOWS = new WeakMap<Float64Array, SortedWindow>();

/**
 * The k-th smallest (0-based) of values[start, stop) (stop − start ≤ MEMO_RING, finite values). A sorted copy
 * of the last window asked for is kept per array and moved to the new window by removing the values that
 * left and inserting the ones that entered (a 4h step moves a 168-bar window by 4 bars: 8 binary searches and
 * short moves instead of a selection over all of it); a window far from the last one is sorted afresh. The
 * k-th smallest of a multiset does not depend on how it is found, so the value is the same as a selection's
 * (only −0 and +0, which compare equal, may come out as the other one; volumes are ≥ 0 and the p80 only feeds
 * a ≥ comparison).
 */
export function kthOfWindow(values: Float64Array, start: number, stop: number, k: number): number {
  const n = stop - start;
  if (n < 1 || n > MEMO_RING || k < 0 || k >= n) {
    throw new RangeError(`kthOfWindow: k ${k} of window [${start}, ${stop}) (length 1..${MEMO_RING})`);
  }
  let w = WINDOWS.get(values);
  if (w === undefined) {
    w = { lo: 0, hi: 0, sorted: new Float64Array(MEMO_RING) };
    WINDOWS.set(values, w);
  }
  const moved = Math.abs(start - w.lo) + Math.abs(stop - w.hi);
  if (w.hi === w.lo || start >= w.hi || stop <= w.lo || moved > n >> 2) {
    w.sorted.set(values.subarray(start, stop));
    w.sorted.subarray(0, n).sort();
  } else {
    let len = w.hi - w.lo;
    const s = w.sorted;
    for (let i = w.lo; i < start; i++) len = removeSorted(s, len, values[i]);
    for (let i = stop; i < w.hi; i++) len = removeSorted(s, len, values[i]);
    for (let i = start; i < w.lo; i++) len = insertSorted(s, len, values[i]);
    for (let i = w.hi; i < stop; i++) len = insertSorted(s, len, values[i]);
  }
  w.lo = start;
  w.hi = stop;
  return w.sorted[k];
}

/**
 * First index in s[0, len) whose value is ≥ v; for NaN, the first NaN — where `Float64Array#sort` puts them,
 * after every number — so a window with missing volumes moves to the same sorted state as a fresh sort.
 */
function lowerBound(s: Float64Array, len: number, v: number): number {
  let lo = 0;
  let hi = len;
  if (v !== v) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] === s[mid]) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function removeSorted(s: Float64Array, len: number, v: number): number {
  for (let j = lowerBound(s, len, v) + 1; j < len; j++) s[j - 1] = s[j];
  return len - 1;
}

function insertSorted(s: Float64Array, len: number, v: number): number {
  const i = lowerBound(s, len, v);
  for (let j = len; j > i; j--) s[j] = s[j - 1];
  s[i] = v;
  return len + 1;
}
