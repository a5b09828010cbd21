import { type Bars, HOUR } from "../factors/bars.ts";
import { kthOfWindow, MEMO_RING } from "../factors/rolling_memo.ts";

/**
 * Premove gates A/B/C (DOMAIN.md §3, docs/PREMOVE.md of the original; 2-of-3 with weights 40/35/25). Pure.
 * A gate whose input is missing is `null` (unknown) — never true.
 */
export interface PremoveInputs {
  /** Funding z-score (PIT: shifted one period); undefined on spot-only venues. */
  fundingZ?: number;
  /** Last close and 24h VWAP. */
  spot: number;
  vwap24h: number;
  /** 7d exchange reserve change (fraction, −0.05 = −5%); undefined without on-chain data. */
  reserves7d?: number;
  /** Whale accumulation signals (each true/false); undefined without on-chain data. */
  whale?: [boolean, boolean, boolean];
  /** Volume of the confirmation bar and the 80th percentile of the reference bars' volumes. */
  confirmVolume: number;
  confirmP80: number;
}

/** A: funding_z < −1.5 and spot > VWAP24h (shorts paying into strength). */
export function gateA(inp: PremoveInputs): boolean | null {
  if (inp.fundingZ === undefined || !Number.isFinite(inp.fundingZ) || !Number.isFinite(inp.vwap24h)) {
    return null;
  }
  return inp.fundingZ < -1.5 && inp.spot > inp.vwap24h;
}

/** B: 7d reserves ≤ −5% or whale accumulation on 2 of 3 signals. */
export function gateB(inp: PremoveInputs): boolean | null {
  const hasR = inp.reserves7d !== undefined && Number.isFinite(inp.reserves7d);
  const hasW = inp.whale !== undefined;
  if (!hasR && !hasW) return null;
  const r = hasR && inp.reserves7d! <= -0.05;
  const w = hasW && inp.whale!.filter(Boolean).length >= 2;
  return r || w;
}

/**
 * C: volume confirmation — the confirmation bar's volume ≥ p80 of the reference volumes. The original uses the
 * first 15m bar; CryptoRun's cold tier holds hourly bars, so the last closed 1h bar is compared with the
 * previous 7 days of 1h bars (docs/SCORING.md § Premove).
 */
export function gateC(inp: PremoveInputs): boolean | null {
  if (!Number.isFinite(inp.confirmVolume) || !Number.isFinite(inp.confirmP80)) return null;
  return inp.confirmVolume >= inp.confirmP80;
}

/** 24h VWAP of typical price (H+L+C)/3 over bars opened in the last 24h before the last usable bar. */
export function vwap24h(bars: Bars, end: number): number {
  if (end < 1) return NaN;
  const from = bars.ts[end - 1] - 23 * HOUR;
  let pv = 0, v = 0;
  for (let i = end - 1; i >= 0 && bars.ts[i] >= from; i--) {
    pv += ((bars.high[i] + bars.low[i] + bars.close[i]) / 3) * bars.volume[i];
    v += bars.volume[i];
  }
  return v > 0 ? pv / v : NaN;
}

/** p80 of the volumes of the 168 bars before the last usable bar; NaN with fewer than 24 of them. */
export function volumeP80(bars: Bars, end: number): number {
  if (end < 2) return NaN;
  const ts = bars.ts;
  const from = ts[end - 1] - 168 * HOUR;
  // The first bar opened at or after `from`: bars are ≥ 1h apart, so it is at most 168 bars back; search there
  // and walk on if the bound does not hold (bars closer than 1h).
  let lo = Math.max(0, end - 1 - 168);
  let hi = end - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] >= from) hi = mid;
    else lo = mid + 1;
  }
  let start = lo;
  while (start > 0 && ts[start - 1] >= from) start--;
  const n = end - 1 - start;
  if (n < 24) return NaN;
  const k = Math.min(n - 1, Math.ceil(0.8 * n) - 1);
  // A rolling scan moves this window a few bars per step: keep it sorted across calls (rolling_memo.ts).
  if (n <= MEMO_RING) return kthOfWindow(bars.volume, start, end - 1, k);
  if (selectScratch.length < n) selectScratch = new Float64Array(n);
  selectScratch.set(bars.volume.subarray(start, end - 1));
  return kthOf(selectScratch, n, k);
}

/** For windows longer than the memo's ring (bars closer than 1h apart): one copy, reused. */
let selectScratch = new Float64Array(0);

/** The k-th smallest value (0-based) of `a`, by quickselect (reorders `a`; O(n) on average). */
export function kth(a: Float64Array, k: number): number {
  return kthOf(a, a.length, k);
}

/** The k-th smallest (0-based) of a[0, n), by quickselect (reorders that part of `a`; O(n) on average). */
export function kthOf(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
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
