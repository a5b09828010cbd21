// Real hourly Kraken data (fixtures/cold/ohlcv_kraken_1h_slice.csv) round-trips exactly in every format.
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, parseFixtureCsv } from "./synthetic.ts";

const FIXTURE = new URL("../../../fixtures/cold/ohlcv_kraken_1h_slice.csv", import.meta.url);
const ROWS = parseFixtureCsv(await Deno.readTextFile(FIXTURE));
const ALL = { from: 0, to: Date.parse("2030-01-01T00:00:00Z") };

const CASES: Array<{ format: "parquet" | "csv"; compression: string }> = [
  { format: "parquet", compression: "zstd" },
  { format: "parquet", compression: "lz4" },
  { format: "parquet", compression: "snappy" },
  { format: "parquet", compression: "gzip" },
  { format: "parquet", compression: "uncompressed" },
  { format: "csv", compression: "gzip" },
  { format: "csv", compression: "lz4" },
  { format: "csv", compression: "none" },
];

for (const c of CASES) {
  Deno.test(`round trip of real Kraken 1h bars: ${c.format}/${c.compression} — every value identical`, async () => {
    assert.equal(ROWS.length, 3000);
    await using dir = await tempDir();
    const store = openColdStore(ColdSection.parse({ row_group_size: 256 }), dir.path);
    const res = await store.write("ohlcv", ROWS, { format: c.format, compression: c.compression as never });
    assert.equal(res.rows, ROWS.length);
    const ext = c.format === "parquet"
      ? ".parquet"
      : { gzip: ".csv.gz", lz4: ".csv.lz4", none: ".csv" }[c.compression]!;
    assert.ok(res.files.every((f) => f.endsWith(ext)), res.files[0]);
    const got = await collect(store.read("ohlcv", ALL, { format: c.format }));
    assert.equal(got.length, ROWS.length);
    // The fixture is sorted by ts then symbol, like the store's output: compare row by row, bit for bit.
    for (let i = 0; i < ROWS.length; i++) {
      for (const k of ["ts", "symbol", "open", "high", "low", "close", "volume"] as const) {
        assert.ok(Object.is(got[i][k], ROWS[i][k]), `row ${i} ${k}: ${got[i][k]} vs ${ROWS[i][k]}`);
      }
    }
    const stats = await store.stats("ohlcv", { format: c.format });
    assert.equal(stats.rows, 3000);
    // The real outage gaps of the source survive: LTC/USD misses 3 hours in this slice.
    assert.equal(stats.perSymbol["LTC/USD"].gaps, 3);
    assert.equal(stats.perSymbol["BTC/USD"].gaps, 0);
    assert.equal(stats.perSymbol["BTC/USD"].intervalMs, 3_600_000);
  });
}
