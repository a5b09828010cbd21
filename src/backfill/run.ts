import type { Config } from "../config/schema.ts";
import type { Logger } from "../log/logger.ts";
import { openColdTables } from "../data/cold/store.ts";
import { openPersistence } from "../persistence/open.ts";
import type { Persistence } from "../persistence/types.ts";
import { krakenRestFrom } from "../providers/kraken/venue.ts";
import { buildSymbolMap } from "../providers/kraken/symbols.ts";
import { krakenTradePages } from "../providers/kraken/trades_source.ts";
import { KrakenError } from "../providers/kraken/errors.ts";
import { createProgress } from "../util/progress.ts";
import { failpoint } from "../util/failpoint.ts";
import { UsageError } from "../util/errors.ts";
import { isoMs, type TimeRange } from "../util/time.ts";
import { writeBars } from "./bar_write.ts";
import { checkpointPath } from "./checkpoint.ts";
import { type BackfillPorts, backfillSymbol, type SymbolProgress, writableWindow } from "./engine.ts";
import { addKnownGaps, readKnownGaps, type Run, subtractRuns } from "./known_gaps.ts";
import { MINUTE_MS } from "./minute_bars.ts";

/**
 * The backfill driver: resolves the pairs through Kraken's AssetPairs, then runs the engine (engine.ts) per
 * symbol — over the whole window, or with `gapsOnly` over each hole `cold gaps` lists that is not a known
 * gap — wiring the Trades pager, the bar write, the trades store, known gaps, progress and the report.
 * `serve --with-ingest` calls `repairGaps` with the same code after a restart.
 */

export interface BackfillRunOptions {
  cfg: Config;
  dataDir: string;
  env: Record<string, string>;
  log: Logger;
  signal: AbortSignal;
  symbols: string[];
  range: TimeRange;
  gapsOnly: boolean;
  overwrite: boolean;
  /** Write raw trades to the trades store (when persistence.enabled). */
  trades: boolean;
  batchMinutes: number;
  waitMs: number;
  interactive: boolean;
  json: boolean;
  out: (line: string) => void;
  /** Injectable (tests). */
  now?: () => number;
}

export interface SymbolReport {
  symbol: string;
  pair: string | null;
  /** The windows asked of the venue ([from, to) ms). */
  windows: { from: number; to: number }[];
  bars_written: number;
  bars_identical: number;
  bars_kept: number;
  bars_replaced: number;
  /** Bars the validation layer sent to quarantine/<table> (validate.on_write: quarantine). */
  bars_quarantined: number;
  trades: number;
  pages: number;
  refusals: number;
  resumed_from: string | null;
  error?: string;
}

export interface BackfillReport {
  table: string;
  symbols: SymbolReport[];
  failed: string[];
  /** --gaps: symbols with no stored bar in the window (no hole between bars to repair: nothing was done). */
  no_stored_bars: string[];
  trades_store: "written" | "skipped" | "disabled";
}

