/**
 * Architecture rules, checked on the real import graph (`deno info --json`, tests/arch/graph.ts):
 *  - the pure layers (market, factors, gates, regime) import no adapter or tier (providers, data, persistence,
 *    stream) — issue #14;
 *  - no import cycle under src/ (the stream backends had one through the file backend) — issue #14;
 *  - the CLI loads each subcommand only when chosen: `main.ts` (all that `--help` and argument errors load)
 *    and every command's light spec and handler module reach no heavy package statically; the cold read path
 *    (`cold dump|stats`) reaches no prom-client and no database or broker client, and no Parquet writer stack
 *    (parquet-wasm, apache-arrow) — issue #21.
 * Each check is shown to fail on a small synthetic graph with a violation.
 */
import assert from "node:assert/strict";
import {
  cyclesUnder,
  type Graph,
  layerViolations,
  loadGraph,
  packagesOf,
  preparedReach,
  staticReach,
} from "./graph.ts";
import { ENTRY_MODULES } from "../../src/util/entries.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Packages a fresh process must not load before it needs them (measured: 30–200 ms each; issue #21). */
const HEAVY = [
  "parquet-wasm",
  "apache-arrow",
  "hyparquet",
  "prom-client",
  "postgres",
  "@electric-sql/pglite",
  "@electric-sql/pglite-socket",
  "kafkajs",
  "ioredis",
  "hash-wasm",
  "@noble/hashes",
];

const PURE_LAYERS = ["src/market/", "src/factors/", "src/gates/", "src/regime/"];
const ADAPTERS_AND_TIERS = ["src/providers/", "src/data/", "src/persistence/", "src/stream/"];

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await sourceFiles(p));
    else if (p.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}

const SRC = await sourceFiles(`${ROOT}src`);
const graph = await loadGraph(ROOT, [`${ROOT}main.ts`, ...SRC]);
const file = (rel: string) => `file://${ROOT}${rel}`;
const heavyIn = (g: Graph, entries: string[]) =>
  packagesOf(g, entries.flatMap((e) => [...staticReach(g, e)])).filter((p) => HEAVY.includes(p));

Deno.test("graph: every source file is in it (the checks below see the whole project)", () => {
  assert.ok(SRC.length > 150, `${SRC.length} files`);
  for (const f of SRC) assert.ok(graph.edges.has(`file://${f}`), f);
});

Deno.test("layers: market, factors, gates, regime import nothing from providers, data, persistence, stream", () => {
  assert.deepEqual(layerViolations(graph, ROOT, PURE_LAYERS, ADAPTERS_AND_TIERS), []);
});

Deno.test("cycles: none between the stream backends, none anywhere under src/", () => {
  assert.deepEqual(cyclesUnder(graph, ROOT, "src/stream/"), []);
  assert.deepEqual(cyclesUnder(graph, ROOT, "src/"), []);
});

Deno.test("CLI: main.ts (--help, usage errors) and every command's light modules reach no heavy package", () => {
  assert.deepEqual(heavyIn(graph, [file("main.ts")]), []);
  // Not even the config stack: it is imported when a command first asks for the config.
  assert.ok(!staticReach(graph, file("main.ts")).has(file("src/config/load.ts")));
  const commands = SRC.filter((f) => f.startsWith(`${ROOT}src/cli/commands/`));
  assert.ok(commands.length >= 14, `${commands.length} command modules`);
  for (const c of commands) assert.deepEqual(heavyIn(graph, [`file://${c}`]), [], c.slice(ROOT.length));
});

