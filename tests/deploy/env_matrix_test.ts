import assert from "node:assert/strict";
import { applyEnvOverrides } from "../../src/config/load.ts";
import { envKeys } from "../../src/deploy/env_keys.ts";
import { TARGETS } from "../../scripts/gen.ts";
import { ROOT } from "../helpers/deploy_smoke.ts";

const doc = await Deno.readTextFile(`${ROOT}docs/DEPLOYMENT.md`);

/** The config keys whose variable has no row in a DEPLOYMENT.md text. */
function missingRows(text: string): string[] {
  return envKeys().filter((k) =>
    !new RegExp(`^\\| \`${k.variable}\` +\\| \`${k.path.replaceAll(".", "\\.")}\` `, "m").test(text)
  )
    .map((k) => k.variable);
}

Deno.test("docs/DEPLOYMENT.md has a row for every config key's env var, and is what `deno task gen` writes", async () => {
  assert.deepEqual(missingRows(doc), []);
  assert.ok(envKeys().length > 100, `${envKeys().length} keys: the schema walk is broken`);
  assert.equal(
    doc,
    await TARGETS["docs/DEPLOYMENT.md"](),
    "docs/DEPLOYMENT.md is stale: run `deno task gen`",
  );
  // The check fails when a row is missing.
  const cut = doc.replace(/^\| `CRYPTORUN_STREAM_BATCH_BYTES` .*\n/m, "");
  assert.deepEqual(missingRows(cut), ["CRYPTORUN_STREAM_BATCH_BYTES"]);
});

Deno.test("every variable of the matrix is one the loader applies to the key its row names", () => {
  for (const k of envKeys()) {
    const main: Record<string, unknown> = {};
    const sources: Record<string, unknown> = {};
    const [o] = applyEnvOverrides(main, sources, { [k.variable]: "1" });
    assert.equal(o?.path, k.path, k.variable);
  }
});
