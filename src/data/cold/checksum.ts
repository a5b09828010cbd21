import { Buffer } from "node:buffer";
import type { IHasher } from "hash-wasm";
import { dataConsistencyErrors } from "../../metrics/metrics.ts";
import { InputError } from "../../util/errors.ts";

/**
 * Checksums of the cold tier's files, kept in the table manifest: a whole-file BLAKE3 (verify, repair: the
 * identity of a file's bytes) and one xxHash64 per 64 KiB block, so that a read of any byte range verifies
 * exactly the blocks it touches without reading the whole file. hash-wasm: BLAKE3 ~700 MB/s, xxHash64 of
 * 64 KiB blocks 5–7 GB/s on our machines.
 */

export const BLOCK_SIZE = 64 * 1024;

/** What the manifest records about a file's bytes. */
export interface FileDigest {
  size: number;
  /** BLAKE3-256 of the whole file, lower-case hex. */
  blake3: string;
  blockSize: number;
  /** The xxHash64 of every block (the last one may be short), 8 bytes each, concatenated, base64. */
  blocks: string;
}

/** A block hash mismatch (or a size that differs from the manifest): exit 1, naming file and offset. */
export class ChecksumError extends InputError {
  override name = "ChecksumError";
  constructor(readonly path: string, message: string) {
    super(message);
    dataConsistencyErrors.inc({ check: "checksum" });
  }
}

let xxh: IHasher | undefined;
let ready: Promise<void> | undefined;
let wasm: Promise<typeof import("hash-wasm")> | undefined;

/**
 * hash-wasm, loaded on first use (a command that never touches the cold tier does not parse it): its ES module
 * build, as src/stream/envelope.ts loads it (the package's default entry is a UMD bundle that loads ~30 ms
 * slower in Deno); the types are the package's.
 */
function hashWasm(): Promise<typeof import("hash-wasm")> {
  wasm ??= import("hash-wasm/dist/index.esm.min.js") as Promise<typeof import("hash-wasm")>;
  return wasm;
}

async function createBLAKE3(): Promise<IHasher> {
  return await (await hashWasm()).createBLAKE3();
}

/** Loads the hash functions once (WebAssembly); every other function here needs it done. */
export function loadHashers(): Promise<void> {
  ready ??= hashWasm().then((m) => m.createXXHash64()).then((h) => {
    xxh = h;
  });
  return ready;
}

/**
 * xxHash64 of one block (synchronous: the shared hasher is used in one go, never across an await).
 * `loadHashers()` must have resolved.
 */
export function blockHash(bytes: Uint8Array): Uint8Array {
  const h = xxh!;
  h.init();
  h.update(bytes);
  return h.digest("binary");
}

/** The 8-byte block hashes of a digest, decoded once per opened file. */
export function decodeBlocks(d: FileDigest): Uint8Array {
  const raw = Buffer.from(d.blocks, "base64");
  const want = d.size === 0 ? 0 : Math.ceil(d.size / d.blockSize) * 8;
  if (raw.length !== want) {
    throw new InputError(
      `manifest: block hashes hold ${raw.length / 8} entries, expected ${want / 8} for ${d.size} bytes`,
    );
  }
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
}

export function sameHash(a: Uint8Array, b: Uint8Array, bOffset: number): boolean {
  for (let i = 0; i < 8; i++) if (a[i] !== b[bOffset + i]) return false;
  return true;
}

/** Incremental digest of a file's bytes as they are written or read, in any chunk sizes. */
export interface DigestBuilder {
  update(chunk: Uint8Array): void;
  finish(): FileDigest;
}

