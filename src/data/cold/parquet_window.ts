import { type Batch, compactBatch } from "./batch.ts";
import type { FileReadRequest } from "./types.ts";

/** What a Parquet read asks (both decoders), and the window filters they share. */

/** What a Parquet read asks (types.ts `FileReadRequest`). */
export type ParquetReadRequest = FileReadRequest;

/**
 * The rows of a ts column inside [from, to]: [lo, hi) holds all of them (in sorted data, only them:
 * kept === hi - lo). The whole column is scanned: stopping at the first ts > to would silently drop rows of
 * a file that is not sorted further on (a foreign file); row groups past `to` are pruned by their
 * statistics instead. A plain function so V8 optimises its loop early.
 */
export function windowSpan(
  ts: Float64Array,
  from: number,
  to: number,
): { lo: number; hi: number; kept: number } {
  let lo = -1;
  let hi = -1;
  let kept = 0;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (t >= from && t <= to) {
      if (lo < 0) lo = i;
      hi = i + 1;
      kept++;
    }
  }
  return { lo, hi, kept };
}

/** keep[i] = 1 for the rows with from <= ts <= to (and a wanted symbol); returns how many. */
function windowMask(
  ts: Float64Array,
  symbol: string[],
  from: number,
  to: number,
  symbols: ReadonlySet<string> | undefined,
  keep: Uint8Array,
): number {
  let kept = 0;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (t >= from && t <= to && (!symbols || symbols.has(symbol[i]))) {
      keep[i] = 1;
      kept++;
    }
  }
  return kept;
}

/**
 * The rows of a batch spanning [lo, hi) of windowSpan that are inside the window and of a wanted symbol
 * (all of them when the span holds only window rows and no symbol filter is set); undefined when none.
 */
export function keepInWindow(batch: Batch, spanKept: number, req: ParquetReadRequest): Batch | undefined {
  if (spanKept === batch.length && !req.symbols) return batch;
  const keep = new Uint8Array(batch.length);
  const ts = batch.cols.ts as Float64Array;
  const kept = windowMask(ts, batch.cols.symbol as string[], req.range.from, req.range.to, req.symbols, keep);
  if (kept === 0) return undefined;
  return compactBatch(batch, keep, kept);
}
