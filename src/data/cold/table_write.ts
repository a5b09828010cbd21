import { resolve } from "node:path";
import { anomalyQuarantine, coldRowsTotal } from "../../metrics/metrics.ts";
import { InputError, show } from "../../util/errors.ts";
import type { RowInput } from "./batch.ts";
import { beginTransaction, readBase, type Transaction, type TransactionOptions } from "./commit.ts";
import { compactPartitions, type CompactReport } from "./compact.ts";
import { collectGarbage, type GcReport } from "./gc.ts";
import { type TableLock, withTableLock } from "./lock.ts";
import { filePath } from "./manifest.ts";
import { type RepairReport, repairTable } from "./repair.ts";
import { DEFAULT_MAX_ROWS_PER_FILE, type TableCore } from "./table.ts";
import { readCurrent, snapshotDir } from "./table_dir.ts";
import type {
  CsvCompression,
  ParquetCompression,
  StorageFormat,
  TimeRange,
  WriteOptions,
  WriteResult,
} from "./types.ts";
import { upgradeLegacy, type UpgradeResult } from "./upgrade.ts";
import { csvEncoder, parquetEncoder, type PartEncoder, writeRows } from "./writer.ts";

/**
 * One table of the cold tier, write side: writes, compaction, repair, upgrade, garbage collection — each a
 * commit under the table's writer lock (commit.ts, lock.ts). Imported on the first write (store.ts): it
 * brings the Parquet writer stack (parquet-wasm, apache-arrow), which reads never need.
 */

const PARQUET_CODECS = ["gzip", "lz4", "snappy", "zstd", "uncompressed"];
const CSV_CODECS = ["gzip", "lz4", "none"];

/** Options of the table maintenance operations (they take the writer lock). */
export interface MaintenanceOptions {
  /** How long to wait for another writer (ms; default cold.lock_timeout_ms). */
  waitMs?: number;
  busyHint?: string;
  command?: string;
  signal?: AbortSignal;
}

export type CompactOptions = MaintenanceOptions & {
  range?: TimeRange;
  maxRowsPerFile?: number;
  format?: StorageFormat;
};

export function encoderFor(t: TableCore, fmt: StorageFormat, opts: WriteOptions): PartEncoder {
  const def = t.def;
  if (fmt === "parquet") {
    const c = (opts.compression ?? def.parquetCompression) as ParquetCompression;
    if (!PARQUET_CODECS.includes(c)) {
      throw new InputError(
        `compression: Parquet codec must be ${PARQUET_CODECS.join("|")}, found ${show(c)}`,
      );
    }
    const rg = opts.rowGroupSize ?? def.rowGroupSize;
    if (!Number.isInteger(rg) || rg <= 0) {
      throw new InputError(`rowGroupSize: expected a positive integer, found ${rg}`);
    }
    return parquetEncoder(def.schema, c, rg);
  }
  const c = (opts.compression ?? def.compression) as CsvCompression;
  if (!CSV_CODECS.includes(c)) {
    throw new InputError(`compression: CSV compression must be ${CSV_CODECS.join("|")}, found ${show(c)}`);
  }
  return csvEncoder(c, def.schema);
}

export function txnOptions(t: TableCore, o: MaintenanceOptions | WriteOptions): TransactionOptions {
  return {
    table: t.def.name,
    command: o.command ?? "cryptorun",
    keepSnapshots: t.ctx.cfg.keep_snapshots,
    graceMs: t.ctx.cfg.snapshot_grace_ms,
    signal: o.signal,
  };
}

/** The lock options of a table (wait: the caller's, else cold.lock_timeout_ms). */
export function lockOptions(t: TableCore, o: MaintenanceOptions | WriteOptions) {
  return {
    table: t.def.name,
    command: o.command ?? "cryptorun",
    waitMs: o.waitMs ?? t.ctx.cfg.lock_timeout_ms,
    busyHint: o.busyHint,
    signal: o.signal,
  };
}

