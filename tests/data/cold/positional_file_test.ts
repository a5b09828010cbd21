// The verified positional reader under every Parquet read: any byte range, read through whole 64 KiB blocks
// each checked against the manifest's hashes before a byte of it is returned.
import assert from "node:assert/strict";
import { BLOCK_SIZE, ChecksumError, digestBytes } from "../../../src/data/cold/checksum.ts";
import { openPositional } from "../../../src/data/cold/positional_file.ts";
import { tempDir } from "../../helpers/tmp.ts";

Deno.test("verified reads: any range equals the file's bytes; a damaged block fails only the ranges touching it", async () => {
  await using dir = await tempDir();
  const bytes = new Uint8Array(5 * BLOCK_SIZE + 1234);
  let s = 99;
  for (let i = 0; i < bytes.length; i++) bytes[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  const path = `${dir.path}/f.bin`;
  await Deno.writeFile(path, bytes);
  const digest = await digestBytes(bytes);
  let rnd = 7;
  const next = (n: number) => (rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0) % n;
  const f = await openPositional(path, digest);
  try {
    for (let k = 0; k < 300; k++) {
      const a = next(bytes.length);
      const b = Math.min(bytes.length, a + next(3 * BLOCK_SIZE));
      const got = await f.readAt(a, b);
      assert.deepEqual(got, bytes.subarray(a, b), `[${a}, ${b})`);
      assert.equal(got.byteOffset, 0);
      assert.equal(got.buffer.byteLength, b - a, "an exact ArrayBuffer (hyparquet slices .buffer)");
    }
    assert.deepEqual(new Uint8Array(await f.blob().slice(10, 20).arrayBuffer()), bytes.subarray(10, 20));
  } finally {
    await f.close();
  }
  // Damage block 2.
  const bad = bytes.slice();
  bad[2 * BLOCK_SIZE + 100] ^= 1;
  await Deno.writeFile(path, bad);
  const g = await openPositional(path, digest);
  try {
    assert.deepEqual(await g.readAt(0, 2 * BLOCK_SIZE), bytes.subarray(0, 2 * BLOCK_SIZE));
    assert.deepEqual(await g.readAt(3 * BLOCK_SIZE + 5, bytes.length), bytes.subarray(3 * BLOCK_SIZE + 5));
    await assert.rejects(g.readAt(2 * BLOCK_SIZE - 1, 2 * BLOCK_SIZE + 1), (e: Error) => {
      assert.ok(e instanceof ChecksumError);
      assert.equal(
        e.message.split(":").slice(0, 2).join(":"),
        `${path}: checksum mismatch at bytes ${2 * BLOCK_SIZE}..${3 * BLOCK_SIZE} (block 2 of 6)`,
      );
      return true;
    });
  } finally {
    await g.close();
  }
  // A file of another size than the manifest's is refused at open.
  await Deno.writeFile(path, bytes.subarray(0, 1000));
  await assert.rejects(openPositional(path, digest), /size 1000 bytes differs from the manifest's/);
});
