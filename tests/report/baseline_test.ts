import assert from "node:assert/strict";
import { backtestFigures } from "../../scripts/backtest_figures.ts";
import { Baseline } from "../../scripts/lib/baseline.ts";

/**
 * The hit-rate regression (spec D3.2, signal part): the backtest over the shipped fixtures must reproduce the
 * figures of artifacts/baselines/backtest.json within their tolerance, in EITHER direction — a change that moves
 * the scanner's picks must update the baseline in the same commit (deno task baseline:update backtest).
 */
Deno.test("backtest baseline: hit rate, Sharpe and trades over the shipped fixtures match artifacts/baselines/backtest.json", async () => {
  const base = Baseline.parse(
    JSON.parse(await Deno.readTextFile(new URL("../../artifacts/baselines/backtest.json", import.meta.url))),
  );
  const got = await backtestFigures();
  for (const [name, spec] of Object.entries(base.figures)) {
    const v = got[name]?.value;
    assert.ok(v !== undefined && Number.isFinite(v), `${name}: not measured`);
    const tol = Math.max(spec.tolerance_abs ?? 0, (spec.tolerance_rel ?? 0) * Math.abs(spec.value));
    assert.ok(
      Math.abs(v - spec.value) <= tol,
      `${name}: ${v} vs baseline ${spec.value} (tolerance ±${tol}); if the change is intended run ` +
        `deno task baseline:update backtest and commit the baseline with it`,
    );
  }
});