/** A new digest builder (its BLAKE3 state is its own: several files may be hashed at once). */
export async function digestBuilder(blockSize = BLOCK_SIZE): Promise<DigestBuilder> {
  await loadHashers();
  const b3 = await createBLAKE3();
  b3.init();
  const hashes: Uint8Array[] = [];
  const block = new Uint8Array(blockSize);
  let fill = 0;
  let size = 0;
  return {
    update(chunk) {
      b3.update(chunk);
      size += chunk.length;
      let off = 0;
      while (off < chunk.length) {
        if (fill === 0 && chunk.length - off >= blockSize) {
          hashes.push(blockHash(chunk.subarray(off, off + blockSize)));
          off += blockSize;
          continue;
        }
        const n = Math.min(blockSize - fill, chunk.length - off);
        block.set(chunk.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === blockSize) {
          hashes.push(blockHash(block));
          fill = 0;
        }
      }
    },
    finish() {
      if (fill > 0) hashes.push(blockHash(block.subarray(0, fill)));
      fill = 0;
      const all = new Uint8Array(hashes.length * 8);
      hashes.forEach((h, i) => all.set(h, i * 8));
      return {
        size,
        blake3: b3.digest("hex"),
        blockSize,
        blocks: Buffer.from(all.buffer, all.byteOffset, all.length).toString("base64"),
      };
    },
  };
}

/** Digest of bytes in memory. */
export async function digestBytes(bytes: Uint8Array): Promise<FileDigest> {
  const d = await digestBuilder();
  d.update(bytes);
  return d.finish();
}

/** Digest of a file on disk, streamed. */
export async function digestFile(path: string, signal?: AbortSignal): Promise<FileDigest> {
  const d = await digestBuilder();
  const f = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(1 << 20);
    while (true) {
      signal?.throwIfAborted();
      const n = await f.read(buf);
      if (n === null) break;
      d.update(buf.subarray(0, n));
    }
  } finally {
    f.close();
  }
  return d.finish();
}

/** BLAKE3 (hex) of bytes in memory (manifests). */
export async function blake3Hex(bytes: Uint8Array): Promise<string> {
  const b3 = await createBLAKE3();
  b3.init();
  b3.update(bytes);
  return b3.digest("hex");
}

/**
 * A transform that passes a file's bytes on only after verifying each block against the manifest, so no
 * row is decoded from a byte that was not checked (streamed reads: CSV parts). A short or long file, or a
 * block whose hash differs, errors naming the file and the byte range.
 */
export function verifyingStream(path: string, d: FileDigest): TransformStream<Uint8Array, Uint8Array> {
  let hashes: Uint8Array;
  const block = new Uint8Array(d.blockSize);
  let fill = 0;
  let index = 0;
  let seen = 0;
  const check = (bytes: Uint8Array, ctrl: TransformStreamDefaultController<Uint8Array>) => {
    const at = index * d.blockSize;
    if (index * 8 >= hashes.length || !sameHash(blockHash(bytes), hashes, index * 8)) {
      throw blockMismatch(path, at, at + bytes.length, index, hashes.length / 8);
    }
    index++;
    ctrl.enqueue(bytes.slice());
  };
  return new TransformStream<Uint8Array, Uint8Array>({
    async start() {
      await loadHashers();
      hashes = decodeBlocks(d);
    },
    transform(chunk, ctrl) {
      seen += chunk.length;
      if (seen > d.size) throw sizeMismatch(path, d.size, `more than ${d.size}`);
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(d.blockSize - fill, chunk.length - off);
        block.set(chunk.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill === d.blockSize) {
          check(block, ctrl);
          fill = 0;
        }
      }
    },
    flush(ctrl) {
      if (seen !== d.size) throw sizeMismatch(path, d.size, String(seen));
      if (fill > 0) check(block.subarray(0, fill), ctrl);
    },
  });
}

export function blockMismatch(path: string, start: number, end: number, index: number, blocks: number) {
  return new ChecksumError(
    path,
    `${path}: checksum mismatch at bytes ${start}..${end} (block ${index} of ${blocks}): the file is ` +
      `damaged; nothing of it was used. Run 'cryptorun cold verify' to list damaged files and ` +
      `'cryptorun cold verify --repair-from <copy>' to restore them`,
  );
}

export function sizeMismatch(path: string, expected: number, found: string) {
  return new ChecksumError(
    path,
    `${path}: size ${found} bytes differs from the manifest's ${expected} (truncated or replaced); ` +
      `run 'cryptorun cold verify'`,
  );
}
