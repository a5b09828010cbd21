// The fast page decoder (src/data/cold/parquet_pages.ts) against files it did not write: data page v2,
// PLAIN (no dictionary) and dictionary pages, tiny pages, nulls in value columns, an unsorted file, and a
// legacy-LZ4 file that must take the parquet-wasm path. Expected rows are computed from the input.
import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import * as pq from "parquet-wasm";
import { parquetMetadata } from "hyparquet";
import { readRleBitPackedHybrid } from "hyparquet/src/encoding.js";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { arrowSchema } from "../../../src/data/cold/parquet_write.ts";
import { fastPathDecodes, readHybrid } from "../../../src/data/cold/parquet_pages.ts";
import type { ColumnBatch } from "../../../src/data/cold/columns.ts";
import type { IoEvent } from "../../../src/data/cold/types.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect } from "./synthetic.ts";
import { DECODER_CASES, foreignProps } from "./foreign_parquet.ts";

const D0 = Date.parse("2025-09-01T00:00:00Z");
const SYMS = ["AAA/USD", "BBB/USD", "CCC/USD"];
const VALUES = ["open", "high", "low", "close", "volume"] as const;

interface Row {
  ts: number;
  symbol: string;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number | null;
}

/** 600 minutes × 3 symbols, sorted; every 7th close and every 11th volume is null. */
function makeRows(): Row[] {
  let s = 99;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const rows: Row[] = [];
  for (let m = 0; m < 600; m++) {
    for (const symbol of SYMS) {
      const i = rows.length;
      const p = Math.round(rnd() * 1000) / 8; // repeated values: the dictionary is used
      rows.push({
        ts: D0 + m * 60_000,
        symbol,
        open: p,
        high: p + 1,
        low: p - 1,
        close: i % 7 === 3 ? null : p + 0.5,
        volume: i % 11 === 5 ? null : rnd() * 100,
      });
    }
  }
  return rows;
}

function writeFile(rows: Row[], props: pq.WriterProperties): Uint8Array {
  const spec = ColdSection.parse({}).parquet_schema;
  const schema = arrowSchema(spec);
  const n = rows.length;
  const children = schema.fields.map((f) => {
    const vals = rows.map((r) => r[f.name as keyof Row]);
    return arrow.vectorFromArray(vals, f.type).data[0];
  });
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children });
  const table = new arrow.Table(schema, [new arrow.RecordBatch(schema, data)]);
  return pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, "stream")), props);
}

const props = (opts: { codec: pq.Compression; v2: boolean; dictionary: boolean }) => foreignProps(opts);

/** Every row of the batches as plain objects (null values read back as NaN). */
function flatten(batches: ColumnBatch[]): Record<string, number | string>[] {
  const out: Record<string, number | string>[] = [];
  for (const b of batches) {
    for (let i = 0; i < b.length; i++) {
      const r: Record<string, number | string> = { ts: b.ts[i], symbol: b.symbol[i] };
      for (const c of VALUES) if (b[c]) r[c] = b[c]![i];
      out.push(r);
    }
  }
  return out;
}

function expected(
  rows: Row[],
  from: number,
  to: number,
  symbols?: string[],
  cols: readonly (typeof VALUES)[number][] = VALUES,
) {
  return rows.filter((r) => r.ts >= from && r.ts <= to && (!symbols || symbols.includes(r.symbol))).map(
    (r) => {
      const o: Record<string, number | string> = { ts: r.ts, symbol: r.symbol };
      for (const c of cols) o[c] = r[c] ?? NaN;
      return o;
    },
  );
}

async function storeWith(dir: string, bytes: Uint8Array) {
  await Deno.mkdir(`${dir}/cold/ohlcv/dt=2025-09-01`, { recursive: true });
  await Deno.writeFile(`${dir}/cold/ohlcv/dt=2025-09-01/part-00000.parquet`, bytes);
  return openColdStore(ColdSection.parse({}), dir);
}

const WINDOWS: [number, number][] = [
  [D0, D0 + 600 * 60_000], // everything
  [D0 + 37 * 60_000 + 1, D0 + 41 * 60_000], // a few minutes inside one row group, mid page
  [D0 + 150 * 60_000, D0 + 350 * 60_000 - 1], // across row groups
  [D0 + 599 * 60_000, D0 + 700 * 60_000], // the last minute
];

