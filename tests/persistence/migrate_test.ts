import assert from "node:assert/strict";
import { join } from "node:path";
import { PersistenceSection } from "../../src/config/sections/persistence.ts";
import { nullLogger } from "../../src/log/logger.ts";
import { openDb } from "../../src/persistence/open.ts";
import { migrateDown, migrateUp, migrationStatus } from "../../src/persistence/migrate.ts";
import { loadMigrations, MIGRATIONS_DIR, parseGoose } from "../../src/persistence/migration_files.ts";
import type { Db } from "../../src/persistence/db.ts";
import { type Backend, BACKENDS, freshPgDatabase } from "./backends.ts";
import { InputError } from "../../src/util/errors.ts";

async function withDb(kind: Backend, fn: (db: Db, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cryptorun-migrate-test-" });
  await using pg = kind === "postgres" ? await freshPgDatabase() : undefined;
  const db = await openDb(
    PersistenceSection.parse({ kind }),
    dir,
    pg ? { CRYPTORUN_PG_DSN: pg.dsn } : {},
    nullLogger,
  );
  try {
    await fn(db, dir);
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function tables(db: Db): Promise<string[]> {
  const rows = await db.sql<{ t: string }[]>`
    select table_name as t from information_schema.tables where table_schema = 'public' order by 1`;
  return rows.map((r) => r.t);
}

async function versionRows(db: Db) {
  return await db.sql<{ version_id: string; is_applied: boolean }[]>`
    select version_id, is_applied from goose_db_version order by id`;
}

Deno.test("migration files: the spec's three tables first, goose format, unique versions", async () => {
  const files = await loadMigrations();
  assert.deepEqual(files.slice(0, 3).map((f) => f.file), [
    "0001_create_trades.sql",
    "0002_create_regime_snapshots.sql",
    "0003_create_premove_artifacts.sql",
  ]);
  for (const f of files) {
    assert.ok(f.up.length > 0, `${f.file}: empty Up`);
    assert.ok(f.down.length > 0, `${f.file}: empty Down`);
  }
  const trades = await Deno.readTextFile(join(MIGRATIONS_DIR, "0001_create_trades.sql"));
  for (
    const col of [
      "id BIGSERIAL PRIMARY KEY",
      "ts TIMESTAMPTZ NOT NULL",
      "side TEXT CHECK (side IN ('buy','sell'))",
    ]
  ) {
    assert.ok(trades.includes(col), `0001 lacks ${col}`);
  }
  assert.ok(trades.includes("CREATE INDEX ON trades (symbol, ts DESC)"));
});

Deno.test("parseGoose: errors name the file and line", () => {
  assert.throws(
    () => parseGoose("0009_x.sql", "CREATE TABLE x();"),
    /0009_x\.sql:1: SQL before "-- \+goose Up"/,
  );
  assert.throws(() => parseGoose("0009_x.sql", "-- just a comment\n"), /0009_x\.sql: no "-- \+goose Up"/);
  assert.throws(() => parseGoose("0009_x.sql", "-- +goose Down\n-- +goose Up\n"), /0009_x\.sql:1/);
  assert.throws(
    () => parseGoose("0009_x.sql", "-- +goose Up\n-- +goose Sideways\n"),
    /0009_x\.sql:2: unknown goose/,
  );
  const p = parseGoose(
    "0009_x.sql",
    "-- +goose Up\n-- +goose NO TRANSACTION\nSELECT 1;\n-- +goose Down\nSELECT 2;\n",
  );
  assert.deepEqual(p, {
    up: "SELECT 1;",
    down: "SELECT 2;",
    noTransaction: true,
    upStatements: ["SELECT 1"],
    downStatements: ["SELECT 2"],
  });
  assert.throws(
    () => parseGoose("0009_x.sql", "-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n-- +goose Down\n"),
    /0009_x\.sql:2: "-- \+goose StatementBegin" without StatementEnd/,
  );
  assert.throws(
    () => parseGoose("0009_x.sql", "-- +goose Up\nSELECT 1;\n-- +goose StatementEnd\n"),
    /0009_x\.sql:3: "-- \+goose StatementEnd" without StatementBegin/,
  );
});

Deno.test("goose statements: a StatementBegin/End block is one statement; quotes and comments are no boundary", () => {
  const p = parseGoose(
    "0009_x.sql",
    [
      "-- +goose Up",
      "CREATE TABLE a (s text DEFAULT 'x;''y'); -- one; two",
      "/* block; /* nested; */ still comment; */",
      "CREATE TABLE \"we;ird\" (t text DEFAULT E'\\';');",
      "-- +goose StatementBegin",
      "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; RETURN 1; END $$;",
      "-- +goose StatementEnd",
      "CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $body$ SELECT ';' $body$;",
      "SELECT $1x, a$b$c FROM t",
      "-- trailing comment;",
      "-- +goose Down",
      "DROP TABLE a;;",
      "",
    ].join("\n"),
  );
  assert.deepEqual(p.upStatements, [
    "CREATE TABLE a (s text DEFAULT 'x;''y')",
    "-- one; two\n/* block; /* nested; */ still comment; */\nCREATE TABLE \"we;ird\" (t text DEFAULT E'\\';')",
    "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; RETURN 1; END $$",
    "CREATE FUNCTION g() RETURNS text LANGUAGE sql AS $body$ SELECT ';' $body$",
    "SELECT $1x, a$b$c FROM t\n-- trailing comment;",
  ]);
  assert.deepEqual(p.downStatements, ["DROP TABLE a"]);
});

for (const kind of BACKENDS) {
  Deno.test(`migrate is idempotent; down then migrate again [${kind}]`, async () => {
    await withDb(kind, async (db) => {
      const files = await loadMigrations();
      const last = files[files.length - 1].version;
      const first = await migrateUp(db);
      assert.equal(first.applied.length, files.length);
      assert.equal(first.current, last);
      const t1 = await tables(db);
      for (const t of ["trades", "regime_snapshots", "premove_artifacts", "goose_db_version"]) {
        assert.ok(t1.includes(t));
      }
      const rows1 = await versionRows(db);

      const second = await migrateUp(db);
      assert.deepEqual(second.applied, [], "a second migrate applied something");
      assert.deepEqual(await versionRows(db), rows1, "a second migrate changed the version table");
      assert.deepEqual(await tables(db), t1);

      // goose's table shape: version 0 row first, then one applied row per file.
      assert.deepEqual(rows1.map((r) => [Number(r.version_id), r.is_applied]), [
        [0, true],
        ...files.map((f) => [f.version, true]),
      ]);

      const down = await migrateDown(db);
      assert.deepEqual(down.reverted.map((f) => f.version), [last]);
      let st = await migrationStatus(db);
      assert.equal(st.current, files[files.length - 2].version);
      assert.deepEqual(st.migrations.filter((m) => !m.applied).map((m) => m.version), [last]);

      const all = await migrateDown(db, { to: 0 });
      assert.equal(all.reverted.length, files.length - 1);
      assert.deepEqual(await tables(db), ["cryptorun_migration_checksums", "goose_db_version"]);

      const again = await migrateUp(db);
      assert.equal(again.applied.length, files.length);
      st = await migrationStatus(db);
      assert.ok(st.migrations.every((m) => m.applied && m.checksum === "ok"));
      assert.equal(st.timescaledb, null);
      // Data survives a no-op migrate.
      await db.sql`insert into regime_snapshots values (now(), 0.1, 0.5, 0.3, 'choppy', '{}'::jsonb)`;
      await migrateUp(db);
      const [{ n }] = await db.sql<{ n: string }[]>`select count(*) as n from regime_snapshots`;
      assert.equal(Number(n), 1);
    });
  });
}

Deno.test("migrate --to applies up to a version; a changed applied file is an error naming it", async () => {
  await withDb("postgres", async (db, dir) => {
    const migDir = join(dir, "migrations");
    await Deno.mkdir(migDir);
    for await (const e of Deno.readDir(MIGRATIONS_DIR)) {
      if (e.name.endsWith(".sql")) await Deno.copyFile(join(MIGRATIONS_DIR, e.name), join(migDir, e.name));
    }
    const r = await migrateUp(db, { to: 2, files: await loadMigrations(migDir) });
    assert.deepEqual(r.applied.map((f) => f.version), [1, 2]);
    // Someone edits an applied migration.
    const path = join(migDir, "0002_create_regime_snapshots.sql");
    await Deno.writeTextFile(
      path,
      (await Deno.readTextFile(path)).replace("NOT NULL,\n  regime", "NULL,\n  regime"),
    );
    const changed = await loadMigrations(migDir);
    await assert.rejects(() => migrateUp(db, { files: changed }), (e: Error) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /migration 0002_create_regime_snapshots\.sql was changed after it was applied/);
      return true;
    });
    const st = await migrationStatus(db, changed);
    assert.equal(st.migrations.find((m) => m.version === 2)?.checksum, "mismatch");
    assert.equal(
      st.migrations.find((m) => m.version === 3)?.applied,
      false,
      "nothing applied after the error",
    );
  });
});

Deno.test("a failing migration rolls back completely and names the file", async () => {
  await withDb("postgres", async (db, dir) => {
    const migDir = join(dir, "migrations");
    await Deno.mkdir(migDir);
    await Deno.writeTextFile(
      join(migDir, "0001_ok.sql"),
      "-- +goose Up\nCREATE TABLE a (x int);\n-- +goose Down\nDROP TABLE a;\n",
    );
    await Deno.writeTextFile(
      join(migDir, "0002_bad.sql"),
      "-- +goose Up\nCREATE TABLE b (x int);\nALTER TABLE nope ADD COLUMN y int;\n-- +goose Down\nDROP TABLE b;\n",
    );
    const files = await loadMigrations(migDir);
    await assert.rejects(
      () => migrateUp(db, { files }),
      /migration 0002_bad\.sql \(up\) failed: relation "nope" does not exist \(SQLSTATE 42P01\)/,
    );
    const t = await tables(db);
    assert.ok(t.includes("a") && !t.includes("b"), `half-applied migration left ${t}`);
    const st = await migrationStatus(db, await loadMigrations(migDir));
    assert.equal(st.current, 1);
  });
});

for (const kind of BACKENDS) {
  Deno.test(`a NO TRANSACTION migration runs its statements one by one (CREATE INDEX CONCURRENTLY) [${kind}]`, async () => {
    await withDb(kind, async (db, dir) => {
      const migDir = join(dir, "migrations");
      await Deno.mkdir(migDir);
      await Deno.writeTextFile(
        join(migDir, "0001_t.sql"),
        "-- +goose Up\nCREATE TABLE t (a int, b text);\n-- +goose Down\nDROP TABLE t;\n",
      );
      // Several statements: Postgres runs a multi-statement query as one implicit transaction, where
      // CREATE INDEX CONCURRENTLY is refused (SQLSTATE 25001). A `;` in a string or a comment is no boundary.
      await Deno.writeTextFile(
        join(migDir, "0002_concurrently.sql"),
        [
          "-- +goose NO TRANSACTION",
          "-- +goose Up",
          "CREATE INDEX CONCURRENTLY t_a ON t (a); -- first; of two",
          "/* a block comment; with a semicolon */",
          "CREATE INDEX CONCURRENTLY t_b ON t (b) WHERE b <> 'x;y';",
          "-- +goose Down",
          "DROP INDEX CONCURRENTLY t_b;",
          "DROP INDEX CONCURRENTLY t_a;",
          "",
        ].join("\n"),
      );
      const files = await loadMigrations(migDir);
      const indexes = async () =>
        (await db.sql<
          { i: string }[]
        >`select indexname as i from pg_indexes where tablename = 't' order by 1`)
          .map((r) => r.i);
      const up = await migrateUp(db, { files });
      assert.deepEqual(up.applied.map((f) => f.version), [1, 2]);
      assert.deepEqual(await indexes(), ["t_a", "t_b"]);
      const [{ pred }] = await db.sql<{ pred: string }[]>`
        select pg_get_expr(indpred, indrelid) as pred from pg_index where indexrelid = 't_b'::regclass`;
      assert.match(pred, /'x;y'/);
      let st = await migrationStatus(db, files);
      assert.ok(st.migrations.every((m) => m.applied && m.checksum === "ok"));
      const down = await migrateDown(db, { files });
      assert.deepEqual(down.reverted.map((f) => f.version), [2]);
      assert.deepEqual(await indexes(), []);
      st = await migrationStatus(db, files);
      assert.equal(st.current, 1);

      // A failing statement is named; the file is not recorded as applied.
      await Deno.writeTextFile(
        join(migDir, "0003_bad.sql"),
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY t_c ON t (a);\n" +
          "CREATE INDEX CONCURRENTLY t_d ON nope (a);\n-- +goose Down\nDROP INDEX t_c;\n",
      );
      await assert.rejects(
        async () => migrateUp(db, { files: await loadMigrations(migDir) }),
        /migration 0003_bad\.sql \(up, statement 2 of 2\) failed: relation "nope" does not exist \(SQLSTATE 42P01\)/,
      );
      st = await migrationStatus(db, await loadMigrations(migDir));
      assert.equal(st.current, 2);
    });
  });
}
