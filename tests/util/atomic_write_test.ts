import assert from "node:assert/strict";
import { atomicWriteFile, atomicWriteStream } from "../../src/util/atomic_write.ts";
import { tempDir } from "../helpers/tmp.ts";

Deno.test("atomicWriteFile replaces the file whole and leaves no temp file", async () => {
  await using dir = await tempDir();
  const p = `${dir.path}/a/b/out.txt`;
  await atomicWriteFile(p, "one");
  await atomicWriteFile(p, "two");
  assert.equal(await Deno.readTextFile(p), "two");
  const names = [...Deno.readDirSync(`${dir.path}/a/b`)].map((e) => e.name);
  assert.deepEqual(names, ["out.txt"]);
});

Deno.test("atomicWriteStream: a failure midway leaves the old file untouched and no temp file", async () => {
  await using dir = await tempDir();
  const p = `${dir.path}/out.bin`;
  await atomicWriteFile(p, "old");
  await assert.rejects(
    atomicWriteStream(p, async (write) => {
      await write(new TextEncoder().encode("partial"));
      throw new Error("boom");
    }),
    /boom/,
  );
  assert.equal(await Deno.readTextFile(p), "old");
  assert.deepEqual([...Deno.readDirSync(dir.path)].map((e) => e.name), ["out.bin"]);
});
