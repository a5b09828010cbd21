import assert from "node:assert/strict";
import { RegimeSection } from "../../src/config/sections/regime.ts";
import { HOUR } from "../../src/factors/bars.ts";
import { regimeBoundary } from "../../src/regime/cadence.ts";
import { detectRegime } from "../../src/regime/detect.ts";
import { regimeInputs } from "../../src/regime/inputs.ts";
import { CANONICAL_WEIGHTS, regimeWeights } from "../../src/regime/weights.ts";
import { regimeAt, type SymbolSeries } from "../../src/scan/engine.ts";
import { barsFromRows } from "../../src/factors/bars.ts";
import { walkRows } from "../factors/synthetic.ts";

const cfg = RegimeSection.parse({});

Deno.test("regime boundaries are 00/04/08/12/16/20 UTC", () => {
  const d = Date.UTC(2022, 5, 15);
  assert.equal(regimeBoundary(d + 5 * HOUR + 13 * 60_000), d + 4 * HOUR);
  assert.equal(regimeBoundary(d + 8 * HOUR), d + 8 * HOUR);
  assert.equal(regimeBoundary(d + 8 * HOUR - 1), d + 4 * HOUR);
  assert.equal(regimeBoundary(d + 23 * HOUR + 59 * 60_000), d + 20 * HOUR);
});

Deno.test("detector at, just below and just above each threshold (inclusive)", () => {
  const calm = { realized_vol_7d: 0.5, pct_above_20ma: 0.8, breadth_thrust: 0.8 };
  assert.equal(detectRegime(calm, cfg).regime, "trending");
  assert.equal(detectRegime({ ...calm, realized_vol_7d: 1.0 }, cfg).regime, "highvol");
  assert.equal(detectRegime({ ...calm, realized_vol_7d: 0.9999 }, cfg).regime, "trending");
  assert.equal(detectRegime({ ...calm, realized_vol_7d: 1.0001 }, cfg).regime, "highvol");
  assert.equal(detectRegime({ ...calm, pct_above_20ma: 0.6 }, cfg).regime, "trending");
  assert.equal(detectRegime({ ...calm, pct_above_20ma: 0.5999 }, cfg).regime, "mixed");
  assert.equal(detectRegime({ ...calm, breadth_thrust: 0.7 }, cfg).regime, "trending");
  assert.equal(detectRegime({ ...calm, breadth_thrust: 0.6999 }, cfg).regime, "mixed");
  assert.equal(detectRegime({ ...calm, pct_above_20ma: 0.1, breadth_thrust: 0.1 }, cfg).regime, "choppy");
  // Missing inputs vote choppy (the original's default regime).
  assert.equal(
    detectRegime({ realized_vol_7d: NaN, pct_above_20ma: NaN, breadth_thrust: NaN }, cfg).regime,
    "choppy",
  );
  const d = detectRegime({ ...calm, pct_above_20ma: 0.2 }, cfg);
  assert.match(d.reason, /above20ma 0\.20 → choppy; thrust 0\.80 → trending/);
});

Deno.test("weights: catalyst removed, the rest renormalised; supply-demand split 55/45", () => {
  const t = regimeWeights("trending");
  const c = CANONICAL_WEIGHTS.trending;
  const total = c.momentum + c.technical + c.supply_demand;
  assert.ok(Math.abs(t.momentum - c.momentum / total) < 1e-12);
  assert.ok(Math.abs(t.volume / t.quality - 55 / 45) < 1e-12);
  const m = regimeWeights("mixed");
  assert.ok(Math.abs(m.momentum - (t.momentum + regimeWeights("choppy").momentum) / 2) < 1e-12);
});

/** Five symbols, calm for 30 days; from 05:00 UTC on day 30 every symbol swings up to ±25% per hour. */
function universe(): { series: SymbolSeries[]; day: number } {
  const start = Date.UTC(2022, 0, 1);
  const day = start + 30 * 24 * HOUR;
  const syms = ["AAA/USD", "BBB/USD", "CCC/USD", "DDD/USD", "EEE/USD"];
  const series = syms.map((symbol, k) => {
    const calm = walkRows(symbol, start, 30 * 24 + 5, 100 + k, { sigma: 0.002 });
    const last = calm[calm.length - 1].close;
    const wild = walkRows(symbol, day + 5 * HOUR, 24, 200 + k, { sigma: 0.15, price: last });
    return { symbol, venue: "test", quote: "USD", bars: barsFromRows([...calm, ...wild]) };
  });
  return { series, day };
}

Deno.test("regime cadence: an input change at 05:13 UTC takes effect at 08:00, not before", () => {
  const { series, day } = universe();
  const before = regimeAt(series, day + 5 * HOUR, cfg).name;
  assert.notEqual(before, "highvol");
  // The 05:00 bar (which contains 05:13) is closed at 06:00; the inputs already show the change then…
  const inputsAt06 = regimeInputs(series.map((s) => s.bars), day + 6 * HOUR);
  const inputsAt04 = regimeInputs(series.map((s) => s.bars), day + 4 * HOUR);
  assert.ok(inputsAt06.realized_vol_7d > inputsAt04.realized_vol_7d);
  // …but the regime in force does not change until the next 4h boundary.
  for (const t of [day + 5 * HOUR + 13 * 60_000, day + 6 * HOUR, day + 7 * HOUR, day + 8 * HOUR - 1]) {
    const r = regimeAt(series, t, cfg);
    assert.equal(r.name, before, new Date(t).toISOString());
    assert.equal(r.boundary, day + 4 * HOUR);
  }
  const at8 = regimeAt(series, day + 8 * HOUR, cfg);
  assert.equal(at8.boundary, day + 8 * HOUR);
  assert.equal(at8.name, "highvol", JSON.stringify(at8.inputs));
});

Deno.test("regime inputs use only bars closed by the boundary and skip stale symbols", () => {
  const { series, day } = universe();
  const at = day + 4 * HOUR;
  const cut = series.map((s) => ({
    ...s,
    bars: barsFromRows(
      Array.from(s.bars.ts).map((ts, i) => ({
        ts,
        open: s.bars.open[i],
        high: s.bars.high[i],
        low: s.bars.low[i],
        close: s.bars.close[i],
        volume: s.bars.volume[i],
      })).filter((r) => r.ts + HOUR <= at),
    ),
  }));
  assert.deepEqual(regimeInputs(series.map((s) => s.bars), at), regimeInputs(cut.map((s) => s.bars), at));
  // 3 days later, with no new bars, every symbol is stale: no input has data.
  const stale = regimeInputs(cut.map((s) => s.bars), at + 72 * HOUR);
  assert.ok(Number.isNaN(stale.realized_vol_7d) && Number.isNaN(stale.breadth_thrust));
});
