/** PROGRESS.yaml tracks every spec item A1.1 … D4.3, and every test it cites exists. */
import assert from "node:assert/strict";
import { parse } from "yaml";

const root = new URL("../../", import.meta.url).pathname;
const spec = await Deno.readTextFile(`${root}../shared/spec/000_0fb296c4836fa23f.txt`).catch(() => undefined);

Deno.test("PROGRESS.yaml: every spec item, a known status, a date, and only existing test files", async () => {
  const doc = parse(await Deno.readTextFile(`${root}PROGRESS.yaml`)) as {
    items: Record<string, { status: string; updated: string | Date; tests: string[] }>;
  };
  const ids = Object.keys(doc.items);
  if (spec !== undefined) {
    // The spec's items are the "▢ X9.9" checkboxes.
    const specIds = [...spec.matchAll(/▢ ([A-D]\d\.\d)/g)].map((m) => m[1]);
    assert.ok(specIds.length >= 40, `found ${specIds.length} spec items`);
    assert.deepEqual([...ids].sort(), [...new Set(specIds)].sort());
  }
  for (const [id, item] of Object.entries(doc.items)) {
    assert.ok(["todo", "partial", "done"].includes(item.status), `${id}: status ${item.status}`);
    assert.ok(item.updated, `${id}: updated`);
    if (item.status === "done") assert.ok(item.tests.length > 0, `${id} is done but cites no test`);
    for (const t of item.tests) {
      await Deno.stat(`${root}${t}`).catch(() => assert.fail(`${id}: cited test ${t} does not exist`));
    }
  }
});
