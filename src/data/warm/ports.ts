import type { Timed } from "../door/port.ts";

/**
 * What a venue's REST adapter supplies to the warm tier (src/data/warm/source.ts). The adapter lives with the
 * venue (src/providers/<venue>/warm.ts); the warm tier caches its raw responses and knows no venue.
 */

/** One REST request, by logical name: `params` use normalised symbols (`symbol: "BTC/USD"`), not venue ids. */
export interface RestRequest {
  endpoint: string;
  params: Record<string, string>;
}

export interface WarmVenue<M extends Record<string, Timed>> {
  /** Lower-case venue name (`kraken`). */
  readonly venue: string;
  /** The source's name in `tiers.authority` without the tier (`kraken_rest`). */
  readonly name: string;
  /** The endpoint that answers `kind`, or null when this venue's REST API has no such data. */
  endpoint(kind: keyof M & string): string | null;
  /**
   * The request answering `kind` for `symbol` (its params carry `symbol`), or null when there is none.
   */
  request(kind: keyof M & string, symbol: string): RestRequest | null;
  /** Performs the request: the venue's raw response body, as it will be cached. Rejects on any failure. */
  fetch(req: RestRequest, signal?: AbortSignal): Promise<unknown>;
  /**
   * Rows of `kind` in a cached body received at `fetchedAt`, ascending by ts (books and quotes: one row
   * stamped `fetchedAt`; bars: only those closed by `fetchedAt`). Throws when the body is not that shape.
   */
  parse<K extends keyof M & string>(kind: K, symbol: string, body: unknown, fetchedAt: number): M[K][];
}
