// Helpers of the cold-tier integrity tests: real `cryptorun` processes (with failpoints, killable), row-set
// fingerprints by our reader and by DuckDB's documented glob, and the table-directory invariants.
import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix -- dev-only interop tool, by full specifier (house rule)
import { DuckDBInstance } from "npm:@duckdb/node-api@1.5.6-r.1";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { blake3Hex } from "../../../src/data/cold/checksum.ts";
import { type Manifest, readManifest } from "../../../src/data/cold/manifest.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import { parseVersionName, readCurrent } from "../../../src/data/cold/table_dir.ts";
import type { OhlcvRow } from "../../../src/data/cold/types.ts";
import { CLI_PERMISSIONS } from "../../helpers/cli.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;

/** A `cryptorun` child process (the task's permissions), stdout/stderr collected. */
export interface Proc {
  child: Deno.ChildProcess;
  pid: number;
  done: Promise<{ code: number; signal: Deno.Signal | null; stdout: string; stderr: string }>;
}

export function startCli(argv: string[], env: Record<string, string> = {}): Proc {
  return startScript("main.ts", argv, env);
}

/** Any script of the repository (`tests/data/cold/move_child.ts`…) as a child process, like startCli. */
export function startScript(script: string, argv: string[], env: Record<string, string> = {}): Proc {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...CLI_PERMISSIONS, `${ROOT}${script}`, ...argv],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const done = child.output().then((r) => ({
    code: r.code,
    signal: r.signal,
    stdout: new TextDecoder().decode(r.stdout),
    stderr: new TextDecoder().decode(r.stderr),
  }));
  return { child, pid: child.pid, done };
}

export async function runCli(argv: string[], env: Record<string, string> = {}) {
  return await startCli(argv, env).done;
}

/** Writes rows as the `cold write` input CSV. */
export async function writeInputCsv(path: string, rows: OhlcvRow[]): Promise<void> {
  const lines = ["ts_ms,symbol,open,high,low,close,volume"];
  for (const r of rows) lines.push(`${r.ts},${r.symbol},${r.open},${r.high},${r.low},${r.close},${r.volume}`);
  await Deno.writeTextFile(path, lines.join("\n") + "\n");
}

/** `cp -a`: a copy of a table directory with its symlink and hard links as they are. */
export async function copyTree(from: string, to: string): Promise<void> {
  const r = await new Deno.Command("cp", { args: ["-a", from, to] }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
}

/** Fingerprint of a row set: count + BLAKE3 of every row in (ts, symbol) order. */
export async function fingerprint(rows: Partial<OhlcvRow>[]): Promise<string> {
  const text = rows.map((r) => `${r.ts},${r.symbol},${r.open},${r.high},${r.low},${r.close},${r.volume}`)
    .join("\n");
  return `${rows.length}:${await blake3Hex(new TextEncoder().encode(text))}`;
}

/** Our reader: every row of the table at `root` (the data dir's cold/ohlcv), fingerprinted. */
export async function ourFingerprint(dataDir: string): Promise<string> {
  const store = openColdStore(ColdSection.parse({}), dataDir, { log: { warn() {} } });
  const rows: Partial<OhlcvRow>[] = [];
  for await (const r of store.read("ohlcv", { from: 0, to: 8.64e15 })) rows.push(r);
  return await fingerprint(rows);
}

/** DuckDB through the documented glob `<root>/current/*\/*.parquet`: count + md5 of all rows in order. */
export async function duckFingerprint(root: string): Promise<string> {
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  try {
    const r = await conn.runAndReadAll(
      `SELECT count(*) AS n,
              md5(string_agg(concat_ws(',', epoch_ms(ts), symbol, open, high, low, close, volume), ';'
                  ORDER BY ts, symbol)) AS h
         FROM read_parquet('${root}/current/*/*.parquet', hive_partitioning = true)`,
    );
    const o = r.getRowObjectsJS()[0];
    return `${Number(o.n)}:${o.h}`;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** The committed state's files as (path, rows, blake3): equal for two tables with the same bytes. */
export async function fileSet(root: string): Promise<string[]> {
  const cur = await readCurrent(root);
  if (!cur) return [];
  const m = await readManifest(cur.dir);
  return m.files.map((f) => `dt=${f.dt}/${f.name} rows=${f.rows} ${f.blake3}`);
}

export async function currentManifest(root: string): Promise<Manifest | null> {
  const cur = await readCurrent(root);
  return cur ? await readManifest(cur.dir) : null;
}

/** Entry names of a directory, sorted ([] when it does not exist). */
export async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e.name);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out.sort();
}

/**
 * What any reader of `current` may see: a manifest that verifies, every partition folder holding exactly
 * the files it lists (no temp or orphan file an external glob would pick up), nothing else in the snapshot.
 */
export async function assertCurrentClean(root: string): Promise<void> {
  const cur = await readCurrent(root);
  if (!cur) return;
  const m = await readManifest(cur.dir);
  const want = new Map<string, string[]>();
  for (const f of m.files) want.set(`dt=${f.dt}`, [...(want.get(`dt=${f.dt}`) ?? []), f.name].sort());
  assert.deepEqual(await names(cur.dir), ["_manifest.json", ...[...want.keys()].sort()]);
  for (const [dt, files] of want) assert.deepEqual(await names(`${cur.dir}/${dt}`), files, dt);
}

/** After a successful writer: no staging debris, no snapshot newer than current, no temp symlink. */
export async function assertNoDebris(root: string): Promise<void> {
  const cur = await readCurrent(root);
  assert.deepEqual(await names(`${root}/_staging`), [], "staging debris");
  const newer = (await names(`${root}/_snapshots`)).filter((n) =>
    (parseVersionName(n) ?? 0) > (cur?.version ?? 0)
  );
  assert.deepEqual(newer, [], "uncommitted snapshots");
  assert.deepEqual((await names(root)).filter((n) => n.startsWith(".")), [], "temp files in the root");
}
