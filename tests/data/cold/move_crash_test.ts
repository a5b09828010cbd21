// Crash harness for moves between tables (move.ts): a process moving rows from ohlcv to its quarantine is
// SIGKILLed at every step of the move — before and after its journal, inside and between the two commits —
// and at seeded random moments. After each kill every row is in ohlcv or in the quarantine (possibly both,
// only between the commits; never neither) with its values intact, and both tables read clean; then a re-run
// of the same request — or another move touching the tables — completes it: the same tables, row for row,
// as an uninterrupted run, and no journal left.
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdTables } from "../../../src/data/cold/store.ts";
import { blake3Hex } from "../../../src/data/cold/checksum.ts";
import type { TableRow } from "../../../src/data/cold/batch.ts";
import { DAY_MS } from "../../../src/util/time.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { syntheticBars } from "./synthetic.ts";
import { assertCurrentClean, copyTree, startScript } from "./table_helpers.ts";

const D0 = Date.parse("2025-03-01T00:00:00Z");
const SYMBOLS = ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD"];
const BARS = syntheticBars({ start: D0, end: D0 + 12 * DAY_MS, stepMs: 60_000, symbols: SYMBOLS, seed: 23 });
// Every 97th bar is flagged: keys on every day, so the move rewrites every part of the table.
const FLAGGED = BARS.filter((_, i) => i % 97 === 0).map((b, i) => ({
  ts: b.ts,
  symbol: b.symbol,
  check: "mad_z",
  score: 10 + (i % 7),
  detected_at: D0 + 20 * DAY_MS,
}));
const OTHER = [{
  ts: BARS[5].ts,
  symbol: BARS[5].symbol,
  check: "stale",
  score: null,
  detected_at: D0 + 21 * DAY_MS,
}];

const FAILPOINTS = [
  "cold.locked:2", // both locks taken, nothing else done
  "cold.move_journaled",
  "cold.staged:1", // the target's part staged
  "cold.before_switch:1",
  "cold.after_switch:1", // the target committed
  "cold.move_target_committed",
  "cold.linked:3", // the source's next snapshot half-built
  "cold.before_switch:2",
  "cold.after_switch:2", // the source committed
  "cold.move_source_committed", // only the journal left to delete
];

function delays(seed: number, n: number, maxMs: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Math.round((s / 4294967296) * maxMs);
  });
}

const move = (dataDir: string, keysFile: string, env: Record<string, string> = {}) =>
  startScript("tests/data/cold/move_child.ts", [dataDir, "ohlcv", "quarantine/ohlcv", keysFile], env);

/** Both tables' rows by key, and a fingerprint of each. */
async function state(dataDir: string) {
  const tables = openColdTables(ColdSection.parse({}), dataDir, { log: { warn() {} } });
  const all = { from: 0, to: 8.64e15 };
  const rows = async (name: string) => {
    const out: TableRow[] = [];
    for await (const r of tables.table(name).read(all)) out.push(r);
    return out;
  };
  const t = await rows("ohlcv");
  const q = await rows("quarantine/ohlcv");
  const fp = async (rs: TableRow[]) =>
    `${rs.length}:${await blake3Hex(
      new TextEncoder().encode(rs.map((r) => Object.values(r).join(",")).join("\n")),
    )}`;
  return {
    table: t,
    quarantine: q,
    fingerprint: `${await fp(t)} ${await fp(q)}`,
    pending: await tables.pendingMoves(),
    roots: [tables.table("ohlcv").root, tables.table("quarantine/ohlcv").root],
  };
}

const key = (r: Record<string, unknown>) => `${r.ts}|${r.symbol}`;

