import type { ParquetSchemaSpec } from "../../config/sections/cold.ts";
import { InputError, show } from "../../util/errors.ts";
import { writeFileSynced } from "../../util/atomic_write.ts";
import { failpoint } from "../../util/failpoint.ts";
import { isoMs } from "../../util/time.ts";
import { digestBytes, type FileDigest } from "./checksum.ts";
import { type ColumnBatch, type Columns, ColumnsBuilder, filterColumns, VALUE_COLUMNS } from "./columns.ts";
import { CSV_EXTENSIONS } from "./compression.ts";
import type { Transaction } from "./commit.ts";
import { writeCsvFile } from "./csv_file.ts";
import { dtOf } from "./layout.ts";
import type { ManifestFile } from "./manifest.ts";
import { encodeParquet } from "./parquet_write.ts";
import { checkRow } from "./row_check.ts";
import type {
  CsvCompression,
  InvalidReason,
  OhlcvRow,
  ParquetCompression,
  StorageFormat,
  TimeRange,
  WriteResult,
} from "./types.ts";

/** How one part file is encoded. */
export interface PartEncoder {
  format: StorageFormat;
  ext: string;
  codec: string;
  /** Row groups a part of `rows` rows gets (0 for CSV). */
  rowGroups(rows: number): number;
  /** Writes sorted rows to `path` (a staging path), fsynced. Returns the digest of the bytes written. */
  write(path: string, cols: Columns): Promise<FileDigest>;
}

export function parquetEncoder(
  spec: ParquetSchemaSpec,
  compression: ParquetCompression,
  rowGroupSize: number,
): PartEncoder {
  return {
    format: "parquet",
    ext: ".parquet",
    codec: compression,
    rowGroups: (rows) => Math.ceil(rows / rowGroupSize),
    async write(path, cols) {
      const bytes = encodeParquet(cols, spec, compression, rowGroupSize);
      const digest = await digestBytes(bytes);
      await writeFileSynced(path, bytes);
      return digest;
    },
  };
}

export function csvEncoder(compression: CsvCompression): PartEncoder {
  return {
    format: "csv",
    ext: CSV_EXTENSIONS[compression],
    codec: compression,
    rowGroups: () => 0,
    write: (path, cols) => writeCsvFile(path, cols, compression),
  };
}

/** Reads the rows of one file of the table (verified against its manifest entry) inside a window. */
export type FileReader = (
  path: string,
  entry: ManifestFile,
  range: TimeRange,
  withValues: boolean,
) => AsyncIterable<ColumnBatch>;

export interface WriteRowsOptions {
  txn: Transaction;
  encoder: PartEncoder;
  readFile: FileReader;
  maxRowsPerFile: number;
  skipInvalid: boolean;
  signal?: AbortSignal;
  onProgress?: (rowsSeen: number) => void;
}

/** What writeRows staged (the caller commits it). */
export type StagedWrite = Omit<WriteResult, "files" | "snapshot"> & { staged: ManifestFile[] };

const key = (ts: number, symbol: string) => `${ts}|${symbol}`;

/** Writes sorted rows of day `dt` as a new part in the transaction's staging directory and adds it. */
export async function stagePart(
  txn: Transaction,
  encoder: PartEncoder,
  dt: string,
  cols: Columns,
): Promise<{ entry: ManifestFile; path: string }> {
  const name = txn.allocatePart(dt, encoder.ext);
  const path = await txn.stagingPath(dt, name);
  const digest = await encoder.write(path, cols);
  const entry: ManifestFile = {
    dt,
    name,
    format: encoder.format,
    codec: encoder.codec,
    size: digest.size,
    rows: cols.length,
    min_ts: cols.ts[0],
    max_ts: cols.ts[cols.length - 1],
    row_groups: encoder.rowGroups(cols.length),
    blake3: digest.blake3,
    block_size: digest.blockSize,
    blocks: digest.blocks,
  };
  txn.add(entry, path);
  return { entry, path };
}

/**
 * Validates rows, buffers them per UTC day (at most `maxRowsPerFile` rows in memory), and stages each
 * flushed buffer sorted by (ts, symbol) as a new part of the transaction. Keys are checked before staging:
 * a (ts, symbol) twice in the input is a duplicate; one already stored with identical values is counted as
 * already stored and not written again (so a re-run of the same input converges); one stored with other
 * values is a conflict. Duplicates and conflicts are errors naming the row, or skipped and counted with
 * `skipInvalid`. Nothing is visible to readers until the caller commits the transaction.
 */
