// The scan with derivatives inputs (issue 16): funding z reaches the funding gate and premove gate A, a fresh
// ΔOI joins the volume factor (0.7·surge + 0.3·ΔOI), Gram–Schmidt order is unchanged and MomentumCore is
// bit-identical with and without derivatives; stale inputs are shown, never used.
import assert from "node:assert/strict";
import { GatesSection } from "../../src/config/sections/gates.ts";
import { RegimeSection } from "../../src/config/sections/regime.ts";
import { HOUR } from "../../src/factors/bars.ts";
import { FACTOR_ORDER } from "../../src/factors/composite.ts";
import type { DerivsFeatures } from "../../src/factors/derivs.ts";
import { runScan } from "../../src/scan/engine.ts";
import { FIXTURE_FILES, readBarsCsv } from "../../src/scan/fixtures.ts";
import { explainJson, explainText } from "../../src/scan/render.ts";
import { groupSeries } from "../../src/scan/universe.ts";

const gates = GatesSection.parse({});
const regime = RegimeSection.parse({});
const kraken = await readBarsCsv(FIXTURE_FILES.find((f) => f.venue === "kraken")!.url);
const T = Date.UTC(2022, 4, 20, 12);
const series = groupSeries(kraken.filter((r) => r.ts + HOUR <= T), "kraken");

function feat(over: Partial<DerivsFeatures> = {}): DerivsFeatures {
  return {
    venue: "krakenfutures",
    source: "test",
    ts: T - 10 * 60_000,
    age_ms: 10 * 60_000,
    funding_relative: -2e-5,
    funding_interval_h: 1,
    funding_per_hour: -2e-5,
    funding_annualized: -2e-5 * 8760,
    funding_z: -2.4,
    funding_periods: 40,
    open_interest: 1e6,
    open_interest_unit: "contracts",
    oi_change_1h: 0.05,
    basis: 4e-4,
    basis_annualized: null,
    basis_ts: T - 10 * 60_000,
    ...over,
  };
}

const base = runScan({ asOf: T, series, gates, regime });
const btc = (o: ReturnType<typeof runScan>) => o.results.find((r) => r.symbol === "BTC/USD")!;

Deno.test("derivs: MomentumCore bit-identical, order unchanged, ΔOI joins volume as 0.7·surge + 0.3·ΔOI", () => {
  const d = new Map([["BTC/USD", [feat()]]]);
  const withD = runScan({ asOf: T, series, gates, regime, derivs: d });
  for (const r of withD.results) {
    const b = base.results.find((x) => x.symbol === r.symbol)!;
    assert.ok(Object.is(r.factors.raw.momentum, b.factors.raw.momentum), r.symbol);
    assert.ok(Object.is(r.factors.orthogonal.momentum, b.factors.orthogonal.momentum), r.symbol);
    const order = r.steps.map((s) => s.factor).filter((f) => (FACTOR_ORDER as readonly string[]).includes(f));
    assert.deepEqual(order, [...FACTOR_ORDER]);
    assert.deepEqual(r.steps.map((s) => s.factor), b.steps.map((s) => s.factor));
  }
  assert.deepEqual([...FACTOR_ORDER], ["momentum", "technical", "volume", "quality", "social"]);
  const surge = btc(base).factors.raw.volume;
  assert.ok(Math.abs(btc(withD).factors.raw.volume - (0.7 * surge + 0.3 * 0.05)) < 1e-15);
  // Other symbols have no derivatives: their raw volume is exactly the surge.
  const eth = (o: ReturnType<typeof runScan>) => o.results.find((r) => r.symbol === "ETH/USD")!;
  assert.ok(Object.is(eth(withD).factors.raw.volume, eth(base).factors.raw.volume));
});

Deno.test("derivs: funding z reaches the funding gate and premove gate A; stale inputs are only shown", () => {
  const one = runScan({ asOf: T, series, gates, regime, derivs: new Map([["BTC/USD", [feat()]]]) });
  const g = btc(one).gates.find((x) => x.name === "funding")!;
  assert.equal(g.value, -2.4);
  assert.equal(g.status, "pass");
  assert.equal(g.required, false); // one venue: divergence not measurable
  assert.match(g.reason, /needs ≥2 derivatives venues/);
  const spotAboveVwap = btc(one).premove.gate_a !== null;
  assert.ok(spotAboveVwap, "gate A evaluated once a funding z exists");
  assert.equal(btc(base).premove.gate_a, null);
  // Two venues, deviation 1e-4 ≥ 5e-5: the gate is required and passes; |z| below 2 fails it.
  const two = (z: number) =>
    runScan({
      asOf: T,
      series,
      gates,
      regime,
      derivs: new Map([["BTC/USD", [
        feat({ funding_z: z }),
        feat({ venue: "okx", funding_per_hour: 8e-5, funding_z: null }),
      ]]]),
    });
  const g2 = btc(two(-2.4)).gates.find((x) => x.name === "funding")!;
  assert.deepEqual([g2.status, g2.required], ["pass", true]);
  assert.equal(btc(two(-1.9)).gates.find((x) => x.name === "funding")!.status, "fail");
  // Older than derivs max age: shown in --explain with used=false, changes no number.
  const stale = runScan({
    asOf: T,
    series,
    gates,
    regime,
    derivs: new Map([["BTC/USD", [feat({ age_ms: 3 * HOUR, ts: T - 3 * HOUR })]]]),
  });
  assert.equal(btc(stale).score, btc(base).score);
  assert.equal(btc(stale).gates.find((x) => x.name === "funding")!.status, "unknown");
  const ex = explainJson(stale, btc(stale));
  assert.equal(ex.derivs[0].used, false);
  assert.ok(explainText(stale, btc(stale)).some((l) => l.includes("shown, not used")));
});

Deno.test("derivs: explain shows funding relative, per hour and annualised, OI and basis with venue and time", () => {
  const o = runScan({ asOf: T, series, gates, regime, derivs: new Map([["BTC/USD", [feat()]]]) });
  const text = explainText(o, btc(o)).join("\n");
  assert.match(text, /derivs krakenfutures ← test, known 2022-05-20T11:50:00/);
  assert.match(text, /funding -2\.000e-5 per 1h interval = -2\.000e-5\/h = -17\.52% annualised; z -2\.4/);
  assert.match(text, /open interest 1000000 contracts, ΔOI 1h 0\.05; basis 0\.0400% \(mark vs index/);
});

Deno.test("derivs: non-finite inputs (a caller's NaN/∞) never reach a score or a gate", () => {
  const bad = feat({ funding_z: NaN, oi_change_1h: Infinity, funding_per_hour: NaN });
  const o = runScan({ asOf: T, series, gates, regime, derivs: new Map([["BTC/USD", [bad]]]) });
  for (const r of o.results) assert.ok(Number.isFinite(r.score), r.symbol);
  assert.ok(Object.is(btc(o).factors.raw.volume, btc(base).factors.raw.volume));
  assert.equal(btc(o).gates.find((g) => g.name === "funding")!.status, "unknown");
});
