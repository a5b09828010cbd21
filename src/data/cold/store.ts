import type { ColdConfig } from "../../config/sections/cold.ts";
import { loadEntry } from "../../util/entries.ts";
import type { Logger } from "../../log/logger.ts";
import { InputError, show } from "../../util/errors.ts";
import type { RowInput } from "./batch.ts";
import { toColumnBatch } from "./columns.ts";
import type { CompactReport } from "./compact.ts";
import type { GcReport } from "./gc.ts";
import type { MoveResult } from "./move.ts";
import { type MoveJournal, pendingMoves } from "./move_journal.ts";
import type { RepairReport } from "./repair.ts";
import { hasOhlcvLayout } from "./schema.ts";
import { openTableCore, type ReadSide, type TableCore } from "./table.ts";
import { resolveTables, type TableDef, tableDef } from "./tables.ts";
import type { CompactOptions, MaintenanceOptions } from "./table_write.ts";
import type {
  ColdStore,
  ColdTableHandle,
  OhlcvRow,
  ReadOptions,
  StorageFormat,
  TimeRange,
  WriteOptions,
  WriteResult,
} from "./types.ts";
import type { UpgradeResult } from "./upgrade.ts";
import { type VerifyOptions, type VerifyReport, verifyTable } from "./verify.ts";

export type { ColdStore } from "./types.ts";
export type { CompactOptions, MaintenanceOptions } from "./table_write.ts";

/**
 * The cold tier's entry points. `openColdTables` — every table (ohlcv, ohlcv_1m, derivs, configured ones,
 * their quarantine tables), each with its declared schema, rows keyed by column name; `openColdStore` — the
 * `OhlcvRow` facade of the ohlcv table (and the other tables of its layout) that the scan, ingest, publish and
 * the data door use. Reads load only the read side (hyparquet, the page decoder, hash-wasm); the writer stack
 * (parquet-wasm, apache-arrow: table_write.ts, move.ts) is imported on the first write.
 */

export { DEFAULT_MAX_ROWS_PER_FILE } from "./table.ts";

/** The format the configuration selects: Parquet only when enabled AND chosen; otherwise CSV. */
export function configuredFormat(cfg: ColdConfig): StorageFormat {
  return cfg.enable_parquet && cfg.format === "parquet" ? "parquet" : "csv";
}

export interface ColdStoreOptions {
  /** Where the one-time warning about an unverified wave-1 table goes (default: stderr). */
  log?: Pick<Logger, "warn">;
  /** openColdStore: the table of the ohlcv layout it serves by default (default: cold.parquet_schema.table). */
  table?: string;
}

/** One table with its maintenance operations (the CLI's verify/compact/upgrade). */
export interface ColdTableOps extends ColdTableHandle {
  readonly def: TableDef;
  verify(opts?: VerifyOptions): Promise<VerifyReport>;
  repair(replica: string, opts?: MaintenanceOptions): Promise<RepairReport>;
  compact(opts?: CompactOptions): Promise<CompactReport & { snapshot: number | null }>;
  upgrade(opts?: MaintenanceOptions): Promise<UpgradeResult | null>;
  gc(opts?: MaintenanceOptions): Promise<GcReport>;
}

/** Every table of the cold tier. */
export interface ColdTables {
  readonly dataDir: string;
  /** Table names (quarantine tables included: `quarantine/<name>`). */
  names(): string[];
  def(name: string): TableDef;
  /** A table by name (an unknown name is an error listing the known ones). */
  table(name: string): ColdTableOps;
  /**
   * Moves the rows with these keys from one table to another (e.g. ohlcv → quarantine/ohlcv and back), one
   * commit per table, crash-safe through a journal (move.ts); `to` null deletes them.
   */
  moveRows(
    from: string,
    to: string | null,
    keys: readonly RowInput[],
    opts?: MaintenanceOptions,
  ): Promise<MoveResult>;
  /** Completes moves a crash interrupted (those touching `tables`, or all). */
  completeMoves(opts?: MaintenanceOptions & { tables?: string[] }): Promise<string[]>;
  /** Journals of moves in flight or interrupted by a crash (move_journal.ts). */
  pendingMoves(): Promise<MoveJournal[]>;
}

const writeSide = () => loadEntry<typeof import("./table_write.ts")>("data/cold/table_write.ts");
const moveSide = () => loadEntry<typeof import("./move.ts")>("data/cold/move.ts");

/** Opens every table the configuration defines (nothing is opened until a table is used). */
export function openColdTables(cfg: ColdConfig, dataDir: string, so: ColdStoreOptions = {}): ColdTables {
  const defs = resolveTables(cfg);
  return tablesOf(defs, cfg, dataDir, so);
}

