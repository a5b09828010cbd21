import assert from "node:assert/strict";

const denoJson = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
const perms = (task: string) => task.split(/\s+/).filter((t) => /^--(allow|deny)-/.test(t)).sort();

Deno.test("the cryptorun task grants the compiled binary's permission kinds (unscoped), never -A", async () => {
  // The binary scopes each kind to its deployment (tests/deploy/binary_test.ts); the task runs from a
  // checkout with any --data-dir, so it grants the same kinds unscoped.
  const { PERMISSION_KINDS } = await import("../../scripts/compile.ts");
  const task = perms(denoJson.tasks.cryptorun);
  assert.ok(task.length > 0);
  assert.ok(!/\s-A\b|--allow-all/.test(denoJson.tasks.cryptorun));
  assert.deepEqual(task, PERMISSION_KINDS.map((k) => `--allow-${k}`));
  assert.deepEqual(perms(denoJson.tasks.demo), task);
});

Deno.test("every import in deno.json is pinned to an exact version", () => {
  for (const [name, spec] of Object.entries(denoJson.imports as Record<string, string>)) {
    assert.match(spec, /^npm:\/?(@[^/]+\/)?[^@/]+@\d+\.\d+\.\d+(-[\w.]+)?\/?$/, `${name}: ${spec}`);
  }
});
