/**
 * Kafka LZ4 compression for kafkajs (which ships only gzip), over the pure-JS npm:lz4js. Kafka's record
 * batches (magic v2) carry LZ4 in the standard LZ4 *frame* format (magic 04 22 4D 18), which is what
 * lz4js `compress` writes and `decompress` reads — the same format as Debian's `lz4` command.
 */
import { Buffer } from "node:buffer";
import { CompressionCodecs, CompressionTypes } from "kafkajs";
import { compress, decompress } from "lz4js";

export interface KafkaCodec {
  compress(encoder: { buffer: Uint8Array }): Promise<Buffer>;
  decompress(buffer: Uint8Array): Promise<Buffer>;
}

export const lz4Codec: KafkaCodec = {
  compress: (encoder) => Promise.resolve(Buffer.from(compress(encoder.buffer))),
  decompress: (buffer) => Promise.resolve(Buffer.from(decompress(buffer))),
};

/** Registers the codec with kafkajs (idempotent). */
export function registerLz4Codec(): void {
  // deno-lint-ignore no-explicit-any
  (CompressionCodecs as any)[CompressionTypes.LZ4] = () => lz4Codec;
}
