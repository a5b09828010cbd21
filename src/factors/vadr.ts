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
  if (shortN < minBars || shortV <= 0 || v <= 0) return { value: null, bars: shortN };
  const den = wr / v;
  if (!(den > 0)) return { value: null, bars: shortN };
  return { value: shortWr / shortV / den, bars: shortN };
}
