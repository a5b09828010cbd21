import type { GatesConfig } from "../config/sections/gates.ts";
import type { RegimeConfig } from "../config/sections/regime.ts";
import { type Bars, closedCount, HOUR } from "../factors/bars.ts";
import type { SymbolSeries } from "../scan/engine.ts";
import { type RollingJob, rollingScans, scanStep, type StepPicks, workerCount } from "../scan/rolling.ts";
import { type CostModel, roundTripCost } from "./costs.ts";

/**
 * The signal backtest, pure: bars in (already read through the data door), trades and an equity curve out.
 *
 * Walk: one step every `everyMs` from `from` (snapped up to a multiple of `everyMs` in UTC) while a step leaves
 * an entry bar inside the window. At each step t the real scan (`runScan`, the engine and gates of `scan`) runs
 * as of t on the bars closed by t (it reads at most `lookbackHours` back). Entry: the best `top` rows (`entry: "top"`) or the
 * best `top` rows that pass every required entry gate (`entry: "gates"`), one open position per symbol, each
 * bought at the open of the NEXT bar (the bar opening at t; none → no entry). Exit: at the open of the bar at
 * entry + `holdMs` (the first bar at or after it), or on a stop when `stopPct` is set (a bar whose low reaches
 * entry·(1 − stopPct) exits at that price, or at its open when it opened below; at that bar's close time), or at
 * the window end (the close of the last bar closed by `to`). Each trade's stake is `stake` quote units.
 * The caller passes bars from `from − scan.lookback_hours` on (the scan reads no further back).
 *
 * Point in time: every series is cut at the bars closed by `to` before anything else, so no bar after `to`
 * can reach a decision, an entry, an exit or a mark.
 *
 * `runBacktest` scans step by step in this thread; `runBacktestParallel` scans the steps first on worker
 * threads (src/scan/rolling.ts: each step's scan is independent) and then walks the same trades: the same
 * result, bit for bit (tests/report/backtest_test.ts).
 */
export interface BacktestInput {
  series: SymbolSeries[];
  from: number;
  to: number;
  everyMs: number;
  entry: "gates" | "top";
  top: number;
  holdMs: number;
  stopPct?: number;
  costs: CostModel;
  /** Starting capital and per-trade stake (quote currency). */
  capital: number;
  stake: number;
  /** scan.lookback_hours: a symbol without a bar in it is not scanned at that step (as in `scan`). */
  lookbackHours: number;
  gates: GatesConfig;
  regime: RegimeConfig;
  /** The benchmark symbol (buy and hold): BTC/USD. */
  benchmark: string;
  /** Called after each step (progress). */
  onStep?: (done: number, total: number) => void;
}

export interface Trade {
  symbol: string;
  venue: string;
  /** Scan step that picked it (epoch ms), its rank and score then. */
  signalTs: number;
  rank: number;
  score: number;
  entryTs: number;
  entryPrice: number;
  exitTs: number;
  exitPrice: number;
  exitReason: "hold" | "stop" | "window_end";
  qty: number;
  /** qty · (exit − entry). */
  rawPnl: number;
  /** roundTripCost(qty, entry, exit). */
  costs: number;
  /** rawPnl − costs. */
  specPnl: number;
  /** specPnl / stake, rawPnl / stake. */
  ret: number;
  rawRet: number;
}

export interface BacktestResult {
  from: number;
  to: number;
  steps: number;
  /** Steps whose scan ranked at least one symbol. */
  stepsWithData: number;
  trades: Trade[];
  /** Hourly equity marks at each hour boundary from the first step to `to` (quote currency). */
  equity: { ts: number; value: number }[];
  /** Daily (UTC) returns of the equity curve and of buy-and-hold `benchmark` (NaN: no benchmark bar). */
  daily: { day: number; ret: number; benchmark: number }[];
  /** Entries skipped: symbol already held, or no bar at the entry time. */
  skipped: { held: number; noEntryBar: number };
}

/**
 * A trade's P&L once its exit is known: raw = qty · (exit − entry); costs = roundTripCost (fees and slippage on
 * both legs' notional); spec = raw − costs; returns = P&L / stake.
 */
export function settle(tr: Trade, costs: CostModel, stake: number): Trade {
  tr.rawPnl = tr.qty * (tr.exitPrice - tr.entryPrice);
  tr.costs = roundTripCost(tr.qty, tr.entryPrice, tr.exitPrice, costs);
  tr.specPnl = tr.rawPnl - tr.costs;
  tr.ret = tr.specPnl / stake;
  tr.rawRet = tr.rawPnl / stake;
  return tr;
}

