import { z } from "zod";
import { MAX_TIMER_MS } from "../../util/time.ts";
import { DEFAULT_OHLCV_FIELDS } from "./cold_fields.ts";

export { DEFAULT_OHLCV_FIELDS };

/** Table and column names: lower-case identifiers (DuckDB/Spark/Trino take them unquoted). */
const NAME_RE = /^[a-z][a-z0-9_]*$/;

/** One column of a cold-tier table (spec A1.1's `parquet_schema.fields`, plus `int64` and `added_later`). */
export const ParquetFieldSpec = z.strictObject({
  name: z.string().regex(NAME_RE, "expected a lower-case column name like close"),
  type: z.enum(["timestamp(ms)", "string", "double", "int64"]),
  required: z.boolean().default(false),
  primary: z.boolean().default(false),
  index: z.boolean().default(false),
  /**
   * Appended to the schema after files were written: files without it stay readable (the column reads as
   * null). Only nullable fields at the end of the list.
   */
  added_later: z.boolean().default(false),
});
export type ParquetFieldSpec = z.infer<typeof ParquetFieldSpec>;

export const ParquetSchemaSpec = z.strictObject({
  table: z.string().regex(NAME_RE, "expected a lower-case table name like ohlcv").default("ohlcv"),
  fields: z.array(ParquetFieldSpec).min(1).default(DEFAULT_OHLCV_FIELDS),
});
export type ParquetSchemaSpec = z.infer<typeof ParquetSchemaSpec>;

const CsvCompressionSpec = z.enum(["gzip", "lz4", "none"]);
const ParquetCompressionSpec = z.enum(["gzip", "lz4", "snappy", "zstd", "uncompressed"]);

/**
 * `cold.tables.<name>`: one table of the cold tier (docs/COLD.md "Tables"). A built-in table (ohlcv,
 * ohlcv_1m, derivs) needs no entry; an entry overrides what it sets. A new table gives `fields` (or `schema`,
 * a built-in table whose columns it copies). Unset storage keys fall back to the `cold.*` ones.
 */
export const ColdTableSpec = z.strictObject({
  /** The table's directory: relative paths are under --data-dir (default `<dir of cold.path>/<name>`). */
  path: z.string().min(1).optional(),
  /** The built-in table whose columns and key this one copies (e.g. ohlcv_1m). */
  schema: z.string().regex(NAME_RE, "expected a built-in table name like ohlcv_1m").optional(),
  fields: z.array(ParquetFieldSpec).min(2).optional(),
  /** Columns that identify a row (default: ts, symbol); files are sorted by them. */
  key: z.array(z.string()).min(2).optional(),
  format: z.enum(["csv", "parquet"]).optional(),
  enable_parquet: z.boolean().optional(),
  compression: CsvCompressionSpec.optional(),
  parquet_compression: ParquetCompressionSpec.optional(),
  row_group_size: z.number().int().positive().optional(),
});
export type ColdTableSpec = z.infer<typeof ColdTableSpec>;

/** `cold:` in config/data_sources.yaml — the cold tier (spec A1.1, A2.1). */
export const ColdSection = z.strictObject({
  format: z.enum(["csv", "parquet"]).default("parquet"),
  enable_parquet: z.boolean().default(true),
  /** The table `table` (ohlcv) and its fields; the spec's spelling of `tables.<table>.fields`. */
  parquet_schema: ParquetSchemaSpec.prefault({}),
  /** Relative paths are under --data-dir: the directory of table `parquet_schema.table`. */
  path: z.string().min(1).default("cold/ohlcv"),
  /** CSV files: `.csv.gz` (gzip), `.csv.lz4` (LZ4 frame) or `.csv` (none). */
  compression: CsvCompressionSpec.default("gzip"),
  /** Parquet codec; `lz4` is written as LZ4_RAW (readable by DuckDB, Spark, Trino). */
  parquet_compression: ParquetCompressionSpec.default("zstd"),
  row_group_size: z.number().int().positive().default(128 * 1024),
  /** Snapshots kept before the current one (besides those inside the grace period). */
  keep_snapshots: z.number().int().nonnegative().max(1000).default(2),
  /** A snapshot superseded less than this long ago is kept (readers that resolved it finish). */
  snapshot_grace_ms: z.number().int().nonnegative().default(3_600_000),
  /** How long in-process writers (ingest, poll, scan bootstrap) wait for another writer of the table. */
  lock_timeout_ms: z.number().int().nonnegative().max(MAX_TIMER_MS).default(60_000),
  /** More tables, and overrides of the built-in ones (docs/COLD.md "Tables"). */
  tables: z.record(z.string(), ColdTableSpec).superRefine((tables, ctx) => {
    for (const name of Object.keys(tables)) {
      if (!NAME_RE.test(name)) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: "expected a lower-case table name like derivs",
        });
      }
    }
  }).default({}),
});
export type ColdConfig = z.infer<typeof ColdSection>;
