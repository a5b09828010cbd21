import assert from "node:assert/strict";
import { runCliCaptured, spawnCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { freshPgDatabase } from "./backends.ts";

Deno.test("cryptorun db: migrate twice, status, down, migrate again (embedded, real process)", async () => {
  await using dir = await tempDir();
  const d = ["--data-dir", dir.path];
  const m1 = await spawnCli([...d, "db", "migrate"]);
  assert.equal(m1.code, 0, m1.stderr);
  assert.match(m1.stdout, /^applied 0001_create_trades\.sql$/m);
  assert.match(m1.stdout, /database embedded .* at version \d+/);
  const m2 = await spawnCli([...d, "--json", "db", "migrate"]);
  assert.equal(m2.code, 0, m2.stderr);
  const j2 = JSON.parse(m2.stdout);
  assert.deepEqual(j2.applied, []);
  const st = await spawnCli([...d, "--json", "db", "status"]);
  assert.equal(st.code, 0, st.stderr);
  const js = JSON.parse(st.stdout);
  assert.equal(js.current, j2.current);
  assert.ok(
    js.migrations.every((m: { applied: boolean; checksum: string }) => m.applied && m.checksum === "ok"),
  );
  const down = await spawnCli([...d, "db", "down", "--to", "3"]);
  assert.equal(down.code, 0, down.stderr);
  assert.match(down.stdout, /reverted 0004_add_trades_trade_key\.sql/);
  assert.match(down.stdout, /at version 3$/m);
  const text = await spawnCli([...d, "db", "status"]);
  assert.match(text.stdout, /^4 +0004_add_trades_trade_key\.sql +pending/m);
  const m3 = await spawnCli([...d, "--json", "db", "migrate"]);
  assert.equal(JSON.parse(m3.stdout).applied[0], "0004_add_trades_trade_key.sql");
});

Deno.test("cryptorun db: bad actions and flags exit 2 naming them", async () => {
  const r1 = await runCliCaptured(["db"]);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /db: missing action/);
  const r2 = await runCliCaptured(["db", "sideways"]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /unknown action "sideways"/);
  const r3 = await runCliCaptured(["db", "migrate", "--to", "soon"]);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /--to: expected a migration version .* found "soon"/);
  const help = await runCliCaptured(["db", "--help"]);
  assert.equal(help.code, 0);
  for (const s of ["Usage: cryptorun db", "--to VERSION", "Pitfalls:", "Examples:"]) {
    assert.ok(help.stdout.includes(s), s);
  }
});

Deno.test("cryptorun db: postgres via CRYPTORUN_PG_DSN; the DSN is never printed; no DSN → exit 2", async () => {
  await using pg = await freshPgDatabase();
  // A password the server does not check (trust auth) but that must never appear in output.
  const u = new URL(pg.dsn);
  u.password = "Sup3rS3cretPw";
  const env = { CRYPTORUN_PERSISTENCE_KIND: "postgres", CRYPTORUN_PG_DSN: u.toString() };
  const m = await spawnCli(["--log-level", "debug", "db", "migrate"], { env });
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, /database postgres 127\.0\.0\.1:\d+\/cr_\w+ at version \d+/);
  const st = await spawnCli(["--log-level", "debug", "db", "status"], { env });
  assert.equal(st.code, 0, st.stderr);
  for (const out of [m.stdout, m.stderr, st.stdout, st.stderr]) {
    assert.ok(!out.includes("Sup3rS3cretPw"), out);
  }

  const bad = { ...env, CRYPTORUN_PG_DSN: "postgres://app:Sup3rS3cretPw@127.0.0.1:1/none" };
  const r = await spawnCli(["db", "status"], { env: { ...bad, CRYPTORUN_PERSISTENCE_MAX_RETRIES: "0" } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /ECONNREFUSED/);
  assert.ok(!r.stderr.includes("Sup3rS3cretPw"));

  const none = await spawnCli(["db", "status"], { env: { CRYPTORUN_PERSISTENCE_KIND: "postgres" } });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no DSN is set: set the env var CRYPTORUN_PG_DSN/);
});

Deno.test("cryptorun db: an unparseable DSN exits 2 naming where it came from, never its value", async () => {
  const r = await runCliCaptured(["db", "status"], {
    CRYPTORUN_PERSISTENCE_KIND: "postgres",
    CRYPTORUN_PG_DSN: "postgres://app:Sup3rS3cretPw@[broken/db",
  });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /DSN in the env var CRYPTORUN_PG_DSN is not a URL like postgres:\/\//);
  assert.ok(!r.stderr.includes("Sup3rS3cretPw"), r.stderr);
  assert.ok(!r.stderr.includes("broken"), r.stderr);
});
