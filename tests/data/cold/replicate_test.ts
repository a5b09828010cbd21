// Cold-tier replication (src/data/cold/replicate.ts, `cryptorun cold replicate`): the replica is a readable,
// verifiable copy of the current snapshot; incremental (unchanged parts hard-linked); every copied byte read
// back and checked; a damaged source file is refused with the replica unchanged; kill -9 at any step leaves
// the replica as it was and a re-run completes it (resuming staged files); the lag gauge is what the replica
// lacks of the source's newest bar.
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { readManifest } from "../../../src/data/cold/manifest.ts";
import { replicateTable, replicationLag } from "../../../src/data/cold/replicate.ts";
import { openColdTables } from "../../../src/data/cold/store.ts";
import { readCurrent } from "../../../src/data/cold/table_dir.ts";
import { DAY_MS } from "../../../src/util/time.ts";
import { runCliCaptured } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, syntheticBars } from "./synthetic.ts";
import { copyTree, startCli } from "./table_helpers.ts";

const D0 = Date.parse("2025-02-01T00:00:00Z");
const BARS = syntheticBars({
  start: D0,
  end: D0 + 6 * DAY_MS,
  stepMs: 3_600_000,
  symbols: ["BTC/USD", "ETH/USD"],
  seed: 9,
});
const ALL = { from: 0, to: 8.64e15 };
const cut = BARS.findIndex((b) => b.ts >= D0 + 4 * DAY_MS);

async function setup(dir: string, rows = BARS.slice(0, cut)) {
  const tables = openColdTables(ColdSection.parse({}), dir);
  await tables.table("ohlcv").write(rows, { format: "csv" });
  return tables;
}

async function filesOf(root: string) {
  const cur = await readCurrent(root);
  return cur ? (await readManifest(cur.dir)).files.map((f) => `${f.dt}/${f.name}:${f.blake3}`).sort() : [];
}

Deno.test("replicate: a readable, verified copy; incremental; lag is what the replica lacks", async () => {
  await using tmp = await tempDir();
  const src = `${tmp.path}/data`, rep = `${tmp.path}/replica`;
  const tables = await setup(src);
  const r1 = await replicateTable(`${src}/cold/ohlcv`, `${rep}/cold/ohlcv`);
  assert.equal(r1.copied, r1.files);
  assert.equal(r1.lagSeconds, 0);
  const replica = openColdTables(ColdSection.parse({}), rep);
  assert.deepEqual(
    await collect(replica.table("ohlcv").read(ALL)),
    await collect(tables.table("ohlcv").read(ALL)),
  );
  assert.equal((await replica.table("ohlcv").verify()).ok, true);
  // The source gets two more days: the lag is their span until the next run, which links what it had.
  await tables.table("ohlcv").write(BARS.slice(cut), { format: "csv" });
  const lag = await replicationLag(`${src}/cold/ohlcv`, `${rep}/cold/ohlcv`);
  assert.equal(lag, (BARS[BARS.length - 1].ts - BARS[cut - 1].ts) / 1000);
  const r2 = await replicateTable(`${src}/cold/ohlcv`, `${rep}/cold/ohlcv`);
  assert.equal(r2.linked, r1.files);
  assert.equal(r2.copied, r2.files - r1.files);
  assert.equal(await replicationLag(`${src}/cold/ohlcv`, `${rep}/cold/ohlcv`), 0);
  assert.deepEqual(await filesOf(`${rep}/cold/ohlcv`), await filesOf(`${src}/cold/ohlcv`));
  const r3 = await replicateTable(`${src}/cold/ohlcv`, `${rep}/cold/ohlcv`);
  assert.equal(r3.copied + r3.linked, 0, "up to date: nothing shipped");
  await assert.rejects(replicateTable(`${src}/cold/ohlcv`, `${src}/cold/ohlcv`), /is the table itself/);
});

Deno.test("replicate: a damaged source file is refused naming it; the replica is unchanged", async () => {
  await using tmp = await tempDir();
  const src = `${tmp.path}/data`, rep = `${tmp.path}/replica`;
  const tables = await setup(src);
  await replicateTable(`${src}/cold/ohlcv`, `${rep}/cold/ohlcv`);
  const before = await filesOf(`${rep}/cold/ohlcv`);
  await tables.table("ohlcv").write(BARS.slice(cut), { format: "csv" });
  const cur = (await readCurrent(`${src}/cold/ohlcv`))!;
  const m = await readManifest(cur.dir);
  const victim = m.files[m.files.length - 1];
  const path = `${cur.dir}/dt=${victim.dt}/${victim.name}`;
  const bytes = await Deno.readFile(path);
  bytes[10] ^= 0xff;
  await Deno.remove(path); // hard links: write a new inode, the replica's earlier copy stays intact
  await Deno.writeFile(path, bytes);
  await assert.rejects(
    replicateTable(`${src}/cold/ohlcv`, `${rep}/cold/ohlcv`),
    new RegExp(`dt=${victim.dt}/${victim.name}: the copy does not match`),
  );
  assert.deepEqual(await filesOf(`${rep}/cold/ohlcv`), before);
});

