import { z } from "zod";

const Liquidity = z.strictObject({
  /** Maximum quoted spread (bps of mid). */
  spread_bps_max: z.number().positive(),
  /** Minimum USD depth within ±2% of mid, bids + asks combined (src/gates/liquidity.ts). */
  depth_usd_min: z.number().positive(),
  /** Minimum VADR (dimensionless; docs/SCORING.md § VADR). */
  vadr_min: z.number().positive(),
});

/**
 * `gates:` in config/cryptorun.yaml — entry gates and guards (DOMAIN.md §3, docs/SCORING.md § Gates). Bounds
 * are inclusive: a value exactly at a threshold passes.
 */
export const GatesSection = z.strictObject({
  /**
   * Composite score minimum. The score is at most 110 (the weighted factors clamped to 100, then social ≤ +10:
   * src/factors/composite.ts), so a higher minimum could never pass.
   */
  min_score: z.number().min(0).max(110, {
    message:
      "must be ≤ 110: the composite score is at most 110 (100 weighted + 10 social), so no entry could pass",
  }).default(75),
  /** Freshness: the last closed bar at most this many bars old… */
  freshness_max_bars: z.number().int().min(0).default(2),
  /** …and |last 1h move| at most this × ATR(1h,14). */
  freshness_atr_mult: z.number().positive().default(1.2),
  /** Fatigue: blocked when 24h return > this (%) and RSI(4h) > fatigue_rsi4h_max… */
  fatigue_r24h_pct: z.number().positive().default(12),
  fatigue_rsi4h_max: z.number().min(0).max(100).default(70),
  /** …unless 4h acceleration ≥ this (percentage points). */
  fatigue_accel_pct: z.number().min(0).default(2),
  /** Late fill: decision more than this many seconds after the signal bar's close is blocked. */
  late_fill_max_s: z.number().positive().default(30),
  /** Extra seconds granted (once per asset per 30 min) when the order stage's p99 latency is above… */
  late_fill_grace_s: z.number().min(0).default(30),
  late_fill_p99_ms: z.number().positive().default(400),
  /** 24h USD notional volume minimum. */
  min_daily_volume_usd: z.number().min(0).default(500_000),
  /** Trend quality: ADX(1h,14) ≥ adx_min or Hurst ≥ hurst_min. */
  adx_min: z.number().min(0).max(100).default(25),
  hurst_min: z.number().min(0).max(1).default(0.55),
  /** Bars VADR needs in its short (24h) window; fewer → VADR frozen (gate unknown → fail). */
  vadr_min_bars: z.number().int().min(2).max(24).default(20),
  /** Maximum age of a book snapshot used by the liquidity gate (ms before the as-of time). */
  book_max_age_ms: z.number().int().positive().default(60_000),
  /** Per-regime liquidity thresholds (config/gates/regime_thresholds.yaml in the original). */
  liquidity: z.strictObject({
    trending: Liquidity.prefault({ spread_bps_max: 55, depth_usd_min: 100_000, vadr_min: 1.6 }),
    choppy: Liquidity.prefault({ spread_bps_max: 40, depth_usd_min: 150_000, vadr_min: 2.0 }),
    highvol: Liquidity.prefault({ spread_bps_max: 35, depth_usd_min: 175_000, vadr_min: 2.1 }),
    mixed: Liquidity.prefault({ spread_bps_max: 50, depth_usd_min: 100_000, vadr_min: 1.75 }),
  }).prefault({}),
  /** Minimum |24h move| (%) per regime. */
  move_24h_pct: z.strictObject({
    trending: z.number().min(0).default(2.5),
    choppy: z.number().min(0).default(3.0),
    highvol: z.number().min(0).default(4.0),
    mixed: z.number().min(0).default(3.0),
  }).prefault({}),
});
export type GatesConfig = z.infer<typeof GatesSection>;
