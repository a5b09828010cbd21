/**
 * The data door: the one way readers get market data. A reader asks for one kind of data (bars, books, trades,
 * quotes — or any kind wired in later, e.g. derivatives) of one venue's symbols over a time window; the door
 * asks that kind's sources in authority order (config `tiers.authority`, normally hot → warm → cold) and
 * answers each symbol from the first source whose data is present and fresh. A lower-authority source is
 * used only when every higher one is stale or missing, and every answer says so:
 *
 *   served_by {tier, source}, age_ms (the read's end − the newest row served), stale (every source was stale
 *   or missing: the highest-authority stale answer is served, flagged), chain (what fell through, DOMAIN.md
 *   §5 style: `hot_stale:12000ms`, `warm_miss`, `cold_failed:…`).
 *
 * Point in time: nothing with ts > `to` ever leaves the door, whatever a source returns (a source that tries
 * is counted in cryptorun_data_consistency_errors_total{check="door_pit"}). Metrics (the `DoorMetrics` port):
 * cryptorun_cache_hit_ratio{tier} (per tier, answers it served fresh over the lookups that reached it),
 * cryptorun_tier_lookups_total{tier,outcome}, and cryptorun_replication_lag_seconds{tier="warm",
 * region="local",source} (how far behind the venue the warm copies a read looked at were).
 *
 * Sources are ports (./port.ts); the door knows no tier's storage and no kind's row shape beyond `ts`.
 */
import { cacheHitRatio, dataConsistencyErrors, replicationLag, tierLookups } from "../../metrics/metrics.ts";
import { createHitRatio } from "./hit_ratio.ts";
import {
  type DoorSource,
  type InventoryEntry,
  isMiss,
  type SourceHit,
  type Tier,
  type Timed,
} from "./port.ts";

export type { DoorSource, InventoryEntry, SourceRead, SourceResult, Tier, Timed } from "./port.ts";

export interface DoorRequest {
  venue: string;
  symbols: readonly string[];
  /** Window start, inclusive (default: unbounded — books and quotes: the latest one before `to`). */
  from?: number;
  /**
   * Window end, inclusive; nothing later is returned. `"now"`: a read of the latest data — sources may
   * refresh (the warm tier fetches) and the door fixes `to` at its clock once every source answered.
   */
  to: number | "now";
  /** Ask only the sources of these tiers (e.g. the cold-tier publisher); default every source. */
  tiers?: readonly Tier[];
  signal?: AbortSignal;
}

export interface ServedBy {
  tier: Tier;
  source: string;
}

export interface DoorAnswer<Row extends Timed> {
  venue: string;
  symbol: string;
  rows: Row[];
  /** null: no source had anything for this symbol. */
  served_by: ServedBy | null;
  /** `to` − the newest row's ts (null without rows). */
  age_ms: number | null;
  /** Every source was stale or missing; this is the highest-authority stale answer. */
  stale: boolean;
  /** Sources that fell through before the answer, in order. */
  chain: string[];
}

export interface DoorRead<Row extends Timed> {
  kind: string;
  venue: string;
  from: number;
  /** The read's end (for a live read: the door's clock after every source answered). */
  to: number;
  live: boolean;
  answers: Map<string, DoorAnswer<Row>>;
}

export interface SourceInventory<Row extends Timed> {
  source: string;
  tier: Tier;
  entries: Map<string, InventoryEntry<Row>>;
}

export interface DataDoor<M extends Record<string, Timed>> {
  read<K extends keyof M & string>(kind: K, req: DoorRequest): Promise<DoorRead<M[K]>>;
  /**
   * What each source of `kind` (authority order) holds for `venue`: hot and warm sources list their newest
   * data with ts ≤ `asOf`; a cold table lists its stats (a row after `asOf` shows, so health can flag it).
   */
  inventory<K extends keyof M & string>(
    kind: K,
    venue: string,
    asOf: number,
    signal?: AbortSignal,
  ): Promise<SourceInventory<M[K]>[]>;
  /** The sources of `kind`, highest authority first. */
  sources(kind: keyof M & string): ReadonlyArray<{ id: string; tier: Tier; maxAgeMs: number | null }>;
  /** This door's hit ratio of a tier (null before its first lookup). */
  hitRatio(tier: Tier): number | null;
  close(): Promise<void>;
}

export type LookupOutcome = "hit" | "miss" | "stale" | "failed";

