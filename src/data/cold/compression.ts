import { lz4FrameCompressor, lz4FrameDecompressor } from "./lz4_frame.ts";
import type { CsvCompression } from "./types.ts";

/** CSV files carry their compression in the extension: `.csv`, `.csv.gz` (gzip), `.csv.lz4` (LZ4 frame). */
export const CSV_EXTENSIONS: Record<CsvCompression, string> = {
  none: ".csv",
  gzip: ".csv.gz",
  lz4: ".csv.lz4",
};

/** Detects a CSV file's compression from its name; null when it is not a CSV file. */
export function csvCompressionOf(path: string): CsvCompression | null {
  if (path.endsWith(".csv.gz") || path.endsWith(".csv.gzip")) return "gzip";
  if (path.endsWith(".csv.lz4")) return "lz4";
  if (path.endsWith(".csv")) return "none";
  return null;
}

/** A transform that compresses bytes for `c` (identity for "none"). */
export function compressStream(c: CsvCompression): TransformStream<Uint8Array, Uint8Array> {
  if (c === "gzip") {
    return new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>;
  }
  if (c === "lz4") return lz4FrameCompressor();
  return new TransformStream();
}

/** A transform that decompresses bytes compressed with `c` (identity for "none"). */
export function decompressStream(c: CsvCompression, what: string): TransformStream<Uint8Array, Uint8Array> {
  if (c === "gzip") {
    return new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>;
  }
  if (c === "lz4") return lz4FrameDecompressor(what);
  return new TransformStream();
}
