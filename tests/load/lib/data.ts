/**
 * Deterministic cold-tier data for the load targets (seeded LCG, as bench/cold_window.ts): `symbols` USD
 * pairs of random-walk bars every `stepMs` from `start`, written through the real cold store (one commit).
 */
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import type { OhlcvRow } from "../../../src/data/cold/types.ts";

export const START = Date.parse("2025-09-01T00:00:00Z");
export const HOUR = 3_600_000;

export function symbolName(i: number): string {
  return `C${String(i).padStart(3, "0")}/USD`;
}

export function* bars(symbols: number, count: number, stepMs: number, seed = 1234567): Generator<OhlcvRow> {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const names = Array.from({ length: symbols }, (_, i) => symbolName(i));
  // Distinct drifts so a scan ranks them apart.
  const drift = names.map((_, i) => ((i % 7) - 3) / 4000);
  const px = names.map((_, i) => 10 + i);
  for (let n = 0; n < count; n++) {
    const ts = START + n * stepMs;
    for (let k = 0; k < symbols; k++) {
      const open = px[k];
      const close = open * (1 + drift[k] + (rnd() - 0.5) / 100);
      px[k] = close;
      yield {
        ts,
        symbol: names[k],
        open,
        high: Math.max(open, close) * (1 + rnd() / 200),
        low: Math.min(open, close) * (1 - rnd() / 200),
        close,
        volume: Math.round((1 + rnd()) * 5e7) / 100,
      };
    }
  }
}

/** Writes the bars into `<dataDir>/cold/ohlcv` (the default table) in one commit; returns the rows written. */
export async function writeBars(dataDir: string, rows: Iterable<OhlcvRow>): Promise<number> {
  const store = openColdStore(ColdSection.parse({}), dataDir);
  const r = await store.write("ohlcv", rows);
  return r.rows;
}

/** Bytes read and bytes of the overlapping row groups for one window, through the real read path. */
export async function windowIo(
  dataDir: string,
  w: { from: number; to: number; columns?: string[]; symbols?: string[] },
): Promise<{ rows: number; bytesRead: number; overlap: number }> {
  const store = openColdStore(ColdSection.parse({}), dataDir);
  let rows = 0;
  let bytesRead = 0;
  let overlap = 0;
  for await (
    const b of store.readBatches("ohlcv", { from: w.from, to: w.to }, {
      columns: w.columns,
      symbols: w.symbols,
      onIo: (e) => {
        if (e.kind === "bytes") bytesRead += e.bytes;
        if (e.kind === "row_group") overlap += e.bytes;
      },
    })
  ) rows += b.length;
  return { rows, bytesRead, overlap };
}
