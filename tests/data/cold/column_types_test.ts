// The column types beyond ohlcv's — int64 (trades), nullable strings (units, checks), nullable timestamps,
// a string key column (venue) — through both Parquet read paths: the fast page decoder (dictionary and PLAIN
// pages, v1/v2, snappy/gzip/zstd/lz4_raw) and the parquet-wasm fallback (DELTA encodings, legacy LZ4), on
// files written by another writer with nulls everywhere allowed. Same rows, nulls as NaN / "", nothing after
// `to`; and what our own writer produces reads back identically in Parquet and CSV.
import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import * as pq from "parquet-wasm";
import { parquetMetadata } from "hyparquet";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdTables } from "../../../src/data/cold/store.ts";
import { arrowSchema } from "../../../src/data/cold/parquet_write.ts";
import { fastPathDecodes } from "../../../src/data/cold/parquet_pages.ts";
import type { TableRow } from "../../../src/data/cold/batch.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect } from "./synthetic.ts";
import { DECODER_CASES, foreignProps } from "./foreign_parquet.ts";

const D0 = Date.parse("2025-09-01T00:00:00Z");
const FIELDS = [
  { name: "ts", type: "timestamp(ms)", required: true },
  { name: "symbol", type: "string", required: true },
  { name: "venue", type: "string", required: true },
  { name: "n", type: "int64" },
  { name: "label", type: "string" },
  { name: "x", type: "double" },
  { name: "at", type: "timestamp(ms)" },
] as const;
const CFG = ColdSection.parse({
  tables: { mixed: { fields: FIELDS as unknown as never, key: ["ts", "symbol", "venue"] } },
});

type Row = {
  ts: number;
  symbol: string;
  venue: string;
  n: number | null;
  label: string | null;
  x: number | null;
  at: number | null;
};

/** 400 minutes × 2 symbols × 2 venues, sorted by key; seeded nulls in every nullable column. */
function makeRows(): Row[] {
  let s = 11;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const rows: Row[] = [];
  for (let m = 0; m < 400; m++) {
    for (const symbol of ["AAA/USD", "BBB/USD"]) {
      for (const venue of ["kraken", "okx"]) {
        const i = rows.length;
        rows.push({
          ts: D0 + m * 60_000,
          symbol,
          venue,
          n: i % 5 === 1 ? null : Math.floor(rnd() * 40), // repeats: dictionary pages
          label: i % 7 === 2 ? null : ["contracts", "base", "usd, quoted"][i % 3],
          x: i % 11 === 4 ? null : rnd() * 100,
          at: i % 13 === 6 ? null : D0 + 10 * 86_400_000 + (i % 17) * 1000,
        });
      }
    }
  }
  return rows;
}

function writeFile(rows: Row[], props: pq.WriterProperties): Uint8Array {
  const schema = arrowSchema({
    fields: FIELDS.map((f) => ({ ...f, required: "required" in f && f.required })),
  });
  const children = schema.fields.map((f) => {
    const vals = rows.map((r) => {
      const v = r[f.name as keyof Row];
      return (f.name === "ts" || f.name === "at" || f.name === "n") && v !== null ? BigInt(v as number) : v;
    });
    const type = arrow.DataType.isDictionary(f.type) ? new arrow.Utf8() : f.type;
    return arrow.vectorFromArray(vals, type).data[0];
  });
  const plain = new arrow.Schema(
    schema.fields.map((f, i) => new arrow.Field(f.name, children[i].type, f.nullable)),
  );
  const data = arrow.makeData({ type: new arrow.Struct(plain.fields), length: rows.length, children });
  const table = new arrow.Table(plain, [new arrow.RecordBatch(plain, data)]);
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, "stream")), props);
}

const expected = (rows: Row[], from: number, to: number, cols: string[] = FIELDS.map((f) => f.name)) =>
  rows.filter((r) => r.ts >= from && r.ts <= to).map((r) => {
    const o: Record<string, unknown> = {};
    for (const c of cols) {
      const v = r[c as keyof Row];
      o[c] = v === null ? (c === "label" ? "" : NaN) : v;
    }
    return o;
  });

const WINDOWS: [number, number][] = [
  [D0, D0 + 400 * 60_000],
  [D0 + 37 * 60_000 + 1, D0 + 41 * 60_000],
  [D0 + 70 * 60_000, D0 + 260 * 60_000 - 1],
  [D0 + 399 * 60_000, D0 + 500 * 60_000],
];

for (const c of DECODER_CASES) {
  Deno.test(`${c.fast ? "fast page decoder" : "parquet-wasm fallback"}: int64, nullable strings and timestamps, a string key — ${c.name}`, async () => {
    await using dir = await tempDir();
    const rows = makeRows();
    const bytes = writeFile(rows, foreignProps(c, 300));
    const md = parquetMetadata(bytes.slice().buffer);
    assert.equal(
      fastPathDecodes(md, md.row_groups.map((_, i) => i), [0, 1, 2, 3, 4, 5, 6]),
      c.fast,
      "decoder chosen",
    );
    const t = openColdTables(CFG, dir.path).table("mixed");
    // A foreign file dropped into the table's wave-1 layout (read as it is).
    await Deno.mkdir(`${t.root}/dt=2025-09-01`, { recursive: true });
    await Deno.writeFile(`${t.root}/dt=2025-09-01/part-00000.parquet`, bytes);
    for (const [from, to] of WINDOWS) {
      const got = await collect(t.read({ from, to }));
      assert.deepEqual(got, expected(rows, from, to), `window ${from}..${to}`);
      assert.ok(got.every((r) => (r.ts as number) <= to), "PIT");
      const proj = await collect(
        t.read({ from, to }, { columns: ["ts", "venue", "n", "label"], symbols: ["BBB/USD"] }),
      );
      assert.deepEqual(
        proj,
        expected(rows.filter((r) => r.symbol === "BBB/USD"), from, to, ["ts", "venue", "n", "label"]),
      );
    }
  });
}

for (const format of ["parquet", "csv"] as const) {
  Deno.test(`our writer (${format}): int64, nullable strings with commas and quotes, nullable timestamps round-trip`, async () => {
    await using dir = await tempDir();
    const t = openColdTables(CFG, dir.path).table("mixed");
    const rows: TableRow[] = makeRows().map((
      r,
      i,
    ) => ({ ...r, label: i === 9 ? 'say "hi", then' : r.label } as never));
    await t.write(rows, { format, rowGroupSize: 200 });
    const want = expected(makeRows(), 0, 8.64e15);
    (want[9] as Record<string, unknown>).label = 'say "hi", then';
    assert.deepEqual(await collect(t.read({ from: 0, to: 8.64e15 })), want);
  });
}
