import type { DerivsRow } from "../../../market/derivs.ts";
import type { ColdTableHandle } from "../../cold/types.ts";
import { fromTableRow } from "../../derivs/rows.ts";
import type { DoorSource, InventoryEntry, SourceResult } from "../port.ts";

/**
 * The cold tier's `derivs` table as the door's source of kind `derivs`: per symbol the rows of the asked
 * venue in the window (the table reads PIT: never ts > to), observed at the newest row. Covers every
 * derivatives venue the table holds rows of; never stale unless `maxAgeMs` is set.
 */
export function coldDerivsSource(o: {
  id: string;
  table: () => Pick<ColdTableHandle, "read">;
  maxAgeMs: number | null;
}): DoorSource<DerivsRow> {
  return {
    id: o.id,
    tier: "cold",
    maxAgeMs: o.maxAgeMs,
    covers: () => true,
    async read(req) {
      const by = new Map<string, DerivsRow[]>(req.symbols.map((s) => [s, []]));
      const range = { from: Number.isFinite(req.from) ? req.from : 0, to: req.live ? req.now : req.to };
      for await (const t of o.table().read(range, { symbols: [...req.symbols], signal: req.signal })) {
        if (t.venue !== req.venue) continue;
        by.get(t.symbol as string)?.push(fromTableRow(t));
      }
      const out = new Map<string, SourceResult<DerivsRow>>();
      for (const [symbol, rows] of by) {
        rows.sort((a, b) => a.ts - b.ts);
        out.set(symbol, rows.length ? { rows, observedAt: rows[rows.length - 1].ts } : { miss: "miss" });
      }
      return out;
    },
    /** Per symbol of `venue`: its newest row with ts ≤ asOf (PIT), from a read of the table. */
    async inventory(venue, asOf, signal) {
      const out = new Map<string, InventoryEntry<DerivsRow>>();
      for await (const t of o.table().read({ from: 0, to: asOf }, { signal })) {
        if (t.venue !== venue) continue;
        const symbol = t.symbol as string;
        const cur = out.get(symbol);
        const ts = t.ts as number;
        if (!cur) out.set(symbol, { newestTs: ts, oldestTs: ts, rows: 1 });
        else {
          cur.newestTs = Math.max(cur.newestTs, ts);
          cur.oldestTs = Math.min(cur.oldestTs!, ts);
          cur.rows!++;
        }
      }
      return out;
    },
  };
}
