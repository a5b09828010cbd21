/** PROGRESS.yaml tracks every spec item A1.1 … D4.3, and every test it cites exists. */
import assert from "node:assert/strict";
import { parse } from "yaml";

const root = new URL("../../", import.meta.url).pathname;
const SPEC_PATH = `${root}../shared/spec/000_0fb296c4836fa23f.txt`;
const spec = await Deno.readTextFile(SPEC_PATH).catch(() => undefined);

/** The spec's items (its "▢ X9.9" checkboxes), committed so a clean clone checks them without the spec. */
const SPEC_ITEMS = [
  ...["A1.1", "A1.2", "A1.3", "A1.4", "A2.1", "A2.2", "A2.3", "A2.4", "A3.1", "A3.2", "A3.3", "A3.4"],
  ...["B1.1", "B1.2", "B1.3", "B2.1", "B2.2", "B2.3", "B2.4", "B3.1", "B3.2", "B3.3"],
  ...["C1.1", "C1.2", "C1.3", "C1.4", "C2.1", "C2.2", "C2.3", "C2.4"],
  ...["D1.1", "D1.2", "D1.3", "D1.4", "D1.5", "D2.1", "D2.2", "D2.3", "D2.4", "D3.1", "D3.2", "D4.1", "D4.2"],
  "D4.3",
];

type Row = { status: string; updated: string | Date; tests: string[]; note?: string };

/** The spec's CONSTRAINTS that no single item carries, tracked as their own rows. */
const CONSTRAINTS = ["source_authority_cascades"];

Deno.test("PROGRESS.yaml: every spec item and tracked constraint, a known status, a date, only existing tests", async () => {
  const doc = parse(await Deno.readTextFile(`${root}PROGRESS.yaml`)) as {
    items: Record<string, Row>;
    constraints: Record<string, Row>;
  };
  assert.deepEqual(Object.keys(doc.items).sort(), [...SPEC_ITEMS].sort());
  assert.deepEqual(Object.keys(doc.constraints ?? {}).sort(), [...CONSTRAINTS].sort());
  for (const [id, item] of [...Object.entries(doc.items), ...Object.entries(doc.constraints)]) {
    assert.ok(["todo", "partial", "done"].includes(item.status), `${id}: status ${item.status}`);
    assert.ok(item.updated, `${id}: updated`);
    if (item.status === "done") assert.ok(item.tests.length > 0, `${id} is done but cites no test`);
    for (const t of item.tests) {
      await Deno.stat(`${root}${t}`).catch(() => assert.fail(`${id}: cited test ${t} does not exist`));
    }
  }
});

Deno.test({
  name:
    "the committed spec item list matches the spec (ignored where ../shared/spec is absent: a clean clone)",
  ignore: spec === undefined,
  fn() {
    const specIds = [...spec!.matchAll(/▢ ([A-D]\d\.\d)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(specIds)].sort(), [...SPEC_ITEMS].sort());
  },
});
