import type { OhlcvRow } from "../../../market/ohlcv.ts";
import type { ColdStore } from "../../cold/types.ts";
import type { DoorSource, InventoryEntry, SourceResult } from "../port.ts";

/** The slice of the cold store (src/data/cold/store.ts) this source reads. */
export type ColdBarReader = Pick<ColdStore, "read" | "stats" | "root">;

/**
 * The cold tier's bar table as a door source for the venue whose bars it holds: per symbol the rows in the
 * window (the store reads PIT: never ts > to), observed at the newest row. Never stale unless
 * `tiers.cold_max_age_ms` is set (DOMAIN.md §5: cold has no age limit).
 */
export function coldBarsSource(o: {
  id: string;
  venue: string;
  store: ColdBarReader;
  table: string;
  maxAgeMs: number | null;
}): DoorSource<OhlcvRow> {
  return {
    id: o.id,
    tier: "cold",
    maxAgeMs: o.maxAgeMs,
    covers: (venue) => venue === o.venue,
    async read(req) {
      const by = new Map<string, OhlcvRow[]>(req.symbols.map((s) => [s, []]));
      const range = { from: Number.isFinite(req.from) ? req.from : 0, to: req.live ? req.now : req.to };
      for await (const r of o.store.read(o.table, range, { symbols: [...req.symbols], signal: req.signal })) {
        by.get(r.symbol as string)?.push(r as OhlcvRow);
      }
      const out = new Map<string, SourceResult<OhlcvRow>>();
      for (const [symbol, rows] of by) {
        out.set(symbol, rows.length ? { rows, observedAt: rows[rows.length - 1].ts } : { miss: "miss" });
      }
      return out;
    },
    /** The table's stats per symbol (whole table: a bar after `asOf` is listed, so health can flag it). */
    async inventory(venue, _asOf, signal) {
      const out = new Map<string, InventoryEntry<OhlcvRow>>();
      if (venue !== o.venue) return out;
      const stats = await o.store.stats(o.table, { signal });
      for (const [symbol, s] of Object.entries(stats.perSymbol)) {
        if (s.maxTs === null) continue;
        out.set(symbol, { newestTs: s.maxTs, oldestTs: s.minTs ?? undefined, rows: s.rows, gaps: s.gaps });
      }
      return out;
    },
  };
}
