/**
 * Parquet parts of the cold tier, by concern: footer and statistics (parquet_footer.ts), writing
 * (parquet_write.ts), reading PIT windows (parquet_read.ts). This module re-exports them for callers.
 */
export {
  corrupt,
  footerOf,
  type ParquetFooter,
  pruneRowGroups,
  readFooter,
  type RowGroupInfo,
} from "./parquet_footer.ts";
export { encodeParquet, PARQUET_CODECS } from "./parquet_write.ts";
export { assertFileSchema, type ParquetReadRequest, readParquetFile, windowSpan } from "./parquet_read.ts";
