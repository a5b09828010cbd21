import type { Batch } from "./batch.ts";

/**
 * The `OhlcvRow` facade's batch shape (ohlcv and ohlcv_1m through `openColdStore`): the generic batch's
 * columns as named properties. Converting costs nothing per row (the same arrays).
 */

/** Numeric columns of the ohlcv table besides ts. */
export const VALUE_COLUMNS = ["open", "high", "low", "close", "volume"] as const;
export type ValueColumn = typeof VALUE_COLUMNS[number];

/** A projected batch as the readers yield it: `ts` and `symbol` are always present (for filtering). */
export interface ColumnBatch {
  length: number;
  ts: Float64Array;
  symbol: string[];
  open?: Float64Array;
  high?: Float64Array;
  low?: Float64Array;
  close?: Float64Array;
  volume?: Float64Array;
}

/** A generic batch of an ohlcv-layout table as a ColumnBatch (columns beyond the ohlcv ones stay too). */
export function toColumnBatch(b: Batch): ColumnBatch {
  return { ...b.cols, length: b.length } as unknown as ColumnBatch;
}
