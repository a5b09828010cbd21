/**
 * ADV tiers (DOMAIN.md §3, MS/liquidity_tiers.go): by average daily USD volume (7d notional ÷ 7), the
 * liquidity a pair must show — depth within ±2%, spread cap, VADR minimum. The entry gates apply the STRICTER
 * of the regime's threshold (gates.liquidity.<regime>) and the tier's, so a configured regime threshold always
 * reaches its gate and a liquid pair is held to the tier's tighter standard. Below the lowest tier ($100k):
 * no tier (the volume gate's $500k daily minimum blocks such a pair anyway).
 */
export interface AdvTier {
  name: string;
  adv_min_usd: number;
  depth_usd_min: number;
  spread_bps_max: number;
  vadr_min: number;
}

export const ADV_TIERS: readonly AdvTier[] = [
  { name: "adv≥$5M", adv_min_usd: 5_000_000, depth_usd_min: 150_000, spread_bps_max: 25, vadr_min: 1.85 },
  { name: "adv $1–5M", adv_min_usd: 1_000_000, depth_usd_min: 75_000, spread_bps_max: 50, vadr_min: 1.80 },
  { name: "adv $0.1–1M", adv_min_usd: 100_000, depth_usd_min: 25_000, spread_bps_max: 80, vadr_min: 1.75 },
];

export function advTier(advUsd: number): AdvTier | null {
  if (!Number.isFinite(advUsd)) return null;
  return ADV_TIERS.find((t) => advUsd >= t.adv_min_usd) ?? null;
}

/** The 80th percentile (linear interpolation between order statistics) of the finite values; null if none. */
export function p80(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const h = (v.length - 1) * 0.8;
  const lo = Math.floor(h);
  return v[lo] + (h - lo) * ((v[Math.min(lo + 1, v.length - 1)]) - v[lo]);
}
