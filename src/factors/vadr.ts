import { type Bars, HOUR } from "./bars.ts";

/**
 * VADR — volume-adjusted daily range, the ONE definition CryptoRun uses (DOMAIN.md §3 lists four; see
 * docs/SCORING.md § VADR for why this one): the volume-weighted mean relative range Σv·(H−L)/L ÷ Σv over the
 * last 24 hourly bars, divided by the same quantity over the last 96 bars (4× window). Dimensionless, ≈1 in
 * a steady market; "≥1.75×" means today's range, weighted by where the volume traded, is 1.75× the 4-day norm.
 *
 * Returns `{value: null, bars}` ("frozen") when the 24h window has fewer than `minBars` bars or either
 * window has no volume.
 */
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
