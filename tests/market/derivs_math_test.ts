import assert from "node:assert/strict";
import { blankRow } from "../../src/market/derivs.ts";
import { screenRow } from "../../src/market/derivs_math.ts";

const T = Date.parse("2025-06-27T08:00:00Z");
const future = (ts: number) => ({
  ...blankRow({
    ts,
    symbol: "BTC/USD",
    venue: "okx",
    source: "test",
    record: "snapshot",
    contract: "BTC-USD-250627",
    expiry: T,
  }),
  mark_price: 100_100,
  index_price: 100_000,
  basis: 0.001,
});

Deno.test("screenRow: a dated future at or past its expiry is quarantined (no tenor), before it is kept", () => {
  assert.equal(screenRow(future(T - 60_000)), null);
  for (const ts of [T, T + 60_000]) {
    const q = screenRow(future(ts));
    assert.equal(q?.check, "expired_contract");
    assert.match(q!.reason, /BTC-USD-250627: expiry 2025-06-27T08:00:00\.000Z is not after ts/);
  }
  // A perpetual has no expiry: never this check.
  assert.equal(screenRow({ ...future(T + 60_000), contract: "perpetual", expiry: null }), null);
});
