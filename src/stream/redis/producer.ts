/**
 * Redis Streams backend: one stream per topic, one entry per envelope with a single field `e` holding the
 * wire-form envelope (envelope.ts `encodeEnvelope`) and a field `k` with the symbol (the partition key on
 * Kafka/Pulsar; here for readers that filter). Envelopes go out in pipelines of at most `batch_bytes`;
 * each XADD trims entries older than `retention_days` (MINID, approximate). `send` resolves only when
 * every XADD of the batch has replied.
 */
import type { StreamConfig } from "../../config/sections/stream.ts";
import { envelopesTotal } from "../../metrics/metrics.ts";
import { encodeEnvelope, type Envelope } from "../envelope.ts";
import { checkTopic } from "../topic.ts";
import type { Producer } from "../producer.ts";
import { connectRedis, type RedisClient, redisUrl } from "./connect.ts";

export async function createProducer(
  cfg: StreamConfig,
  _dataDir: string,
  env: Record<string, string>,
): Promise<Producer> {
  const client = await connectRedis(await redisUrl(cfg, env));
  return redisProducer(client, cfg, true);
}

/** A producer over an open client (`owns`: close() quits it). */
export function redisProducer(client: RedisClient, cfg: StreamConfig, owns: boolean): Producer {
  let closed = false;
  async function flush(topic: string, batch: Envelope[]): Promise<void> {
    const pipe = client.pipeline();
    const minId = cfg.retention_days > 0 ? String(Date.now() - cfg.retention_days * 86_400_000) : undefined;
    for (const e of batch) {
      if (minId) pipe.xadd(topic, "MINID", "~", minId, "*", "e", encodeEnvelope(e), "k", e.symbol);
      else pipe.xadd(topic, "*", "e", encodeEnvelope(e), "k", e.symbol);
    }
    const res = await pipe.exec();
    const failed = (res ?? []).find(([err]) => err);
    if (!res || res.length !== batch.length || failed) {
      throw new Error(
        `redis: XADD to ${topic} failed: ${failed ? (failed[0] as Error).message : "no reply"}`,
      );
    }
    envelopesTotal.inc({ kind: "redis", direction: "sent", topic }, batch.length);
  }
  return {
    async send(topic, envelopes, signal) {
      if (closed) throw new Error("redis producer: send after close");
      checkTopic(topic);
      let batch: Envelope[] = [];
      let size = 0;
      for (const e of envelopes) {
        const n = e.payload.length + 200;
        if (batch.length > 0 && size + n > cfg.batch_bytes) {
          signal?.throwIfAborted();
          await flush(topic, batch);
          batch = [];
          size = 0;
        }
        batch.push(e);
        size += n;
      }
      signal?.throwIfAborted();
      if (batch.length > 0) await flush(topic, batch);
    },
    async close() {
      if (closed) return;
      closed = true;
      if (owns) await client.quit().catch(() => client.disconnect());
    },
  };
}
