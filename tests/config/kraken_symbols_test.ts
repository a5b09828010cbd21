import assert from "node:assert/strict";
import { KrakenSection } from "../../src/config/sections/kraken.ts";

Deno.test("kraken.symbols: defaults; normalised pairs quoted in kraken.quotes, else an error naming index and value", () => {
  const d = KrakenSection.parse({});
  assert.deepEqual(d.symbols, ["BTC/USD", "ETH/USD", "LTC/USD", "BCH/USD", "XRP/USD"]);
  assert.equal(d.poll_book_seconds, 20);
  const bad = (symbols: string[], quotes?: string[]) => {
    const r = KrakenSection.safeParse({ symbols, ...(quotes ? { quotes } : {}) });
    assert.equal(r.success, false);
    return r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };
  assert.deepEqual(bad(["BTC/USD", "XBT/USD"]), ['symbols.1: "XBT/USD" is not normalised: write "BTC/USD"']);
  assert.deepEqual(bad(["BTCUSD"]), ['symbols.0: expected a normalised pair like BTC/USD, found "BTCUSD"']);
  assert.deepEqual(bad(["btc/usd"]), ['symbols.0: expected a normalised pair like BTC/USD, found "btc/usd"']);
  assert.deepEqual(bad(["ETH/EUR"]), ['symbols.0: "ETH/EUR" is quoted in EUR; kraken.quotes admits USD']);
  assert.deepEqual(KrakenSection.parse({ symbols: ["ETH/EUR"], quotes: ["USD", "EUR"] }).symbols, [
    "ETH/EUR",
  ]);
  assert.equal(KrakenSection.safeParse({ poll_book_seconds: -1 }).success, false);
});
