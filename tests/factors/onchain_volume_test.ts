// On-chain (DEX) volume augment of the VolumeResidual input: shifted (ts < asOf), robust (≥ 7 points, median
// baseline, fresh), capped (±10 % of the input). Deterministic generated series (seeded LCG).
import assert from "node:assert/strict";
import { augmentVolume, type DexVolumePoint, onchainVolume } from "../../src/factors/onchain_volume.ts";

const DAY = 86_400_000;
const T = Date.UTC(2026, 11, 1);

function series(n: number, seed = 7): DexVolumePoint[] {
  let s = seed;
  const out: DexVolumePoint[] = [];
  for (let k = n; k >= 1; k--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out.push({ ts: T - k * DAY, volumeUsd: 1e6 * (1 + (s % 1000) / 1000) });
  }
  return out;
}

Deno.test("onchain volume: surge = ln(newest ÷ median of earlier days), only points before asOf", () => {
  const pts = series(8);
  const f = onchainVolume(pts, T, "uniswap_v3/subgraph")!;
  const earlier = pts.slice(0, -1).map((p) => p.volumeUsd).sort((a, b) => a - b);
  assert.equal(f.points, 8);
  assert.equal(f.ts, T - DAY);
  assert.equal(f.age_ms, DAY);
  assert.equal(f.dex_surge, Math.log(pts.at(-1)!.volumeUsd / earlier[3]));
  assert.equal(f.source, "uniswap_v3/subgraph");
  // PIT: a point stamped at asOf (or later) is not used — adding one changes nothing.
  const withFuture = [...pts, { ts: T, volumeUsd: 9e9 }, { ts: T + DAY, volumeUsd: 9e9 }];
  assert.deepEqual(onchainVolume(withFuture, T, "s"), { ...f, source: "s" });
});

Deno.test("onchain volume: not robust → null (too few points, stale newest, bad values)", () => {
  assert.equal(onchainVolume(series(6), T, "s"), null, "6 < 7 points");
  assert.notEqual(onchainVolume(series(7), T, "s"), null);
  assert.equal(onchainVolume(series(8).map((p) => ({ ...p, ts: p.ts - 3 * DAY })), T, "s"), null, "stale");
  const holes = series(8).map((p, i) => i % 2 ? { ...p, volumeUsd: i === 1 ? NaN : 0 } : p);
  assert.equal(onchainVolume(holes, T, "s"), null, "zeros and NaN are dropped, leaving 4 points");
  // Outside the 14-day window: not counted.
  assert.equal(onchainVolume(series(20).slice(0, 10), T, "s"), null);
});

Deno.test("onchain volume: one outlier day in the baseline moves nothing (median)", () => {
  const pts = series(9);
  const spiked = pts.map((p, i) => i === 2 ? { ...p, volumeUsd: p.volumeUsd * 1000 } : p);
  const a = onchainVolume(pts, T, "s")!;
  const b = onchainVolume(spiked, T, "s")!;
  assert.ok(Math.abs(a.dex_surge - b.dex_surge) < 0.2, `${a.dex_surge} vs ${b.dex_surge}`);
});

Deno.test("augmentVolume: moves toward the DEX surge by at most 10 % of |input|; no feature, no change", () => {
  const f = (dex: number) => ({ dex_surge: dex, points: 7, ts: T - DAY, age_ms: DAY, source: "s" });
  assert.equal(augmentVolume(0.5, null), 0.5);
  assert.equal(augmentVolume(0.5, f(5)), 0.55);
  assert.equal(augmentVolume(0.5, f(-5)), 0.45);
  assert.equal(augmentVolume(-0.4, f(-0.41)), -0.41);
  assert.equal(augmentVolume(0, f(3)), 0, "a zero input stays zero");
  assert.equal(augmentVolume(0.5, f(NaN)), 0.5);
  for (const v of [-2, -0.3, 0.01, 1.7]) {
    for (const d of [-10, -1, 0, 1, 10]) {
      assert.ok(Math.abs(augmentVolume(v, f(d)) - v) <= 0.1 * Math.abs(v) + 1e-15);
    }
  }
});
