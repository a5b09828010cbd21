import { annualReturn, annualVolatility } from "./annual.ts";
import { calmar } from "./calmar.ts";
import { maxDrawdown } from "./drawdown.ts";
import {
  averageHoldMs,
  exposure,
  exposureWeightedReturn,
  type TradeSpan,
  turnoverPerYear,
} from "./exposure.ts";
import { totalReturn } from "./series.ts";
import { sharpe } from "./sharpe.ts";
import { sortino } from "./sortino.ts";
import { expectancy, hitRate, profitFactor } from "./trades.ts";

export interface SeriesMetrics {
  periods: number;
  missing_periods: number;
  periods_per_year: number;
  risk_free: number;
  total_return: number;
  annual_return: number;
  annual_volatility: number;
  sharpe: number;
  sortino: number;
  max_drawdown: number;
  calmar: number;
}

/** The return-series metrics of one series (empyrical conventions; see each function's formula). */
export function seriesMetrics(
  returns: ArrayLike<number>,
  periodsPerYear = 365,
  riskFree = 0,
): SeriesMetrics {
  let missing = 0;
  for (let i = 0; i < returns.length; i++) if (Number.isNaN(returns[i])) missing++;
  return {
    periods: returns.length,
    missing_periods: missing,
    periods_per_year: periodsPerYear,
    risk_free: riskFree,
    total_return: totalReturn(returns),
    annual_return: annualReturn(returns, periodsPerYear),
    annual_volatility: annualVolatility(returns, periodsPerYear),
    sharpe: sharpe(returns, periodsPerYear, riskFree),
    sortino: sortino(returns, periodsPerYear, riskFree),
    max_drawdown: maxDrawdown(returns),
    calmar: calmar(returns, periodsPerYear),
  };
}

export interface TradeMetrics {
  trades: number;
  hit_rate: number;
  profit_factor: number;
  expectancy: number;
  expectancy_ratio: number;
}

/** Per-trade metrics of a list of trade profits (hit rate, profit factor, freqtrade expectancy). */
export function tradeMetrics(profits: readonly number[]): TradeMetrics {
  const e = expectancy(profits);
  return {
    trades: profits.length,
    hit_rate: hitRate(profits),
    profit_factor: profitFactor(profits),
    expectancy: e.expectancy,
    expectancy_ratio: e.ratio,
  };
}

export interface ExposureMetrics {
  exposure: number;
  exposure_weighted_return: number;
  average_hold_hours: number;
  turnover: number;
}

/** Time-in-market metrics of trades over [from, to). */
export function exposureMetrics(
  trades: readonly TradeSpan[],
  from: number,
  to: number,
  capital = 1,
): ExposureMetrics {
  return {
    exposure: exposure(trades, from, to),
    exposure_weighted_return: exposureWeightedReturn(trades),
    average_hold_hours: averageHoldMs(trades) / 3_600_000,
    turnover: turnoverPerYear(trades, from, to, capital),
  };
}

/** A metric for JSON: finite numbers as they are, NaN and ±Infinity as null (JSON has neither). */
export function jsonNumber(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** A metrics object with every non-finite number replaced by null (see jsonNumber). */
export function jsonMetrics<T extends object>(
  m: T,
): { [K in keyof T]: T[K] extends number ? number | null : T[K] } {
  return Object.fromEntries(
    Object.entries(m).map(([k, v]) => [k, typeof v === "number" ? jsonNumber(v) : v]),
  ) as { [K in keyof T]: T[K] extends number ? number | null : T[K] };
}
