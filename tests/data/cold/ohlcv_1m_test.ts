// ohlcv_1m: ohlcv's columns plus vwap and trades, appended `added_later` — parts written before them (live
// ingest, wave 2: 7 columns) stay readable (null), new parts carry 9; a reader declaring only the ohlcv
// columns reads the 9-column parts; a rewrite (compaction) never drops a column its schema does not declare.
import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix -- dev-only interop tool, by full specifier (house rule)
import { DuckDBInstance } from "npm:@duckdb/node-api@1.5.6-r.1";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdStore, openColdTables } from "../../../src/data/cold/store.ts";
import type { TableRow } from "../../../src/data/cold/batch.ts";
import type { OhlcvRow } from "../../../src/market/ohlcv.ts";
import { DAY_MS } from "../../../src/util/time.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, syntheticBars } from "./synthetic.ts";

const D0 = Date.parse("2025-09-01T00:00:00Z");
const BARS = syntheticBars({
  start: D0,
  end: D0 + 2 * DAY_MS,
  stepMs: 60_000,
  symbols: ["BTC/USD", "ETH/USD"],
  seed: 3,
});
const ALL = { from: 0, to: 8.64e15 };

/** The wave-2 way of storing 1-minute bars: the ohlcv schema under the name ohlcv_1m, next to ohlcv. */
const legacyCfg = () => ({
  ...ColdSection.parse({}),
  path: "cold/ohlcv_1m",
  parquet_schema: { table: "ohlcv_1m", fields: ColdSection.parse({}).parquet_schema.fields },
});

const withVwap = (r: OhlcvRow, i: number): TableRow => ({ ...r, vwap: (r.high + r.low) / 2, trades: i % 50 });

for (const format of ["parquet", "csv"] as const) {
  Deno.test(`ohlcv_1m (${format}): 7-column parts of wave 2 and 9-column parts in one table; vwap/trades null where unknown`, async () => {
    await using dir = await tempDir();
    const cfg = ColdSection.parse({ format });
    const day1 = BARS.filter((r) => r.ts < D0 + DAY_MS);
    const day2 = BARS.filter((r) => r.ts >= D0 + DAY_MS);
    // Wave 2 wrote day 1 (and the first half of day 2) with the ohlcv columns only.
    await openColdStore(legacyCfg(), dir.path).write("ohlcv_1m", [...day1, ...day2.slice(0, 1000)], {
      format,
    });
    const t = openColdTables(cfg, dir.path).table("ohlcv_1m");
    // Now the registry's ohlcv_1m: the rest of day 2 with vwap and trades, in the same day partition.
    const w = await t.write(day2.slice(1000).map((r, i) => withVwap(r, i)), { format });
    assert.equal(w.rows, day2.length - 1000);
    const got = await collect(t.read(ALL));
    assert.equal(got.length, BARS.length);
    const old = got.filter((r) => (r.ts as number) < day2[500].ts);
    assert.ok(
      old.every((r) => Number.isNaN(r.vwap) && Number.isNaN(r.trades)),
      "parts without the columns read null",
    );
    const fresh = got.filter((r) => (r.ts as number) >= day2[1000].ts);
    assert.equal(fresh.length, day2.length - 1000);
    assert.deepEqual(fresh.slice(0, 3).map((r) => r.trades), [0, 1, 2]);
    assert.ok(fresh.every((r) => r.vwap === ((r.high as number) + (r.low as number)) / 2));
    if (format === "parquet") {
      // DuckDB reads parts of both widths with union_by_name (docs/COLD.md): vwap NULL in the old ones.
      const db = await DuckDBInstance.create(":memory:");
      const conn = await db.connect();
      try {
        const r = await conn.runAndReadAll(
          `SELECT count(*) AS n, count(vwap) AS vwap, sum(trades) AS trades FROM read_parquet(` +
            `'${t.root}/current/*/*.parquet', hive_partitioning = true, union_by_name = true)`,
        );
        const o = r.getRowObjectsJS()[0];
        assert.deepEqual([Number(o.n), Number(o.vwap)], [BARS.length, day2.length - 1000]);
        assert.equal(Number(o.trades), fresh.reduce((a, x) => a + (x.trades as number), 0));
      } finally {
        conn.closeSync();
        db.closeSync();
      }
    }
    // Written through the OhlcvRow facade (live bars): vwap and trades stored as null.
    const store = openColdStore(cfg, dir.path, { table: "ohlcv_1m" });
    await store.write("ohlcv_1m", [{ ...BARS[0], ts: D0 + 3 * DAY_MS }]);
    const [live] = await collect(t.read({ from: D0 + 3 * DAY_MS, to: D0 + 3 * DAY_MS }));
    assert.ok(Number.isNaN(live.vwap) && Number.isNaN(live.trades));
    // The wave-2 declaration (ohlcv columns only) still reads every part: columns it does not know are left out.
    const legacy = await collect(openColdStore(legacyCfg(), dir.path).read("ohlcv_1m", ALL));
    assert.equal(legacy.length, BARS.length + 1);
    assert.deepEqual(Object.keys(legacy.at(-1)!), ["ts", "symbol", "open", "high", "low", "close", "volume"]);
    // …but would not rewrite them: compaction under it refuses instead of dropping vwap and trades.
    await assert.rejects(
      openColdStore(legacyCfg(), dir.path).compact("ohlcv_1m"),
      /holds column\(s\) vwap,trades that table ohlcv_1m does not declare .*declare them \(added_later\) first/,
    );
    // Under the registry's schema the compaction merges the day and keeps every value.
    const c = await t.compact();
    assert.deepEqual(c.partitions, ["2025-09-02"]);
    const after = await collect(t.read(ALL));
    assert.equal(after.length, got.length + 1);
    for (let i = 0; i < got.length; i++) {
      for (const k of Object.keys(got[i])) assert.ok(Object.is(after[i][k], got[i][k]), `${i} ${k}`);
    }
  });
}

Deno.test("ohlcv_1m: the ohlcv checks, vwap inside [low, high], trades a non-negative integer; PIT", async () => {
  await using dir = await tempDir();
  const t = openColdTables(ColdSection.parse({}), dir.path).table("ohlcv_1m");
  const r = withVwap(BARS[0], 3);
  await assert.rejects(
    t.write([{ ...r, vwap: (r.high as number) + 1 }]),
    /vwap: .* is outside the bar's range/,
  );
  await assert.rejects(t.write([{ ...r, trades: 2.5 }]), /trades: expected an integer \(int64\), found 2\.5/);
  await assert.rejects(t.write([{ ...r, trades: -1 }]), /trades: negative \(-1\)/);
  await assert.rejects(t.write([{ ...r, high: 0 }]), /high: 0 is below low/);
  await t.write(BARS.map(withVwap));
  for (const to of [D0 + 59_999, D0 + 12 * 3_600_000, D0 + DAY_MS + 1]) {
    const got = await collect(t.read({ from: D0, to }, { columns: ["ts", "trades"] }));
    assert.equal(got.length, BARS.filter((b) => b.ts <= to).length);
    assert.ok(got.every((x) => (x.ts as number) <= to));
  }
  // The facade serves ohlcv_1m by name too (the data door reads bars tables through it).
  const facade = openColdStore(ColdSection.parse({}), dir.path);
  assert.equal((await collect(facade.read("ohlcv_1m", { from: D0, to: D0 }))).length, 2);
  await assert.rejects(
    collect(facade.read("derivs", ALL)),
    /derivs is not of the ohlcv layout: open it with openColdTables/,
  );
});
