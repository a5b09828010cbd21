// The derivs table (schema: src/data/cold/schemas/derivs.ts), through the generic table API: one row per
// (ts, symbol, venue, record, contract); strings and nulls round-trip in Parquet and CSV; re-writes are idempotent per key and
// a changed value is a conflict; PIT (nothing after `to`); DuckDB reads it through `current/`.
import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix -- dev-only interop tool, by full specifier (house rule)
import { DuckDBInstance } from "npm:@duckdb/node-api@1.5.6-r.1";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdTables } from "../../../src/data/cold/store.ts";
import type { TableRow } from "../../../src/data/cold/batch.ts";
import { DAY_MS } from "../../../src/util/time.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect } from "./synthetic.ts";

const D0 = Date.parse("2025-09-01T00:00:00Z");
const VENUES = ["binance", "krakenfutures", "okx"];
const SYMBOLS = ["BTC/USD", "ETH/USD"];

/** Hourly funding/OI rows for 3 days (seeded): venue × symbol × hour; some values unknown (null). */
function derivsRows(): TableRow[] {
  let s = 7;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const out: TableRow[] = [];
  for (let h = 0; h < 72; h++) {
    for (const symbol of SYMBOLS) {
      for (const venue of VENUES) {
        const mark = symbol === "BTC/USD" ? 60_000 + rnd() * 1000 : 2_500 + rnd() * 50;
        const rel = (rnd() - 0.5) / 1000;
        const interval = venue === "binance" ? 8 : 1;
        out.push({
          ts: D0 + h * 3_600_000,
          symbol,
          venue,
          record: "snapshot",
          contract: "perpetual",
          expiry: NaN,
          funding_rate_relative: rel,
          funding_interval_h: interval,
          funding_rate_annualized: rel * (8760 / interval),
          open_interest: venue === "okx" && h % 5 === 0 ? NaN : rnd() * 1e6,
          open_interest_unit: venue === "krakenfutures" ? "contracts" : h % 7 === 0 ? "" : "base",
          mark_price: mark,
          index_price: h % 3 === 0 ? NaN : mark * (1 - rnd() / 1000),
          basis: h % 3 === 0 ? NaN : rnd() / 1000,
          source: venue === "okx" ? "okx:/api/v5/public/funding-rate,open-interest" : `${venue}:rest`,
        });
      }
    }
  }
  return out;
}

const ROWS = derivsRows();
const COLUMNS = Object.keys(ROWS[0]);

/** Rows as the reader yields them, with NaN and "" as they are (null). */
const same = (a: TableRow[], b: TableRow[]) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    for (const c of COLUMNS) {
      assert.ok(Object.is(a[i][c], b[i][c]), `row ${i} ${c}: ${a[i][c]} vs ${b[i][c]}`);
    }
  }
};

const sorted = (rows: TableRow[]) =>
  [...rows].sort((a, b) =>
    (a.ts as number) - (b.ts as number) || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0) ||
    (a.venue < b.venue ? -1 : a.venue > b.venue ? 1 : 0)
  );

for (const format of ["parquet", "csv"] as const) {
  Deno.test(`derivs (${format}): every value round-trips (nulls, strings with commas), sorted by (ts, symbol, venue)`, async () => {
    await using dir = await tempDir();
    const t = openColdTables(ColdSection.parse({ row_group_size: 100 }), dir.path).table("derivs");
    assert.equal(t.root, `${dir.path}/cold/derivs`);
    const shuffled = [...ROWS].reverse();
    const w = await t.write(shuffled, { format });
    assert.equal(w.rows, ROWS.length);
    assert.deepEqual(w.partitions, ["2025-09-01", "2025-09-02", "2025-09-03"]);
    same(await collect(t.read({ from: 0, to: 8.64e15 })), sorted(ROWS));
    // A projection keeps the key columns in batches and returns only what was asked in rows.
    const two = await collect(
      t.read({ from: D0, to: D0 + 3_600_000 }, { columns: ["ts", "venue", "basis"] }),
    );
    assert.deepEqual(Object.keys(two[0]), ["ts", "venue", "basis"]);
    assert.equal(two.length, 2 * SYMBOLS.length * VENUES.length);
    for await (const b of t.readBatches({ from: D0, to: D0 }, { columns: ["basis"] })) {
      assert.deepEqual(Object.keys(b.cols).sort(), ["basis", "contract", "record", "symbol", "ts", "venue"]);
    }
  });
}

