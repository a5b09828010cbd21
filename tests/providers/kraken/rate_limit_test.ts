import assert from "node:assert/strict";
import { createCounter, TIER_LIMITS } from "../../../src/providers/kraken/rate_limit.ts";

Deno.test("tiers: starter 15 / 0.33 per s, intermediate 20 / 0.5, pro 20 / 1", () => {
  assert.deepEqual(TIER_LIMITS.starter, { max: 15, decayPerSec: 0.33 });
  assert.deepEqual(TIER_LIMITS.intermediate, { max: 20, decayPerSec: 0.5 });
  assert.deepEqual(TIER_LIMITS.pro, { max: 20, decayPerSec: 1 });
});

Deno.test("counter model: 15 calls go at once on starter; the 16th waits 1/0.33 s", () => {
  const c = createCounter(15, 0.33);
  for (let i = 0; i < 15; i++) assert.equal(c.reserve(0), 0, `call ${i + 1}`);
  assert.equal(c.remaining(0), 0);
  assert.ok(Math.abs(c.reserve(0) - 1000 / 0.33) < 1e-6);
  // The next one queues behind it: another 1/0.33 s.
  assert.ok(Math.abs(c.reserve(0) - 2000 / 0.33) < 1e-6);
});

Deno.test("counter model: decay restores budget over time; saturate after a refusal", () => {
  const c = createCounter(20, 1);
  for (let i = 0; i < 20; i++) c.reserve(0);
  assert.equal(c.remaining(0), 0);
  assert.equal(c.remaining(5000), 5);
  assert.equal(c.reserve(5000), 0);
  assert.equal(c.remaining(5000), 4);
  c.saturate(5000);
  assert.equal(c.remaining(5000), 0);
  assert.equal(c.reserve(5000), 1000);
  assert.equal(c.remaining(60_000), 20);
});
