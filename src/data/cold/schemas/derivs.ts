import type { FieldSpec } from "../schema.ts";

/**
 * `derivs`: funding, open interest and basis per derivatives venue (issue 16, spec C2.1), one row per
 * (ts, symbol, venue, record, contract): a settled funding print and a ticker snapshot of the same moment are
 * two rows, and so are a perpetual and a dated future of the same pair. This declared list is the whole schema: the engine (Parquet/CSV, checks, reads, CLI)
 * takes its columns from here, so finalising them means editing this list only. Before any table is written,
 * anything goes; afterwards only nullable columns appended with `added_later: true` keep old files readable.
 *
 * ts is when the value was known (publication/settlement, epoch ms: PIT reads never return a later one);
 * Conventions per venue: docs/DERIVATIVES.md; the row type: src/market/derivs.ts. symbol a normalised USD pair (BTC/USD); venue the derivatives venue (krakenfutures, binance, okx,
 * coinbase). Unknown numbers are null (NaN in batches).
 */
export const DERIVS_FIELDS: FieldSpec[] = [
  { name: "ts", type: "timestamp(ms)", required: true, primary: true },
  { name: "symbol", type: "string", required: true, index: true },
  { name: "venue", type: "string", required: true, index: true },
  /** What the row is: a settled `funding` print, a ticker `snapshot`, a `candle` (mark vs spot). Key. */
  { name: "record", type: "string", required: true, index: true },
  /**
   * Which contract: `perpetual` (every perpetual swap of the pair: one per venue, e.g. PF_XBTUSD), or a dated
   * future's venue name (FI_XBTUSD_210924, BIT-24APR26-CDE, BTCUSDT_250627, BTC-USD-250627). Key.
   */
  { name: "contract", type: "string", required: true, index: true },
  /** A dated future's expiry (last trading time, epoch ms); null for perpetuals. */
  { name: "expiry", type: "timestamp(ms)", required: false },
  /** Funding per funding interval as a fraction of the mark price (Kraken: fundingRate ÷ markPrice). */
  { name: "funding_rate_relative", type: "double", required: false },
  /** Hours between fundings (Kraken 1, Binance usually 8: read per symbol). */
  { name: "funding_interval_h", type: "double", required: false },
  { name: "funding_rate_annualized", type: "double", required: false },
  { name: "open_interest", type: "double", required: false },
  /** What open_interest counts: contracts, base, usd. */
  { name: "open_interest_unit", type: "string", required: false },
  { name: "mark_price", type: "double", required: false },
  { name: "index_price", type: "double", required: false },
  /** (futures − spot) / spot. */
  { name: "basis", type: "double", required: false },
  /** basis × 365 ÷ days to expiry, the tenor (expiry − ts) at ts; null for perpetuals. */
  { name: "basis_annualized", type: "double", required: false },
  /** Where the row came from (endpoint or file), for attribution. */
  { name: "source", type: "string", required: true },
];

export const DERIVS_KEY = ["ts", "symbol", "venue", "record", "contract"];