export async function writeRows(
  rows: Iterable<OhlcvRow> | AsyncIterable<OhlcvRow>,
  o: WriteRowsOptions,
): Promise<StagedWrite> {
  const buffers = new Map<string, ColumnsBuilder>();
  const staged: { entry: ManifestFile; path: string }[] = [];
  const skipped: Partial<Record<InvalidReason, number>> = {};
  let alreadyStored = 0;
  let buffered = 0;
  let seen = 0;
  const skip = (r: InvalidReason, n = 1) => (skipped[r] = (skipped[r] ?? 0) + n);
  await failpoint("cold.before_stage");

  const flush = async (dt: string) => {
    const b = buffers.get(dt)!;
    buffers.delete(dt);
    buffered -= b.length;
    const checked = await checkKeys(b.buildSorted(), dt, staged, o, skip);
    alreadyStored += checked.alreadyStored;
    const cols = checked.cols;
    if (cols.length === 0) return;
    const { entry, path } = await stagePart(o.txn, o.encoder, dt, cols);
    staged.push({ entry, path });
    await failpoint("cold.staged");
  };

  for await (const row of rows as AsyncIterable<OhlcvRow>) {
    seen++;
    if ((seen & 0xfff) === 0) {
      o.signal?.throwIfAborted();
      o.onProgress?.(seen);
    }
    const problem = checkRow(row as unknown as Record<string, unknown>);
    if (problem) {
      if (o.skipInvalid) {
        skip(problem.reason);
        continue;
      }
      throw new InputError(`row ${seen}: ${problem.message}; sample row: ${show(row, 200)}`);
    }
    const dt = dtOf(row.ts);
    let b = buffers.get(dt);
    if (!b) buffers.set(dt, b = new ColumnsBuilder());
    b.push(row);
    buffered++;
    if (buffered >= o.maxRowsPerFile) {
      let largest = dt;
      for (const [d, bb] of buffers) if (bb.length > buffers.get(largest)!.length) largest = d;
      await flush(largest);
    }
  }
  for (const dt of [...buffers.keys()].sort()) await flush(dt);
  o.signal?.throwIfAborted();
  o.onProgress?.(seen);
  const partitions = [...new Set(staged.map((s) => s.entry.dt))].sort();
  return {
    rows: staged.reduce((n, s) => n + s.entry.rows, 0),
    partitions,
    bytes: staged.reduce((n, s) => n + s.entry.size, 0),
    skipped,
    alreadyStored,
    staged: staged.map((s) => s.entry),
  };
}

const overlaps = (f: ManifestFile, r: TimeRange) =>
  f.min_ts === null || f.max_ts === null || (f.max_ts >= r.from && f.min_ts <= r.to);

/** Drops duplicates, rows already stored identically and conflicts (or throws, without skipInvalid). */
async function checkKeys(
  cols: Columns,
  dt: string,
  staged: { entry: ManifestFile; path: string }[],
  o: WriteRowsOptions,
  skip: (r: InvalidReason, n?: number) => void,
): Promise<{ cols: Columns; alreadyStored: number }> {
  const n = cols.length;
  if (n === 0) return { cols, alreadyStored: 0 };
  const keep = new Uint8Array(n).fill(1);
  let dups = 0;
  let firstDup = -1;
  const dup = (i: number) => {
    keep[i] = 0;
    dups++;
    if (firstDup < 0 || i < firstDup) firstDup = i;
  };
  for (let i = 1; i < n; i++) {
    if (cols.ts[i] === cols.ts[i - 1] && cols.symbol[i] === cols.symbol[i - 1]) dup(i);
  }
  const range = { from: cols.ts[0], to: cols.ts[n - 1] };
  // Earlier flushes of this write (an unsorted input larger than maxRowsPerFile): duplicates of the input.
  for (const s of staged) {
    if (s.entry.dt !== dt || !overlaps(s.entry, range)) continue;
    const keys = new Set<string>();
    for await (const b of o.readFile(s.path, s.entry, range, false)) {
      for (let i = 0; i < b.length; i++) keys.add(key(b.ts[i], b.symbol[i]));
    }
    for (let i = 0; i < n; i++) if (keep[i] && keys.has(key(cols.ts[i], cols.symbol[i]))) dup(i);
  }
  if (dups > 0 && !o.skipInvalid) {
    throw new InputError(
      `duplicate (ts, symbol): ${isoMs(cols.ts[firstDup])} ${cols.symbol[firstDup]} ` +
        `(ts=${
          cols.ts[firstDup]
        }) appears more than once in the input; ${dups} duplicate row(s) in day ${dt} ` +
        `(use --skip-invalid to skip them)`,
    );
  }
  if (dups > 0) skip("duplicate", dups);
  // Rows already committed: identical → already stored; different values → conflict.
  let already = 0;
  let conflicts = 0;
  let firstConflict: { i: number; file: string; stored: Record<string, number> } | undefined;
  const base = o.txn.base;
  const stored = (base?.manifest.files ?? []).filter((f) => f.dt === dt && overlaps(f, range));
  if (stored.length > 0) {
    const index = new Map<string, number>();
    for (let i = 0; i < n; i++) if (keep[i]) index.set(key(cols.ts[i], cols.symbol[i]), i);
    for (const f of stored) {
      const path = o.txn.basePath(f);
      for await (const b of o.readFile(path, f, range, true)) {
        for (let j = 0; j < b.length; j++) {
          const i = index.get(key(b.ts[j], b.symbol[j]));
          if (i === undefined || !keep[i]) continue;
          keep[i] = 0;
          if (VALUE_COLUMNS.every((c) => b[c]![j] === cols[c][i])) {
            already++;
            continue;
          }
          conflicts++;
          if (!firstConflict || i < firstConflict.i) {
            const values: Record<string, number> = {};
            for (const c of VALUE_COLUMNS) values[c] = b[c]![j];
            firstConflict = { i, file: path, stored: values };
          }
        }
      }
    }
  }
  if (conflicts > 0) {
    if (!o.skipInvalid) {
      const { i, file, stored: was } = firstConflict!;
      const input: Record<string, number> = {};
      for (const c of VALUE_COLUMNS) input[c] = cols[c][i];
      throw new InputError(
        `conflict: (ts, symbol) ${isoMs(cols.ts[i])} ${cols.symbol[i]} (ts=${cols.ts[i]}) is already ` +
          `stored with other values: stored ${show(was, 200)} in ${file}, input ${show(input, 200)}; ` +
          `${conflicts} conflicting row(s) in day ${dt} (use --skip-invalid to skip them)`,
      );
    }
    skip("conflict", conflicts);
  }
  return {
    cols: dups + already + conflicts === 0 ? cols : filterColumns(cols, keep),
    alreadyStored: already,
  };
}
