import type { MicrostructureSnapshot } from "../../../market/snapshot.ts";
import { readMicrostructure } from "../../hot/store.ts";
import type { DoorSource, InventoryEntry, SourceResult } from "../port.ts";
import { type BookCandidate, selectBook } from "../../regions/hot_select.ts";
import { dataConsistencyErrors } from "../../../metrics/metrics.ts";

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
  /**
   * Multi-region (issue 17): the other regions' hot directories (the leader's is `hotPath`). Each symbol is
   * served from the freshest region's verified book; disagreeing books cost a freshness penalty
   * (src/data/regions/hot_select.ts).
   */
  regions?: { leader: string; others: { name: string; hotPath: string }[]; toleranceBps: number };
}): DoorSource<MicrostructureSnapshot> {
  const paths = [
    { name: o.regions?.leader ?? "", hotPath: o.hotPath },
    ...(o.regions?.others ?? []),
  ];
  /** Per symbol the latest book of every region as of `asOf`, the freshest served (worst-feed-wins). */
  async function latest(venue: string, asOf: number, symbols?: readonly string[]) {
    if (!o.regions) {
      const found = await readMicrostructure(o.dataDir, venue, asOf, { hotPath: o.hotPath, symbols });
      return new Map([...found].map(([s, snap]) => [s, { snap, observedAt: snap.ts }]));
    }
    const all = await Promise.all(
      paths.map((p) => readMicrostructure(o.dataDir, venue, asOf, { hotPath: p.hotPath, symbols })),
    );
    const bySymbol = new Map<string, BookCandidate[]>();
    all.forEach((found, i) => {
      for (const [s, snap] of found) {
        const l = bySymbol.get(s) ?? [];
        l.push({ region: paths[i].name, snap });
        bySymbol.set(s, l);
      }
    });
    const out = new Map<string, { snap: MicrostructureSnapshot; observedAt: number }>();
    for (const [s, cands] of bySymbol) {
      const c = selectBook(cands, o.regions.toleranceBps)!;
      if (c.disagree.length > 0) dataConsistencyErrors.inc({ check: "region_disagree" });
      out.set(s, { snap: c.served.snap, observedAt: c.observedAt });
    }
    return out;
  }
  return {
    id: o.id,
    tier: "hot",
    maxAgeMs: o.maxAgeMs,
    covers: (venue) => venue === o.venue,
    async read(req) {
      const asOf = req.live ? req.now : req.to;
      const found = await latest(o.venue, asOf, req.symbols);
      const out = new Map<string, SourceResult<MicrostructureSnapshot>>();
      for (const symbol of req.symbols) {
        const f = found.get(symbol);
        out.set(
          symbol,
          f && f.snap.ts >= req.from ? { rows: [f.snap], observedAt: f.observedAt } : { miss: "miss" },
        );
      }
      return out;
    },
    async inventory(venue, asOf) {
      const out = new Map<string, InventoryEntry<MicrostructureSnapshot>>();
      if (venue !== o.venue) return out;
      for (const [symbol, f] of await latest(venue, asOf)) {
        out.set(symbol, { newestTs: f.observedAt, latest: f.snap });
      }
      return out;
    },
  };
}