export async function runBackfill(o: BackfillRunOptions): Promise<BackfillReport> {
  const table = o.cfg.kraken.bars_table;
  const now = o.now ?? (() => Date.now());
  const tables = openColdTables(o.cfg.cold, o.dataDir, { log: o.log });
  tables.def(table); // an unknown table fails before the venue is asked
  if (!o.gapsOnly) {
    const w = writableWindow(o.range.from, o.range.to, now());
    if (w.end <= w.start) {
      throw new UsageError(
        `--from/--to: no whole, finished minute in ${isoMs(o.range.from)} .. ${isoMs(o.range.to)} ` +
          `(the minute holding --to or now is never written)`,
      );
    }
  }
  const storeTrades = o.trades && o.cfg.persistence.enabled;
  let persistence: Persistence | undefined;
  const report: BackfillReport = {
    table,
    symbols: [],
    failed: [],
    no_stored_bars: [],
    trades_store: !o.trades ? "skipped" : storeTrades ? "written" : "disabled",
  };

  // The windows per symbol: the whole range, or the holes cold gaps lists minus the known gaps.
  const plan: { symbol: string; pair: string | null; windows: { from: number; to: number }[] }[] = [];
  for (const symbol of o.symbols) {
    let windows = [{ from: o.range.from, to: o.range.to }];
    if (o.gapsOnly) {
      const g = await tables.table(table).gaps(o.range, {
        symbols: [symbol],
        intervalMs: MINUTE_MS,
        signal: o.signal,
      });
      if (g.series.length === 0) report.no_stored_bars.push(symbol);
      const holes: Run[] = g.series.flatMap((s) => s.runs.map((r) => ({ from: r.from, to: r.to })));
      const known = await readKnownGaps(o.dataDir, table, symbol);
      windows = subtractRuns(holes, known, MINUTE_MS).map((r) => ({ from: r.from, to: r.to + MINUTE_MS }));
    }
    plan.push({ symbol, pair: null, windows });
  }
  // The venue is asked only when there is something to fetch (a --gaps run with no hole asks nothing).
  const rest = krakenRestFrom(o.cfg.kraken, o.log);
  if (plan.some((p) => p.windows.length > 0)) {
    const map = buildSymbolMap((await rest.assetPairs(o.signal)).pairs);
    for (const p of plan) p.pair = map.bySymbol(p.symbol)?.altname ?? null;
  }
  const totalMinutes = plan.reduce(
    (n, p) => n + p.windows.reduce((m, w) => m + Math.max(0, (w.to - w.from) / MINUTE_MS), 0),
    0,
  );
  const bar = createProgress(o.interactive, "backfill", Math.max(1, Math.round(totalMinutes)), "minutes");
  let doneBefore = 0;
  const progress = (p: SymbolProgress) => {
    const done = doneBefore + Math.max(0, (p.readTo - p.start) / MINUTE_MS);
    bar.update(Math.round(done), `${p.symbol} ${isoMs(p.readTo)}`);
    if (o.json) {
      o.out(JSON.stringify({
        event: "progress",
        symbol: p.symbol,
        read_to: isoMs(p.readTo),
        committed_to: isoMs(p.committed),
        done_minutes: Math.round(done),
        total_minutes: Math.round(totalMinutes),
        pages: p.pages,
        trades: p.trades,
        refusals: p.refusals,
        bars_written: p.bars.written,
      }));
    }
  };

  try {
    for (const item of plan) {
      const r: SymbolReport = {
        symbol: item.symbol,
        pair: item.pair,
        windows: item.windows,
        bars_written: 0,
        bars_identical: 0,
        bars_kept: 0,
        bars_replaced: 0,
        bars_quarantined: 0,
        trades: 0,
        pages: 0,
        refusals: 0,
        resumed_from: null,
      };
      report.symbols.push(r);
      if (item.windows.length === 0) continue;
      if (item.pair === null) {
        r.error = `${item.symbol} is not a Kraken pair (AssetPairs has no pair of that name)`;
        report.failed.push(item.symbol);
        continue;
      }
      const ports: BackfillPorts = {
        pages: (pair, since, untilMs) => krakenTradePages(rest, { pair, since, untilMs, signal: o.signal }),
        writeBars: (bars) =>
          writeBars(tables, bars, {
            table,
            overwrite: o.overwrite,
            command: "cryptorun backfill",
            waitMs: o.waitMs,
            signal: o.signal,
            validate: o.cfg.validate,
          }),
        writeTrades: storeTrades
          ? async (symbol, trades) => {
            persistence ??= await openPersistence(o.cfg.persistence, o.dataDir, o.env, { log: o.log });
            await persistence.trades.insertMany(
              trades.map((t) => ({
                ts: new Date(t.ts),
                symbol,
                venue: "kraken",
                side: t.side,
                price: t.price,
                qty: t.qty,
                ...(t.tradeId !== undefined ? { trade_id: t.tradeId } : {}),
                attributes: { ord_type: t.ordType, source: "backfill" },
              })),
              { signal: o.signal },
            );
          }
          : undefined,
        emptyRuns: (symbol, runs) => addKnownGaps(o.dataDir, table, symbol, runs),
        now,
        failpoint,
      };
      for (const w of item.windows) {
        let p: SymbolProgress;
        try {
          p = await backfillSymbol(
            {
              venue: "kraken",
              symbol: item.symbol,
              pair: item.pair,
              from: w.from,
              to: w.to,
              table,
              // A hole of --gaps is re-derived from the cold tier on a re-run: no checkpoint needed.
              checkpointPath: o.gapsOnly ? null : checkpointPath(o.dataDir, "kraken", item.symbol),
              batchMinutes: o.batchMinutes,
            },
            ports,
            progress,
          );
        } catch (err) {
          // The venue refused this pair (EQuery…, invalid arguments): reported, the other symbols go on.
          if (!(err instanceof KrakenError) || err.retryable) throw err;
          r.error = err.message;
          report.failed.push(item.symbol);
          break;
        }
        doneBefore += Math.max(0, (p.end - p.start) / MINUTE_MS);
        r.bars_written += p.bars.written;
        r.bars_identical += p.bars.identical;
        r.bars_kept += p.bars.kept;
        r.bars_replaced += p.bars.replaced;
        r.bars_quarantined += p.bars.quarantined;
        r.trades += p.trades;
        r.pages += p.pages;
        r.refusals += p.refusals;
        if (p.resumedFrom !== null && r.resumed_from === null) r.resumed_from = isoMs(p.resumedFrom);
      }
    }
  } finally {
    bar.stop();
    await persistence?.close();
  }
  if (o.json) o.out(JSON.stringify({ event: "done", ...report }));
  else {
    for (const s of report.symbols) {
      if (s.error) {
        o.out(`${s.symbol}: FAILED: ${s.error}`);
        continue;
      }
      o.out(
        `${s.symbol}: ${s.bars_written} bar(s) written, ${s.bars_identical} already stored, ` +
          `${s.bars_kept} kept (stored differs; --overwrite replaces)${
            s.bars_replaced ? `, ${s.bars_replaced} replaced` : ""
          }${
            s.bars_quarantined ? `, ${s.bars_quarantined} quarantined` : ""
          }; ${s.trades} trades in ${s.pages} page(s), ${s.refusals} rate-limit refusal(s)` +
          (o.gapsOnly ? `; ${s.windows.length} gap(s) refilled` : "") +
          (s.resumed_from ? `; resumed at ${s.resumed_from}` : ""),
      );
    }
    if (report.no_stored_bars.length > 0) {
      o.out(
        `${
          report.no_stored_bars.join(", ")
        }: no stored bar in the window, so no hole between bars to repair; ` +
          `nothing done (run without --gaps to fill the whole window)`,
      );
    }
    if (report.trades_store === "disabled") o.out(`trades not stored: persistence.enabled is false`);
  }
  return report;
}

