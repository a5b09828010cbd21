/**
 * npm:lz4js's block codec, loaded on first use. lz4js is a CommonJS package: loading it brings up the
 * runtime's CommonJS machinery, 10–30 ms of a fresh process (measured, issue #21), which a read of zstd or
 * gzip files never needs. Whoever is about to decode or encode LZ4 awaits `loadLz4()` first; the synchronous
 * page and block code then takes the loaded codec from `lz4()`.
 */

/** The parts of lz4js CryptoRun uses (its block functions; the package ships no types). */
export interface Lz4Codec {
  compress(input: Uint8Array): Uint8Array;
  compressBound(n: number): number;
  compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hash: Uint32Array): number;
  decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
}

let loading: Promise<Lz4Codec> | undefined;
let codec: Lz4Codec | undefined;

/** Loads lz4js once; every later call returns the same promise. */
export function loadLz4(): Promise<Lz4Codec> {
  loading ??= import("lz4js").then((m) => {
    codec = ((m as { default?: unknown }).default ?? m) as Lz4Codec;
    return codec;
  }, (err) => {
    loading = undefined; // a failed load is tried again by the next caller
    throw err;
  });
  return loading;
}

/** The loaded codec; a programming error (not bad data) when `loadLz4()` has not resolved yet. */
export function lz4(): Lz4Codec {
  if (!codec) throw new Error("lz4js is not loaded yet: await loadLz4() before decoding LZ4");
  return codec;
}