const CASES = DECODER_CASES;

for (const c of CASES) {
  Deno.test(`${c.fast ? "fast page decoder" : "parquet-wasm fallback"}: ${c.name} — exact rows, nulls as NaN, nothing after \`to\``, async () => {
    await using dir = await tempDir();
    const rows = makeRows();
    const bytes = writeFile(rows, props(c));
    const md = parquetMetadata(bytes.slice().buffer);
    const groups = md.row_groups.map((_, i) => i);
    assert.equal(fastPathDecodes(md, groups, [0, 1, 2, 3, 4, 5, 6]), c.fast, "decoder chosen");
    const store = await storeWith(dir.path, bytes);
    for (const [from, to] of WINDOWS) {
      const got = flatten(await collect(store.readBatches("ohlcv", { from, to })));
      assert.deepEqual(got, expected(rows, from, to), `window ${from}..${to}`);
      assert.ok(got.every((r) => (r.ts as number) <= to), "PIT");
      const proj = flatten(
        await collect(
          store.readBatches("ohlcv", { from, to }, { columns: ["ts", "close"], symbols: ["BBB/USD"] }),
        ),
      );
      assert.deepEqual(proj, expected(rows, from, to, ["BBB/USD"], ["close"]), `projection ${from}..${to}`);
    }
  });
}

Deno.test("fast page decoder: a narrow window reads only the pages that hold it", async () => {
  await using dir = await tempDir();
  const rows = makeRows();
  const file = writeFile(
    rows,
    new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD).setDictionaryEnabled(false)
      .setDataPageSizeLimit(1024).setWriteBatchSize(16).build(), // one row group of 1,800 rows, ~1 KiB pages
  );
  const store = await storeWith(dir.path, file);
  const events: IoEvent[] = [];
  const from = D0 + 100 * 60_000;
  const got = await collect(
    store.readBatches("ohlcv", { from, to: from + 60_000 }, { onIo: (e) => events.push(e) }),
  );
  assert.equal(got.reduce((s, b) => s + b.length, 0), 6);
  assert.equal(events.filter((e) => e.kind === "row_group").length, 1);
  const bytes = events.find((e) => e.kind === "bytes") as Extract<IoEvent, { kind: "bytes" }>;
  // Footer + all of ts + a page or two of each other column: a fraction of the file.
  assert.ok(bytes.bytes < file.length / 2, `read ${bytes.bytes} B of a ${file.length} B file`);
});

Deno.test("fast page decoder: rows out of order inside the window are filtered row by row, none after `to`", async () => {
  await using dir = await tempDir();
  const rows = makeRows();
  // The first 10 minutes moved after minute 150: the reader sees ts go back, and cannot stop at `to`.
  const early = rows.filter((r) => r.ts < D0 + 10 * 60_000);
  const at = rows.findIndex((r) => r.ts > D0 + 150 * 60_000);
  const moved = [...rows.slice(early.length, at), ...early, ...rows.slice(at)];
  const store = await storeWith(
    dir.path,
    writeFile(moved, props({ codec: pq.Compression.ZSTD, v2: false, dictionary: true })),
  );
  const from = D0 + 100 * 60_000;
  const to = D0 + 200 * 60_000;
  const got = flatten(await collect(store.readBatches("ohlcv", { from, to })));
  assert.deepEqual(got, expected(rows, from, to));
  const all = flatten(await collect(store.readBatches("ohlcv", { from: D0, to })));
  assert.equal(all.length, rows.filter((r) => r.ts <= to).length);
  assert.ok(all.every((r) => (r.ts as number) <= to));
});

