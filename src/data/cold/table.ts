import { isAbsolute, resolve } from "node:path";
import type { ColdConfig } from "../../config/sections/cold.ts";
import type { Logger } from "../../log/logger.ts";
import { coldRowsTotal, dataConsistencyErrors } from "../../metrics/metrics.ts";
import { InputError, show } from "../../util/errors.ts";
import type { Batch, TableRow } from "./batch.ts";
import { readCsvFile } from "./csv_file.ts";
import { addTs, barInterval, type GapTally, missingBars, newGapTally } from "./gaps.ts";
import { partitionOf, prunePartitions } from "./layout.ts";
import { digestOf, type ManifestFile } from "./manifest.ts";
import { mergeSorted } from "./merge.ts";
import { footerOf } from "./parquet_footer.ts";
import { readParquetFile } from "./parquet_read.ts";
import { checkColumns, valueColumns } from "./schema.ts";
import type { TableDef } from "./tables.ts";
import { readTableState, type TableFile, type TableState } from "./table_state.ts";
import type {
  ColdStats,
  ColdTableHandle,
  GapOptions,
  GapReport,
  ReadOptions,
  SeriesGaps,
  StorageFormat,
  TimeRange,
} from "./types.ts";
import type { FileReader } from "./writer.ts";

/**
 * One table of the cold tier, read side: PIT windows, stats and gaps over verified files, for any schema.
 * This module reaches no Parquet writer (parquet-wasm, apache-arrow): writes and maintenance live in
 * table_write.ts, imported when one is asked (store.ts), so `cold dump|stats` never load the writer stack.
 */

/** Default cap on rows buffered by a write (and so on rows per part file): bounds write memory. */
export const DEFAULT_MAX_ROWS_PER_FILE = 1 << 20;

export interface TableContext {
  dataDir: string;
  /** The cold section: lock timeout, snapshots kept, grace period. */
  cfg: ColdConfig;
  /** Where the one-time warning about an unverified wave-1 table goes (default: stderr). */
  log?: Pick<Logger, "warn">;
}

/** What the write side needs of a table (table_write.ts). */
export interface TableCore {
  def: TableDef;
  root: string;
  ctx: TableContext;
  /** Reads one file of the table: key columns, plus all others (strictly: no column dropped) with values. */
  readFile: FileReader;
  /** The table state a read reads (warns once about a wave-1 table). */
  state(): Promise<TableState>;
}

/** The directory of a table: relative paths are under the data dir. */
export function tableRoot(def: TableDef, dataDir: string): string {
  return isAbsolute(def.path) ? def.path : resolve(dataDir, def.path);
}

export function checkRange(r: TimeRange): void {
  if (!Number.isFinite(r.from) || !Number.isFinite(r.to) || r.from > r.to) {
    throw new InputError(`range: expected from <= to (epoch ms), found from=${r.from} to=${r.to}`);
  }
}