function tablesOf(
  defs: Map<string, TableDef>,
  cfg: ColdConfig,
  dataDir: string,
  so: ColdStoreOptions,
): ColdTables {
  const cores = new Map<string, { handle: ReadSide; core: TableCore }>();
  const open = (name: string) => {
    let t = cores.get(name);
    if (!t) cores.set(name, t = openTableCore(tableDef(defs, name), { dataDir, cfg, log: so.log }));
    return t;
  };
  const env = { dataDir, core: (name: string) => open(name).core };
  const ops = new Map<string, ColdTableOps>();
  return {
    dataDir,
    names: () => [...defs.keys()],
    def: (name) => tableDef(defs, name),
    table(name) {
      let o = ops.get(name);
      if (!o) ops.set(name, o = tableOps(open(name)));
      return o;
    },
    async moveRows(from, to, keys, opts) {
      return await (await moveSide()).moveRows(env, from, to, keys, opts);
    },
    async completeMoves(opts = {}) {
      const tables = opts.tables ? new Set(opts.tables) : undefined;
      return await (await moveSide()).completeMoves(env, opts, tables);
    },
    pendingMoves: () => pendingMoves(env),
  };
}

function tableOps(t: { handle: ReadSide; core: TableCore }): ColdTableOps {
  const { handle, core } = t;
  return {
    ...handle,
    def: core.def,
    async write(rows, opts) {
      return await (await writeSide()).writeTable(core, rows, opts);
    },
    verify: (opts) => verifyTable(core.root, core.def.name, opts),
    async repair(replica, opts) {
      return await (await writeSide()).repairTableFrom(core, replica, opts);
    },
    async compact(opts) {
      return await (await writeSide()).compactTable(core, opts);
    },
    async upgrade(opts) {
      return await (await writeSide()).upgradeTable(core, opts);
    },
    async gc(opts) {
      return await (await writeSide()).gcTable(core, opts);
    },
  };
}

/** The `OhlcvRow` facade plus the maintenance operations of its tables (the CLI's verify/compact/upgrade). */
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
 * Opens the cold tier's ohlcv table at `<dataDir>/<cfg.path>` (table `cfg.parquet_schema.table`, or
 * `so.table`) behind the `OhlcvRow` API. Its methods also take the name of another table of the ohlcv layout
 * (ohlcv_1m); other tables are opened with `openColdTables`. Layout (table_dir.ts): `current` →
 * `_snapshots/vN/`, whose `_manifest.json` lists every file (`dt=YYYY-MM-DD/part-NNNNN.{parquet,csv,csv.gz,
 * csv.lz4}`, UTC days) with its checksums. Reads resolve `current` once, read exactly the files the manifest
 * lists, and verify every byte; writes commit a new snapshot under the table's writer lock (commit.ts).
 * Windows are inclusive on both ends; reads never yield ts > to. Nothing is opened until the first call.
 */
export function openColdStore(cfg: ColdConfig, dataDir: string, so: ColdStoreOptions = {}): ColdTable {
  return ohlcvFacade(openColdTables(cfg, dataDir, so), so.table ?? cfg.parquet_schema.table);
}

/** The `OhlcvRow` facade over tables of the ohlcv layout; `main` is the default table (root, format). */
export function ohlcvFacade(tables: ColdTables, main: string): ColdTable {
  const first = tables.table(main);
  const table = (name: string): ColdTableOps => {
    let t: ColdTableOps | undefined;
    try {
      t = tables.table(name);
    } catch {
      t = undefined;
    }
    if (!t || !hasOhlcvLayout(t.schema)) {
      throw new InputError(
        `table: unknown table ${show(name)} (the cold tier stores ${main} at ${first.root}` +
          (t ? `; ${name} is not of the ohlcv layout: open it with openColdTables` : "") + `)`,
      );
    }
    return t;
  };
  if (!hasOhlcvLayout(first.schema)) {
    throw new InputError(`table ${main}: not of the ohlcv layout (ts,symbol,open,high,low,close,volume)`);
  }
  async function* readRows(name: string, range: TimeRange, opts: ReadOptions = {}) {
    yield* table(name).read(range, opts) as AsyncIterable<Partial<OhlcvRow>>;
  }
  async function* readBatches(name: string, range: TimeRange, opts: ReadOptions = {}) {
    const t = table(name);
    for await (const b of t.readBatches(range, opts)) yield toColumnBatch(b);
  }
  const write = async (
    name: string,
    rows: Iterable<OhlcvRow> | AsyncIterable<OhlcvRow>,
    opts: WriteOptions = {},
  ): Promise<WriteResult> =>
    await table(name).write(rows as Iterable<RowInput> | AsyncIterable<RowInput>, opts);
  return {
    format: first.format,
    root: first.root,
    write,
    read: (name, range, opts) => readRows(name, range, opts),
    readBatches,
    writeParquet: (name, rows, opts) => write(name, rows, { ...opts, format: "parquet" }),
    readParquet: (name, range, columns, opts) =>
      readRows(name, range, { ...opts, columns, format: "parquet" }),
    writeCsv: (name, rows, opts) => write(name, rows, { ...opts, format: "csv" }),
    readCsv: (name, range, columns, opts) => readRows(name, range, { ...opts, columns, format: "csv" }),
    stats: async (name, opts) => await table(name).stats(opts),
    verify: async (name, opts) => await table(name).verify(opts),
    repair: async (name, replica, opts) => await table(name).repair(replica, opts),
    compact: async (name, opts) => await table(name).compact(opts),
    upgrade: async (name, opts) => await table(name).upgrade(opts),
    gc: async (name, opts) => await table(name).gc(opts),
  };
}
