import { z } from "zod";

/** `scan:` in config/cryptorun.yaml — the main job. */
export const ScanSection = z.strictObject({
  /** Quote currencies admitted. USD by default (the spec's rule); others only when listed. */
  quotes: z.array(z.string().regex(/^[A-Z0-9]+$/)).min(1).default(["USD"]),
  /** Explicit universe (normalised symbols, e.g. BTC/USD); empty = every admitted symbol in the store. */
  universe: z.array(z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+$/)).default([]),
  top: z.number().int().positive().default(20),
  /** Venue whose bars and books feed the scan (exchange-native only). */
  venue: z.string().min(1).default("kraken"),
});
export type ScanConfig = z.infer<typeof ScanSection>;
