import assert from "node:assert/strict";
import { GatesSection } from "../../src/config/sections/gates.ts";
import { barsFromRows, HOUR } from "../../src/factors/bars.ts";
import { adx, hurst } from "../../src/factors/indicators.ts";
import {
  allRequiredPassed,
  type BookSnapshot,
  depthGate,
  evaluateEntryGates,
  fatigueGate,
  freshnessGate,
  fundingGate,
  fundingZ,
  lateFillGate,
  moveGate,
  scoreGate,
  spreadGate,
  trendGate,
  vadrGate,
  volumeGate,
} from "../../src/gates/mod.ts";

const cfg = GatesSection.parse({});
const e = 1e-9;

Deno.test("score gate: ≥ 75 inclusive", () => {
  assert.equal(scoreGate(75, 75).pass, true);
  assert.equal(scoreGate(75 - e, 75).pass, false);
  assert.equal(scoreGate(75 + e, 75).pass, true);
  assert.equal(scoreGate(71.96, 75).reason, "score 72 < 75 minimum");
});

Deno.test("freshness: ≤ 2 bars old and |1h move| ≤ 1.2×ATR", () => {
  const ok = { barsOld: 0, lastMove: 1.2, atr: 1 };
  assert.equal(freshnessGate(ok, 2, 1.2).pass, true); // exactly 1.2×ATR
  assert.equal(freshnessGate({ ...ok, lastMove: 1.2 + 1e-6 }, 2, 1.2).pass, false);
  assert.equal(freshnessGate({ ...ok, lastMove: 1.2 - 1e-6 }, 2, 1.2).pass, true);
  assert.equal(freshnessGate({ ...ok, barsOld: 2 }, 2, 1.2).pass, true);
  const stale = freshnessGate({ ...ok, barsOld: 2.5 }, 2, 1.2);
  assert.equal(stale.pass, false);
  assert.equal(stale.reason, "last bar 2.5 bars old > 2");
  const noAtr = freshnessGate({ ...ok, atr: NaN }, 2, 1.2);
  assert.equal(noAtr.status, "unknown");
  assert.equal(noAtr.pass, false);
});

Deno.test("fatigue: r24h > 12% AND RSI4h > 70 blocks, unless accel ≥ 2pp", () => {
  const g = (r24h: number, rsi4h: number, accel4h: number) =>
    fatigueGate({ r24h, rsi4h, accel4h }, 12, 70, 2);
  assert.equal(g(12, 90, 0).pass, true); // at the r24h bound: not fatigued
  assert.equal(g(12 + e, 90, 0).pass, false);
  assert.equal(g(30, 70, 0).pass, true); // at the RSI bound
  assert.equal(g(30, 70 + e, 0).pass, false);
  assert.equal(g(30, 90, 2).pass, true); // accel exactly 2pp overrides
  assert.equal(g(30, 90, 2 - e).pass, false);
  assert.match(g(30, 90, 1).reason, /fatigued: 24h 30% > 12% and RSI4h 90 > 70, accel 1pp < 2pp/);
  assert.equal(g(NaN, 90, 0).status, "unknown");
});

Deno.test("late fill: ≤ 30 s after the signal bar's close; +30 s grace when order p99 > 400 ms", () => {
  assert.equal(lateFillGate({ delayS: 30 }, 30, 30, 400).pass, true);
  assert.equal(lateFillGate({ delayS: 30.001 }, 30, 30, 400).pass, false);
  assert.equal(lateFillGate({ delayS: 45, orderP99Ms: 400 }, 30, 30, 400).pass, false); // p99 not > 400
  const grace = lateFillGate({ delayS: 60, orderP99Ms: 401 }, 30, 30, 400);
  assert.equal(grace.pass, true);
  assert.match(grace.reason, /60s after bar close ≤ 60s \(incl\. 30s grace: order p99 401ms > 400ms\)/);
  assert.equal(lateFillGate({ delayS: 60.1, orderP99Ms: 401 }, 30, 30, 400).pass, false);
  assert.equal(lateFillGate({ delayS: 45, orderP99Ms: 900, graceUsed: true }, 30, 30, 400).pass, false);
});

const AS_OF = Date.UTC(2022, 5, 1, 12);
const book = (spread: number, bid: number, ask: number, ts = AS_OF - 1000): BookSnapshot => ({
  ts,
  venue: "kraken",
  symbol: "BTC/USD",
  spread_bps: spread,
  depth_usd_2pct: { bid, ask },
  verified: true,
});
const liq = { spread_bps_max: 50, depth_usd_min: 100_000 };

