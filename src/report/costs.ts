/**
 * Trading costs. Defaults: Kraken Pro spot taker fee 0.40 % (40 bps, the lowest-volume tier of Kraken's
 * published fee schedule, 30-day volume $0–10k) and 5 bps slippage per side.
 */
export const KRAKEN_TAKER_FEE_BPS = 40;
export const DEFAULT_SLIPPAGE_BPS = 5;

export interface CostModel {
  /** Exchange fee per side, basis points of the traded notional. */
  feesBps: number;
  /** Slippage per side, basis points of the traded notional. */
  slippageBps: number;
}

/**
 * A round trip's costs in quote currency: (feesBps + slippageBps) / 10⁴ · (entry notional + exit notional),
 * with entry notional = qty · entry and exit notional = qty · exit. Spec P&L = raw P&L − this.
 */
export function roundTripCost(qty: number, entry: number, exit: number, c: CostModel): number {
  return ((c.feesBps + c.slippageBps) / 1e4) * (qty * entry + qty * exit);
}
