import assert from "node:assert/strict";
import { newTradeKeyer } from "../../src/persistence/trade_key.ts";
import { type Trade, TradeSchema } from "../../src/persistence/types.ts";

const T0 = Date.UTC(2024, 0, 1);
const fill = (ts: number, symbol = "BTC/USD"): Trade =>
  TradeSchema.parse({ ts: new Date(ts), symbol, venue: "kraken", side: "buy", price: 1, qty: 2 });

Deno.test("trade keys: identical fills at one ms are counted even when other trades come between them", () => {
  const key = newTradeKeyer();
  const keys = [fill(T0), fill(T0 + 1), fill(T0, "ETH/USD"), fill(T0)].map(key);
  assert.deepEqual(keys, ["c:buy:1:2:#0", "c:buy:1:2:#0", "c:buy:1:2:#0", "c:buy:1:2:#1"]);
  // The same trades in time order get the same keys (a replay in another order lands nothing twice).
  const again = newTradeKeyer();
  assert.deepEqual(
    [fill(T0), fill(T0), fill(T0, "ETH/USD"), fill(T0 + 1)].map(again),
    ["c:buy:1:2:#0", "c:buy:1:2:#1", "c:buy:1:2:#0", "c:buy:1:2:#0"],
  );
  assert.equal(key({ ...fill(T0), trade_id: "77" }), "id:77");
});

Deno.test("trade timestamps: a string without a zone is UTC, whatever the machine's time zone", async () => {
  // TZ is read at startup, so the schema is checked in a child process with a non-UTC zone.
  const code = `
    import { TradeSchema } from ${
    JSON.stringify(new URL("../../src/persistence/types.ts", import.meta.url).href)
  };
    const base = { symbol: "BTC/USD", venue: "kraken", side: "buy", price: 1, qty: 1 };
    const out = ["2024-01-01T10:00:00", "2024-01-01 10:00", "2024-01-01", "1704103200000"]
      .map((ts) => TradeSchema.parse({ ...base, ts }).ts.toISOString());
    const bad = TradeSchema.safeParse({ ...base, ts: "Mon, 01 Jan 2024" }).success;
    console.log(JSON.stringify({ out, bad }));`;
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    env: { TZ: "Asia/Kolkata", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(r.stderr);
  assert.equal(r.code, 0, err);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(r.stdout)), {
    out: [
      "2024-01-01T10:00:00.000Z",
      "2024-01-01T10:00:00.000Z",
      "2024-01-01T00:00:00.000Z",
      "2024-01-01T10:00:00.000Z",
    ],
    bad: false,
  });
});
