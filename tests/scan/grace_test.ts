// The late-fill grace ledger (issue 16): the scan passes graceUsed to the guard from the ledger, reports a
// decision that needed the grace, and the pipeline records it; a second decision within 30 min gets none.
import assert from "node:assert/strict";
import { GatesSection } from "../../src/config/sections/gates.ts";
import { RegimeSection } from "../../src/config/sections/regime.ts";
import { HOUR } from "../../src/factors/bars.ts";
import { GRACE_WINDOW_MS, graceUsedWithin, runScan } from "../../src/scan/engine.ts";
import { FIXTURE_FILES, readBarsCsv } from "../../src/scan/fixtures.ts";
import { admit } from "../../src/scan/universe.ts";
import { groupSeries } from "../../src/scan/universe.ts";

const gates = GatesSection.parse({});
const regime = RegimeSection.parse({});
const kraken = await readBarsCsv(FIXTURE_FILES.find((f) => f.venue === "kraken")!.url);
const T = Date.UTC(2022, 4, 20, 12);
const series = groupSeries(kraken.filter((r) => r.ts + HOUR <= T), "kraken");

Deno.test("late-fill grace: granted at 45 s with p99 above 400 ms, once per asset per 30 min", () => {
  const decide = (ledger?: Map<string, number>) =>
    runScan({ asOf: T, series, gates, regime, decisionTs: T + 45_000, orderP99Ms: 500, graceUsedAt: ledger });
  const first = decide().results.find((r) => r.symbol === "BTC/USD")!;
  const lf = first.gates.find((g) => g.name === "late_fill")!;
  assert.deepEqual([lf.pass, lf.threshold, first.late_fill_grace_used], [true, 60, true]);
  const ledger = new Map([["kraken|BTC/USD", T + 45_000 - 10 * 60_000]]);
  const second = decide(ledger).results.find((r) => r.symbol === "BTC/USD")!;
  assert.equal(second.gates.find((g) => g.name === "late_fill")!.pass, false);
  assert.equal(second.late_fill_grace_used, false);
  // Another asset is not affected by BTC's grace.
  assert.equal(decide(ledger).results.find((r) => r.symbol === "ETH/USD")!.late_fill_grace_used, true);
  assert.equal(graceUsedWithin(T, T + GRACE_WINDOW_MS - 1), true);
  assert.equal(graceUsedWithin(T, T + GRACE_WINDOW_MS), false);
  assert.equal(graceUsedWithin(undefined, T), false);
});

Deno.test("universe: stablecoin pairs never enter the USD universe", () => {
  for (const s of ["USDT/USD", "USDC/USD", "DAI/USD", "PYUSD/USD", "USDC/USDT"]) {
    const a = admit(s, ["USD", "USDT"], []);
    assert.equal(a.admitted, false, s);
    assert.match(a.reason!, /stablecoin/);
  }
  assert.equal(admit("BTC/USD", ["USD"], []).admitted, true);
  assert.equal(admit("BTC/USDT", ["USDT"], []).admitted, true);
});