const FAILPOINTS = ["replicate.file_shipped:3", "replicate.staged", "replicate.before_switch"];

Deno.test("kill -9 during cold replicate: the replica stays as it was; a re-run completes it", async () => {
  await using tmp = await tempDir();
  const base = `${tmp.path}/base`;
  const tables = await setup(`${base}/data`);
  await replicateTable(`${base}/data/cold/ohlcv`, `${base}/replica/cold/ohlcv`);
  const old = await filesOf(`${base}/replica/cold/ohlcv`);
  await tables.table("ohlcv").write(BARS.slice(cut), { format: "csv" });
  const want = await filesOf(`${base}/data/cold/ohlcv`);
  for (const fp of FAILPOINTS) {
    const dir = `${tmp.path}/${fp.replace(/[^a-z0-9]/g, "_")}`;
    await copyTree(base, dir);
    const argv = ["--data-dir", `${dir}/data`, "cold", "replicate", "--to", `${dir}/replica`, "--json"];
    const d = await startCli(argv, { CRYPTORUN_FAILPOINT: fp }).done;
    assert.equal(d.signal, "SIGKILL", `${fp}: ${d.stderr}`);
    assert.deepEqual(
      await filesOf(`${dir}/replica/cold/ohlcv`),
      old,
      `${fp}: the replica changed before its switch`,
    );
    const re = await runCliCaptured(argv);
    assert.equal(re.code, 0, re.stderr);
    const rep = JSON.parse(re.stdout).tables[0];
    if (fp.startsWith("replicate.file_shipped")) assert.ok(rep.resumed >= 1, `${fp}: staged files kept`);
    assert.deepEqual(await filesOf(`${dir}/replica/cold/ohlcv`), want, `${fp}`);
    const v = await runCliCaptured(["--data-dir", `${dir}/replica`, "cold", "verify", "--json"]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.equal(rep.lag_seconds, 0);
  }
});

Deno.test("replicate: staging of a superseded source snapshot (killed run, source moved on) is removed", async () => {
  await using tmp = await tempDir();
  const src = `${tmp.path}/data`, rep = `${tmp.path}/replica`;
  const tables = await setup(src);
  await Deno.mkdir(`${rep}/cold/ohlcv/_staging/replicate-v00000001/dt=2025-02-01`, { recursive: true });
  await Deno.writeTextFile(
    `${rep}/cold/ohlcv/_staging/replicate-v00000001/dt=2025-02-01/part-00000.csv`,
    "x",
  );
  await tables.table("ohlcv").write(BARS.slice(cut), { format: "csv" }); // the source is at v2 now
  await replicateTable(`${src}/cold/ohlcv`, `${rep}/cold/ohlcv`);
  const left = [];
  for await (const e of Deno.readDir(`${rep}/cold/ohlcv/_staging`)) left.push(e.name);
  assert.deepEqual(left, []);
  assert.deepEqual(await filesOf(`${rep}/cold/ohlcv`), await filesOf(`${src}/cold/ohlcv`));
});

Deno.test("cold replicate: --to inside the data dir or a file exits 2; --all with no table exits 1", async () => {
  await using tmp = await tempDir();
  const data = `${tmp.path}/data`;
  await setup(data);
  await Deno.writeTextFile(`${tmp.path}/a_file`, "x");
  for (const to of [`${data}/cold`, `${data}/cold/ohlcv/_snapshots`, data, `${tmp.path}/a_file`]) {
    const r = await runCliCaptured(["--data-dir", data, "cold", "replicate", "--to", to]);
    assert.equal(r.code, 2, `${to}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /--to: /);
  }
  // Nothing was written into the source's tables.
  const top = [];
  for await (const e of Deno.readDir(`${data}/cold`)) top.push(e.name);
  assert.deepEqual(top, ["ohlcv"]);
  const empty = await runCliCaptured([
    "--data-dir",
    `${tmp.path}/empty`,
    "cold",
    "replicate",
    "--all",
    "--to",
    `${tmp.path}/r`,
  ]);
  assert.equal(empty.code, 1, empty.stdout + empty.stderr);
  assert.match(empty.stderr, /no table .* has a snapshot yet; nothing replicated/);
});
