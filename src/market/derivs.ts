/**
 * One derivatives observation, the row every derivatives provider normalises to and the cold table `derivs`
 * stores (src/data/cold/schemas/derivs.ts). Venue-native numbers are converted here once, so readers never
 * see a venue's convention:
 *  - `funding_rate_relative`: the funding of ONE funding interval as a fraction of the contract's value
 *    (Kraken Futures: fundingRate ÷ markPrice, the ccxt convention);
 *  - `funding_interval_h`: hours between fundings (Kraken 1, Binance 8 or as the symbol says, …);
 *  - `funding_rate_annualized` = relative × (24 × 365 ÷ interval);
 *  - `open_interest` in `open_interest_unit` (contracts, base or usd — as the venue reports it);
 *  - `basis` = (futures − spot) ÷ spot (mark vs index), `basis_annualized` only where a tenor is known.
 * `ts` is when the value was known (a funding print's settlement time, a ticker's server time): a PIT read at
 * t never sees a later one. `record` says what the row is: a settled `funding` print, a ticker `snapshot`, or
 * a `candle` (mark vs spot close). `contract` says which contract: `perpetual`, or a dated future's venue
 * name with its `expiry`; (ts, symbol, venue, record, contract) is the row's key (one of each per moment).
 */
export const OI_UNITS = ["contracts", "base", "usd"] as const;
export type OiUnit = typeof OI_UNITS[number];
export const DERIVS_RECORDS = ["funding", "snapshot", "candle"] as const;
export type DerivsRecord = typeof DERIVS_RECORDS[number];
/** The `contract` of every perpetual swap row (a dated future's row carries its venue name instead). */
export const PERPETUAL = "perpetual";

export interface DerivsRow {
  ts: number;
  symbol: string;
  venue: string;
  /** The endpoint (or replayed file#endpoint) the row came from. */
  source: string;
  record: DerivsRecord;
  /** `perpetual`, or the dated future's venue name (FI_XBTUSD_210924, BIT-24APR26-CDE, …). */
  contract: string;
  /** A dated future's expiry (epoch ms); null for a perpetual. */
  expiry: number | null;
  funding_rate_relative: number | null;
  funding_interval_h: number | null;
  funding_rate_annualized: number | null;
  open_interest: number | null;
  open_interest_unit: OiUnit | null;
  mark_price: number | null;
  index_price: number | null;
  basis: number | null;
  basis_annualized: number | null;
}

/** Column order of the table and of `derivs show` (ts, symbol, venue, record, contract: the key). */
export const DERIVS_COLUMNS = [
  "ts",
  "symbol",
  "venue",
  "record",
  "contract",
  "expiry",
  "funding_rate_relative",
  "funding_interval_h",
  "funding_rate_annualized",
  "open_interest",
  "open_interest_unit",
  "mark_price",
  "index_price",
  "basis",
  "basis_annualized",
  "source",
] as const;

/** A value a provider refused to store as data (it goes to `quarantine/derivs` with its reason). */
export interface QuarantinedDerivs {
  row: DerivsRow;
  /** Machine-readable check name (e.g. `funding_out_of_range`). */
  check: string;
  /** Human reason with the numbers. */
  reason: string;
}

/** What a provider's parser makes of one response body. */
export interface DerivsParse {
  rows: DerivsRow[];
  quarantined: QuarantinedDerivs[];
  /** Entries of the body that are not rows, with why (a dated future without funding, a duplicate PI_…). */
  skipped: { what: string; reason: string }[];
}

/** A row with every value unknown (null), to fill in; a perpetual's unless `contract`/`expiry` say otherwise. */
export function blankRow(
  k:
    & Pick<DerivsRow, "ts" | "symbol" | "venue" | "source" | "record">
    & Partial<Pick<DerivsRow, "contract" | "expiry">>,
): DerivsRow {
  return {
    ts: k.ts,
    symbol: k.symbol,
    venue: k.venue,
    source: k.source,
    record: k.record,
    contract: k.contract ?? PERPETUAL,
    expiry: k.expiry ?? null,
    funding_rate_relative: null,
    funding_interval_h: null,
    funding_rate_annualized: null,
    open_interest: null,
    open_interest_unit: null,
    mark_price: null,
    index_price: null,
    basis: null,
    basis_annualized: null,
  };
}

/** A row's table key as one string (ts|symbol|venue|record|contract): one row per key. */
export const derivsKey = (r: Pick<DerivsRow, "ts" | "symbol" | "venue" | "record" | "contract">): string =>
  `${r.ts}|${r.symbol}|${r.venue}|${r.record}|${r.contract}`;

/** True for a perpetual swap's row (the scan's funding, ΔOI and basis use these only). */
export const isPerpetual = (r: Pick<DerivsRow, "contract">): boolean => r.contract === PERPETUAL;

/** A parse with only the rows (and quarantined values) `keep` accepts; what was skipped stays said. */
export function filterParse(p: DerivsParse, keep: (r: DerivsRow) => boolean): DerivsParse {
  return {
    rows: p.rows.filter(keep),
    quarantined: p.quarantined.filter((q) => keep(q.row)),
    skipped: p.skipped,
  };
}
