import { z } from "zod";

/**
 * The fewest hours of bars a scan may read (`scan.lookback_hours`). The longest windows, in hourly bars loaded
 * from [as-of − lookback, as-of − 1h] (src/regime/inputs.ts, src/factors/indicators.ts):
 *  - `pct_above_20ma`: 20 daily closes sampled at the regime boundary B, B − 24h, …, B − 19·24h, each the last
 *    bar closed by then (ts ≤ B − 19·24h − 1h = B − 457h); B is the last 4h UTC boundary, up to 4h before the
 *    as-of, and a non-hour as-of loses a partial hour: 457 + 4 = 461 h.
 *  - RSI(14) on 4h closes with its fixed 5×14 warm-up: 71 closes, the oldest at B − 70·4h − 1h: 281 + 4 = 285 h.
 *  - everything else (ADX 141 bars, 7d returns/volume/coverage, premove C, 7d realized vol) ≤ 173 h.
 * tests/scan/engine_test.ts pins it: a scan reading exactly this many hours equals one reading all history.
 */
export const LOOKBACK_HOURS_MIN = 461;

/** `scan:` in config/cryptorun.yaml — the main job (docs/SCORING.md). */
export const ScanSection = z.strictObject({
  /** Quote currencies admitted. USD by default (the spec's rule); others only when listed (or --quote). */
  quotes: z.array(z.string().regex(/^[A-Z0-9]+$/)).min(1).default(["USD"]),
  /** Explicit universe (normalised symbols, e.g. BTC/USD); empty = every admitted symbol in the store. */
  universe: z.array(z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/)).default([]),
  top: z.number().int().positive().default(20),
  /** Venue whose bars and books feed the scan (exchange-native only). */
  venue: z.string().regex(/^[a-z0-9_]+$/).default("kraken"),
  /**
   * Venues whose recorded hourly bars are scanned straight from the shipped fixtures (fixtures/ohlcv), e.g.
   * [binance] for the 25 Binance USDT pairs. The cold tier stores USD pairs only, so these never enter it;
   * each venue stays its own (never blended) and its symbols still need an admitted quote. Empty by default.
   */
  fixture_venues: z.array(z.string().regex(/^[a-z0-9_]+$/)).default([]),
  /**
   * Hours of bars read before the as-of time. At least LOOKBACK_HOURS_MIN, so every feature sees its full
   * fixed window and the output does not depend on how much history was loaded (docs/SCORING.md § PIT).
   */
  lookback_hours: z.number().int().min(LOOKBACK_HOURS_MIN, {
    message:
      `must be ≥ ${LOOKBACK_HOURS_MIN}: the 20-day moving-average regime input needs 20 daily closes ` +
      `back from the 4h regime boundary (${LOOKBACK_HOURS_MIN} h of bars); with less it silently goes missing`,
  }).max(24 * 365).default(720),
  /**
   * When a scanned table is empty: load the real hourly bars shipped in fixtures/ohlcv into the cold tier
   * first (the embedded default's first run). `false`: an empty store is an error.
   */
  bootstrap_fixtures: z.boolean().default(true),
  /** Topic for one envelope per scan result (when stream.enabled). */
  topic: z.string().min(1).default("cryptorun.scan"),
  /** Persist premove artifacts and regime snapshots (when persistence.enabled). */
  persist: z.boolean().default(true),
  /** Publish one envelope per result (when stream.enabled). */
  publish: z.boolean().default(true),
});
export type ScanConfig = z.infer<typeof ScanSection>;
