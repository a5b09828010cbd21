import assert from "node:assert/strict";
import { closedCount, HOUR, lastIndexAtOrBefore } from "../../src/factors/bars.ts";
import {
  adx,
  atr,
  barsInWindow,
  hurst,
  notionalVolume,
  realizedVol,
  rsi,
  rsi4h,
} from "../../src/factors/indicators.ts";
import { accel4h, pctReturn } from "../../src/factors/returns.ts";
import { vadr } from "../../src/factors/vadr.ts";
import { volumeP80, vwap24h } from "../../src/premove/gates.ts";
import { barsFromRows } from "../../src/factors/bars.ts";
import { fromCloses, walk } from "./synthetic.ts";

const T0 = Date.UTC(2022, 0, 1);

Deno.test("closedCount: a 1h bar counts only once closed (ts + 1h ≤ as-of)", () => {
  const b = fromCloses(T0, [1, 2, 3]);
  assert.equal(closedCount(b.ts, T0), 0);
  assert.equal(closedCount(b.ts, T0 + HOUR - 1), 0);
  assert.equal(closedCount(b.ts, T0 + HOUR), 1); // closed exactly at as-of
  assert.equal(closedCount(b.ts, T0 + 2.5 * HOUR), 2);
  assert.equal(closedCount(b.ts, T0 + 99 * HOUR), 3);
  assert.equal(lastIndexAtOrBefore(b.ts, 3, T0 + HOUR), 1);
  assert.equal(lastIndexAtOrBefore(b.ts, 3, T0 - 1), -1);
});

Deno.test("pctReturn: by timestamp, so an outage gap does not stretch the horizon", () => {
  const b = fromCloses(T0, [100, 101, 102, 103, 104, 110]);
  assert.ok(Math.abs(pctReturn(b, 6, 1) - (110 / 104 - 1) * 100) < 1e-12);
  assert.ok(Math.abs(pctReturn(b, 6, 4) - (110 / 101 - 1) * 100) < 1e-12);
  assert.ok(Number.isNaN(pctReturn(b, 6, 24)));
  // Only `end` bars are visible: the return at end=5 ignores the 110 close.
  assert.ok(Math.abs(pctReturn(b, 5, 1) - (104 / 103 - 1) * 100) < 1e-12);
  // A bar missing at t−1h: the reference is the latest bar at or before t−1h.
  const gap = barsFromRows([0, 1, 3].map((h, i) => ({
    ts: T0 + h * HOUR,
    open: 100,
    high: 130,
    low: 90,
    close: [100, 110, 121][i],
    volume: 1,
  })));
  assert.ok(Math.abs(pctReturn(gap, 3, 1) - 10) < 1e-12); // 121 vs 110 (the 02:00 bar is missing)
  // A 1h return whose only reference is 3h old (> 2× the horizon) is not a 1h return.
  const far = barsFromRows([0, 3].map((h, i) => ({
    ts: T0 + h * HOUR,
    open: 1,
    high: 2,
    low: 0.5,
    close: [1, 2][i],
    volume: 1,
  })));
  assert.ok(Number.isNaN(pctReturn(far, 2, 1)));
});

Deno.test("accel4h: latest 4h return minus the previous 4h return", () => {
  const closes = [100, 100, 100, 100, 100, 101, 102, 103, 110];
  const b = fromCloses(T0, closes);
  const now = (110 / 100 - 1) * 100; // close[8] vs close[4]
  const prev = 0; // close[4] vs close[0]
  assert.ok(Math.abs(accel4h(b, 9) - (now - prev)) < 1e-12);
});

