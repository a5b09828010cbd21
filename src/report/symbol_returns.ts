import { type Bars, closedCount } from "../factors/bars.ts";

/**
 * Daily close-to-close returns of one symbol on the given day starts: close(last bar closed by d + 1 day) /
 * close(last bar closed by d) − 1; NaN when either is missing or unchanged bars (no bar closed in the day).
 * PIT: only bars closed by each day's end are read.
 */
export function dailyCloseReturns(b: Bars, days: number[]): number[] {
  const DAY = 86_400_000;
  return days.map((d) => {
    const n1 = closedCount(b.ts, d + DAY);
    const n0 = closedCount(b.ts, d);
    if (n0 === 0 || n1 === n0) return NaN;
    return b.close[n1 - 1] / b.close[n0 - 1] - 1;
  });
}
