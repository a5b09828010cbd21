import type { Config } from "../config/schema.ts";
import { openColdStore, openColdTables } from "../data/cold/store.ts";
import type { InvalidReason } from "../data/cold/types.ts";
import { resolveTables } from "../data/cold/tables.ts";
import { writeMicrostructureBatch } from "../data/hot/store.ts";
import type { Logger } from "../log/logger.ts";
import { USD_PAIR_RE } from "../market/symbols.ts";
import { anomalyQuarantine } from "../metrics/metrics.ts";
import { openPersistence } from "../persistence/open.ts";
import type { Persistence } from "../persistence/types.ts";
import type { IngestSinks } from "./ports.ts";

/**
 * The sink ports (src/ingest/ports.ts) on the real tiers: verified books → the hot tier, trades → the trades
 * table (when persistence is enabled), closed 1-minute bars → a cold-tier table.
 */

/**
 * The cold-tier table `table` of 1-minute bars (kraken.bars_table: ohlcv_1m, a table of the registry, docs/COLD.md
 * "Tables"). A name the configuration does not declare gets ohlcv_1m's columns in a sibling of the ohlcv
 * table's directory (`cold/ohlcv` → `cold/<table>`), as live ingest has always stored it.
 */
export function barStore(cfg: Config, dataDir: string, table: string) {
  return openColdStore(barCold(cfg, table), dataDir, { table });
}

function barCold(cfg: Config, table: string) {
  return resolveTables(cfg.cold).has(table)
    ? cfg.cold
    : { ...cfg.cold, tables: { ...cfg.cold.tables, [table]: { schema: "ohlcv_1m" as const } } };
}

export interface TierSinkOptions {
  /** The venue the data comes from (hot-tier directory, trades' venue column). */
  venue: string;
  /** Cold-tier table of the closed 1-minute bars (e.g. kraken.bars_table). */
  barsTable: string;
  dryRun: boolean;
  env: Record<string, string>;
  log: Logger;
  signal: AbortSignal;
}

/** The reasons a cold-tier write quarantines a row (skipInvalid), as the cold store labels them. */
const QUARANTINE = {
  bad_ts: true,
  bad_symbol: true,
  non_finite_price: true,
  high_below_low: true,
  negative_volume: true,
  duplicate: true,
  bad_row: true,
  bad_value: true,
  conflict: true,
} satisfies Record<InvalidReason, true>;

/** The tier writers. Persistence and the cold store are opened on first use (a book-only replay needs neither). */
export function tierSinks(cfg: Config, dataDir: string, o: TierSinkOptions) {
  if (!o.dryRun) {
    // The bar sink's quarantine series start at 0 (cryptorun_anomaly_quarantine_total{kind="cold_<reason>"}).
    for (const reason of Object.keys(QUARANTINE)) anomalyQuarantine.inc({ kind: `cold_${reason}` }, 0);
  }
  let persistence: Persistence | undefined;
  let validator: import("../data/validate/validator.ts").BarValidator | undefined;
  const skippedBars = { count: 0 };
  const sinks: IngestSinks = o.dryRun ? {} : {
    hot: (snaps) => writeMicrostructureBatch(dataDir, o.venue, snaps, { hotPath: cfg.tiers.hot_path }),
    trades: cfg.persistence.enabled
      ? async (trades) => {
        persistence ??= await openPersistence(cfg.persistence, dataDir, o.env, { log: o.log });
        await persistence.trades.insertMany(
          trades.map((t) => ({
            ts: new Date(t.ts),
            symbol: t.symbol,
            venue: o.venue,
            side: t.side,
            price: t.price,
            qty: t.qty,
            ...(t.tradeId !== undefined ? { trade_id: t.tradeId } : {}),
            ...(t.ordType ? { attributes: { ord_type: t.ordType } } : {}),
          })).filter((t) => t.qty > 0),
          { signal: o.signal },
        );
      }
      : undefined,
    bars: async (bars) => {
      // The cold tier holds USD pairs only (its schema); other quotes' bars are counted, not written.
      const usd = bars.filter((b) => USD_PAIR_RE.test(b.symbol));
      skippedBars.count += bars.length - usd.length;
      if (usd.length === 0) return;
      if (cfg.validate.on_write === "off") {
        await barStore(cfg, dataDir, o.barsTable).write(o.barsTable, usd, {
          skipInvalid: true,
          signal: o.signal,
        });
        return;
      }
      // validate.on_write (issue 17): one validator for the run, so each symbol's window carries over.
      const { writeValidated } = await import("../data/validate/write.ts");
      const { BarValidator } = await import("../data/validate/validator.ts");
      validator ??= new BarValidator(cfg.validate);
      await writeValidated(
        openColdTables(barCold(cfg, o.barsTable), dataDir),
        o.barsTable,
        usd.map((b) => ({ ...b })),
        cfg.validate,
        { skipInvalid: true, signal: o.signal, validator },
      );
    },
  };
  return {
    sinks,
    skippedBars,
    async close() {
      await persistence?.close();
    },
  };
}
