// moveRows (src/data/cold/move.ts): rows move between a table and its quarantine — one commit per table,
// target first — keyed by the table's key; a re-run is idempotent; a bad request changes nothing; the
// quarantine table is read PIT like any other; deletes (to null) rewrite only the parts holding the keys.
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdTables } from "../../../src/data/cold/store.ts";
import type { TableRow } from "../../../src/data/cold/batch.ts";
import { DAY_MS } from "../../../src/util/time.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, syntheticBars } from "./synthetic.ts";
import { assertCurrentClean, currentManifest } from "./table_helpers.ts";

const D0 = Date.parse("2025-06-01T00:00:00Z");
const BARS = syntheticBars({
  start: D0,
  end: D0 + 3 * DAY_MS,
  stepMs: 3_600_000,
  symbols: ["BTC/USD", "ETH/USD", "SOL/USD"],
  seed: 5,
});
const ALL = { from: 0, to: 8.64e15 };
const FLAGGED_AT = Date.parse("2025-06-05T12:00:00Z");
/** Three rows a validator flagged (on two days). */
const FLAGGED = [BARS[4], BARS[40], BARS[100]].map((b, i) => ({
  ts: b.ts,
  symbol: b.symbol,
  check: i === 1 ? "mad_z,stale" : "mad_z",
  score: i === 1 ? null : 11.5 + i,
  detected_at: FLAGGED_AT,
}));
const key = (r: Record<string, unknown>) => `${r.ts}|${r.symbol}`;

async function setup(dir: string) {
  const tables = openColdTables(ColdSection.parse({}), dir);
  await tables.table("ohlcv").write(BARS.slice(0, 150), { format: "parquet" });
  await tables.table("ohlcv").write(BARS.slice(150), { format: "csv" });
  return tables;
}

Deno.test("move ohlcv → quarantine/ohlcv and back: rows leave one table for the other, values intact", async () => {
  await using dir = await tempDir();
  const tables = await setup(dir.path);
  const ohlcv = tables.table("ohlcv");
  const q = tables.table("quarantine/ohlcv");
  assert.equal(q.root, `${dir.path}/quarantine/ohlcv`);
  const r = await tables.moveRows("ohlcv", "quarantine/ohlcv", FLAGGED);
  assert.deepEqual({ ...r, toSnapshot: r.toSnapshot !== null, fromSnapshot: r.fromSnapshot !== null }, {
    kind: "move",
    from: "ohlcv",
    to: "quarantine/ohlcv",
    moved: 3,
    alreadyMoved: 0,
    missing: 0,
    toSnapshot: true,
    fromSnapshot: true,
    completed: [],
  });
  const left = await collect(ohlcv.read(ALL));
  assert.equal(left.length, BARS.length - 3);
  assert.ok(!left.some((x) => FLAGGED.some((f) => key(f) === key(x))));
  const held = await collect(q.read(ALL));
  assert.equal(held.length, 3);
  for (const [i, f] of FLAGGED.entries()) {
    const bar = BARS.find((b) => key(b) === key(f))!;
    const got = held.find((h) => key(h) === key(f))!;
    for (const c of ["open", "high", "low", "close", "volume"] as const) assert.equal(got[c], bar[c]);
    assert.equal(got.check, f.check);
    assert.ok(Object.is(got.score, f.score ?? NaN), `score ${i}`);
    assert.equal(got.detected_at, FLAGGED_AT);
  }
  // Only the parts holding the keys were rewritten; both tables commit ("move") and read clean.
  const m = (await currentManifest(ohlcv.root))!;
  assert.equal(m.operation, "move");
  assert.equal(m.removed.length, 2, "the two day parts that held flagged rows");
  await assertCurrentClean(ohlcv.root);
  await assertCurrentClean(q.root);
  // A re-run of the same request: nothing left to move, nothing changes, no error.
  const again = await tables.moveRows(
    "ohlcv",
    "quarantine/ohlcv",
    FLAGGED.map((f) => ({ ...f, detected_at: FLAGGED_AT + 1 })),
  );
  assert.deepEqual([again.moved, again.alreadyMoved, again.toSnapshot, again.fromSnapshot], [
    0,
    3,
    null,
    null,
  ]);
  // Release one back: the quarantine's own columns are dropped, the table gets the row as it was.
  const back = await tables.moveRows("quarantine/ohlcv", "ohlcv", [{
    ts: FLAGGED[1].ts,
    symbol: FLAGGED[1].symbol,
  }]);
  assert.equal(back.moved, 1);
  assert.equal((await collect(q.read(ALL))).length, 2);
  const restored = await collect(
    ohlcv.read({ from: FLAGGED[1].ts, to: FLAGGED[1].ts }, { symbols: [FLAGGED[1].symbol as string] }),
  );
  assert.deepEqual(restored, [BARS.find((b) => key(b) === key(FLAGGED[1]))]);
  assert.deepEqual(await tables.pendingMoves(), []);
});

