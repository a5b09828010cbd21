import { annualReturn } from "./annual.ts";
import { maxDrawdown } from "./drawdown.ts";

/**
 * Calmar ratio (empyrical calmar_ratio): annualReturn / |maxDrawdown|; NaN when there is no drawdown (max
 * drawdown 0) or the ratio is infinite.
 */
export function calmar(returns: ArrayLike<number>, periodsPerYear = 365): number {
  const dd = maxDrawdown(returns);
  if (!(dd < 0)) return NaN;
  const c = annualReturn(returns, periodsPerYear) / Math.abs(dd);
  return Number.isFinite(c) ? c : NaN;
}
