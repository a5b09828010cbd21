// The scan with an on-chain (DEX) volume input (issue 16): it moves only that symbol's volume input, by at most
// ±10 %; MomentumCore is bit-identical and the Gram–Schmidt order unchanged; --explain shows its source and
// age. The volume series is generated (deterministic); bars are the repository's Kraken fixture.
import assert from "node:assert/strict";
import { GatesSection } from "../../src/config/sections/gates.ts";
import { RegimeSection } from "../../src/config/sections/regime.ts";
import { HOUR } from "../../src/factors/bars.ts";
import { FACTOR_ORDER } from "../../src/factors/composite.ts";
import { onchainVolume } from "../../src/factors/onchain_volume.ts";
import { runScan } from "../../src/scan/engine.ts";
import { FIXTURE_FILES, readBarsCsv } from "../../src/scan/fixtures.ts";
import { explainJson, explainText } from "../../src/scan/render.ts";
import { groupSeries } from "../../src/scan/universe.ts";

const gates = GatesSection.parse({});
const regime = RegimeSection.parse({});
const kraken = await readBarsCsv(FIXTURE_FILES.find((f) => f.venue === "kraken")!.url);
const T = Date.UTC(2022, 4, 20, 12);
const DAY = 86_400_000;
const series = groupSeries(kraken.filter((r) => r.ts + HOUR <= T), "kraken");
const base = runScan({ asOf: T, series, gates, regime });
const day0 = Math.floor(T / DAY) * DAY;
// Eight complete days before T, the last one three times the others: a big DEX surge (capped).
const pts = Array.from(
  { length: 8 },
  (_, k) => ({ ts: day0 - (8 - k) * DAY, volumeUsd: k === 7 ? 3e7 : 1e7 }),
);

Deno.test("onchain volume in the scan: ±10 % of the volume input at most, momentum and order untouched, explained", () => {
  const f = onchainVolume(pts, T, "uniswap_v3/subgraph")!;
  assert.ok(f && Math.abs(f.dex_surge - Math.log(3)) < 1e-12);
  const out = runScan({ asOf: T, series, gates, regime, onchainVolume: new Map([["BTC/USD", f]]) });
  for (const r of out.results) {
    const b = base.results.find((x) => x.symbol === r.symbol)!;
    assert.ok(Object.is(r.factors.raw.momentum, b.factors.raw.momentum), r.symbol);
    assert.ok(Object.is(r.factors.orthogonal.momentum, b.factors.orthogonal.momentum), r.symbol);
    assert.deepEqual(r.steps.map((s) => s.factor), b.steps.map((s) => s.factor));
    if (r.symbol !== "BTC/USD") {
      assert.ok(Object.is(r.factors.raw.volume, b.factors.raw.volume), r.symbol);
      assert.equal(r.onchain_volume, undefined);
    }
  }
  assert.deepEqual([...FACTOR_ORDER], ["momentum", "technical", "volume", "quality", "social"]);
  const btc = out.results.find((r) => r.symbol === "BTC/USD")!;
  const v0 = base.results.find((r) => r.symbol === "BTC/USD")!.factors.raw.volume;
  assert.notEqual(v0, 0);
  const v1 = btc.factors.raw.volume;
  assert.ok(Math.abs(v1 - v0) <= 0.1 * Math.abs(v0) + 1e-15, `${v0} → ${v1}`);
  assert.ok(v1 !== v0, "a DEX surge far from the input moves it (to the cap)");
  assert.equal(btc.onchain_volume!.before, v0);
  assert.equal(btc.onchain_volume!.after, v1);
  const j = explainJson(out, btc);
  assert.equal(j.onchain_volume!.source, "uniswap_v3/subgraph");
  assert.equal(j.onchain_volume!.age_ms, T - (day0 - DAY));
  assert.match(
    explainText(out, btc).join("\n"),
    /onchain volume ← uniswap_v3\/subgraph, known .*8 daily points/,
  );
  const eth = out.results.find((r) => r.symbol === "ETH/USD")!;
  assert.equal(explainJson(out, eth).onchain_volume, null);
});
