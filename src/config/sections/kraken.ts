import { z } from "zod";
import { MAX_TIMER_MS } from "../../util/time.ts";
import { normalizeAsset, normalizePair } from "../../market/symbols.ts";

/** `kraken:` in config/data_sources.yaml — the first-class venue. */
export const KrakenSection = z.strictObject({
  rest_base_url: z.string().url().default("https://api.kraken.com"),
  ws_url: z.string().url().default("wss://ws.kraken.com/v2"),
  /** Kraken's REST rate-limit tier (counter model): starter | intermediate | pro. */
  tier: z.enum(["starter", "intermediate", "pro"]).default("starter"),
  book_depth: z.union([z.literal(10), z.literal(25), z.literal(100), z.literal(500), z.literal(1000)])
    .default(
      10,
    ),
  /** Quote currencies live ingest subscribes to (USD only by default). */
  quotes: z.array(z.string().regex(/^[A-Z0-9]+$/)).min(1).default(["USD"]),
  /** API key/secret are secrets: env var names (public endpoints need neither). */
  api_key_env: z.string().min(1).default("CRYPTORUN_KRAKEN_API_KEY"),
  api_secret_env: z.string().min(1).default("CRYPTORUN_KRAKEN_API_SECRET"),
  request_timeout_ms: z.number().int().positive().max(MAX_TIMER_MS).default(10_000),
  max_retries: z.number().int().min(0).max(10).default(3),
  /** Hot tier: at most one microstructure snapshot per symbol per this much exchange time. */
  hot_snapshot_interval_ms: z.number().int().min(0).default(1_000),
  /** WebSocket: reconnect when no frame (not even a heartbeat) arrives for this long. */
  ws_silence_ms: z.number().int().min(1_000).max(MAX_TIMER_MS).default(10_000),
  /** WebSocket: reconnect backoff cap (full jitter, doubling from 500 ms). */
  reconnect_max_ms: z.number().int().min(500).max(MAX_TIMER_MS).default(30_000),
  /** Cold-tier table that receives the closed 1-minute bars built from trades. */
  bars_table: z.string().regex(/^[a-z][a-z0-9_]*$/).default("ohlcv_1m"),
  /** `serve --with-ingest`: normalised pairs of the hourly-bar job (cold tier) and the book session (hot tier). */
  symbols: z.array(z.string()).default(["BTC/USD", "ETH/USD", "LTC/USD", "BCH/USD", "XRP/USD"]),
  /**
   * Length of the ingest poller's optional per-run book session in seconds (0 = none). `serve --with-ingest`
   * does not use it: its bar job runs with `books: false` and a continuous supervised session writes the books.
   */
  poll_book_seconds: z.number().int().min(0).max(3600).default(20),
}).superRefine((k, ctx) => {
  // The same rule as `ingest --symbols`: normalised BASE/QUOTE names whose quote kraken.quotes admits.
  const quotes = new Set(k.quotes.map(normalizeAsset));
  k.symbols.forEach((s, i) => {
    let norm: string | undefined;
    try {
      norm = normalizePair(s);
    } catch { /* reported below */ }
    if (norm === undefined || !/^[A-Z0-9]{1,15}\/[A-Z0-9]{1,15}$/.test(s)) {
      ctx.addIssue({
        code: "custom",
        path: ["symbols", i],
        message: `expected a normalised pair like BTC/USD, found ${JSON.stringify(s)}`,
      });
    } else if (norm !== s) {
      ctx.addIssue({
        code: "custom",
        path: ["symbols", i],
        message: `${JSON.stringify(s)} is not normalised: write ${JSON.stringify(norm)}`,
      });
    } else if (!quotes.has(s.split("/")[1])) {
      ctx.addIssue({
        code: "custom",
        path: ["symbols", i],
        message: `${JSON.stringify(s)} is quoted in ${s.split("/")[1]}; kraken.quotes admits ${
          [...quotes].join(",")
        }`,
      });
    }
  });
});
export type KrakenConfig = z.infer<typeof KrakenSection>;
