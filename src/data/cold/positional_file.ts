import { type FileHandle, open } from "node:fs/promises";
import {
  blockHash,
  blockMismatch,
  decodeBlocks,
  type FileDigest,
  loadHashers,
  sameHash,
  sizeMismatch,
} from "./checksum.ts";

/**
 * A file opened for positional reads (`FileHandle.read(buf, off, len, position)`): concurrent range reads
 * never share a seek position. Counts the bytes actually read, so tests and benches can prove pruning.
 *
 * Opened with the file's digest from the manifest, every read is verified: it is widened to whole blocks,
 * each block is hashed and compared before any of its bytes is returned, and verified blocks are kept in a
 * small cache (adjacent reads share their boundary blocks). A mismatch is a ChecksumError naming the file and
 * the byte range. Every reader sits on this layer — the page decoder, hyparquet's footer reads and the
 * parquet-wasm fallback — so none of them sees an unverified byte.
 */
export interface PositionalFile {
  path: string;
  size: number;
  bytesRead: number;
  readAt(start: number, end: number): Promise<Uint8Array<ArrayBuffer>>;
  /** A lazy Blob-like view for parquet-wasm `ParquetFile.fromFile`: nothing is read until arrayBuffer(). */
  blob(): Blob;
  /** An AsyncBuffer for hyparquet (footer/metadata reads). */
  asyncBuffer(): { byteLength: number; slice(start: number, end?: number): Promise<ArrayBuffer> };
  close(): Promise<void>;
}

/** Verified blocks kept per open file (bytes): enough for the boundary blocks of consecutive reads. */
const CACHE_BYTES = 8 * 1024 * 1024;

export async function openPositional(path: string, digest?: FileDigest): Promise<PositionalFile> {
  const fh: FileHandle = await open(path, "r");
  let size: number;
  let hashes: Uint8Array | undefined;
  try {
    size = (await fh.stat()).size;
    if (digest) {
      if (size !== digest.size) throw sizeMismatch(path, digest.size, String(size));
      await loadHashers();
      hashes = decodeBlocks(digest);
    }
  } catch (err) {
    await fh.close();
    throw err;
  }
  const raw = async (s: number, e: number): Promise<Uint8Array<ArrayBuffer>> => {
    const buf = new Uint8Array(e - s);
    let off = 0;
    while (off < buf.length) {
      const r = await fh.read(buf, off, buf.length - off, s + off);
      if (r.bytesRead === 0) break;
      off += r.bytesRead;
    }
    file.bytesRead += off;
    return off === buf.length ? buf : buf.slice(0, off);
  };
  const readAt = digest && hashes ? verifiedReader(path, size, digest.blockSize, hashes, raw) : raw;
  const file: PositionalFile = {
    path,
    size,
    bytesRead: 0,
    readAt(start, end) {
      const s = Math.max(0, Math.min(start, size));
      const e = Math.max(s, Math.min(end, size));
      return readAt(s, e);
    },
    blob() {
      return lazyBlob(file, 0, size);
    },
    asyncBuffer() {
      return {
        byteLength: size,
        slice: async (start: number, end?: number) => (await file.readAt(start, end ?? size)).buffer,
      };
    },
    close: () => fh.close(),
  };
  return file;
}

/** Reads [s, e) through whole verified blocks (an LRU of verified edge blocks avoids re-reading them). */
function verifiedReader(
  path: string,
  size: number,
  blockSize: number,
  hashes: Uint8Array,
  raw: (s: number, e: number) => Promise<Uint8Array<ArrayBuffer>>,
): (s: number, e: number) => Promise<Uint8Array<ArrayBuffer>> {
  const blocks = hashes.length / 8;
  const cache = new Map<number, Uint8Array>();
  let cached = 0;
  const remember = (i: number, bytes: Uint8Array) => {
    cache.set(i, bytes);
    cached += bytes.length;
    for (const [k, v] of cache) {
      if (cached <= CACHE_BYTES) break;
      cache.delete(k);
      cached -= v.length;
    }
  };
  const take = (i: number) => {
    const b = cache.get(i);
    if (b) { // most recently used: move to the end
      cache.delete(i);
      cache.set(i, b);
    }
    return b;
  };
  return async (s, e) => {
    const out = new Uint8Array(e - s);
    if (e === s) return out;
    const first = Math.floor(s / blockSize);
    const last = Math.floor((e - 1) / blockSize);
    const got = new Map<number, Uint8Array>();
    // Missing blocks, read in contiguous runs (one positional read per run).
    let i = first;
    while (i <= last) {
      const hit = take(i);
      if (hit) {
        got.set(i, hit);
        i++;
        continue;
      }
      let j = i;
      while (j + 1 <= last && !cache.has(j + 1)) j++;
      const from = i * blockSize;
      const to = Math.min(size, (j + 1) * blockSize);
      const bytes = await raw(from, to);
      if (bytes.length !== to - from) throw sizeMismatch(path, size, `${from + bytes.length} (short read)`);
      for (let k = i; k <= j; k++) {
        const b = bytes.subarray((k - i) * blockSize, Math.min(bytes.length, (k - i + 1) * blockSize));
        if (k >= blocks || !sameHash(blockHash(b), hashes, k * 8)) {
          throw blockMismatch(path, k * blockSize, k * blockSize + b.length, k, blocks);
        }
        got.set(k, b);
        // Only a run's edge blocks are kept (as copies): they are what the next read may share, and a
        // cached view would pin the whole run's buffer.
        if (k === i || k === j) remember(k, b.slice());
      }
      i = j + 1;
    }
    for (let k = first; k <= last; k++) {
      const b = got.get(k)!;
      const bs = k * blockSize;
      const a = Math.max(s, bs) - bs;
      const z = Math.min(e, bs + b.length) - bs;
      out.set(b.subarray(a, z), bs + a - s);
    }
    return out;
  };
}

function lazyBlob(file: PositionalFile, start: number, end: number): Blob {
  const view = {
    size: end - start,
    type: "",
    slice(s = 0, e = end - start): Blob {
      const rel = (x: number) => (x < 0 ? Math.max(end - start + x, 0) : Math.min(x, end - start));
      return lazyBlob(file, start + rel(s), start + Math.max(rel(s), rel(e)));
    },
    async arrayBuffer(): Promise<ArrayBuffer> {
      return (await file.readAt(start, end)).buffer;
    },
    async bytes(): Promise<Uint8Array> {
      return await file.readAt(start, end);
    },
  };
  return view as unknown as Blob;
}
