/**
 * Parquet parts of the cold tier, by concern: footer and statistics (parquet_footer.ts), reading PIT windows
 * (parquet_read.ts; parquet_wasm_read.ts for the files the page decoder does not take), writing
 * (parquet_write.ts — the writer stack, parquet-wasm and apache-arrow: import it from there, never from here,
 * so that readers never load it). This module re-exports the read side for callers.
 */
export {
  corrupt,
  footerOf,
  type ParquetFooter,
  pruneRowGroups,
  readFooter,
  type RowGroupInfo,
} from "./parquet_footer.ts";
export { assertFileSchema, type ParquetReadRequest, readParquetFile, windowSpan } from "./parquet_read.ts";
