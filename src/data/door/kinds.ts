import type { DerivsRow } from "../../market/derivs.ts";
import type { OhlcvRow } from "../../market/ohlcv.ts";
import type { Quote } from "../../market/quote.ts";
import type { MicrostructureSnapshot } from "../../market/snapshot.ts";
import type { TradePrint } from "../../market/trade.ts";

/**
 * The data kinds the market data door serves and the row each answers with (config `tiers.authority` has one
 * source list per kind). A new kind — e.g. `derivs` from a derivatives table — is one more entry here, its
 * sources, and a list in `tiers.authority`; the door itself (./door.ts) does not change.
 */
export type MarketKinds = {
  /** Hourly OHLCV bars (ts = bar open). */
  bars: OhlcvRow;
  /** Exchange-native book snapshots (ts = book time; verified WebSocket books or REST snapshots). */
  books: MicrostructureSnapshot;
  /** Trade prints (ts = trade time). */
  trades: TradePrint;
  /** L1 quotes (ts = observation time). */
  ticker: Quote;
  /** Funding, open interest and basis (ts = when the value was known; one venue per read). */
  derivs: DerivsRow;
};
