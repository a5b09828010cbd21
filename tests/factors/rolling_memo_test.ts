import assert from "node:assert/strict";
import { type Bars, barsFromRows, closedCount, HOUR } from "../../src/factors/bars.ts";
import { adx, atr, hurst, rsi4h } from "../../src/factors/indicators.ts";
import { composite } from "../../src/factors/composite.ts";
import { horizonReturns, pctReturn } from "../../src/factors/returns.ts";
import { qualityRaw, technicalRaw } from "../../src/factors/residuals.ts";
import { kthOfWindow, MEMO_RING } from "../../src/factors/rolling_memo.ts";
import { vadr, vadrStability } from "../../src/factors/vadr.ts";
import { p80 } from "../../src/gates/adv_tiers.ts";
import { volumeP80 } from "../../src/premove/gates.ts";
import * as ref from "./reference.ts";
import { rng, walkRows } from "./synthetic.ts";

const T0 = Date.UTC(2022, 0, 1);

/** A seeded walk of n hourly bars with outage gaps (a few percent of hours skipped, up to 30 h). */
function gappy(n: number, seed: number): Bars {
  const r = rng(seed);
  const rows = walkRows("G/USD", T0, n, seed, { sigma: 0.004 + 0.02 * r() });
  let shift = 0;
  return barsFromRows(rows.map((row) => {
    if (r() < 0.03) shift += Math.floor(1 + r() * 30) * HOUR;
    return { ...row, ts: row.ts + shift };
  }));
}

/** The VADR stability floor as the scan computed it before the memo: 24 fresh VADRs, then `p80`. */
function refStability(b: Bars, end: number, minBars: number): number | null {
  const history: (number | null)[] = [];
  for (let k = 1; k <= 24 && end - k >= 1; k++) history.push(ref.vadr(b, end - k, minBars).value);
  return history.length >= minBars ? p80(history) : null;
}

type Feature = [string, (b: Bars, end: number) => unknown, (b: Bars, end: number) => unknown];
const asOfAt = (b: Bars, end: number) => b.ts[end - 1] + HOUR + (end % 3) * HOUR;
const FEATURES: Feature[] = [
  ["adx", (b, e) => adx(b, e), (b, e) => ref.adx(b, e)],
  ["atr", (b, e) => atr(b, e), (b, e) => ref.atr(b, e)],
  ["hurst", (b, e) => hurst(b, e), (b, e) => ref.hurst(b, e)],
  ["hurst(64)", (b, e) => hurst(b, e, 64), (b, e) => ref.hurst(b, e, 64)],
  ["rsi4h", (b, e) => rsi4h(b, e, asOfAt(b, e)), (b, e) => ref.rsi4h(b, e, asOfAt(b, e))],
  ["volumeP80", (b, e) => volumeP80(b, e), (b, e) => ref.volumeP80(b, e)],
  ["vadr", (b, e) => vadr(b, e), (b, e) => ref.vadr(b, e)],
  ["vadr(12 bars)", (b, e) => vadr(b, e, 12), (b, e) => ref.vadr(b, e, 12)],
  ["vadrStability", (b, e) => vadrStability(b, e), (b, e) => refStability(b, e, 20)],
  ["vadrStability(12)", (b, e) => vadrStability(b, e, 12), (b, e) => refStability(b, e, 12)],
  ["horizons", (b, e) => horizonReturns(b, e), (b, e) => [1, 4, 12, 24, 168].map((h) => pctReturn(b, e, h))],
];

/** Every feature at `end` equals the pre-memo reference, bit for bit (deepStrictEqual compares with Object.is). */
function check(b: Bars, end: number, where: string): number {
  let finite = 0;
  for (const [name, f, g] of FEATURES) {
    const got = f(b, end);
    assert.deepStrictEqual(got, g(b, end), `${name} at end ${end} (${where})`);
    if (typeof got === "number" && Number.isFinite(got)) finite++;
  }
  return finite;
}

Deno.test("memoised indicators equal the from-scratch reference bit for bit, in any call order", () => {
  const series = [gappy(1200, 1), gappy(1200, 2), gappy(900, 3)];
  let finite = 0;
  for (const [s, b] of series.entries()) {
    const n = b.ts.length;
    // A rolling scan: every 4 bars forward, then every bar, then backwards, then random jumps.
    for (let end = 2; end <= n; end += 4) finite += check(b, end, `series ${s}, forward by 4`);
    for (let end = 300; end <= 420; end++) check(b, end, `series ${s}, forward by 1`);
    for (let end = n; end >= 2; end -= 7) check(b, end, `series ${s}, backwards`);
    const r = rng(40 + s);
    for (let i = 0; i < 300; i++) check(b, 2 + Math.floor(r() * (n - 1)), `series ${s}, random`);
  }
  assert.ok(finite > 4000, `${finite} finite values compared: the comparison is not vacuous`);
});

Deno.test("memoised indicators are point in time: a value at `end` never depends on bars at or after `end`", () => {
  // The memos are filled by calls that see the whole series (ends far ahead), then asked for earlier ends:
  // the answer must equal the one from a series cut at `end`, and from a series whose future differs.
  const full = gappy(1000, 9);
  const cut = 700;
  const slice = (b: Bars, to: number): Bars => ({
    ts: b.ts.slice(0, to),
    open: b.open.slice(0, to),
    high: b.high.slice(0, to),
    low: b.low.slice(0, to),
    close: b.close.slice(0, to),
    volume: b.volume.slice(0, to),
  });
  const otherFuture = slice(full, 1000);
  for (let i = cut; i < 1000; i++) {
    otherFuture.close[i] *= 3;
    otherFuture.high[i] *= 3;
    otherFuture.volume[i] *= 7;
  }
  for (const b of [full, otherFuture]) {
    for (let end = 1000; end > cut; end -= 3) FEATURES.forEach(([, f]) => f(b, end)); // warm the memos ahead
  }
  let finite = 0;
  for (let end = cut; end > cut - 40; end--) {
    const alone = slice(full, end); // fresh arrays: fresh memos, nothing past end exists
    for (const [name, f] of FEATURES) {
      const want = f(alone, end);
      assert.deepStrictEqual(f(full, end), want, `${name} at ${end}: full series`);
      assert.deepStrictEqual(f(otherFuture, end), want, `${name} at ${end}: different future`);
      if (typeof want === "number" && Number.isFinite(want)) finite++;
    }
  }
  assert.ok(finite > 200, `${finite} finite values compared`);
});

