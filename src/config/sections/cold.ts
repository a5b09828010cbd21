import { z } from "zod";
import { MAX_TIMER_MS } from "../../util/time.ts";

/** One column of `cold.parquet_schema` (spec A1.1). */
export const ParquetFieldSpec = z.strictObject({
  name: z.string().min(1),
  type: z.enum(["timestamp(ms)", "string", "double"]),
  required: z.boolean().default(false),
  primary: z.boolean().default(false),
  index: z.boolean().default(false),
});
export type ParquetFieldSpec = z.infer<typeof ParquetFieldSpec>;

/** The spec's ohlcv schema, exactly (field order matters: files are validated against it). */
export const DEFAULT_OHLCV_FIELDS: ParquetFieldSpec[] = [
  { name: "ts", type: "timestamp(ms)", required: true, primary: true, index: false },
  { name: "symbol", type: "string", required: true, primary: false, index: true },
  { name: "open", type: "double", required: false, primary: false, index: false },
  { name: "high", type: "double", required: false, primary: false, index: false },
  { name: "low", type: "double", required: false, primary: false, index: false },
  { name: "close", type: "double", required: false, primary: false, index: false },
  { name: "volume", type: "double", required: false, primary: false, index: false },
];

export const ParquetSchemaSpec = z.strictObject({
  table: z.string().regex(/^[a-z][a-z0-9_]*$/, "expected a lower-case table name like ohlcv").default(
    "ohlcv",
  ),
  fields: z.array(ParquetFieldSpec).min(1).default(DEFAULT_OHLCV_FIELDS),
});
export type ParquetSchemaSpec = z.infer<typeof ParquetSchemaSpec>;

/** `cold:` in config/data_sources.yaml — the cold tier (spec A1.1, A2.1). */
export const ColdSection = z.strictObject({
  format: z.enum(["csv", "parquet"]).default("parquet"),
  enable_parquet: z.boolean().default(true),
  parquet_schema: ParquetSchemaSpec.prefault({}),
  /** Relative paths are under --data-dir; the table name is the last path element. */
  path: z.string().min(1).default("cold/ohlcv"),
  /** CSV files: `.csv.gz` (gzip), `.csv.lz4` (LZ4 frame) or `.csv` (none). */
  compression: z.enum(["gzip", "lz4", "none"]).default("gzip"),
  /** Parquet codec; `lz4` is written as LZ4_RAW (readable by DuckDB, Spark, Trino). */
  parquet_compression: z.enum(["gzip", "lz4", "snappy", "zstd", "uncompressed"]).default("zstd"),
  row_group_size: z.number().int().positive().default(128 * 1024),
  /** Snapshots kept before the current one (besides those inside the grace period). */
  keep_snapshots: z.number().int().nonnegative().max(1000).default(2),
  /** A snapshot superseded less than this long ago is kept (readers that resolved it finish). */
  snapshot_grace_ms: z.number().int().nonnegative().default(3_600_000),
  /** How long in-process writers (ingest, poll, scan bootstrap) wait for another writer of the table. */
  lock_timeout_ms: z.number().int().nonnegative().max(MAX_TIMER_MS).default(60_000),
});
export type ColdConfig = z.infer<typeof ColdSection>;
