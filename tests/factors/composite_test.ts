import assert from "node:assert/strict";
import { composite, FACTOR_ORDER, toPoints } from "../../src/factors/composite.ts";
import { SOCIAL_CAP, socialInput, socialPoints } from "../../src/factors/social.ts";
import { regimeWeights } from "../../src/regime/weights.ts";

const w = regimeWeights("trending");
const neutral = { momentum: 0, technical: 0, volume: 0, quality: 0, social: 0 };

Deno.test("social cap: a huge social signal moves the score by at most +10", () => {
  const base = composite(neutral, w);
  for (const social of [10.0001, 1e6, 1e300, Infinity]) {
    const s = composite({ ...neutral, social }, w);
    assert.ok(s.score - base.score <= SOCIAL_CAP, `social ${social}: +${s.score - base.score}`);
  }
  assert.equal(composite({ ...neutral, social: 1e6 }, w).score - base.score, 10);
  // Exactly at the cap, just below, and negative (never subtracts).
  assert.equal(composite({ ...neutral, social: 10 }, w).contributions.social, 10);
  assert.ok(Math.abs(composite({ ...neutral, social: 9.99 }, w).contributions.social - 9.99) < 1e-12);
  assert.equal(composite({ ...neutral, social: -50 }, w).score, base.score);
  assert.equal(socialPoints(NaN), 0);
});

Deno.test("social is applied AFTER momentum/volume and the 0..100 clamp, outside the weights", () => {
  // Every weighted factor saturated: internal → 100. If social were inside the weighted sum or before the
  // clamp, the final score could not exceed 100; applied after, it reaches 110.
  const maxed = { momentum: 1e9, technical: 1e9, volume: 1e9, quality: 1e9, social: 1e9 };
  const r = composite(maxed, w);
  assert.equal(r.internal, 100);
  assert.equal(r.score, 110);
  assert.deepEqual(r.steps.map((s) => s.factor), [
    "momentum",
    "technical",
    "volume",
    "quality",
    "clamp",
    "social",
  ]);
  assert.deepEqual(FACTOR_ORDER, ["momentum", "technical", "volume", "quality", "social"]);
  // The social step is the only one after the clamp, and it adds exactly its points.
  const i = r.steps.findIndex((s) => s.factor === "clamp");
  assert.equal(r.steps[i + 1].score - r.steps[i].score, 10);
  // Social's weight is not among the weights: changing it cannot move the internal score.
  assert.equal(composite({ ...maxed, social: 0 }, w).internal, 100);
});

Deno.test("attribution: contributions sum to the score; each is weight × points", () => {
  const v = { momentum: 3.2, technical: -0.05, volume: 0.4, quality: -0.02, social: 4 };
  const r = composite(v, w);
  const sum = FACTOR_ORDER.reduce((a, f) => a + r.contributions[f], 0);
  assert.ok(Math.abs(sum - r.score) < 1e-9);
  assert.ok(Math.abs(r.contributions.momentum - w.momentum * toPoints(3.2, 5)) < 1e-12);
  assert.equal(r.contributions.social, 4);
  // Weights sum to 1 ± 0.001 (docs/SCORING.md QA rule).
  for (const reg of ["trending", "choppy", "highvol", "mixed"] as const) {
    const ws = regimeWeights(reg);
    assert.ok(Math.abs(ws.momentum + ws.technical + ws.volume + ws.quality - 1) < 0.001, reg);
  }
});

Deno.test("social input: 30d z-score, winsorised, clipped ±3 → 0..10 points", () => {
  const flat = Array.from({ length: 30 }, (_, i) => 100 + (i % 2));
  assert.ok(socialInput([...flat, 1e9]) <= 10);
  assert.ok(socialInput([...flat, 1e9]) > 5);
  assert.ok(socialInput([...flat, -1e9]) >= 0);
  assert.ok(Number.isNaN(socialInput([1, 2, 3])));
});
