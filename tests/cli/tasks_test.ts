import assert from "node:assert/strict";

const denoJson = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
const perms = (task: string) => task.split(/\s+/).filter((t) => /^--(allow|deny)-/.test(t)).sort();

Deno.test("the cryptorun task runs with exactly the compiled binary's permissions, never -A", async () => {
  const { COMPILE_PERMISSIONS } = await import("../../scripts/compile.ts");
  const task = perms(denoJson.tasks.cryptorun);
  assert.ok(task.length > 0);
  assert.ok(!/\s-A\b|--allow-all/.test(denoJson.tasks.cryptorun));
  assert.deepEqual(task, [...COMPILE_PERMISSIONS].sort());
  assert.deepEqual(perms(denoJson.tasks.demo), task);
});

Deno.test("every import in deno.json is pinned to an exact version", () => {
  for (const [name, spec] of Object.entries(denoJson.imports as Record<string, string>)) {
    assert.match(spec, /^npm:\/?(@[^/]+\/)?[^@/]+@\d+\.\d+\.\d+(-[\w.]+)?\/?$/, `${name}: ${spec}`);
  }
});

Deno.test("deno task compile builds the single binary (runtime from DENORT_BIN, no download)", async () => {
  // Deno's compile downloads its runtime (denort) unless DENORT_BIN names one; our machines cannot reach
  // Deno's servers, so the test hands it the deno binary itself. That proves the whole module graph, the
  // includes and the npm excludes compile (a stack overflow in `deno compile` once broke this), though a
  // binary built on the full deno runtime does not start the embedded program: that needs the real denort.
  const root = new URL("../../", import.meta.url).pathname;
  const out = await Deno.makeTempDir({ prefix: "cryptorun-compile-" });
  try {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["task", "compile", `--output=${out}/cryptorun`],
      cwd: root,
      env: { DENORT_BIN: Deno.execPath(), NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(r.stderr);
    assert.equal(r.code, 0, err.slice(-2000));
    assert.match(err, /--include migrations --include fixtures --include config --exclude-unused-npm/);
    const st = await Deno.stat(`${out}/cryptorun`);
    assert.ok(st.isFile && st.size > 10_000_000, `binary size ${st.size}`);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
