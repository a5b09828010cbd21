import type { Config } from "../config/schema.ts";
import { openColdStore } from "../data/cold/store.ts";
import { openMarketDoor } from "../data/door/open.ts";
import type { Logger } from "../log/logger.ts";
import type { OhlcvRow } from "../market/ohlcv.ts";
import type { SymbolSeries } from "../scan/engine.ts";
import { barInventory, bootstrapColdTier } from "../scan/pipeline.ts";
import { admit, groupSeries } from "../scan/universe.ts";
import { InputError } from "../util/errors.ts";
import type { Progress } from "../util/progress.ts";
import { HOUR_MS, isoMs } from "../util/time.ts";

export interface FeedDeps {
  config: Config;
  dataDir: string;
  env: Record<string, string>;
  log: Logger;
  signal: AbortSignal;
  progress?: (title: string, total: number, unit: string) => Progress;
}

/**
 * The backtest's bars, read through the data door (the adapter; src/report/backtest.ts is pure): every admitted
 * symbol of scan.venue and scan.fixture_venues (scan.quotes, scan.universe or `universe`), bars with
 * ts in [from − lookback, to − 1h] — closed by `to`, nothing later. An empty cold tier is bootstrapped from the
 * shipped fixtures first, as `scan` does (scan.bootstrap_fixtures).
 */
export async function readBacktestBars(
  deps: FeedDeps,
  from: number,
  to: number,
  universe?: string[],
): Promise<{ series: SymbolSeries[]; notes: string[] }> {
  const cfg = deps.config;
  const sc = cfg.scan;
  const notes: string[] = [];
  const door = openMarketDoor(cfg, deps.dataDir, deps.env, { log: deps.log });
  try {
    const venues = [sc.venue, ...sc.fixture_venues.filter((v) => v !== sc.venue)];
    const now = Date.now();
    let inv = await barInventory(door, venues, now, deps.signal);
    if (door.sources("bars").some((s) => s.id === `cold:${sc.venue}`) && !inv.newestCold.has(sc.venue)) {
      if (!sc.bootstrap_fixtures) {
        throw new InputError(
          `cold tier: table ${cfg.cold.parquet_schema.table} is empty; ingest bars first (cryptorun ingest) or set ` +
            `scan.bootstrap_fixtures: true`,
        );
      }
      const store = openColdStore(cfg.cold, deps.dataDir);
      const n = await bootstrapColdTier(store, cfg.cold.parquet_schema.table, {
        ...deps,
        progress: deps.progress,
      });
      notes.push(`first run: loaded ${n} real Kraken hourly bars from fixtures/ohlcv into the cold tier`);
      inv = await barInventory(door, venues, now, deps.signal);
    }
    const want = universe ?? sc.universe;
    const readFrom = from - sc.lookback_hours * HOUR_MS;
    const readTo = to - HOUR_MS;
    const series: SymbolSeries[] = [];
    for (const venue of venues) {
      const syms = inv.offered.get(venue)!.filter((s) => admit(s, sc.quotes, want).admitted);
      if (syms.length === 0) continue;
      const read = await door.read("bars", {
        venue,
        symbols: syms,
        from: readFrom,
        to: readTo,
        signal: deps.signal,
      });
      const rows: OhlcvRow[] = [];
      for (const a of read.answers.values()) rows.push(...a.rows);
      series.push(...groupSeries(rows, venue));
    }
    for (const u of want) {
      if (!series.some((s) => s.symbol === u)) {
        throw new InputError(`--universe: ${u} has no bars in [${isoMs(readFrom)}, ${isoMs(readTo)}]`);
      }
    }
    const inWindow = series.some((s) => s.bars.ts.some((t) => t >= from && t <= readTo));
    if (!inWindow) {
      throw new InputError(
        `empty window: no bar of ${
          series.map((s) => s.symbol).join(",") || "any admitted symbol"
        } opens in [${isoMs(from)}, ${isoMs(readTo)}] (the bars closed by --to ${isoMs(to)})`,
      );
    }
    return { series, notes };
  } finally {
    await door.close();
  }
}

/** The close of the newest bar of scan.venue's cold tier (the default as-of of a portfolio report). */
export async function newestBarClose(deps: FeedDeps): Promise<number> {
  const door = openMarketDoor(deps.config, deps.dataDir, deps.env, { log: deps.log });
  try {
    const inv = await barInventory(door, [deps.config.scan.venue], Date.now(), deps.signal);
    const newest = inv.newestCold.get(deps.config.scan.venue);
    if (newest === undefined) {
      throw new InputError(
        `--portfolio: the cold tier holds no bars of ${deps.config.scan.venue}; give --as-of, or run a scan or ` +
          `report --performance first (they load the shipped fixtures)`,
      );
    }
    return newest + HOUR_MS;
  } finally {
    await door.close();
  }
}
