// CRYPTORUN_FAILPOINT parsing (the crash tests' trigger; docs/TESTING.md) and a real kill at a named point.
import assert from "node:assert/strict";
import { parseFailpoints } from "../../src/util/failpoint.ts";

Deno.test("failpoints: name[:n][=kill|sleep:MS], comma-separated; a bad entry names itself", () => {
  const p = parseFailpoints("cold.staged:3, cold.locked=sleep:250,cold.after_switch=kill");
  assert.deepEqual([...p.keys()], ["cold.staged", "cold.locked", "cold.after_switch"]);
  assert.equal(p.get("cold.staged")!.at, 3);
  assert.deepEqual(p.get("cold.locked")!.action, { kind: "sleep", ms: 250 });
  assert.deepEqual(p.get("cold.after_switch")!.action, { kind: "kill" });
  for (const bad of ["cold.staged:0", "Cold", "x=explode", "x:y"]) {
    assert.throws(() => parseFailpoints(bad), new RegExp(`found "${bad.replace(".", "\\.")}"`));
  }
});

Deno.test("failpoints: the process SIGKILLs itself at the n-th hit, not before", async () => {
  const code = `import { failpoint } from "${new URL("../../src/util/failpoint.ts", import.meta.url)}";
    for (let i = 1; i <= 5; i++) { console.log("before " + i); await failpoint("t.point"); }
    console.log("survived");`;
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    env: { CRYPTORUN_FAILPOINT: "t.point:3" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(r.signal, "SIGKILL");
  assert.equal(new TextDecoder().decode(r.stdout).trim(), "before 1\nbefore 2\nbefore 3");
});
