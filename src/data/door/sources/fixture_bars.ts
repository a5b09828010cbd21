import type { OhlcvRow } from "../../../market/ohlcv.ts";
import { FIXTURE_FILES, readBarsCsv } from "../../../scan/fixtures.ts";
import { InputError } from "../../../util/errors.ts";
import type { DoorSource, InventoryEntry, SourceResult } from "../port.ts";

/**
 * The recorded hourly bars shipped in fixtures/ohlcv, for the venues of `scan.fixture_venues` (e.g. the 25
 * Binance USDT pairs; the cold table holds the scan venue's USD pairs only): `cold:fixtures`, immutable
 * history, never stale. Each file is read once per source.
 */
export function fixtureBarsSource(o: { id: string; venues: readonly string[] }): DoorSource<OhlcvRow> {
  for (const venue of o.venues) {
    if (!FIXTURE_FILES.some((f) => f.venue === venue)) {
      throw new InputError(
        `scan.fixture_venues: no shipped fixture for venue ${JSON.stringify(venue)} (have: ${
          FIXTURE_FILES.map((x) => x.venue).join(", ")
        })`,
      );
    }
  }
  const loaded = new Map<string, Promise<Map<string, OhlcvRow[]>>>();
  const rowsOf = (venue: string) => {
    let p = loaded.get(venue);
    if (!p) {
      p = (async () => {
        const by = new Map<string, OhlcvRow[]>();
        const file = FIXTURE_FILES.find((f) => f.venue === venue)!;
        for (const r of await readBarsCsv(file.url)) {
          let list = by.get(r.symbol);
          if (!list) by.set(r.symbol, list = []);
          list.push(r);
        }
        for (const list of by.values()) list.sort((a, b) => a.ts - b.ts);
        return by;
      })();
      p.catch(() => loaded.delete(venue));
      loaded.set(venue, p);
    }
    return p;
  };
  return {
    id: o.id,
    tier: "cold",
    maxAgeMs: null,
    covers: (venue) => o.venues.includes(venue),
    async read(req) {
      const by = await rowsOf(req.venue);
      const to = req.live ? req.now : req.to;
      const out = new Map<string, SourceResult<OhlcvRow>>();
      for (const symbol of req.symbols) {
        const rows = (by.get(symbol) ?? []).filter((r) => r.ts >= req.from && r.ts <= to);
        out.set(symbol, rows.length ? { rows, observedAt: rows[rows.length - 1].ts } : { miss: "miss" });
      }
      return out;
    },
    async inventory(venue) {
      const out = new Map<string, InventoryEntry<OhlcvRow>>();
      if (!o.venues.includes(venue)) return out;
      for (const [symbol, rows] of await rowsOf(venue)) {
        out.set(symbol, { newestTs: rows[rows.length - 1].ts, oldestTs: rows[0].ts, rows: rows.length });
      }
      return out;
    },
  };
}
