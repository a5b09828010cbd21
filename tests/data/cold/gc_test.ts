// Garbage collection at the start of every write (and `cold verify --gc`): staging debris, uncommitted
// snapshots and temp symlinks go; old snapshots beyond cold.keep_snapshots go once superseded longer than
// cold.snapshot_grace_ms; `current` and what it needs never go.
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { DAY_MS } from "../../../src/util/time.ts";
import { runCliCaptured } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { collect, syntheticBars } from "./synthetic.ts";
import { assertCurrentClean, assertNoDebris } from "./table_helpers.ts";

const D0 = Date.parse("2025-04-01T00:00:00Z");
const ROWS = syntheticBars({
  start: D0,
  end: D0 + 8 * DAY_MS,
  stepMs: 3_600_000,
  symbols: ["BTC/USD"],
  seed: 7,
});
const day = (i: number) => ROWS.filter((r) => r.ts >= D0 + i * DAY_MS && r.ts < D0 + (i + 1) * DAY_MS);

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

async function age(path: string, ms: number): Promise<void> {
  const t = new Date(Date.now() - ms);
  await Deno.utime(path, t, t);
}

Deno.test("gc: every write removes debris; keeps keep_snapshots previous ones and those in the grace period", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({ keep_snapshots: 2, snapshot_grace_ms: 600_000 }), dir.path);
  for (const i of [0, 1, 2, 3]) await store.write("ohlcv", day(i)); // v1..v4
  const snaps = `${store.root}/_snapshots`;
  // Within the grace period nothing is collected, whatever keep_snapshots says.
  assert.deepEqual(await names(snaps), ["v00000001", "v00000002", "v00000003", "v00000004"]);
  // Debris of killed writers: a staging dir, an uncommitted snapshot, a temp symlink.
  await Deno.mkdir(`${store.root}/_staging/dead-txn/dt=2025-04-09`, { recursive: true });
  await Deno.writeFile(`${store.root}/_staging/dead-txn/dt=2025-04-09/part-00000.parquet`, new Uint8Array(9));
  await Deno.mkdir(`${snaps}/v00000005/dt=2025-04-09`, { recursive: true });
  await Deno.symlink("_snapshots/v00000005", `${store.root}/.current.dead-txn`);
  // v2, v3 and v4 were superseded an hour ago (their successors' manifests are that old).
  for (const v of ["v00000002", "v00000003", "v00000004"]) {
    await age(`${snaps}/${v}/_manifest.json`, 3_600_000);
  }
  const res = await store.write("ohlcv", day(4)); // v5: collects first, then commits
  assert.equal(res.snapshot, 5);
  // Kept: current (v5) and the 2 previous (v4, v3); v1 and v2 were superseded long enough ago.
  assert.deepEqual(await names(snaps), ["v00000003", "v00000004", "v00000005"]);
  await assertNoDebris(store.root);
  await assertCurrentClean(store.root);
  assert.equal((await collect(store.read("ohlcv", { from: 0, to: 8.64e15 }))).length, 5 * 24);
  // The bytes of files that live on were never touched: hard links keep them in the newer snapshots.
  assert.ok((await store.verify("ohlcv")).ok);
});

Deno.test("gc: a snapshot superseded within the grace period stays for readers that resolved it", async () => {
  await using dir = await tempDir();
  const store = openColdStore(
    ColdSection.parse({ keep_snapshots: 0, snapshot_grace_ms: 3_600_000 }),
    dir.path,
  );
  await store.write("ohlcv", day(0)); // v1
  // A reader resolves `current` (v1) and is slow; meanwhile two writes commit.
  const slow = store.read("ohlcv", { from: 0, to: 8.64e15 })[Symbol.asyncIterator]();
  const first = await slow.next();
  await store.write("ohlcv", day(1));
  await store.write("ohlcv", day(2));
  // v1 was superseded seconds ago: kept although keep_snapshots is 0; the slow reader finishes on v1.
  assert.ok((await names(`${store.root}/_snapshots`)).includes("v00000001"));
  let n = first.done ? 0 : 1;
  while (!(await slow.next()).done) n++;
  assert.equal(n, 24, "the slow reader saw exactly snapshot v1");
});

Deno.test("cold verify --gc: collects under the lock and reports; never touches the current snapshot", async () => {
  await using dir = await tempDir();
  const store = openColdStore(ColdSection.parse({}), dir.path);
  await store.write("ohlcv", day(0));
  await Deno.mkdir(`${store.root}/_staging/x1/dt=2025-04-01`, { recursive: true });
  await Deno.mkdir(`${store.root}/_snapshots/v00000002`, { recursive: true });
  const r = await runCliCaptured(["--data-dir", dir.path, "cold", "verify", "--gc"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /gc: removed 1 staging dir\(s\), 1 uncommitted and 0 expired snapshot\(s\)/);
  assert.match(r.stdout, /OK: table ohlcv .* \(snapshot 1\): 1 file\(s\)/);
  await assertNoDebris(store.root);
  const j = await runCliCaptured(["--data-dir", dir.path, "--json", "cold", "verify", "--gc"]);
  assert.equal(JSON.parse(j.stdout).gc.staging.length, 0);
});
