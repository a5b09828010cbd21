import assert from "node:assert/strict";
import { clearRegisteredSecrets, redact } from "../../src/log/redact.ts";
import { clearTrackedSecrets } from "../../src/secrets/resolve.ts";
import {
  onSecretRotated,
  reloadSecrets,
  resolveSecret,
  SECRETS_DIR_ENV,
  startSecretRotation,
} from "../../src/secrets/mod.ts";
import { ConfigError } from "../../src/util/errors.ts";
import { tempDir } from "../helpers/tmp.ts";
import { until } from "../helpers/until.ts";

const REF = { env: "CRYPTORUN_PG_DSN" };

function reset() {
  clearRegisteredSecrets();
  clearTrackedSecrets();
}

Deno.test("a secret comes from the named file, else the secrets directory, else the env var", async () => {
  reset();
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/CRYPTORUN_PG_DSN`, "postgres://u:fromdir-pw@h:5432/x\n");
  await Deno.writeTextFile(`${dir.path}/named`, "postgres://u:fromfile-pw@h:5432/x\n");
  const env = { CRYPTORUN_PG_DSN: "postgres://u:fromenv-pw@h:5432/x", [SECRETS_DIR_ENV]: dir.path };

  const f = await resolveSecret({ ...REF, file: `${dir.path}/named` }, "persistence.dsn", env);
  assert.equal(f.value, "postgres://u:fromfile-pw@h:5432/x");
  assert.equal(f.source, `file ${dir.path}/named`);
  const d = await resolveSecret(REF, "persistence.dsn", env);
  assert.equal(d.value, "postgres://u:fromdir-pw@h:5432/x");
  assert.equal(d.source, `file ${dir.path}/CRYPTORUN_PG_DSN`);
  // No file for this secret in the directory: the env var.
  const e = await resolveSecret({ env: "CRYPTORUN_REDIS_URL" }, "stream.redis_url", {
    ...env,
    CRYPTORUN_REDIS_URL: "redis://:envredis-pw@h:6379",
  });
  assert.equal(e.value, "redis://:envredis-pw@h:6379");
  assert.equal(e.source, "env CRYPTORUN_REDIS_URL");
  assert.deepEqual(await resolveSecret({ env: "NOPE" }, "x", {}), { value: undefined, source: "env NOPE" });

  // Every value read is redacted from then on, passwords alone included.
  for (const pw of ["fromfile-pw", "fromdir-pw", "envredis-pw"]) {
    assert.equal(redact(`oops ${pw} oops`), "oops *** oops");
  }
});

Deno.test("an unreadable named secret file is a config error naming the file, never a value", async () => {
  reset();
  await using dir = await tempDir();
  await assert.rejects(
    resolveSecret({ file: `${dir.path}/missing` }, "persistence.dsn", {}),
    (err: Error) =>
      err instanceof ConfigError && err.message.includes(`${dir.path}/missing`) &&
      /NotFound/.test(err.message),
  );
});

Deno.test("a changed secret file is read again: listeners get the new value, which is redacted", async () => {
  reset();
  await using dir = await tempDir();
  const path = `${dir.path}/CRYPTORUN_PG_DSN`;
  await Deno.writeTextFile(path, "postgres://u:first-pw@h:5432/x");
  await resolveSecret(REF, "persistence.dsn", { [SECRETS_DIR_ENV]: dir.path });
  const seen: Array<string | undefined> = [];
  const off = onSecretRotated("persistence.dsn", (v) => {
    seen.push(v);
  });
  const ac = new AbortController();
  const rot = startSecretRotation({ signal: ac.signal, debounceMs: 50 });
  try {
    // Kubernetes-style: write a new file and rename it over the old one.
    await Deno.writeTextFile(`${path}.tmp`, "postgres://u:second-pw@h:5432/x\n");
    await Deno.rename(`${path}.tmp`, path);
    await until("rotation on file change", () => seen.length > 0);
    assert.deepEqual(seen, ["postgres://u:second-pw@h:5432/x"]);
    assert.equal(redact("second-pw first-pw"), "*** ***");
  } finally {
    off();
    ac.abort();
    await rot.stopped;
  }
});

Deno.test("SIGHUP reads every secret again; an unchanged one notifies nobody", async () => {
  reset();
  await using dir = await tempDir();
  const path = `${dir.path}/dsn`;
  await Deno.writeTextFile(path, "postgres://u:before-pw@h:5432/x");
  await resolveSecret({ file: path }, "persistence.dsn", {});
  await resolveSecret({ env: "K" }, "kraken.api_key", { K: "unchanged-key" });
  const seen: string[] = [];
  const offs = ["persistence.dsn", "kraken.api_key"].map((n) => onSecretRotated(n, () => void seen.push(n)));
  const ac = new AbortController();
  // A debounce longer than the test: only the signal can trigger the reload.
  const rot = startSecretRotation({ signal: ac.signal, debounceMs: 600_000 });
  try {
    await Deno.writeTextFile(path, "postgres://u:after-pw@h:5432/x");
    Deno.kill(Deno.pid, "SIGHUP");
    await until("rotation on SIGHUP", () => seen.length > 0);
    assert.deepEqual(seen, ["persistence.dsn"]);
    assert.equal(redact("after-pw"), "***");
    // And a direct reload with nothing changed reports nothing.
    assert.deepEqual(await reloadSecrets(), []);
  } finally {
    for (const off of offs) off();
    ac.abort();
    await rot.stopped;
  }
});

Deno.test("a secret's env var is not taken for a config override (CRYPTORUN_KRAKEN_API_KEY)", async () => {
  const { loadConfig } = await import("../../src/config/load.ts");
  const env = {
    CRYPTORUN_KRAKEN_API_KEY: "k",
    CRYPTORUN_KRAKEN_API_SECRET: "s",
    CRYPTORUN_KRAKEN_TIER: "pro",
  };
  const { config, overrides } = await loadConfig({ configPath: "/nonexistent/cryptorun.yaml", env });
  assert.equal(config.kraken.tier, "pro");
  assert.deepEqual(overrides.map((o) => o.variable), ["CRYPTORUN_KRAKEN_TIER"]);
  // A typo'd key of a known section is still an error.
  await assert.rejects(
    loadConfig({ configPath: "/nonexistent/cryptorun.yaml", env: { CRYPTORUN_KRAKEN_TIRE: "pro" } }),
    /CRYPTORUN_KRAKEN_TIRE/,
  );
});

Deno.test("a secrets directory's path is not redacted (it names where secrets are, like *_env and *_file)", async () => {
  const { redactValue } = await import("../../src/log/redact.ts");
  reset();
  assert.equal(redact("CRYPTORUN_SECRETS_DIR=/run/secrets"), "CRYPTORUN_SECRETS_DIR=/run/secrets");
  assert.deepEqual(redactValue({ secrets_dir: "/run/secrets", api_secret: "x1y2z3" }), {
    secrets_dir: "/run/secrets",
    api_secret: "***",
  });
  assert.equal(redact("KRAKEN_API_SECRET=x1y2z3"), "KRAKEN_API_SECRET=***");
});
