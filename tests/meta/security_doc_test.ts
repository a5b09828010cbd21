import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("SECURITY.md: linked from README, covers what spec B3.3 asks, every path it names exists", async () => {
  const doc = await Deno.readTextFile(`${root}SECURITY.md`);
  assert.match(await Deno.readTextFile(`${root}README.md`), /\]\(SECURITY\.md\)/);
  for (
    const h of [
      "## Reporting a vulnerability",
      "## Secret handling checklist",
      "## Permissions the binary holds, and why",
      "## Dependency audit cadence",
      "## Review gates",
      "## Incident response",
    ]
  ) assert.ok(doc.includes(`\n${h}\n`), h);
  const paths = [...doc.matchAll(/`((?:src|tests|deploy|security|scripts|docs)\/[\w./-]+)`/g)].map((m) =>
    m[1]
  );
  assert.ok(paths.length >= 10);
  for (const p of paths) {
    await Deno.stat(`${root}${p}`).catch(() => assert.fail(`SECURITY.md names ${p}, which does not exist`));
  }
});
