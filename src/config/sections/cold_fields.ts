import type { ParquetFieldSpec } from "./cold.ts";

/**
 * The default `cold.parquet_schema.fields`, without zod: the cold tier's read path takes the ohlcv table's
 * columns from here and so never loads the config schemas (issue #21).
 */

/** The spec's ohlcv schema, exactly (field order matters: files are validated against it). */
export const DEFAULT_OHLCV_FIELDS: ParquetFieldSpec[] = [
  { name: "ts", type: "timestamp(ms)", required: true, primary: true, index: false, added_later: false },
  { name: "symbol", type: "string", required: true, primary: false, index: true, added_later: false },
  { name: "open", type: "double", required: false, primary: false, index: false, added_later: false },
  { name: "high", type: "double", required: false, primary: false, index: false, added_later: false },
  { name: "low", type: "double", required: false, primary: false, index: false, added_later: false },
  { name: "close", type: "double", required: false, primary: false, index: false, added_later: false },
  { name: "volume", type: "double", required: false, primary: false, index: false, added_later: false },
];