Deno.test("derivs: PIT — a window never yields a row after `to`, whatever the format and symbol filter", async () => {
  await using dir = await tempDir();
  const tables = openColdTables(ColdSection.parse({ row_group_size: 50 }), dir.path);
  const t = tables.table("derivs");
  await t.write(ROWS.filter((r) => (r.ts as number) < D0 + DAY_MS), { format: "parquet" });
  await t.write(ROWS.filter((r) => (r.ts as number) >= D0 + DAY_MS), { format: "csv" });
  for (
    const [from, to] of [[D0, D0 + 10 * 3_600_000 - 1], [D0 + 23 * 3_600_000, D0 + DAY_MS], [
      D0,
      D0 + 70 * 3_600_000 + 1,
    ]]
  ) {
    for (const symbols of [undefined, ["ETH/USD"]]) {
      const got = await collect(t.read({ from, to }, { symbols }));
      const want = sorted(
        ROWS.filter((r) =>
          (r.ts as number) >= from && (r.ts as number) <= to &&
          (!symbols || symbols.includes(r.symbol as string))
        ),
      );
      same(got, want);
      assert.ok(got.every((r) => (r.ts as number) <= to), "nothing after to");
    }
  }
  // Appending later rows changes nothing at an earlier as-of.
  const asOf = { from: D0, to: D0 + 30 * 3_600_000 };
  const before = await collect(t.read(asOf));
  await t.write([{ ...ROWS[0], ts: D0 + 80 * 3_600_000 }]);
  same(await collect(t.read(asOf)), before);
});

Deno.test("derivs: the key is (ts, symbol, venue, record, contract): same ts and symbol on two venues are two rows; a re-write is idempotent per key; a changed value is a conflict", async () => {
  await using dir = await tempDir();
  const t = openColdTables(ColdSection.parse({}), dir.path).table("derivs");
  const first = await t.write(ROWS.slice(0, 60));
  assert.equal(first.rows, 60);
  const again = await t.write(ROWS.slice(30, 90));
  assert.equal(again.rows, 30);
  assert.equal(again.alreadyStored, 30);
  const nothing = await t.write(ROWS.slice(0, 90));
  assert.equal(nothing.snapshot, null);
  assert.equal(nothing.alreadyStored, 90);
  // Nulls compare equal to nulls: a row with unknown values is "already stored" too.
  assert.ok(ROWS.slice(0, 90).some((r) => Number.isNaN(r.basis)));
  await assert.rejects(
    t.write([ROWS[0], ROWS[0]].map((r) => ({ ...r, ts: D0 + 50 * 3_600_000 }))),
    (e: Error) => {
      assert.match(
        e.message,
        /^duplicate \(ts, symbol, venue, record, contract\): 2025-09-03T02:00:00\.000Z BTC\/USD binance snapshot perpetual \(ts=\d+\) appears more than once/,
      );
      return true;
    },
  );
  await assert.rejects(t.write([{ ...ROWS[4], basis: 0.5 }]), (e: Error) => {
    assert.match(
      e.message,
      /^conflict: \(ts, symbol, venue, record, contract\) 2025-09-01T00:00:00\.000Z ETH\/USD krakenfutures snapshot perpetual/,
    );
    assert.match(e.message, /"basis":0\.5/);
    return true;
  });
  const skipped = await t.write([{ ...ROWS[4], basis: 0.5 }, { ...ROWS[95] }], { skipInvalid: true });
  assert.deepEqual(skipped.skipped, { conflict: 1 });
  assert.equal(skipped.rows, 1);
});

Deno.test("derivs: rows are checked against the declared columns (types, required, unknown fields)", async () => {
  await using dir = await tempDir();
  const t = openColdTables(ColdSection.parse({}), dir.path).table("derivs");
  const r = ROWS[0];
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ ...r, venue: "" }, /venue: expected a string \(the field is required\)/],
    [{ ...r, source: undefined }, /source: expected a string \(the field is required\)/],
    // Key columns: every producer sets them; a row without them is refused, not guessed.
    [{ ...r, record: "" }, /record: expected a string \(the field is required\)/],
    [{ ...r, contract: undefined }, /contract: expected a string \(the field is required\)/],
    [{ ...r, expiry: 1.5 }, /expiry: expected integer epoch milliseconds/],
    [{ ...r, basis: Infinity }, /basis: expected a finite double, found Infinity/],
    [{ ...r, basis: "0.1" }, /basis: expected a finite double, found "0\.1"/],
    [{ ...r, fundingRate: 1 }, /fundingRate: not a column of table derivs/],
    [{ ...r, symbol: "BTCUSDT" }, /symbol: expected a normalised USD pair/],
    [{ ...r, source: "a\nb" }, /source: expected a one-line string/],
    [{ ...r, ts: 1735689600 }, /epoch seconds given\?/],
    // What no venue can mean (the ingest path quarantines these): never stored by a direct write either.
    [{ ...r, mark_price: 0 }, /mark_price: expected a positive price, found 0/],
    [{ ...r, index_price: -1 }, /index_price: expected a positive price, found -1/],
    [{ ...r, open_interest: -5 }, /open_interest: negative \(-5\)/],
    // The tenor: a perpetual has none, a dated future's expiry is after ts, an annualised basis needs one.
    [{ ...r, expiry: (r.ts as number) + DAY_MS }, /expiry: a perpetual contract has none/],
    [
      { ...r, contract: "FI_XBTUSD_250901", expiry: r.ts, basis_annualized: 5 },
      /expiry: \d+ is not after ts \d+ \(no tenor left\)/,
    ],
    [{ ...r, basis_annualized: 0.1 }, /basis_annualized: 0\.1 without an expiry/],
  ];
  for (const [row, re] of bad) {
    await assert.rejects(t.write([row as TableRow]), re);
  }
  const res = await t.write(bad.map(([row]) => row as TableRow), { skipInvalid: true });
  assert.deepEqual(res.skipped, { bad_value: 14, bad_row: 1, bad_symbol: 1, bad_ts: 1 });
  assert.equal(res.snapshot, null);
  // …while a dated future with its tenor is stored.
  const future = { ...r, contract: "FI_XBTUSD_250926", expiry: Date.parse("2025-09-26T15:00:00Z") };
  assert.equal((await t.write([{ ...future, basis_annualized: 0.02 } as TableRow])).rows, 1);
});

