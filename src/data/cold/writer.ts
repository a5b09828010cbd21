import { InputError, show } from "../../util/errors.ts";
import { writeFileSynced } from "../../util/atomic_write.ts";
import { failpoint } from "../../util/failpoint.ts";
import { isoMs } from "../../util/time.ts";
import { type Batch, BatchBuilder, compactBatch, keyString, num, type RowInput, sameValue } from "./batch.ts";
import { digestBytes, type FileDigest } from "./checksum.ts";
import { CSV_EXTENSIONS } from "./compression.ts";
import type { Transaction } from "./commit.ts";
import { writeCsvFile } from "./csv_file.ts";
import { dtOf } from "./layout.ts";
import type { ManifestFile } from "./manifest.ts";
import { encodeParquet } from "./parquet_write.ts";
import { checkRow, type RowCheck } from "./row_check.ts";
import { OHLCV_SCHEMA } from "./schemas/ohlcv.ts";
import { type FieldSpec, type TableSchema, valueColumns } from "./schema.ts";
import type {
  CsvCompression,
  InvalidReason,
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
  write(path: string, cols: Batch): Promise<FileDigest>;
}

export function parquetEncoder(
  spec: { fields: readonly FieldSpec[] },
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

export function csvEncoder(compression: CsvCompression, schema: TableSchema): PartEncoder {
  return {
    format: "csv",
    ext: CSV_EXTENSIONS[compression],
    codec: compression,
    rowGroups: () => 0,
    write: (path, cols) => writeCsvFile(path, cols, compression, schema),
  };
}

/**
 * Reads the rows of one file of the table (verified against its manifest entry) inside a window: the key
 * columns, plus every other column with `withValues` (then a file holding undeclared columns is refused:
 * the caller rewrites or compares whole rows).
 */
export type FileReader = (
  path: string,
  entry: ManifestFile,
  range: TimeRange,
  withValues: boolean,
) => AsyncIterable<Batch>;

export interface WriteRowsOptions {
  txn: Transaction;
  encoder: PartEncoder;
  readFile: FileReader;
  /** The table's schema (key, columns); default: the ohlcv table's. */
  schema?: TableSchema;
  /** The table's row check; default: the ohlcv table's (checkRow). */
  check?: RowCheck;
  /**
   * The columns whose equality makes an input row "already stored" (default: every non-key column). A move
   * compares only the columns it copied, so a re-run that flags a row again at another time converges.
   */
  compare?: string[];
  maxRowsPerFile: number;
  skipInvalid: boolean;
  signal?: AbortSignal;
  onProgress?: (rowsSeen: number) => void;
}

/** What writeRows staged (the caller commits it). */
export type StagedWrite = Omit<WriteResult, "files" | "snapshot"> & { staged: ManifestFile[] };

/** Writes sorted rows of day `dt` as a new part in the transaction's staging directory and adds it. */
export async function stagePart(
  txn: Transaction,
  encoder: PartEncoder,
  dt: string,
  cols: Batch,
): Promise<{ entry: ManifestFile; path: string }> {
  const name = txn.allocatePart(dt, encoder.ext);
  const path = await txn.stagingPath(dt, name);
  const digest = await encoder.write(path, cols);
  const ts = num(cols, "ts");
  const entry: ManifestFile = {
    dt,
    name,
    format: encoder.format,
    codec: encoder.codec,
    size: digest.size,
    rows: cols.length,
    min_ts: ts[0],
    max_ts: ts[cols.length - 1],
    row_groups: encoder.rowGroups(cols.length),
    blake3: digest.blake3,
    block_size: digest.blockSize,
    blocks: digest.blocks,
  };
  txn.add(entry, path);
  return { entry, path };
}

/** "(ts, symbol)" or "(ts, symbol, venue, record, contract)": how messages name a key. */
export function keyNames(key: readonly string[]): string {
  return `(${key.join(", ")})`;
}

/** "2025-09-01T01:00:00.000Z ETH/USD [venue…] (ts=…)": how messages show the key of row i. */
export function showKey(b: Batch, i: number, key: readonly string[]): string {
  const ts = num(b, "ts")[i];
  const rest = key.slice(1).map((k) => b.cols[k][i]).join(" ");
  return `${isoMs(ts)} ${rest} (ts=${ts})`;
}

/**
 * Validates rows, buffers them per UTC day (at most `maxRowsPerFile` rows in memory), and stages each
 * flushed buffer sorted by key as a new part of the transaction. Keys are checked before staging: a key
 * twice in the input is a duplicate; one already stored with identical values is counted as already stored
 * and not written again (so a re-run of the same input converges); one stored with other values is a
 * conflict. Duplicates and conflicts are errors naming the row, or skipped and counted with `skipInvalid`.
 * Nothing is visible to readers until the caller commits the transaction.
 */
export async function writeRows(
  rows: Iterable<RowInput> | AsyncIterable<RowInput>,
  opts: WriteRowsOptions,
): Promise<StagedWrite> {
  const o = { ...opts, schema: opts.schema ?? OHLCV_SCHEMA, check: opts.check ?? checkRow };
  const buffers = new Map<string, BatchBuilder>();
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

  for await (const row of rows as AsyncIterable<RowInput>) {
    seen++;
    if ((seen & 0xfff) === 0) {
      o.signal?.throwIfAborted();
      o.onProgress?.(seen);
    }
    const problem = o.check(row as Record<string, unknown>);
    if (problem) {
      if (o.skipInvalid) {
        skip(problem.reason);
        continue;
      }
      throw new InputError(`row ${seen}: ${problem.message}; sample row: ${show(row, 200)}`);
    }
    const dt = dtOf(row.ts as number);
    let b = buffers.get(dt);
    if (!b) buffers.set(dt, b = new BatchBuilder(o.schema));
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

export const overlaps = (f: ManifestFile, r: TimeRange) =>
  f.min_ts === null || f.max_ts === null || (f.max_ts >= r.from && f.min_ts <= r.to);

/** Values of the given columns of row i, for messages. */
function valuesOf(b: Batch, i: number, cols: readonly string[]): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const c of cols) out[c] = b.cols[c][i];
  return out;
}

/** Drops duplicates, rows already stored identically and conflicts (or throws, without skipInvalid). */
async function checkKeys(
  cols: Batch,
  dt: string,
  staged: { entry: ManifestFile; path: string }[],
  o: WriteRowsOptions & { schema: TableSchema },
  skip: (r: InvalidReason, n?: number) => void,
): Promise<{ cols: Batch; alreadyStored: number }> {
  const n = cols.length;
  if (n === 0) return { cols, alreadyStored: 0 };
  const key = o.schema.key;
  const compare = o.compare ?? valueColumns(o.schema);
  const ts = num(cols, "ts");
  const keep = new Uint8Array(n).fill(1);
  let dups = 0;
  let firstDup = -1;
  const dup = (i: number) => {
    keep[i] = 0;
    dups++;
    if (firstDup < 0 || i < firstDup) firstDup = i;
  };
  const keyCols = key.map((k) => cols.cols[k]);
  for (let i = 1; i < n; i++) {
    if (keyCols.every((c) => c[i] === c[i - 1])) dup(i);
  }
  const range = { from: ts[0], to: ts[n - 1] };
  // Earlier flushes of this write (an unsorted input larger than maxRowsPerFile): duplicates of the input.
  for (const s of staged) {
    if (s.entry.dt !== dt || !overlaps(s.entry, range)) continue;
    const keys = new Set<string>();
    for await (const b of o.readFile(s.path, s.entry, range, false)) {
      for (let i = 0; i < b.length; i++) keys.add(keyString(b, i, key));
    }
    for (let i = 0; i < n; i++) if (keep[i] && keys.has(keyString(cols, i, key))) dup(i);
  }
  if (dups > 0 && !o.skipInvalid) {
    throw new InputError(
      `duplicate ${keyNames(key)}: ${showKey(cols, firstDup, key)} appears more than once in the input; ` +
        `${dups} duplicate row(s) in day ${dt} (use --skip-invalid to skip them)`,
    );
  }
  if (dups > 0) skip("duplicate", dups);
  // Rows already committed: identical → already stored; different values → conflict.
  let already = 0;
  let conflicts = 0;
  let firstConflict: { i: number; file: string; stored: Batch; j: number } | undefined;
  const base = o.txn.base;
  const stored = (base?.manifest.files ?? []).filter((f) => f.dt === dt && overlaps(f, range));
  if (stored.length > 0) {
    const index = new Map<string, number>();
    for (let i = 0; i < n; i++) if (keep[i]) index.set(keyString(cols, i, key), i);
    const mine = compare.map((c) => cols.cols[c]);
    for (const f of stored) {
      const path = o.txn.basePath(f);
      for await (const b of o.readFile(path, f, range, true)) {
        const theirs = compare.map((c) => b.cols[c]);
        for (let j = 0; j < b.length; j++) {
          const i = index.get(keyString(b, j, key));
          if (i === undefined || !keep[i]) continue;
          keep[i] = 0;
          if (mine.every((c, k) => sameValue(theirs[k][j], c[i]))) {
            already++;
            continue;
          }
          conflicts++;
          if (!firstConflict || i < firstConflict.i) firstConflict = { i, file: path, stored: b, j };
        }
      }
    }
  }
  if (conflicts > 0) {
    if (!o.skipInvalid) {
      const { i, file, stored: was, j } = firstConflict!;
      // The columns that differ first: a wide row's message shows them even when it is cut short.
      const differ = compare.filter((c) => !sameValue(was.cols[c][j], cols.cols[c][i]));
      const order = [...differ, ...compare.filter((c) => !differ.includes(c))];
      throw new InputError(
        `conflict: ${keyNames(key)} ${showKey(cols, i, key)} is already stored with other values (${
          differ.join(", ")
        }): stored ${show(valuesOf(was, j, order), 200)} in ${file}, input ${
          show(valuesOf(cols, i, order), 200)
        }; ` +
          `${conflicts} conflicting row(s) in day ${dt} (use --skip-invalid to skip them)`,
      );
    }
    skip("conflict", conflicts);
  }
  const dropped = dups + already + conflicts;
  return { cols: dropped === 0 ? cols : compactBatch(cols, keep, n - dropped), alreadyStored: already };
}
