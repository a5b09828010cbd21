import { z } from "zod";
import { checkListen } from "../../util/listen_addr.ts";
import { MAX_TIMER_MS } from "../../util/time.ts";

/** `metrics:` in config/cryptorun.yaml — the `serve` process (/metrics, /healthz, /readyz, /events). */
export const MetricsSection = z.strictObject({
  /** host:port for `cryptorun serve`; loopback by default. The same validator as `serve --listen`. */
  listen: z.string().superRefine((v, ctx) => {
    const r = checkListen(v);
    if (!r.ok) ctx.addIssue({ code: "custom", message: r.reason, input: v });
  }).default("127.0.0.1:9464"),
  /** Cap on distinct symbol label values per metric (bounded cardinality). */
  max_symbol_labels: z.number().int().positive().max(10_000).default(500),
  /** Export process/runtime metrics (CPU, memory, event-loop lag, GC) with the cryptorun_ prefix. */
  process_metrics: z.boolean().default(true),
  /** Most concurrent /events (SSE) clients; more get 503. */
  events_max_clients: z.number().int().positive().max(10_000).default(100),
  /** Events kept for replay to a client reconnecting with Last-Event-ID. */
  events_replay: z.number().int().nonnegative().max(10_000).default(100),
  /** Seconds between SSE keep-alive comments (proxies drop idle connections). */
  events_heartbeat_s: z.number().int().positive().max(3600).default(15),
  /**
   * Most open HTTP connections of `serve`; at the cap a new one evicts the oldest idle connection (or is
   * closed when none is idle). Keep it below the process's file limit (`ulimit -n`) minus ~100 for the rest.
   */
  http_max_connections: z.number().int().positive().max(1_000_000).default(512),
  /** A new connection must send a complete request head within this long (slowloris; 408/close). */
  http_header_timeout_ms: z.number().int().min(100).max(MAX_TIMER_MS).default(10_000),
  /** A kept-alive connection must send its next request head within this long, else it is closed. */
  http_idle_timeout_ms: z.number().int().min(100).max(MAX_TIMER_MS).default(60_000),
  /** A response write that makes no progress for this long (a client that stopped reading) closes it. */
  http_write_timeout_ms: z.number().int().min(100).max(MAX_TIMER_MS).default(30_000),
});
export type MetricsConfig = z.infer<typeof MetricsSection>;
