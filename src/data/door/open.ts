import { resolve } from "node:path";
import type { Config } from "../../config/schema.ts";
import { DATA_KINDS, type DataKind, warmTtlMs } from "../../config/sections/tiers.ts";
import type { Logger } from "../../log/logger.ts";
import { nullLogger } from "../../log/logger.ts";
import type { Persistence } from "../../persistence/types.ts";
import { krakenRestFrom } from "../../providers/kraken/venue.ts";
import { krakenWarm } from "../../providers/kraken/warm.ts";
import { ConfigError, InputError } from "../../util/errors.ts";
import { openColdStore, openColdTables } from "../cold/store.ts";
import { openWarmCache, type WarmCache, type WarmCacheDeps } from "../warm/cache.ts";
import type { WarmVenue } from "../warm/ports.ts";
import { warmSource } from "../warm/source.ts";
import { createDataDoor, type DataDoor, type DoorMetrics } from "./door.ts";
import type { MarketKinds } from "./kinds.ts";
import type { DoorSource, Tier } from "./port.ts";
import { coldBarsSource } from "./sources/cold_bars.ts";
import { coldDerivsSource } from "./sources/cold_derivs.ts";
import { dbTradesSource } from "./sources/db_trades.ts";
import { fixtureBarsSource } from "./sources/fixture_bars.ts";
import { hotBooksSource } from "./sources/hot_books.ts";

/**
 * Multi-region hot tier (issue 17): with two or more regions, the leader's books are in tiers.hot_path and
 * each other region's in `<hot_path>/regions/<name>` (serve runs one book session per region).
 */
export function hotRegions(cfg: Config) {
  const r = cfg.regions;
  if (r.list.length < 2) return undefined;
  const leader = r.leader ?? r.list[0].name;
  return {
    leader,
    others: r.list.filter((x) => x.name !== leader).map((x) => ({
      name: x.name,
      hotPath: regionHotPath(cfg.tiers.hot_path, x.name),
    })),
    toleranceBps: r.hot_disagree_bps,
  };
}

/** A follower region's hot directory. */
export function regionHotPath(hotPath: string, region: string): string {
  return `${hotPath.replace(/\/+$/, "")}/regions/${region}`;
}

/** The market data door every reader uses, plus the warm tier's store (health lists it). */
export type MarketDoor = DataDoor<MarketKinds> & { readonly warm: WarmCache };

export interface OpenDoorDeps {
  /** The door's clock (tests control it); default Date.now. */
  now?: () => number;
  log?: Logger;
  /** REST adapters of the warm tier by venue (default: Kraken's public REST API from `kraken.*`). */
  warmVenues?: Record<string, WarmVenue<MarketKinds>>;
  warmCache?: WarmCacheDeps;
  /** Opens the database for `cold:db` (default: src/persistence/open.ts, loaded on first use). */
  openPersistence?: () => Promise<Persistence>;
  /** Replaces some of the door's metrics (default: the cryptorun_* series of src/data/door/door.ts). */
  metrics?: Partial<DoorMetrics>;
}

/** The REST adapters this build has (a venue without one cannot appear as `warm:<venue>_rest`). */
const WARM_VENUES: Record<string, (cfg: Config, log: Logger) => WarmVenue<MarketKinds>> = {
  kraken: (cfg, log) =>
    krakenWarm(krakenRestFrom(cfg.kraken, log.child({ tier: "warm" })), { bookDepth: cfg.kraken.book_depth }),
};

/**
 * Opens the data door as `tiers.authority` configures it: per data kind its sources, highest authority first
 * (docs/CONFIG.md § tiers). Opening reads nothing and connects to nothing; the database opens on the first
 * trades read from `cold:db`, REST is called only by a live read that reaches the warm tier.
 */
export function openMarketDoor(
  cfg: Config,
  dataDir: string,
  env: Record<string, string>,
  deps: OpenDoorDeps = {},
): MarketDoor {
  const now = deps.now ?? Date.now;
  const log = deps.log ?? nullLogger;
  const t = cfg.tiers;
  const warm = openWarmCache(resolve(dataDir, t.warm_path), deps.warmCache);
  const venues = new Map<string, WarmVenue<MarketKinds>>();
  const warmVenue = (venue: string, where: string) => {
    let v = venues.get(venue) ?? deps.warmVenues?.[venue];
    if (!v) {
      const make = WARM_VENUES[venue];
      if (!make) {
        throw new ConfigError(
          `${where}: warm:${venue}_rest — no REST adapter for venue ${JSON.stringify(venue)} (have: ${
            Object.keys(WARM_VENUES).join(", ")
          })`,
        );
      }
      v = make(cfg, log);
    }
    venues.set(venue, v);
    return v;
  };
  let cold: ReturnType<typeof openColdStore> | undefined;
  let coldTables: ReturnType<typeof openColdTables> | undefined;
  let db: DoorSource<MarketKinds["trades"]> | undefined;

  function source(kind: DataKind, id: string, where: string): DoorSource<MarketKinds[typeof kind]> {
    const [tier, name] = id.split(":") as [Tier, string];
    if (tier === "hot") {
      return hotBooksSource({
        id,
        venue: name.slice(0, -"_ws".length),
        dataDir,
        hotPath: t.hot_path,
        maxAgeMs: t.hot_max_age_ms,
        regions: hotRegions(cfg),
      }) as DoorSource<MarketKinds[typeof kind]>;
    }
    if (tier === "warm") {
      const venue = warmVenue(name.slice(0, -"_rest".length), where);
      if (venue.endpoint(kind) === null) {
        throw new ConfigError(`${where}: ${id} has no ${kind} data`);
      }
      return warmSource({ kind, venue, cache: warm, ttlMs: warmTtlMs(t, kind), now });
    }
    if (name === "db") {
      db ??= dbTradesSource({
        id,
        open: deps.openPersistence ?? (async () => {
          if (!cfg.persistence.enabled) {
            throw new InputError("persistence.enabled is false: the database (cold:db trades) is off");
          }
          const { openPersistence } = await import("../../persistence/open.ts");
          return await openPersistence(cfg.persistence, dataDir, env, { log });
        }),
      });
      return db as DoorSource<MarketKinds[typeof kind]>;
    }
    if (name === "fixtures") {
      return fixtureBarsSource({
        id,
        venues: cfg.scan.fixture_venues.filter((v) => v !== cfg.scan.venue),
      }) as DoorSource<MarketKinds[typeof kind]>;
    }
    if (name === "derivs") {
      return coldDerivsSource({
        id,
        table: () => (coldTables ??= openColdTables(cfg.cold, dataDir)).table("derivs"),
        maxAgeMs: null,
      }) as DoorSource<MarketKinds[typeof kind]>;
    }
    cold ??= openColdStore(cfg.cold, dataDir);
    return coldBarsSource({
      id,
      venue: name,
      store: cold,
      table: cfg.cold.parquet_schema.table,
      maxAgeMs: t.cold_max_age_ms ?? null,
    }) as DoorSource<MarketKinds[typeof kind]>;
  }

  const sources = Object.fromEntries(
    DATA_KINDS.map((kind) => [
      kind,
      t.authority[kind].map((id, i) => source(kind, id, `tiers.authority.${kind}[${i}]`)),
    ]),
  ) as { [K in keyof MarketKinds]: DoorSource<MarketKinds[K]>[] };
  const door = createDataDoor<MarketKinds>({ sources, now, metrics: deps.metrics });
  return Object.assign(door, { warm });
}
