import assert from "node:assert/strict";
import { addTs, barInterval, missingBars, newGapTally } from "../../../src/data/cold/gaps.ts";

Deno.test("gaps: missing bars counted from the dominant interval", () => {
  const t = newGapTally();
  const H = 3_600_000;
  // 0..9h hourly, missing 3h,4h (2 bars) and 7h (1 bar).
  for (const h of [0, 1, 2, 5, 6, 8, 9]) addTs(t, h * H);
  assert.equal(barInterval(t), H);
  assert.equal(missingBars(t), 3);
  assert.equal(t.rows, 7);
  assert.equal(t.minTs, 0);
  assert.equal(t.maxTs, 9 * H);
});

Deno.test("gaps: one bar or a regular series has none", () => {
  const one = newGapTally();
  addTs(one, 5);
  assert.equal(barInterval(one), null);
  assert.equal(missingBars(one), 0);
  const reg = newGapTally();
  for (let i = 0; i < 100; i++) addTs(reg, i * 60_000);
  assert.equal(missingBars(reg), 0);
  assert.equal(barInterval(reg), 60_000);
});