Deno.test("move: a bad request is refused before anything is written", async () => {
  await using dir = await tempDir();
  const tables = await setup(dir.path);
  const before = (await currentManifest(tables.table("ohlcv").root))!.version;
  const nowhere = { ts: D0 + 7 * DAY_MS, symbol: "BTC/USD", check: "x", detected_at: FLAGGED_AT };
  await assert.rejects(
    tables.moveRows("ohlcv", "quarantine/ohlcv", [FLAGGED[0], nowhere]),
    /move ohlcv → quarantine\/ohlcv: 1 key\(s\) are in neither table, e\.g\. 2025-06-08T00:00:00\.000Z BTC\/USD .*nothing moved/,
  );
  await assert.rejects(
    tables.moveRows("ohlcv", "quarantine/ohlcv", [{
      ts: FLAGGED[0].ts,
      symbol: FLAGGED[0].symbol,
      detected_at: 1,
    }]),
    /check: expected a string \(the field is required\)/,
  );
  await assert.rejects(
    tables.moveRows("ohlcv", "quarantine/ohlcv", [{ ...FLAGGED[0], close: 1 }]),
    /keys\[0\]\.close: the source's close is copied, not given/,
  );
  await assert.rejects(
    tables.moveRows("ohlcv", "derivs", [FLAGGED[0]]),
    /keyed differently \(ts,symbol vs ts,symbol,venue,record,contract\)/,
  );
  await assert.rejects(
    tables.moveRows("ohlcv", "quarantine/ohlcv", [{ ...FLAGGED[0], ts: "x" }]),
    /keys\[0\]\.ts: expected the key value/,
  );
  assert.equal((await currentManifest(tables.table("ohlcv").root))!.version, before);
  assert.equal(await currentManifest(tables.table("quarantine/ohlcv").root), null);
  assert.deepEqual(await tables.pendingMoves(), []);
  // A row the table refuses cannot be released into it: the table's checks apply to what comes back.
  const q = tables.table("quarantine/ohlcv");
  await q.write([{
    ...BARS[0],
    ts: D0 + 5 * DAY_MS,
    high: 1,
    low: 2,
    check: "high_below_low",
    score: null,
    detected_at: FLAGGED_AT,
  }]);
  await assert.rejects(
    tables.moveRows("quarantine/ohlcv", "ohlcv", [{ ts: D0 + 5 * DAY_MS, symbol: BARS[0].symbol }]),
    /high: 1 is below low 2/,
  );
  assert.equal((await collect(q.read(ALL))).length, 1, "still in quarantine");
  assert.deepEqual(await tables.pendingMoves(), [], "a refused commit leaves no journal");
});

Deno.test("quarantine tables are PIT: nothing after `to`; a later flag changes nothing at an earlier as-of", async () => {
  await using dir = await tempDir();
  const tables = await setup(dir.path);
  await tables.moveRows("ohlcv", "quarantine/ohlcv", FLAGGED);
  const q = tables.table("quarantine/ohlcv");
  const asOf = { from: D0, to: FLAGGED[1].ts as number };
  const got = await collect(q.read(asOf));
  assert.deepEqual(got.map(key), FLAGGED.slice(0, 2).map(key));
  assert.ok(got.every((r) => (r.ts as number) <= asOf.to));
  await tables.moveRows("ohlcv", "quarantine/ohlcv", [{
    ts: BARS[200].ts,
    symbol: BARS[200].symbol,
    check: "stale",
    detected_at: FLAGGED_AT,
  }]);
  assert.deepEqual((await collect(q.read(asOf))).map(key), got.map(key));
});

Deno.test("delete (to null): the rows are gone, other rows of their parts stay; a re-run is a no-op", async () => {
  await using dir = await tempDir();
  const tables = await setup(dir.path);
  const q = tables.table("quarantine/ohlcv");
  await tables.moveRows("ohlcv", "quarantine/ohlcv", FLAGGED);
  const r = await tables.moveRows(
    "quarantine/ohlcv",
    null,
    [FLAGGED[0], FLAGGED[2]].map((f) => ({ ts: f.ts, symbol: f.symbol })),
  );
  assert.deepEqual([r.kind, r.moved, r.alreadyMoved], ["delete", 2, 0]);
  assert.deepEqual((await collect(q.read(ALL))).map(key), [key(FLAGGED[1])]);
  assert.equal((await currentManifest(q.root))!.operation, "delete");
  const again = await tables.moveRows("quarantine/ohlcv", null, [{
    ts: FLAGGED[0].ts,
    symbol: FLAGGED[0].symbol,
  }]);
  assert.deepEqual([again.moved, again.alreadyMoved, again.fromSnapshot], [0, 1, null]);
});

Deno.test("derivs → quarantine/derivs: keys with a venue, record and contract", async () => {
  await using dir = await tempDir();
  const tables = openColdTables(ColdSection.parse({}), dir.path);
  const row = (venue: string, basis: number): TableRow => ({
    ts: D0,
    symbol: "BTC/USD",
    venue,
    record: "snapshot",
    contract: "perpetual",
    funding_rate_relative: 0.0001,
    funding_interval_h: 8,
    funding_rate_annualized: 0.1095,
    open_interest: 1e6,
    open_interest_unit: "base",
    mark_price: 60_000,
    index_price: 59_990,
    basis,
    source: `${venue}:rest`,
  });
  await tables.table("derivs").write([row("binance", 0.0002), row("okx", 0.5)]);
  const r = await tables.moveRows("derivs", "quarantine/derivs", [{
    ts: D0,
    symbol: "BTC/USD",
    venue: "okx",
    record: "snapshot",
    contract: "perpetual",
    check: "basis_range",
    score: 50,
    detected_at: FLAGGED_AT,
  }]);
  assert.equal(r.moved, 1);
  assert.deepEqual(
    (await collect(tables.table("derivs").read(ALL, { columns: ["venue"] }))).map((x) => x.venue),
    ["binance"],
  );
  const [q] = await collect(tables.table("quarantine/derivs").read(ALL));
  assert.deepEqual([q.venue, q.basis, q.check, q.score], ["okx", 0.5, "basis_range", 50]);
});
