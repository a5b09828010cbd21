import type { OhlcvRow } from "../../market/ohlcv.ts";
import type { TimeRange } from "../../util/time.ts";
import type { Batch, RowInput, TableRow } from "./batch.ts";
import type { ColumnBatch } from "./columns.ts";
import type { TableSchema } from "./schema.ts";
import type { FileDigest } from "./checksum.ts";

export type { ColumnBatch } from "./columns.ts";
export type { Batch, RowInput, TableRow } from "./batch.ts";

export type { TimeRange } from "../../util/time.ts";

export { USD_PAIR_RE as SYMBOL_RE } from "../../market/symbols.ts";
export { OHLCV_COLUMNS, type OhlcvColumn } from "../../market/ohlcv_columns.ts";
export type { OhlcvRow } from "../../market/ohlcv.ts";

export type StorageFormat = "parquet" | "csv";
export type CsvCompression = "gzip" | "lz4" | "none";
export type ParquetCompression = "gzip" | "lz4" | "snappy" | "zstd" | "uncompressed";

/** Why a row was rejected (also the keys of `WriteResult.skipped`). */
export type InvalidReason =
  | "bad_ts"
  | "bad_symbol"
  | "non_finite_price"
  | "high_below_low"
  | "negative_volume"
  | "bad_value"
  | "duplicate"
  | "conflict"
  | "bad_row";

export interface WriteOptions {
  /** Overrides cfg.format / cfg.enable_parquet for this write. */
  format?: StorageFormat;
  /** Parquet codec (default cfg.parquet_compression) or CSV compression (default cfg.compression). */
  compression?: ParquetCompression | CsvCompression;
  /** Rows per Parquet row group (default cfg.row_group_size). */
  rowGroupSize?: number;
  /** Max rows per part file (a day with more rows gets several files). Bounds write memory. */
  maxRowsPerFile?: number;
  /** Skip invalid rows (counted by reason in the result) instead of failing the whole write. */
  skipInvalid?: boolean;
  /** How long to wait for another writer of the table (ms; 0 = fail at once; default cold.lock_timeout_ms). */
  waitMs?: number;
  /** Appended to the "table is being written" error (the CLI: "; use --wait"). */
  busyHint?: string;
  /** What is writing (recorded in the lock and the manifest; default "cryptorun"). */
  command?: string;
  /** Called with the number of rows accepted so far (progress bars). */
  onProgress?: (rowsSeen: number) => void;
  signal?: AbortSignal;
}

export interface WriteResult {
  rows: number;
  files: string[];
  partitions: string[];
  bytes: number;
  skipped: Partial<Record<InvalidReason, number>>;
  /** Rows whose (ts, symbol) was already stored with identical values (a re-run): not written again. */
  alreadyStored: number;
  /** The snapshot this write committed (null: nothing new to commit). */
  snapshot: number | null;
}

export interface ReadOptions {
  /** Project only these columns (default: all, in schema order). */
  columns?: string[];
  /** Only these symbols. */
  symbols?: string[];
  /**
   * Only files of this format (default: every file the table lists, whatever its format). A format the table
   * holds no file of is an error saying what it holds.
   */
  format?: StorageFormat;
  signal?: AbortSignal;
  /** Instrumentation: called for every file opened and every row group actually read. */
  onIo?: (event: IoEvent) => void;
}

export type IoEvent =
  | { kind: "partition"; dt: string }
  | { kind: "file"; path: string }
  | { kind: "row_group"; path: string; index: number; rows: number; bytes: number }
  | { kind: "bytes"; path: string; bytes: number };

export interface SymbolStats {
  rows: number;
  minTs: number | null;
  maxTs: number | null;
  /** Missing bar intervals between minTs and maxTs (interval = the most common step of this symbol). */
  gaps: number;
  /** The bar interval in ms inferred for this symbol (null with fewer than 2 rows). */
  intervalMs: number | null;
}

export interface ColdStats {
  table: string;
  /** The format asked for (files of other formats are not counted), or the configured one. */
  format: StorageFormat;
  path: string;
  /** "snapshot" (verified), "legacy" (wave-1 layout, unverified) or "empty". */
  layout?: "snapshot" | "legacy" | "empty";
  /** The current snapshot's version (null without one). */
  snapshot?: number | null;
  /** Files per format in the whole table (what `--format` can select). */
  formats?: Partial<Record<StorageFormat, number>>;
  partitions: number;
  files: number;
  rowGroups: number;
  rows: number;
  bytes: number;
  minTs: number | null;
  maxTs: number | null;
  perSymbol: Record<string, SymbolStats>;
}

