import { z } from "zod";

/** The four regimes the regime_snapshots table allows (DOMAIN.md §2; "mixed" = a split vote). */
export const REGIMES = ["trending", "choppy", "highvol", "mixed"] as const;
export const RegimeName = z.enum(REGIMES);
export type Regime = z.infer<typeof RegimeName>;

/** The three detector inputs, each over the scan's universe at one 4h boundary. */
export interface RegimeInputs {
  /** Median annualised 7d realized volatility of 1h log returns. */
  realized_vol_7d: number;
  /** Share of symbols whose close is above their 20-day moving average (0..1). */
  pct_above_20ma: number;
  /** Share of advancers over the last 24h: advancers ÷ (advancers + decliners) (0..1). */
  breadth_thrust: number;
}
