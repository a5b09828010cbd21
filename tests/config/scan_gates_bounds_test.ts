import assert from "node:assert/strict";
import { GatesSection } from "../../src/config/sections/gates.ts";
import { LOOKBACK_HOURS_MIN, ScanSection } from "../../src/config/sections/scan.ts";
import { loadConfig } from "../../src/config/load.ts";
import { composite } from "../../src/factors/composite.ts";
import { ConfigError } from "../../src/util/errors.ts";
import { tempDir } from "../helpers/tmp.ts";

const root = new URL("../../", import.meta.url).pathname;

async function load(yaml: string) {
  await using dir = await tempDir();
  const main = `${dir.path}/cryptorun.yaml`;
  await Deno.writeTextFile(main, yaml);
  return await loadConfig({ configPath: main, explicit: true, env: {} }).then((r) => r.config, (e) => e);
}

Deno.test("scan.lookback_hours below what the regime's 20-day MA needs is a config error naming key, value and why", async () => {
  // The value itself is pinned against the features in tests/scan/engine_test.ts.
  assert.equal(LOOKBACK_HOURS_MIN, 461);
  const err = await load(`scan:\n  lookback_hours: ${LOOKBACK_HOURS_MIN - 1}\n`);
  assert.ok(err instanceof ConfigError, `${err}`);
  assert.match(
    err.message,
    /cryptorun\.yaml:2:\d+: scan\.lookback_hours: must be ≥ 461: the 20-day moving-average regime input needs .*, found 460/,
  );
  const env = await loadConfig({ configPath: "/none.yaml", env: { CRYPTORUN_SCAN_LOOKBACK_HOURS: "240" } })
    .then(() => undefined, (e) => e);
  assert.ok(env instanceof ConfigError, `${env}`);
  assert.match(
    env.message,
    /environment CRYPTORUN_SCAN_LOOKBACK_HOURS: scan\.lookback_hours: must be ≥ 461.*found 240/,
  );
  const ok = await load(`scan:\n  lookback_hours: ${LOOKBACK_HOURS_MIN}\n`);
  assert.equal(ok.scan.lookback_hours, LOOKBACK_HOURS_MIN);
});

Deno.test("the default and the shipped configs satisfy the lookback minimum", async () => {
  assert.ok(ScanSection.parse({}).lookback_hours >= LOOKBACK_HOURS_MIN);
  for (const f of ["cryptorun.yaml", "demo.yaml"]) {
    const { config } = await loadConfig({ configPath: `${root}config/${f}`, explicit: true, env: {} });
    assert.ok(config.scan.lookback_hours >= LOOKBACK_HOURS_MIN, f);
  }
});

Deno.test("gates.min_score is capped at the composite's true maximum (110)", async () => {
  // Every weighted factor saturated and a huge social signal: the highest score the composite can produce.
  const max = composite(
    { momentum: 1e9, technical: 1e9, volume: 1e9, quality: 1e9, social: 1e9 },
    { momentum: 0.25, technical: 0.25, volume: 0.25, quality: 0.25 },
  ).score;
  assert.equal(max, 110);
  assert.equal(GatesSection.parse({ min_score: max }).min_score, max);
  assert.equal(GatesSection.safeParse({ min_score: max + 0.5 }).success, false);
  const err = await load("gates:\n  min_score: 114\n");
  assert.ok(err instanceof ConfigError, `${err}`);
  assert.match(err.message, /gates\.min_score: must be ≤ 110: the composite score is at most 110.*found 114/);
});
