/** The regime is re-evaluated only at these UTC boundaries: 00:00, 04:00, 08:00, … (cron "0 every-4h"). */
export const REGIME_STEP_MS = 4 * 3_600_000;

/** The latest 4h UTC boundary at or before `t` (epoch ms): the regime in force at `t` was decided then. */
export function regimeBoundary(t: number): number {
  return Math.floor(t / REGIME_STEP_MS) * REGIME_STEP_MS;
}