Deno.test("derivs: stats per series (symbol venue record contract); DuckDB reads the table through current/ with nulls as NULL", async () => {
  await using dir = await tempDir();
  const t = openColdTables(ColdSection.parse({}), dir.path).table("derivs");
  await t.write(ROWS);
  const s = await t.stats();
  assert.equal(s.rows, ROWS.length);
  assert.deepEqual(Object.keys(s.perSymbol).length, SYMBOLS.length * VENUES.length);
  assert.deepEqual(s.perSymbol["BTC/USD krakenfutures snapshot perpetual"], {
    rows: 72,
    minTs: D0,
    maxTs: D0 + 71 * 3_600_000,
    gaps: 0,
    intervalMs: 3_600_000,
  });
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  try {
    const r = await conn.runAndReadAll(
      `SELECT count(*) AS n, count(basis) AS basis, count(open_interest_unit) AS units,
              count(DISTINCT venue) AS venues, max(epoch_ms(ts)) AS last,
              max(source) FILTER (WHERE venue = 'okx') AS okx_source
         FROM read_parquet('${t.root}/current/*/*.parquet', hive_partitioning = true)`,
    );
    const o = r.getRowObjectsJS()[0];
    assert.equal(Number(o.n), ROWS.length);
    assert.equal(
      Number(o.basis),
      ROWS.filter((x) => !Number.isNaN(x.basis)).length,
      "NaN was written as NULL",
    );
    assert.equal(
      Number(o.units),
      ROWS.filter((x) => x.open_interest_unit !== "").length,
      "'' was written as NULL",
    );
    assert.equal(Number(o.venues), 3);
    assert.equal(Number(o.last), D0 + 71 * 3_600_000);
    assert.equal(o.okx_source, "okx:/api/v5/public/funding-rate,open-interest");
  } finally {
    conn.closeSync();
    db.closeSync();
  }
});

Deno.test("derivs: a funding print, a snapshot and a dated future of the same ms, symbol and venue are three rows", async () => {
  await using dir = await tempDir();
  const t = openColdTables(ColdSection.parse({}), dir.path).table("derivs");
  const ts = D0 + 3 * 3_600_000;
  const base = { ...ROWS[0], ts, symbol: "BTC/USD", venue: "krakenfutures" };
  const funding = {
    ...base,
    record: "funding",
    open_interest: NaN,
    mark_price: NaN,
    index_price: NaN,
    basis: NaN,
  };
  const snapshot = { ...base, record: "snapshot", funding_rate_relative: 2e-6 };
  const expiry = Date.parse("2025-09-26T15:00:00Z");
  const dated = {
    ...base,
    record: "snapshot",
    contract: "FF_XBTUSD_250926",
    expiry,
    funding_rate_relative: NaN,
    funding_interval_h: NaN,
    funding_rate_annualized: NaN,
    basis: 0.004,
  };
  for (const format of ["parquet", "csv"] as const) {
    const w = await t.write([snapshot, dated, funding], { format });
    assert.equal(w.rows + w.alreadyStored, 3, "none lost, none a duplicate");
    const got = await collect(t.read({ from: ts, to: ts }, { symbols: ["BTC/USD"] }));
    const mine = got.filter((r) => r.venue === "krakenfutures");
    assert.deepEqual(mine.map((r) => `${r.record} ${r.contract}`), [
      "funding perpetual",
      "snapshot FF_XBTUSD_250926",
      "snapshot perpetual",
    ]);
    assert.ok(Number.isNaN(mine[0].mark_price as number), "the funding print keeps its own (null) mark");
    assert.equal(mine[2].funding_rate_relative, 2e-6);
    assert.equal(mine[1].expiry, expiry);
    assert.ok(Number.isNaN(mine[2].expiry as number), "a perpetual has no expiry (null)");
  }
});
