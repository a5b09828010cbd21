import { nanMean, nanStd } from "./series.ts";

/**
 * Sharpe ratio (empyrical sharpe_ratio): mean(r − rf) / std(r − rf, ddof=1) · √P, NaN periods skipped,
 * P = periods per year (365 for daily crypto returns). NaN with fewer than 2 periods.
 */
export function sharpe(returns: ArrayLike<number>, periodsPerYear = 365, riskFree = 0): number {
  if (returns.length < 2) return NaN;
  const adj = Array.from(returns, (r) => r - riskFree);
  return (nanMean(adj) / nanStd(adj, 1)) * Math.sqrt(periodsPerYear);
}