Deno.test("CLI: start-up prepares only main.ts and the light command specs, no package (issue #21)", () => {
  // Deno reads, resolves and analyses everything a string-literal import() reaches before main.ts runs; the
  // implementations and the config stack are loaded by a run-time specifier (src/util/entries.ts) instead.
  const prepared = preparedReach(graph, file("main.ts"));
  const impl = [...prepared].filter((m) => /\/src\/cli\/commands\/[a-z]+\//.test(m));
  assert.deepEqual(impl, []);
  assert.ok(!prepared.has(file("src/config/load.ts")), "the config stack is prepared at start-up");
  assert.deepEqual(packagesOf(graph, prepared), []);
  assert.ok(prepared.size < 120, `${prepared.size} modules prepared at start-up`);
});

Deno.test("CLI: every entry exists, every loadEntry call names its own module, every implementation is an entry", async () => {
  for (const e of ENTRY_MODULES) assert.ok(graph.edges.has(file(`src/${e}`)), e);
  const implementations = SRC.filter((f) => /\/src\/cli\/commands\/[a-z]+\/(run|actions)\.ts$/.test(f))
    .map((f) => f.slice(`${ROOT}src/`.length));
  for (const i of implementations) assert.ok((ENTRY_MODULES as readonly string[]).includes(i), i);
  let calls = 0;
  for (const f of SRC.filter((f) => !f.endsWith("/src/util/entries.ts"))) {
    const text = await Deno.readTextFile(f);
    for (const m of text.matchAll(/loadEntry<typeof import\("([^"]+)"\)>\(\s*"([^"]+)",?\s*\)/g)) {
      calls++;
      // The type names the module by a relative path, the call by its path under src/: the same file.
      const typed = new URL(m[1], `file://${f}`).pathname;
      assert.equal(typed, `${ROOT}src/${m[2]}`, `${f.slice(ROOT.length)}: ${m[0]}`);
    }
    // A loadEntry without its type would be `any`: every call has the `typeof import(…)` form above.
    const bare = [...text.matchAll(/loadEntry</g)].length -
      [...text.matchAll(/loadEntry<typeof import/g)].length;
    assert.equal(bare, 0, `${f.slice(ROOT.length)}: loadEntry without typeof import(…)`);
  }
  assert.ok(calls >= ENTRY_MODULES.length, `${calls} loadEntry calls`);
});

Deno.test("cold read path (cold dump|stats): no prom-client, no database, broker or hash client", () => {
  const readPath = [file("src/cli/commands/cold/actions.ts"), file("src/data/cold/store.ts")];
  const pkgs = packagesOf(graph, readPath.flatMap((e) => [...staticReach(graph, e)]));
  for (const p of ["prom-client", "postgres", "@electric-sql/pglite", "kafkajs", "ioredis", "hash-wasm"]) {
    assert.ok(!pkgs.includes(p), `${p} is loaded by the cold read path: ${pkgs.join(", ")}`);
  }
});

Deno.test("cold read path (cold dump|stats, every read) without the Parquet writer stack (parquet-wasm, apache-arrow)", () => {
  // The CLI's cold actions, the store (openColdStore/openColdTables), a table's read side and the Parquet
  // reader: the writer stack (table_write.ts, move.ts, parquet_write.ts) and the parquet-wasm fallback
  // decoder (parquet_wasm_read.ts) are reached through import() only.
  const readPath = [
    "src/cli/commands/cold/actions.ts",
    "src/data/cold/store.ts",
    "src/data/cold/table.ts",
    "src/data/cold/parquet_read.ts",
    "src/data/cold/verify.ts",
  ].map(file);
  const reach = new Set(readPath.flatMap((e) => [...staticReach(graph, e)]));
  const pkgs = packagesOf(graph, [...reach]);
  assert.ok(!pkgs.includes("parquet-wasm") && !pkgs.includes("apache-arrow"), pkgs.join(", "));
  for (const m of ["table_write", "move", "parquet_write", "parquet_wasm_read", "writer"]) {
    assert.ok(!reach.has(file(`src/data/cold/${m}.ts`)), `${m}.ts is loaded by the read path`);
  }
  // …and they are loaded by a run-time specifier (entries.ts: not even prepared by a read), so that a write,
  // a move and the fallback decoder can load them, and `deno compile` embeds them.
  for (const m of ["table_write", "move", "parquet_wasm_read", "manifest_schema", "move_journal_schema"]) {
    assert.ok((ENTRY_MODULES as readonly string[]).includes(`data/cold/${m}.ts`), m);
  }
  // What a read does need: hyparquet (footer, page headers) — and hash-wasm, loaded on first use.
  assert.ok(pkgs.includes("hyparquet"), pkgs.join(", "));
});

Deno.test("cold read path prepares no zod, no CommonJS lz4js and no Node file reader (issue #21)", () => {
  // Everything `cold dump` prepares once its action module is chosen: zod (the manifest and journal schemas,
  // the config sections), lz4js (CommonJS) and hyparquet's package entry (which loads node:fs) each cost
  // 10–50 ms of a fresh process. The manifest is validated before it is sealed; a read verifies the seal.
  const prepared = new Set(
    ["src/cli/commands/cold/actions.ts", "src/data/cold/store.ts", "src/data/cold/tables.ts"]
      .flatMap((e) => [...preparedReach(graph, file(e))]),
  );
  const pkgs = packagesOf(graph, [...prepared]);
  for (const p of ["zod", "parquet-wasm", "apache-arrow", "yaml"]) {
    assert.ok(!pkgs.includes(p), `${p} is prepared by the cold read path: ${pkgs.join(", ")}`);
  }
  // lz4js is resolved (lz4_codec.ts imports it by name) but loaded only when an LZ4 file is met.
  const loaded = packagesOf(
    graph,
    ["src/cli/commands/cold/actions.ts", "src/data/cold/store.ts", "src/data/cold/tables.ts"]
      .flatMap((e) => [...staticReach(graph, file(e))]),
  );
  assert.ok(!loaded.includes("lz4js"), `lz4js is loaded by the cold read path: ${loaded.join(", ")}`);
  const entryOfHyparquet = [...prepared].filter((m) => /^npm:\/?hyparquet@[^/]+(\/src\/node\.js)?$/.test(m));
  assert.deepEqual(entryOfHyparquet, [], "hyparquet's package entry (node:fs) is imported");
  assert.ok(!prepared.has(file("src/config/sections/cold.ts")), "the config schemas are prepared");
});

// ---- The checks can fail: a synthetic graph with one violation of each rule --------------------------------

const R = "/p/";
const f = (rel: string) => `file://${R}${rel}`;
function synthetic(): Graph {
  const edges = new Map<string, { to: string; typeOnly: boolean; dynamic: boolean }[]>([
    [f("main.ts"), [{ to: f("src/cli/registry.ts"), typeOnly: false, dynamic: false }]],
    [f("src/cli/registry.ts"), [
      { to: f("src/cli/commands/cold/actions.ts"), typeOnly: false, dynamic: true },
      { to: "npm:/prom-client@15.1.3/index.js", typeOnly: false, dynamic: false },
    ]],
    [f("src/cli/commands/cold/actions.ts"), [{
      to: "npm:/parquet-wasm@0.8.0/x.js",
      typeOnly: false,
      dynamic: false,
    }]],
    [f("src/market/bars.ts"), [{ to: f("src/data/cold/types.ts"), typeOnly: true, dynamic: false }]],
    [f("src/data/cold/types.ts"), []],
    [f("src/stream/producer.ts"), [{ to: f("src/stream/file/producer.ts"), typeOnly: false, dynamic: true }]],
    [f("src/stream/file/producer.ts"), [{
      to: f("src/stream/file/paths.ts"),
      typeOnly: false,
      dynamic: false,
    }]],
    [f("src/stream/file/paths.ts"), [{ to: f("src/stream/producer.ts"), typeOnly: false, dynamic: false }]],
    [f("src/stream/kafka/producer.ts"), [{
      to: f("src/stream/producer.ts"),
      typeOnly: true,
      dynamic: false,
    }]],
  ]);
  return {
    edges,
    npmPackage: new Map([
      ["npm:/prom-client@15.1.3/index.js", "prom-client@15.1.3"],
      ["npm:/parquet-wasm@0.8.0/x.js", "parquet-wasm@0.8.0"],
    ]),
  };
}

Deno.test("the checks fail on violations (synthetic graph): layer import, cycle, heavy package at load", () => {
  const g = synthetic();
  assert.deepEqual(layerViolations(g, R, PURE_LAYERS, ADAPTERS_AND_TIERS), [
    "src/market/bars.ts → src/data/cold/types.ts",
  ]);
  // The dynamic import closes the cycle; the kafka backend's type-only import does not make one.
  assert.deepEqual(cyclesUnder(g, R, "src/stream/"), [[
    "src/stream/file/paths.ts",
    "src/stream/file/producer.ts",
    "src/stream/producer.ts",
  ]]);
  assert.deepEqual(heavyIn(g, [f("main.ts")]), ["prom-client"]); // static: registry → prom-client
  // parquet-wasm sits behind the dynamic import: not loaded by main.ts, loaded by the action module.
  assert.deepEqual(heavyIn(g, [f("src/cli/commands/cold/actions.ts")]), ["parquet-wasm"]);
});
