// Bad input: corrupted Parquet, schema mismatch, bad CSV rows, duplicates — each a clear error, nothing half-written.
import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import * as pq from "parquet-wasm";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { listPartitions } from "../../../src/data/cold/layout.ts";
import { parquetEncoder, writeRows } from "../../../src/data/cold/writer.ts";
import { beginTransaction } from "../../../src/data/cold/commit.ts";
import { withTableLock } from "../../../src/data/cold/lock.ts";
import { names } from "./table_helpers.ts";
import { InputError } from "../../../src/util/errors.ts";
import { ChecksumError } from "../../../src/data/cold/checksum.ts";
import { DAY_MS } from "../../../src/util/time.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, syntheticBars } from "./synthetic.ts";

const D0 = Date.parse("2025-09-01T00:00:00Z");
const ROWS = syntheticBars({
  start: D0,
  end: D0 + 2 * DAY_MS,
  stepMs: 3_600_000,
  symbols: ["BTC/USD", "ETH/USD"],
  seed: 9,
});
const ALL = { from: D0, to: D0 + 2 * DAY_MS };

async function allFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const p of await listPartitions(root)) {
    for await (const e of Deno.readDir(p.dir)) out.push(`${p.dt}/${e.name}`);
  }
  return out.sort();
}

Deno.test("a corrupted or truncated part → ChecksumError naming the file and offset, no row returned", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  const res = await store.write("ohlcv", ROWS);
  const victim = res.files[0];
  const bytes = await Deno.readFile(victim);
  // Garble the footer (the last bytes hold its length and the PAR1 magic).
  const garbled = bytes.slice();
  garbled.fill(0x55, garbled.length - 64);
  await Deno.writeFile(victim, garbled);
  await assert.rejects(collect(store.read("ohlcv", ALL)), (e: Error) => {
    assert.ok(e instanceof ChecksumError, `${e}`);
    assert.ok(e instanceof InputError, "exit 1");
    assert.ok(e.message.includes(victim), e.message);
    assert.match(e.message, /checksum mismatch at bytes 0\.\.\d+ \(block 0 of 1\)/);
    return true;
  });
  // A truncated file: its size differs from the manifest's.
  await Deno.writeFile(victim, bytes.subarray(0, 100));
  await assert.rejects(
    collect(store.read("ohlcv", ALL)),
    new RegExp(
      `${
        victim.replaceAll("/", "\\/").replaceAll(".", "\\.")
      }: size 100 bytes differs from the manifest's ${bytes.length}`,
    ),
  );
});

function writeForeignParquet(path: string, fields: arrow.Field[], cols: Record<string, arrow.Data>) {
  const schema = new arrow.Schema(fields);
  const n = Object.values(cols)[0].length;
  const data = arrow.makeData({
    type: new arrow.Struct(fields),
    length: n,
    children: fields.map((f) => cols[f.name]),
  });
  const t = new arrow.Table(schema, [new arrow.RecordBatch(schema, data)]);
  Deno.writeFileSync(path, pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(t, "stream"))));
}

Deno.test("schema mismatch (ts as float64; wrong field order) → file, field, expected vs found, sample row", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  const pdir = `${store.root}/dt=2025-09-01`;
  await Deno.mkdir(pdir, { recursive: true });
  const f64 = (xs: number[]) =>
    arrow.makeData({ type: new arrow.Float64(), data: new Float64Array(xs), length: xs.length });
  const sym = arrow.vectorFromArray(["BTC/USD"], new arrow.Utf8()).data[0];
  const cols = {
    ts: f64([D0]),
    symbol: sym,
    open: f64([1]),
    high: f64([2]),
    low: f64([0.5]),
    close: f64([1.5]),
    volume: f64([10]),
  };
  const names = ["ts", "symbol", "open", "high", "low", "close", "volume"];
  const file = `${pdir}/part-00000.parquet`;
  writeForeignParquet(
    file,
    names.map((n) => new arrow.Field(n, n === "symbol" ? new arrow.Utf8() : new arrow.Float64(), false)),
    cols,
  );
  await assert.rejects(collect(store.read("ohlcv", ALL)), (e: Error) => {
    assert.ok(e instanceof InputError, `${e}`);
    assert.ok(e.message.includes(file), e.message);
    assert.match(e.message, /field ts: expected timestamp\(ms\), found DOUBLE/);
    assert.match(e.message, /sample row: \{.*"symbol":"BTC\/USD"/);
    return true;
  });
  // Field order: close before open.
  const swapped = ["ts", "symbol", "close", "high", "low", "open", "volume"];
  const tsData = arrow.makeData({
    type: new arrow.TimestampMillisecond("UTC"),
    data: new BigInt64Array([BigInt(D0)]),
    length: 1,
  });
  writeForeignParquet(
    file,
    swapped.map((n) =>
      new arrow.Field(
        n,
        n === "symbol"
          ? new arrow.Utf8()
          : n === "ts"
          ? new arrow.TimestampMillisecond("UTC")
          : new arrow.Float64(),
        false,
      )
    ),
    { ...cols, ts: tsData },
  );
  await assert.rejects(
    collect(store.read("ohlcv", ALL)),
    /field #3 expected open \(double\), found close \(open is at #6: wrong field order\)/,
  );
  // stats reads the same files and fails the same way (never silently wrong).
  await assert.rejects(store.stats("ohlcv"), /schema mismatch/);
});

