/**
 * Consumer side of the Kafka backend (kafkajs consumer group, manual commits). kafkajs pushes messages;
 * they are queued (the fetch loop is paused while the queue is full) and `poll` hands them out. `ack`
 * commits, per partition, the offset after the highest acked message (the consumer loop acks whole polls
 * in order), so anything not acked at a crash is fetched again.
 */
import { Kafka } from "kafkajs";
import type { StreamConfig } from "../../config/sections/stream.ts";
import { checkTopic } from "../topic.ts";
import type { Delivery, Source, SourceOptions } from "../source.ts";
import { sleepUnlessAborted } from "../../util/sleep.ts";
import { registerLz4Codec } from "./lz4_codec.ts";
import { kafkaSettings } from "./settings.ts";

const HIGH_WATER = 5_000;

export async function createSource(
  cfg: StreamConfig,
  _dataDir: string,
  _env: Record<string, string>,
  opts: SourceOptions,
): Promise<Source> {
  checkTopic(opts.topic);
  const s = kafkaSettings(cfg);
  registerLz4Codec();
  const consumer = new Kafka(s.client).consumer({ groupId: opts.group, allowAutoTopicCreation: false });
  const queue: Delivery[] = [];
  let failure: Error | undefined;
  /** Aborted by close(): ends the back-pressure wait, which kafkajs' disconnect() would otherwise await forever. */
  const closing = new AbortController();
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        while (queue.length >= HIGH_WATER) {
          if (!(await sleepUnlessAborted(20, closing.signal))) return; // closing: not acked, fetched again
        }
        queue.push({ id: `${partition}:${message.offset}`, text: message.value?.toString("utf8") ?? "" });
      },
    });
  } catch (err) {
    await consumer.disconnect().catch(() => {});
    throw new Error(
      `kafka: cannot consume ${opts.topic} from ${cfg.kafka_brokers.join(",")}: ${(err as Error).message}`,
    );
  }
  consumer.on(consumer.events.CRASH, (e) => {
    failure = new Error(`kafka consumer crashed: ${e.payload.error.message}`);
  });
  return {
    async poll(max, blockMs, signal) {
      const deadline = Date.now() + blockMs;
      while (queue.length === 0 && !signal?.aborted && Date.now() < deadline) {
        if (failure) throw failure;
        await sleepUnlessAborted(Math.min(50, deadline - Date.now()), signal ?? closing.signal);
      }
      return queue.splice(0, max);
    },
    async ack(ids) {
      const next = new Map<number, bigint>();
      for (const id of ids) {
        const [p, o] = id.split(":");
        const off = BigInt(o) + 1n;
        const cur = next.get(Number(p));
        if (cur === undefined || off > cur) next.set(Number(p), off);
      }
      if (next.size === 0) return;
      await consumer.commitOffsets(
        [...next].map(([partition, offset]) => ({ topic: opts.topic, partition, offset: offset.toString() })),
      );
    },
    async close() {
      closing.abort();
      await consumer.disconnect().catch(() => {});
    },
  };
}