Deno.test("spread: ≤ cap bps from the venue's verified book; no book → unknown, never a pass", () => {
  assert.equal(spreadGate(book(50, 1e6, 1e6), AS_OF, 60_000, liq, "kraken", "BTC/USD").pass, true);
  const over = spreadGate(book(61.2, 1e6, 1e6), AS_OF, 60_000, liq, "kraken", "BTC/USD");
  assert.equal(over.pass, false);
  assert.equal(over.reason, "spread 61.2 bps > 50 bps cap");
  assert.equal(spreadGate(book(49.99, 1e6, 1e6), AS_OF, 60_000, liq, "kraken", "BTC/USD").pass, true);
  const none = spreadGate(undefined, AS_OF, 60_000, liq, "kraken", "XRP/USD");
  assert.equal(none.status, "unknown");
  assert.equal(none.pass, false);
  assert.equal(none.required, true);
  assert.match(none.reason, /no verified kraken book for XRP\/USD/);
  const old = spreadGate(book(10, 1e6, 1e6, AS_OF - 60_001), AS_OF, 60_000, liq, "kraken", "BTC/USD");
  assert.equal(old.status, "unknown");
  assert.match(old.reason, /60s old > 60s max age/);
  assert.equal(
    spreadGate(book(10, 1e6, 1e6, AS_OF - 60_000), AS_OF, 60_000, liq, "kraken", "BTC/USD").pass,
    true,
  );
  // A book from after the as-of time is never used (PIT).
  assert.equal(
    spreadGate(book(10, 1e6, 1e6, AS_OF + 1), AS_OF, 60_000, liq, "kraken", "BTC/USD").pass,
    false,
  );
});

Deno.test("depth: bids + asks within ±2% ≥ minimum", () => {
  assert.equal(depthGate(book(1, 50_000, 50_000), AS_OF, 60_000, liq, "kraken", "BTC/USD").pass, true);
  const low = depthGate(book(1, 50_000, 49_999), AS_OF, 60_000, liq, "kraken", "BTC/USD");
  assert.equal(low.pass, false);
  assert.equal(low.reason, "depth ±2% $99.999k < $100k minimum");
  assert.equal(depthGate(book(1, 50_000, 50_001), AS_OF, 60_000, liq, "kraken", "BTC/USD").pass, true);
  assert.equal(depthGate(undefined, AS_OF, 60_000, liq, "kraken", "BTC/USD").status, "unknown");
});

Deno.test("VADR ≥ regime minimum; frozen below the minimum bars", () => {
  assert.equal(vadrGate({ value: 1.75, bars: 24 }, 1.75, 20).pass, true);
  assert.equal(vadrGate({ value: 1.75 - e, bars: 24 }, 1.75, 20).pass, false);
  assert.equal(vadrGate({ value: 1.76, bars: 24 }, 1.75, 20).pass, true);
  const frozen = vadrGate({ value: null, bars: 19 }, 1.75, 20);
  assert.equal(frozen.status, "unknown");
  assert.equal(frozen.pass, false);
  assert.match(frozen.reason, /VADR frozen: 19 bars in the last 24h < 20/);
});

Deno.test("trend unknown: the reason states what ADX and Hurst each need, as the indicators compute them", () => {
  // A deterministic, never-flat hourly series.
  const bars = barsFromRows(Array.from({ length: 200 }, (_, i) => {
    const c = 100 + 10 * Math.sin(i / 3) + (i % 7);
    return { ts: i * HOUR, open: c, high: c + 1 + (i % 3), low: c - 1 - (i % 5), close: c, volume: 1 };
  }));
  // The fewest bars for which each indicator has a value.
  const firstFinite = (f: (end: number) => number) => {
    let end = 1;
    while (!Number.isFinite(f(end))) end++;
    return end;
  };
  const adxBars = firstFinite((end) => adx(bars, end));
  const hurstBars = firstFinite((end) => hurst(bars, end));
  assert.deepEqual([adxBars, hurstBars], [29, 129]);
  const g = trendGate(adx(bars, adxBars - 1), hurst(bars, adxBars - 1), 25, 0.55);
  assert.equal(g.status, "unknown");
  assert.equal(
    g.reason,
    `ADX and Hurst n/a: ADX(1h,14) needs ≥${adxBars} bars and Hurst ≥${hurstBars} bars of history`,
  );
  // With ADX's bars but not Hurst's, the gate is decided on ADX alone.
  assert.notEqual(trendGate(adx(bars, adxBars), hurst(bars, adxBars), 25, 0.55).status, "unknown");
});

