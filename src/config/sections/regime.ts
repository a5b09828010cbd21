import { z } from "zod";

/**
 * `regime:` in config/cryptorun.yaml — the market regime detector (docs/SCORING.md § Regime). The regime is
 * evaluated only at 4h UTC boundaries (00/04/08/12/16/20) from bars closed by that boundary.
 */
export const RegimeSection = z.strictObject({
  /** Annualised realized volatility of 1h log returns over 7d (universe median) at or above → highvol. */
  highvol_min: z.number().positive().default(1.0),
  /** Share of the universe above its 20-day MA at or above → a trending vote (else choppy). */
  above_20ma_min: z.number().min(0).max(1).default(0.6),
  /** Breadth thrust (share of advancers over 24h) at or above → a trending vote (else choppy). */
  thrust_min: z.number().min(0).max(1).default(0.7),
  /** Store each regime change as a regime snapshot (when persistence.enabled). */
  persist: z.boolean().default(true),
});
export type RegimeConfig = z.infer<typeof RegimeSection>;
