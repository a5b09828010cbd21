import { loadLz4, type Lz4Codec } from "./lz4_codec.ts";

/**
 * Streaming LZ4 *frame* format (what the `lz4` command writes and reads) on top of npm:lz4js's block codec.
 * lz4js only compresses whole buffers; these transforms keep memory bounded by one 4 MiB block.
 */

const MAGIC = 0x184d2204;
/**
 * We write 1 MiB blocks under the header's 4 MiB maximum: lz4js's block compressor produces 4 MiB blocks that
 * the reference `lz4` decoder rejects (measured), while 1 MiB blocks decode everywhere (tests check `lz4 -d`).
 */
const BLOCK = 1 << 20;
const MAX_BLOCK = 4 << 20;
const WINDOW = 64 << 10; // LZ4 back-reference window
const UNCOMPRESSED = 0x80000000;
const BLOCK_SIZES: Record<number, number> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };

/** The 7-byte frame header lz4js writes (version 01, blocks up to 4 MiB, header checksum). */
const header = (codec: Lz4Codec): Uint8Array => codec.compress(new Uint8Array(0)).slice(0, 7);

function u32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}
function putU32(b: Uint8Array, i: number, v: number): void {
  b[i] = v & 0xff;
  b[i + 1] = (v >>> 8) & 0xff;
  b[i + 2] = (v >>> 16) & 0xff;
  b[i + 3] = (v >>> 24) & 0xff;
}

/** A TransformStream that turns bytes into one LZ4 frame (blocks compressed independently). */
export function lz4FrameCompressor(): TransformStream<Uint8Array, Uint8Array> {
  let pending = new Uint8Array(BLOCK);
  let fill = 0;
  // lz4js is loaded by start() (lz4_codec.ts): no chunk reaches transform() before it resolves.
  let codec: Lz4Codec;
  let out: Uint8Array;
  const hash = new Uint32Array(1 << 16);
  const flush = (ctrl: TransformStreamDefaultController<Uint8Array>) => {
    if (fill === 0) return;
    hash.fill(0);
    const n = codec.compressBlock(pending, out, 0, fill, hash);
    if (n === 0 || n >= fill) {
      const b = new Uint8Array(4 + fill);
      putU32(b, 0, (UNCOMPRESSED | fill) >>> 0);
      b.set(pending.subarray(0, fill), 4);
      ctrl.enqueue(b);
    } else {
      const b = new Uint8Array(4 + n);
      putU32(b, 0, n);
      b.set(out.subarray(0, n), 4);
      ctrl.enqueue(b);
    }
    pending = new Uint8Array(BLOCK);
    fill = 0;
  };
  return new TransformStream({
    async start(ctrl) {
      codec = await loadLz4();
      out = new Uint8Array(codec.compressBound(BLOCK) + 4);
      ctrl.enqueue(header(codec));
    },
    transform(chunk, ctrl) {
      let off = 0;
      while (off < chunk.length) {
        const take = Math.min(chunk.length - off, BLOCK - fill);
        pending.set(chunk.subarray(off, off + take), fill);
        fill += take;
        off += take;
        if (fill === BLOCK) flush(ctrl);
      }
    },
    flush(ctrl) {
      flush(ctrl);
      ctrl.enqueue(new Uint8Array(4)); // end mark
    },
  });
}

/**
 * A TransformStream that decodes one or more concatenated LZ4 frames (linked or independent blocks; block
 * and content checksums are skipped). Throws on a bad magic number or a truncated frame.
 */
export function lz4FrameDecompressor(what = "lz4 stream"): TransformStream<Uint8Array, Uint8Array> {
  let buf: Uint8Array = new Uint8Array(0);
  let state: "header" | "block" = "header";
  let blockSum = false;
  let contentSum = false;
  let maxBlock = MAX_BLOCK;
  let dst = new Uint8Array(WINDOW + MAX_BLOCK);
  let dstFill = 0; // bytes of history at the start of dst
  let codec: Lz4Codec; // loaded by start()
  const need = (n: number) => buf.length >= n;
  const consume = (n: number) => {
    const head = buf.subarray(0, n);
    buf = buf.subarray(n);
    return head;
  };
  const step = (ctrl: TransformStreamDefaultController<Uint8Array>): boolean => {
    if (state === "header") {
      if (!need(7)) return false;
      const magic = u32(buf, 0);
      if (magic !== MAGIC) throw new Error(`${what}: not an LZ4 frame (magic 0x${magic.toString(16)})`);
      const flg = buf[4];
      if ((flg & 0xc0) !== 0x40) throw new Error(`${what}: unsupported LZ4 frame version`);
      blockSum = (flg & 0x10) !== 0;
      contentSum = (flg & 0x04) !== 0;
      const hasSize = (flg & 0x08) !== 0;
      const hasDict = (flg & 0x01) !== 0;
      const bs = BLOCK_SIZES[(buf[5] >> 4) & 7];
      if (!bs) throw new Error(`${what}: invalid LZ4 block size`);
      maxBlock = bs;
      const len = 7 + (hasSize ? 8 : 0) + (hasDict ? 4 : 0);
      if (!need(len)) return false;
      consume(len);
      if (dst.length < WINDOW + maxBlock) dst = new Uint8Array(WINDOW + maxBlock);
      dstFill = 0;
      state = "block";
      return true;
    }
    if (!need(4)) return false;
    const word = u32(buf, 0);
    if (word === 0) {
      const len = 4 + (contentSum ? 4 : 0);
      if (!need(len)) return false;
      consume(len);
      state = "header";
      return true;
    }
    const raw = (word & UNCOMPRESSED) !== 0;
    const size = word & 0x7fffffff;
    if (size > maxBlock) throw new Error(`${what}: corrupt LZ4 block size ${size}`);
    const total = 4 + size + (blockSum ? 4 : 0);
    if (!need(total)) return false;
    const block = consume(total).subarray(4, 4 + size);
    // Keep the last 64 KiB of output before the new block (linked blocks refer back into it).
    if (dstFill > WINDOW) {
      dst.copyWithin(0, dstFill - WINDOW, dstFill);
      dstFill = WINDOW;
    }
    let end: number;
    if (raw) {
      dst.set(block, dstFill);
      end = dstFill + size;
    } else {
      end = codec.decompressBlock(block, dst, 0, size, dstFill);
      if (end < dstFill || end > dst.length) throw new Error(`${what}: corrupt LZ4 block`);
    }
    ctrl.enqueue(dst.slice(dstFill, end));
    dstFill = end;
    return true;
  };
  return new TransformStream({
    async start() {
      codec = await loadLz4();
    },
    transform(chunk, ctrl) {
      if (buf.length === 0) buf = chunk;
      else {
        const merged = new Uint8Array(buf.length + chunk.length);
        merged.set(buf);
        merged.set(chunk, buf.length);
        buf = merged;
      }
      try {
        while (step(ctrl));
      } catch (err) {
        if (err instanceof RangeError) throw new Error(`${what}: corrupt LZ4 data`);
        throw err;
      }
    },
    flush() {
      if (state !== "header" || buf.length > 0) throw new Error(`${what}: truncated LZ4 frame`);
    },
  });
}
