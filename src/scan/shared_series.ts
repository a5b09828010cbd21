import type { Bars } from "../factors/bars.ts";
import type { SymbolSeries } from "./engine.ts";

/**
 * Many symbols' bars in six shared columns (one SharedArrayBuffer per field): what a pool of scan workers
 * reads without a copy each. Built once by the caller; `unpackSeries` gives back `SymbolSeries` whose bars are
 * views into the shared columns (the same values, bit for bit).
 */
export interface PackedSeries {
  meta: { symbol: string; venue: string; quote: string }[];
  /** Series i holds bars [offsets[i], offsets[i + 1]) of every column. */
  offsets: number[];
  columns: Record<keyof Bars, Float64Array>;
}

const FIELDS = ["ts", "open", "high", "low", "close", "volume"] as const satisfies readonly (keyof Bars)[];

/** Copies every series' bars into shared columns (one copy; a view's whole buffer is never cloned). */
export function packSeries(series: readonly SymbolSeries[]): PackedSeries {
  const offsets = [0];
  for (const s of series) offsets.push(offsets[offsets.length - 1] + s.bars.ts.length);
  const total = offsets[offsets.length - 1];
  const columns = {} as Record<keyof Bars, Float64Array>;
  for (const f of FIELDS) {
    const col = new Float64Array(new SharedArrayBuffer(total * Float64Array.BYTES_PER_ELEMENT));
    series.forEach((s, i) => col.set(s.bars[f], offsets[i]));
    columns[f] = col;
  }
  return { meta: series.map(({ symbol, venue, quote }) => ({ symbol, venue, quote })), offsets, columns };
}

/** The series again, their bars views into the shared columns. */
export function unpackSeries(p: PackedSeries): SymbolSeries[] {
  return p.meta.map((m, i) => {
    const [lo, hi] = [p.offsets[i], p.offsets[i + 1]];
    const bars = {} as Bars;
    for (const f of FIELDS) bars[f] = p.columns[f].subarray(lo, hi);
    return { ...m, bars };
  });
}
