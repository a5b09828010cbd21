import { z } from "zod";
import { MAX_TIMER_MS } from "../../util/time.ts";

/** `health:` in config/cryptorun.yaml — thresholds of `cryptorun health` and `serve`'s /readyz (spec D2.4). */
export const HealthSection = z.strictObject({
  /** Newest verified hot-tier book snapshot older than this → FAIL (spec ops target: hot data ≤ 60 s). */
  hot_max_age_ms: z.number().int().positive().default(60_000),
  /** Newest cold-tier bar (bar open) older than this → FAIL; 1 h bars plus an ingest cadence. */
  cold_max_age_ms: z.number().int().positive().default(3 * 3_600_000),
  /** Tiers that must hold data; an empty tier not listed here is reported ("no data") but does not fail. */
  require_tiers: z.array(z.enum(["hot", "warm", "cold"])).default([]),
  /** A queue/backlog longer than this → FAIL. */
  max_backlog: z.number().int().nonnegative().default(1000),
  /** Hot-tier books whose Kraken CRC32 checksum failed more than this many times → provider FAIL. */
  max_checksum_failures: z.number().int().nonnegative().default(10),
  /** Per-check time limit (database ping incl. a first embedded open with migrations, store scans). */
  check_timeout_ms: z.number().int().positive().max(MAX_TIMER_MS).default(30_000),
  /** `serve`: how often the checks run in the background (gauges, /readyz cache). */
  refresh_ms: z.number().int().positive().max(MAX_TIMER_MS).default(15_000),
});
export type HealthConfig = z.infer<typeof HealthSection>;
