import assert from "node:assert/strict";
import { MOMENTUM_WEIGHTS, momentumCore } from "../../src/factors/momentum.ts";
import { qualityRaw, technicalRaw, volumeRaw } from "../../src/factors/residuals.ts";

Deno.test("MomentumCore: regime horizon weights (each row sums to 1) applied to 1h/4h/12h/24h/7d", () => {
  for (const [reg, w] of Object.entries(MOMENTUM_WEIGHTS)) {
    assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) - 1) < 1e-12, reg);
  }
  const r: [number, number, number, number, number] = [1, 2, 3, 4, 5];
  assert.ok(Math.abs(momentumCore(r, "trending") - (0.15 + 0.6 + 1.05 + 0.6 + 0.25)) < 1e-12);
  assert.ok(Math.abs(momentumCore(r, "choppy") - (0.25 + 0.7 + 0.75 + 0.6)) < 1e-12);
  // A missing horizon drops out and the remaining weights are renormalised.
  assert.ok(Math.abs(momentumCore([1, 2, 3, 4, NaN], "trending") - (0.15 + 0.6 + 1.05 + 0.6) / 0.95) < 1e-12);
  assert.ok(Number.isNaN(momentumCore([NaN, NaN, NaN, NaN, NaN], "trending")));
});

Deno.test("MomentumCore: +0.10·|accel4h| only when sign-aligned with r4h", () => {
  const r: [number, number, number, number, number] = [0, 2, 0, 0, 0];
  const base = momentumCore(r, "choppy");
  assert.ok(Math.abs(momentumCore(r, "choppy", 3) - (base + 0.3)) < 1e-12);
  assert.equal(momentumCore(r, "choppy", -3), base); // opposite sign: no boost
  const down: [number, number, number, number, number] = [0, -2, 0, 0, 0];
  assert.ok(Math.abs(momentumCore(down, "choppy", -3) - (momentumCore(down, "choppy") - 0.3)) < 1e-12);
});

Deno.test("raw inputs of the later factors", () => {
  assert.ok(Math.abs(technicalRaw(70, 30, 0.6) - ((0.7 + 0.3 + 0.6) / 3 - 0.5)) < 1e-12);
  assert.ok(Math.abs(technicalRaw(NaN, 30, NaN) - (0.3 - 0.5)) < 1e-12);
  assert.equal(technicalRaw(NaN, NaN, NaN), 0);
  assert.ok(Math.abs(volumeRaw(200, 700) - Math.log(2)) < 1e-12); // twice the daily average
  assert.equal(volumeRaw(0, 700), 0);
  assert.equal(qualityRaw(168), 0);
  assert.ok(Math.abs(qualityRaw(84) - -0.5) < 1e-12);
  assert.ok(Math.abs(qualityRaw(168, { checksum_failed: 5, resyncs: 0 }) - -0.25) < 1e-12);
});
