// Crash harness (issue 13): `cryptorun cold write` of a large input, run as a real process and SIGKILLed at
// every step of its commit — named failpoints (CRYPTORUN_FAILPOINT, docs/TESTING.md) plus kills at seeded
// random delays. After each kill our reader AND DuckDB's documented glob return exactly the old or the new
// row set, no partition folder of `current` holds a temp or orphan file, and a re-run (no --skip-invalid)
// exits 0 and converges to the same table, file for file, as an uninterrupted run.
import assert from "node:assert/strict";
import { DAY_MS } from "../../../src/util/time.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { syntheticBars } from "./synthetic.ts";
import {
  assertCurrentClean,
  assertNoDebris,
  copyTree,
  currentManifest,
  duckFingerprint,
  fileSet,
  ourFingerprint,
  runCli,
  startCli,
  writeInputCsv,
} from "./table_helpers.ts";

const D0 = Date.parse("2025-06-01T00:00:00Z");
const SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "ADA/USD", "LTC/USD"];
const ALL = syntheticBars({ start: D0, end: D0 + 16 * DAY_MS, stepMs: 60_000, symbols: SYMBOLS, seed: 17 });
// The table holds days 0–7; the crashing write appends days 4–15 (days 4–7 identical: "already stored").
const OLD = ALL.filter((r) => r.ts < D0 + 8 * DAY_MS);
const NEW = ALL.filter((r) => r.ts >= D0 + 4 * DAY_MS);
const MAX_ROWS = "3000"; // ~35 staged parts: many points to die at while staging and linking

/** The named points, in commit order, with the hit that triggers ("before staging" … "during cleanup"). */
const FAILPOINTS = [
  "cold.locked",
  "cold.gc",
  "cold.before_stage",
  "cold.staged:1",
  "cold.staged:17",
  "cold.before_links",
  "cold.linked:1",
  "cold.linked:30",
  "cold.manifest_written",
  "cold.before_switch",
  "cold.after_switch",
  "cold.cleanup",
];

/** Seeded (LCG) delays for the random kills. */
function delays(seed: number, n: number, maxMs: number): number[] {
  let s = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(Math.round((s / 4294967296) * maxMs));
  }
  return out;
}

Deno.test("crash harness: SIGKILL at every commit step and at random delays → old or new state, re-run converges", async () => {
  assert.ok(NEW.length > 100_000, `large input: ${NEW.length} rows`);
  await using tmp = await tempDir();
  const oldCsv = `${tmp.path}/old.csv`;
  const newCsv = `${tmp.path}/new.csv`;
  await writeInputCsv(oldCsv, OLD);
  await writeInputCsv(newCsv, NEW);
  const write = (dataDir: string, env: Record<string, string> = {}) =>
    startCli(
      ["--data-dir", dataDir, "cold", "write", "--input", newCsv, "--max-rows-per-file", MAX_ROWS],
      env,
    );

  // References: the old table, and old + new written without interruption.
  const refOld = `${tmp.path}/ref-old`;
  const w0 = await runCli(["--data-dir", refOld, "cold", "write", "--input", oldCsv]);
  assert.equal(w0.code, 0, w0.stderr);
  const refNew = `${tmp.path}/ref-new`;
  await copyTree(refOld, refNew);
  const t0 = performance.now();
  const w1 = await write(refNew).done;
  const uninterruptedMs = performance.now() - t0;
  assert.equal(w1.code, 0, w1.stderr);
  const table = (d: string) => `${d}/cold/ohlcv`;
  const ours = { old: await ourFingerprint(refOld), new: await ourFingerprint(refNew) };
  const duck = { old: await duckFingerprint(table(refOld)), new: await duckFingerprint(table(refNew)) };
  assert.notEqual(ours.old, ours.new);
  assert.equal(Number(ours.new.split(":")[0]), ALL.length);
  const refFiles = await fileSet(table(refNew));
  assert.ok(refFiles.length >= 32, `${refFiles.length} files`);

  const scenarios: { name: string; env?: Record<string, string>; delayMs?: number }[] = [
    ...FAILPOINTS.map((fp) => ({ name: fp, env: { CRYPTORUN_FAILPOINT: fp } })),
    ...delays(20261204, 6, uninterruptedMs).map((ms) => ({
      name: `random kill after ${ms} ms`,
      delayMs: ms,
    })),
  ];
  let n = 0;
  const seen = { old: 0, new: 0 };
  for (const s of scenarios) {
    const victim = `${tmp.path}/victim-${n++}`;
    await copyTree(refOld, victim);
    if (s.name === "cold.gc") {
      // Something for the start-of-write GC to remove: the debris of an earlier killed write.
      const first = await write(victim, { CRYPTORUN_FAILPOINT: "cold.staged:5" }).done;
      assert.equal(first.signal, "SIGKILL", first.stderr);
    }
    const p = write(victim, s.env ?? {});
    if (s.delayMs !== undefined) {
      await new Promise((r) => setTimeout(r, s.delayMs));
      try {
        p.child.kill("SIGKILL");
      } catch { /* already finished */ }
    }
    const r = await p.done;
    if (s.env) assert.equal(r.signal, "SIGKILL", `${s.name}: expected to die there; ${r.stderr}`);
    // Old or new, exactly — for our reader and for DuckDB's glob — and nothing stray under `current`.
    const o = await ourFingerprint(victim);
    const d = await duckFingerprint(table(victim));
    assert.ok(o === ours.old || o === ours.new, `${s.name}: our reader saw a mixed state ${o}`);
    assert.equal(d, o === ours.old ? duck.old : duck.new, `${s.name}: DuckDB saw another state than ours`);
    seen[o === ours.old ? "old" : "new"]++;
    await assertCurrentClean(table(victim));
    // The re-run finishes the job: exit 0 without --skip-invalid, the same table as the uninterrupted run.
    const again = await write(victim).done;
    assert.equal(again.code, 0, `${s.name}: re-run: ${again.stderr}`);
    assert.equal(await ourFingerprint(victim), ours.new, s.name);
    assert.equal(await duckFingerprint(table(victim)), duck.new, s.name);
    assert.deepEqual(await fileSet(table(victim)), refFiles, `${s.name}: same files, names and bytes`);
    await assertCurrentClean(table(victim));
    await assertNoDebris(table(victim));
    const m = (await currentManifest(table(victim)))!;
    assert.equal(m.version, 2, `${s.name}: one commit of the new rows, whatever happened before`);
    await Deno.remove(victim, { recursive: true });
  }
  // The points before the switch leave the old state, those after it the new one.
  assert.ok(seen.old >= 10 && seen.new >= 2, JSON.stringify(seen));
});
