import { resolve } from "node:path";
import type { Config } from "../config/schema.ts";
import { resolveSecret } from "../config/secrets.ts";
import { onSecretRotated } from "../secrets/rotation.ts";
import { openColdStore } from "../data/cold/store.ts";
import { readMicrostructure } from "../data/hot/store.ts";
import type { DbLease } from "./db_lease.ts";
import { readComponentStatuses, type StatusReadResult } from "./status_store.ts";
import { pathExists } from "../util/path_exists.ts";

/** What the freshness check needs from cold-tier stats (a subset of `ColdStore.stats`). */
export interface ColdFreshness {
  rows: number;
  minTs: number | null;
  maxTs: number | null;
  perSymbol: Record<string, { rows: number; minTs: number | null; maxTs: number | null; gaps: number }>;
}

/** What the provider/freshness checks need from a hot-tier book snapshot (a subset of `MicrostructureSnapshot`). */
export interface HotSnapshot {
  ts: number;
  symbol: string;
  venue?: string;
  spread_bps?: number;
  checksum_failed?: number;
  resyncs?: number;
}

/**
 * The narrow ports the health checks read through. `defaultSources` wires the real stores; tests pass
 * fakes of exactly this shape.
 */
export interface HealthSources {
  /** Cold-tier stats of the OHLCV table. */
  coldStats(signal: AbortSignal): Promise<ColdFreshness>;
  /** Latest verified book per symbol with ts <= asOf (PIT); null when this build has no hot tier. */
  hotSnapshots(venue: string, asOf: number): Promise<Map<string, HotSnapshot> | null>;
  /**
   * Resolves when the configured database answers (optionally with a note, e.g. "in use by the scan job");
   * rejects with the reason otherwise.
   */
  pingDatabase(signal: AbortSignal): Promise<string | void>;
  componentStatuses(): Promise<StatusReadResult>;
  /** Releases what the sources opened (the database connection). */
  close(): Promise<void>;
}

interface Pingable {
  ping(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

function isModuleNotFound(err: unknown, path: string): boolean {
  const msg = (err as Error)?.message ?? "";
  return /Module not found|Cannot find module|ERR_MODULE_NOT_FOUND/i.test(msg) && msg.includes(path);
}

/** Opens the configured database through the persistence layer (issue 5), or a direct ping when absent. */
async function openDatabase(cfg: Config, dataDir: string, env: Record<string, string>): Promise<Pingable> {
  type Open = (c: Config["persistence"], d: string, e: Record<string, string>) => Promise<Pingable>;
  let mod: { openPersistence?: Open } | undefined;
  try {
    mod = (await import("../persistence/open.ts")) as unknown as { openPersistence?: Open };
  } catch (err) {
    if (!isModuleNotFound(err, "persistence/open.ts")) throw err;
  }
  if (mod?.openPersistence) return await mod.openPersistence(cfg.persistence, dataDir, env);
  if (cfg.persistence.kind !== "postgres") {
    throw new Error("embedded database: the persistence layer (src/persistence) is not part of this build");
  }
  return await directPostgres(cfg, env);
}

/** `select 1` through npm:postgres with the DSN secret: used only when the persistence layer is absent. */
async function directPostgres(cfg: Config, env: Record<string, string>): Promise<Pingable> {
  const secret = await resolveSecret(
    { env: cfg.persistence.dsn_env, file: cfg.persistence.dsn_file },
    "persistence.dsn",
    env,
  );
  if (!secret.value) throw new Error(`postgres: no DSN (${secret.source} is not set)`);
  const { default: postgres } = await import("postgres");
  const sql = postgres(secret.value, {
    max: 1,
    connect_timeout: Math.ceil(cfg.persistence.timeout_ms / 1000),
    idle_timeout: 5,
    onnotice: () => {},
  });
  return {
    async ping() {
      await sql`select 1`;
    },
    async close() {
      await sql.end({ timeout: 1 });
    },
  };
}

/**
 * The real adapters: cold tier via `openColdStore(...).stats`, hot tier via `readMicrostructure`, the
 * database via `openPersistence(...).ping` (opened once and reused, reopened after a failed ping).
 */
export interface SourceOptions {
  /**
   * Embedded database shared with in-process jobs (`serve`): open/ping/close under this lease instead of
   * holding the database open, and report "in use" instead of waiting while a job holds it.
   */
  embeddedLease?: DbLease;
}

export function defaultSources(
  cfg: Config,
  dataDir: string,
  env: Record<string, string>,
  opts: SourceOptions = {},
): HealthSources {
  let db: Pingable | undefined;
  const lease = cfg.persistence.kind === "embedded" ? opts.embeddedLease : undefined;
  // A rotated DSN (SIGHUP, secret file changed): drop the connection, the next ping opens one with it.
  const unsubscribe = onSecretRotated("persistence.dsn", async () => {
    const old = db;
    db = undefined;
    await old?.close().catch(() => {});
  });
  return {
    async coldStats(signal) {
      const store = openColdStore(cfg.cold, dataDir);
      // A store that was never written is empty, not broken.
      if (!(await pathExists(resolve(store.root)))) {
        return { rows: 0, minTs: null, maxTs: null, perSymbol: {} };
      }
      return await store.stats(cfg.cold.parquet_schema.table, { signal });
    },
    hotSnapshots: (venue, asOf) => readMicrostructure(dataDir, venue, asOf, { hotPath: cfg.tiers.hot_path }),
    async pingDatabase(signal) {
      if (lease) {
        const got = lease.tryAcquire("health check");
        if ("busyWith" in got) return `in use by ${got.busyWith}`;
        try {
          const conn = await openDatabase(cfg, dataDir, env);
          try {
            await conn.ping(signal);
          } finally {
            await conn.close();
          }
          return;
        } finally {
          got.release();
        }
      }
      db ??= await openDatabase(cfg, dataDir, env);
      try {
        await db.ping(signal);
      } catch (err) {
        const broken = db;
        db = undefined;
        await broken.close().catch(() => {});
        throw err;
      }
    },
    componentStatuses: () => readComponentStatuses(dataDir),
    async close() {
      unsubscribe();
      const d = db;
      db = undefined;
      await d?.close();
    },
  };
}
