import { resolve } from "node:path";
import type { ColdConfig } from "../../config/sections/cold.ts";
import type { Logger } from "../../log/logger.ts";
import { anomalyQuarantine, coldRowsTotal, dataConsistencyErrors } from "../../metrics/metrics.ts";
import { InputError, show } from "../../util/errors.ts";
import { type ColumnBatch, rowAt, VALUE_COLUMNS, type ValueColumn } from "./columns.ts";
import { beginTransaction, readBase, type Transaction, type TransactionOptions } from "./commit.ts";
import { compactPartitions, type CompactReport } from "./compact.ts";
import { readCsvFile } from "./csv_file.ts";
import { addTs, barInterval, type GapTally, missingBars, newGapTally } from "./gaps.ts";
import { collectGarbage, type GcReport } from "./gc.ts";
import { partitionOf, prunePartitions } from "./layout.ts";
import { upgradeLegacy, type UpgradeResult } from "./legacy.ts";
import { type TableLock, withTableLock } from "./lock.ts";
import { digestOf, filePath, type ManifestFile } from "./manifest.ts";
import { mergeSorted } from "./merge.ts";
import { footerOf } from "./parquet_footer.ts";
import { readParquetFile } from "./parquet_read.ts";
import { type RepairReport, repairTable } from "./repair.ts";
import { assertSupportedSchema, checkColumns } from "./schema.ts";
import { readCurrent, snapshotDir } from "./table_dir.ts";
import { readTableState, type TableFile, type TableState } from "./table_state.ts";
import type {
  ColdStats,
  ColdStore,
  CsvCompression,
  OhlcvRow,
  ParquetCompression,
  ReadOptions,
  StorageFormat,
  TimeRange,
  WriteOptions,
  WriteResult,
} from "./types.ts";
import { type VerifyOptions, type VerifyReport, verifyTable } from "./verify.ts";
import { csvEncoder, type FileReader, parquetEncoder, type PartEncoder, writeRows } from "./writer.ts";

export type { ColdStore } from "./types.ts";

/** Default cap on rows buffered by a write (and so on rows per part file): bounds write memory. */
export const DEFAULT_MAX_ROWS_PER_FILE = 1 << 20;

const PARQUET_CODECS = ["gzip", "lz4", "snappy", "zstd", "uncompressed"];
const CSV_CODECS = ["gzip", "lz4", "none"];

/** The format the configuration selects: Parquet only when enabled AND chosen; otherwise CSV. */
export function configuredFormat(cfg: ColdConfig): StorageFormat {
  return cfg.enable_parquet && cfg.format === "parquet" ? "parquet" : "csv";
}

export interface ColdStoreOptions {
  /** Where the one-time warning about an unverified wave-1 table goes (default: stderr). */
  log?: Pick<Logger, "warn">;
}

/** Options of the table maintenance operations (they take the writer lock). */
export interface MaintenanceOptions {
  /** How long to wait for another writer (ms; default cold.lock_timeout_ms). */
  waitMs?: number;
  busyHint?: string;
  command?: string;
  signal?: AbortSignal;
}

/** The cold tier plus the maintenance operations of its table (the CLI's verify/compact/upgrade). */
export interface ColdTable extends ColdStore {
  verify(table: string, opts?: VerifyOptions): Promise<VerifyReport>;
  repair(table: string, replica: string, opts?: MaintenanceOptions): Promise<RepairReport>;
  compact(
    table: string,
    opts?: MaintenanceOptions & { range?: TimeRange; maxRowsPerFile?: number; format?: StorageFormat },
  ): Promise<CompactReport & { snapshot: number | null }>;
  upgrade(table: string, opts?: MaintenanceOptions): Promise<UpgradeResult | null>;
  gc(table: string, opts?: MaintenanceOptions): Promise<GcReport>;
}

/**
 * Opens the cold tier at `<dataDir>/<cfg.path>` (the directory of table `cfg.parquet_schema.table`).
 * Layout (table_dir.ts): `current` → `_snapshots/vN/`, whose `_manifest.json` lists every file
 * (`dt=YYYY-MM-DD/part-NNNNN.{parquet,csv,csv.gz,csv.lz4}`, UTC days) with its checksums. Reads resolve
 * `current` once, read exactly the files the manifest lists, and verify every byte; writes commit a new
 * snapshot under the table's writer lock (commit.ts). Windows are inclusive on both ends; reads never
 * yield ts > to. Nothing is opened until the first call.
 */
