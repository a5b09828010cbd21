/**
 * The consumer-side port: a `Source` hands out raw wire messages of one topic for one consumer group and
 * takes acknowledgements. Delivery is at-least-once: anything not acked is delivered again (after a restart,
 * or when a crashed group member's messages are claimed). Validation, DLQ and idempotence live above it,
 * in consumer.ts; backends only move bytes.
 */
import type { StreamConfig } from "../config/sections/stream.ts";
import type { StreamKind } from "./producer.ts";

export interface Delivery {
  /** Backend message id (file: byte offset; redis: stream id; pulsar: messageId); passed back to `ack`. */
  id: string;
  /** The wire text (an encoded envelope, or whatever a foreign producer wrote). */
  text: string;
  /**
   * Set only when the wire bytes are not valid UTF-8: the exact bytes, while `text` is then their lossy
   * decoding (U+FFFD for each bad sequence). The consumer sends such a message to the DLQ as `malformed`
   * with these bytes in `raw_base64`.
   */
  bytes?: Uint8Array;
}

export interface Source {
  /**
   * Up to `max` messages: first this consumer's unacked ones (redeliveries), then new ones. Waits up to
   * `blockMs` for at least one; resolves `[]` on timeout or when `signal` aborts.
   */
  poll(max: number, blockMs: number, signal?: AbortSignal): Promise<Delivery[]>;
  /** Acknowledges processed messages (they are never delivered to this group again). */
  ack(ids: string[]): Promise<void>;
  close(): Promise<void>;
}

export interface SourceOptions {
  topic: string;
  /** Consumer group (file: a committed offset per group; redis: XGROUP; pulsar: subscription). */
  group: string;
  /** This member's name inside the group. */
  consumer: string;
}

export interface SourceModule {
  createSource(
    cfg: StreamConfig,
    dataDir: string,
    env: Record<string, string>,
    opts: SourceOptions,
  ): Promise<Source>;
}

/** Opens the source `cfg.kind` selects (loaded by dynamic import). */
export async function openSource(
  cfg: StreamConfig,
  dataDir: string,
  env: Record<string, string>,
  opts: SourceOptions,
): Promise<Source> {
  const mod = await loadSource(cfg.kind);
  return await mod.createSource(cfg, dataDir, env, opts);
}

async function loadSource(kind: StreamKind): Promise<SourceModule> {
  switch (kind) {
    case "file":
      return await import("./file/source.ts");
    case "redis":
      return await import("./redis/source.ts");
    case "kafka":
      return await import("./kafka/source.ts");
    case "pulsar":
      return await import("./pulsar/source.ts");
  }
}
