import { z } from "zod";

/** `cold:` in config/data_sources.yaml — the cold tier (spec A1.1, A2.1). */
export const ColdSection = z.strictObject({
  format: z.enum(["csv", "parquet"]).default("parquet"),
  enable_parquet: z.boolean().default(true),
  /** Relative paths are under --data-dir. */
  path: z.string().min(1).default("cold/ohlcv"),
  compression: z.enum(["gzip", "lz4", "none"]).default("gzip"),
  parquet_compression: z.enum(["gzip", "lz4", "snappy", "zstd", "uncompressed"]).default("zstd"),
  row_group_size: z.number().int().positive().default(128 * 1024),
});
export type ColdConfig = z.infer<typeof ColdSection>;
