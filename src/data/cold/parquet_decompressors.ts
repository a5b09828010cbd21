import { brotliDecompressSync, gunzipSync, zstdDecompressSync } from "node:zlib";
import lz4 from "lz4js";
import type { CompressionCodec, Compressors } from "hyparquet";

/**
 * Page decompressors for hyparquet (which only has SNAPPY built in): zstd, gzip and brotli through the
 * runtime's native node:zlib, LZ4_RAW (what the cold tier writes as `lz4`) through npm:lz4js's block codec.
 * hyparquet checks that every page decompresses to exactly the size its header declares.
 */
export const PAGE_DECOMPRESSORS: Compressors = {
  // chunkSize = the page's size: one output buffer, no concatenation of 16 KiB pieces.
  ZSTD: (input, outputLength) => asBytes(zstdDecompressSync(input, { chunkSize: chunk(outputLength) })),
  GZIP: (input, outputLength) => asBytes(gunzipSync(input, { chunkSize: chunk(outputLength) })),
  BROTLI: (input, outputLength) => asBytes(brotliDecompressSync(input, { chunkSize: chunk(outputLength) })),
  LZ4_RAW: (input, outputLength) => {
    const out = new Uint8Array(outputLength);
    const n = lz4.decompressBlock(input, out, 0, input.length, 0);
    return n === outputLength ? out : out.subarray(0, n);
  },
};

/** Codecs the hyparquet read path decodes; files with any other (legacy Hadoop LZ4, LZO) use parquet-wasm. */
export const HYPARQUET_CODECS: ReadonlySet<CompressionCodec> = new Set<CompressionCodec>([
  "UNCOMPRESSED",
  "SNAPPY",
  "ZSTD",
  "GZIP",
  "BROTLI",
  "LZ4_RAW",
]);

/** node:zlib wants chunkSize >= 64 bytes. */
function chunk(outputLength: number): number {
  return Math.max(64, outputLength);
}

function asBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
