// Spec A1.3: synthetic OHLCV for ±3 days, gzip and lz4, small row groups; window midday D1 → midday D2.
import assert from "node:assert/strict";
import { parquetMetadataAsync } from "hyparquet";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { listPartFiles, listPartitions } from "../../../src/data/cold/layout.ts";
import { openPositional } from "../../../src/data/cold/positional_file.ts";
import type { OhlcvRow } from "../../../src/market/ohlcv.ts";
import { DAY_MS, HOUR_MS } from "../../../src/util/time.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, syntheticBars } from "./synthetic.ts";

const D0 = Date.parse("2025-09-01T00:00:00Z");
const SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD"];
// ±3 days around D0, 5-minute bars.
const ROWS = syntheticBars({
  start: D0 - 3 * DAY_MS,
  end: D0 + 3 * DAY_MS,
  stepMs: 300_000,
  symbols: SYMBOLS,
  seed: 7,
});

for (const codec of ["gzip", "lz4"] as const) {
  Deno.test(`A1.3 parquet ${codec}: midday D1 → midday D2 gives the exact rows, ts bounds, int64 ms, field order`, async () => {
    await using dir = await tempDir();
    const cfg = ColdSection.parse({ parquet_compression: codec, row_group_size: 100 });
    const store = openColdStore(cfg, dir.path);
    const res = await store.writeParquet("ohlcv", ROWS, { rowGroupSize: 100 });
    assert.equal(res.rows, ROWS.length);
    assert.deepEqual(res.partitions, [
      "2025-08-29",
      "2025-08-30",
      "2025-08-31",
      "2025-09-01",
      "2025-09-02",
      "2025-09-03",
    ]);

    const from = D0 + 12 * HOUR_MS; // midday D1
    const to = D0 + DAY_MS + 12 * HOUR_MS; // midday D2
    const got = await collect(store.readParquet("ohlcv", { from, to }));
    const want = ROWS.filter((r) => r.ts >= from && r.ts <= to);
    // 24h of 5-min bars, both ends inclusive: 289 timestamps × 3 symbols.
    assert.equal(want.length, 289 * 3);
    assert.equal(got.length, want.length);
    assert.equal(got[0].ts, from);
    assert.equal(got[got.length - 1].ts, to);
    assert.ok(got.every((r) => r.ts! >= from && r.ts! <= to), "PIT: no row outside the window");
    assert.deepEqual(got, [...want].sort((a, b) => a.ts - b.ts || a.symbol.localeCompare(b.symbol)));

    // Types as stored: ts INT64 timestamp(MILLIS), not DOUBLE; fields in the spec's order; codec as asked.
    const parts = await listPartitions(`${dir.path}/cold/ohlcv/current`);
    const file = (await listPartFiles(parts[3].dir))[0];
    assert.match(file.name, /^part-00000\.parquet$/);
    const f = await openPositional(file.path);
    try {
      // deno-lint-ignore no-explicit-any
      const md: any = await parquetMetadataAsync(f.asyncBuffer());
      const leaves = md.schema.slice(1);
      assert.deepEqual(leaves.map((e: { name: string }) => e.name), [
        "ts",
        "symbol",
        "open",
        "high",
        "low",
        "close",
        "volume",
      ]);
      assert.equal(leaves[0].type, "INT64");
      assert.equal(leaves[0].logical_type.type, "TIMESTAMP");
      assert.equal(leaves[0].logical_type.unit, "MILLIS");
      assert.equal(leaves[0].repetition_type, "REQUIRED");
      assert.equal(leaves[1].type, "BYTE_ARRAY");
      assert.equal(leaves[1].logical_type.type, "STRING");
      for (const e of leaves.slice(2)) assert.equal(e.type, "DOUBLE");
      assert.ok(md.row_groups.length > 1, "small row groups: several per file");
      const want = codec === "lz4" ? "LZ4_RAW" : "GZIP";
      for (const rg of md.row_groups) for (const c of rg.columns) assert.equal(c.meta_data.codec, want);
    } finally {
      await f.close();
    }
    // Values come back as JS numbers with integer ms.
    assert.ok(got.every((r) => Number.isInteger(r.ts) && typeof r.close === "number"));
  });
}

