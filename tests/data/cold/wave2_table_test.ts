// The on-disk format of the ohlcv table is unchanged by the multi-table cold tier: a table written by the
// wave-2 code (fixtures/cold/table_wave2: snapshot v2 of real Kraken bars, Parquet parts plus a CSV append,
// committed by the previous release) opens, verifies and reads as it is — and the same rows written today give
// byte-identical part files (same BLAKE3 as that manifest lists).
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { readManifest } from "../../../src/data/cold/manifest.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, parseFixtureCsv } from "./synthetic.ts";
import { copyTree, duckFingerprint, ourFingerprint } from "./table_helpers.ts";

const FIXTURE = new URL("../../../fixtures/cold/table_wave2", import.meta.url).pathname;
const ROWS = parseFixtureCsv(
  await Deno.readTextFile(new URL("../../../fixtures/cold/ohlcv_kraken_1h_slice.csv", import.meta.url)),
).slice(0, 360);

Deno.test("a wave-2 ohlcv table opens, verifies and reads as it is (ours and DuckDB's glob agree)", async () => {
  await using dir = await tempDir();
  await copyTree(FIXTURE, `${dir.path}/data`);
  const store = openColdStore(ColdSection.parse({}), `${dir.path}/data`);
  const v = await store.verify("ohlcv");
  assert.deepEqual([v.ok, v.snapshot, v.files, v.damaged], [true, 2, 5, []]);
  const got = await collect(store.read("ohlcv", { from: 0, to: 8.64e15 }));
  assert.deepEqual(got, ROWS);
  // DuckDB's documented glob reads the Parquet parts (the CSV append is read_csv's): 240 of the 360 rows.
  assert.equal(Number((await duckFingerprint(store.root)).split(":")[0]), 240);
  assert.equal(Number((await ourFingerprint(`${dir.path}/data`)).split(":")[0]), 360);
  const s = await store.stats("ohlcv");
  assert.deepEqual([s.layout, s.snapshot, s.rows, s.files, s.formats], ["snapshot", 2, 360, 5, {
    parquet: 3,
    csv: 2,
  }]);
});

Deno.test("the same rows written today give the same bytes, part for part", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  await store.write("ohlcv", ROWS.slice(0, 240), { rowGroupSize: 50 });
  await store.write("ohlcv", ROWS.slice(240), { format: "csv" });
  const want = await readManifest(`${FIXTURE}/cold/ohlcv/_snapshots/v00000002`);
  const got = await readManifest(`${store.root}/_snapshots/v00000002`);
  const files = (m: typeof want) => m.files.map((f) => `${f.dt}/${f.name} ${f.size} ${f.blake3} ${f.blocks}`);
  assert.deepEqual(files(got), files(want));
});
