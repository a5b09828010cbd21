import assert from "node:assert/strict";
import { PersistenceSection } from "../../src/config/sections/persistence.ts";
import { openPersistence } from "../../src/persistence/open.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { openBackend } from "../persistence/backends.ts";

const root = new URL("../../", import.meta.url).pathname;
const WINDOW = ["--from", "2022-02-01T00:00:00Z", "--to", "2022-02-15T00:00:00Z"];

function runIdOf(notes: string[]): string {
  const m = notes.join("\n").match(/as run (bt-[0-9a-f]{16})/);
  assert.ok(m, notes.join("\n"));
  return m[1];
}

Deno.test("report: positions and daily returns go to the embedded database and the report reads them back", async () => {
  await using dir = await tempDir();
  const r = await runCliCaptured([
    "--config",
    `${root}config/cryptorun.yaml`,
    "--data-dir",
    dir.path,
    "--json",
    "report",
    "--performance",
    ...WINDOW,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const p = await openPersistence(PersistenceSection.parse({ kind: "embedded" }), dir.path, {});
  try {
    const id = runIdOf(j.notes);
    const range = { from: Date.UTC(2022, 0, 1), to: Date.UTC(2022, 1, 15) };
    const pos = await p.backtest.positions(id, range);
    assert.equal(pos.length, j.trades);
    assert.ok(Math.abs(pos.reduce((a, x) => a + x.spec_pnl, 0) - j.spec_pnl) < 1e-6);
    assert.equal((await p.backtest.returns(id, range)).length, j.periods);
  } finally {
    await p.close();
  }
});

Deno.test("report: the same on a real PostgreSQL (persistence.kind postgres)", async () => {
  await using o = await openBackend("postgres");
  await using dir = await tempDir();
  const env = { ...o.env, CRYPTORUN_PERSISTENCE_KIND: "postgres" };
  const args = [
    "--config",
    `${root}config/cryptorun.yaml`,
    "--data-dir",
    dir.path,
    "--json",
    "report",
    "--performance",
    ...WINDOW,
  ];
  const r = await runCliCaptured(args, env);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const id = runIdOf(j.notes);
  const range = { from: Date.UTC(2022, 0, 1), to: Date.UTC(2022, 1, 15) };
  assert.equal((await o.p.backtest.positions(id, range)).length, j.trades);
  assert.equal((await o.p.backtest.returns(id, range)).length, j.periods);
  // A second run with the same parameters replaces the rows: the same report.
  const again = await runCliCaptured(args, env);
  const noBootstrap = (x: { notes: string[] }) => ({
    ...x,
    notes: x.notes.filter((n) => !n.startsWith("first run")),
  });
  assert.deepEqual(noBootstrap(JSON.parse(again.stdout)), noBootstrap(j));
  assert.equal((await o.p.backtest.positions(id, range)).length, j.trades);
});