/** Bars cut to the first `n` (a view; nothing copied). */
function cut(b: Bars, start: number, end: number): Bars {
  return {
    ts: b.ts.subarray(start, end),
    open: b.open.subarray(start, end),
    high: b.high.subarray(start, end),
    low: b.low.subarray(start, end),
    close: b.close.subarray(start, end),
    volume: b.volume.subarray(start, end),
  };
}

/** Index of the first bar with ts ≥ t, or bars.length. */
function firstAtOrAfter(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const DAY = 24 * HOUR;

/** The series cut at `to` (PIT: nothing after it exists for the backtest) and the step times. */
function prepare(
  inp: BacktestInput,
): { series: SymbolSeries[]; first: number; stepTimes: number[]; job: RollingJob } {
  const { from, to, everyMs } = inp;
  const series = inp.series.map((s) => ({ ...s, bars: cut(s.bars, 0, closedCount(s.bars.ts, to)) }));
  const first = Math.ceil(from / everyMs) * everyMs;
  const stepTimes: number[] = [];
  // A step at t enters at the bar opening at t, which must close by `to`.
  for (let t = first; t + HOUR <= to; t += everyMs) stepTimes.push(t);
  const job: RollingJob = {
    steps: stepTimes,
    gates: inp.gates,
    regime: inp.regime,
    lookbackHours: inp.lookbackHours,
    entry: inp.entry,
    top: inp.top,
  };
  return { series, first, stepTimes, job };
}

/** The backtest, each step's scan run here as the walk reaches it. */
export function runBacktest(inp: BacktestInput): BacktestResult {
  const p = prepare(inp);
  return walk(inp, p, (t, k) => {
    const picks = scanStep(p.series, t, p.job);
    inp.onStep?.(k + 1, p.stepTimes.length);
    return picks;
  });
}

/**
 * The same backtest with every step's scan run first on worker threads (src/scan/rolling.ts; steps split into
 * contiguous blocks), then the walk. `maxWorkers`: at most that many threads (default: the machine's cores;
 * fewer when the job is too small to pay for them, `workerCount`); `workers`: exactly that many (tests).
 * `inp.onStep` reports the scans' progress.
 */
export async function runBacktestParallel(
  inp: BacktestInput,
  opts: { workers?: number; maxWorkers?: number; signal?: AbortSignal } = {},
): Promise<BacktestResult> {
  const p = prepare(inp);
  const workers = opts.workers ?? workerCount(p.stepTimes.length, p.series.length, opts.maxWorkers);
  const scans = await rollingScans(p.series, p.job, { workers, signal: opts.signal, onStep: inp.onStep });
  return walk(inp, p, (_, k) => scans[k]);
}

/** The trades of the steps, each step's picks from `picksAt` (called once per step, in order). */
function walk(
  inp: BacktestInput,
  { series, first, stepTimes }: { series: SymbolSeries[]; first: number; stepTimes: number[] },
  picksAt: (t: number, k: number) => StepPicks,
): BacktestResult {
  const { from, to } = inp;
  const open = new Map<string, Trade>(); // by venue|symbol
  const trades: Trade[] = [];
  const skipped = { held: 0, noEntryBar: 0 };
  let stepsWithData = 0;
  const bySym = new Map(series.map((s) => [`${s.venue}|${s.symbol}`, s]));

  const closeTrade = (tr: Trade) => {
    const s = bySym.get(`${tr.venue}|${tr.symbol}`)!;
    const b = s.bars;
    const entryIdx = firstAtOrAfter(b.ts, tr.entryTs);
    const holdEnd = tr.entryTs + inp.holdMs;
    const exitIdx = firstAtOrAfter(b.ts, holdEnd); // may be b.length: window end
    if (inp.stopPct !== undefined) {
      const stop = tr.entryPrice * (1 - inp.stopPct);
      for (let i = entryIdx; i < exitIdx; i++) {
        if (b.low[i] <= stop) {
          tr.exitPrice = b.open[i] < stop ? b.open[i] : stop;
          tr.exitTs = b.ts[i] + HOUR;
          tr.exitReason = "stop";
          return finish(tr);
        }
      }
    }
    if (exitIdx < b.ts.length) {
      tr.exitPrice = b.open[exitIdx];
      tr.exitTs = b.ts[exitIdx];
      tr.exitReason = "hold";
    } else {
      const last = b.ts.length - 1;
      tr.exitPrice = b.close[last];
      tr.exitTs = Math.min(to, b.ts[last] + HOUR);
      tr.exitReason = "window_end";
    }
    return finish(tr);
  };
  const finish = (tr: Trade) => settle(tr, inp.costs, inp.stake);

  stepTimes.forEach((t, k) => {
    // Positions whose exit time has come are closed before the new decision (their exit is decided by bars).
    for (const [key, tr] of open) {
      if (tr.entryTs + inp.holdMs <= t) {
        trades.push(closeTrade(tr));
        open.delete(key);
      }
    }
    // The whole history up to `to` goes in: the scan cuts every series at the bars closed by t itself, and
    // reads at most scan.lookback_hours back (LOOKBACK_HOURS_MIN; tests/scan/engine_test.ts pins that a scan of
    // exactly that many hours equals one of all history), so a step sees what `scan --as-of t` sees. The same
    // arrays at every step let the engine's rolling memos (src/factors/rolling_memo.ts) carry over.
    // A symbol whose newest closed bar is older than the lookback is not in `scan`'s read: not here either
    // (src/scan/rolling.ts `seriesAt`).
    const step = picksAt(t, k);
    if (step.ranked > 0) stepsWithData++;
    for (const r of step.picks) {
      const key = `${r.venue}|${r.symbol}`;
      if (open.has(key)) {
        skipped.held++;
        continue;
      }
      const b = bySym.get(key)!.bars;
      const i = firstAtOrAfter(b.ts, t);
      if (i >= b.ts.length || b.ts[i] !== t) {
        skipped.noEntryBar++;
        continue;
      }
      const entryPrice = b.open[i];
      open.set(key, {
        symbol: r.symbol,
        venue: r.venue,
        signalTs: t,
        rank: r.rank,
        score: r.score,
        entryTs: t,
        entryPrice,
        exitTs: NaN,
        exitPrice: NaN,
        exitReason: "hold",
        qty: inp.stake / entryPrice,
        rawPnl: NaN,
        costs: NaN,
        specPnl: NaN,
        ret: NaN,
        rawRet: NaN,
      });
    }
  });
  for (const tr of open.values()) trades.push(closeTrade(tr));
  trades.sort((a, b) => a.entryTs - b.entryTs || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));

  const equity = equityCurve(trades, bySym, first, to, inp.capital);
  const daily = dailyReturns(equity, series.find((s) => s.symbol === inp.benchmark)?.bars);
  return { from, to, steps: stepTimes.length, stepsWithData, trades, equity, daily, skipped };
}

