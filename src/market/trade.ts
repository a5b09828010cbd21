/** One executed trade as a venue reports it, normalised (`symbol` is BASE/QUOTE, `ts` exchange epoch ms). */
export interface TradePrint {
  symbol: string;
  price: number;
  /** Base-currency quantity. */
  qty: number;
  /** The taker's side. */
  side: "buy" | "sell";
  ts: number;
  /** The venue's order type of the taker (e.g. "market", "limit"), when it says. */
  ordType?: string;
  /** The venue's trade id, when it has one. */
  tradeId?: number;
}
