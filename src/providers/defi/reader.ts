import type { DefiRow } from "../../market/defi.ts";
import type { WarmCache } from "../../data/warm/cache.ts";
import { InputError } from "../../util/errors.ts";
import type { GetJson } from "../derivs_http.ts";
import type { DefiRequest } from "./request.ts";

/**
 * DeFi reads through the warm tier (src/data/warm/cache.ts; same rules as src/data/warm/source.ts):
 *
 * - live (no `asOf`): a stored response younger than `ttlMs` is served (cached); otherwise the provider is
 *   asked (through `get`: limiter, retry, breaker) and the new response stored. When that fails, a stale
 *   stored response is served and flagged `stale`; without one the read fails.
 * - point in time (`asOf` = T): only what is stored, never the network; a response fetched after T is no
 *   observation at T (a miss, an error naming both times), and rows with ts > T are dropped.
 */
export interface DefiRead {
  rows: DefiRow[];
  /** When the response served was fetched (epoch ms). */
  fetchedAt: number;
  cached: boolean;
  stale: boolean;
}

export interface DefiReaderOptions {
  cache: WarmCache;
  get: GetJson;
  ttlMs: number;
  now: () => number;
}

export type DefiReader = (
  req: DefiRequest,
  o?: { asOf?: number; signal?: AbortSignal },
) => Promise<DefiRead>;

export function defiReader(o: DefiReaderOptions): DefiReader {
  return async (req, opts = {}) => {
    const key = { venue: req.venue, endpoint: req.endpoint, params: req.params };
    const look = await o.cache.get(key);
    let stored: { fetchedAt: number; rows: DefiRow[] } | undefined;
    if (look.status === "ok") {
      try {
        stored = { fetchedAt: look.entry.fetchedAt, rows: req.parse(look.entry.body, look.entry.fetchedAt) };
      } catch {
        stored = undefined; // a stored body that no longer parses is never served
      }
    }
    const what = `${req.venue} ${req.endpoint} ${JSON.stringify(req.params)}`;
    if (opts.asOf !== undefined) {
      const asOf = opts.asOf;
      if (!stored) {
        throw new InputError(`${what}: nothing stored to read as of ${new Date(asOf).toISOString()}`);
      }
      if (stored.fetchedAt > asOf) {
        throw new InputError(
          `${what}: the stored response was fetched at ${
            new Date(stored.fetchedAt).toISOString()
          }, after the ` +
            `as-of ${new Date(asOf).toISOString()}: not an observation at that time`,
        );
      }
      return {
        rows: stored.rows.filter((r) => r.ts <= asOf),
        fetchedAt: stored.fetchedAt,
        cached: true,
        stale: false,
      };
    }
    if (stored && o.now() - stored.fetchedAt <= o.ttlMs) return { ...stored, cached: true, stale: false };
    let body: unknown;
    let fetchedAt: number;
    let rows: DefiRow[];
    try {
      body = await o.get(req.url, `${req.venue}_${req.endpoint}`, opts.signal, req.postBody);
      fetchedAt = o.now();
      rows = req.parse(body, fetchedAt);
    } catch (err) {
      opts.signal?.throwIfAborted();
      if (stored) return { ...stored, cached: true, stale: true };
      throw err;
    }
    await o.cache.put(key, body, fetchedAt);
    return { rows, fetchedAt, cached: false, stale: false };
  };
}
