import assert from "node:assert/strict";
import * as cache from "../../src/config/cache.ts";
import { CONFIG_FINGERPRINT } from "../../src/config/fingerprint.ts";
import { DEFAULT_CONFIG_PATH, loadConfig, SOURCES_FILE_NAME } from "../../src/config/load.ts";
import { configFingerprint } from "../../scripts/lib/config_fingerprint.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { sha256Hex } from "../../src/util/sha256_hex.ts";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("src/config/fingerprint.ts is the config loader's current fingerprint (`deno task gen` writes it)", async () => {
  assert.equal(
    CONFIG_FINGERPRINT,
    await configFingerprint(),
    "src/config/fingerprint.ts is stale: run `deno task gen`",
  );
  assert.equal(cache.DEFAULT_CONFIG_PATH, DEFAULT_CONFIG_PATH);
  assert.equal(cache.SOURCES_FILE_NAME, SOURCES_FILE_NAME);
});

async function entries(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(`${dir}/cryptorun/config`)) out.push(e.name);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out.sort();
}

/** Loads through the cache the way the CLI does: [result, whether it was a hit]. */
async function load(inp: cache.LoadInputs): Promise<[cache.Loaded, boolean]> {
  const got = await cache.readCached(inp);
  if (got.loaded) return [got.loaded, true];
  const loaded = await loadConfig(inp);
  if (got.key) await cache.writeCached(inp, got.key, loaded);
  return [loaded, false];
}

Deno.test("a cached config equals a fresh load, and any input that changes the result misses", async () => {
  await using home = await tempDir();
  await using cfg = await tempDir();
  const configPath = `${cfg.path}/cryptorun.yaml`;
  await Deno.writeTextFile(configPath, "scan:\n  top: 7\n");
  const env = { XDG_CACHE_HOME: home.path, CRYPTORUN_STREAM_BATCH_BYTES: "65536" };
  const inp = { configPath, env };

  const [first, hit0] = await load(inp);
  assert.equal(hit0, false);
  assert.equal((await entries(home.path)).length, 1);
  const [again, hit1] = await load(inp);
  assert.equal(hit1, true, "the same inputs hit");
  assert.deepStrictEqual(again, first);
  assert.deepStrictEqual(again, await loadConfig(inp), "a hit is exactly what the loader returns");
  assert.equal(again.config.scan.top, 7);
  assert.equal(again.config.stream.batch_bytes, 65536);

  // Each input that can change the result: the file's bytes, data_sources.yaml, an override's value, the
  // set of CRYPTORUN_* names, the path as given, --config given or not.
  await Deno.writeTextFile(configPath, "scan:\n  top: 8\n");
  const [edited, hit2] = await load(inp);
  assert.equal(hit2, false);
  assert.equal(edited.config.scan.top, 8);
  await Deno.writeTextFile(`${cfg.path}/data_sources.yaml`, "kraken:\n  request_timeout_ms: 4321\n");
  const [sources, hit3] = await load(inp);
  assert.equal(hit3, false);
  assert.equal(sources.config.kraken.request_timeout_ms, 4321);
  const env2 = { ...env, CRYPTORUN_STREAM_BATCH_BYTES: "131072" };
  const [override, hit4] = await load({ configPath, env: env2 });
  assert.equal(hit4, false, "an applied override's new value misses");
  assert.equal(override.config.stream.batch_bytes, 131072);
  const [, hit5] = await load({ configPath, env: { ...env2, CRYPTORUN_SCAN_TOP: "3" } });
  assert.equal(hit5, false, "a new CRYPTORUN_* variable misses");
  const [, hit6] = await load({ configPath, env: env2, explicit: true });
  assert.equal(hit6, false, "--config given is another key");
  const [, hit7] = await load({ configPath, env: env2 });
  assert.equal(hit7, true);
});

/** A loopback Postgres DSN with this password (built, so no connection string sits in the source). */
const dsn = (password: string) => ["postgres", "://u:", password, "@127.0.0.1:5432/db"].join("");

Deno.test("a secret's value is never in the cache, and changing it does not change the result", async () => {
  await using home = await tempDir();
  const secret = "s3cr3t-Pa55word-in-dsn";
  const env = { XDG_CACHE_HOME: home.path, CRYPTORUN_PG_DSN: dsn(secret) };
  const inp = { configPath: `${root}config/cryptorun.yaml`, env };
  const [a] = await load(inp);
  const [b, hit] = await load({
    ...inp,
    env: { ...env, CRYPTORUN_PG_DSN: dsn("another-password") },
  });
  assert.equal(hit, true, "a secret is not an override: its value does not key the cache");
  assert.deepStrictEqual(b, a);
  for (const name of await entries(home.path)) {
    const text = await Deno.readTextFile(`${home.path}/cryptorun/config/${name}`);
    assert.ok(!text.includes(secret), `${name} holds the secret`);
  }
});

