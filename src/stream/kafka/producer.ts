/**
 * Kafka backend (npm:kafkajs): settings from kafka/settings.ts, LZ4 through our codec, sends split by
 * `batch_bytes`. `send` resolves when the broker acknowledged every batch per `acks`. Aborting stops between
 * batches; `close` disconnects (kafkajs waits for in-flight requests) and never leaves a rejection unhandled.
 */
import { Kafka } from "kafkajs";
import type { StreamConfig } from "../../config/sections/stream.ts";
import { envelopesTotal } from "../../metrics/metrics.ts";
import { checkTopic } from "../topic.ts";
import type { Producer } from "../producer.ts";
import { registerLz4Codec } from "./lz4_codec.ts";
import { batchesByBytes, kafkaSettings } from "./settings.ts";

export async function createProducer(
  cfg: StreamConfig,
  _dataDir: string,
  _env: Record<string, string>,
): Promise<Producer> {
  const s = kafkaSettings(cfg);
  registerLz4Codec();
  const producer = new Kafka(s.client).producer(s.producer);
  try {
    await producer.connect();
  } catch (err) {
    await producer.disconnect().catch(() => {});
    throw new Error(`kafka: cannot connect to ${cfg.kafka_brokers.join(",")}: ${(err as Error).message}`);
  }
  let closed = false;
  return {
    async send(topic, envelopes, signal) {
      if (closed) throw new Error("kafka producer: send after close");
      checkTopic(topic);
      for (const messages of batchesByBytes(envelopes, cfg.batch_bytes)) {
        signal?.throwIfAborted();
        await producer.send({ topic, messages, acks: s.acks, compression: s.compression });
        envelopesTotal.inc({ kind: "kafka", direction: "sent", topic }, messages.length);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await producer.disconnect().catch(() => {});
    },
  };
}
