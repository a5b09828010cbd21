import assert from "node:assert/strict";
import { createBarBuilder } from "../../src/market/bars.ts";

const M = 60_000;
const t = (symbol: string, ts: number, price: number, qty: number) => ({ symbol, ts, price, qty });

Deno.test("1-minute bars from trades: emitted only once closed, OHLCV exact", () => {
  const b = createBarBuilder();
  assert.deepEqual(
    b.add([t("BTC/USD", 5_000, 100, 1), t("BTC/USD", 20_000, 105, 2), t("BTC/USD", 59_999, 99, 0.5)]),
    [],
  );
  const closed = b.add([t("BTC/USD", M + 1, 101, 1)]);
  assert.deepEqual(closed, [{
    ts: 0,
    symbol: "BTC/USD",
    open: 100,
    high: 105,
    low: 99,
    close: 99,
    volume: 3.5,
  }]);
  assert.deepEqual(b.flush(2 * M - 1), [], "the second minute is not over");
  assert.deepEqual(b.flush(2 * M), [{
    ts: M,
    symbol: "BTC/USD",
    open: 101,
    high: 101,
    low: 101,
    close: 101,
    volume: 1,
  }]);
});

Deno.test("bars are per symbol; late prints are counted, not merged into a closed bar", () => {
  const b = createBarBuilder();
  b.add([t("BTC/USD", 1, 100, 1), t("ETH/USD", 2, 10, 1)]);
  const closed = b.add([t("BTC/USD", M + 1, 100, 1), t("BTC/USD", 3, 1, 1)]);
  assert.equal(closed.length, 1);
  assert.equal(closed[0].symbol, "BTC/USD");
  assert.equal(b.late(), 1);
  assert.equal(b.flush(Infinity).length, 2);
  assert.throws(() => b.add([t("BTC/USD", 1, -1, 1)]), /invalid/);
});

Deno.test("bars: startCoverage drops the partial first minute, keeps whole minutes (PIT)", () => {
  const b = createBarBuilder();
  assert.deepEqual(b.startCoverage(30_000), []);
  // Trades before and after the coverage start inside minute 0: minute 0 is partial, never emitted.
  assert.deepEqual(b.add([t("BTC/USD", 30_000, 100, 1), t("BTC/USD", 50_000, 101, 1)]), []);
  assert.deepEqual(b.add([t("BTC/USD", M + 5, 102, 1)]), [], "minute 0 began before the coverage");
  assert.equal(b.incomplete(), 1);
  assert.deepEqual(b.flush(2 * M).map((x) => [x.ts, x.open]), [[M, 102]]);
  assert.equal(b.incomplete(), 1);
});

Deno.test("bars: a gap keeps open bars that ended while the stream was alive, drops the interrupted ones", () => {
  const b = createBarBuilder();
  b.startCoverage(0);
  b.add([t("BTC/USD", 10_000, 100, 1), t("ETH/USD", M + 10_000, 5, 1)]);
  // Last seen alive at 1:30: BTC's minute 0 is whole; ETH's minute 1 was interrupted.
  const kept = b.startCoverage(3 * M + 7_000, M + 30_000);
  assert.deepEqual(kept.map((x) => [x.symbol, x.ts]), [["BTC/USD", 0]]);
  assert.equal(b.incomplete(), 1);
  // Minute 3 began before the new coverage start: dropped when it closes; minute 4 is whole.
  b.add([t("BTC/USD", 3 * M + 8_000, 1, 1), t("BTC/USD", 4 * M, 2, 1)]);
  assert.equal(b.incomplete(), 2);
  assert.deepEqual(b.flush(5 * M).map((x) => [x.ts, x.close]), [[4 * M, 2]]);
  assert.throws(() => b.startCoverage(NaN), /from must be finite/);
});

Deno.test("bars: without startCoverage every closed bar is kept (coverage from −∞)", () => {
  const b = createBarBuilder();
  b.add([t("BTC/USD", 42_000, 1, 1)]);
  assert.equal(b.flush(M).length, 1);
  assert.equal(b.incomplete(), 0);
});
