import { z } from "zod";

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
  /** Hours of bars read before the as-of time (the longest window is 30 days of 4h/daily closes). */
  lookback_hours: z.number().int().min(240).max(24 * 365).default(720),
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
