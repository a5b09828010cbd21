import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { readStateFile } from "../../src/util/state_file.ts";
import { tempDir } from "../helpers/tmp.ts";

const State = z.strictObject({ version: z.literal(1), offset: z.number().int().nonnegative() });

Deno.test("readStateFile: missing, valid, not JSON, and schema failures naming the field and value", async () => {
  await using dir = await tempDir();
  const p = join(dir.path, "state.json");
  assert.deepEqual(await readStateFile(p, State), { status: "missing" });
  await Deno.writeTextFile(p, JSON.stringify({ version: 1, offset: 42 }));
  assert.deepEqual(await readStateFile(p, State), { status: "ok", value: { version: 1, offset: 42 } });
  await Deno.writeTextFile(p, `{"version":1,"off`);
  const cut = await readStateFile(p, State);
  assert.equal(cut.status, "invalid");
  assert.match(cut.status === "invalid" ? cut.reason : "", /^not JSON \(/);
  await Deno.writeTextFile(p, JSON.stringify({ version: 1, offset: -3 }));
  assert.deepEqual(await readStateFile(p, State), {
    status: "invalid",
    reason: "offset: Too small: expected number to be >=0, found -3",
  });
  await Deno.writeTextFile(p, "[]");
  const top = await readStateFile(p, State);
  assert.match(top.status === "invalid" ? top.reason : "", /^\(top level\): .*, found \[\]$/);
});

Deno.test("readStateFile: a directory in the way is an error, not 'missing'", async () => {
  await using dir = await tempDir();
  await assert.rejects(readStateFile(dir.path, State));
});
