import assert from "node:assert/strict";
import { testBoth } from "./backends.ts";
import type { TradeInput } from "../../src/persistence/types.ts";

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

function trades(n: number, symbol = "BTC/USD", start = T0): TradeInput[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: new Date(start + i * MIN),
    symbol,
    venue: "kraken",
    side: i % 2 ? "buy" : "sell",
    price: 42_000 + i * 0.5,
    qty: 0.001 * (i + 1),
    ...(i % 3 === 0 ? { order_id: `O-${i}\tx` } : {}),
    ...(i % 4 === 0 ? { attributes: { ord_type: "limit", n: i } } : {}),
  }));
}

testBoth("trades: insert, insertMany, listBySymbol round-trip every field", async ({ p }) => {
  const rows = trades(25);
  assert.deepEqual(await p.trades.insert(rows[0]), { inserted: 1, duplicates: 0 });
  const r = await p.trades.insertMany(rows.slice(1), { batchSize: 7 });
  assert.deepEqual(r, { inserted: 24, duplicates: 0 });
  await p.trades.insertMany(trades(5, "ETH/USD"));

  const got = await p.trades.listBySymbol("BTC/USD", { from: T0, to: T0 + 24 * MIN }, 100);
  assert.equal(got.length, 25);
  // Newest first.
  assert.deepEqual(got.map((t) => t.ts.getTime()), rows.map((t) => (t.ts as Date).getTime()).reverse());
  const byTs = new Map(got.map((t) => [t.ts.getTime(), t]));
  for (const want of rows) {
    const g = byTs.get((want.ts as Date).getTime())!;
    assert.equal(g.symbol, want.symbol);
    assert.equal(g.venue, want.venue);
    assert.equal(g.side, want.side);
    assert.equal(g.price, want.price);
    assert.equal(g.qty, want.qty);
    assert.equal(g.order_id, want.order_id);
    assert.deepEqual(g.attributes, want.attributes);
    assert.ok(Number.isInteger(g.id) && g.id > 0);
  }
  assert.equal((await p.trades.listBySymbol("BTC/USD", { from: T0, to: T0 + 24 * MIN }, 3)).length, 3);
  assert.deepEqual(await p.trades.listBySymbol("SOL/USD", { from: T0, to: T0 + 24 * MIN }, 10), []);
});

testBoth(
  "trades: writes are idempotent (same batch twice, venue trade ids, repeated fills)",
  async ({ p }) => {
    const rows = trades(10);
    await p.trades.insertMany(rows);
    assert.deepEqual(await p.trades.insertMany(rows, { batchSize: 4 }), { inserted: 0, duplicates: 10 });
    assert.deepEqual(await p.trades.insert(rows[3]), { inserted: 0, duplicates: 1 });
    // Two identical fills in the same millisecond are two trades, and stay two on a replay.
    const fill = {
      ts: new Date(T0 + 999),
      symbol: "XRP/USD",
      venue: "kraken",
      side: "buy",
      price: 0.5,
      qty: 10,
    } as const;
    assert.deepEqual(await p.trades.insertMany([fill, fill]), { inserted: 2, duplicates: 0 });
    assert.deepEqual(await p.trades.insertMany([fill, fill]), { inserted: 0, duplicates: 2 });
    // Also when another trade arrives between them (interleaved feeds): a third fill is new, the rest replay.
    const other = { ...fill, ts: new Date(T0 + 1_000) };
    assert.deepEqual(await p.trades.insertMany([fill, other, fill, fill]), { inserted: 2, duplicates: 2 });
    assert.equal((await p.trades.listBySymbol("XRP/USD", { from: T0, to: T0 + MIN }, 10)).length, 4);
    // Venue trade ids are the key: the same id twice is one trade, and it comes back on read.
    const withId = { ...fill, symbol: "ADA/USD", trade_id: 123456 };
    assert.deepEqual(await p.trades.insertMany([withId, { ...withId }]), { inserted: 1, duplicates: 1 });
    const [back] = await p.trades.listBySymbol("ADA/USD", { from: T0, to: T0 + MIN }, 5);
    assert.equal(back.trade_id, "123456");
    const all = await p.trades.listBySymbol("BTC/USD", { from: T0, to: T0 + 10 * MIN }, 1000);
    assert.equal(all.length, 10);
  },
);

