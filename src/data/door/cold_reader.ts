import type { OhlcvRow } from "../../market/ohlcv.ts";
import { InputError, show } from "../../util/errors.ts";
import type { ColdReader } from "../publish_cold.ts";
import type { DataDoor } from "./door.ts";
import type { MarketKinds } from "./kinds.ts";

/**
 * One venue's bars in the cold tier, read through the data door, in the shape the cold-tier publisher pages
 * through (src/data/publish_cold.ts): only cold sources are asked (it publishes the cold tier, nothing
 * fetched or cached), every window is PIT-clamped by the door, rows come sorted by (ts, symbol). Without a
 * symbol list, every symbol the venue's cold sources hold (listed once).
 */
export function doorColdReader(
  door: Pick<DataDoor<MarketKinds>, "read" | "inventory">,
  venue: string,
  table: string,
): ColdReader {
  let all: Promise<string[]> | undefined;
  const everySymbol = (signal?: AbortSignal) =>
    all ??= door.inventory("bars", venue, Date.now(), signal).then((invs) =>
      [...new Set(invs.filter((i) => i.tier === "cold").flatMap((i) => [...i.entries.keys()]))].sort()
    );
  return {
    async *read(t, range, opts = {}) {
      if (t !== table) {
        throw new InputError(`table: unknown table ${show(t)} (the cold tier stores ${table})`);
      }
      const symbols = opts.symbols ?? await everySymbol(opts.signal);
      if (symbols.length === 0) return;
      const read = await door.read("bars", {
        venue,
        symbols,
        from: range.from,
        to: range.to,
        tiers: ["cold"],
        signal: opts.signal,
      });
      const rows: OhlcvRow[] = [...read.answers.values()].flatMap((a) => a.rows);
      rows.sort((a, b) => a.ts - b.ts || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
      yield* rows;
    },
  };
}
