import assert from "node:assert/strict";
import { runCliCaptured, spawnCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { COMMANDS } from "../../src/cli/registry.ts";
import { VERSION } from "../../src/cli/version.ts";

Deno.test("--help lists exactly the subcommands that exist", async () => {
  const r = await runCliCaptured(["--help"]);
  assert.equal(r.code, 0);
  for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c.name}\\s`, "m"));
  // Nothing unbuilt is advertised: every line under "Commands:" is a registered command.
  const block = r.stdout.split("Commands:\n")[1].split("\n\n")[0];
  const listed = block.split("\n").map((l) => l.trim().split(/\s+/)[0]);
  assert.deepEqual(listed.sort(), COMMANDS.map((c) => c.name).sort());
});

Deno.test("unknown subcommand exits 2 with a one-line error and the usage", async () => {
  const r = await spawnCli(["nosuch"]);
  assert.equal(r.code, 2);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines[0], 'cryptorun: unknown command "nosuch"');
  assert.match(lines[1], /^usage: cryptorun /);
  assert.equal(r.stdout, "");
});

Deno.test("unknown flag exits 2, before or after the subcommand", async () => {
  for (const argv of [["--bogus", "health"], ["health", "--bogus"], ["-x", "health"]]) {
    const r = await runCliCaptured(argv);
    assert.equal(r.code, 2, argv.join(" "));
    assert.match(r.stderr, /unknown flag/);
  }
});

Deno.test("a global flag missing its value exits 2", async () => {
  const r = await runCliCaptured(["--config"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--config needs a value/);
});

Deno.test("bad --log-level exits 2 naming the value", async () => {
  const r = await runCliCaptured(["health", "--log-level", "loud"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--log-level: expected one of .* found "loud"/);
});

Deno.test("every subcommand has --help with examples", async () => {
  for (const c of COMMANDS) {
    const r = await runCliCaptured([c.name, "--help"]);
    assert.equal(r.code, 0, c.name);
    assert.match(r.stdout, /Usage: cryptorun /, c.name);
    assert.match(r.stdout, /Examples:/, c.name);
    const viaHelp = await runCliCaptured(["help", c.name]);
    assert.equal(viaHelp.stdout, r.stdout);
  }
});

Deno.test("--version prints the version; --json makes it machine-readable", async () => {
  assert.equal((await runCliCaptured(["--version"])).stdout, `cryptorun ${VERSION}`);
  assert.deepEqual(JSON.parse((await runCliCaptured(["--json", "--version"])).stdout), { version: VERSION });
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(denoJson.version, VERSION);
});

Deno.test("no command: exit 2 with usage", async () => {
  const r = await runCliCaptured([]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no command given/);
});

Deno.test("health --config-only with a bad config exits 2 naming file, key path and value (real process)", async () => {
  await using dir = await tempDir();
  const bad = `${dir.path}/bad.yaml`;
  await Deno.writeTextFile(bad, "persistence:\n  timeout_ms: soon\n");
  const r = await spawnCli(["--config", bad, "health", "--config-only"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${bad}:2:\\d+: persistence\\.timeout_ms: .*"soon"`));

  await Deno.writeTextFile(bad, "scan:\n  top: 5\n  colour: blue\n");
  const r2 = await spawnCli(["--config", bad, "health", "--config-only"]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, new RegExp(`${bad}:3:\\d+: scan\\.colour: unknown key`));
});

Deno.test("health --config-only prints the effective config with secrets redacted", async () => {
  const secret = "postgres://alice:s3cr3t-pw@db.internal:5432/prod";
  const r = await runCliCaptured(["--json", "health", "--config-only"], {
    CRYPTORUN_PG_DSN: secret,
    CRYPTORUN_STREAM_KIND: "redis",
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes("s3cr3t-pw"));
  const eff = JSON.parse(r.stdout);
  assert.equal(eff.config.stream.kind, "redis");
  assert.deepEqual(eff.env_overrides, [{ variable: "CRYPTORUN_STREAM_KIND", path: "stream.kind" }]);
  const dsn = eff.secrets.find((s: { name: string }) => s.name === "persistence.dsn");
  assert.deepEqual(dsn, { name: "persistence.dsn", source: "env CRYPTORUN_PG_DSN", set: true });
});

Deno.test("health prints OK on a writable data dir and FAIL: <reason> on an unusable one", async () => {
  await using dir = await tempDir();
  const ok = await runCliCaptured(["--data-dir", dir.path, "health"]);
  assert.equal(ok.stdout, "OK");
  assert.equal(ok.code, 0);
  const file = `${dir.path}/not-a-dir`;
  await Deno.writeTextFile(file, "x");
  const bad = await runCliCaptured(["--data-dir", file, "health"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /^FAIL: data_dir: .*not-a-dir not writable/);
});