Deno.test("move crash harness: SIGKILL at every step and at random moments → never a lost row; a re-run or the next move completes it", async () => {
  await using tmp = await tempDir();
  const keysFile = `${tmp.path}/keys.json`;
  const otherFile = `${tmp.path}/other.json`;
  await Deno.writeTextFile(keysFile, JSON.stringify(FLAGGED));
  await Deno.writeTextFile(otherFile, JSON.stringify(OTHER));
  const base = `${tmp.path}/base`;
  await openColdTables(ColdSection.parse({}), base).table("ohlcv").write(BARS, { maxRowsPerFile: 20_000 });
  const start = await state(base);
  // The reference: an uninterrupted move.
  const ref = `${tmp.path}/ref`;
  await copyTree(base, ref);
  const t0 = performance.now();
  const r0 = await move(ref, keysFile).done;
  const uninterruptedMs = performance.now() - t0;
  assert.equal(r0.code, 0, r0.stderr);
  assert.equal(JSON.parse(r0.stdout).moved, FLAGGED.length);
  const want = await state(ref);
  assert.equal(want.table.length, BARS.length - FLAGGED.length);
  assert.equal(want.quarantine.length, FLAGGED.length);
  const original = new Map(BARS.map((b) => [key(b), b]));
  const flagged = new Set(FLAGGED.map(key));

  const scenarios = [
    ...FAILPOINTS.map((fp) => ({ name: fp, env: { CRYPTORUN_FAILPOINT: fp } as Record<string, string> })),
    ...delays(20261204, 5, uninterruptedMs).map((ms) => ({
      name: `random kill after ${ms} ms`,
      delayMs: ms,
    })),
  ];
  const seen = { old: 0, both: 0, new: 0 };
  for (const [n, s] of scenarios.entries()) {
    const victim = `${tmp.path}/victim-${n}`;
    await copyTree(base, victim);
    const p = move(victim, keysFile, "env" in s ? s.env : {});
    if ("delayMs" in s) {
      await new Promise((r) => setTimeout(r, s.delayMs));
      try {
        p.child.kill("SIGKILL");
      } catch { /* already finished */ }
    }
    const r = await p.done;
    if ("env" in s) assert.equal(r.signal, "SIGKILL", `${s.name}: expected to die there; ${r.stderr}`);
    // Every row somewhere, with its values; a row in both tables only for a flagged key.
    const st = await state(victim);
    const inTable = new Set(st.table.map(key));
    const inQ = new Set(st.quarantine.map(key));
    for (const k of original.keys()) assert.ok(inTable.has(k) || inQ.has(k), `${s.name}: row ${k} lost`);
    for (const k of inQ) assert.ok(flagged.has(k), `${s.name}: ${k} quarantined but not flagged`);
    for (const row of [...st.table, ...st.quarantine]) {
      const o = original.get(key(row))!;
      for (const c of ["open", "high", "low", "close", "volume"] as const) {
        assert.equal(row[c], o[c], `${s.name}: ${key(row)} ${c}`);
      }
    }
    const both = [...inQ].filter((k) => inTable.has(k)).length;
    if (st.fingerprint === start.fingerprint) seen.old++;
    else if (st.fingerprint === want.fingerprint) seen.new++;
    else {
      // Between the commits: the quarantine holds every flagged row, the table still holds them too.
      assert.equal(both, FLAGGED.length, `${s.name}: a mixed state ${st.fingerprint}`);
      assert.equal(st.quarantine.length, FLAGGED.length, s.name);
      seen.both++;
    }
    for (const root of st.roots) await assertCurrentClean(root);
    // A killed move before its journal left nothing to complete; after it, the journal is there.
    if (st.fingerprint !== start.fingerprint && st.fingerprint !== want.fingerprint) {
      assert.equal(st.pending.length, 1);
    }
    // Completion: every other scenario by the same request again, the rest by another move of the tables.
    const viaOther = n % 2 === 1 && st.pending.length === 1;
    const again = await move(victim, viaOther ? otherFile : keysFile).done;
    assert.equal(again.code, 0, `${s.name}: re-run: ${again.stderr}`);
    const res = JSON.parse(again.stdout);
    if (st.pending.length === 1) assert.deepEqual(res.completed, [st.pending[0].id], s.name);
    const end = await state(victim);
    if (viaOther) {
      assert.equal(end.table.length, want.table.length - 1, s.name);
      assert.equal(end.quarantine.length, want.quarantine.length + 1, s.name);
      assert.ok(end.quarantine.some((x) => key(x) === key(OTHER[0])), s.name);
    } else {
      assert.equal(
        end.fingerprint,
        want.fingerprint,
        `${s.name}: the re-run converges to the uninterrupted run`,
      );
    }
    assert.deepEqual(end.pending, [], `${s.name}: no journal left`);
    await Deno.remove(victim, { recursive: true });
  }
  assert.ok(seen.old >= 3 && seen.both >= 3 && seen.new >= 1, JSON.stringify(seen));
});
