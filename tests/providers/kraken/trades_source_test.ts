import assert from "node:assert/strict";
import { KrakenError } from "../../../src/providers/kraken/errors.ts";
import type { RestTrade } from "../../../src/providers/kraken/rest.ts";
import { cursorOfMs, krakenTradePages, msOfCursor } from "../../../src/providers/kraken/trades_source.ts";

const T0 = Date.parse("2025-11-10T17:00:00Z");
const trade = (i: number): RestTrade => ({
  ts: T0 + i * 1000,
  price: 100 + i,
  qty: 1,
  side: "buy",
  ordType: "limit",
  tradeId: i + 1,
});
const ALL = Array.from({ length: 25 }, (_, i) => trade(i));

/** Kraken's semantics: trades at or after `since`, at most `count`; `last` = the newest one's ns time. */
function fakeRest(refuse: (call: number) => KrakenError | null) {
  let calls = 0;
  const asked: string[] = [];
  return {
    asked,
    trades(_pair: string, o: { since?: string; count?: number } = {}) {
      calls++;
      const err = refuse(calls);
      if (err) return Promise.reject(err);
      asked.push(o.since!);
      const since = msOfCursor(o.since!);
      const page = ALL.filter((t) => t.ts >= since).slice(0, o.count ?? 1000);
      const last = page.length ? cursorOfMs(page[page.length - 1].ts) : o.since!;
      return Promise.resolve({ symbol: "BTC/USD", trades: page, last });
    },
  };
}

Deno.test("trades source: pages forward by `last`, drops the boundary trade sent twice, stops when caught up", async () => {
  const rest = fakeRest(() => null);
  const got: RestTrade[] = [];
  for await (
    const p of krakenTradePages(rest, { pair: "XBTUSD", since: cursorOfMs(T0), untilMs: Infinity, count: 10 })
  ) {
    got.push(...p.trades);
  }
  assert.deepEqual(got.map((t) => t.tradeId), ALL.map((t) => t.tradeId));
  assert.equal(rest.asked[0], cursorOfMs(T0));
});

Deno.test("trades source: a rate-limit refusal storm is waited out and never yields a page", async () => {
  const refusal = (c: number) =>
    c % 3 !== 0
      ? new KrakenError("kraken Trades: EAPI:Rate limit exceeded", "rate_limit", true, "Trades", [
        "EAPI:Rate limit exceeded",
      ])
      : null;
  const rest = fakeRest(refusal);
  const waits: number[] = [];
  const got: RestTrade[] = [];
  let refusals = 0;
  for await (
    const p of krakenTradePages(rest, {
      pair: "XBTUSD",
      since: cursorOfMs(T0),
      untilMs: Infinity,
      count: 10,
      sleep: (ms) => (waits.push(ms), Promise.resolve(true)),
    })
  ) {
    got.push(...p.trades);
    refusals += p.refusals;
  }
  assert.deepEqual(got.map((t) => t.tradeId), ALL.map((t) => t.tradeId));
  assert.ok(refusals >= 6, `refusals ${refusals}`);
  assert.equal(waits.length, refusals);
  assert.ok(waits[1] > waits[0], "the backoff doubles");
});

Deno.test("trades source: another error is not retried here", async () => {
  const rest = fakeRest(() =>
    new KrakenError("kraken Trades: EQuery:Unknown asset pair", "query", false, "Trades")
  );
  await assert.rejects(async () => {
    for await (const _ of krakenTradePages(rest, { pair: "NOPE", since: "0", untilMs: Infinity })) { /* */ }
  }, /Unknown asset pair/);
});

Deno.test("trades source: without trade ids, the boundary trade sent again is recognised by time and content", async () => {
  const noIds = ALL.map(({ tradeId: _, ...t }) => t);
  const rest = {
    trades(_pair: string, o: { since?: string; count?: number } = {}) {
      const since = msOfCursor(o.since!);
      const page = noIds.filter((t) => t.ts >= since).slice(0, o.count ?? 1000);
      const last = page.length ? cursorOfMs(page[page.length - 1].ts) : o.since!;
      return Promise.resolve({ symbol: "BTC/USD", trades: page, last });
    },
  };
  const got: RestTrade[] = [];
  for await (
    const p of krakenTradePages(rest, { pair: "XBTUSD", since: cursorOfMs(T0), untilMs: Infinity, count: 10 })
  ) {
    got.push(...p.trades);
  }
  assert.deepEqual(got, noIds);
});
