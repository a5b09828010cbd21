import { nanMean } from "./series.ts";

/**
 * Annualised downside risk (empyrical downside_risk): √(mean(min(r − req, 0)²)) · √P over non-NaN periods
 * (population mean of squared shortfalls, not ddof=1). NaN when empty.
 */
export function downsideRisk(returns: ArrayLike<number>, periodsPerYear = 365, required = 0): number {
  if (returns.length === 0) return NaN;
  const sq = Array.from(returns, (r) => Number.isNaN(r) ? NaN : Math.min(r - required, 0) ** 2);
  return Math.sqrt(nanMean(sq)) * Math.sqrt(periodsPerYear);
}

/**
 * Sortino ratio (empyrical sortino_ratio): mean(r − req) · P / downsideRisk(r, P, req), NaN periods skipped.
 * +Infinity when no period falls below `required` (as empyrical); NaN with fewer than 2 periods.
 */
export function sortino(returns: ArrayLike<number>, periodsPerYear = 365, required = 0): number {
  if (returns.length < 2) return NaN;
  const annual = nanMean(Array.from(returns, (r) => r - required)) * periodsPerYear;
  const dr = downsideRisk(returns, periodsPerYear, required);
  return dr === 0 ? (annual > 0 ? Infinity : annual < 0 ? -Infinity : NaN) : annual / dr;
}
