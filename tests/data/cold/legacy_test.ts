// Tables of the wave-1 layout (dt=* directly under the root, `.part-*.tmp*` debris of killed writes) keep
// working: reads are correct (unverified, one warning saying how to upgrade), and `cold upgrade` — or the
// first write — converts them crash-safely into snapshot v1 (checksummed, debris dropped, root folders gone).
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { writeCsvFile } from "../../../src/data/cold/csv_file.ts";
import { encodeParquet } from "../../../src/data/cold/parquet_write.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import type { OhlcvRow } from "../../../src/data/cold/types.ts";
import { DAY_MS } from "../../../src/util/time.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, columnsOf, syntheticBars } from "./synthetic.ts";
import {
  assertCurrentClean,
  assertNoDebris,
  copyTree,
  currentManifest,
  duckFingerprint,
  ourFingerprint,
  runCli,
} from "./table_helpers.ts";

const D0 = Date.parse("2025-05-01T00:00:00Z");
const ROWS = syntheticBars({
  start: D0,
  end: D0 + 3 * DAY_MS,
  stepMs: 900_000,
  symbols: ["BTC/USD", "ETH/USD"],
  seed: 31,
});
const ALL = { from: 0, to: 8.64e15 };
const SPEC = ColdSection.parse({}).parquet_schema;

/**
 * A wave-1 table: day 1 in one Parquet part, day 2 in a Parquet part + a CSV part (an append in another
 * format), day 3 in one Parquet part; plus the debris of a killed write — a complete temp copy of day 1
 * that the old DuckDB glob `*\/*.parquet` read as data (double rows).
 */
async function buildLegacy(root: string): Promise<void> {
  const day = (i: number) => ROWS.filter((r) => r.ts >= D0 + i * DAY_MS && r.ts < D0 + (i + 1) * DAY_MS);
  const dir = (i: number) => `${root}/dt=${new Date(D0 + i * DAY_MS).toISOString().slice(0, 10)}`;
  for (const i of [0, 1, 2]) await Deno.mkdir(dir(i), { recursive: true });
  const pq = (rows: OhlcvRow[]) => encodeParquet(columnsOf(rows), SPEC, "zstd", 1000);
  await Deno.writeFile(`${dir(0)}/part-00000.parquet`, pq(day(0)));
  await Deno.writeFile(`${dir(1)}/part-00000.parquet`, pq(day(1).filter((r) => r.symbol === "BTC/USD")));
  await writeCsvFile(
    `${dir(1)}/part-00001.csv.gz`,
    columnsOf(day(1).filter((r) => r.symbol === "ETH/USD")),
    "gzip",
  );
  await Deno.writeFile(`${dir(2)}/part-00000.parquet`, pq(day(2)));
  await Deno.writeFile(`${dir(0)}/.part-1a2b3c4d5e6f.tmp.parquet`, pq(day(0)));
}

/** The root's entries (`_staging` left out: it exists once a commit staged something). */
async function rootEntries(root: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(root)) if (e.name !== "_staging") out.push(e.name);
  return out.sort();
}

