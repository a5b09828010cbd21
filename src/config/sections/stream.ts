import { z } from "zod";
import { MAX_TIMER_MS } from "../../util/time.ts";

/** `stream:` in config/cryptorun.yaml — the spec's A2.3 block plus per-backend settings. */
export const StreamSection = z.strictObject({
  enabled: z.boolean().default(true),
  kind: z.enum(["file", "redis", "kafka", "pulsar"]).default("file"),
  topic: z.string().min(1).default("cryptorun.ohlcv"),
  batch_bytes: z.number().int().positive().default(1_048_576),
  acks: z.enum(["all", "leader", "none"]).default("all"),
  /** Broker-side compression. */
  compression: z.enum(["lz4", "gzip", "none"]).default("lz4"),
  /** Retention the docs recommend for topics (7–30 d); Redis streams are trimmed to it on every XADD. */
  retention_days: z.number().int().min(0).max(3650).default(7),
  /** File sink: NDJSON files under this directory, one per topic (relative paths are under --data-dir). */
  file_dir: z.string().min(1).default("stream"),
  /** Redis Streams: the URL is a secret (may hold a password): env var name or file. */
  redis_url_env: z.string().min(1).default("CRYPTORUN_REDIS_URL"),
  redis_url_file: z.string().min(1).optional(),
  /** Kafka brokers (host:port list). */
  kafka_brokers: z.array(z.string().min(1)).default([]),
  kafka_client_id: z.string().min(1).default("cryptorun"),
  /** Pulsar WebSocket API base, e.g. ws://127.0.0.1:8080/ws/v2. */
  pulsar_ws_url: z.string().min(1).default("ws://127.0.0.1:8080/ws/v2"),
  pulsar_tenant: z.string().min(1).default("public"),
  pulsar_namespace: z.string().min(1).default("default"),
  pulsar_token_env: z.string().min(1).default("CRYPTORUN_PULSAR_TOKEN"),
  /** Pulsar: longest wait for the broker's send receipts of one window (≤ batch_bytes) before `send` fails. */
  pulsar_send_timeout_ms: z.number().int().positive().max(MAX_TIMER_MS).default(30_000),
});
export type StreamConfig = z.infer<typeof StreamSection>;
