/**
 * Expectancy against freqtrade's published test vector.
 * Source: github.com/freqtrade/freqtrade, tests/data/test_metrics.py, test_calculate_expectancy:
 * an empty trade list gives (0.0, 100); profit_abs [100, 200, 50, -150, 300, -100, 80, -30] gives
 * expectancy 56.25 and expectancy_ratio 0.60267857 (pytest.approx, relative 1e-6).
 */
import assert from "node:assert/strict";
const near = (a: number, b: number, eps: number) =>
  assert.ok(Math.abs(a - b) <= eps, `${a} is not within ${eps} of ${b}`);
import { expectancy, hitRate, profitFactor } from "../../../src/report/perf/trades.ts";

Deno.test("freqtrade test_calculate_expectancy", () => {
  assert.deepEqual(expectancy([]), { expectancy: 0, ratio: 100 });
  const e = expectancy([100, 200, 50, -150, 300, -100, 80, -30]);
  near(e.expectancy, 56.25, 56.25 * 1e-6);
  near(e.ratio, 0.60267857, 0.60267857 * 1e-6);
});

Deno.test("hit rate and profit factor by hand on the same trades", () => {
  const p = [100, 200, 50, -150, 300, -100, 80, -30];
  assert.deepEqual(hitRate(p), 5 / 8);
  assert.deepEqual(profitFactor(p), 730 / 280);
  assert.deepEqual(profitFactor([1, 2]), Infinity);
  assert.deepEqual(Number.isNaN(profitFactor([])), true);
  assert.deepEqual(Number.isNaN(hitRate([])), true);
  // A zero profit is a trade that did not hit, and no loss.
  assert.deepEqual(hitRate([0, 1]), 0.5);
});
