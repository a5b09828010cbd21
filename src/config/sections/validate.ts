import { z } from "zod";

/**
 * `validate:` in config/data_sources.yaml — the validation layer (issue 17, spec A3.2, src/data/validate/):
 * schema, staleness/skew and robust-z anomaly checks on bars before they reach a tier (`on_write`) and on
 * demand over stored history (`cryptorun cold validate`).
 */
export const ValidateSection = z.strictObject({
  /**
   * What a write does with flagged rows (`cold write`, ingest's bar sink): `quarantine` writes them to
   * quarantine/<table> instead of the table, `reject` fails the whole write naming the first finding (nothing
   * written), `off` skips validation (the table's own row check still applies).
   */
  on_write: z.enum(["quarantine", "reject", "off"]).default("off"),
  /** Robust z-score threshold: |z| above it is an anomaly (price both ways, volume upwards). */
  mad_z: z.number().positive().default(10),
  /** Trailing window of the anomaly checks, in bars of the same symbol (earlier bars only: PIT). */
  window: z.number().int().min(3).max(10_000).default(60),
  /** Fewer earlier bars than this in the window: no anomaly score yet (the first bars of a series). */
  min_window: z.number().int().min(3).max(10_000).default(20),
  /**
   * Floor of the robust scale (log units: 0.02 ≈ 2%): z = (ln x − median) / max(1.4826·MAD, min_scale). Without
   * it a quiet week (MAD ≈ 0.3%) makes any 4% move a "10 sigma" anomaly.
   */
  min_scale: z.number().nonnegative().default(0.02),
  /** Whether volume is checked for anomalies (log scale, upward spikes). */
  volume: z.boolean().default(true),
  /** Clock skew allowed (s): a bar opening later than now + this is in the future; live rows' receive-time skew. */
  max_skew_s: z.number().nonnegative().default(300),
}).superRefine((v, ctx) => {
  if (v.min_window > v.window) {
    ctx.addIssue({
      code: "custom",
      path: ["min_window"],
      message: `min_window (${v.min_window}) must not exceed window (${v.window})`,
    });
  }
});

export type ValidateConfig = z.infer<typeof ValidateSection>;
