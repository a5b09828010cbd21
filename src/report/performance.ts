import type { BacktestResult, Trade } from "./backtest.ts";
import type { ReturnRow, StoredPosition } from "../persistence/types.ts";
import { beta } from "./perf/beta.ts";
import { totalReturn } from "./perf/series.ts";
import { exposureMetrics, seriesMetrics, tradeMetrics } from "./perf/summary.ts";
import { isoMs } from "../util/time.ts";

/** Every metric of a performance report, by the name `--json` uses (NaN/±Infinity become null there). */
export interface PerfMetrics {
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
  trades: number;
  hit_rate: number;
  profit_factor: number;
  expectancy: number;
  expectancy_ratio: number;
  exposure?: number;
  exposure_weighted_return?: number;
  average_hold_hours?: number;
  turnover?: number;
  raw_pnl?: number;
  costs?: number;
  spec_pnl?: number;
  raw_hit_rate?: number;
  benchmark_total_return?: number;
  beta?: number;
}

export interface PerfReport {
  source: "backtest" | "returns";
  from: string;
  to: string;
  /** The run's parameters (flags and defaults), for the report header. */
  params: Record<string, string | number>;
  metrics: PerfMetrics;
  /** Daily returns (backtest) or the file's periods: ts, return, benchmark (NaN: none). */
  series: { ts: number; ret: number; benchmark: number }[];
  trades: BacktestResult["trades"];
  notes: string[];
  /** Threshold alerts triggered by this report (report.alerts). */
  alerts?: { rule: string; summary: string; value: number; threshold: number }[];
}

/**
 * Metrics of any returns series (a returns file): the series metrics, and the per-trade metrics with each
 * non-missing period taken as one trade (hit rate = share of positive periods, etc.).
 */
export function returnsReport(
  ts: number[],
  returns: number[],
  periodsPerYear: number,
  riskFree: number,
  params: Record<string, string | number>,
): PerfReport {
  const present = returns.filter((r) => !Number.isNaN(r));
  return {
    source: "returns",
    from: isoMs(ts[0]),
    to: isoMs(ts[ts.length - 1]),
    params,
    metrics: { ...seriesMetrics(returns, periodsPerYear, riskFree), ...tradeMetrics(present) },
    series: ts.map((t, i) => ({ ts: t, ret: returns[i], benchmark: NaN })),
    trades: [],
    notes: [],
  };
}

/**
 * Metrics of a backtest: series metrics on its daily returns, trade metrics on each trade's spec return
 * (after costs), time-in-market metrics, raw vs spec P&L, and beta against the buy-and-hold benchmark.
 */
export function backtestReport(
  r: BacktestResult,
  periodsPerYear: number,
  riskFree: number,
  params: Record<string, string | number>,
  notes: string[],
  capital: number,
): PerfReport {
  const rets = r.daily.map((d) => d.ret);
  const bench = r.daily.map((d) => d.benchmark);
  const spans = r.trades.map((t) => ({
    entryTs: t.entryTs,
    exitTs: t.exitTs,
    ret: t.ret,
    notional: t.qty * t.entryPrice,
  }));
  const sum = (f: (t: BacktestResult["trades"][number]) => number) => r.trades.reduce((a, t) => a + f(t), 0);
  return {
    source: "backtest",
    from: isoMs(r.from),
    to: isoMs(r.to),
    params,
    metrics: {
      ...seriesMetrics(rets, periodsPerYear, riskFree),
      ...tradeMetrics(r.trades.map((t) => t.ret)),
      ...exposureMetrics(spans, r.from, r.to, capital),
      raw_pnl: sum((t) => t.rawPnl),
      costs: sum((t) => t.costs),
      spec_pnl: sum((t) => t.specPnl),
      raw_hit_rate: tradeMetrics(r.trades.map((t) => t.rawRet)).hit_rate,
      benchmark_total_return: totalReturn(bench),
      beta: beta(rets, bench),
    },
    series: r.daily.map((d) => ({ ts: d.day, ret: d.ret, benchmark: d.benchmark })),
    trades: r.trades,
    notes,
  };
}

/** A stored position (src/persistence) as a backtest trade. */
export function tradeFromStored(p: StoredPosition): Trade {
  return {
    symbol: p.symbol,
    venue: p.venue,
    signalTs: p.signal_ts.getTime(),
    rank: p.rank,
    score: p.score,
    entryTs: p.entry_ts.getTime(),
    entryPrice: p.entry_price,
    exitTs: p.exit_ts.getTime(),
    exitPrice: p.exit_price,
    exitReason: p.exit_reason,
    qty: p.qty,
    rawPnl: p.raw_pnl,
    costs: p.costs,
    specPnl: p.spec_pnl,
    ret: p.spec_pnl / p.stake,
    rawRet: p.raw_pnl / p.stake,
  };
}

/** A backtest rebuilt from what the database holds (positions and daily returns): what the report reads back. */
export function resultFromStored(
  base: Pick<BacktestResult, "from" | "to" | "steps" | "stepsWithData" | "skipped">,
  positions: StoredPosition[],
  returns: ReturnRow[],
): BacktestResult {
  return {
    ...base,
    trades: positions.map(tradeFromStored),
    equity: [],
    daily: returns.map((r) => ({
      day: r.ts.getTime(),
      ret: r.ret ?? NaN,
      benchmark: r.benchmark ?? NaN,
    })),
  };
}

/** The rows a backtest stores (positions table, returns table). */
export function storedRows(r: BacktestResult, stake: number) {
  return {
    positions: r.trades.map((t) => ({
      symbol: t.symbol,
      venue: t.venue,
      signal_ts: t.signalTs,
      rank: t.rank,
      score: t.score,
      entry_ts: t.entryTs,
      entry_price: t.entryPrice,
      exit_ts: t.exitTs,
      exit_price: t.exitPrice,
      exit_reason: t.exitReason,
      qty: t.qty,
      raw_pnl: t.rawPnl,
      costs: t.costs,
      spec_pnl: t.specPnl,
      stake,
    })),
    returns: r.daily.map((d) => ({
      ts: d.day,
      ret: Number.isNaN(d.ret) ? null : d.ret,
      benchmark: Number.isNaN(d.benchmark) ? null : d.benchmark,
    })),
  };
}