Deno.test("rows are sorted by ts then symbol inside each file, whatever the input order", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({ row_group_size: 50 }), dir.path);
  const shuffled = [...ROWS].reverse();
  await store.write("ohlcv", shuffled);
  const got = await collect(store.read("ohlcv", { from: D0 - 3 * DAY_MS, to: D0 + 3 * DAY_MS }));
  assert.equal(got.length, ROWS.length);
  for (let i = 1; i < got.length; i++) {
    const a = got[i - 1] as OhlcvRow;
    const b = got[i] as OhlcvRow;
    assert.ok(a.ts < b.ts || (a.ts === b.ts && a.symbol < b.symbol), `row ${i} out of order`);
  }
});

Deno.test("column projection and symbol filter", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  await store.write("ohlcv", ROWS);
  const got = await collect(
    store.read("ohlcv", { from: D0, to: D0 + HOUR_MS }, { columns: ["ts", "close"], symbols: ["ETH/USD"] }),
  );
  const want = ROWS.filter((r) => r.ts >= D0 && r.ts <= D0 + HOUR_MS && r.symbol === "ETH/USD").map((r) => ({
    ts: r.ts,
    close: r.close,
  }));
  assert.equal(got.length, 13);
  assert.deepEqual(got, want);
  assert.deepEqual(Object.keys(got[0]), ["ts", "close"]);
});

Deno.test("appending a day writes a new part and never rewrites other days; reads merge parts in order", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  const day1 = ROWS.filter((r) => r.ts < D0);
  const later = ROWS.filter((r) => r.ts >= D0);
  // Split D0 in two writes whose rows interleave by symbol: same day, two parts.
  const first = [...day1, ...later.filter((r) => r.symbol !== "ETH/USD")];
  const second = later.filter((r) => r.symbol === "ETH/USD");
  await store.write("ohlcv", first);
  const before = new Map<string, Deno.FileInfo>();
  // Through `current`'s target as it is now: the files of snapshot v1.
  const v1 = `${store.root}/${await Deno.readLink(`${store.root}/current`)}`;
  for (const p of await listPartitions(v1)) {
    for (const f of await listPartFiles(p.dir)) before.set(f.path, await Deno.stat(f.path));
  }
  assert.equal(before.size, 6);
  const res = await store.write("ohlcv", second);
  assert.deepEqual(res.partitions, ["2025-09-01", "2025-09-02", "2025-09-03"]);
  assert.ok(res.files.every((f) => /part-00001\.parquet$/.test(f)), res.files.join(","));
  for (const [path, st] of before) {
    // The same bytes (same inode) carry over into the new snapshot: nothing was rewritten.
    const now = await Deno.stat(path.replace(v1, `${store.root}/current`));
    assert.equal(now.ino, st.ino, `${path} carried over as a hard link`);
    assert.equal(now.mtime?.getTime(), st.mtime?.getTime(), `${path} untouched`);
    assert.equal(now.size, st.size);
  }
  const got = await collect(store.read("ohlcv", { from: D0 - 3 * DAY_MS, to: D0 + 3 * DAY_MS }));
  assert.deepEqual(got, [...ROWS].sort((a, b) => a.ts - b.ts || a.symbol.localeCompare(b.symbol)));
});

Deno.test("enable_parquet: false → everything is CSV (format parquet in config is ignored)", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({ enable_parquet: false, format: "parquet" }), dir.path);
  assert.equal(store.format, "csv");
  const res = await store.write("ohlcv", ROWS.slice(0, 300));
  assert.ok(res.files.every((f) => f.endsWith(".csv.gz")), res.files.join(","));
  const got = await collect(store.read("ohlcv", { from: 0, to: D0 + 3 * DAY_MS }));
  assert.equal(got.length, 300);
  // No Parquet anywhere.
  const parts = await listPartitions(`${store.root}/current`);
  assert.ok(parts.length > 0);
  for (const p of parts) {
    assert.ok((await listPartFiles(p.dir)).every((f) => f.ext === ".csv.gz"));
  }
});