Deno.test("a wave-1 table reads as before (with one warning), then `upgrade` converts it into snapshot v1", async () => {
  await using dir = await tempDir();
  const warnings: string[] = [];
  const store = openColdStore(ColdSection.parse({}), dir.path, { log: { warn: (m) => warnings.push(m) } });
  await buildLegacy(store.root);
  const sorted = [...ROWS].sort((a, b) => a.ts - b.ts || a.symbol.localeCompare(b.symbol));
  assert.deepEqual(await collect(store.read("ohlcv", ALL)), sorted, "debris is not read");
  assert.deepEqual(
    await collect(store.read("ohlcv", { from: D0, to: D0 + DAY_MS })),
    sorted.filter((r) => r.ts <= D0 + DAY_MS),
  );
  assert.equal(warnings.length, 1, "one warning per store");
  assert.match(warnings[0], /wave-1 layout: reads are NOT verified .*'cryptorun cold upgrade'/);
  const st = await store.stats("ohlcv");
  assert.equal(st.layout, "legacy");
  assert.equal(st.rows, ROWS.length);
  await assert.rejects(store.verify("ohlcv"), /wave-1 layout, which has no checksums .*cold upgrade/);

  const up = await store.upgrade("ohlcv");
  assert.equal(up?.files, 4);
  assert.equal(up?.debris, 1);
  const m = (await currentManifest(store.root))!;
  assert.equal(m.version, 1);
  assert.equal(m.operation, "upgrade");
  assert.deepEqual(m.files.map((f) => `${f.dt}/${f.name}:${f.rows}:${f.format}:${f.codec}`), [
    "2025-05-01/part-00000.parquet:192:parquet:zstd",
    "2025-05-02/part-00000.parquet:96:parquet:zstd",
    "2025-05-02/part-00001.csv.gz:96:csv:gzip",
    "2025-05-03/part-00000.parquet:192:parquet:zstd",
  ]);
  assert.deepEqual(m.part_seq, { "2025-05-01": 1, "2025-05-02": 2, "2025-05-03": 1 });
  // The root-level folders (and the debris) are gone; reads are the same rows, now verified.
  assert.deepEqual(await rootEntries(store.root), ["_lock", "_snapshots", "current"]);
  assert.deepEqual(await collect(store.read("ohlcv", ALL)), sorted);
  assert.ok((await store.verify("ohlcv")).ok);
  await assertCurrentClean(store.root);
  assert.equal(await store.upgrade("ohlcv"), null, "nothing left to upgrade");
  // The next append gets the next part number of its day.
  const more = { ...ROWS[ROWS.length - 1], ts: D0 + 2 * DAY_MS + 3_600_000 + 60_000 };
  const w = await store.write("ohlcv", [more]);
  assert.match(w.files[0], /dt=2025-05-03\/part-00001\.parquet$/);
});

Deno.test("the first write converts a wave-1 table (upgrade commit, then the write commit)", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path, { log: { warn() {} } });
  await buildLegacy(store.root);
  const extra = syntheticBars({
    start: D0 + 3 * DAY_MS,
    end: D0 + 4 * DAY_MS,
    stepMs: 900_000,
    symbols: ["BTC/USD"],
  });
  // Rows already stored identically are "already stored", as for any table.
  const res = await store.write("ohlcv", [...ROWS.slice(0, 10), ...extra]);
  assert.equal(res.rows, extra.length);
  assert.equal(res.alreadyStored, 10);
  assert.equal(res.snapshot, 2);
  const m = (await currentManifest(store.root))!;
  assert.equal(m.operation, "write");
  assert.equal(m.parent, 1);
  assert.equal((await collect(store.read("ohlcv", ALL))).length, ROWS.length + extra.length);
  assert.ok((await store.verify("ohlcv")).ok);
});

Deno.test("upgrade killed at any step: reads stay correct, a re-run converges to snapshot v1", async () => {
  await using tmp = await tempDir();
  const template = `${tmp.path}/template`;
  await buildLegacy(`${template}/cold/ohlcv`);
  const want = await ourFingerprint(template);
  const points = [
    "cold.upgrade_indexed:2",
    "cold.linked:3",
    "cold.manifest_written",
    "cold.before_switch",
    "cold.after_switch",
    "cold.gc:2",
  ];
  let duck: string | undefined;
  for (const fp of points) {
    const victim = `${tmp.path}/v-${fp.replace(/[^a-z0-9]/g, "_")}`;
    await copyTree(template, victim);
    const r = await runCli(["--data-dir", victim, "cold", "upgrade"], { CRYPTORUN_FAILPOINT: fp });
    assert.equal(r.signal, "SIGKILL", `${fp}: ${r.stderr}`);
    assert.equal(await ourFingerprint(victim), want, `${fp}: reads after the kill`);
    await assertCurrentClean(`${victim}/cold/ohlcv`);
    const again = await runCli(["--data-dir", victim, "cold", "upgrade"]);
    assert.equal(again.code, 0, `${fp}: ${again.stderr}`);
    const root = `${victim}/cold/ohlcv`;
    assert.equal((await currentManifest(root))!.version, 1, fp);
    assert.deepEqual(await rootEntries(root), ["_lock", "_snapshots", "current"], fp);
    await assertNoDebris(root);
    assert.equal(await ourFingerprint(victim), want, fp);
    const v = await runCli(["--data-dir", victim, "cold", "verify"]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    // DuckDB's documented glob sees the Parquet parts of v1, the same after every recovery.
    const d = await duckFingerprint(root);
    duck ??= d;
    assert.equal(d, duck, fp);
  }
});
