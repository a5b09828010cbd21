/**
 * The producer port (spec A2.3): `send` publishes envelopes to a topic; `newProducer` picks the backend
 * named by `stream.kind` and loads it by dynamic import only when selected (our "compile-time selectable"):
 * a file-sink run never loads kafkajs, ioredis or the Pulsar client.
 */
import type { StreamConfig } from "../config/sections/stream.ts";
import type { Envelope } from "./envelope.ts";

export interface Producer {
  /**
   * Publishes `envelopes` to `topic` and resolves once the backend has acknowledged all of them (file:
   * written; redis: XADD replied; kafka: acks per `stream.acks`; pulsar: every send receipt "ok").
   * Rejects on failure: the caller may retry the whole batch (delivery is at-least-once; consumers
   * de-duplicate by checksum). Aborting `signal` stops between batches and rejects with the abort reason.
   */
  send(topic: string, envelopes: Envelope[], signal?: AbortSignal): Promise<void>;
  /** Flushes what was accepted, then releases connections/files. Idempotent. */
  close(signal?: AbortSignal): Promise<void>;
}

export type StreamKind = StreamConfig["kind"];

/** What every backend producer module exports. */
export interface ProducerModule {
  createProducer(cfg: StreamConfig, dataDir: string, env: Record<string, string>): Promise<Producer>;
}

/** Opens the producer `cfg.kind` selects (the backend module is imported only now). */
export async function newProducer(
  cfg: StreamConfig,
  dataDir: string,
  env: Record<string, string>,
): Promise<Producer> {
  const mod = await loadBackend(cfg.kind);
  return await mod.createProducer(cfg, dataDir, env);
}

async function loadBackend(kind: StreamKind): Promise<ProducerModule> {
  // Literal specifiers so `deno compile` includes them; still evaluated only when selected.
  switch (kind) {
    case "file":
      return await import("./file/producer.ts");
    case "redis":
      return await import("./redis/producer.ts");
    case "kafka":
      return await import("./kafka/producer.ts");
    case "pulsar":
      return await import("./pulsar/producer.ts");
  }
}
