/**
 * The `stream:` config block → kafkajs settings (pure; unit-tested). acks all → -1 (leader 1, none 0);
 * the idempotent producer is on whenever acks is all (kafkajs requires acks -1 for it) with one request
 * in flight so ordering per partition holds; compression lz4 (our codec), gzip or none; retry settings
 * that make a missing broker fail in about a second instead of hanging.
 */
import { Buffer } from "node:buffer";
import { CompressionTypes, type KafkaConfig, logLevel, type Message, type ProducerConfig } from "kafkajs";
import type { StreamConfig } from "../../config/sections/stream.ts";
import { ConfigError } from "../../util/errors.ts";
import { encodeEnvelope, type Envelope } from "../envelope.ts";

export interface KafkaSettings {
  client: KafkaConfig;
  producer: ProducerConfig;
  acks: -1 | 0 | 1;
  compression: CompressionTypes;
}

export const ACKS: Record<StreamConfig["acks"], -1 | 0 | 1> = { all: -1, leader: 1, none: 0 };
export const COMPRESSION: Record<StreamConfig["compression"], CompressionTypes> = {
  lz4: CompressionTypes.LZ4,
  gzip: CompressionTypes.GZIP,
  none: CompressionTypes.None,
};

export function kafkaSettings(cfg: StreamConfig): KafkaSettings {
  if (cfg.kafka_brokers.length === 0) {
    throw new ConfigError('stream.kind is kafka but stream.kafka_brokers is empty (e.g. ["127.0.0.1:9092"])');
  }
  for (const b of cfg.kafka_brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b)) {
      throw new ConfigError(`stream.kafka_brokers: expected host:port, found ${JSON.stringify(b)}`);
    }
  }
  const acks = ACKS[cfg.acks];
  const idempotent = acks === -1;
  return {
    client: {
      clientId: cfg.kafka_client_id,
      brokers: cfg.kafka_brokers,
      connectionTimeout: 3_000,
      requestTimeout: 30_000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
      logLevel: logLevel.NOTHING,
    },
    producer: {
      idempotent,
      maxInFlightRequests: idempotent ? 1 : 5,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    },
    acks,
    compression: COMPRESSION[cfg.compression],
  };
}

/** Kafka messages: key = symbol (partitioning by symbol), value = wire-form envelope, header `checksum`. */
export function toMessage(e: Envelope): Message {
  return { key: e.symbol, value: encodeEnvelope(e), headers: { checksum: e.checksum, version: "1" } };
}

/** Splits messages into sends of at most `batchBytes` (key + value bytes; one oversized message alone). */
export function batchesByBytes(envelopes: Envelope[], batchBytes: number): Message[][] {
  const out: Message[][] = [];
  let cur: Message[] = [];
  let size = 0;
  for (const e of envelopes) {
    const m = toMessage(e);
    const n = Buffer.byteLength(m.value as string) + Buffer.byteLength(m.key as string);
    if (cur.length > 0 && size + n > batchBytes) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(m);
    size += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
