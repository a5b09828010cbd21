import type { Config } from "../config/schema.ts";
import { type Logger, nullLogger } from "../log/logger.ts";
import { openColdStore } from "./cold/store.ts";
import type { ColdStore, ReadOptions, TimeRange, WriteOptions, WriteResult } from "./cold/types.ts";
import type { OhlcvRow } from "../market/ohlcv.ts";
import { type OpenOptions, openPersistence } from "../persistence/open.ts";
import type {
  CallOptions,
  InsertManyResult,
  Persistence,
  PremoveArtifact,
  PremoveArtifactInput,
  RegimeSnapshot,
  RegimeSnapshotInput,
  StoredTrade,
  TradeInput,
} from "../persistence/types.ts";
import { InputError } from "../util/errors.ts";

/**
 * The data facade (spec B1.2 "wire into data facade alongside file storage"): one object in front of the
 * cold tier (Parquet/CSV files, `cold.*`) and the database (trades, regime snapshots, premove artifacts,
 * `persistence.*`). The database opens lazily on first use, so file-only work never starts PGlite or
 * connects to a server. With `persistence.enabled: false`, writes are skipped (reported, not silent) and
 * reads fail naming the flag.
 */
export interface DataFacade {
  /** The cold tier (always available). */
  readonly cold: ColdStore;
  /** The cold table the config names (`cold.parquet_schema.table`). */
  readonly coldTable: string;
  /** `persistence.enabled`. */
  readonly persistenceEnabled: boolean;
  /** The database (opened on first call); throws when persistence is disabled. */
  db(): Promise<Persistence>;

  /** PIT OHLCV bars from the cold tier: ts in [range.from, range.to], never later. */
  ohlcv(range: TimeRange, opts?: ReadOptions): AsyncIterable<Partial<OhlcvRow>>;
  /** Stores OHLCV bars in the cold tier in the configured format. */
  writeOhlcv(rows: Iterable<OhlcvRow> | AsyncIterable<OhlcvRow>, opts?: WriteOptions): Promise<WriteResult>;

  /** Stores trades (idempotent). With persistence disabled: nothing stored, `skipped` says why. */
  storeTrades(
    trades: Iterable<TradeInput> | AsyncIterable<TradeInput>,
    opts?: CallOptions,
  ): Promise<InsertManyResult & { skipped?: string }>;
  trades(symbol: string, range: TimeRange, limit: number, opts?: CallOptions): Promise<StoredTrade[]>;
  /** Stores a regime snapshot; returns false (skipped) when persistence is disabled. */
  storeRegime(r: RegimeSnapshotInput, opts?: CallOptions): Promise<boolean>;
  /** The latest regime snapshot at or before `asOf`. */
  latestRegime(asOf: Date, opts?: CallOptions): Promise<RegimeSnapshot | null>;
  /** Stores a premove artifact; returns false (skipped) when persistence is disabled. */
  storePremove(p: PremoveArtifactInput, opts?: CallOptions): Promise<boolean>;
  premoveWindow(range: TimeRange, opts?: CallOptions & { symbols?: string[] }): Promise<PremoveArtifact[]>;

  /** Closes the database when it was opened. Idempotent. */
  close(): Promise<void>;
}

export interface FacadeDeps {
  log?: Logger;
  /** Adapters (tests inject fakes of these narrow functions). */
  openColdStore?: typeof openColdStore;
  openPersistence?: typeof openPersistence;
  persistenceOptions?: OpenOptions;
}

const DISABLED = "persistence.enabled is false";

export function openDataFacade(
  cfg: Config,
  dataDir: string,
  env: Record<string, string>,
  deps: FacadeDeps = {},
): DataFacade {
  const log = deps.log ?? nullLogger;
  const cold = (deps.openColdStore ?? openColdStore)(cfg.cold, dataDir);
  const coldTable = cfg.cold.parquet_schema.table;
  const enabled = cfg.persistence.enabled;
  const open = deps.openPersistence ?? openPersistence;
  let dbP: Promise<Persistence> | undefined;
  let closed = false;

  const db = (): Promise<Persistence> => {
    if (closed) return Promise.reject(new Error("data facade is closed"));
    if (!enabled) {
      return Promise.reject(
        new InputError(
          `${DISABLED}: the database is off (set persistence.enabled: true to read or store it)`,
        ),
      );
    }
    if (!dbP) {
      dbP = open(cfg.persistence, dataDir, env, { log, ...deps.persistenceOptions });
      // A failed open is not cached: the next call tries again.
      dbP.catch(() => (dbP = undefined));
    }
    return dbP;
  };

  /** A write skipped because persistence is disabled: said in the log, never silent. */
  const skipped = (what: string): false => {
    log.debug(`${what} not stored`, { reason: DISABLED });
    return false;
  };

  return {
    cold,
    coldTable,
    persistenceEnabled: enabled,
    db,
    ohlcv: (range, opts) => cold.read(coldTable, range, opts),
    writeOhlcv: (rows, opts) => cold.write(coldTable, rows, opts),
    async storeTrades(trades, opts) {
      if (!enabled) {
        skipped("trades");
        return { inserted: 0, duplicates: 0, skipped: DISABLED };
      }
      return await (await db()).trades.insertMany(trades, opts);
    },
    async trades(symbol, range, limit, opts) {
      return await (await db()).trades.listBySymbol(symbol, range, limit, opts);
    },
    async storeRegime(r, opts) {
      if (!enabled) return skipped("regime snapshot");
      await (await db()).regime.upsert(r, opts);
      return true;
    },
    async latestRegime(asOf, opts) {
      return await (await db()).regime.latest(asOf, opts);
    },
    async storePremove(p, opts) {
      if (!enabled) return skipped("premove artifact");
      await (await db()).premove.upsert(p, opts);
      return true;
    },
    async premoveWindow(range, opts) {
      return await (await db()).premove.window(range, opts);
    },
    async close() {
      if (closed) return;
      closed = true;
      const p = dbP;
      dbP = undefined;
      if (p) await (await p.catch(() => undefined))?.close();
    },
  };
}
