// One writer at a time (issue 13): two real `cryptorun cold write` processes of the same input, with and
// without --wait, give one table with every row once; the loser without --wait fails at once naming the
// holder; a SIGKILLed lock holder does not block the next writer (the OS drops its flock).
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { acquireTableLock } from "../../../src/data/cold/lock.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { DAY_MS } from "../../../src/util/time.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { until } from "../../helpers/until.ts";
import { collect, syntheticBars } from "./synthetic.ts";
import { assertCurrentClean, assertNoDebris, runCli, startCli, writeInputCsv } from "./table_helpers.ts";

const D0 = Date.parse("2025-07-01T00:00:00Z");
const ROWS = syntheticBars({
  start: D0,
  end: D0 + 6 * DAY_MS,
  stepMs: 300_000,
  symbols: ["BTC/USD", "ETH/USD", "SOL/USD"],
  seed: 23,
});
const ALL = { from: 0, to: 8.64e15 };

async function tableRows(dataDir: string) {
  const store = openColdStore(ColdSection.parse({}), dataDir);
  return await collect(store.read("ohlcv", ALL));
}

function assertEachRowOnce(got: Array<{ ts?: number; symbol?: string }>) {
  assert.equal(got.length, ROWS.length);
  assert.equal(new Set(got.map((r) => `${r.ts}|${r.symbol}`)).size, ROWS.length);
}

/** Resolves once the lock file names `pid` as its holder. */
function holding(root: string, pid: number) {
  return until(`pid ${pid} holds the lock`, async () => {
    const text = await Deno.readTextFile(`${root}/_lock`).catch(() => "");
    return text.includes(`"pid":${pid},`);
  });
}

Deno.test("two writers of the same input at once, both --wait: one table, every row once", async () => {
  await using dir = await tempDir();
  const input = `${dir.path}/in.csv`;
  await writeInputCsv(input, ROWS);
  const argv = ["--data-dir", dir.path, "--json", "cold", "write", "--input", input];
  // Bare --wait (until the other is done) and a bounded one.
  const [a, b] = await Promise.all([runCli([...argv, "--wait"]), runCli([...argv, "--wait=2m"])]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const ra = JSON.parse(a.stdout);
  const rb = JSON.parse(b.stdout);
  // One wrote everything; the other, waiting for the lock, found every row already stored.
  assert.deepEqual([ra.rows, rb.rows].sort(), [0, ROWS.length]);
  assert.equal(ra.already_stored + rb.already_stored, ROWS.length);
  assertEachRowOnce(await tableRows(dir.path));
  await assertCurrentClean(`${dir.path}/cold/ohlcv`);
  await assertNoDebris(`${dir.path}/cold/ohlcv`);
});

Deno.test("without --wait: the second writer fails at once naming the holder; started together, both converge", async () => {
  await using dir = await tempDir();
  const root = `${dir.path}/cold/ohlcv`;
  const input = `${dir.path}/in.csv`;
  await writeInputCsv(input, ROWS);
  const argv = ["--data-dir", dir.path, "cold", "write", "--input", input];
  // A holds the lock (paused just after taking it); B is refused at once.
  const a = startCli(argv, { CRYPTORUN_FAILPOINT: "cold.locked=sleep:4000" });
  await holding(root, a.pid);
  const t0 = Date.now();
  const b = await runCli(argv);
  assert.equal(b.code, 1, b.stderr);
  assert.match(
    b.stderr,
    new RegExp(
      `table ohlcv at ${root} is being written by pid ${a.pid} on host \\S+ since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ` +
        `\\(cryptorun cold write\\); use --wait`,
    ),
  );
  assert.ok(Date.now() - t0 < 3500, "refused at once, not after A finished");
  const ra = await a.done;
  assert.equal(ra.code, 0, ra.stderr);
  assertEachRowOnce(await tableRows(dir.path));
  // Started at the same instant without --wait: each either writes, finds everything stored, or is refused
  // with the message — never a second copy of a row.
  for (let round = 0; round < 2; round++) {
    const rs = await Promise.all([runCli(argv), runCli(argv)]);
    for (const r of rs) {
      assert.ok(r.code === 0 || /is being written by pid \d+/.test(r.stderr), r.stderr);
    }
    assertEachRowOnce(await tableRows(dir.path));
  }
});

Deno.test("a SIGKILLed lock holder does not block the next writer (the OS releases its lock)", async () => {
  await using dir = await tempDir();
  const root = `${dir.path}/cold/ohlcv`;
  const input = `${dir.path}/in.csv`;
  await writeInputCsv(input, ROWS);
  const argv = ["--data-dir", dir.path, "cold", "write", "--input", input];
  const a = startCli(argv, { CRYPTORUN_FAILPOINT: "cold.staged:2=sleep:60000" });
  await holding(root, a.pid);
  await until("A staged 2 parts", async () => (await stagedFiles(root)) >= 2);
  a.child.kill("SIGKILL");
  assert.equal((await a.done).signal, "SIGKILL");
  // The stale lock file still names A, but no one holds the lock: B (no --wait) proceeds at once.
  assert.match(await Deno.readTextFile(`${root}/_lock`), new RegExp(`"pid":${a.pid},`));
  const b = await runCli(argv);
  assert.equal(b.code, 0, b.stderr);
  assertEachRowOnce(await tableRows(dir.path));
  await assertNoDebris(root); // A's staged parts were collected by B
});

async function stagedFiles(root: string): Promise<number> {
  let n = 0;
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory) await walk(`${d}/${e.name}`);
      else n++;
    }
  };
  await walk(`${root}/_staging`).catch(() => {});
  return n;
}

Deno.test("lock in-process: a busy table names its holder; --wait waits; release lets the next in", async () => {
  await using dir = await tempDir();
  const root = `${dir.path}/t`;
  const opts = { table: "ohlcv", command: "test A", waitMs: 0 };
  const a = await acquireTableLock(root, opts);
  await assert.rejects(
    acquireTableLock(root, { ...opts, command: "test B", busyHint: "; use --wait" }),
    new RegExp(`is being written by pid ${Deno.pid} on host \\S+ since .* \\(test A\\); use --wait`),
  );
  await assert.rejects(
    acquireTableLock(root, { ...opts, waitMs: 150 }),
    /\(test A\) \(waited 0 s\)|\(test A\)/,
  );
  const waiting = acquireTableLock(root, { ...opts, command: "test C", waitMs: 30_000 });
  await new Promise((r) => setTimeout(r, 100));
  await a.release();
  const c = await waiting;
  assert.match(await Deno.readTextFile(`${root}/_lock`), /"command":"test C"/);
  await c.release();
  assert.equal(await Deno.readTextFile(`${root}/_lock`), "", "no stale holder after a release");
});