testBoth("trades PIT: nothing after To, nothing before From, both bounds inclusive", async ({ p }) => {
  await p.trades.insertMany(trades(10));
  const to = T0 + 4 * MIN;
  const got = await p.trades.listBySymbol("BTC/USD", { from: T0 + MIN, to }, 100);
  assert.deepEqual(got.map((t) => (t.ts.getTime() - T0) / MIN), [4, 3, 2, 1]);
  assert.ok(got.every((t) => t.ts.getTime() <= to));
  // A trade 1 ms after To is not returned.
  await p.trades.insert({ ...trades(1)[0], ts: new Date(to + 1), price: 1 });
  const again = await p.trades.listBySymbol("BTC/USD", { from: T0, to }, 100);
  assert.ok(again.every((t) => t.ts.getTime() <= to), "a row after To leaked");
  assert.equal(again.length, 5);
});

testBoth("regime: upsert replaces, latest(asOf) ignores later snapshots", async ({ p }) => {
  const snap = (h: number, regime: "trending" | "choppy" | "highvol" | "mixed", vol: number) => ({
    ts: new Date(T0 + h * 3_600_000),
    realized_vol_7d: vol,
    pct_above_20ma: 0.55,
    breadth_thrust: 0.3,
    regime,
    weights: { momentum: 0.42, technical: 0.2, supply_demand: 0.28, catalyst: 0.1 },
  });
  assert.equal(await p.regime.latest(new Date(T0 + 100 * 3_600_000)), null);
  await p.regime.upsert(snap(0, "choppy", 0.2));
  await p.regime.upsert(snap(4, "trending", 0.21));
  await p.regime.upsert(snap(8, "highvol", 0.6));
  await p.regime.upsert(snap(4, "mixed", 0.22)); // replaces the 4h snapshot
  assert.equal(await p.regime.latest(new Date(T0 - 1)), null, "nothing before the first snapshot");
  assert.deepEqual(await p.regime.latest(new Date(T0)), snap(0, "choppy", 0.2));
  assert.deepEqual(await p.regime.latest(new Date(T0 + 8 * 3_600_000 - 1)), snap(4, "mixed", 0.22));
  assert.deepEqual(await p.regime.latest(new Date(T0 + 8 * 3_600_000)), snap(8, "highvol", 0.6));
});

testBoth("premove: upsert replaces per (ts, symbol); window is PIT and ordered", async ({ p }) => {
  const art = (m: number, symbol: string, score: number | null) => ({
    ts: new Date(T0 + m * MIN),
    symbol,
    gate_a: true,
    gate_b: score === null ? null : score > 50,
    gate_c: false,
    score,
    factors: { funding_z: -1.7, vwap_24h: 41_000.5, notes: ["a", "b"] },
  });
  await p.premove.upsert(art(0, "ETH/USD", 40));
  await p.premove.upsert(art(0, "BTC/USD", 70));
  await p.premove.upsert(art(5, "BTC/USD", null));
  await p.premove.upsert(art(10, "BTC/USD", 90));
  await p.premove.upsert(art(5, "BTC/USD", 65)); // replaces
  const w = await p.premove.window({ from: T0, to: T0 + 5 * MIN });
  assert.deepEqual(w, [art(0, "BTC/USD", 70), art(0, "ETH/USD", 40), art(5, "BTC/USD", 65)]);
  assert.ok(w.every((a) => a.ts.getTime() <= T0 + 5 * MIN), "an artifact after To leaked");
  assert.deepEqual(await p.premove.window({ from: T0 + 1, to: T0 + 10 * MIN }, { symbols: ["BTC/USD"] }), [
    art(5, "BTC/USD", 65),
    art(10, "BTC/USD", 90),
  ]);
  assert.deepEqual(await p.premove.window({ from: T0 + 11 * MIN, to: T0 + 20 * MIN }), []);
});

testBoth("ping answers and close is idempotent", async ({ p }) => {
  await p.ping();
  await p.close();
  await p.close();
});
