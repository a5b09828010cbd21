import type { DerivsParse, DerivsRow } from "../market/derivs.ts";

/**
 * The port every derivatives provider implements (spec C2.1): `fundingWindow(symbol, range)` and
 * `latest(symbol)` answer normalised rows (src/market/derivs.ts) attributed to venue and source. Adapters
 * live under src/providers/<venue>/; each also parses recorded response bodies (`derivs show --replay`,
 * `ingest --replay`) with exactly the code its live path uses.
 */

export const DERIVS_VENUES = ["krakenfutures", "binance", "okx", "coinbase"] as const;
export type DerivsVenue = typeof DERIVS_VENUES[number];

export interface DerivsRange {
  /** Inclusive epoch-ms window. */
  from: number;
  to: number;
}

export interface DerivsProvider {
  readonly venue: DerivsVenue;
  /** Settled funding prints of `symbol` (normalised, e.g. BTC/USD) with ts in the range, ascending. */
  fundingWindow(symbol: string, range: DerivsRange, signal?: AbortSignal): Promise<DerivsParse>;
  /** The current snapshot (funding, OI, mark, index, basis) of `symbol`; null when the venue lists none. */
  latest(symbol: string, signal?: AbortSignal): Promise<DerivsRow | null>;
  /**
   * Every contract of `symbol` the venue lists now, from the same call as `latest`: the perpetual's snapshot
   * and its dated futures' (contract, expiry, basis annualised over the tenor), quarantined values included.
   * Optional: a venue whose live endpoints answer one instrument per call (Binance, OKX) has only `latest`.
   */
  latestAll?(symbol: string, signal?: AbortSignal): Promise<DerivsParse>;
}

/**
 * What a recorded response is, for a parser that cannot tell from the body alone (a funding history body
 * names no symbol; a candle body names neither its symbol nor its tick type): the request's path + query,
 * as in the recordings' `endpoint` field or a live call's URL.
 */
export interface ResponseContext {
  /** e.g. `/derivatives/api/v4/historicalfundingrates?symbol=PF_XBTUSD` or `GET /api/charts/v1/mark/PI_XBTUSD/1h`. */
  endpoint?: string;
  /** The venue's instrument or a normalised symbol, when the endpoint does not say. */
  symbol?: string;
  /** Attribution written into each row's `source`. */
  source: string;
}

/** Merges parse results (in order). */
export function mergeParses(parts: DerivsParse[]): DerivsParse {
  return {
    rows: parts.flatMap((p) => p.rows),
    quarantined: parts.flatMap((p) => p.quarantined),
    skipped: parts.flatMap((p) => p.skipped),
  };
}
