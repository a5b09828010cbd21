import { resolve } from "node:path";
import type { ColdConfig } from "../../config/sections/cold.ts";
import { anomalyQuarantine, coldRowsTotal, dataConsistencyErrors } from "../../metrics/metrics.ts";
import { InputError, show } from "../../util/errors.ts";
import { type ColumnBatch, rowAt, VALUE_COLUMNS, type ValueColumn } from "./columns.ts";
import { readCsvFile } from "./csv_file.ts";
import { addTs, barInterval, type GapTally, missingBars, newGapTally } from "./gaps.ts";
import { extensionsOf, listPartFiles, listPartitions, prunePartitions } from "./layout.ts";
import { mergeSorted } from "./merge.ts";
import { footerOf, readParquetFile } from "./parquet_file.ts";
import { assertSupportedSchema, checkColumns } from "./schema.ts";
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
import { csvEncoder, parquetEncoder, type PartEncoder, writeRows } from "./writer.ts";

export type { ColdStore } from "./types.ts";

/** Default cap on rows buffered by a write (and so on rows per part file): bounds write memory. */
export const DEFAULT_MAX_ROWS_PER_FILE = 1 << 20;

const PARQUET_CODECS = ["gzip", "lz4", "snappy", "zstd", "uncompressed"];
const CSV_CODECS = ["gzip", "lz4", "none"];

/** The format the configuration selects: Parquet only when enabled AND chosen; otherwise CSV. */
export function configuredFormat(cfg: ColdConfig): StorageFormat {
  return cfg.enable_parquet && cfg.format === "parquet" ? "parquet" : "csv";
}

/**
 * Opens the cold tier at `<dataDir>/<cfg.path>` (the directory of table `cfg.parquet_schema.table`).
 * Layout: `<path>/dt=YYYY-MM-DD/part-NNNNN.{parquet,csv,csv.gz,csv.lz4}` (UTC days). Windows are inclusive
 * on both ends; reads never yield ts > to. Nothing is opened until the first call.
 */
export function openColdStore(cfg: ColdConfig, dataDir: string): ColdStore {
  assertSupportedSchema(cfg.parquet_schema);
  const root = resolve(dataDir, cfg.path);
  const spec = cfg.parquet_schema;
  const format = configuredFormat(cfg);

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

  /** Batches of one file, whatever its format. */
  const fileBatches = (
    path: string,
    range: TimeRange,
    columns: readonly ValueColumn[],
    symbols: ReadonlySet<string> | undefined,
    opts: ReadOptions,
  ): AsyncIterable<ColumnBatch> => {
    const req = { range, columns, symbols, signal: opts.signal, onIo: opts.onIo };
    if (path.endsWith(".parquet")) {
      const gen = readParquetFile(path, { ...req, spec });
      return countSchemaErrors(gen);
    }
    return readCsvFile(path, req);
  };

  async function* readBatches(
    table: string,
    range: TimeRange,
    opts: ReadOptions = {},
  ): AsyncGenerator<ColumnBatch> {
    checkTable(table);
    checkRange(range);
    const cols = checkColumns(spec, opts.columns);
    const fmt = opts.format ?? format;
    const valueCols = VALUE_COLUMNS.filter((c) => cols.includes(c));
    const symbols = opts.symbols && opts.symbols.length > 0 ? new Set(opts.symbols) : undefined;
    const exts = extensionsOf(fmt);
    let n = 0;
    try {
      for (const p of prunePartitions(await listPartitions(root), range)) {
        opts.signal?.throwIfAborted();
        const files = (await listPartFiles(p.dir)).filter((f) => exts.includes(f.ext));
        if (files.length === 0) continue;
        opts.onIo?.({ kind: "partition", dt: p.dt });
        for await (
          const b of mergeSorted(files.map((f) => fileBatches(f.path, range, valueCols, symbols, opts)))
        ) {
          n += b.length;
          yield b;
        }
      }
    } finally {
      coldRowsTotal.inc({ op: "read", format: fmt }, n);
    }
  }

  async function* readRows(
    table: string,
    range: TimeRange,
    opts: ReadOptions = {},
  ): AsyncGenerator<Partial<OhlcvRow>> {
    const cols = checkColumns(spec, opts.columns);
    const fmt = opts.format ?? format;
    // readBatches counts the rows read (cryptorun_cold_rows_total{op="read"}).
    for await (const b of readBatches(table, range, { ...opts, columns: cols, format: fmt })) {
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
    const result = await writeRows(rows, {
      root,
      encoder,
      maxRowsPerFile: maxRows,
      skipInvalid: opts.skipInvalid ?? false,
      signal: opts.signal,
      onProgress: opts.onProgress,
      readKeys: async (paths, range) => {
        const keys = new Set<string>();
        const inputs = paths.map((p) => fileBatches(p, range, [], undefined, { signal: opts.signal }));
        for (const input of inputs) {
          for await (const b of input) {
            for (let i = 0; i < b.length; i++) keys.add(`${b.ts[i]}|${b.symbol[i]}`);
          }
        }
        return keys;
      },
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
    const fmt = opts.format ?? format;
    const exts = extensionsOf(fmt);
    const out: ColdStats = {
      table,
      format: fmt,
      path: root,
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
    for (const p of await listPartitions(root)) {
      opts.signal?.throwIfAborted();
      const files = (await listPartFiles(p.dir)).filter((f) => exts.includes(f.ext));
      if (files.length === 0) continue;
      out.partitions++;
      for (const f of files) {
        out.files++;
        if (fmt === "parquet") {
          const footer = await footerOf(f.path);
          out.rowGroups += footer.rowGroups.length;
          out.bytes += footer.size;
        } else {
          out.bytes += (await Deno.stat(f.path)).size;
        }
      }
      const all = { from: p.start, to: p.end };
      const inputs = files.map((f) => fileBatches(f.path, all, [], undefined, { signal: opts.signal }));
      for await (const b of mergeSorted(inputs)) {
        out.rows += b.length;
        for (let i = 0; i < b.length; i++) {
          let t = tallies.get(b.symbol[i]);
          if (!t) tallies.set(b.symbol[i], t = newGapTally());
          addTs(t, b.ts[i]);
        }
      }
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
  };
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
