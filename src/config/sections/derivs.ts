import { z } from "zod";
import { MAX_TIMER_MS } from "../../util/time.ts";

/**
 * `derivs:` in config/data_sources.yaml — derivatives providers (funding, open interest, basis; issue 16,
 * docs/DERIVATIVES.md): their REST endpoints, plausibility limits (a value beyond them is quarantined, never
 * scored), the funding z-score lookback and the circuit breaker every provider endpoint runs behind.
 */
export const DerivsSection = z.strictObject({
  /** Kraken Futures public REST API. */
  krakenfutures_base_url: z.string().url().default("https://futures.kraken.com"),
  binance_base_url: z.string().url().default("https://fapi.binance.com"),
  okx_base_url: z.string().url().default("https://www.okx.com"),
  coinbase_base_url: z.string().url().default("https://api.coinbase.com"),
  request_timeout_ms: z.number().int().positive().max(MAX_TIMER_MS).default(10_000),
  max_retries: z.number().int().min(0).max(10).default(3),
  /** |relative funding per hour| beyond this is quarantined (0.01 = 1 %/h; venues cap far lower). */
  max_abs_funding_per_hour: z.number().positive().max(1).default(0.01),
  /** |basis| beyond this is quarantined (0.5 = 50 %). */
  max_abs_basis: z.number().positive().max(10).default(0.5),
  /** Funding z-score lookback in funding periods (spec C2.1: 30), after the PIT shift(1). */
  funding_z_lookback: z.number().int().min(2).max(10_000).default(30),
  /** A derivatives row older than this at the scan's as-of is not used by gates or factors (DOMAIN: 2 h). */
  max_age_ms: z.number().int().positive().default(2 * 3_600_000),
  /**
   * `serve --with-ingest`: normalised pairs whose current derivatives snapshot a `derivs` job fetches from
   * every venue of `scan_venues` each ingest interval (empty: no such job).
   */
  ingest_symbols: z.array(z.string().regex(/^[A-Z0-9]{1,15}\/USD$/, "expected a USD pair like BTC/USD"))
    .default([]),
  /** Venues whose stored rows the scan reads (cold table derivs), in this order. */
  scan_venues: z.array(z.enum(["krakenfutures", "binance", "okx", "coinbase"])).default(["krakenfutures"]),
  /** Circuit breaker per provider endpoint: open after this many consecutive 5xx/timeouts/network errors. */
  breaker_failures: z.number().int().min(1).max(100).default(5),
  /** How long an open breaker waits before one half-open probe. */
  breaker_half_open_ms: z.number().int().positive().max(MAX_TIMER_MS).default(30_000),
});
export type DerivsConfig = z.infer<typeof DerivsSection>;
