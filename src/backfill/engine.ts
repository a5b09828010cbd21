import type { RestTrade } from "../providers/kraken/rest.ts";
import type { TradesPage } from "../providers/kraken/trades_source.ts";
import { cursorOfMs } from "../providers/kraken/trades_source.ts";
import type { BarWriteResult } from "./bar_write.ts";
import { type Checkpoint, readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
import { MINUTE_MS, MinuteAggregator, type MinuteBar, minuteOf, nextMinuteAtOrAfter } from "./minute_bars.ts";

/**
 * The backfill of one (venue, symbol) over [from, to): pages the venue's trades, aggregates 1-minute bars,
 * and commits them in batches of `batchMinutes` completed minutes: trades to the trades store (idempotent),
 * then the bars (one cold commit, bar_write.ts), then the checkpoint. A minute is complete once the venue
 * sent a trade of a later minute, or had nothing newer; the minute holding `to` — or `now`, still forming —
 * is never written. Killed anywhere, a re-run resumes at the checkpoint's cursor (the start of the first
 * uncommitted minute), rebuilds the same bars from the same trades, and ends with the same cold tier.
 * I/O is behind ports so the rules are tested without a venue.
 */

export interface BackfillPorts {
  pages(pair: string, since: string, untilMs: number): AsyncIterable<TradesPage>;
  writeBars(bars: MinuteBar[]): Promise<BarWriteResult>;
  /** Raw trades of committed minutes (the trades store; absent with --no-trades). */
  writeTrades?(symbol: string, trades: RestTrade[]): Promise<void>;
  /** Runs of minutes the venue confirmed without trades (stored as known gaps). */
  emptyRuns?(symbol: string, runs: { from: number; to: number }[]): Promise<void>;
  now(): number;
  failpoint(name: string): Promise<void>;
}

export interface BackfillJob {
  venue: string;
  symbol: string;
  /** The venue's pair name. */
  pair: string;
  from: number;
  to: number;
  table: string;
  checkpointPath: string | null;
  /** Completed minutes per commit. */
  batchMinutes: number;
}

export interface SymbolProgress {
  symbol: string;
  /** First minute of the run and the end (exclusive) of what may be written. */
  start: number;
  end: number;
  /** Everything before this minute is committed. */
  committed: number;
  /** Where the venue's trades have been read to. */
  readTo: number;
  pages: number;
  trades: number;
  refusals: number;
  bars: BarWriteResult;
  resumedFrom: number | null;
}

/** The window a run may write: [first whole minute at/after from, minute holding min(to, now)). */
export function writableWindow(from: number, to: number, now: number): { start: number; end: number } {
  return { start: nextMinuteAtOrAfter(from), end: minuteOf(Math.min(to, now)) };
}

/** Runs of minutes in [from, to) that hold no bar (bars sorted by ts). */
export function emptyMinuteRuns(bars: readonly { ts: number }[], from: number, to: number) {
  const runs: { from: number; to: number }[] = [];
  let m = from;
  for (const b of bars) {
    if (b.ts > m) runs.push({ from: m, to: b.ts - MINUTE_MS });
    m = Math.max(m, b.ts + MINUTE_MS);
  }
  if (m < to) runs.push({ from: m, to: to - MINUTE_MS });
  return runs;
}

export async function backfillSymbol(
  job: BackfillJob,
  ports: BackfillPorts,
  onProgress: (p: SymbolProgress) => void = () => {},
): Promise<SymbolProgress> {
  const { start, end } = writableWindow(job.from, job.to, ports.now());
  const p: SymbolProgress = {
    symbol: job.symbol,
    start,
    end,
    committed: start,
    readTo: start,
    pages: 0,
    trades: 0,
    refusals: 0,
    bars: { written: 0, identical: 0, kept: 0, replaced: 0, snapshot: null, partitions: [], quarantined: 0 },
    resumedFrom: null,
  };
  if (end <= start) return p;
  let cp: Checkpoint | null = null;
  if (job.checkpointPath) cp = await readCheckpoint(job.checkpointPath);
  if (
    cp && cp.venue === job.venue && cp.symbol === job.symbol && cp.table === job.table && cp.from === start
  ) {
    p.committed = Math.max(start, cp.last_minute + MINUTE_MS);
    p.readTo = p.committed;
    p.resumedFrom = p.committed;
  }
  onProgress(p);
  if (p.committed >= end) return p;

  const agg = new MinuteAggregator(job.symbol);
  let pending: RestTrade[] = [];
  const flush = async (upTo: number) => {
    if (upTo <= p.committed) return;
    const bars = agg.take(upTo);
    if (ports.writeTrades) {
      const mine = pending.filter((t) => t.ts < upTo);
      pending = pending.filter((t) => t.ts >= upTo);
      if (mine.length > 0) await ports.writeTrades(job.symbol, mine);
    }
    await ports.failpoint("backfill.before_bars");
    const r = await ports.writeBars(bars);
    p.bars.written += r.written;
    p.bars.identical += r.identical;
    p.bars.kept += r.kept;
    p.bars.replaced += r.replaced;
    if (r.snapshot !== null) p.bars.snapshot = r.snapshot;
    await ports.failpoint("backfill.bars_written");
    if (ports.emptyRuns) await ports.emptyRuns(job.symbol, emptyMinuteRuns(bars, p.committed, upTo));
    if (job.checkpointPath) {
      await writeCheckpoint(job.checkpointPath, {
        venue: job.venue,
        symbol: job.symbol,
        table: job.table,
        from: start,
        last_minute: upTo - MINUTE_MS,
        cursor: cursorOfMs(upTo),
      });
    }
    p.committed = upTo;
    await ports.failpoint("backfill.checkpointed");
    onProgress(p);
  };

  const first = p.committed;
  for await (const page of ports.pages(job.pair, cursorOfMs(first), end)) {
    p.pages++;
    p.refusals += page.refusals;
    let newest = -Infinity;
    for (const t of page.trades) {
      newest = t.ts;
      if (t.ts < first || t.ts >= end) continue;
      agg.add(t.ts, t.price, t.qty);
      if (ports.writeTrades) pending.push(t);
      p.trades++;
    }
    // Trades come in venue order: every minute before the newest trade's minute is complete.
    if (newest > -Infinity) p.readTo = Math.min(end, Math.max(p.readTo, minuteOf(newest)));
    onProgress(p);
    if (p.readTo - p.committed >= job.batchMinutes * MINUTE_MS) await flush(p.readTo);
    await ports.failpoint("backfill.page");
  }
  // The venue has nothing newer (or the pages reached `end`): every minute before `end` is complete.
  p.readTo = end;
  await flush(end);
  return p;
}
