import {
  brotliDecompressSync,
  constants,
  createGunzip,
  createZstdDecompress,
  gunzipSync,
  zstdDecompressSync,
} from "node:zlib";
import { lz4 } from "./lz4_codec.ts";
import type { CompressionCodec, Compressors } from "hyparquet";

/**
 * Page decompressors for hyparquet (which only has SNAPPY built in): zstd, gzip and brotli through the
 * runtime's native node:zlib, LZ4_RAW (what the cold tier writes as `lz4`) through npm:lz4js's block codec.
 * hyparquet checks that every page decompresses to exactly the size its header declares.
 *
 * zstd and gzip pages go through ONE native decompressor per codec, created on first use and reset between
 * pages: node:zlib's one-shot `zstdDecompressSync`/`gunzipSync` build a stream object, a native context and
 * two output buffers for every page, which cost about as much as decompressing a page of a narrow window.
 */
/** LZ4_RAW pages need `loadLz4()` (lz4_codec.ts) awaited first, as `readColumnSpan` does. */
export const PAGE_DECOMPRESSORS: Compressors = {
  ZSTD: (input, outputLength) => zstdPages.decompress(input, outputLength, false),
  GZIP: (input, outputLength) => gzipPages.decompress(input, outputLength, false),
  // chunkSize = the page's size: one output buffer, no concatenation of 16 KiB pieces.
  BROTLI: (input, outputLength) => asBytes(brotliDecompressSync(input, { chunkSize: chunk(outputLength) })),
  LZ4_RAW: (input, outputLength) => {
    const out = new Uint8Array(outputLength);
    const n = lz4().decompressBlock(input, out, 0, input.length, 0);
    return n === outputLength ? out : out.subarray(0, n);
  },
};

/**
 * The same, except that zstd and gzip pages are decompressed into one reused buffer: only for pages whose
 * bytes are consumed before the next page is decompressed (data pages; never a dictionary page, whose
 * values may be views into its bytes).
 */
export const DATA_PAGE_DECOMPRESSORS: Compressors = {
  ...PAGE_DECOMPRESSORS,
  ZSTD: (input, outputLength) => zstdPages.decompress(input, outputLength, true),
  GZIP: (input, outputLength) => gzipPages.decompress(input, outputLength, true),
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

/** node:zlib's native handle behind a (de)compression stream: the calls its own sync functions make. */
interface NativeHandle {
  writeSync(
    flush: number,
    input: Uint8Array,
    inOff: number,
    inLen: number,
    out: Uint8Array,
    outOff: number,
    outLen: number,
  ): void;
  reset(): void;
  close(): void;
  onerror: (message: string, errno: number) => void;
}

/** What a decompression stream object exposes on this runtime (undefined parts: not reusable here). */
interface StreamInternals {
  _handle?: Partial<NativeHandle> | null;
  /** [output bytes left, input bytes left] after each writeSync. */
  _writeState?: Uint32Array;
  close?(): void;
}

/**
 * A page decompressor that reuses one native context: each page is one `writeSync` (finishing the frame)
 * into a fresh buffer one byte longer than the declared size — the spare byte lets the decoder go on to the
 * gzip trailer and check its CRC and length — then `reset`. A page must yield exactly `outputLength` bytes and
 * consume all its input; any error discards the context (the next page gets a new one). When the runtime's
 * stream object does not expose its handle, pages fall back to the one-shot function.
 */
export function reusableDecompressor(
  codec: string,
  create: () => StreamInternals,
  flush: number,
  oneShot: (input: Uint8Array, outputLength: number) => Uint8Array,
): {
  /** `scratch`: into a buffer reused by the next call (the caller is done with the bytes by then). */
  decompress(input: Uint8Array, outputLength: number, scratch: boolean): Uint8Array;
  reusing(): boolean;
} {
  let stream: StreamInternals | undefined;
  let handle: NativeHandle | undefined;
  let state: Uint32Array | undefined;
  let unavailable = false;
  let failure: string | undefined;
  let spare = new Uint8Array(0);
  const open = (): boolean => {
    if (handle) return true;
    if (unavailable) return false;
    const s = create();
    const h = s._handle;
    if (
      !h || typeof h.writeSync !== "function" || typeof h.reset !== "function" ||
      !(s._writeState instanceof Uint32Array)
    ) {
      unavailable = true;
      s.close?.();
      return false;
    }
    stream = s;
    handle = h as NativeHandle;
    state = s._writeState;
    handle.onerror = (message) => (failure = message);
    return true;
  };
  const discard = () => {
    try {
      stream?.close?.();
    } catch { /* already unusable */ }
    stream = handle = state = undefined;
  };
  return {
    reusing: () => open(),
    decompress(input, outputLength, scratch) {
      if (!open()) return oneShot(input, outputLength);
      let out: Uint8Array;
      if (!scratch) out = new Uint8Array(outputLength + 1);
      else {
        if (spare.length < outputLength + 1) {
          spare = new Uint8Array(Math.max(outputLength + 1, 2 * spare.length));
        }
        out = spare.subarray(0, outputLength + 1);
      }
      failure = undefined;
      try {
        handle!.writeSync(flush, input, 0, input.byteLength, out, 0, out.length);
      } catch (err) {
        failure = (err as Error).message;
      }
      const produced = out.length - state![0];
      const inputLeft = state![1];
      if (failure === undefined && (produced !== outputLength || inputLeft !== 0)) {
        failure =
          `${produced} bytes out of ${input.byteLength - inputLeft}/${input.byteLength} input bytes, ` +
          `the page header declares ${outputLength}`;
      }
      if (failure !== undefined) {
        discard();
        throw new Error(`${codec} page: ${failure}`);
      }
      handle!.reset();
      return out.subarray(0, outputLength);
    },
  };
}

const zstdPages = reusableDecompressor(
  "zstd",
  () => createZstdDecompress() as unknown as StreamInternals,
  constants.ZSTD_e_end,
  (input, n) => asBytes(zstdDecompressSync(input, { chunkSize: chunk(n) })),
);
const gzipPages = reusableDecompressor(
  "gzip",
  () => createGunzip() as unknown as StreamInternals,
  constants.Z_FINISH,
  (input, n) => asBytes(gunzipSync(input, { chunkSize: chunk(n) })),
);

/** Whether zstd and gzip pages reuse one native context on this runtime (tests pin it). */
export function reusesNativeDecompressors(): boolean {
  return zstdPages.reusing() && gzipPages.reusing();
}

/** node:zlib wants chunkSize >= 64 bytes. */
function chunk(outputLength: number): number {
  return Math.max(64, outputLength);
}

function asBytes(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
