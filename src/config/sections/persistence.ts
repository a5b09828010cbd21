import { z } from "zod";
import { MAX_TIMER_MS } from "../../util/time.ts";

/** `persistence:` in config/cryptorun.yaml — where trades, regime snapshots and premove artifacts live. */
export const PersistenceSection = z.strictObject({
  enabled: z.boolean().default(true),
  /** embedded = PGlite under <data-dir>/db; postgres = a real server reached through the DSN secret. */
  kind: z.enum(["embedded", "postgres"]).default("embedded"),
  /** Name of the env var holding the DSN (secret: never put the DSN itself in YAML). */
  dsn_env: z.string().min(1).default("CRYPTORUN_PG_DSN"),
  /** Optional file holding the DSN (e.g. a mounted Kubernetes secret). */
  dsn_file: z.string().min(1).optional(),
  /** Per-call timeout. */
  timeout_ms: z.number().int().positive().max(MAX_TIMER_MS).default(10_000),
  /** Retries on transient errors (serialization failure, deadlock, admin shutdown, connection loss). */
  max_retries: z.number().int().min(0).max(20).default(4),
  pool_size: z.number().int().positive().max(100).default(4),
});
export type PersistenceConfig = z.infer<typeof PersistenceSection>;
