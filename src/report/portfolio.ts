import { closedCount } from "../factors/bars.ts";
import type { SymbolSeries } from "../scan/engine.ts";
import type { Trade } from "./backtest.ts";
import { sectorOf } from "./charts/mod.ts";
import { beta, correlation } from "./perf/beta.ts";
import { dailyCloseReturns } from "./symbol_returns.ts";
import { isoMs } from "../util/time.ts";

const DAY = 86_400_000;

export interface Holding {
  symbol: string;
  venue: string;
  sector: string;
  qty: number;
  entry_ts: string;
  entry_price: number;
  /** The last close by as-of (open positions) or the exit price (closed ones). */
  mark: number;
  /** qty · (mark − entry) for open positions; the spec P&L for closed ones. */
  pnl: number;
  /** Entry + hold: when the position is due to exit. */
  hold_until: string;
  /** `open`, or how it closed: `closed: hold` / `closed: stop`. */
  status: string;
  /** Beta of the symbol's daily returns against the benchmark's, over `betaDays` before as-of. */
  beta_vs_btc: number;
  /** Share of the open holdings' market value: qty · mark / Σ qty · mark over the open ones (0 when closed). */
  weight: number;
}

export interface Portfolio {
  as_of: string;
  holdings: Holding[];
  /** Pairwise correlation of the open holdings' daily returns over `betaDays` before as-of. */
  correlation: { names: string[]; matrix: number[][] };
  beta_days: number;
}

/**
 * The portfolio at `asOf`, pure: every position the backtest entered within the last `holdMs` (open ones marked at
 * the last close by as-of; closed ones with their exit), each with its sector (config map), beta vs the
 * benchmark and due exit; and the correlation matrix of the open holdings. Only bars closed by as-of are read.
 */
export function portfolioAt(
  asOf: number,
  trades: Trade[],
  series: SymbolSeries[],
  opts: { holdMs: number; benchmark: string; sectors: Record<string, string>; betaDays: number },
): Portfolio {
  const days: number[] = [];
  const lastDay = Math.floor(asOf / DAY) * DAY - DAY; // the last UTC day ended by as-of
  for (let d = lastDay - (opts.betaDays - 1) * DAY; d <= lastDay; d += DAY) days.push(d);
  const by = new Map(series.map((s) => [`${s.venue}|${s.symbol}`, s]));
  const bench = series.find((s) => s.symbol === opts.benchmark);
  const benchRets = bench ? dailyCloseReturns(bench.bars, days) : days.map(() => NaN);
  const rets = new Map<string, number[]>();
  const recent = trades.filter((t) => t.entryTs > asOf - opts.holdMs && t.entryTs <= asOf);
  const holdings = recent.map((t): Holding => {
    const s = by.get(`${t.venue}|${t.symbol}`)!;
    const r = dailyCloseReturns(s.bars, days);
    const open = t.exitReason === "window_end";
    if (open) rets.set(t.symbol, r);
    const n = closedCount(s.bars.ts, asOf);
    const mark = open ? (n > 0 ? s.bars.close[n - 1] : t.entryPrice) : t.exitPrice;
    return {
      symbol: t.symbol,
      venue: t.venue,
      sector: sectorOf(t.symbol, opts.sectors),
      qty: t.qty,
      entry_ts: isoMs(t.entryTs),
      entry_price: t.entryPrice,
      mark,
      pnl: open ? t.qty * (mark - t.entryPrice) : t.specPnl,
      hold_until: isoMs(t.entryTs + opts.holdMs),
      status: open ? "open" : `closed: ${t.exitReason}`,
      beta_vs_btc: beta(r, benchRets),
      weight: 0,
    };
  });
  const value = (h: Holding) => (h.status === "open" ? h.qty * h.mark : 0);
  const total = holdings.reduce((a, h) => a + value(h), 0);
  for (const h of holdings) h.weight = total > 0 ? value(h) / total : 0;
  const names = [...rets.keys()].sort();
  return {
    as_of: isoMs(asOf),
    holdings,
    correlation: {
      names,
      matrix: names.map((a) => names.map((b) => a === b ? 1 : correlation(rets.get(a)!, rets.get(b)!))),
    },
    beta_days: opts.betaDays,
  };
}
