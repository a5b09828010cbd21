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
