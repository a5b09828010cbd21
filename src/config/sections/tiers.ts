import { z } from "zod";

/** `tiers:` in config/data_sources.yaml — freshness limits of the hot/warm/cold tiers (DOMAIN.md §5). */
export const TiersSection = z.strictObject({
  /** Hot = WebSocket data; older than this falls through to warm. */
  hot_max_age_ms: z.number().int().positive().default(5_000),
  /** Warm = REST + cache. */
  warm_max_age_ms: z.number().int().positive().default(60_000),
  /** Hot/warm stores live under <data-dir>/hot and <data-dir>/warm. */
  hot_path: z.string().min(1).default("hot"),
  warm_path: z.string().min(1).default("warm"),
});
export type TiersConfig = z.infer<typeof TiersSection>;
