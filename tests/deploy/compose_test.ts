/**
 * docker-compose.yml, validated offline: against the Compose Specification's JSON schema
 * (deploy/compose/schema/, vendored: see its PROVENANCE.md), against the real config loader (every variable
 * it sets is a key cryptorun accepts), and for what the spec asks of it (health checks, named volumes,
 * secrets as files). `podman-compose up` cannot run the stack on our machines: the postgres and redis images
 * cannot be pulled (no registry is reachable); tests/deploy/image_test.ts builds and runs the cryptorun image
 * itself with podman.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import schema from "../../deploy/compose/schema/compose-spec.json" with { type: "json" };
import { secretFiles } from "../../scripts/compose_secrets.ts";
import { compileSchema, schemaErrors } from "../helpers/json_schema.ts";
import { unacceptedEnv } from "../helpers/env_accepted.ts";
import { ROOT } from "../helpers/deploy_smoke.ts";
import { tempDir } from "../helpers/tmp.ts";

// deno-lint-ignore no-explicit-any
type Doc = any;
const text = await Deno.readTextFile(`${ROOT}docker-compose.yml`);
const doc = (): Doc => parse(text);
const validate = compileSchema(schema);

Deno.test("docker-compose.yml is valid against the Compose JSON schema; a broken copy is not", () => {
  assert.ok(validate(doc()), schemaErrors(validate).join("\n"));
  const bad = doc();
  bad.services.cryptorun.healthcheck.interval = 30;
  bad.services.cryptorun.depends_on.migrate.condition = "service_started_eventually";
  bad.services.cryptorun.volumes = "cryptorun-data:/data";
  assert.ok(!validate(bad));
  const errs = schemaErrors(validate).join("\n");
  for (const path of ["healthcheck/interval", "depends_on", "/services/cryptorun/volumes"]) {
    assert.ok(errs.includes(path), `${path} not reported:\n${errs}`);
  }
});

Deno.test("compose: cryptorun serves with ingest and scan; postgres (TimescaleDB) and redis; health checks", () => {
  const d = doc();
  assert.deepEqual(Object.keys(d.services).sort(), ["cryptorun", "migrate", "postgres", "redis"]);
  assert.deepEqual(d.services.cryptorun.command, ["serve", "--with-ingest", "--with-scan"]);
  assert.match(d.services.postgres.image, /^timescale\/timescaledb:[\d.]+-pg15$/);
  assert.match(d.services.redis.image, /^redis:\d/);
  for (const name of ["cryptorun", "postgres", "redis"]) {
    assert.ok(d.services[name].healthcheck?.test, `${name} has a health check`);
  }
  assert.deepEqual(d.services.cryptorun.healthcheck.test.slice(-3), [
    "health",
    "--server",
    "http://127.0.0.1:9464",
  ]);
  assert.equal(d.services.cryptorun.depends_on.migrate.condition, "service_completed_successfully");
  assert.equal(d.services.migrate.depends_on.postgres.condition, "service_healthy");
  // Published on loopback only (the endpoints have no authentication); the data dir is a named volume.
  assert.deepEqual(d.services.cryptorun.ports, ["127.0.0.1:9464:9464"]);
  const named = Object.keys(d.volumes);
  for (const s of Object.values(d.services) as Doc[]) {
    for (const v of s.volumes ?? []) assert.ok(named.includes(v.split(":")[0]), `${v} is a named volume`);
  }
  assert.ok(d.services.cryptorun.read_only && d.services.cryptorun.cap_drop.includes("ALL"));
});

Deno.test("compose: every variable the cryptorun services set is a key the config loader accepts", async () => {
  for (const name of ["cryptorun", "migrate"]) {
    const env = doc().services[name].environment as Record<string, string>;
    assert.ok(Object.keys(env).length > 0);
    assert.deepEqual(await unacceptedEnv(env), [], name);
  }
  // And the check can fail: a typo'd section is silently ignored by the loader, but not here.
  assert.deepEqual(await unacceptedEnv({ CRYPTORUN_PERSISTANCE_KIND: "postgres" }), [
    "CRYPTORUN_PERSISTANCE_KIND",
  ]);
});

Deno.test("compose: secrets are files; cryptorun's land in its secrets dir under their env var names", async () => {
  const d = doc();
  for (const s of Object.values(d.secrets) as Doc[]) assert.ok(s.file && !s.environment, JSON.stringify(s));
  const targets = (d.services.cryptorun.secrets as Doc[]).map((s) => s.target).sort();
  assert.deepEqual(targets, ["CRYPTORUN_PG_DSN", "CRYPTORUN_REDIS_URL"]);
  for (const s of Object.values(d.services) as Doc[]) {
    for (const [k, v] of Object.entries(s.environment ?? {})) {
      assert.doesNotMatch(`${k}=${v}`, /PASSWORD=|:\/\/[^@/]*:[^@/]*@/, "no secret value in the environment");
    }
  }
  // `deno task compose:secrets` writes exactly the files the compose file mounts, consistent with each other.
  await using dir = await tempDir();
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--allow-read=${dir.path}`,
      `--allow-write=${dir.path}`,
      `${ROOT}scripts/compose_secrets.ts`,
      `--dir=${dir.path}/s`,
    ],
    stderr: "piped",
  }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  const written = [...Deno.readDirSync(`${dir.path}/s`)].map((e) => e.name).sort();
  const mounted = (Object.values(d.secrets) as Doc[]).map((s) => s.file.split("/").pop()).sort();
  assert.deepEqual(written, mounted);
  assert.equal((await Deno.stat(`${dir.path}/s/CRYPTORUN_PG_DSN`)).mode! & 0o777, 0o600);
  const pg = (await Deno.readTextFile(`${dir.path}/s/postgres_password`)).trim();
  assert.equal(
    (await Deno.readTextFile(`${dir.path}/s/CRYPTORUN_PG_DSN`)).trim(),
    `postgres://cryptorun:${pg}@postgres:5432/cryptorun`,
  );
  const files = secretFiles("a", "b");
  assert.equal(files.CRYPTORUN_REDIS_URL.trim(), "redis://:b@redis:6379");
  assert.match(files["redis.conf"], /^requirepass b$/m);
  // The hosts the compose services are reached at are the image's default --allow-host list.
  const { DEFAULT_ALLOW_HOSTS } = await import("../../deploy/image/image.ts");
  assert.deepEqual(DEFAULT_ALLOW_HOSTS, ["postgres:5432", "redis:6379"]);
});
