import assert from "node:assert/strict";
import { cleanMessage, defaultRange, EXPECTED, lintMessage, parseLanded } from "../../scripts/commitlint.ts";
import { installHooks } from "../../scripts/hooks_install.ts";
import { tempRepo } from "../helpers/git_repo.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("commitlint: <scope>: <subject> passes; merges, reverts and fixups are ignored", async () => {
  for (
    const m of [
      "cold: prune row groups by ts stats",
      "data/cold: one scope with a slash",
      "cold, stream: two scopes",
      "ci: run docs:parity\n\nA body after a blank line.",
      "Merge w2/governance: load tests (#20)",
      "Merge branch 'x' into main",
      'Revert "cold: prune row groups by ts stats"\n\nThis reverts commit abc.',
      "fixup! cold: prune row groups",
    ]
  ) assert.deepEqual(await lintMessage(m), [], m);
});

Deno.test("commitlint: a message without '<scope>: ' fails, naming the expected form", async () => {
  for (const m of ["fix stuff", "Cold: capital scope", "cold:no space", "cold: ", ": no scope", "WIP"]) {
    assert.deepEqual(await lintMessage(m), ['the header is not "<scope>: <subject>"'], m);
  }
  assert.deepEqual(await lintMessage("cold: x\nno blank line"), [
    "a blank line must separate the header from the body",
  ]);
  assert.match(
    (await lintMessage(`cold: ${"x".repeat(200)}`))[0],
    /the header is 206 characters, at most 200/,
  );
  assert.equal(cleanMessage("cold: x\n# Please enter the commit message\n\n"), "cold: x");
});

Deno.test("commitlint: the default range starts at the newest of the last tag and the merge base with main", async () => {
  await using repo = await tempRepo();
  await repo.commit("bad header on main before any tag");
  assert.deepEqual(await defaultRange(repo.path), {
    range: "HEAD",
    base: "the root (no release tag, HEAD is main or has no merge base with it)",
  });
  await repo.git("tag", "v0.1.0");
  const tagged = await repo.commit("cold: after the tag");
  assert.equal((await defaultRange(repo.path)).range, "v0.1.0..HEAD");
  await repo.git("checkout", "-q", "-b", "topic");
  await repo.commit("cold: on a branch");
  const r = await defaultRange(repo.path);
  assert.equal(r.range, `${tagged}..HEAD`);
  assert.match(r.base, /merge base with main/);
});

async function task(cwd: string, args: string[]) {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}scripts/commitlint.ts`, ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, err: new TextDecoder().decode(r.stderr) };
}

Deno.test("commitlint: a range with a bad message exits 1 naming the commit and the expected form", async () => {
  await using repo = await tempRepo();
  await repo.commit("cold: fine");
  const bad = await repo.commit("did a thing");
  await repo.commit("Merge topic: merges are allowed");
  const r = await task(repo.path, []);
  assert.equal(r.code, 1, r.err);
  assert.match(r.err, new RegExp(`${bad.slice(0, 7)} "did a thing": the header is not "<scope>: <subject>"`));
  assert.ok(r.err.includes(`expected: ${EXPECTED}`), r.err);
  assert.match(r.err, /3 commit\(s\) in HEAD .*1 bad/);
  const ok = await task(repo.path, ["HEAD~1..HEAD"]);
  assert.equal(ok.code, 0, ok.err);
});

Deno.test("commitlint: a landed commit listed in scripts/commitlint_landed.txt is reported, not failed", async () => {
  await using repo = await tempRepo();
  const bad = await repo.commit("did a thing on main");
  await repo.commit("cold: fine");
  assert.equal((await task(repo.path, [])).code, 1);
  await Deno.mkdir(`${repo.path}/scripts`, { recursive: true });
  await Deno.writeTextFile(`${repo.path}/scripts/commitlint_landed.txt`, `# why\n${bad} landed\n`);
  const r = await task(repo.path, []);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /2 commit\(s\) in HEAD .*0 bad \(1 landed before the rule/);
  await Deno.writeTextFile(`${repo.path}/scripts/commitlint_landed.txt`, `${bad.slice(0, 7)}\n`);
  const short = await task(repo.path, []);
  assert.equal(short.code, 1);
  assert.match(short.err, /line 1: "[0-9a-f]{7}" is not a full 40-hex commit SHA/);
  assert.deepEqual(parseLanded("# c\n\n"), new Set());
});

Deno.test("hooks:install: the commit-msg hook refuses a bad message and lets a good one through", async () => {
  await using repo = await tempRepo();
  // The hook runs `deno task commitlint` in the repository: give it the task and the script.
  for (const f of ["deno.json", "deno.lock", "scripts/commitlint.ts", "scripts/lib/git.ts"]) {
    await Deno.mkdir(`${repo.path}/${f}`.replace(/\/[^/]+$/, ""), { recursive: true });
    await Deno.copyFile(`${ROOT}${f}`, `${repo.path}/${f}`);
  }
  const installed = await installHooks(repo.path);
  assert.deepEqual(installed, [`${repo.path}/.git/hooks/commit-msg`]);
  const bad = await repo.git("commit", "--allow-empty", "-m", "fixed it");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /"fixed it": the header is not "<scope>: <subject>"/);
  assert.ok(bad.err.includes(EXPECTED), bad.err);
  const good = await repo.git("commit", "--allow-empty", "-m", "cold: fixed it");
  assert.equal(good.code, 0, good.err);
  // A hook someone else wrote is not overwritten without --force.
  await Deno.writeTextFile(`${repo.path}/.git/hooks/commit-msg`, "#!/bin/sh\nexit 0\n");
  await assert.rejects(installHooks(repo.path), /a hook that hooks:install did not write is there/);
  assert.equal((await installHooks(repo.path, { force: true, changelog: true })).length, 2);
});
