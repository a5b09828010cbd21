import type { ValidateConfig } from "../config/sections/validate.ts";
import type { RowInput } from "../data/cold/batch.ts";
import { textLines } from "../data/cold/csv_lines.ts";
import type { ColdTables } from "../data/cold/store.ts";
import { USD_PAIR_RE } from "../market/symbols.ts";
import type { SymbolMap } from "../providers/kraken/symbols.ts";
import { InputError, show } from "../util/errors.ts";
import { type FileSet, openSource, type SourceFile } from "./kraken_files/zip_entries.ts";
import {
  type FileKind,
  isHeader,
  parseFileName,
  parseOhlcvtLine,
  parseTradeLine,
} from "./kraken_files/rows.ts";
import { MinuteAggregator } from "./minute_bars.ts";
import { writeBars } from "./bar_write.ts";

/**
 * `cold import --kraken-ohlcvt|--kraken-trades`: Kraken's downloadable history (a .zip or a directory of
 * per-pair CSVs) into the cold tier. File names map to normalised pairs through AssetPairs (XBTUSD_1.csv →
 * BTC/USD). OHLCVT `_1` files go to ohlcv_1m (vwap null, trades = the file's count), `_60` files to ohlcv;
 * time-and-sales files become 1-minute bars (minute_bars.ts) in ohlcv_1m, without each file's last minute
 * (the file may end inside it). Other intervals, non-USD pairs and pairs AssetPairs does not know are
 * skipped and listed.
 *
 * All or nothing: the tables are written one commit each, largest input first; a bad line (fields, order,
 * the table's row check) is an error naming the file, the line and the field. A bad line in the first
 * table's files aborts its write (nothing committed); the other tables' files are checked in a first pass
 * before anything is written, so a bad line anywhere leaves every table as it was. Files are read one at a time from the zip (zip_entries.ts), so
 * memory holds one inflated chunk plus the write's per-day buffers, never the archive. A stored bar keeps its
 * values (counted as kept); identical bars are not written again.
 */

export interface ImportPlanFile {
  file: string;
  symbol: string | null;
  table: string | null;
  /** Why the file is not imported. */
  skipped?: string;
  rows: number;
}

export interface ImportTableResult {
  table: string;
  rows_written: number;
  already_stored: number;
  kept: number;
  /** Rows the validation layer sent to quarantine/<table> (validate.on_write: quarantine). */
  quarantined: number;
  partitions: string[];
  snapshot: number | null;
}

export interface ImportReport {
  kind: FileKind;
  source: string;
  files: ImportPlanFile[];
  tables: ImportTableResult[];
  /** Rows read from the imported files (trades files: trades). */
  /** Rows read from the files: one per OHLCVT line; for time-and-sales, the 1-minute bars built. */
  rows: number;
  seconds: number;
}

export interface ImportOptions {
  tables: ColdTables;
  kind: FileKind;
  source: string;
  symbols: SymbolMap;
  /** The hourly table (cold.parquet_schema.table) and the 1-minute table (kraken.bars_table). */
  hourTable: string;
  minuteTable: string;
  command: string;
  waitMs?: number;
  signal?: AbortSignal;
  /** The validation layer's settings (`validate.*`): imported bars are validated on the way in. */
  validate?: ValidateConfig;
  /** Bytes of lines read so far (both passes) and the total. */
  onProgress?: (done: number, total: number) => void;
}

interface Target {
  f: SourceFile;
  plan: ImportPlanFile;
}

function plan(files: SourceFile[], o: ImportOptions): Target[] {
  const seen = new Map<string, string>();
  return files.map((f) => {
    const p: ImportPlanFile = { file: f.name, symbol: null, table: null, rows: 0 };
    const n = parseFileName(f.name, o.kind);
    if (!n) {
      p.skipped = o.kind === "ohlcvt" ? "name is not <PAIR>_<minutes>.csv" : "name is not <PAIR>.csv";
      return { f, plan: p };
    }
    const symbol = o.symbols.normalize(n.pair);
    if (!symbol) p.skipped = `${n.pair} is not a pair in AssetPairs`;
    else if (!USD_PAIR_RE.test(symbol)) {
      p.skipped = `${symbol} is not a USD pair (the cold tier holds USD pairs)`;
    } else if (n.minutes !== null && n.minutes !== 1 && n.minutes !== 60) {
      p.skipped = `interval ${n.minutes} min has no table (1 → ${o.minuteTable}, 60 → ${o.hourTable})`;
    } else {
      p.symbol = symbol;
      p.table = n.minutes === 60 ? o.hourTable : o.minuteTable;
      const k = `${p.table} ${symbol}`;
      const other = seen.get(k);
      if (other !== undefined) {
        throw new InputError(
          `${f.name}: ${symbol} in table ${p.table} comes from ${other} too: keep one of them`,
        );
      }
      seen.set(k, f.name);
    }
    return { f, plan: p };
  });
}

