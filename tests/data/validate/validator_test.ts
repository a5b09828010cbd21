// The bar validator (src/data/validate/validator.ts): schema, staleness and trailing-window robust-z checks;
// PIT (only earlier bars score a bar); a one-bar spike flags that bar and not the next; the rolling window's
// median/MAD match a brute-force computation.
import assert from "node:assert/strict";
import { ValidateSection } from "../../../src/config/sections/validate.ts";
import type { Finding } from "../../../src/data/validate/findings.ts";
import { madOfSorted, medianOfSorted, RollingWindow } from "../../../src/data/validate/rolling.ts";
import { BarValidator } from "../../../src/data/validate/validator.ts";

const CFG = ValidateSection.parse({});
const H = 3_600_000;
const T0 = Date.parse("2025-06-01T00:00:00Z");
const NOW = T0 + 1000 * H;

/** A seeded random walk of hourly bars for one symbol (deterministic). */
function walk(
  n: number,
  seed = 7,
  start = 100,
): { ts: number; o: number; h: number; l: number; c: number; v: number }[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out = [];
  let p = start;
  for (let i = 0; i < n; i++) {
    const o = p;
    p = p * Math.exp((rnd() - 0.5) * 0.01);
    const h = Math.max(o, p) * (1 + rnd() * 0.002), l = Math.min(o, p) * (1 - rnd() * 0.002);
    out.push({ ts: T0 + i * H, o, h, l, c: p, v: 50 + rnd() * 50 });
  }
  return out;
}

function run(v: BarValidator, bars: ReturnType<typeof walk>, symbol = "BTC/USD"): Finding[] {
  const out: Finding[] = [];
  for (const b of bars) v.checkBar(b.ts, symbol, b.o, b.h, b.l, b.c, b.v, out);
  return out;
}

Deno.test("rolling window: median and MAD equal a brute-force sort at every step", () => {
  const w = new RollingWindow(7);
  const vals: number[] = [];
  let s = 3;
  for (let i = 0; i < 200; i++) {
    const x = Math.round(((s = (s * 69069 + 1) % 4294967296) / 4294967296) * 50) / 5;
    w.push(x);
    vals.push(x);
    const win = vals.slice(-7).sort((a, b) => a - b);
    const med = medianOfSorted(win);
    const mad = medianOfSorted(win.map((y) => Math.abs(y - med)).sort((a, b) => a - b));
    assert.equal(w.median(), med, `median at ${i}`);
    assert.ok(Math.abs(w.mad(med) - mad) < 1e-12, `mad at ${i}: ${w.mad(med)} vs ${mad}`);
  }
  assert.equal(madOfSorted([1, 2, 3, 4], 2.5), 1);
});

Deno.test("a clean random walk has no finding", () => {
  assert.deepEqual(run(new BarValidator(CFG, { now: () => NOW }), walk(500)), []);
});

Deno.test("a one-bar spike flags that bar (close, with its z-score), not the next", () => {
  const bars = walk(200);
  bars[120] = { ...bars[120], c: bars[120].c * 1.5, h: bars[120].c * 1.5 };
  const fs = run(new BarValidator(CFG, { now: () => NOW }), bars);
  assert.equal(fs.length, 1, JSON.stringify(fs));
  assert.equal(fs[0].ts, bars[120].ts);
  assert.equal(fs[0].check, "price_mad");
  assert.equal(fs[0].field, "close");
  assert.ok(fs[0].score! > 10, `score ${fs[0].score}`);
  // A downward spike too.
  const down = walk(200);
  down[150] = { ...down[150], c: down[150].c * 0.6, l: down[150].c * 0.6 };
  const fd = run(new BarValidator(CFG, { now: () => NOW }), down);
  assert.deepEqual(fd.map((f) => [f.ts, f.check]), [[down[150].ts, "price_mad"]]);
  assert.ok(fd[0].score! < -10);
});