Deno.test("a stored CSV with a bad row → file:line, field and value", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({ enable_parquet: false, compression: "none" }), dir.path);
  const pdir = `${store.root}/dt=2025-09-01`;
  await Deno.mkdir(pdir, { recursive: true });
  const file = `${pdir}/part-00000.csv`;
  await Deno.writeTextFile(
    file,
    `ts_ms,symbol,open,high,low,close,volume\n${D0},BTC/USD,1,2,0.5,1.5,10\n${
      D0 + 60000
    },BTC/USD,1,abc,0.5,1.5,10\n`,
  );
  await assert.rejects(collect(store.read("ohlcv", ALL)), (e: Error) => {
    assert.ok(e instanceof InputError, `${e}`);
    assert.match(
      e.message,
      new RegExp(
        `${
          file.replaceAll("/", "\\/").replaceAll(".", "\\.")
        }:3: high: expected a finite number, found "abc"`,
      ),
    );
    return true;
  });
  await Deno.writeTextFile(file, `ts,sym,open,high,low,close,volume\n`);
  await assert.rejects(
    collect(store.read("ohlcv", ALL)),
    /:1: schema mismatch: field #1 expected ts_ms, found "ts"/,
  );
});

Deno.test("invalid rows are rejected with the reason — and nothing is written", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  const bad = [
    [{ ...ROWS[5], close: NaN }, /close: expected a finite double, found NaN/],
    [{ ...ROWS[5], open: -Infinity }, /open: expected a finite double, found -Infinity/],
    [{ ...ROWS[5], high: 1, low: 2 }, /high: 1 is below low 2/],
    [{ ...ROWS[5], volume: -1 }, /volume: negative \(-1\)/],
    [
      { ...ROWS[5], symbol: "BTC/USDT" },
      /symbol: expected a normalised USD pair like BTC\/USD, found "BTC\/USDT"/,
    ],
    [{ ...ROWS[5], ts: 1.5 }, /ts: expected integer epoch milliseconds/],
  ] as const;
  for (const [row, re] of bad) {
    await assert.rejects(store.write("ohlcv", [...ROWS.slice(0, 40), row, ...ROWS.slice(40)]), (e: Error) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /^row 41: /);
      assert.match(e.message, re);
      assert.match(e.message, /sample row: \{"ts":/);
      return true;
    });
  }
  // Rows of other days were already flushed to temp files in the failing write: all removed.
  assert.deepEqual(await allFiles(store.root), []);
});

Deno.test("a failure late in a multi-day write leaves no file behind (temp files removed)", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  await store.write("ohlcv", ROWS.slice(0, 10));
  const before = await allFiles(store.root);
  // maxRowsPerFile 8 forces several temp part files to be written before the bad last row arrives.
  await assert.rejects(
    store.write("ohlcv", [...ROWS.slice(10), { ...ROWS[0], ts: D0 + 3 * DAY_MS, high: 0, low: 1 }], {
      maxRowsPerFile: 8,
    }),
    /high/,
  );
  assert.deepEqual(await allFiles(store.root), before);
  assert.equal((await collect(store.read("ohlcv", ALL))).length, 10);
});