/** Runs `fn` under the writer lock after converting a wave-1 table (the first write upgrades it). */
export function underLock<T>(
  t: TableCore,
  o: MaintenanceOptions | WriteOptions,
  fn: (lock: TableLock, txo: TransactionOptions) => Promise<T>,
  upgrade = true,
): Promise<T> {
  const txo = txnOptions(t, o);
  return withTableLock(t.root, lockOptions(t, o), async (lock) => {
    if (upgrade) await upgradeLegacy(t.root, lock, { ...txo, schema: t.def.schema });
    return await fn(lock, txo);
  });
}

/** Stages rows as new parts and commits them (the caller holds the lock). */
export async function commitRows(
  t: TableCore,
  lock: TableLock,
  txo: TransactionOptions,
  rows: Iterable<RowInput> | AsyncIterable<RowInput>,
  opts: WriteOptions & { compare?: string[] },
  operation: "write" | "move" = "write",
): Promise<WriteResult> {
  const fmt = opts.format ?? t.def.format;
  const encoder = encoderFor(t, fmt, opts);
  const txn = await beginTransaction(t.root, lock, txo);
  try {
    const staged = await writeRows(rows, {
      txn,
      encoder,
      readFile: t.readFile,
      schema: t.def.schema,
      check: t.def.check,
      compare: opts.compare,
      maxRowsPerFile: opts.maxRowsPerFile ?? DEFAULT_MAX_ROWS_PER_FILE,
      skipInvalid: opts.skipInvalid ?? false,
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
    const m = await txn.commit(operation);
    const { staged: entries, ...rest } = staged;
    const files = m ? entries.map((e) => filePath(snapshotDir(t.root, m.version), e)) : [];
    return { ...rest, files, snapshot: m?.version ?? null };
  } catch (err) {
    await txn.abort();
    throw err;
  }
}

export async function writeTable(
  t: TableCore,
  rows: Iterable<RowInput> | AsyncIterable<RowInput>,
  opts: WriteOptions = {},
): Promise<WriteResult> {
  const fmt = opts.format ?? t.def.format;
  encoderFor(t, fmt, opts); // a bad codec fails before the lock is taken
  const result = await underLock(
    t,
    opts,
    (lock, txo) => commitRows(t, lock, txo, rows, { ...opts, format: fmt }),
  );
  coldRowsTotal.inc({ op: "write", format: fmt }, result.rows);
  for (const [reason, n] of Object.entries(result.skipped)) {
    if (n) anomalyQuarantine.inc({ kind: `cold_${reason}` }, n);
  }
  return result;
}

export function compactTable(
  t: TableCore,
  opts: CompactOptions = {},
): Promise<CompactReport & { snapshot: number | null }> {
  const encoder = encoderFor(t, opts.format ?? t.def.format, {});
  return underLock(t, opts, async (lock, txo) => {
    const txn: Transaction = await beginTransaction(t.root, lock, txo);
    try {
      const r = await compactPartitions(txn, {
        encoder,
        readFile: t.readFile,
        schema: t.def.schema,
        range: opts.range,
        maxRowsPerFile: opts.maxRowsPerFile ?? DEFAULT_MAX_ROWS_PER_FILE,
        signal: opts.signal,
      });
      const m = await txn.commit("compact");
      return { ...r, snapshot: m?.version ?? null };
    } catch (err) {
      await txn.abort();
      throw err;
    }
  });
}

export function repairTableFrom(
  t: TableCore,
  replica: string,
  opts: MaintenanceOptions = {},
): Promise<RepairReport> {
  return underLock(t, opts, (lock, txo) => repairTable(t.root, resolve(replica), lock, txo), false);
}

export function upgradeTable(t: TableCore, opts: MaintenanceOptions = {}): Promise<UpgradeResult | null> {
  return underLock(
    t,
    opts,
    (lock, txo) => upgradeLegacy(t.root, lock, { ...txo, schema: t.def.schema }),
    false,
  );
}

export function gcTable(t: TableCore, opts: MaintenanceOptions = {}): Promise<GcReport> {
  return underLock(t, opts, async (_lock, txo) => {
    const cur = await readCurrent(t.root);
    // Never collect around a damaged manifest unnoticed: the whole schema is checked first.
    if (cur) await readBase(t.root, t.def.name, { validate: true });
    return await collectGarbage(t.root, cur, txo);
  }, false);
}
