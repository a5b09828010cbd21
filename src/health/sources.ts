import type { Config } from "../config/schema.ts";
import { resolveSecret } from "../config/secrets.ts";
import { DATA_KINDS } from "../config/sections/tiers.ts";
import { type MarketDoor, openMarketDoor } from "../data/door/open.ts";
import { onSecretRotated } from "../secrets/rotation.ts";
import type { DbLease } from "./db_lease.ts";
import { readComponentStatuses, type StatusReadResult } from "./status_store.ts";

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

/** What the warm-tier freshness check needs: the newest stored REST response (fetch time ≤ asOf). */
export interface WarmFreshness {
  /** The warm sources configured for the venue (`warm:kraken_rest`). */
  sources: string[];
  entries: number;
  newestTs: number | null;
}

/**
 * The narrow ports the health checks read through. `defaultSources` wires the real stores (through the data
 * door's inventory); tests pass fakes of exactly this shape.
 */
export interface HealthSources {
  /** Cold-tier stats of the OHLCV table. */
  coldStats(signal: AbortSignal): Promise<ColdFreshness>;
  /** Latest verified book per symbol with ts <= asOf (PIT); null when no hot source is configured. */
  hotSnapshots(venue: string, asOf: number): Promise<Map<string, HotSnapshot> | null>;
  /** The warm tier's stored responses of a venue (every kind); null when no warm source is configured. */
  warmEntries(venue: string, asOf: number, signal: AbortSignal): Promise<WarmFreshness | null>;
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
 * The real adapters: the tiers through the data door's inventory (cold: the `cold:<scan.venue>` table's
 * stats; hot: the latest verified book per symbol; warm: the stored REST responses), the database via
 * `openPersistence(...).ping` (opened once and reused, reopened after a failed ping).
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
  // Inventory only: the door opens no database and calls no REST API for it.
  let door: MarketDoor | undefined;
  const theDoor = () => (door ??= openMarketDoor(cfg, dataDir, env));
  // A rotated DSN (SIGHUP, secret file changed): drop the connection, the next ping opens one with it.
  const unsubscribe = onSecretRotated("persistence.dsn", async () => {
    const old = db;
    db = undefined;
    await old?.close().catch(() => {});
  });
  return {
    async coldStats(signal) {
      const venue = cfg.scan.venue;
      const inv = (await theDoor().inventory("bars", venue, Date.now(), signal))
        .find((i) => i.source === `cold:${venue}`);
      const out: ColdFreshness = { rows: 0, minTs: null, maxTs: null, perSymbol: {} };
      for (const [symbol, e] of inv?.entries ?? []) {
        const s = { rows: e.rows ?? 0, minTs: e.oldestTs ?? null, maxTs: e.newestTs, gaps: e.gaps ?? 0 };
        out.perSymbol[symbol] = s;
        out.rows += s.rows;
        if (s.minTs !== null && (out.minTs === null || s.minTs < out.minTs)) out.minTs = s.minTs;
        if (out.maxTs === null || s.maxTs > out.maxTs) out.maxTs = s.maxTs;
      }
      return out;
    },
    async hotSnapshots(venue, asOf) {
      const hot = (await theDoor().inventory("books", venue, asOf)).filter((i) => i.tier === "hot");
      if (hot.length === 0) return null;
      const out = new Map<string, HotSnapshot>();
      for (const inv of hot) {
        for (const [symbol, e] of inv.entries) {
          const cur = out.get(symbol);
          if (e.latest && (!cur || e.latest.ts > cur.ts)) out.set(symbol, e.latest);
        }
      }
      return out;
    },
    async warmEntries(venue, asOf, signal) {
      const sources = new Set<string>();
      let entries = 0;
      let newestTs: number | null = null;
      for (const kind of DATA_KINDS) {
        for (const inv of await theDoor().inventory(kind, venue, asOf, signal)) {
          if (inv.tier !== "warm") continue;
          sources.add(inv.source);
          for (const e of inv.entries.values()) {
            entries++;
            if (newestTs === null || e.newestTs > newestTs) newestTs = e.newestTs;
          }
        }
      }
      return sources.size === 0 ? null : { sources: [...sources].sort(), entries, newestTs };
    },
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
      await Promise.all([d?.close(), door?.close()]);
      door = undefined;
    },
  };
}
