import assert from "node:assert/strict";
import { applyEnvOverrides, EMBEDDED, loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/util/errors.ts";
import { tempDir } from "../helpers/tmp.ts";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("the shipped config files validate and equal the embedded defaults", async () => {
  const shipped = await loadConfig({ configPath: `${root}config/cryptorun.yaml`, explicit: true, env: {} });
  assert.equal(shipped.config.files.main, `${root}config/cryptorun.yaml`);
  assert.equal(shipped.config.files.sources, `${root}config/data_sources.yaml`);
  const embedded = await loadConfig({ configPath: "/nonexistent/cryptorun.yaml", env: {} });
  assert.equal(embedded.config.files.main, EMBEDDED);
  const { files: _a, ...a } = shipped.config;
  const { files: _b, ...b } = embedded.config;
  assert.deepEqual(a, b);
});

Deno.test("an explicit config path that does not exist is an error", async () => {
  await assert.rejects(
    loadConfig({ configPath: "/nonexistent/x.yaml", explicit: true, env: {} }),
    (e: Error) => e instanceof ConfigError && /\/nonexistent\/x\.yaml: config file not found/.test(e.message),
  );
});

Deno.test("a config path that cannot be looked up (not just missing) is an error, not the defaults", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/file`, "");
  // ENOTDIR: the default path is not "missing", it cannot be read; silently using defaults would hide it.
  await assert.rejects(
    loadConfig({ configPath: `${dir.path}/file/cryptorun.yaml`, env: {} }),
    (e: Error) =>
      e instanceof ConfigError && /file\/cryptorun\.yaml: cannot read config file/.test(e.message),
  );
});

async function expectError(
  yaml: string,
  re: RegExp,
  file = "cryptorun.yaml",
  env: Record<string, string> = {},
) {
  await using dir = await tempDir();
  const main = `${dir.path}/cryptorun.yaml`;
  await Deno.writeTextFile(main, file === "cryptorun.yaml" ? yaml : "");
  if (file !== "cryptorun.yaml") await Deno.writeTextFile(`${dir.path}/${file}`, yaml);
  await assert.rejects(loadConfig({ configPath: main, explicit: true, env }), (e: Error) => {
    assert.ok(e instanceof ConfigError, `${e}`);
    assert.match(e.message, re);
    return true;
  });
}

Deno.test("unknown keys name file, line, key path", async () => {
  await expectError(
    "stream:\n  kind: file\n  partitions: 3\n",
    /cryptorun\.yaml:3:3: stream\.partitions: unknown key/,
  );
  await expectError("nosection: {}\n", /cryptorun\.yaml:1:1: nosection: unknown key \(allowed here: app, /);
  await expectError(
    "cold:\n  zip: yes\n",
    /data_sources\.yaml:2:3: cold\.zip: unknown key/,
    "data_sources.yaml",
  );
});

Deno.test("wrong types name the key path and the offending value", async () => {
  await expectError("stream:\n  batch_bytes: lots\n", /stream\.batch_bytes: expected number.*found "lots"/);
  await expectError("persistence:\n  kind: oracle\n", /persistence\.kind: .*found "oracle"/);
  await expectError("scan:\n  quotes: [usd]\n", /scan\.quotes\.0: .*found "usd"/);
  await expectError("stream: [1, 2]\n", /stream: expected object.*found \[1,2\]/);
});

Deno.test("invalid YAML names the line", async () => {
  await expectError("stream:\n  kind: [file\n", /cryptorun\.yaml:\d+:\d+: invalid YAML/);
  await expectError("app:\n  log_level: info\n  log_level: debug\n", /invalid YAML: Map keys must be unique/);
});

Deno.test("a secret in YAML is refused, pointing to the _env/_file keys", async () => {
  await expectError(
    "persistence:\n  dsn: postgres://u:hunter22@h/db\n",
    /persistence\.dsn — a secret is never read from YAML; name an env var with dsn_env or a file with dsn_file/,
  );
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/cryptorun.yaml`, "persistence:\n  dsn: postgres://u:hunter22@h/db\n");
  const err = await loadConfig({ configPath: `${dir.path}/cryptorun.yaml`, env: {} }).catch((e) => e);
  assert.ok(!String(err.message).includes("hunter22"));
});

Deno.test("a section in the wrong file says where it belongs", async () => {
  await expectError("cold:\n  format: csv\n", /cold: this section belongs in data_sources\.yaml/);
});

Deno.test("env overrides: CRYPTORUN_<SECTION>_<KEY> with typed values; typos fail", async () => {
  const { config, overrides } = await loadConfig({
    configPath: `${root}config/cryptorun.yaml`,
    env: {
      CRYPTORUN_STREAM_BATCH_BYTES: "2048",
      CRYPTORUN_PERSISTENCE_ENABLED: "false",
      CRYPTORUN_SCAN_QUOTES: "USD,USDT",
      CRYPTORUN_COLD_ROW_GROUP_SIZE: "1000",
      CRYPTORUN_PG_DSN: "postgres://x:y@z/w", // a secret, not an override
      CRYPTORUN_TEST_SOMETHING: "1",
    },
  });
  assert.equal(config.stream.batch_bytes, 2048);
  assert.equal(config.persistence.enabled, false);
  assert.deepEqual(config.scan.quotes, ["USD", "USDT"]);
  assert.equal(config.cold.row_group_size, 1000);
  assert.deepEqual(overrides.map((o) => o.path).sort(), [
    "cold.row_group_size",
    "persistence.enabled",
    "scan.quotes",
    "stream.batch_bytes",
  ]);
  assert.throws(
    () => applyEnvOverrides({}, {}, { CRYPTORUN_STREAM_BATCHBYTES: "1" }),
    /environment CRYPTORUN_STREAM_BATCHBYTES: section "stream" has no key matching "BATCHBYTES"/,
  );
  await assert.rejects(
    loadConfig({ configPath: "/none.yaml", env: { CRYPTORUN_STREAM_BATCH_BYTES: "many" } }),
    /environment CRYPTORUN_STREAM_BATCH_BYTES: stream\.batch_bytes: .*found "many"/,
  );
});