/** The last close at or before time t (bar closed by t), or NaN. */
function markAt(b: Bars, t: number): number {
  const n = closedCount(b.ts, t);
  return n === 0 ? NaN : b.close[n - 1];
}

/**
 * Hourly equity: capital + Σ specPnl of trades exited by t + Σ over open trades of (qty·(mark − entry) − entry
 * cost), where mark = the last close by t (entry price before the first close). Entry cost = the entry leg of
 * roundTripCost; the exit leg is paid at the exit.
 */
function equityCurve(
  trades: Trade[],
  bySym: Map<string, SymbolSeries>,
  from: number,
  to: number,
  capital: number,
): { ts: number; value: number }[] {
  const out: { ts: number; value: number }[] = [];
  if (!(to > from)) return out;
  for (let t = from; t <= to; t += HOUR) {
    let v = capital;
    for (const tr of trades) {
      if (tr.entryTs >= t) continue;
      if (tr.exitTs <= t) {
        v += tr.specPnl;
        continue;
      }
      const b = bySym.get(`${tr.venue}|${tr.symbol}`)!.bars;
      const m = markAt(b, t);
      const mark = Number.isNaN(m) || t < tr.entryTs + HOUR ? tr.entryPrice : m;
      const entryCost = tr.costs * (tr.entryPrice / (tr.entryPrice + tr.exitPrice));
      v += tr.qty * (mark - tr.entryPrice) - entryCost;
    }
    out.push({ ts: t, value: v });
  }
  return out;
}

/**
 * Daily returns: for each UTC day D whose end (D + 1 day) is within the curve, equity(end of D) / equity(end of
 * D − 1) − 1 (the first day against the curve's start). Benchmark: close(last bar by end of D) / close(last bar
 * by end of D − 1) − 1 of the buy-and-hold symbol, NaN when either is missing.
 */
function dailyReturns(
  equity: { ts: number; value: number }[],
  bench: Bars | undefined,
): { day: number; ret: number; benchmark: number }[] {
  if (equity.length === 0) return [];
  const at = new Map(equity.map((e) => [e.ts, e.value]));
  const start = equity[0].ts;
  const end = equity[equity.length - 1].ts;
  const out: { day: number; ret: number; benchmark: number }[] = [];
  let prevT = start;
  for (let d = Math.floor(start / DAY) * DAY; d + DAY <= end; d += DAY) {
    const t = d + DAY;
    if (t <= start) continue;
    const prevV = at.get(prevT)!;
    const v = at.get(t)!;
    const bm = bench ? markAt(bench, t) / markAt(bench, prevT) - 1 : NaN;
    out.push({ day: d, ret: v / prevV - 1, benchmark: bm });
    prevT = t;
  }
  return out;
}
