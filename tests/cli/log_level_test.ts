// app.log_level (config or CRYPTORUN_APP_LOG_LEVEL) sets the log level; --quiet and --log-level win over it.
import assert from "node:assert/strict";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const INPUT = new URL("../../fixtures/cold/ohlcv_kraken_1h_slice.csv", import.meta.url).pathname;

async function coldWrite(config: string, extra: string[] = [], env: Record<string, string> = {}) {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/cryptorun.yaml`, config);
  const r = await runCliCaptured(
    [
      "--config",
      `${dir.path}/cryptorun.yaml`,
      "--data-dir",
      `${dir.path}/data`,
      ...extra,
      "cold",
      "write",
      "--input",
      INPUT,
    ],
    env,
  );
  assert.equal(r.code, 0, r.stderr);
  return r.stderr;
}

Deno.test("app.log_level from the config file and its env override set the level; flags win", async () => {
  assert.match(await coldWrite("app:\n  data_dir: ./x\n"), /cold write done/); // default info
  assert.doesNotMatch(await coldWrite("app:\n  log_level: error\n"), /cold write done/);
  assert.doesNotMatch(
    await coldWrite("app:\n  data_dir: ./x\n", [], { CRYPTORUN_APP_LOG_LEVEL: "warn" }),
    /cold write done/,
  );
  assert.match(await coldWrite("app:\n  log_level: error\n", ["--log-level", "info"]), /cold write done/);
  assert.doesNotMatch(await coldWrite("app:\n  log_level: debug\n", ["--quiet"]), /cold write done/);
});
