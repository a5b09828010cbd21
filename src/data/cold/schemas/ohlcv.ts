import { DEFAULT_OHLCV_FIELDS } from "../../../config/sections/cold_fields.ts";
import type { FieldSpec, TableSchema } from "../schema.ts";

/**
 * The bar tables. `ohlcv` (hourly bars; the spec's `parquet_schema`, unchanged since wave 1) and `ohlcv_1m`
 * (1-minute bars from live trades, backfill and bulk import): the same columns plus `vwap` and `trades`.
 *
 * One family, not two schemas: ohlcv_1m is ohlcv with two nullable columns appended. They are `added_later`
 * because ohlcv_1m tables written before them (live ingest, wave 2) hold only the ohlcv columns: those files
 * stay readable (vwap and trades read as null), and bars that do not know them (live bars built from trades
 * without a count) store null. Both keyed by (ts, symbol).
 */

export const OHLCV_FIELDS: FieldSpec[] = DEFAULT_OHLCV_FIELDS.map((f) => ({ ...f }));

export const OHLCV_1M_FIELDS: FieldSpec[] = [
  ...OHLCV_FIELDS,
  /** Volume-weighted average price of the minute's trades (quote per base); null when not known. */
  { name: "vwap", type: "double", required: false, added_later: true },
  /** Number of trades in the minute; null when not known. */
  { name: "trades", type: "int64", required: false, added_later: true },
];

export const BAR_KEY = ["ts", "symbol"];

/** The ohlcv table's schema (the default of the lower-level write functions). */
export const OHLCV_SCHEMA: TableSchema = { table: "ohlcv", fields: OHLCV_FIELDS, key: BAR_KEY };
