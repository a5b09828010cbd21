/** A venue's top of book and last trade price at one moment (REST ticker, L1), normalised. */
export interface Quote {
  /** When it was observed (epoch ms). */
  ts: number;
  symbol: string;
  bid: number;
  ask: number;
  last: number;
}
