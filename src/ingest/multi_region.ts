import { decideWriter, type Takeover, writerLagSeconds } from "../data/regions/failover.ts";
import type { OhlcvRow } from "../data/cold/types.ts";
import type { Logger } from "../log/logger.ts";
import { replicationLag } from "../metrics/metrics.ts";
import type { BarVenue } from "./ports.ts";

/**
 * Multi-region bar ingest, active-passive (issue 17; the rules in src/data/regions/failover.ts,
 * docs/DATA_MULTI_REGION.md). Every tick polls every region's bar feed (its own Kraken REST endpoint): the
 * writer asks for everything after the cold tier's newest bar of each symbol and writes it; the others ask
 * for what is new to them (liveness, and the freshest bar any region has). When the writer has been silent
 * past `failoverAfterMs`, the next alive region takes over and — in the same tick — backfills from its REST
 * endpoint every bar after the cold tier's newest, so the cold tier has no hole. Writes are idempotent (a bar
 * already stored with identical values is not stored twice), so a takeover that overlaps is harmless.
 * Exports cryptorun_replication_lag_seconds{tier="cold", region, source="ingest"} (what the cold tier lacks vs
 * the freshest region; set on the writer's series, the former writer's reset to 0) and {source="feed"} per
 * region (what that region's feed lacks vs the freshest).
 */

export interface RegionBars {
  name: string;
  venue: BarVenue;
}

export interface MultiRegionOptions {
  regions: RegionBars[];
  /** The first writer (default: the first region). */
  leader?: string;
  failoverAfterMs: number;
  symbols: string[];
  /** Writes bars to the cold tier (all or nothing). */
  write(rows: OhlcvRow[], signal: AbortSignal): Promise<void>;
  /** The cold tier's newest bar per symbol at start (null: none). */
  stored(symbol: string, signal: AbortSignal): Promise<number | null>;
  now?: () => number;
  log: Logger;
}

export interface TickReport {
  active: string;
  takeover: Takeover | null;
  written: number;
  /** Bars written by a takeover's backfill. */
  backfilled: number;
  /** What the cold tier lacks vs the freshest region (s). */
  lagSeconds: number;
  errors: { region: string; message: string }[];
}

export interface MultiRegionBars {
  tick(signal: AbortSignal): Promise<TickReport>;
  active(): string;
}

export function createMultiRegionBars(o: MultiRegionOptions): MultiRegionBars {
  if (o.regions.length === 0) throw new Error("multi-region ingest: no region");
  const now = o.now ?? Date.now;
  const order = o.regions.map((r) => r.name);
  let active = o.leader ?? order[0];
  if (!order.includes(active)) throw new Error(`regions.leader: ${active} is not a configured region`);
  const startedAt = now();
  const lastOkAt = new Map<string, number | null>(order.map((r) => [r, null]));
  /** Newest bar per region and symbol. */
  const seen = new Map<string, Map<string, number>>(order.map((r) => [r, new Map()]));
  let written: Map<string, number> | undefined;
  const instruments = new Map<string, Map<string, string>>();
  const log = o.log.child({ component: "multi_region" });

  async function poll(region: RegionBars, sinceOf: (s: string) => number | null, signal: AbortSignal) {
    let ids = instruments.get(region.name);
    if (!ids) {
      const m = await region.venue.instruments(o.symbols, signal);
      ids = new Map();
      for (const [s, inst] of m) if ("id" in inst && inst.id) ids.set(s, inst.id);
      instruments.set(region.name, ids);
    }
    const out: OhlcvRow[] = [];
    for (const s of o.symbols) {
      const id = ids.get(s);
      if (!id) continue;
      out.push(...await region.venue.closedBars(id, s, sinceOf(s), now(), signal));
    }
    lastOkAt.set(region.name, now());
    const mine = seen.get(region.name)!;
    for (const b of out) if (b.ts > (mine.get(b.symbol) ?? -Infinity)) mine.set(b.symbol, b.ts);
    return out;
  }

  async function writeNew(rows: OhlcvRow[], signal: AbortSignal): Promise<number> {
    const fresh = rows.filter((b) => b.ts > (written!.get(b.symbol) ?? -Infinity));
    if (fresh.length === 0) return 0;
    await o.write(fresh, signal);
    for (const b of fresh) if (b.ts > (written!.get(b.symbol) ?? -Infinity)) written!.set(b.symbol, b.ts);
    return fresh.length;
  }

  const sinceWritten = (s: string) => written!.get(s) ?? null;

  return {
    active: () => active,
    async tick(signal) {
      if (!written) {
        written = new Map();
        for (const s of o.symbols) {
          const ts = await o.stored(s, signal);
          if (ts !== null) written.set(s, ts);
        }
      }
      const errors: TickReport["errors"] = [];
      const results = await Promise.allSettled(
        o.regions.map((r) =>
          poll(
            r,
            r.name === active ? sinceWritten : (s) => seen.get(r.name)!.get(s) ?? sinceWritten(s),
            signal,
          )
        ),
      );
      const byRegion = new Map<string, OhlcvRow[]>();
      results.forEach((res, i) => {
        const name = o.regions[i].name;
        if (res.status === "fulfilled") byRegion.set(name, res.value);
        else errors.push({ region: name, message: (res.reason as Error)?.message ?? String(res.reason) });
      });
      const d = decideWriter({
        order,
        active,
        lastOkAt,
        startedAt,
        now: now(),
        failoverAfterMs: o.failoverAfterMs,
      });
      let backfilled = 0;
      let count = 0;
      if (d.takeover) {
        log.warn("region takeover: the writer's feed is silent", {
          from: d.takeover.from,
          to: d.takeover.to,
          silent_s: d.takeover.silentForMs / 1000,
        });
        replicationLag.set({ tier: "cold", region: active, source: "ingest" }, 0);
        active = d.active;
        // Backfill: everything after the cold tier's newest bar, from the new writer's own REST endpoint.
        const region = o.regions.find((r) => r.name === active)!;
        try {
          backfilled = await writeNew(await poll(region, sinceWritten, signal), signal);
          count = backfilled;
        } catch (err) {
          errors.push({ region: active, message: `backfill: ${(err as Error)?.message ?? err}` });
        }
      } else {
        const rows = byRegion.get(active);
        if (rows) count = await writeNew(rows, signal);
      }
      const freshest = new Map<string, number>();
      for (const m of seen.values()) {
        for (const [s, ts] of m) if (ts > (freshest.get(s) ?? -Infinity)) freshest.set(s, ts);
      }
      const lag = writerLagSeconds(freshest, written);
      replicationLag.set({ tier: "cold", region: active, source: "ingest" }, lag);
      for (const r of order) {
        replicationLag.set(
          { tier: "cold", region: r, source: "feed" },
          writerLagSeconds(freshest, seen.get(r)!),
        );
      }
      for (const e of errors) log.warn("region feed failed", e);
      return { active, takeover: d.takeover, written: count, backfilled, lagSeconds: lag, errors };
    },
  };
}