Deno.test("volume ≥ $500k; trend ADX ≥ 25 or Hurst ≥ 0.55; 24h move ≥ regime minimum", () => {
  assert.equal(volumeGate(500_000, 500_000, "USD").pass, true);
  assert.equal(volumeGate(499_999.99, 500_000, "USD").pass, false);
  assert.equal(volumeGate(500_000.01, 500_000, "USD").pass, true);
  assert.equal(trendGate(25, 0.1, 25, 0.55).pass, true);
  assert.equal(trendGate(25 - e, 0.55 - e, 25, 0.55).pass, false);
  assert.equal(trendGate(10, 0.55, 25, 0.55).pass, true);
  assert.equal(trendGate(NaN, NaN, 25, 0.55).status, "unknown");
  assert.equal(moveGate(3, 3, "choppy").pass, true);
  assert.equal(moveGate(3 - e, 3, "choppy").pass, false);
  assert.equal(moveGate(-5, 3, "choppy").pass, false); // a fall is not a momentum entry
});

Deno.test("funding: shifted one period (PIT); missing on spot venues → unknown and not required", () => {
  const series = [...Array.from({ length: 30 }, (_, i) => 0.0001 * (i % 3)), -0.01];
  // The last (unsettled) value is ignored: z uses values up to t−1 only.
  const z = fundingZ(series, 30);
  const zWithout = fundingZ([...series.slice(0, 30), 999], 30);
  assert.equal(z, zWithout);
  assert.ok(Number.isNaN(fundingZ([1, 2], 30)));
  // A flat series has z 0, not ±1 out of floating-point rounding in the mean (0.00001 × 30 ≠ 0.0003).
  for (const v of [0.00001, 0.0001, 1.37e-8, -0.000125]) {
    assert.equal(fundingZ(Array(31).fill(v), 30), 0, `${v}`);
  }
  const missing = fundingGate(undefined);
  assert.equal(missing.status, "unknown");
  assert.equal(missing.pass, false);
  assert.equal(missing.required, false);
  assert.equal(fundingGate({ z: -2, maxVenueDev: 0.00005 }).pass, true);
  assert.equal(fundingGate({ z: -1.99, maxVenueDev: 0.001 }).pass, false);
  assert.equal(fundingGate({ z: 2.5, maxVenueDev: 0.00004 }).pass, false);
});

Deno.test("entry: every required gate must pass; unknown liquidity blocks; regime thresholds apply", () => {
  const inp = {
    symbol: "BTC/USD",
    venue: "kraken",
    quote: "USD",
    score: 80,
    barsOld: 0,
    lastMove: 1,
    atr: 10,
    r24h: 4,
    rsi4h: 60,
    accel4h: 0,
    delayS: 0,
    notional24h: 1e8,
    adx: 30,
    hurst: 0.6,
    vadr: { value: 2.2, bars: 24 },
    book: book(30, 1e6, 1e6),
  };
  const all = evaluateEntryGates(inp, cfg, "trending", AS_OF);
  assert.deepEqual(all.map((g) => g.name), [
    "score",
    "freshness",
    "fatigue",
    "late_fill",
    "spread",
    "depth",
    "vadr",
    "volume",
    "trend",
    "move_24h",
    "funding",
  ]);
  assert.equal(allRequiredPassed(all), true, JSON.stringify(all.filter((g) => !g.pass)));
  // No book → not passed, with the reason.
  const noBook = evaluateEntryGates({ ...inp, book: undefined }, cfg, "trending", AS_OF);
  assert.equal(allRequiredPassed(noBook), false);
  // The same spread passes in trending (cap 55) and fails in highvol (cap 35).
  const wide = { ...inp, book: book(45, 1e6, 1e6) };
  assert.equal(evaluateEntryGates(wide, cfg, "trending", AS_OF).find((g) => g.name === "spread")!.pass, true);
  assert.equal(evaluateEntryGates(wide, cfg, "highvol", AS_OF).find((g) => g.name === "spread")!.pass, false);
});
