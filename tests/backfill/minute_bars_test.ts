import assert from "node:assert/strict";
import { barsOf, MinuteAggregator } from "../../src/backfill/minute_bars.ts";
import { emptyMinuteRuns, writableWindow } from "../../src/backfill/engine.ts";

const M = 60_000;
const T0 = Date.parse("2025-11-10T17:00:00Z");

Deno.test("minute bars: OHLC, volume, vwap and count per minute; an empty minute has no bar", () => {
  const bars = barsOf("BTC/USD", [
    { ts: T0 + 1_000, price: 100, qty: 1 },
    { ts: T0 + 2_000, price: 103, qty: 2 },
    { ts: T0 + 59_999, price: 99, qty: 1 },
    { ts: T0 + 2 * M, price: 101, qty: 4 }, // minute 1 has no trade
  ]);
  assert.equal(bars.length, 2);
  assert.deepEqual(bars[0], {
    ts: T0,
    symbol: "BTC/USD",
    open: 100,
    high: 103,
    low: 99,
    close: 99,
    volume: 4,
    vwap: (100 + 206 + 99) / 4,
    trades: 3,
  });
  assert.equal(bars[1].ts, T0 + 2 * M);
  assert.equal(bars[1].trades, 1);
});

Deno.test("minute bars: take(before) returns only minutes that began before it; the open one stays", () => {
  const a = new MinuteAggregator("ETH/USD");
  a.add(T0 + 10, 10, 1);
  a.add(T0 + M + 10, 11, 1);
  assert.deepEqual(a.take(T0 + M).map((b) => b.ts), [T0]);
  assert.deepEqual(a.take(T0 + M + 30_000), []); // minute 1 is not over
  assert.deepEqual(a.take(T0 + 2 * M).map((b) => b.ts), [T0 + M]);
  assert.throws(() => a.add(T0, 10, 1), /older than the open minute/);
  assert.throws(() => a.add(T0 + 3 * M, 10, 0), /must be > 0/);
});

Deno.test("writable window: whole minutes from --from; the minute holding --to (or now) is excluded", () => {
  assert.deepEqual(writableWindow(T0 + 1, T0 + 10 * M, Infinity), { start: T0 + M, end: T0 + 10 * M });
  assert.deepEqual(writableWindow(T0, T0 + 10 * M + 5, Infinity), { start: T0, end: T0 + 10 * M });
  assert.deepEqual(writableWindow(T0, T0 + 10 * M, T0 + 3 * M + 7), { start: T0, end: T0 + 3 * M });
});

Deno.test("empty minute runs: the minutes without a bar between from and to", () => {
  assert.deepEqual(emptyMinuteRuns([{ ts: T0 + M }, { ts: T0 + 4 * M }], T0, T0 + 6 * M), [
    { from: T0, to: T0 },
    { from: T0 + 2 * M, to: T0 + 3 * M },
    { from: T0 + 5 * M, to: T0 + 5 * M },
  ]);
  assert.deepEqual(emptyMinuteRuns([], T0, T0 + 2 * M), [{ from: T0, to: T0 + M }]);
});
