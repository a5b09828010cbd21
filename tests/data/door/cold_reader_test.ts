import assert from "node:assert/strict";
import { doorColdReader } from "../../../src/data/door/cold_reader.ts";
import { createDataDoor } from "../../../src/data/door/door.ts";
import type { MarketKinds } from "../../../src/data/door/kinds.ts";
import type { OhlcvRow } from "../../../src/market/ohlcv.ts";
import { fakeSource } from "./fake_source.ts";

const T = Date.UTC(2024, 0, 1);
const H = 3_600_000;
const bar = (symbol: string, ts: number) => ({ ts, symbol, open: 1, high: 1, low: 1, close: 1, volume: 1 });

Deno.test("the publisher's reader: cold sources only, every symbol they list, PIT-clamped, sorted by (ts, symbol)", async () => {
  const cold = fakeSource("cold:kraken", "cold", null, {});
  cold.read = (req) =>
    Promise.resolve(
      new Map(
        req.symbols.map((
          s,
        ) => [s, { rows: [bar(s, T), bar(s, T + H), bar(s, T + 5 * H)] as never, observedAt: T }]),
      ),
    );
  cold.inventory = () =>
    Promise.resolve(new Map([["ETH/USD", { newestTs: T }], ["BTC/USD", { newestTs: T }]]));
  const warm = fakeSource("warm:kraken_rest", "warm", 60_000, {
    "BTC/USD": { rows: [{ ...bar("BTC/USD", T + 2 * H), from: "warm" }] as never, observedAt: T },
  });
  const door = createDataDoor<MarketKinds>({
    sources: { bars: [warm, cold] as never, books: [], trades: [], ticker: [], derivs: [] },
    metrics: { hitRatio: () => {}, lookup: () => {}, warmLag: () => {} },
  });
  const reader = doorColdReader(door, "kraken", "ohlcv");
  const rows: Partial<OhlcvRow>[] = [];
  for await (const r of reader.read("ohlcv", { from: T, to: T + 2 * H })) rows.push(r);
  assert.deepEqual(rows.map((r) => [r.ts, r.symbol]), [
    [T, "BTC/USD"],
    [T, "ETH/USD"],
    [T + H, "BTC/USD"],
    [T + H, "ETH/USD"],
  ]);
  assert.deepEqual(warm.calls, [], "the warm tier is not the cold tier: never asked");
  await assert.rejects(
    (async () => {
      for await (const _ of reader.read("trades", { from: T, to: T })) { /* nothing */ }
    })(),
    /table: unknown table "trades" \(the cold tier stores ohlcv\)/,
  );
});
