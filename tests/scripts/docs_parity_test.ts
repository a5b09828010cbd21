import assert from "node:assert/strict";
import { checkInvocation, checkParity, invocations, readDocs } from "../../scripts/docs_parity.ts";
import { inventory } from "../../scripts/lib/parity_inventory.ts";
import { tempDir } from "../helpers/tmp.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const inv = await inventory(ROOT);

/** A temp copy of docs/ with one edit; returns the problems the check finds there. */
async function withEdit(file: string, edit: (text: string) => string) {
  await using dir = await tempDir();
  for await (const e of Deno.readDir(`${ROOT}/docs`)) {
    if (e.isFile) await Deno.copyFile(`${ROOT}/docs/${e.name}`, `${dir.path}/${e.name}`);
  }
  const text = await Deno.readTextFile(`${dir.path}/${file}`);
  const edited = edit(text);
  assert.notEqual(edited, text, `the edit of ${file} changed nothing`);
  await Deno.writeTextFile(`${dir.path}/${file}`, edited);
  return checkParity(inv, await readDocs(dir.path));
}

const dropLine = (re: RegExp) => (t: string) => t.split("\n").filter((l) => !re.test(l)).join("\n");

Deno.test("docs:parity: the real docs name exactly what the code has", async () => {
  assert.deepEqual(checkParity(inv, await readDocs(`${ROOT}/docs`)), []);
  // The inventory is real: every kind is non-empty.
  assert.ok(inv.commands.length >= 7 && inv.configKeys.length > 100 && inv.metrics.length > 30);
  assert.ok(Object.keys(inv.envVars).length > 100 && inv.alerts.length > 10 && inv.dashboards.length >= 6);
});

Deno.test("docs:parity: a CLI flag or subcommand missing from docs/CLI.md is named with where it was expected", async () => {
  // The global flags table loses its --data-dir row.
  let p = await withEdit("CLI.md", dropLine(/^\| `--data-dir DIR`/));
  assert.deepEqual(p.map((x) => x.message), ["global flag --data-dir: no row in docs/CLI.md § Global flags"]);
  // cold write's usage block loses the line holding --skip-invalid (and three more flags).
  p = await withEdit(
    "CLI.md",
    dropLine(/^\s+\[--row-group-size N\] \[--max-rows-per-file N\] \[--skip-invalid\]/),
  );
  assert.ok(
    p.some((x) =>
      x.kind === "cli" && x.item === "--skip-invalid" &&
      x.message ===
        'flag --skip-invalid of cold write: not on the "cryptorun cold write" usage line in docs/CLI.md § cold'
    ),
    JSON.stringify(p),
  );
  // A sub-action disappears from the usage block.
  p = await withEdit("CLI.md", dropLine(/^cryptorun cold upgrade /));
  assert.deepEqual(p.map((x) => x.message), [
    'subcommand cold upgrade: no "cryptorun cold upgrade …" usage line in docs/CLI.md § cold',
  ]);
  // A flag of a command without sub-actions.
  p = await withEdit("CLI.md", (t) => t.replace("[--ingest-every 5m]", ""));
  assert.deepEqual(p.map((x) => x.message), [
    'flag --ingest-every of serve: not on a "cryptorun serve" usage line in docs/CLI.md § serve',
  ]);
});

Deno.test("docs:parity: docs naming a flag, action or command that does not exist fail", async () => {
  const p = await withEdit(
    "MONITORING.md",
    (t) =>
      t.replace("cryptorun serve --with-ingest --with-scan ", "cryptorun serve --with-ingest --with-scna "),
  );
  assert.deepEqual(p.map((x) => x.message), [
    'docs/MONITORING.md: "cryptorun serve --with-ingest --with-scna": serve does not accept --with-scna',
  ]);
  assert.deepEqual(checkInvocation(inv, ["cold", "dumpp"]), {
    item: "cold dumpp",
    message: "cold has no action dumpp",
  });
  assert.deepEqual(checkInvocation(inv, ["cold", "stats", "--from", "x"]), {
    item: "--from",
    message: "cold stats does not accept --from",
  });
  assert.deepEqual(checkInvocation(inv, ["--config", "x.yaml", "reprot"]), {
    item: "reprot",
    message: "there is no command reprot",
  });
  assert.equal(checkInvocation(inv, ["--config", "config/demo.yaml", "scan", "--dry-run"]), undefined);
  // Only `cryptorun` as a command word counts, not an argument of another program.
  assert.deepEqual(invocations("kubectl -n cryptorun create secret"), []);
  assert.deepEqual(invocations("CRYPTORUN_X=1 deno task cryptorun scan --top 3 | head"), [[
    "scan",
    "--top",
    "3",
  ]]);
});

