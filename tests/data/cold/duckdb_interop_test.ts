// Interop: DuckDB (dev-only npm:@duckdb/node-api, runs in Deno) reads our files with hive partitioning and gets
// the same rows for the same window; ts is a TIMESTAMP (int64 ms), not a double.
import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix -- dev-only interop tool, by full specifier (house rule)
import { DuckDBInstance } from "npm:@duckdb/node-api@1.5.6-r.1";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { DAY_MS, HOUR_MS } from "../../../src/util/time.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, syntheticBars } from "./synthetic.ts";

const D0 = Date.parse("2025-09-01T00:00:00Z");
const ROWS = syntheticBars({
  start: D0 - DAY_MS,
  end: D0 + 2 * DAY_MS,
  stepMs: 300_000,
  symbols: ["BTC/USD", "ETH/USD", "XRP/USD"],
  seed: 5,
});

for (const codec of ["lz4", "zstd", "snappy", "gzip"] as const) {
  Deno.test(`DuckDB read_parquet(hive_partitioning) sees the same window (${codec})`, async () => {
    await using dir = await tempDir();
    const store = openColdStore(
      ColdSection.parse({ parquet_compression: codec, row_group_size: 200 }),
      dir.path,
    );
    await store.write("ohlcv", ROWS);
    const from = D0 + 11 * HOUR_MS;
    const to = D0 + DAY_MS + 5 * HOUR_MS;
    const ours = await collect(store.read("ohlcv", { from, to }));

    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    try {
      const glob = `${store.root}/current/*/*.parquet`; // the documented query (docs/COLD.md)
      const types = await conn.runAndReadAll(
        `DESCRIBE SELECT * FROM read_parquet('${glob}', hive_partitioning=true)`,
      );
      const cols = types.getRowObjectsJS().map((r) => `${r.column_name}:${r.column_type}`);
      assert.deepEqual(cols.slice(0, 7), [
        "ts:TIMESTAMP WITH TIME ZONE",
        "symbol:VARCHAR",
        "open:DOUBLE",
        "high:DOUBLE",
        "low:DOUBLE",
        "close:DOUBLE",
        "volume:DOUBLE",
      ]);
      assert.ok(cols.includes("dt:DATE") || cols.includes("dt:VARCHAR"), cols.join(","));
      const r = await conn.runAndReadAll(
        `SELECT epoch_ms(ts) AS ts, symbol, open, high, low, close, volume
           FROM read_parquet('${glob}', hive_partitioning=true)
          WHERE ts BETWEEN make_timestamptz(${from}::BIGINT * 1000) AND make_timestamptz(${to}::BIGINT * 1000)
          ORDER BY ts, symbol`,
      );
      const theirs = r.getRowObjectsJS().map((o) => ({ ...o, ts: Number(o.ts) }));
      assert.equal(theirs.length, ours.length);
      assert.equal(ours.length, (18 * 12 + 1) * 3); // 11:00 → 05:00 next day, 5-min bars, inclusive
      assert.deepEqual(theirs, ours);
      const parts = await conn.runAndReadAll(
        `SELECT count(DISTINCT dt) AS n FROM read_parquet('${glob}', hive_partitioning=true)`,
      );
      assert.equal(Number(parts.getRowObjectsJS()[0].n), 3);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
  });
}