export interface GapRepairOptions {
  cfg: Config;
  dataDir: string;
  env: Record<string, string>;
  log: Logger;
  signal: AbortSignal;
  /** How far back holes are looked for (ms). */
  lookbackMs: number;
  now?: () => number;
}

/** How far back `serve --with-ingest` looks for holes of its own 1-minute bars: 7 days. */
export const GAP_REPAIR_LOOKBACK_MS = 7 * 86_400_000;

/**
 * `serve --with-ingest`'s gap repair: `backfill --gaps` over kraken.symbols and the last `lookbackMs`, with
 * the same code (raw trades are not stored: the live session stores its own, and the embedded database
 * has one opener). Holes left by a restart or an outage are refilled from Trades; holes the venue confirms
 * empty become known gaps and are not asked again.
 */
export async function repairGaps(o: GapRepairOptions): Promise<BackfillReport> {
  const now = (o.now ?? Date.now)();
  return await runBackfill({
    cfg: o.cfg,
    dataDir: o.dataDir,
    env: o.env,
    log: o.log,
    signal: o.signal,
    symbols: [...o.cfg.kraken.symbols],
    range: { from: now - o.lookbackMs, to: now },
    gapsOnly: true,
    overwrite: false,
    trades: false,
    batchMinutes: 1440,
    waitMs: o.cfg.cold.lock_timeout_ms,
    interactive: false,
    json: false,
    out: () => {},
    now: o.now,
  });
}