/** The read side of a table plus what its write side needs. */
export function openTableCore(def: TableDef, ctx: TableContext): { handle: ReadSide; core: TableCore } {
  const root = tableRoot(def, ctx.dataDir);
  const schema = def.schema;
  const key = schema.key;
  const values = valueColumns(schema);
  let warnedLegacy = false;

  /** Batches of one file, whatever its format, verified against its manifest entry when it has one. */
  const fileBatches = (
    path: string,
    entry: ManifestFile | undefined,
    range: TimeRange,
    columns: readonly string[],
    symbols: ReadonlySet<string> | undefined,
    opts: ReadOptions,
    strict = false,
  ): AsyncIterable<Batch> => {
    const digest = entry ? digestOf(entry) : undefined;
    const req = { range, schema, columns, symbols, signal: opts.signal, onIo: opts.onIo, digest };
    if (path.endsWith(".parquet")) return countSchemaErrors(readParquetFile(path, { ...req, strict }));
    return readCsvFile(path, { ...req, strict });
  };
  const readFile: FileReader = (path, entry, range, withValues) =>
    fileBatches(path, entry, range, withValues ? values : [], undefined, {}, withValues);

  /** The state a read reads (current resolved once), warning once about an unverified wave-1 table. */
  const state = async (): Promise<TableState> => {
    const st = await readTableState(root, def.name);
    if (st.layout === "legacy" && !warnedLegacy) {
      warnedLegacy = true;
      const msg = `cold table ${def.name} at ${root} uses the wave-1 layout: reads are NOT verified (no ` +
        `checksums); convert it with 'cryptorun cold upgrade' (the next write converts it too)`;
      if (ctx.log) ctx.log.warn(msg);
      else console.error(`cryptorun: warning: ${msg}`);
    }
    return st;
  };

  /** The files of `fmt` (all when undefined); a format the table holds no file of is an error. */
  const selectFormat = (st: TableState, fmt: StorageFormat | undefined): TableFile[] => {
    if (fmt === undefined) return st.files;
    const sel = st.files.filter((f) => f.format === fmt);
    if (sel.length === 0 && st.files.length > 0) {
      const held = countFormats(st.files);
      throw new InputError(
        `format ${fmt}: table ${def.name} at ${root} holds ${
          Object.entries(held).map(([k, n]) => `${n} ${k} file(s)`).join(" and ")
        } and no ${fmt} file, so it would select nothing; leave out the format (--format) to read every file`,
      );
    }
    return sel;
  };

  async function* readBatches(range: TimeRange, opts: ReadOptions = {}): AsyncGenerator<Batch> {
    checkRange(range);
    const cols = checkColumns(schema, opts.columns);
    const asked = cols.filter((c) => !key.includes(c));
    const symbols = opts.symbols && opts.symbols.length > 0 ? new Set(opts.symbols) : undefined;
    const st = await state();
    const files = selectFormat(st, opts.format);
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
            hit.map((f) => fileBatches(f.path, f.entry, range, asked, symbols, opts)),
            key,
          )
        ) {
          n += b.length;
          yield b;
        }
      }
    } finally {
      coldRowsTotal.inc({ op: "read", format: opts.format ?? def.format }, n);
    }
  }

  async function* read(range: TimeRange, opts: ReadOptions = {}): AsyncGenerator<TableRow> {
    const cols = checkColumns(schema, opts.columns);
    // readBatches counts the rows read (cryptorun_cold_rows_total{op="read"}).
    for await (const b of readBatches(range, { ...opts, columns: cols })) {
      const arrays = cols.map((c) => b.cols[c]);
      for (let i = 0; i < b.length; i++) {
        const r: TableRow = {};
        for (let k = 0; k < cols.length; k++) r[cols[k]] = arrays[k][i];
        yield r;
      }
    }
  }

  /** The series a row belongs to: its key after ts ("BTC/USD", or "BTC/USD krakenfutures"). */
  const seriesOf = (b: Batch): (i: number) => string => {
    const rest = key.slice(1).map((k) => b.cols[k]);
    if (rest.length === 1) {
      const s = rest[0] as string[];
      return (i) => s[i];
    }
    return (i) => rest.map((c) => c[i]).join(" ");
  };

  async function stats(opts: { format?: StorageFormat; signal?: AbortSignal } = {}): Promise<ColdStats> {
    const st = await state();
    const files = selectFormat(st, opts.format);
    const out: ColdStats = {
      table: def.name,
      format: opts.format ?? def.format,
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
      // Per-series counts and gaps need the key columns (verified reads).
      const all = { from: p.start, to: p.end };
      const inputs = p.files.map((f) => fileBatches(f.path, f.entry, all, [], undefined, opts));
      for await (const b of mergeSorted(inputs, key)) {
        out.rows += b.length;
        const ts = b.cols.ts as Float64Array;
        const series = seriesOf(b);
        for (let i = 0; i < b.length; i++) {
          const s = series(i);
          let t = tallies.get(s);
          if (!t) tallies.set(s, t = newGapTally());
          addTs(t, ts[i]);
        }
      }
    }
    if (st.layout === "snapshot" && listedRows !== out.rows) {
      dataConsistencyErrors.inc({ check: "manifest_rows" });
      throw new InputError(
        `table ${def.name} at ${root}: the manifest of snapshot ${st.snapshot} lists ${listedRows} rows but ` +
          `its files hold ${out.rows}; run 'cryptorun cold verify'`,
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

  /** Every series' ts in the window, in order (key columns only), through `visit`. */
  const scanSeries = async (
    range: TimeRange,
    opts: GapOptions,
    visit: (series: string, ts: number) => void,
  ) => {
    for await (
      const b of readBatches(range, { columns: key, symbols: opts.symbols, signal: opts.signal })
    ) {
      const ts = b.cols.ts as Float64Array;
      const series = seriesOf(b);
      for (let i = 0; i < b.length; i++) visit(series(i), ts[i]);
    }
  };

  async function gaps(range: TimeRange, opts: GapOptions = {}): Promise<GapReport> {
    checkRange(range);
    if (opts.intervalMs !== undefined && !(Number.isInteger(opts.intervalMs) && opts.intervalMs > 0)) {
      throw new InputError(`interval: expected a positive number of ms, found ${show(opts.intervalMs)}`);
    }
    // The interval per series: given, or the most common step (a first pass over ts and the key).
    const interval = new Map<string, number | null>();
    if (opts.intervalMs === undefined) {
      const tallies = new Map<string, GapTally>();
      await scanSeries(range, opts, (s, ts) => {
        let t = tallies.get(s);
        if (!t) tallies.set(s, t = newGapTally());
        addTs(t, ts);
      });
      for (const [s, t] of tallies) interval.set(s, barInterval(t));
    }
    const out = new Map<string, SeriesGaps & { last: number | null }>();
    await scanSeries(range, opts, (s, ts) => {
      let g = out.get(s);
      if (!g) {
        const iv = opts.intervalMs ?? interval.get(s) ?? null;
        out.set(
          s,
          g = {
            series: s,
            rows: 0,
            firstTs: ts,
            lastTs: ts,
            intervalMs: iv,
            missing: 0,
            runs: [],
            last: null,
          },
        );
      }
      g.rows++;
      if (g.last !== null && g.intervalMs !== null && ts - g.last > g.intervalMs) {
        const missing = Math.max(0, Math.round((ts - g.last) / g.intervalMs) - 1);
        if (missing > 0) {
          g.runs.push({ from: g.last + g.intervalMs, to: g.last + missing * g.intervalMs, missing });
          g.missing += missing;
        }
      }
      if (g.last === null || ts > g.last) g.last = ts;
      g.lastTs = g.last;
    });
    const series = [...out.keys()].sort().map((s) => {
      const { last: _last, ...g } = out.get(s)!;
      return g;
    });
    return { table: def.name, range, series };
  }

  const handle: ReadSide = {
    name: def.name,
    root,
    schema,
    format: def.format,
    read,
    readBatches,
    stats,
    gaps,
  };
  return { handle, core: { def, root, ctx, readFile, state } };
}

export type ReadSide = Omit<ColdTableHandle, "write">;

export function countFormats(files: TableFile[]): Partial<Record<StorageFormat, number>> {
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

async function* countSchemaErrors(gen: AsyncGenerator<Batch>): AsyncGenerator<Batch> {
  try {
    yield* gen;
  } catch (err) {
    if (err instanceof InputError && /schema mismatch/.test(err.message)) {
      dataConsistencyErrors.inc({ check: "schema" });
    }
    throw err;
  }
}
