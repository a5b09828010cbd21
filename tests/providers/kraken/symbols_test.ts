import assert from "node:assert/strict";
import {
  buildSymbolMap,
  filterByQuotes,
  pairsFromAssetPairs,
} from "../../../src/providers/kraken/symbols.ts";
import { symbolForKey } from "../../../src/providers/kraken/rest.ts";
import { readJson } from "./fixtures.ts";

interface Row {
  pair_key: string;
  wsname: string | null;
  normalized: string | null;
}
const REAL = readJson<{ result: Record<string, unknown> }>("rest/asset_pairs_2021-04-17.json").result;
const EXPECTED = readJson<{ table: Row[]; key_examples: Record<string, string | null> }>(
  "asset_pairs_normalization.expected.json",
);

Deno.test("symbol map over the real AssetPairs response (304 pairs): every pair as expected, .d excluded", () => {
  assert.equal(Object.keys(REAL).length, 304);
  const pairs = pairsFromAssetPairs(REAL);
  const map = buildSymbolMap(pairs);
  assert.equal(EXPECTED.table.length, 304);
  let darkPools = 0;
  for (const row of EXPECTED.table) {
    if (row.normalized === null) {
      darkPools++;
      assert.ok(row.pair_key.endsWith(".d"));
      assert.equal(map.normalize(row.pair_key), undefined, row.pair_key);
      continue;
    }
    assert.equal(map.normalize(row.pair_key), row.normalized, row.pair_key);
    assert.equal(map.normalize(row.wsname!), row.normalized, row.wsname!);
  }
  assert.equal(darkPools, 11);
  assert.equal(pairs.length, 304 - 11);
  assert.ok(pairs.every((p) => !p.key.endsWith(".d")));
});

Deno.test("explicit examples: XXBTZUSD, XBT/USD, XDGUSD, XBTUSDT, dark pool", () => {
  const map = buildSymbolMap(pairsFromAssetPairs(REAL));
  assert.equal(map.normalize("XXBTZUSD"), "BTC/USD");
  assert.equal(map.normalize("XBT/USD"), "BTC/USD");
  assert.equal(map.normalize("XBTUSD"), "BTC/USD");
  assert.equal(map.normalize("XDGUSD"), "DOGE/USD");
  assert.equal(map.normalize("XDG/USD"), "DOGE/USD");
  assert.equal(map.normalize("XXBTZUSD.d"), undefined);
  assert.equal(map.bySymbol("BTC/USD")?.pricePrecision, 1);
  assert.equal(map.bySymbol("BTC/USD")?.qtyPrecision, 8);
  for (const [key, want] of Object.entries(EXPECTED.key_examples)) {
    if (want === null) assert.equal(map.normalize(key), undefined);
    else if (map.normalize(key) !== undefined) assert.equal(map.normalize(key), want, key);
    else assert.equal(symbolForKey(key), want, key); // keys not in the 2021 file (XBTUSDT): the built-in rule
  }
});

Deno.test("USD quote pairs only by default; other quotes only when listed", () => {
  const pairs = pairsFromAssetPairs(REAL);
  const usd = filterByQuotes(pairs);
  assert.ok(usd.length > 40);
  assert.ok(usd.every((p) => p.symbol.endsWith("/USD")));
  assert.ok(usd.some((p) => p.symbol === "BTC/USD") && usd.some((p) => p.symbol === "DOGE/USD"));
  assert.ok(!usd.some((p) => p.symbol === "BTC/USDT" || p.symbol === "BTC/EUR"));
  const more = filterByQuotes(pairs, ["USD", "USDT"]);
  assert.ok(more.some((p) => p.symbol === "BTC/USDT"));
});
