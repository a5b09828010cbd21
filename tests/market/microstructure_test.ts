import assert from "node:assert/strict";
import {
  barsClosedBy,
  CrossedBookError,
  depthUsdWithin,
  mid,
  spreadBps,
  tradeDriftBps,
  vadr,
  venueHealth,
  volumeWeightedRange,
} from "../../src/market/microstructure.ts";

// Hand-computed book: bid 99 / ask 101 → mid 100, spread 2/100 = 200 bps.
const BOOK = {
  bids: [[99, 1], [98.5, 2], [98, 3], [97.9, 100]] as [number, number][],
  asks: [[101, 1], [101.5, 2], [102, 1], [102.1, 100]] as [number, number][],
};

Deno.test("mid and spread in bps on a hand-computed book", () => {
  assert.equal(mid(BOOK), 100);
  assert.equal(spreadBps(BOOK), 200);
  assert.equal(spreadBps({ bids: [[49_999, 1]], asks: [[50_001, 1]] }), 0.4);
});

Deno.test("±2% depth: Σ price·qty within [mid·0.98, mid·1.02] per side, boundaries inclusive", () => {
  // bids ≥ 98: 99·1 + 98.5·2 + 98·3 = 99 + 197 + 294 = 590 (97.9 is outside)
  // asks ≤ 102: 101·1 + 101.5·2 + 102·1 = 101 + 203 + 102 = 406 (102.1 is outside)
  assert.deepEqual(depthUsdWithin(BOOK, 0.02), { bid: 590, ask: 406 });
  // ±1%: bids ≥ 99 → 99; asks ≤ 101 → 101
  assert.deepEqual(depthUsdWithin(BOOK, 0.01), { bid: 99, ask: 101 });
  assert.throws(() => depthUsdWithin(BOOK, 2), /pct/);
});

Deno.test("a crossed or one-sided book is an error, never a number", () => {
  assert.throws(() => mid({ bids: [[101, 1]], asks: [[100, 1]] }), CrossedBookError);
  assert.throws(() => spreadBps({ bids: [], asks: [[100, 1]] }), /empty/);
});

const bar = (i: number, range: number, volume: number) => ({
  ts: i * 60_000,
  high: 100 + range / 2,
  low: 100 - range / 2,
  close: 100,
  volume,
});

Deno.test("VADR: recent volume-weighted range over the 4× baseline, hand-computed", () => {
  // 60 quiet bars (range 1 on low 99.5, volume 10), then 20 bars with range 3 (low 98.5), volume 10.
  const bars = [
    ...Array.from({ length: 60 }, (_, i) => bar(i, 1, 10)),
    ...Array.from({ length: 20 }, (_, i) => bar(60 + i, 3, 10)),
  ];
  const recent = 3 / 98.5;
  const baseline = (60 * (1 / 99.5) + 20 * (3 / 98.5)) / 80;
  assert.ok(Math.abs(vadr(bars)! - recent / baseline) < 1e-12);
  assert.ok(vadr(bars)! > 1.75);
  assert.ok(Math.abs(volumeWeightedRange([bar(0, 1, 1), bar(1, 3, 3)]) - (1 / 99.5 + 9 / 98.5) / 4) < 1e-12);
  // Flat activity → 1.
  assert.ok(Math.abs(vadr(Array.from({ length: 80 }, (_, i) => bar(i, 2, 5)))! - 1) < 1e-12);
});

Deno.test("VADR is frozen (null) with fewer than 20 bars, and null when the baseline has no range", () => {
  assert.equal(vadr(Array.from({ length: 19 }, (_, i) => bar(i, 1, 1))), null);
  assert.equal(vadr(Array.from({ length: 20 }, (_, i) => bar(i, 0, 1))), null);
  assert.notEqual(vadr(Array.from({ length: 20 }, (_, i) => bar(i, 1, 1))), null);
});

Deno.test("PIT: a VADR at t uses only bars closed by t (ts + interval ≤ t)", () => {
  const bars = Array.from({ length: 30 }, (_, i) => bar(i, 1 + (i === 29 ? 50 : 0), 10));
  const t = 29 * 60_000; // the 29th bar opens at t: it is not closed yet and must not be used
  const closed = barsClosedBy(bars, t, 60_000);
  assert.equal(closed.length, 29);
  assert.ok(closed.every((b) => b.ts + 60_000 <= t));
  assert.ok(Math.abs(vadr(closed)! - 1) < 1e-12, "the huge bar at t does not leak into the value at t");
  assert.ok(vadr(barsClosedBy(bars, t + 60_000, 60_000))! > 1);
});

Deno.test("health signals: staleness, drift vs trade prints, checksum failures, gaps", () => {
  assert.equal(tradeDriftBps(100, 101), 100);
  const ok = venueHealth({
    lastVerifiedTs: 1000,
    now: 2000,
    mid: 100,
    lastTradePrice: 100.5,
    checksumFailures: 0,
    sequenceGaps: 0,
  });
  assert.equal(ok.ok, true);
  assert.equal(ok.staleness_ms, 1000);
  const bad = venueHealth({
    lastVerifiedTs: 0,
    now: 60_000,
    mid: 100,
    lastTradePrice: 103,
    checksumFailures: 2,
    sequenceGaps: 1,
  });
  assert.equal(bad.ok, false);
  assert.deepEqual(bad.reasons, [
    "stale book (60000 ms)",
    "trade drift 300.0 bps",
    "2 checksum failures",
    "1 sequence gaps",
  ]);
  assert.deepEqual(venueHealth({ now: 1, checksumFailures: 0, sequenceGaps: 0 }).reasons, [
    "no verified book",
  ]);
});
