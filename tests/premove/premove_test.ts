import assert from "node:assert/strict";
import { barsFromRows, HOUR } from "../../src/factors/bars.ts";
import { premoveArtifact } from "../../src/premove/artifact.ts";
import { gateA, gateB, gateC, type PremoveInputs, volumeP80, vwap24h } from "../../src/premove/gates.ts";
import { premoveVerdict } from "../../src/premove/score.ts";

const base: PremoveInputs = { spot: 101, vwap24h: 100, confirmVolume: 80, confirmP80: 80 };

Deno.test("gate A: funding z < −1.5 and spot > VWAP24h; no funding → null (unknown)", () => {
  assert.equal(gateA(base), null);
  assert.equal(gateA({ ...base, fundingZ: -1.5 }), false); // strict <
  assert.equal(gateA({ ...base, fundingZ: -1.5001 }), true);
  assert.equal(gateA({ ...base, fundingZ: -3, spot: 100 }), false); // spot must be above VWAP
});

Deno.test("gate B: 7d reserves ≤ −5% or whale 2-of-3; no on-chain data → null", () => {
  assert.equal(gateB(base), null);
  assert.equal(gateB({ ...base, reserves7d: -0.05 }), true);
  assert.equal(gateB({ ...base, reserves7d: -0.0499 }), false);
  assert.equal(gateB({ ...base, whale: [true, true, false] }), true);
  assert.equal(gateB({ ...base, whale: [true, false, false] }), false);
});

Deno.test("gate C: confirmation bar volume ≥ p80 (inclusive)", () => {
  assert.equal(gateC(base), true);
  assert.equal(gateC({ ...base, confirmVolume: 79.99 }), false);
  assert.equal(gateC({ ...base, confirmP80: NaN }), null);
});

Deno.test("premove score: 40/35/25 over the KNOWN gates; 2-of-3 to pass; C required in mixed", () => {
  const all = premoveVerdict(true, true, true, false);
  assert.equal(all.score, 100);
  assert.equal(all.passed, true);
  const ab = premoveVerdict(true, true, false, false);
  assert.equal(ab.score, 75);
  assert.equal(ab.passed, true);
  assert.equal(premoveVerdict(true, true, false, true).passed, false); // volume confirmation required
  const onlyC = premoveVerdict(null, null, true, false);
  assert.equal(onlyC.score, 100);
  assert.equal(onlyC.coverage, 0.25);
  assert.equal(onlyC.passed, false); // one known gate can never make 2 of 3
  assert.match(onlyC.reason, /A unknown, B unknown, C pass: 1 of 3 true/);
  assert.equal(premoveVerdict(null, null, null, false).score, null);
});

Deno.test("VWAP24h; p80 over the 168 bars before the confirmation bar (which is excluded)", () => {
  const T0 = Date.UTC(2022, 0, 1);
  const rows = Array.from({ length: 200 }, (_, i) => ({
    ts: T0 + i * HOUR,
    open: 10,
    high: 10,
    low: 10,
    close: 10,
    volume: i + 1,
  }));
  const b = barsFromRows(rows);
  assert.equal(vwap24h(b, 200), 10);
  // p80 of the 168 volumes of bars 31..198 (volumes 32..199): the 135th smallest.
  assert.equal(volumeP80(b, 200), 32 + 134);
  rows[199].volume = 1e12; // the confirmation bar itself is not part of its reference
  assert.equal(volumeP80(barsFromRows(rows), 200), 32 + 134);
});

Deno.test("artifact: ts, symbol, gates, score and the explaining factors", () => {
  const v = premoveVerdict(null, null, true, false);
  const a = premoveArtifact(
    Date.UTC(2022, 6, 1),
    { symbol: "ETH/USD", venue: "kraken", quote: "USD", score: 66.4, premove: v },
    "choppy",
    { x: 1 },
  );
  assert.equal(a.ts.toISOString(), "2022-07-01T00:00:00.000Z");
  assert.deepEqual([a.gate_a, a.gate_b, a.gate_c, a.score], [null, null, true, 100]);
  assert.equal(a.factors.venue, "kraken");
  assert.equal(a.factors.regime, "choppy");
  assert.equal(a.factors.x, 1);
});

Deno.test("kth (quickselect) equals the sorted order statistic, ties and all", async () => {
  const { kth } = await import("../../src/premove/gates.ts");
  let seed = 9;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (const n of [1, 2, 7, 168, 500]) {
    const a = Float64Array.from({ length: n }, () => Math.floor(rand() * 20));
    const sorted = Float64Array.from(a).sort();
    for (const k of [0, n >> 1, Math.ceil(0.8 * n) - 1, n - 1]) {
      assert.equal(kth(Float64Array.from(a), k), sorted[k], `n=${n} k=${k}`);
    }
  }
});