Deno.test("an error while the next snapshot is built leaves `current` as it was: all or nothing", async () => {
  await using dir = await tempDir();
  const cfg = ColdSection.parse({});
  const store = openColdStore(cfg, dir.path);
  const DAY2 = ROWS.filter((r) => r.ts >= D0 + DAY_MS);
  await store.write("ohlcv", ROWS.filter((r) => r.ts < D0 + DAY_MS));
  const before = await Deno.readLink(`${store.root}/current`);
  const earlier = await collect(store.read("ohlcv", ALL));
  const more = [...DAY2, { ...DAY2[0], ts: D0 + 2 * DAY_MS }, {
    ...DAY2[0],
    ts: D0 + 23 * 3_600_000 + 60_000,
  }];
  // Stage the parts, then lose one of them before the commit (e.g. EIO, a full disk): the link fails.
  const opts = { table: "ohlcv", command: "test", keepSnapshots: 2, graceMs: 0 };
  await withTableLock(store.root, { table: "ohlcv", command: "test", waitMs: 0 }, async (lock) => {
    const txn = await beginTransaction(store.root, lock, opts);
    const staged = await writeRows(more, {
      txn,
      encoder: parquetEncoder(cfg.parquet_schema, "zstd", 1000),
      readFile: () => (async function* () {})(),
      maxRowsPerFile: 1_000_000,
      skipInvalid: false,
    });
    assert.equal(staged.staged.length, 3);
    const victim = await txn.stagingPath(staged.staged[1].dt, staged.staged[1].name);
    await Deno.remove(victim);
    await assert.rejects(txn.commit("write"), /cannot link .*v00000002/);
  });
  // Nothing of that write is visible or left behind, and the earlier data reads back as it was.
  assert.equal(await Deno.readLink(`${store.root}/current`), before);
  assert.deepEqual(await collect(store.read("ohlcv", ALL)), earlier);
  assert.deepEqual(await names(`${store.root}/_snapshots`), ["v00000001"]);
  assert.deepEqual(await names(`${store.root}/_staging`), []);
  // The same rows can be written again afterwards.
  const res = await store.write("ohlcv", more);
  assert.equal(res.rows, more.length);
  assert.equal((await collect(store.read("ohlcv", ALL))).length, earlier.length + more.length);
});

Deno.test("duplicates in the input, rows already stored (identical: counted; different: conflict)", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  await assert.rejects(store.write("ohlcv", [...ROWS, ROWS[3]]), (e: Error) => {
    assert.match(
      e.message,
      /duplicate \(ts, symbol\): 2025-09-01T01:00:00.000Z ETH\/USD .*more than once in the input/,
    );
    return true;
  });
  await store.write("ohlcv", ROWS.slice(0, 20));
  // A re-run of overlapping input: rows stored with identical values are not written again, not an error.
  const again = await store.write("ohlcv", ROWS.slice(15, 30));
  assert.equal(again.rows, 10);
  assert.equal(again.alreadyStored, 5);
  assert.deepEqual(again.skipped, {});
  const nothing = await store.write("ohlcv", ROWS.slice(0, 30));
  assert.equal(nothing.rows, 0);
  assert.equal(nothing.alreadyStored, 30);
  assert.equal(nothing.snapshot, null, "nothing new: no commit");
  // The same key with other values is a conflict naming ts, symbol and both values.
  const changed = { ...ROWS[22], close: ROWS[22].close + 1 };
  await assert.rejects(store.write("ohlcv", [ROWS[30], changed]), (e: Error) => {
    assert.match(
      e.message,
      /^conflict: \(ts, symbol\) 2025-09-01T11:00:00\.000Z BTC\/USD \(ts=1756724400000\)/,
    );
    assert.ok(e.message.includes(`"close":${ROWS[22].close}`), e.message);
    assert.ok(e.message.includes(`"close":${changed.close}`), e.message);
    assert.match(e.message, /1 conflicting row\(s\) in day 2025-09-01 \(use --skip-invalid/);
    return true;
  });
  const res = await store.write("ohlcv", [...ROWS.slice(30, 40), ROWS[35], changed, {
    ...ROWS[36],
    volume: -5,
  }], {
    skipInvalid: true,
  });
  assert.deepEqual(res.skipped, { duplicate: 1, conflict: 1, negative_volume: 1 });
  assert.equal(res.rows, 10);
  const got = await collect(store.read("ohlcv", ALL));
  assert.equal(got.length, 40);
  assert.equal(new Set(got.map((r) => `${r.ts}|${r.symbol}`)).size, 40);
  assert.equal(got.find((r) => r.ts === ROWS[22].ts && r.symbol === ROWS[22].symbol)!.close, ROWS[22].close);
});

Deno.test("unknown table, bad range, unknown column → clear errors", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  await assert.rejects(collect(store.read("trades", ALL)), /table: unknown table "trades"/);
  await assert.rejects(collect(store.read("ohlcv", { from: 10, to: 5 })), /range: expected from <= to/);
  await assert.rejects(
    collect(store.read("ohlcv", ALL, { columns: ["ts", "vwap"] })),
    /columns: unknown column "vwap"/,
  );
  assert.throws(
    () =>
      openColdStore(
        ColdSection.parse({
          parquet_schema: { fields: [{ name: "ts", type: "timestamp(ms)", required: true }] },
        }),
        dir.path,
      ),
    /cold\.parquet_schema\.fields: expected the ohlcv fields/,
  );
});
