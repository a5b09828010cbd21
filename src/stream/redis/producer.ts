/**
 * Redis Streams backend: one stream per topic, one entry per envelope with a single field `e` holding the
 * wire-form envelope (envelope.ts `encodeEnvelope`) and a field `k` with the symbol (the partition key on
 * Kafka/Pulsar; here for readers that filter). Envelopes go out in batches of at most `batch_bytes`, each
 * batch ONE command: a small Lua script that runs the batch's XADDs server-side (a pipeline of one XADD per
 * envelope costs the client a command object, a reply and a promise per envelope: half the throughput).
 * Each XADD trims entries older than `retention_days` (MINID, approximate). `send` resolves only when the
 * script has added every envelope of every batch.
 */
import type { StreamConfig } from "../../config/sections/stream.ts";
import { envelopesTotal } from "../../metrics/metrics.ts";
import { encodeEnvelope, type Envelope } from "../envelope.ts";
import { checkTopic } from "../topic.ts";
import type { Producer } from "../producer.ts";
import { connectRedis, type RedisClient, redisUrl } from "./connect.ts";
import { show } from "../../util/errors.ts";

/**
 * XADD of a batch, server-side: KEYS[1] the stream, ARGV[1] the MINID to trim to ("" = keep all), then
 * (envelope, symbol) pairs. Returns how many entries it added.
 */
const XADD_BATCH = `local minid = ARGV[1]
local n = 0
for i = 2, #ARGV, 2 do
  if minid == "" then
    redis.call("XADD", KEYS[1], "*", "e", ARGV[i], "k", ARGV[i + 1])
  else
    redis.call("XADD", KEYS[1], "MINID", "~", minid, "*", "e", ARGV[i], "k", ARGV[i + 1])
  end
  n = n + 1
end
return n`;

interface XaddBatch {
  xaddBatch(stream: string, args: string[]): Promise<unknown>;
}

/** The client with the batch script as a command (ioredis sends EVALSHA, and EVAL once if not cached). */
function xaddBatchCommand(client: RedisClient): XaddBatch {
  const c = client as unknown as Partial<XaddBatch>;
  if (typeof c.xaddBatch !== "function") {
    client.defineCommand("xaddBatch", { numberOfKeys: 1, lua: XADD_BATCH });
  }
  return client as unknown as XaddBatch;
}

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
  const batches = xaddBatchCommand(client);
  async function flush(topic: string, batch: Envelope[]): Promise<void> {
    const minId = cfg.retention_days > 0 ? String(Date.now() - cfg.retention_days * 86_400_000) : "";
    const args: string[] = [minId];
    for (const e of batch) args.push(encodeEnvelope(e), e.symbol);
    let added: unknown;
    try {
      added = await batches.xaddBatch(topic, args);
    } catch (err) {
      throw new Error(`redis: XADD to ${topic} failed: ${(err as Error).message}`);
    }
    if (added !== batch.length) {
      throw new Error(`redis: XADD to ${topic} failed: ${show(added)} of ${batch.length} envelopes added`);
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