Deno.test("docs:parity: a config key missing from docs/CONFIG.md, or named there but gone, fails", async () => {
  let p = await withEdit("CONFIG.md", dropLine(/^\| `lock_timeout_ms`/));
  assert.deepEqual(p.map((x) => x.message), [
    "config key cold.lock_timeout_ms: no row naming `lock_timeout_ms` in docs/CONFIG.md § cold",
  ]);
  p = await withEdit("COLD.md", (t) => t + "\nSet `cold.row_groups_per_file` to tune it.\n");
  assert.deepEqual(p.map((x) => x.message), [
    "docs/COLD.md names config key `cold.row_groups_per_file`, which does not exist",
  ]);
  p = await withEdit("CONFIG.md", (t) => t.replace("| `pool_size`", "| `pool_sizes`"));
  assert.deepEqual(p.map((x) => x.message).sort(), [
    "config key persistence.pool_size: no row naming `pool_size` in docs/CONFIG.md § persistence",
    "docs/CONFIG.md § persistence has a row for `pool_sizes`, but persistence has no key pool_sizes",
  ]);
});

Deno.test("docs:parity: a metric, alert or dashboard missing from docs/MONITORING.md, or a made-up one, fails", async () => {
  let p = await withEdit("MONITORING.md", dropLine(/^\| `cryptorun_sse_clients`/));
  assert.deepEqual(p.map((x) => x.message), [
    "metric cryptorun_sse_clients (src/metrics/registry.ts): not named in docs/MONITORING.md § Metrics",
  ]);
  p = await withEdit("PERFORMANCE.md", (t) => t + "\nWatch `rate(cryptorun_cold_bytes_total[5m])`.\n");
  assert.deepEqual(p.map((x) => x.message), [
    "docs/PERFORMANCE.md names metric cryptorun_cold_bytes_total, which the registry does not define",
  ]);
  p = await withEdit(
    "MONITORING.md",
    (t) => t.replace("### CryptoRunBacklogHigh", "### CryptoRunBacklogHuge"),
  );
  assert.deepEqual(p.map((x) => x.message).sort(), [
    'alert CryptoRunBacklogHigh (deploy/prometheus/alerts.yml): no "### CryptoRunBacklogHigh" runbook in docs/MONITORING.md § Alerts',
    'docs/MONITORING.md § Alerts has "### CryptoRunBacklogHuge", but deploy/prometheus/alerts.yml has no such alert',
  ]);
});

Deno.test("docs:parity: an env var the loader accepts missing from docs/, or one nothing reads, fails", async () => {
  let p = await withEdit("DEPLOYMENT.md", dropLine(/CRYPTORUN_COLD_LOCK_TIMEOUT_MS/));
  assert.deepEqual(p.map((x) => x.message), [
    "env var CRYPTORUN_COLD_LOCK_TIMEOUT_MS (config key cold.lock_timeout_ms): named nowhere in docs/ (expected in docs/DEPLOYMENT.md § Environment variables: run deno task gen)",
  ]);
  p = await withEdit("CONFIG.md", (t) => t + "\n`CRYPTORUN_STREAM_PARTITIONS=4` sets the partitions.\n");
  assert.deepEqual(p.map((x) => x.message), [
    "docs/CONFIG.md names env var CRYPTORUN_STREAM_PARTITIONS, which neither the config loader nor any code reads",
  ]);
});

Deno.test("docs:parity: the task exits 1 naming the item, and 0 on the real docs", async () => {
  await using dir = await tempDir();
  for await (const e of Deno.readDir(`${ROOT}/docs`)) {
    if (e.isFile) await Deno.copyFile(`${ROOT}/docs/${e.name}`, `${dir.path}/${e.name}`);
  }
  const cli = await Deno.readTextFile(`${dir.path}/CLI.md`);
  await Deno.writeTextFile(`${dir.path}/CLI.md`, dropLine(/^\| `--json`/)(cli));
  const run = async (args: string[]) => {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["task", "docs:parity", ...args],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: r.code, err: new TextDecoder().decode(r.stderr) };
  };
  const bad = await run(["--docs", dir.path]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /docs:parity: cli: global flag --json: no row in docs\/CLI\.md § Global flags/);
  const good = await run([]);
  assert.equal(good.code, 0, good.err);
});
