// The DSN is a secret: only postgres:// / postgresql:// URLs are accepted (a scheme-less `user:pw@host/db`
// exits 2 naming the key, not the value), and no log level ever shows a part of it but host, port and database.
import assert from "node:assert/strict";
import { describeDsn } from "../../src/persistence/db.ts";
import { runCliCaptured, spawnCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { refusedPort } from "../helpers/ports.ts";

const USER = "alice_dsnuser";
const PW = "pw-Quokka-9931";

Deno.test("describeDsn shows host:port/db only", () => {
  assert.equal(
    describeDsn(`postgres://${USER}:${PW}@db.internal:6543/cr?sslmode=require&password=x`),
    "db.internal:6543/cr",
  );
  assert.equal(describeDsn(`postgresql://${USER}@127.0.0.1/cr`), "127.0.0.1:5432/cr");
  for (
    const bad of [`${USER}:${PW}@127.0.0.1/x`, `user:${PW}@127.0.0.1/x`, `mysql://${USER}:${PW}@127.0.0.1/x`]
  ) {
    assert.match(describeDsn(bad), /^\((not a postgres:\/\/|unparseable) DSN\)$/, bad);
  }
});

Deno.test("a scheme-less or non-postgres DSN exits 2 naming the key, never the value (real process, debug log)", async () => {
  await using dir = await tempDir();
  for (const dsn of [`${USER}:${PW}@127.0.0.1/x`, `mysql://${USER}:${PW}@127.0.0.1/x`, `127.0.0.1:5432/x`]) {
    const r = await spawnCli(["--data-dir", dir.path, "--log-level", "debug", "db", "status"], {
      env: { CRYPTORUN_PERSISTENCE_KIND: "postgres", CRYPTORUN_PG_DSN: dsn },
    });
    assert.equal(r.code, 2, `${dsn}: ${r.stderr}`);
    assert.match(
      r.stderr,
      /the DSN in the env var CRYPTORUN_PG_DSN is not a URL like postgres:\/\/.*only postgres:\/\/ and postgresql:\/\/ URLs are accepted \(persistence\.dsn_env;/,
    );
    for (const part of [PW, USER]) assert.ok(!(r.stdout + r.stderr).includes(part), `${dsn}: ${r.stderr}`);
  }
  // From a file: the file key is named.
  await Deno.writeTextFile(`${dir.path}/dsn`, `${USER}:${PW}@127.0.0.1/x\n`);
  const f = await spawnCli(["--data-dir", dir.path, "db", "status"], {
    env: { CRYPTORUN_PERSISTENCE_KIND: "postgres", CRYPTORUN_PERSISTENCE_DSN_FILE: `${dir.path}/dsn` },
  });
  assert.equal(f.code, 2, f.stderr);
  assert.match(
    f.stderr,
    /the DSN in the file .*\/dsn is not a URL like postgres:\/\/.*\(persistence\.dsn_file;/,
  );
  assert.ok(!f.stderr.includes(PW) && !f.stderr.includes(USER));
});

Deno.test("at every log level, a DSN never shows but host, port and database (unreachable server)", async () => {
  await using dir = await tempDir();
  const port = refusedPort();
  const env = {
    CRYPTORUN_PERSISTENCE_KIND: "postgres",
    CRYPTORUN_PERSISTENCE_MAX_RETRIES: "0",
    CRYPTORUN_PG_DSN: `postgres://${USER}:${PW}@127.0.0.1:${port}/cr_db`,
  };
  let sawWhere = false;
  for (const level of ["debug", "info", "warn", "error", "silent"]) {
    for (const json of [[], ["--json"]]) {
      const r = await runCliCaptured(
        ["--data-dir", dir.path, "--log-level", level, ...json, "db", "status"],
        env,
      );
      assert.equal(r.code, 1, `${level}: ${r.stderr}`);
      const all = r.stdout + r.stderr;
      for (const part of [PW, USER]) assert.ok(!all.includes(part), `${level}: ${part} shown: ${all}`);
      assert.match(all, new RegExp(`127\\.0\\.0\\.1:${port}`), level);
      if (all.includes(`127.0.0.1:${port}/cr_db`)) sawWhere = true;
    }
  }
  assert.ok(sawWhere, "the debug log names host:port/db");
});
