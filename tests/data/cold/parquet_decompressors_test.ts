import assert from "node:assert/strict";
import { gzipSync, zstdCompressSync } from "node:zlib";
import {
  DATA_PAGE_DECOMPRESSORS,
  PAGE_DECOMPRESSORS,
  reusableDecompressor,
  reusesNativeDecompressors,
} from "../../../src/data/cold/parquet_decompressors.ts";
import { rng } from "../../factors/synthetic.ts";

/** Page-like bytes: doubles of a random walk (compressible like the cold tier's price columns). */
function page(bytes: number, seed: number): Uint8Array {
  const r = rng(seed);
  const v = new Float64Array(Math.ceil(bytes / 8));
  let p = 100;
  for (let i = 0; i < v.length; i++) v[i] = Math.round((p *= 1 + (r() - 0.5) / 500) * 100) / 100;
  return new Uint8Array(v.buffer, 0, bytes);
}

/** Both sets: fresh output buffers (dictionary pages) and one reused buffer (data pages). */
const SETS = [PAGE_DECOMPRESSORS, DATA_PAGE_DECOMPRESSORS];
const pages = (name: "ZSTD" | "GZIP", set = PAGE_DECOMPRESSORS) => set[name]!;

const CODECS = [
  { name: "ZSTD", compress: (b: Uint8Array) => new Uint8Array(zstdCompressSync(b)) },
  { name: "GZIP", compress: (b: Uint8Array) => new Uint8Array(gzipSync(b)) },
] as const;

Deno.test("zstd and gzip pages reuse one native decompressor on this runtime (no per-page stream objects)", () => {
  assert.equal(reusesNativeDecompressors(), true);
});

Deno.test("reused decompressors return every page exactly, across sizes and interleaved codecs", () => {
  const sizes = [1, 7, 64, 100, 4096, 65_536, 70_001, 1 << 20];
  for (let round = 0; round < 3; round++) {
    for (const [i, size] of sizes.entries()) {
      for (const c of CODECS) {
        for (const set of SETS) {
          const raw = page(size, 100 * round + i);
          const out = pages(c.name, set)(c.compress(raw), size);
          assert.equal(out.length, size, `${c.name} ${size}`);
          assert.deepEqual(out, raw, `${c.name} ${size} bytes, round ${round}`);
        }
      }
    }
  }
  // A fresh-buffer page stays intact while later pages are decompressed.
  const kept = page(3000, 9);
  const held = pages("ZSTD")(CODECS[0].compress(kept), kept.length);
  for (let i = 0; i < 5; i++) {
    pages("ZSTD", DATA_PAGE_DECOMPRESSORS)(CODECS[0].compress(page(3000, i)), 3000);
  }
  assert.deepEqual(held, kept);
});

Deno.test("a bad page is an error naming the codec, and the next good page still decodes", () => {
  const raw = page(5000, 3);
  for (const c of CODECS) {
    const good = c.compress(raw);
    const badCrc = good.slice();
    badCrc[badCrc.length - 6] ^= 1; // gzip: CRC32 in the trailer; zstd: the last block
    const bad: [string, Uint8Array, number][] = [
      ["truncated end", good.subarray(0, good.length - 5), raw.length],
      ["truncated body", good.subarray(0, good.length >> 1), raw.length],
      ["corrupt", badCrc, raw.length],
      ["garbage", new Uint8Array(100).fill(7), raw.length],
      ["declared size too small", good, raw.length - 1],
      ["declared size too large", good, raw.length + 1],
    ];
    for (const [what, input, size] of bad) {
      for (const set of SETS) {
        assert.throws(
          () => pages(c.name, set)(input, size),
          (err) => err instanceof Error && err.message.startsWith(`${c.name.toLowerCase()} page:`),
          `${c.name}: ${what}`,
        );
        assert.deepEqual(pages(c.name, set)(good, raw.length), raw, `${c.name} after ${what}`);
      }
    }
  }
});

Deno.test("without a native handle the decompressor falls back to the one-shot function", () => {
  let oneShots = 0;
  const d = reusableDecompressor("zstd", () => ({ _handle: null }), 2, (input, n) => {
    oneShots++;
    return input.subarray(0, n);
  });
  assert.equal(d.reusing(), false);
  assert.deepEqual(d.decompress(new Uint8Array([1, 2, 3]), 2, false), new Uint8Array([1, 2]));
  assert.equal(oneShots, 1);
});