/** What the door reports (default: the metrics below; tests and the alert test replace any of them). */
export interface DoorMetrics {
  /** A tier's hit ratio after a read that reached it (cryptorun_cache_hit_ratio{tier}). */
  hitRatio(tier: Tier, ratio: number): void;
  /** Lookups of a tier by outcome (cryptorun_tier_lookups_total{tier,outcome}); n = 0 creates the series. */
  lookup(tier: Tier, outcome: LookupOutcome, n: number): void;
  /**
   * The oldest warm copy a read found, as `to − fetch time` (cryptorun_replication_lag_seconds{tier="warm",
   * region="local",source}; the hot and cold tiers' series are the health checks' data ages).
   */
  warmLag(source: string, lagMs: number): void;
}

export const METRICS: DoorMetrics = {
  hitRatio: (tier, ratio) => cacheHitRatio.set({ tier }, ratio),
  lookup: (tier, outcome, n) => tierLookups.inc({ tier, outcome }, n),
  warmLag: (source, lagMs) => replicationLag.set({ tier: "warm", region: "local", source }, lagMs / 1000),
};

export interface DoorOptions<M extends Record<string, Timed>> {
  /** Per kind, its sources in authority order. */
  sources: { [K in keyof M]: DoorSource<M[K]>[] };
  now?: () => number;
  /** Replaces some of the default metrics. */
  metrics?: Partial<DoorMetrics>;
  /** Lookups per tier the hit ratio covers (default 1000). */
  hitWindow?: number;
}

/** First line of an error, bounded (it goes into the chain). */
function brief(err: unknown): string {
  const m = ((err as Error)?.message ?? String(err)).split("\n")[0];
  return m.length > 120 ? m.slice(0, 117) + "…" : m;
}