/** `count` random windows [start, start + len) of a series of `n` values, with a random k in each: mostly small
 * moves (a rolling scan), sometimes far jumps. */
function* windowMoves(r: () => number, n: number, count: number) {
  let start = 0;
  for (let i = 0; i < count; i++) {
    const len = 1 + Math.floor(r() * MEMO_RING);
    start = r() < 0.9 ? Math.max(0, Math.min(n - len, start + Math.floor(r() * 9) - 4)) : Math
      .floor(r() * (n - len));
    yield { start, len, k: Math.floor(r() * len) };
  }
}

Deno.test("kthOfWindow equals the sorted order statistic for every window move, ties included", () => {
  const r = rng(5);
  const values = Float64Array.from({ length: 2000 }, () => Math.floor(r() * 50)); // many ties
  for (const { start, len, k } of windowMoves(r, values.length, 3000)) {
    const sorted = Array.from(values.subarray(start, start + len)).sort((a, b) => a - b);
    assert.equal(kthOfWindow(values, start, start + len, k), sorted[k], `[${start}, ${start + len}) k=${k}`);
  }
  assert.throws(() => kthOfWindow(values, 0, MEMO_RING + 1, 0), RangeError);
});

Deno.test("kthOfWindow with missing values (NaN): the fresh sort's answer whatever windows were asked before", () => {
  // NaN sorts after every number (Float64Array#sort); the incremental moves must keep it there, or the answer
  // would depend on which windows a series was asked for before (a backtest explains rows only sometimes).
  const r = rng(9);
  const values = Float64Array.from({ length: 1500 }, () => r() < 0.15 ? NaN : Math.floor(r() * 40));
  const fresh = (start: number, len: number, k: number) =>
    new Float64Array(values.subarray(start, start + len)).sort()[k];
  for (const stride of [1, 4, 10, 40]) {
    const copy = values.slice(); // its own memo: a different call history per stride
    for (let start = 0; start + 168 <= copy.length; start += stride) {
      const k = Math.ceil(0.8 * 168) - 1;
      const got = kthOfWindow(copy, start, start + 168, k);
      assert.ok(Object.is(got, fresh(start, 168, k)), `stride ${stride} [${start}, +168): ${got}`);
    }
  }
  for (const { start, len, k } of windowMoves(r, values.length, 2000)) {
    assert.ok(
      Object.is(kthOfWindow(values, start, start + len, k), fresh(start, len, k)),
      `[${start}, +${len})`,
    );
  }
});

Deno.test("closedCount, technicalRaw and qualityRaw equal their reference versions", () => {
  const r = rng(8);
  for (const b of [gappy(500, 4), gappy(300, 6)]) {
    for (let i = 0; i < 2000; i++) {
      const asOf = b.ts[0] - 5 * HOUR + Math.floor(r() * (b.ts.at(-1)! - b.ts[0] + 10 * HOUR));
      assert.equal(closedCount(b.ts, asOf), ref.closedCount(b.ts, asOf), `asOf ${asOf}`);
    }
  }
  assert.equal(closedCount(new Float64Array(), 1e12), 0);
  // Bars closer than 1h apart break the estimate's bound: the search still answers.
  const dense = Float64Array.from({ length: 50 }, (_, i) => T0 + i * HOUR / 2);
  for (let t = T0 - HOUR; t < T0 + 30 * HOUR; t += HOUR / 4) {
    assert.equal(closedCount(dense, t), ref.closedCount(dense, t));
  }
  const xs = [NaN, 0, -0, 0.37, 55.5, -12.25, Infinity];
  for (const a of xs) {
    for (const b of xs) {
      for (const c of xs) {
        assert.ok(Object.is(technicalRaw(a, b, c), ref.technicalRaw(a, b, c)), `${a} ${b} ${c}`);
      }
    }
    const book = { checksum_failed: 2, resyncs: 1 };
    assert.ok(Object.is(qualityRaw(a), ref.qualityRaw(a)));
    assert.ok(Object.is(qualityRaw(a, book), ref.qualityRaw(a, book)));
    assert.ok(Object.is(qualityRaw(a, {}), ref.qualityRaw(a, {})));
  }
});

Deno.test("composite equals its reference version, clamps and NaN included", () => {
  const r = rng(12);
  const weights = { momentum: 0.4, technical: 0.25, volume: 0.2, quality: 0.15 };
  const pick = () => {
    const x = r();
    return x < 0.05 ? NaN : x < 0.1 ? -0 : x < 0.15 ? 1e6 : (r() - 0.5) * 20;
  };
  for (let i = 0; i < 20_000; i++) {
    const values = { momentum: pick(), technical: pick(), volume: pick(), quality: pick(), social: pick() };
    const w = i % 7 === 0 ? { momentum: 3, technical: 1, volume: -2, quality: 0 } : weights;
    assert.deepStrictEqual(composite(values, w), ref.composite(values, w), JSON.stringify(values));
  }
});
