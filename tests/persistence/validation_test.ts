import assert from "node:assert/strict";
import { newTradesRepo } from "../../src/persistence/trades_repo.ts";
import { newRegimeRepo } from "../../src/persistence/regime_repo.ts";
import { newPremoveRepo } from "../../src/persistence/premove_repo.ts";
import type { Db, Sql } from "../../src/persistence/db.ts";
import { InputError } from "../../src/util/errors.ts";
import { testBoth } from "./backends.ts";

/** A Db whose SQL client fails the test if anything at all is sent. */
function noSqlDb(): { db: Db; calls: string[] } {
  const calls: string[] = [];
  const trap = (): never => {
    calls.push("sql");
    throw new Error("SQL ran before validation finished");
  };
  const sql = new Proxy(trap, { apply: trap, get: () => trap }) as unknown as Sql;
  return {
    calls,
    db: { kind: "postgres", sql, canCopy: true, where: "fake", ping: trap, close: () => Promise.resolve() },
  };
}

const POLICY = { timeoutMs: 1000, maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 };
const good = { ts: new Date(0), symbol: "BTC/USD", venue: "kraken", side: "buy", price: 1, qty: 1 } as const;

async function rejectsInput(p: Promise<unknown>, re: RegExp) {
  await assert.rejects(p, (e: Error) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${e.name}: ${e.message}`);
    assert.match(e.message, re);
    return true;
  });
}

Deno.test("bad trades are refused before any SQL, naming the field and the value", async () => {
  const { db, calls } = noSqlDb();
  const trades = newTradesRepo(db, POLICY);
  // deno-lint-ignore no-explicit-any
  const bad = (x: Record<string, unknown>) => ({ ...good, ...x }) as any;
  await rejectsInput(
    trades.insert(bad({ side: "hold" })),
    /trades\.insert: side: .*"buy"\|"sell".*found "hold"/,
  );
  await rejectsInput(trades.insert(bad({ price: NaN })), /trades\.insert: price: .*found NaN/);
  await rejectsInput(trades.insert(bad({ price: -5 })), /price: must be > 0, found -5/);
  const { symbol: _drop, ...noSymbol } = good;
  // deno-lint-ignore no-explicit-any
  await rejectsInput(trades.insert(noSymbol as any), /trades\.insert: symbol: .*found nothing/);
  await rejectsInput(
    trades.insert(bad({ ts: "yesterday" })),
    /trades\.insert: ts: expected a .*found "yesterday"/,
  );
  await rejectsInput(trades.insert(bad({ extra: 1 })), /unrecognized key|extra/i);
  // In a batch, the row number is named and nothing is written (not even the good rows before it).
  await rejectsInput(
    trades.insertMany([good, good, bad({ side: "hold" })]),
    /trades\.insertMany: row 2: side: .*found "hold"/,
  );
  await rejectsInput(trades.listBySymbol("", { from: 0, to: 1 }, 10), /symbol: expected a symbol/);
  await rejectsInput(
    trades.listBySymbol("BTC/USD", { from: 5, to: 1 }, 10),
    /range\.from 5 is after range\.to 1/,
  );
  await rejectsInput(trades.listBySymbol("BTC/USD", { from: NaN, to: 1 }, 10), /range\.from: expected epoch/);
  await rejectsInput(
    trades.listBySymbol("BTC/USD", { from: 0, to: 1 }, 0),
    /limit: expected a positive integer/,
  );
  assert.deepEqual(calls, []);
});

Deno.test("bad regime snapshots and premove artifacts are refused before any SQL", async () => {
  const { db, calls } = noSqlDb();
  const regime = newRegimeRepo(db, POLICY);
  const premove = newPremoveRepo(db, POLICY);
  const snap = {
    ts: new Date(0),
    realized_vol_7d: 0.1,
    pct_above_20ma: 0.5,
    breadth_thrust: 0.2,
    regime: "choppy",
    weights: { momentum: 0.3 },
  } as const;
  // deno-lint-ignore no-explicit-any
  const any = (x: unknown) => x as any;
  await rejectsInput(
    regime.upsert(any({ ...snap, regime: "bull" })),
    /regime\.upsert: regime: .*found "bull"/,
  );
  await rejectsInput(regime.upsert(any({ ...snap, realized_vol_7d: NaN })), /realized_vol_7d: .*found NaN/);
  await rejectsInput(regime.upsert(any({ ...snap, weights: { momentum: "high" } })), /weights\.momentum/);
  await rejectsInput(regime.latest(new Date(NaN)), /regime\.latest: asOf: expected a valid Date/);
  const art = {
    ts: new Date(0),
    symbol: "BTC/USD",
    gate_a: true,
    gate_b: false,
    gate_c: null,
    score: 1,
    factors: {},
  };
  await rejectsInput(
    premove.upsert(any({ ...art, gate_a: "yes" })),
    /premove\.upsert: gate_a: .*found "yes"/,
  );
  await rejectsInput(premove.upsert(any({ ...art, symbol: "  " })), /symbol: must not be empty/);
  await rejectsInput(
    premove.window({ from: 2, to: 1 }),
    /premove\.window: range\.from 2 is after range\.to 1/,
  );
  await rejectsInput(premove.window({ from: 0, to: 1 }, { symbols: [] }), /symbols: empty list/);
  assert.deepEqual(calls, []);
});

Deno.test("a per-call timeoutMs a timer cannot hold is refused naming the value, before any SQL", async () => {
  const { db, calls } = noSqlDb();
  const trades = newTradesRepo(db, POLICY);
  const regime = newRegimeRepo(db, POLICY);
  // Above 2^31-1 ms setTimeout overflows and fires at once: the call would time out immediately.
  await rejectsInput(
    trades.insert(good, { timeoutMs: 2 ** 31 }),
    /trades\.insert: timeoutMs: expected an integer from 1 to 2147483647 ms, found 2147483648/,
  );
  await rejectsInput(regime.latest(new Date(0), { timeoutMs: 0 }), /regime\.latest: timeoutMs: .*found 0$/);
  await rejectsInput(regime.latest(new Date(0), { timeoutMs: NaN }), /timeoutMs: .*found NaN$/);
  assert.deepEqual(calls, []);
});

testBoth("a batch with one bad row stores nothing", async ({ p }) => {
  const rows = Array.from({ length: 5 }, (_, i) => ({ ...good, ts: new Date(i * 1000) }));
  // deno-lint-ignore no-explicit-any
  await assert.rejects(p.trades.insertMany([...rows, { ...good, side: "hold" } as any]), InputError);
  assert.deepEqual(await p.trades.listBySymbol("BTC/USD", { from: 0, to: 10_000 }, 100), []);
});