/** Every row of one file, checked, as the table's rows (null: a line without a row, e.g. a header). */
async function* fileRows(
  t: Target,
  o: ImportOptions,
  progress: (bytes: number) => void,
): AsyncGenerator<RowInput> {
  const file = t.f.name;
  const symbol = t.plan.symbol!;
  const check = o.tables.def(t.plan.table!).check;
  const hourly = t.plan.table === o.hourTable;
  const agg = o.kind === "trades" ? new MinuteAggregator(symbol) : null;
  let prev = -Infinity;
  for await (const { line, lineNo } of textLines(await t.f.open(), o.signal)) {
    progress(line.length + 1);
    if (line.trim() === "") continue;
    if (lineNo === 1 && isHeader(line, o.kind)) continue;
    if (o.kind === "ohlcvt") {
      const r = parseOhlcvtLine(file, lineNo, line, prev);
      prev = r.ts;
      const row: RowInput = hourly
        ? { ts: r.ts, symbol, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume }
        : { ...r, symbol, vwap: null };
      const bad = check(row as Record<string, unknown>);
      if (bad) throw new InputError(`${file}:${lineNo}: ${bad.field}: ${bad.message}`);
      yield row;
    } else {
      const tr = parseTradeLine(file, lineNo, line, prev);
      prev = tr.ts;
      agg!.add(tr.ts, tr.price, tr.qty);
      // Bars of minutes before the current trade's are complete.
      yield* agg!.take(tr.ts - (tr.ts % 60_000)) as RowInput[];
    }
  }
  // The file's last minute may be cut by the end of the file: not written.
}

/** Reads and checks every line of the files; writes nothing. */
async function checkPass(targets: Target[], o: ImportOptions, progress: (b: number) => void): Promise<void> {
  for (const t of targets) for await (const _ of fileRows(t, o, progress)) { /* checked */ }
}

export async function importKrakenFiles(o: ImportOptions): Promise<ImportReport> {
  const t0 = performance.now();
  await using src: FileSet = await openSource(o.source);
  if (src.files.length === 0) throw new InputError(`${show(o.source)}: no .csv file in it`);
  const targets = plan(src.files, o);
  const used = targets.filter((t) => !t.plan.skipped);
  if (used.length === 0) {
    throw new InputError(
      `${show(o.source)}: no file to import (${
        targets.slice(0, 5).map((t) => `${t.plan.file}: ${t.plan.skipped}`).join("; ")
      }${targets.length > 5 ? "; …" : ""})`,
    );
  }
  // The tables, largest input first. The first one's files need no check pass: a bad line aborts its
  // write, which commits nothing. Every other table's files are checked before the first commit.
  const size = new Map<string, number>();
  for (const t of used) size.set(t.plan.table!, (size.get(t.plan.table!) ?? 0) + t.f.size);
  const tableNames = [...size.keys()].sort((a, b) => size.get(b)! - size.get(a)! || (a < b ? -1 : 1));
  const checkFirst = used.filter((t) => t.plan.table !== tableNames[0]);
  const total = used.reduce((n, t) => n + t.f.size, 0) + checkFirst.reduce((n, t) => n + t.f.size, 0);
  let done = 0;
  const progress = (b: number) => {
    done += b;
    if ((done & 0xfffff) < b) o.onProgress?.(done, total);
  };
  // Pass 1: every line of the other tables' files checked; nothing written.
  await checkPass(checkFirst, o, progress);
  let rowsRead = 0;
  // Pass 2: one commit per table.
  const results: ImportTableResult[] = [];
  for (const table of tableNames) {
    const mine = used.filter((t) => t.plan.table === table);
    const rows = async function* () {
      for (const t of mine) {
        let n = 0;
        for await (const r of fileRows(t, o, progress)) {
          n++;
          yield r;
        }
        t.plan.rows = n;
        rowsRead += n;
      }
    };
    // Every row was checked on the way in (fileRows): what the write skips is a key stored with other values.
    const r = await writeBars(o.tables, rows(), {
      table,
      overwrite: false,
      command: o.command,
      waitMs: o.waitMs,
      signal: o.signal,
      validate: o.validate,
    });
    results.push({
      table,
      rows_written: r.written,
      already_stored: r.identical,
      kept: r.kept,
      quarantined: r.quarantined,
      partitions: r.partitions,
      snapshot: r.snapshot,
    });
  }
  o.onProgress?.(total, total);
  if (rowsRead === 0) {
    // Nothing was written (no row reached a table): a run that imported nothing says so and fails.
    throw new InputError(
      `${show(o.source)}: no row to import in ${used.map((t) => t.plan.file).slice(0, 5).join(", ")}${
        used.length > 5 ? ", …" : ""
      } (${
        o.kind === "trades"
          ? "empty, or trades of one minute only: each file's last minute is left out"
          : "the files are empty"
      })`,
    );
  }
  return {
    kind: o.kind,
    source: o.source,
    files: targets.map((t) => t.plan),
    tables: results,
    rows: rowsRead,
    seconds: (performance.now() - t0) / 1000,
  };
}
