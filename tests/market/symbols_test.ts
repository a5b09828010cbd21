// The shared symbol vocabulary: asset codes, strict pair names, and pair names as people and files write them.
import assert from "node:assert/strict";
import { normalizeAsset, normalizePair, normalizeSymbol, USD_PAIR_RE } from "../../src/market/symbols.ts";

Deno.test("normalizeAsset: legacy X/Z codes and the XBT/XDG aliases → common codes, others unchanged", () => {
  assert.equal(normalizeAsset("XXBT"), "BTC");
  assert.equal(normalizeAsset("XBT"), "BTC");
  assert.equal(normalizeAsset("XXDG"), "DOGE");
  assert.equal(normalizeAsset("ZUSD"), "USD");
  assert.equal(normalizeAsset("XTZ"), "XTZ"); // not a legacy code: keeps its X
  assert.equal(normalizeAsset("SOL"), "SOL");
});

Deno.test("normalizePair: strict BASE/QUOTE; anything else is a RangeError", () => {
  assert.equal(normalizePair("XBT/USD"), "BTC/USD");
  assert.equal(normalizePair("ETH2.S/ETH"), "ETH2.S/ETH");
  for (const bad of ["XBTUSD", "/USD", "BTC/", "A/B/C"]) {
    assert.throws(() => normalizePair(bad), RangeError, bad);
  }
});

Deno.test("normalizeSymbol: case, separators and asset codes → BASE/USD; non-pairs left for the caller", () => {
  const cases: Array<[string, string]> = [
    [" btc/usd ", "BTC/USD"],
    ["eth-usd", "ETH/USD"],
    ["SOL_USD", "SOL/USD"],
    ["xbt/usd", "BTC/USD"],
    ["XDG/USD", "DOGE/USD"],
    ["XXBT/ZUSD", "BTC/USD"],
    ["btcusd", "BTCUSD"], // not a pair: left for the caller's check to reject
    ["A/B/C", "A/B/C"],
  ];
  for (const [raw, want] of cases) assert.equal(normalizeSymbol(raw), want, raw);
  assert.ok(USD_PAIR_RE.test(normalizeSymbol("xbt-usd")));
  assert.ok(!USD_PAIR_RE.test(normalizeSymbol("btc-eur")));
  assert.ok(!USD_PAIR_RE.test(normalizeSymbol("btcusd")));
});
