import { type Bars, closedCount, HOUR } from "../factors/bars.ts";
import { realizedVol, sampleCloses } from "../factors/indicators.ts";
import { pctReturn } from "../factors/returns.ts";
import type { RegimeInputs } from "./types.ts";

const DAY = 24 * HOUR;
/** The last 20 daily closes of one symbol (reused). */
const daily = new Float64Array(20);

/**
 * The detector's inputs at a 4h boundary `at`, over the universe's bars, using only bars CLOSED by `at`
 * (ts + 1h ≤ at). Symbols without enough history for an input are left out of that input; an input with no
 * symbol at all is NaN.
 */
export function regimeInputs(universe: Bars[], at: number): RegimeInputs {
  const vols: number[] = [];
  let above = 0, maCount = 0;
  let adv = 0, dec = 0;
  for (const bars of universe) {
    const end = closedCount(bars.ts, at);
    if (end === 0) continue;
    // Stale symbols (last bar > 24h before the boundary) say nothing about the market now.
    if (at - (bars.ts[end - 1] + HOUR) > DAY) continue;
    const v = realizedVol(bars, end, 168);
    if (Number.isFinite(v)) vols.push(v);
    if (sampleCloses(daily, bars, end, at, DAY, 20) === 20) {
      let sum = 0;
      for (let i = 0; i < 20; i++) sum += daily[i];
      const ma = sum / 20;
      maCount++;
      if (daily[19] > ma) above++;
    }
    const r = pctReturn(bars, end, 24);
    if (r > 0) adv++;
    else if (r < 0) dec++;
  }
  return {
    realized_vol_7d: median(vols),
    pct_above_20ma: maCount > 0 ? above / maCount : NaN,
    breadth_thrust: adv + dec > 0 ? adv / (adv + dec) : NaN,
  };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