Deno.test("PIT: a bar's score depends only on earlier bars (later bars never change it)", () => {
  const bars = walk(120);
  bars[100] = { ...bars[100], c: bars[100].c * 1.3, h: bars[100].c * 1.3 };
  const a = run(new BarValidator(CFG, { now: () => NOW }), bars.slice(0, 101));
  const tail = walk(50, 99, 1000).map((b, i) => ({ ...b, ts: bars[100].ts + (i + 1) * H }));
  const b = run(new BarValidator(CFG, { now: () => NOW }), [...bars.slice(0, 101), ...tail]);
  assert.deepEqual(b.filter((f) => f.ts <= bars[100].ts), a);
  assert.equal(a.length, 1);
});

Deno.test("no anomaly score before min_window earlier bars", () => {
  const bars = walk(25);
  bars[10] = { ...bars[10], c: bars[10].c * 3, h: bars[10].c * 3 };
  assert.deepEqual(run(new BarValidator(CFG, { now: () => NOW }), bars), []);
});

Deno.test("volume: an upward spike is flagged, a quiet bar is not", () => {
  const bars = walk(200);
  bars[100] = { ...bars[100], v: bars[100].v * 1e6 };
  bars[150] = { ...bars[150], v: bars[150].v / 1e6 };
  const fs = run(new BarValidator(CFG, { now: () => NOW }), bars);
  assert.deepEqual(fs.map((f) => [f.ts, f.check, f.field]), [[bars[100].ts, "volume_mad", "volume"]]);
  const off = run(new BarValidator({ ...CFG, volume: false }, { now: () => NOW }), bars);
  assert.deepEqual(off, []);
});

Deno.test("schema checks: non-finite, high below the body, low above it, negative volume", () => {
  const v = new BarValidator(CFG, { now: () => NOW });
  const out: Finding[] = [];
  v.checkBar(T0, "BTC/USD", 100, 99, 98, 100.5, 1, out); // high < max(open, close)
  v.checkBar(T0 + H, "BTC/USD", 100, 101, 100.2, 100.5, 1, out); // low > min(open, close)
  v.checkBar(T0 + 2 * H, "BTC/USD", 100, 101, 99, 100, -1, out);
  v.checkBar(T0 + 3 * H, "BTC/USD", NaN, 101, 99, Infinity, 1, out);
  assert.deepEqual(out.map((f) => [f.check, f.field, f.value]), [
    ["high_below_body", "high", 99],
    ["low_above_body", "low", 100.2],
    ["negative_volume", "volume", -1],
    ["non_finite", "open", null],
    ["non_finite", "close", null],
  ]);
});

Deno.test("staleness: future ts beyond max_skew_s, out-of-order ts, receive-time skew", () => {
  const v = new BarValidator({ ...CFG, max_skew_s: 60 }, { now: () => NOW });
  const out: Finding[] = [];
  v.checkBar(NOW + 30_000, "ETH/USD", 1, 1, 1, 1, 1, out); // within the allowed skew
  v.checkBar(NOW + 61_000, "BTC/USD", 1, 1, 1, 1, 1, out);
  v.checkBar(NOW - 2 * H, "ETH/USD", 1, 1, 1, 1, 1, out); // earlier than ETH's previous bar
  v.checkBar(NOW - H, "SOL/USD", 1, 1, 1, 1, 1, out, NOW - H + 120_000); // received 120 s after its ts
  assert.deepEqual(out.map((f) => [f.symbol, f.check]), [
    ["BTC/USD", "future_ts"],
    ["ETH/USD", "out_of_order"],
    ["SOL/USD", "skew"],
  ]);
  assert.equal(out[2].score, 120);
});

Deno.test("config: min_window above window is refused naming the field", () => {
  const r = ValidateSection.safeParse({ window: 10, min_window: 20 });
  assert.equal(r.success, false);
  assert.match(JSON.stringify(r.error!.issues), /min_window/);
  assert.equal(ValidateSection.safeParse({ on_write: "drop" }).success, false);
});