export function openColdStore(cfg: ColdConfig, dataDir: string, so: ColdStoreOptions = {}): ColdTable {
  assertSupportedSchema(cfg.parquet_schema);
  const root = resolve(dataDir, cfg.path);
  const spec = cfg.parquet_schema;
  const format = configuredFormat(cfg);
  let warnedLegacy = false;

  const checkTable = (table: string) => {
    if (table !== spec.table) {
      throw new InputError(
        `table: unknown table ${show(table)} (the cold tier stores ${spec.table} at ${root})`,
      );
    }
  };
  const checkRange = (r: TimeRange) => {
    if (!Number.isFinite(r.from) || !Number.isFinite(r.to) || r.from > r.to) {
      throw new InputError(`range: expected from <= to (epoch ms), found from=${r.from} to=${r.to}`);
    }
  };

  const encoderFor = (fmt: StorageFormat, opts: WriteOptions): PartEncoder => {
    if (fmt === "parquet") {
      const c = (opts.compression ?? cfg.parquet_compression) as ParquetCompression;
      if (!PARQUET_CODECS.includes(c)) {
        throw new InputError(
          `compression: Parquet codec must be ${PARQUET_CODECS.join("|")}, found ${show(c)}`,
        );
      }
      const rg = opts.rowGroupSize ?? cfg.row_group_size;
      if (!Number.isInteger(rg) || rg <= 0) {
        throw new InputError(`rowGroupSize: expected a positive integer, found ${rg}`);
      }
      return parquetEncoder(spec, c, rg);
    }
    const c = (opts.compression ?? cfg.compression) as CsvCompression;
    if (!CSV_CODECS.includes(c)) {
      throw new InputError(`compression: CSV compression must be ${CSV_CODECS.join("|")}, found ${show(c)}`);
    }
    return csvEncoder(c);
  };

  /** Batches of one file, whatever its format, verified against its manifest entry when it has one. */
  const fileBatches = (
    path: string,
    entry: ManifestFile | undefined,
    range: TimeRange,
    columns: readonly ValueColumn[],
    symbols: ReadonlySet<string> | undefined,
    opts: ReadOptions,
  ): AsyncIterable<ColumnBatch> => {
    const digest = entry ? digestOf(entry) : undefined;
    const req = { range, columns, symbols, signal: opts.signal, onIo: opts.onIo, digest };
    if (path.endsWith(".parquet")) return countSchemaErrors(readParquetFile(path, { ...req, spec }));
    return readCsvFile(path, req);
  };
  const readFile: FileReader = (path, entry, range, withValues) =>
    fileBatches(path, entry, range, withValues ? VALUE_COLUMNS : [], undefined, {});

  /** The state a read reads (current resolved once), warning once about an unverified wave-1 table. */
  const state = async (table: string): Promise<TableState> => {
    const st = await readTableState(root, table);
    if (st.layout === "legacy" && !warnedLegacy) {
      warnedLegacy = true;
      const msg = `cold table ${table} at ${root} uses the wave-1 layout: reads are NOT verified (no ` +
        `checksums); convert it with 'cryptorun cold upgrade' (the next write converts it too)`;
      if (so.log) so.log.warn(msg);
      else console.error(`cryptorun: warning: ${msg}`);
    }
    return st;
  };

  /** The files of `fmt` (all when undefined); a format the table holds no file of is an error. */
  const selectFormat = (st: TableState, table: string, fmt: StorageFormat | undefined): TableFile[] => {
    if (fmt === undefined) return st.files;
    const sel = st.files.filter((f) => f.format === fmt);
    if (sel.length === 0 && st.files.length > 0) {
      const held = countFormats(st.files);
      throw new InputError(
        `format ${fmt}: table ${table} at ${root} holds ${
          Object.entries(held).map(([k, n]) => `${n} ${k} file(s)`).join(" and ")
        } and no ${fmt} file, so it would select nothing; leave out the format (--format) to read every file`,
      );
    }
    return sel;
  };

  const txnOptions = (table: string, o: MaintenanceOptions | WriteOptions): TransactionOptions => ({
    table,
    command: o.command ?? "cryptorun",
    keepSnapshots: cfg.keep_snapshots,
    graceMs: cfg.snapshot_grace_ms,
    signal: o.signal,
  });

  /** Runs `fn` under the writer lock after converting a wave-1 table (the first write upgrades it). */
  const underLock = <T>(
    table: string,
    o: MaintenanceOptions | WriteOptions,
    fn: (lock: TableLock, t: TransactionOptions) => Promise<T>,
    upgrade = true,
  ): Promise<T> => {
    const t = txnOptions(table, o);
    return withTableLock(root, {
      table,
      command: t.command,
      waitMs: o.waitMs ?? cfg.lock_timeout_ms,
      busyHint: o.busyHint,
      signal: o.signal,
    }, async (lock) => {
      if (upgrade) await upgradeLegacy(root, lock, { ...t, spec });
      return await fn(lock, t);
    });
  };

  async function* readBatches(
    table: string,
    range: TimeRange,
    opts: ReadOptions = {},
  ): AsyncGenerator<ColumnBatch> {
    checkTable(table);
    checkRange(range);
    const cols = checkColumns(spec, opts.columns);
    const valueCols = VALUE_COLUMNS.filter((c) => cols.includes(c));
    const symbols = opts.symbols && opts.symbols.length > 0 ? new Set(opts.symbols) : undefined;
    const st = await state(table);
    const files = selectFormat(st, table, opts.format);
    let n = 0;
    try {
      for (const p of prunePartitions(partitionsOf(files), range)) {
        opts.signal?.throwIfAborted();
        // Files whose manifest ts range misses the window are not opened.
        const hit = p.files.filter((f) =>
          !f.entry || f.entry.min_ts === null || f.entry.max_ts === null ||
          (f.entry.max_ts >= range.from && f.entry.min_ts <= range.to)
        );
        if (hit.length === 0) continue;
        opts.onIo?.({ kind: "partition", dt: p.dt });
        for await (
          const b of mergeSorted(
            hit.map((f) => fileBatches(f.path, f.entry, range, valueCols, symbols, opts)),
          )
        ) {
          n += b.length;
          yield b;
        }
      }
    } finally {
      coldRowsTotal.inc({ op: "read", format: opts.format ?? format }, n);
    }
  }

  async function* readRows(
    table: string,
    range: TimeRange,
    opts: ReadOptions = {},
  ): AsyncGenerator<Partial<OhlcvRow>> {
    const cols = checkColumns(spec, opts.columns);
    // readBatches counts the rows read (cryptorun_cold_rows_total{op="read"}).
    for await (const b of readBatches(table, range, { ...opts, columns: cols })) {
      for (let i = 0; i < b.length; i++) yield rowAt(b, i, cols);
    }
  }

  async function write(
    table: string,
    rows: Iterable<OhlcvRow> | AsyncIterable<OhlcvRow>,
    opts: WriteOptions = {},
  ): Promise<WriteResult> {
    checkTable(table);
    const fmt = opts.format ?? format;
    const encoder = encoderFor(fmt, opts);
    const maxRows = opts.maxRowsPerFile ?? DEFAULT_MAX_ROWS_PER_FILE;
    const result = await underLock(table, opts, async (lock, t) => {
      const txn = await beginTransaction(root, lock, t);
      try {
        const staged = await writeRows(rows, {
          txn,
          encoder,
          readFile,
          maxRowsPerFile: maxRows,
          skipInvalid: opts.skipInvalid ?? false,
          signal: opts.signal,
          onProgress: opts.onProgress,
        });
        const m = await txn.commit("write");
        const { staged: entries, ...rest } = staged;
        const files = m ? entries.map((e) => filePath(snapshotDir(root, m.version), e)) : [];
        return { ...rest, files, snapshot: m?.version ?? null };
      } catch (err) {
        await txn.abort();
        throw err;
      }
    });
    coldRowsTotal.inc({ op: "write", format: fmt }, result.rows);
    for (const [reason, n] of Object.entries(result.skipped)) {
      if (n) anomalyQuarantine.inc({ kind: `cold_${reason}` }, n);
    }
    return result;
  }

  async function stats(
    table: string,
    opts: { format?: StorageFormat; signal?: AbortSignal } = {},
  ): Promise<ColdStats> {
    checkTable(table);
    const st = await state(table);
    const files = selectFormat(st, table, opts.format);
    const out: ColdStats = {
      table,
      format: opts.format ?? format,
      path: root,
      layout: st.layout,
      snapshot: st.snapshot,
      formats: countFormats(st.files),
      partitions: 0,
      files: 0,
      rowGroups: 0,
      rows: 0,
      bytes: 0,
      minTs: null,
      maxTs: null,
      perSymbol: {},
    };
    const tallies = new Map<string, GapTally>();
    let listedRows = 0;
    for (const p of partitionsOf(files)) {
      opts.signal?.throwIfAborted();
      out.partitions++;
      for (const f of p.files) {
        out.files++;
        if (f.entry) {
          // From the manifest: no file is opened for these.
          out.rowGroups += f.entry.row_groups;
          out.bytes += f.entry.size;
          listedRows += f.entry.rows;
        } else if (f.format === "parquet") {
          const footer = await footerOf(f.path);
          out.rowGroups += footer.rowGroups.length;
          out.bytes += footer.size;
        } else {
          out.bytes += (await Deno.stat(f.path)).size;
        }
      }
      // Per-symbol counts and gaps need the ts and symbol columns (verified reads).
      const all = { from: p.start, to: p.end };
      const inputs = p.files.map((f) => fileBatches(f.path, f.entry, all, [], undefined, opts));
      for await (const b of mergeSorted(inputs)) {
        out.rows += b.length;
        for (let i = 0; i < b.length; i++) {
          let t = tallies.get(b.symbol[i]);
          if (!t) tallies.set(b.symbol[i], t = newGapTally());
          addTs(t, b.ts[i]);
        }
      }
    }
    if (st.layout === "snapshot" && listedRows !== out.rows) {
      dataConsistencyErrors.inc({ check: "manifest_rows" });
      throw new InputError(
        `table ${table} at ${root}: the manifest of snapshot ${st.snapshot} lists ${listedRows} rows but its ` +
          `files hold ${out.rows}; run 'cryptorun cold verify'`,
      );
    }
    for (const sym of [...tallies.keys()].sort()) {
      const t = tallies.get(sym)!;
      out.perSymbol[sym] = {
        rows: t.rows,
        minTs: t.minTs,
        maxTs: t.maxTs,
        gaps: missingBars(t),
        intervalMs: barInterval(t),
      };
      if (t.minTs !== null && (out.minTs === null || t.minTs < out.minTs)) out.minTs = t.minTs;
      if (t.maxTs !== null && (out.maxTs === null || t.maxTs > out.maxTs)) out.maxTs = t.maxTs;
    }
    return out;
  }

  return {
    format,
    root,
    write,
    read: (table, range, opts) => readRows(table, range, opts),
    readBatches,
    writeParquet: (table, rows, opts) => write(table, rows, { ...opts, format: "parquet" }),
    readParquet: (table, range, columns, opts) =>
      readRows(table, range, { ...opts, columns, format: "parquet" }),
    writeCsv: (table, rows, opts) => write(table, rows, { ...opts, format: "csv" }),
    readCsv: (table, range, columns, opts) => readRows(table, range, { ...opts, columns, format: "csv" }),
    stats,
    verify(table, opts = {}) {
      checkTable(table);
      return verifyTable(root, table, opts);
    },
    repair(table, replica, opts = {}) {
      checkTable(table);
      return underLock(table, opts, (lock, t) => repairTable(root, resolve(replica), lock, t), false);
    },
    compact(table, opts = {}) {
      checkTable(table);
      const encoder = encoderFor(opts.format ?? format, {});
      return underLock(table, opts, async (lock, t) => {
        const txn: Transaction = await beginTransaction(root, lock, t);
        try {
          const r = await compactPartitions(txn, {
            encoder,
            readFile,
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
    },
    upgrade(table, opts = {}) {
      checkTable(table);
      return underLock(table, opts, (lock, t) => upgradeLegacy(root, lock, { ...t, spec }), false);
    },
    gc(table, opts = {}) {
      checkTable(table);
      return underLock(table, opts, async (_lock, t) => {
        const cur = await readCurrent(root);
        if (cur) await readBase(root, table); // never collect around a damaged manifest unnoticed
        return await collectGarbage(root, cur, t);
      }, false);
    },
  };
}

function countFormats(files: TableFile[]): Partial<Record<StorageFormat, number>> {
  const out: Partial<Record<StorageFormat, number>> = {};
  for (const f of files) out[f.format] = (out[f.format] ?? 0) + 1;
  return out;
}

/** Files grouped by partition day, oldest first. */
function partitionsOf(files: TableFile[]) {
  const by = new Map<string, TableFile[]>();
  for (const f of files) {
    const list = by.get(f.dt);
    if (list) list.push(f);
    else by.set(f.dt, [f]);
  }
  return [...by.keys()].sort().map((dt) => ({ ...partitionOf("", dt), files: by.get(dt)! }));
}

async function* countSchemaErrors(gen: AsyncGenerator<ColumnBatch>): AsyncGenerator<ColumnBatch> {
  try {
    yield* gen;
  } catch (err) {
    if (err instanceof InputError && /schema mismatch/.test(err.message)) {
      dataConsistencyErrors.inc({ check: "schema" });
    }
    throw err;
  }
}
