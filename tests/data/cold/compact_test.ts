// `cold compact`: each day's parts merged into one sorted part in ONE commit that removes the old parts and
// adds the new — the commit path's removals, for real. Identical rows stored twice (a wave-1 table written by
// two concurrent writers) are kept once; a key stored twice with different values refuses the compaction.
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { encodeParquet } from "../../../src/data/cold/parquet_write.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { DAY_MS } from "../../../src/util/time.ts";
import { runCliCaptured } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, columnsOf, syntheticBars } from "./synthetic.ts";
import { assertCurrentClean, currentManifest, duckFingerprint } from "./table_helpers.ts";

const D0 = Date.parse("2025-03-01T00:00:00Z");
const SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD"];
const ROWS = syntheticBars({ start: D0, end: D0 + 3 * DAY_MS, stepMs: 600_000, symbols: SYMBOLS, seed: 41 });
const ALL = { from: 0, to: 8.64e15 };

Deno.test("compact: three appends per day → one sorted part per day, in one commit; same rows", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  for (const s of SYMBOLS) await store.write("ohlcv", ROWS.filter((r) => r.symbol === s)); // v1..v3
  const before = await collect(store.read("ohlcv", ALL));
  const duckBefore = await duckFingerprint(store.root);
  assert.equal((await currentManifest(store.root))!.files.length, 9);
  // Only the first two days.
  const r = await runCliCaptured([
    "--data-dir",
    dir.path,
    "cold",
    "compact",
    "--from",
    "2025-03-01",
    "--to",
    "2025-03-02T23:59:59.999Z",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /compacted 2 day\(s\): 6 part\(s\) → 2 \(864 rows\), snapshot 4/);
  const m = (await currentManifest(store.root))!;
  assert.equal(m.operation, "compact");
  assert.equal(m.parent, 3);
  assert.deepEqual(m.added, ["dt=2025-03-01/part-00003.parquet", "dt=2025-03-02/part-00003.parquet"]);
  assert.equal(m.removed.length, 6);
  assert.deepEqual(m.files.map((f) => `${f.dt}/${f.name}`), [
    "2025-03-01/part-00003.parquet",
    "2025-03-02/part-00003.parquet",
    "2025-03-03/part-00000.parquet",
    "2025-03-03/part-00001.parquet",
    "2025-03-03/part-00002.parquet",
  ]);
  // New part numbers: a name never refers to other bytes than it did in an earlier snapshot.
  assert.deepEqual(await collect(store.read("ohlcv", ALL)), before);
  assert.equal(await duckFingerprint(store.root), duckBefore);
  assert.ok((await store.verify("ohlcv")).ok);
  await assertCurrentClean(store.root);
  const again = await store.compact("ohlcv", { range: { from: D0, to: D0 + 2 * DAY_MS - 1 } });
  assert.equal(again.snapshot, null, "nothing left to compact there");
});

Deno.test("compact: identical rows stored twice are kept once (counted); different values refuse it", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path, { log: { warn() {} } });
  // A wave-1 table written twice at once: day 1 stored twice.
  const pdir = `${store.root}/dt=2025-03-01`;
  await Deno.mkdir(pdir, { recursive: true });
  const day1 = ROWS.filter((r) => r.ts < D0 + DAY_MS);
  const spec = ColdSection.parse({}).parquet_schema;
  await Deno.writeFile(`${pdir}/part-00000.parquet`, encodeParquet(columnsOf(day1), spec, "zstd", 1000));
  await Deno.writeFile(`${pdir}/part-00001.parquet`, encodeParquet(columnsOf(day1), spec, "zstd", 1000));
  assert.equal((await collect(store.read("ohlcv", ALL))).length, 2 * day1.length);
  const r = await store.compact("ohlcv"); // upgrades the table first
  assert.equal(r.duplicatesDropped, day1.length);
  assert.equal(r.rows, day1.length);
  assert.deepEqual(await collect(store.read("ohlcv", ALL)), day1);
  assert.ok((await store.verify("ohlcv")).ok);

  // Conflicting copies: nothing compacted, the error names both rows.
  await using dir2 = await tempDir();
  const s2 = openColdStore(ColdSection.parse({}), dir2.path, { log: { warn() {} } });
  const p2 = `${s2.root}/dt=2025-03-01`;
  await Deno.mkdir(p2, { recursive: true });
  await Deno.writeFile(`${p2}/part-00000.parquet`, encodeParquet(columnsOf(day1), spec, "zstd", 1000));
  const changed = day1.map((x, i) => (i === 5 ? { ...x, close: x.close + 1 } : x));
  await Deno.writeFile(`${p2}/part-00001.parquet`, encodeParquet(columnsOf(changed), spec, "zstd", 1000));
  await assert.rejects(
    s2.compact("ohlcv"),
    /compact: \(ts, symbol\) 2025-03-01T00:10:00\.000Z SOL\/USD is stored twice in dt=2025-03-01 with different values: .*nothing compacted/,
  );
  assert.equal((await currentManifest(s2.root))!.operation, "upgrade", "only the upgrade was committed");
});
