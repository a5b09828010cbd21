import { nanStd, totalReturn } from "./series.ts";

/**
 * Annual return, CAGR (empyrical annual_return): (Π(1 + rᵢ))^(P / n) − 1 with n = number of periods
 * (NaN periods counted in n, as a 0 return), P = periods per year. NaN when empty.
 */
export function annualReturn(returns: ArrayLike<number>, periodsPerYear = 365): number {
  if (returns.length === 0) return NaN;
  const years = returns.length / periodsPerYear;
  return (1 + totalReturn(returns)) ** (1 / years) - 1;
}

/** Annual volatility (empyrical annual_volatility): std(r, ddof=1) · √P, NaN skipped; NaN below 2 periods. */
export function annualVolatility(returns: ArrayLike<number>, periodsPerYear = 365): number {
  if (returns.length < 2) return NaN;
  return nanStd(returns, 1) * Math.sqrt(periodsPerYear);
}
