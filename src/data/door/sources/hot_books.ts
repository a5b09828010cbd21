import type { MicrostructureSnapshot } from "../../../market/snapshot.ts";
import { readMicrostructure } from "../../hot/store.ts";
import type { DoorSource, InventoryEntry, SourceResult } from "../port.ts";

/**
 * The hot tier's verified books of one venue (src/data/hot/store.ts) as a door source: per symbol the latest
 * snapshot with ts ≤ the read's end (a live read: ≤ the door's clock), observed at its exchange time.
 */
export function hotBooksSource(o: {
  id: string;
  venue: string;
  dataDir: string;
  hotPath: string;
  /** tiers.hot_max_age_ms */
  maxAgeMs: number;
}): DoorSource<MicrostructureSnapshot> {
  return {
    id: o.id,
    tier: "hot",
    maxAgeMs: o.maxAgeMs,
    covers: (venue) => venue === o.venue,
    async read(req) {
      const asOf = req.live ? req.now : req.to;
      const found = await readMicrostructure(o.dataDir, o.venue, asOf, {
        hotPath: o.hotPath,
        symbols: req.symbols,
      });
      const out = new Map<string, SourceResult<MicrostructureSnapshot>>();
      for (const symbol of req.symbols) {
        const snap = found.get(symbol);
        out.set(
          symbol,
          snap && snap.ts >= req.from ? { rows: [snap], observedAt: snap.ts } : { miss: "miss" },
        );
      }
      return out;
    },
    async inventory(venue, asOf) {
      const out = new Map<string, InventoryEntry<MicrostructureSnapshot>>();
      if (venue !== o.venue) return out;
      for (const [symbol, snap] of await readMicrostructure(o.dataDir, venue, asOf, { hotPath: o.hotPath })) {
        out.set(symbol, { newestTs: snap.ts, latest: snap });
      }
      return out;
    },
  };
}