/** The cold tier. Windows are [range.from, range.to], both inclusive; reads never yield ts > range.to. */
export interface ColdStore {
  readonly format: StorageFormat;
  readonly root: string;
  write(
    table: string,
    rows: Iterable<OhlcvRow> | AsyncIterable<OhlcvRow>,
    opts?: WriteOptions,
  ): Promise<WriteResult>;
  read(table: string, range: TimeRange, opts?: ReadOptions): AsyncIterable<Partial<OhlcvRow>>;
  /**
   * The fast path: the same window as columnar batches (ts/symbol always present, value columns as asked),
   * sorted by (ts, symbol). A batch is only valid until the next one is requested.
   */
  readBatches(table: string, range: TimeRange, opts?: ReadOptions): AsyncIterable<ColumnBatch>;
  writeParquet(
    table: string,
    rows: Iterable<OhlcvRow> | AsyncIterable<OhlcvRow>,
    opts?: WriteOptions,
  ): Promise<WriteResult>;
  readParquet(
    table: string,
    range: TimeRange,
    columns?: string[],
    opts?: ReadOptions,
  ): AsyncIterable<Partial<OhlcvRow>>;
  writeCsv(
    table: string,
    rows: Iterable<OhlcvRow> | AsyncIterable<OhlcvRow>,
    opts?: WriteOptions,
  ): Promise<WriteResult>;
  readCsv(
    table: string,
    range: TimeRange,
    columns?: string[],
    opts?: ReadOptions,
  ): AsyncIterable<Partial<OhlcvRow>>;
  stats(table: string, opts?: { format?: StorageFormat; signal?: AbortSignal }): Promise<ColdStats>;
}

/** Re-exported for callers that only import types.ts. */
export type Range = TimeRange;

/** Gaps of one series (a symbol; with a wider key, the key's values after ts, e.g. "BTC/USD krakenfutures"). */
export interface SeriesGaps {
  series: string;
  rows: number;
  firstTs: number | null;
  lastTs: number | null;
  /** The bar interval used (the given one, or the most common step; null with fewer than 2 rows). */
  intervalMs: number | null;
  /** Missing bars in total. */
  missing: number;
  /** Each hole: the first and last missing bar open (inclusive) and how many bars are missing. */
  runs: { from: number; to: number; missing: number }[];
}

export interface GapReport {
  table: string;
  range: TimeRange;
  series: SeriesGaps[];
}

export interface GapOptions {
  symbols?: string[];
  /** The bar interval (ms); default: per series, the most common step between its rows in the window. */
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * One table of the cold tier, any schema (store.ts `openColdTables`): the same guarantees as the ohlcv table
 * — snapshot commits, one writer, verified reads, PIT windows — with rows and batches keyed by column name.
 */
export interface ColdTableHandle {
  readonly name: string;
  /** The table directory (absolute). */
  readonly root: string;
  readonly schema: TableSchema;
  /** The format writes use (cold.tables.<name>.format, else cold.format). */
  readonly format: StorageFormat;
  write(rows: Iterable<RowInput> | AsyncIterable<RowInput>, opts?: WriteOptions): Promise<WriteResult>;
  /** Rows inside [from, to] (nothing later), sorted by key; only the asked columns. */
  read(range: TimeRange, opts?: ReadOptions): AsyncIterable<TableRow>;
  /** The same as columnar batches (key columns always present). A batch is valid until the next is asked. */
  readBatches(range: TimeRange, opts?: ReadOptions): AsyncIterable<Batch>;
  stats(opts?: { format?: StorageFormat; signal?: AbortSignal }): Promise<ColdStats>;
  gaps(range: TimeRange, opts?: GapOptions): Promise<GapReport>;
}

/** What a read of one part file asks, Parquet or CSV. */
export interface FileReadRequest {
  range: TimeRange;
  schema: TableSchema;
  /** Columns to project besides the key columns (always read: they drive the filters and the merge). */
  columns: readonly string[];
  symbols?: ReadonlySet<string>;
  signal?: AbortSignal;
  onIo?: (e: IoEvent) => void;
  batchSize?: number;
  /** The file's digest from the manifest: every byte read is verified against it (legacy files: none). */
  digest?: FileDigest;
  /**
   * Rewrites (compaction, moves, key checks) read every column of a file and must not drop any: a file with
   * columns the schema does not declare is refused instead of being read without them.
   */
  strict?: boolean;
}
