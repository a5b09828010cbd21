import assert from "node:assert/strict";
import { checkLock, licenceAllowed, stripPeers } from "../../scripts/deps_check.ts";
import { TARGETS } from "../../scripts/gen.ts";
import { ROOT } from "../helpers/deploy_smoke.ts";

Deno.test("deno.lock pins npm packages only, at exact versions, each with a sha512 integrity hash", async () => {
  const { problems, packages } = checkLock(await Deno.readTextFile(`${ROOT}deno.lock`));
  assert.deepEqual(problems, []);
  assert.ok(packages.length > 50 && packages.includes("zod@4.6.7"));
  // And each rule can fail.
  const bad = JSON.stringify({
    version: "5",
    specifiers: { "npm:left-pad@^1.3.0": "1.3.0", "jsr:@std/path@1": "1.0.0", "npm:x@1.0.0": "2.0.0" },
    npm: {
      "left-pad@1.3.0": {},
      "x@2.0.0": { integrity: "sha512-a", tarball: "git+https://example.com/x.git" },
    },
    remote: { "https://example.com/mod.ts": "abc" },
  });
  const p = checkLock(bad).problems.join("\n");
  for (
    const want of [
      "npm:left-pad@^1.3.0: not an exact version",
      "jsr:@std/path@1: not an npm specifier",
      "npm:x@1.0.0: resolves to 2.0.0",
      "https://example.com/mod.ts: remote dependency",
      "left-pad@1.3.0: no sha512 integrity hash",
      "x@2.0.0: tarball from git+https://example.com/x.git",
    ]
  ) assert.ok(p.includes(want), `${want} not reported:\n${p}`);
});

Deno.test("licences: SPDX expressions against the allowed list; docs/LICENSES.md is current", async () => {
  assert.ok(licenceAllowed("MIT") && licenceAllowed("(MIT AND Zlib)") && licenceAllowed("GPL-3.0 OR MIT"));
  assert.ok(!licenceAllowed("GPL-3.0") && !licenceAllowed("MIT AND AGPL-3.0") && !licenceAllowed("SSPL-1.0"));
  assert.equal(
    stripPeers("@electric-sql/pglite-pg_ivm@0.0.15_@electric-sql+pglite@0.5.14"),
    "@electric-sql/pglite-pg_ivm@0.0.15",
  );
  const doc = await TARGETS["docs/LICENSES.md"]();
  assert.equal(
    await Deno.readTextFile(`${ROOT}docs/LICENSES.md`),
    doc,
    "docs/LICENSES.md is stale: deno task gen",
  );
  assert.match(doc, /^\| zod +\| 4\.6\.7 +\| MIT +\| yes +\|$/m);
  assert.doesNotMatch(doc, /\*\*none\*\*/);
});

Deno.test("deno task deps:check passes on this tree (advisories checked where the source is reachable)", async () => {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["task", "deps:check"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(r.stderr);
  assert.equal(r.code, 0, new TextDecoder().decode(r.stdout) + err);
  assert.match(err, /0 problem\(s\); advisories: (none at HIGH or above|source unreachable, not checked)/);
});
