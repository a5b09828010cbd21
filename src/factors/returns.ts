import { type Bars, HOUR, lastIndexAtOrBefore } from "./bars.ts";

/**
 * Percent return over `hours` ending at the last usable bar (index end-1): close[end-1] vs the close of the
 * latest bar whose open is ≤ ts[end-1] − hours (by timestamp, so outage gaps do not stretch the horizon).
 * NaN when the history is too short.
 */
export function pctReturn(bars: Bars, end: number, hours: number): number {
  if (end < 1) return NaN;
  // Bars are ≥ 1h apart, so the reference is at index ≥ end−1−hours: search only that tail.
  const j = lastIndexAtOrBefore(bars.ts, end, bars.ts[end - 1] - hours * HOUR, Math.max(0, end - 1 - hours));
  if (j < 0) return NaN;
  // A reference bar far older than the horizon (a long gap) would misstate the return.
  if (bars.ts[end - 1] - bars.ts[j] > 2 * hours * HOUR) return NaN;
  const ref = bars.close[j];
  return ref > 0 ? (bars.close[end - 1] / ref - 1) * 100 : NaN;
}

/** The five MomentumCore horizons (hours). */
export const MOMENTUM_HORIZONS = [1, 4, 12, 24, 168] as const;
export type HorizonReturns = [number, number, number, number, number];

export function horizonReturns(bars: Bars, end: number): HorizonReturns {
  return [
    pctReturn(bars, end, MOMENTUM_HORIZONS[0]),
    pctReturn(bars, end, MOMENTUM_HORIZONS[1]),
    pctReturn(bars, end, MOMENTUM_HORIZONS[2]),
    pctReturn(bars, end, MOMENTUM_HORIZONS[3]),
    pctReturn(bars, end, MOMENTUM_HORIZONS[4]),
  ];
}

/**
 * 4h acceleration (percentage points): the latest 4h return minus the 4h return one 4h step earlier. "Fresh"
 * because it uses only the last 8 bars.
 */
export function accel4h(bars: Bars, end: number): number {
  if (end < 1) return NaN;
  const now = pctReturn(bars, end, 4);
  const j = lastIndexAtOrBefore(bars.ts, end, bars.ts[end - 1] - 4 * HOUR, Math.max(0, end - 5));
  if (j < 0) return NaN;
  const prev = pctReturn(bars, j + 1, 4);
  return now - prev;
}