Deno.test("RSI: all gains → 100, all losses → 0, flat → 50; rsi4h samples 4h closes", () => {
  assert.equal(rsi([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]), 100);
  assert.equal(rsi([15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), 0);
  assert.equal(rsi(Array(20).fill(5)), 50);
  assert.ok(Number.isNaN(rsi([1, 2, 3])));
  const up = fromCloses(T0, Array.from({ length: 300 }, (_, i) => 100 + i));
  assert.equal(rsi4h(up, 300, T0 + 300 * HOUR), 100);
});

Deno.test("ATR: constant true range; ADX high in a steady trend, low in a flat market", () => {
  const flat = fromCloses(T0, Array(60).fill(100), 1, 1);
  assert.ok(Math.abs(atr(flat, 60) - 2) < 1e-12);
  assert.ok(Number.isNaN(atr(flat, 10)));
  const trend = fromCloses(T0, Array.from({ length: 120 }, (_, i) => 100 + 2 * i), 1, 0.5);
  assert.ok(adx(trend, 120) > 60, `trend ADX ${adx(trend, 120)}`);
  const chop = fromCloses(
    T0,
    Array.from({ length: 120 }, (_, i) => 100 + 3 * Math.sin((i * Math.PI) / 2)),
    1,
    0.5,
  );
  assert.ok(adx(chop, 120) < 20, `chop ADX ${adx(chop, 120)}`);
});

Deno.test("Hurst: > 0.5 for a persistent series, < 0.5 for a mean-reverting one", () => {
  const persistent = fromCloses(
    T0,
    Array.from({ length: 200 }, (_, i) => 100 * Math.exp(0.001 * i + 0.002 * Math.sin(i / 20))),
  );
  const reverting = fromCloses(T0, Array.from({ length: 200 }, (_, i) => 100 * (1 + (i % 2 ? 0.01 : -0.01))));
  assert.ok(hurst(persistent, 200) > 0.5, `${hurst(persistent, 200)}`);
  assert.ok(hurst(reverting, 200) < 0.5, `${hurst(reverting, 200)}`);
  assert.ok(Number.isNaN(hurst(reverting, 100)));
});

Deno.test("realized vol: annualised stdev of 1h log returns; notional = Σ close·volume over 24 bars", () => {
  const b = fromCloses(T0, Array.from({ length: 200 }, (_, i) => 100 * Math.exp(0.01 * (i % 2))), 2);
  // Alternating ±1% log returns: stdev ≈ 0.01 → × √8760.
  assert.ok(Math.abs(realizedVol(b, 200) - 0.01 * Math.sqrt(8760) * Math.sqrt(168 / 167) * 0.5 * 2) < 0.01);
  const v = fromCloses(T0, Array(30).fill(10), 3);
  assert.equal(notionalVolume(v, 30, 24), 24 * 10 * 3);
});

Deno.test("VADR: 24h volume-weighted range ÷ 96h; frozen below the minimum bars", () => {
  // 72 quiet bars with 1% range, then 24 bars with 4% range: short = 0.04, long = (72·0.01 + 24·0.04)/96.
  const rows = Array.from({ length: 96 }, (_, i) => {
    const r = i < 72 ? 0.01 : 0.04;
    return { ts: T0 + i * HOUR, open: 100, close: 100, low: 100, high: 100 * (1 + r), volume: 10 };
  });
  const b = barsFromRows(rows);
  const expected = 0.04 / ((72 * 0.01 + 24 * 0.04) / 96);
  const v = vadr(b, 96, 20);
  assert.ok(v.value !== null && Math.abs(v.value - expected) < 1e-12, `${v.value} vs ${expected}`);
  assert.equal(v.bars, 24);
  // Only 19 bars in the last 24h → frozen.
  const sparse = barsFromRows(rows.filter((_, i) => i < 72 || i >= 77));
  assert.deepEqual(vadr(sparse, sparse.ts.length, 20), { value: null, bars: 19 });
});

Deno.test("indicators never read past `end` (PIT): values at end are unchanged by later bars", () => {
  const b = walk(T0, 400, 3);
  const end = 300;
  const cut = walk(T0, 300, 3);
  for (
    const [name, f] of [
      ["atr", (x: typeof b) => atr(x, end)],
      ["adx", (x: typeof b) => adx(x, end)],
      ["hurst", (x: typeof b) => hurst(x, end)],
      ["vol", (x: typeof b) => realizedVol(x, end)],
      ["rsi4h", (x: typeof b) => rsi4h(x, end, T0 + end * HOUR)],
      ["vadr", (x: typeof b) => vadr(x, end).value ?? NaN],
      ["r24h", (x: typeof b) => pctReturn(x, end, 24)],
      ["r7d", (x: typeof b) => pctReturn(x, end, 168)],
      ["accel4h", (x: typeof b) => accel4h(x, end)],
      ["notional24h", (x: typeof b) => notionalVolume(x, end, 24)],
      ["bars7d", (x: typeof b) => barsInWindow(x, end, 168)],
      ["vwap24h", (x: typeof b) => vwap24h(x, end)],
      ["volumeP80", (x: typeof b) => volumeP80(x, end)],
    ] as const
  ) {
    assert.ok(Number.isFinite(f(cut)), `${name} is ${f(cut)}: the comparison would be vacuous`);
    assert.ok(Object.is(f(b), f(cut)), name);
  }
});

Deno.test("sampledCloses and the bounded search equal a naive scan, with random outage gaps", async () => {
  const { sampledCloses } = await import("../../src/factors/indicators.ts");
  let seed = 11;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const rows = [];
  for (let h = 0, i = 0; i < 1500; i++) {
    h += rand() < 0.05 ? 1 + Math.floor(rand() * 30) : 1; // ~5% of steps skip up to 30 hours
    rows.push({ ts: T0 + h * HOUR, open: 1, high: 2, low: 0.5, close: h, volume: 1 });
  }
  const b = barsFromRows(rows);
  const naive = (end: number, anchor: number, step: number, count: number) => {
    const out: number[] = [];
    for (let k = count - 1; k >= 0; k--) {
      let j = -1;
      for (let i = 0; i < end; i++) if (b.ts[i] + HOUR <= anchor - k * step) j = i;
      if (j >= 0) out.push(b.close[j]);
    }
    return out;
  };
  for (const end of [1, 50, 700, 1500]) {
    const anchor = b.ts[end - 1] + HOUR + Math.floor(rand() * 5) * HOUR;
    for (const [step, count] of [[4 * HOUR, 71], [24 * HOUR, 20], [HOUR, 30]]) {
      assert.deepEqual(
        sampledCloses(b, end, anchor, step, count),
        naive(end, anchor, step, count),
        `end ${end} step ${step}`,
      );
    }
    for (const h of [1, 4, 24, 168]) {
      const t = b.ts[end - 1] - h * HOUR;
      let j = -1;
      for (let i = 0; i < end; i++) if (b.ts[i] <= t) j = i;
      assert.equal(lastIndexAtOrBefore(b.ts, end, t, Math.max(0, end - 1 - h)), j);
      assert.equal(lastIndexAtOrBefore(b.ts, end, t, end - 1), j); // a wrong bound falls back to a full search
    }
  }
});