Deno.test("a corrupt, foreign or tampered entry is a miss and is rewritten; 'off' and no home mean no cache", async () => {
  await using home = await tempDir();
  const inp = { configPath: `${root}config/cryptorun.yaml`, env: { XDG_CACHE_HOME: home.path } };
  await load(inp);
  const [name] = await entries(home.path);
  const path = `${home.path}/cryptorun/config/${name}`;
  const good = await Deno.readTextFile(path);
  const parsed = JSON.parse(good);
  // One digit of the stored config changed, its checksum left as it was (a flipped byte on disk).
  const body = parsed.body as string;
  const flipped = JSON.stringify({
    ...parsed,
    body: body.replace(/"top":(\d)/, (_: string, d: string) => `"top":${(Number(d) + 1) % 10}`),
  });
  assert.notEqual(flipped, good, "the flip changed the entry");
  for (const bad of ["{not json", "null", JSON.stringify({ ...parsed, key: "0".repeat(64) }), flipped]) {
    await Deno.writeTextFile(path, bad);
    const [loaded, hit] = await load(inp);
    assert.equal(hit, false, bad.slice(0, 20));
    assert.equal(loaded.config.files.main, `${root}config/cryptorun.yaml`);
    assert.equal(await Deno.readTextFile(path), good, "the miss rewrote the entry");
  }
  // An override recorded with another raw value (the entry says CRYPTORUN_X=1, the env has none): a miss.
  const other = JSON.stringify({ ...JSON.parse(body), overrideRaw: { CRYPTORUN_STREAM_BATCH_BYTES: "1" } });
  await Deno.writeTextFile(path, JSON.stringify({ ...parsed, body: other, sha256: await sha256Hex(other) }));
  assert.equal((await cache.readCached(inp)).loaded, undefined);

  await using off = await tempDir();
  await load({ ...inp, env: { XDG_CACHE_HOME: off.path, CRYPTORUN_CONFIG_CACHE: "off" } });
  assert.deepEqual(await entries(off.path), []);
  assert.equal(cache.cacheDir({}), undefined, "no HOME, no XDG_CACHE_HOME: no cache");
  assert.equal(cache.cacheDir({ HOME: "/h" }), "/h/.cache/cryptorun/config");
  assert.equal(cache.cacheDir({ HOME: "/h", XDG_CACHE_HOME: "rel" }), "/h/.cache/cryptorun/config");
  assert.equal(cache.cacheDir({ XDG_CACHE_HOME: "/x" }), "/x/cryptorun/config");
});

Deno.test("the cache keeps at most MAX_ENTRIES entries, the newest", async () => {
  await using home = await tempDir();
  await using cfg = await tempDir();
  const configPath = `${cfg.path}/cryptorun.yaml`;
  for (let i = 0; i < cache.MAX_ENTRIES + 5; i++) {
    await Deno.writeTextFile(configPath, `scan:\n  top: ${i + 1}\n`);
    await load({ configPath, env: { XDG_CACHE_HOME: home.path } });
  }
  assert.equal((await entries(home.path)).length, cache.MAX_ENTRIES);
  const [, hit] = await load({ configPath, env: { XDG_CACHE_HOME: home.path } });
  assert.equal(hit, true, "the newest entry is kept");
});

Deno.test("the CLI uses the cache: same output on a hit, and a broken file is reported, never served from cache", async () => {
  await using home = await tempDir();
  await using cfg = await tempDir();
  const configPath = `${cfg.path}/cryptorun.yaml`;
  await Deno.writeTextFile(configPath, "scan:\n  top: 9\n");
  const env = { XDG_CACHE_HOME: home.path, CRYPTORUN_STREAM_BATCH_BYTES: "65536" };
  const argv = ["--config", configPath, "health", "--config-only", "--json"];
  const first = await runCliCaptured(argv, env);
  assert.equal(first.code, 0, first.stderr);
  assert.equal((await entries(home.path)).length, 1);
  const second = await runCliCaptured(argv, env);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, first.stdout);
  assert.match(second.stdout, /"top":9/);
  assert.match(second.stdout, /CRYPTORUN_STREAM_BATCH_BYTES/, "the overrides come back from the cache too");

  await Deno.writeTextFile(configPath, "scan:\n  top: -1\n");
  const broken = await runCliCaptured(argv, env);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /cryptorun\.yaml:2:\d+: scan\.top/);
});
