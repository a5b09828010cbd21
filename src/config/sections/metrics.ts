import { z } from "zod";

/** `metrics:` in config/cryptorun.yaml — the `serve` process. */
export const MetricsSection = z.strictObject({
  /** host:port for `cryptorun serve`; loopback by default. */
  listen: z.string().regex(/^[^\s:]+:\d{1,5}$|^\[[0-9a-f:]+\]:\d{1,5}$/i, "expected host:port").default(
    "127.0.0.1:9464",
  ),
  /** Cap on distinct symbol label values per metric (bounded cardinality). */
  max_symbol_labels: z.number().int().positive().max(10_000).default(500),
});
export type MetricsConfig = z.infer<typeof MetricsSection>;