Deno.test("a file sorted past `to` whose later rows go back into the window: none is dropped", async () => {
  // A foreign file need not be sorted: rows 100–110 written at the end. Sorted up to the first row after
  // `to`, so a reader that stopped there would silently lose them; the row-group statistics say the group
  // holds them, and every one must come back (and still nothing after `to`).
  for (const dictionary of [true, false]) {
    await using dir = await tempDir();
    const rows = makeRows();
    const late = rows.filter((r) => r.ts >= D0 + 100 * 60_000 && r.ts <= D0 + 110 * 60_000);
    const moved = [...rows.filter((r) => !late.includes(r)), ...late];
    const store = await storeWith(
      dir.path,
      writeFile(moved, props({ codec: pq.Compression.ZSTD, v2: false, dictionary })),
    );
    const from = D0 + 100 * 60_000;
    const to = D0 + 200 * 60_000;
    const got = flatten(await collect(store.readBatches("ohlcv", { from, to })))
      .sort((a, b) =>
        (a.ts as number) - (b.ts as number) || String(a.symbol).localeCompare(String(b.symbol))
      );
    assert.deepEqual(got, expected(rows, from, to), `dictionary: ${dictionary}`);
  }
});

/** RLE/bit-packed hybrid encoder (spec: Parquet Encodings, RLE_DICTIONARY) for the unit test below. */
function encodeHybrid(values: number[], width: number): Uint8Array {
  const out: number[] = [];
  const varint = (x: number) => {
    while (x >= 0x80) {
      out.push((x & 0x7f) | 0x80);
      x = Math.floor(x / 128);
    }
    out.push(x);
  };
  let i = 0;
  while (i < values.length) {
    let run = 1;
    while (i + run < values.length && values[i + run] === values[i]) run++;
    if (run >= 8) {
      varint(run * 2);
      for (let b = 0; b < width; b += 8) out.push((values[i] >>> b) & 0xff);
      i += run;
    } else {
      const groups = Math.ceil(Math.min(64, values.length - i) / 8);
      varint(groups * 2 + 1);
      let acc = 0n;
      let bits = 0n;
      for (let k = 0; k < groups * 8; k++) {
        acc |= BigInt(values[i + k] ?? 0) << bits;
        bits += BigInt(width);
      }
      for (let b = 0; b < groups * width; b++) out.push(Number((acc >> BigInt(8 * b)) & 0xffn));
      i += groups * 8;
    }
  }
  return new Uint8Array(out);
}

Deno.test("readHybrid decodes RLE and bit-packed runs like hyparquet, widths 1..24", () => {
  let s = 5;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  for (let width = 1; width <= 24; width++) {
    const n = 1000 + Math.floor(rnd() * 50);
    const values: number[] = [];
    while (values.length < n) {
      const v = Math.floor(rnd() * 2 ** width);
      const rep = rnd() < 0.3 ? 20 : 1;
      for (let k = 0; k < rep && values.length < n; k++) values.push(v);
    }
    const bytes = encodeHybrid(values, width);
    const ours = new Int32Array(n);
    const sum = readHybrid(bytes, 0, bytes.length, width, ours, n);
    const theirs = new Int32Array(n);
    readRleBitPackedHybrid({ view: new DataView(bytes.buffer), offset: 0 }, width, theirs, bytes.length);
    assert.deepEqual([...ours], values, `width ${width}`);
    assert.deepEqual(ours, theirs);
    assert.equal(sum, values.reduce((a, b) => a + b, 0));
  }
});

Deno.test("readHybrid: truncated data is an error, not garbage", () => {
  const bytes = encodeHybrid([1, 2, 3, 4, 5, 6, 7, 0, 1, 2], 3);
  assert.throws(() => readHybrid(bytes, 0, 2, 3, new Int32Array(10), 10), /RLE\/bit-packed data ends/);
});

Deno.test("writes: prices and volume PLAIN (no dictionary page), ts and symbol dictionary-encoded", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  const rows = makeRows().map((r) => ({ ...r, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3 }));
  const res = await store.write("ohlcv", rows);
  const bytes = await Deno.readFile(res.files[0]);
  const md = parquetMetadata(bytes.buffer);
  for (const rg of md.row_groups) {
    for (const c of rg.columns) {
      const m = c.meta_data!;
      const dictionary = m.encodings.includes("RLE_DICTIONARY") || m.encodings.includes("PLAIN_DICTIONARY");
      const name = m.path_in_schema[0];
      assert.equal(dictionary, name === "ts" || name === "symbol", `${name}: ${m.encodings.join(",")}`);
    }
  }
  const got = flatten(await collect(store.readBatches("ohlcv", { from: D0, to: D0 + 600 * 60_000 })));
  assert.equal(got.length, rows.length);
});
