import assert from "node:assert/strict";
import { insertStubs, pendingStubs, sectionOf, stubsFor } from "../../scripts/changelog.ts";
import { tempRepo } from "../helpers/git_repo.ts";

const CHANGELOG = `# Changelog

## [Unreleased]

### Added

- Something written by hand (issue #1).

### Fixed

- An old fix.

## [0.1.0] - 2026-01-01

### Added

- The first release.
`;

const commit = (sha: string, message: string, files: string[] = ["src/x.ts"], parents = ["p"]) => ({
  sha: sha.padEnd(40, "0"),
  message,
  parents,
  files,
});

Deno.test("changelog: the section follows the subject's first word and the scope", () => {
  assert.equal(sectionOf(["cold"], "add row-group pruning"), "Added");
  assert.equal(sectionOf(["cold"], "fix the window's upper bound"), "Fixed");
  assert.equal(sectionOf(["cold"], "drop the legacy reader"), "Removed");
  assert.equal(sectionOf(["cli"], "deprecate --iso"), "Deprecated");
  assert.equal(sectionOf(["secrets"], "rotate on SIGHUP"), "Security");
  assert.equal(sectionOf(["scan"], "prune earlier"), "Changed");
});

Deno.test("changelog: stubs skip merges, bad headers, skipped scopes, self-documented and listed commits", () => {
  const stubs = stubsFor(CHANGELOG, [
    commit("aaaaaaa", "cold: add pruning"),
    commit("bbbbbbb", "Merge topic: something", ["src/x.ts"], ["p", "q"]),
    commit("ccccccc", "no scope here"),
    commit("ddddddd", "ci: run parity"),
    commit("eeeeeee", "scan: add a factor", ["src/a.ts", "CHANGELOG.md"]),
    commit("fffffff", "cold: Something written by hand (issue #1)."),
    commit("1234567", "stream: fix the DLQ name"),
  ], { skip_scopes: ["ci"] });
  assert.deepEqual(stubs.map((s) => [s.section, s.line]), [
    ["Added", "- cold: add pruning (aaaaaaa)"],
    ["Fixed", "- stream: fix the DLQ name (1234567)"],
  ]);
});

Deno.test("changelog: stubs land at the end of their section under [Unreleased]; new sections in Keep a Changelog order", () => {
  const out = insertStubs(CHANGELOG, [
    { section: "Added", line: "- cold: add pruning (aaaaaaa)", sha: "a" },
    { section: "Changed", line: "- scan: prune earlier (bbbbbbb)", sha: "b" },
    { section: "Security", line: "- secrets: rotate (ccccccc)", sha: "c" },
  ]);
  assert.equal(
    out,
    `# Changelog

## [Unreleased]

### Added

- Something written by hand (issue #1).
- cold: add pruning (aaaaaaa)

### Changed

- scan: prune earlier (bbbbbbb)

### Fixed

- An old fix.

### Security

- secrets: rotate (ccccccc)

## [0.1.0] - 2026-01-01

### Added

- The first release.
`,
  );
  // Without an [Unreleased] heading, one is made above the first release.
  const fresh = insertStubs("# Changelog\n\n## [0.1.0]\n", [{
    section: "Fixed",
    line: "- x: fix y (1)",
    sha: "1",
  }]);
  assert.equal(fresh, "# Changelog\n\n## [Unreleased]\n\n### Fixed\n\n- x: fix y (1)\n\n## [0.1.0]\n");
});

Deno.test("changelog: end to end in a repository — since the base, then nothing twice", async () => {
  await using repo = await tempRepo();
  await repo.commit("docs: start", { "CHANGELOG.md": CHANGELOG });
  const before = await repo.commit("cold: add pruning before the base", { "a.txt": "1" });
  await repo.commit("build: base", {
    "scripts/changelog.json": JSON.stringify({ base: before, skip_scopes: ["ci"] }),
  });
  await repo.commit("scan: add a factor", { "b.txt": "2" });
  await repo.commit("ci: not for users", { "c.txt": "3" });
  const fix = await repo.commit("stream: fix the DLQ name", { "d.txt": "4" });
  const p = await pendingStubs(repo.path);
  assert.match(p.why, new RegExp(`base ${before} of scripts/changelog.json`));
  // "build: base" is listed too: a commit is a stub unless its scope is skipped.
  assert.deepEqual(p.stubs.map((s) => s.line), [
    `- build: base (${(await repo.git("rev-parse", "--short=7", "HEAD~3")).out.trim()})`,
    `- scan: add a factor (${(await repo.git("rev-parse", "--short=7", "HEAD~2")).out.trim()})`,
    `- stream: fix the DLQ name (${fix.slice(0, 7)})`,
  ]);
  await Deno.writeTextFile(`${repo.path}/CHANGELOG.md`, insertStubs(CHANGELOG, p.stubs));
  assert.deepEqual((await pendingStubs(repo.path)).stubs, []);
  // A release tag newer than the base moves the start.
  await repo.git("tag", "v0.2.0");
  await repo.commit("cold: add compaction", { "e.txt": "5" });
  const q = await pendingStubs(repo.path);
  assert.match(q.why, /the last release tag v0\.2\.0/);
  assert.deepEqual(q.stubs.map((s) => s.section), ["Added"]);
});

Deno.test("changelog: with no tag and no base, every commit from the root", async () => {
  await using repo = await tempRepo();
  await repo.commit("docs: start", { "CHANGELOG.md": CHANGELOG });
  await repo.commit("cold: add pruning", { "a.txt": "1" });
  const p = await pendingStubs(repo.path);
  assert.equal(p.why, "the root (no release tag, no base configured)");
  assert.equal(p.range, "HEAD");
  assert.equal(p.stubs.length, 1);
});
