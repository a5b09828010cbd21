import { dataConsistencyErrors } from "../../metrics/metrics.ts";
import type { DoorSource, InventoryEntry, SourceResult, Timed } from "../door/port.ts";
import type { WarmCache, WarmEntry, WarmKey } from "./cache.ts";
import type { WarmVenue } from "./ports.ts";

/**
 * The warm tier as a source of the data door, for one data kind of one venue: REST responses through the
 * on-disk cache (./cache.ts).
 *
 * - A live read (`to: "now"`) serves a stored response younger than the kind's TTL (a cache hit); otherwise it
 *   fetches, stores and serves the new response (a miss). A stale stored response is still served (and
 *   flagged stale by the door) when the refetch fails; a corrupt one never is.
 * - Any other read is a point-in-time read of what is stored: it never touches the network (the REST API only
 *   knows the present), and a book or quote fetched after `to` is not an observation at `to`: a miss.
 */
export interface WarmSourceOptions<M extends Record<string, Timed>, K extends keyof M & string> {
  kind: K;
  venue: WarmVenue<M>;
  cache: WarmCache;
  /** The kind's TTL (config `tiers.warm_ttl_ms` / `warm_max_age_ms`). */
  ttlMs: number;
  now: () => number;
}

const brief = (err: unknown) => ((err as Error)?.message ?? String(err)).split("\n")[0].slice(0, 120);

export function warmSource<M extends Record<string, Timed>, K extends keyof M & string>(
  o: WarmSourceOptions<M, K>,
): DoorSource<M[K]> {
  const { kind, venue, cache } = o;
  const keyOf = (symbol: string): WarmKey | null => {
    const req = venue.request(kind, symbol);
    return req && { venue: venue.venue, ...req };
  };
  /** Parsed rows of an entry, or undefined when its body is not this kind's shape (counted, never served). */
  const rowsOf = (symbol: string, e: WarmEntry): M[K][] | undefined => {
    try {
      return venue.parse(kind, symbol, e.body, e.fetchedAt);
    } catch {
      dataConsistencyErrors.inc({ check: "warm_entry" });
      return undefined;
    }
  };

  async function one(
    symbol: string,
    to: number,
    live: boolean,
    signal?: AbortSignal,
  ): Promise<SourceResult<M[K]>> {
    const key = keyOf(symbol);
    if (!key) return { miss: "unsupported" };
    const look = await cache.get(key);
    const stored = look.status === "ok" ? look.entry : undefined;
    let rows = stored && rowsOf(symbol, stored);
    const usable = stored && rows ? { entry: stored, rows } : undefined;
    if (!live) {
      if (!usable) return { miss: look.status === "miss" ? "miss" : "corrupt" };
      return {
        rows: usable.rows.filter((r) => r.ts <= to),
        observedAt: usable.entry.fetchedAt,
        cached: true,
      };
    }
    if (usable && o.now() - usable.entry.fetchedAt <= o.ttlMs) {
      return { rows: usable.rows, observedAt: usable.entry.fetchedAt, cached: true };
    }
    let body: unknown;
    let fetchedAt: number;
    try {
      body = await venue.fetch({ endpoint: key.endpoint, params: key.params }, signal);
      fetchedAt = o.now();
      rows = venue.parse(kind, symbol, body, fetchedAt);
    } catch (err) {
      signal?.throwIfAborted();
      // The refetch failed: a stale stored response is still an answer (the door flags it stale).
      if (usable) return { rows: usable.rows, observedAt: usable.entry.fetchedAt, cached: true };
      return { miss: `failed:${brief(err)}` };
    }
    await cache.put(key, body, fetchedAt);
    return { rows, observedAt: fetchedAt, cached: false };
  }

  return {
    id: `warm:${venue.name}`,
    tier: "warm",
    maxAgeMs: o.ttlMs,
    covers: (v) => v === venue.venue,
    async read(req) {
      const out = new Map<string, SourceResult<M[K]>>();
      for (const symbol of req.symbols) {
        req.signal?.throwIfAborted();
        out.set(symbol, await one(symbol, req.to, req.live, req.signal));
      }
      return out;
    },
    async inventory(v, asOf) {
      const out = new Map<string, InventoryEntry<M[K]>>();
      if (v !== venue.venue) return out;
      const endpoint = venue.endpoint(kind);
      if (endpoint === null) return out;
      for (const { key, fetchedAt } of await cache.list(venue.venue, endpoint)) {
        const symbol = key.params.symbol;
        // An entry fetched after asOf is no observation at asOf (PIT).
        if (symbol === undefined || fetchedAt > asOf) continue;
        const cur = out.get(symbol);
        if (!cur || fetchedAt > cur.newestTs) out.set(symbol, { newestTs: fetchedAt });
      }
      return out;
    },
  };
}