export function createDataDoor<M extends Record<string, Timed>>(o: DoorOptions<M>): DataDoor<M> {
  const now = o.now ?? Date.now;
  const ratios = createHitRatio(o.hitWindow);
  const metrics: DoorMetrics = { ...METRICS, ...o.metrics };
  const record = (tier: Tier, outcome: LookupOutcome) => {
    ratios.record(tier, outcome === "hit");
    metrics.lookup(tier, outcome, 1);
  };
  // Every tier this door can reach starts at 0 per outcome, so rate() works from the first scrape; so does
  // its PIT check.
  dataConsistencyErrors.inc({ check: "door_pit" }, 0);
  const allSources = Object.values(o.sources).flat() as DoorSource<Timed>[];
  for (const tier of new Set(allSources.map((s) => s.tier))) {
    for (const outcome of ["hit", "miss", "stale", "failed"] as const) metrics.lookup(tier, outcome, 0);
  }
  const sourcesOf = <K extends keyof M & string>(kind: K): DoorSource<M[K]>[] => {
    const list = o.sources[kind];
    if (!list) {
      throw new Error(
        `data door: no data kind ${JSON.stringify(kind)} (kinds: ${Object.keys(o.sources).join(", ")})`,
      );
    }
    return list;
  };
  let closed = false;

  return {
    async read(kind, req) {
      if (closed) throw new Error("data door is closed");
      const live = req.to === "now";
      const from = req.from ?? -Infinity;
      let to = live ? now() : req.to as number;
      if (!live && !(from <= to)) {
        throw new RangeError(`data door: window [${from}, ${to}] is empty (from after to)`);
      }
      const pending = new Set(req.symbols);
      const chains = new Map<string, string[]>([...pending].map((s) => [s, []]));
      const served = new Map<
        string,
        { hit: SourceHit<M[typeof kind]>; source: DoorSource<M[typeof kind]> }
      >();
      const fallback = new Map<
        string,
        { hit: SourceHit<M[typeof kind]>; source: DoorSource<M[typeof kind]> }
      >();
      const touched = new Set<Tier>();

      for (const source of sourcesOf(kind)) {
        if (pending.size === 0) break;
        if (!source.covers(req.venue) || (req.tiers && !req.tiers.includes(source.tier))) continue;
        req.signal?.throwIfAborted();
        const asked = [...pending];
        let results: Awaited<ReturnType<typeof source.read>>;
        try {
          results = await source.read({
            venue: req.venue,
            symbols: asked,
            from,
            to,
            live,
            now: now(),
            signal: req.signal,
          });
        } catch (err) {
          req.signal?.throwIfAborted();
          for (const s of asked) {
            chains.get(s)!.push(`${source.tier}_failed:${brief(err)}`);
            record(source.tier, "failed");
          }
          touched.add(source.tier);
          continue;
        }
        const judgeAt = live ? now() : to;
        touched.add(source.tier);
        let oldestCopy = -Infinity;
        for (const symbol of asked) {
          const r = results.get(symbol) ?? { miss: "miss" };
          if (isMiss(r)) {
            chains.get(symbol)!.push(`${source.tier}_${r.miss}`);
            record(source.tier, "miss");
            continue;
          }
          const rows = clamp(r.rows, from, live ? Infinity : to);
          if (rows.length === 0) {
            chains.get(symbol)!.push(`${source.tier}_miss`);
            record(source.tier, "miss");
            continue;
          }
          const hit = { ...r, rows };
          const observedAge = judgeAt - r.observedAt;
          oldestCopy = Math.max(oldestCopy, observedAge);
          if (source.maxAgeMs !== null && observedAge > source.maxAgeMs) {
            chains.get(symbol)!.push(`${source.tier}_stale:${Math.round(observedAge)}ms`);
            record(source.tier, "stale");
            if (!fallback.has(symbol)) fallback.set(symbol, { hit, source });
            continue;
          }
          // A warm answer fetched for this read is served fresh, but it was no cache hit.
          record(source.tier, r.cached === false ? "miss" : "hit");
          served.set(symbol, { hit, source });
          pending.delete(symbol);
        }
        if (source.tier === "warm" && oldestCopy > -Infinity) {
          metrics.warmLag(source.id.slice(source.id.indexOf(":") + 1), Math.max(0, oldestCopy));
        }
      }
      if (live) to = now();
      for (const tier of touched) metrics.hitRatio(tier, ratios.ratio(tier)!);

      const answers = new Map<string, DoorAnswer<M[typeof kind]>>();
      for (const symbol of req.symbols) {
        const chain = chains.get(symbol)!;
        const pick = served.get(symbol) ?? fallback.get(symbol);
        // A live read's rows were taken before `to` was fixed; a non-live read's were clamped above.
        const rows = !pick ? [] : live ? clamp(pick.hit.rows, from, to) : pick.hit.rows;
        if (!pick || rows.length === 0) {
          if (pick) chain.push(`${pick.source.tier}_miss`);
          answers.set(symbol, {
            venue: req.venue,
            symbol,
            rows: [],
            served_by: null,
            age_ms: null,
            stale: false,
            chain,
          });
          continue;
        }
        const newest = rows[rows.length - 1].ts;
        answers.set(symbol, {
          venue: req.venue,
          symbol,
          rows,
          served_by: { tier: pick.source.tier, source: pick.source.id },
          age_ms: to - newest,
          stale: !served.has(symbol),
          // The stale answer's own "stale" step is in the chain already: it says why it was not fresh.
          chain,
        });
      }
      return { kind, venue: req.venue, from, to, live, answers };
    },

    async inventory(kind, venue, asOf, signal) {
      const out: SourceInventory<M[typeof kind]>[] = [];
      for (const source of sourcesOf(kind)) {
        if (!source.inventory || !source.covers(venue)) continue;
        signal?.throwIfAborted();
        out.push({
          source: source.id,
          tier: source.tier,
          entries: await source.inventory(venue, asOf, signal),
        });
      }
      return out;
    },

    sources: (kind) => sourcesOf(kind).map((s) => ({ id: s.id, tier: s.tier, maxAgeMs: s.maxAgeMs })),

    hitRatio: (tier) => ratios.ratio(tier),

    async close() {
      if (closed) return;
      closed = true;
      const all = Object.values(o.sources).flat() as DoorSource<Timed>[];
      await Promise.all([...new Set(all)].map((s) => s.close?.()));
    },
  };
}

/**
 * Rows within [from, to], ascending by ts. A row after `to` is a source breaking PIT: dropped, and counted
 * (cryptorun_data_consistency_errors_total{check="door_pit"}).
 */
function clamp<Row extends Timed>(rows: Row[], from: number, to: number): Row[] {
  let late = 0;
  const kept: Row[] = [];
  for (const r of rows) {
    if (r.ts > to) late++;
    else if (r.ts >= from) kept.push(r);
  }
  if (late > 0) dataConsistencyErrors.inc({ check: "door_pit" }, late);
  for (let i = 1; i < kept.length; i++) {
    if (kept[i].ts < kept[i - 1].ts) return kept.sort((a, b) => a.ts - b.ts);
  }
  return kept;
}
