import { failed, type GateResult, num, passed } from "./types.ts";

export interface LateFillInput {
  /** Seconds between the signal bar's close and the decision (as-of) time. */
  delayS: number;
  /** Order stage p99 latency (ms), when known. */
  orderP99Ms?: number;
  /** Whether this asset already used its grace in the last 30 min. */
  graceUsed?: boolean;
}

/**
 * Guard: blocked when the decision comes > maxS after the signal bar's close; +graceS once per asset per
 * 30 min when the order stage's p99 latency is above p99Ms. Bounds inclusive.
 */
export function lateFillGate(
  inp: LateFillInput,
  maxS: number,
  graceS: number,
  p99Ms: number,
): GateResult {
  const grace = inp.orderP99Ms !== undefined && inp.orderP99Ms > p99Ms && !inp.graceUsed ? graceS : 0;
  const limit = maxS + grace;
  const g = grace > 0 ? ` (incl. ${graceS}s grace: order p99 ${num(inp.orderP99Ms!, 0)}ms > ${p99Ms}ms)` : "";
  if (inp.delayS <= limit) {
    return passed("late_fill", inp.delayS, limit, `${num(inp.delayS, 1)}s after bar close ≤ ${limit}s${g}`);
  }
  return failed("late_fill", inp.delayS, limit, `${num(inp.delayS, 1)}s after bar close > ${limit}s${g}`);
}
