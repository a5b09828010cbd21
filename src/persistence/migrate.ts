import type { Logger } from "../log/logger.ts";
import { InputError } from "../util/errors.ts";
import { type CallPolicy, runCall } from "./call.ts";
import { isTransient } from "./db_error.ts";
import { isConnectionLoss, withReserved } from "./transaction.ts";
import type { Db, Sql } from "./db.ts";
import { loadMigrations, type MigrationFile } from "./migration_files.ts";

/**
 * Goose-compatible migrator. The version table is goose's own (`goose_db_version`: id, version_id, is_applied,
 * tstamp), so the goose CLI sees the same state; `cryptorun_migration_checksums` adds a sha256 per applied file,
 * so a file edited after it was applied is an error naming the file.
 */

export type MigrateMode = "auto" | "check" | "none";

/** Arbitrary constant: the session advisory lock serialising migrators across processes. */
const LOCK_KEY = 727_460_915;

export type ChecksumState = "ok" | "mismatch" | "unrecorded" | "pending" | "missing-file";

export interface MigrationStatus {
  version: number;
  file: string | null;
  applied: boolean;
  appliedAt: Date | null;
  checksum: ChecksumState;
}

export interface SchemaStatus {
  kind: Db["kind"];
  where: string;
  current: number;
  timescaledb: string | null;
  migrations: MigrationStatus[];
}

type Reserved = Awaited<ReturnType<Sql["reserve"]>>;

async function ensureTables(q: Reserved | Sql): Promise<void> {
  const [{ exists }] = await q<{ exists: boolean }[]>`
    select to_regclass('goose_db_version') is not null as exists`;
  if (!exists) {
    await q.unsafe(`
      CREATE TABLE IF NOT EXISTS goose_db_version (
        id serial NOT NULL,
        version_id bigint NOT NULL,
        is_applied boolean NOT NULL,
        tstamp timestamp NULL DEFAULT now(),
        PRIMARY KEY (id)
      );
      INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true);`).simple();
  }
  await q.unsafe(`
    CREATE TABLE IF NOT EXISTS cryptorun_migration_checksums (
      version_id bigint PRIMARY KEY,
      file text NOT NULL,
      sha256 text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`).simple();
}

/** Applied versions (> 0): goose semantics, the newest row per version decides. */
async function appliedVersions(q: Reserved | Sql): Promise<Map<number, Date | null>> {
  const rows = await q<{ version_id: string; is_applied: boolean; tstamp: Date | null }[]>`
    select distinct on (version_id) version_id, is_applied, tstamp
    from goose_db_version order by version_id, id desc`;
  const out = new Map<number, Date | null>();
  for (const r of rows) if (r.is_applied && Number(r.version_id) > 0) out.set(Number(r.version_id), r.tstamp);
  return out;
}

async function recordedChecksums(q: Reserved | Sql): Promise<Map<number, { file: string; sha256: string }>> {
  const rows = await q<{ version_id: string; file: string; sha256: string }[]>`
    select version_id, file, sha256 from cryptorun_migration_checksums`;
  return new Map(rows.map((r) => [Number(r.version_id), { file: r.file, sha256: r.sha256 }]));
}

function statusRows(
  files: MigrationFile[],
  applied: Map<number, Date | null>,
  sums: Map<number, { file: string; sha256: string }>,
): MigrationStatus[] {
  const rows: MigrationStatus[] = files.map((f) => {
    const isApplied = applied.has(f.version);
    const rec = sums.get(f.version);
    const checksum: ChecksumState = !isApplied
      ? "pending"
      : !rec
      ? "unrecorded"
      : rec.sha256 === f.checksum
      ? "ok"
      : "mismatch";
    return {
      version: f.version,
      file: f.file,
      applied: isApplied,
      appliedAt: applied.get(f.version) ?? null,
      checksum,
    };
  });
  for (const [v, at] of applied) {
    if (!files.some((f) => f.version === v)) {
      rows.push({
        version: v,
        file: sums.get(v)?.file ?? null,
        applied: true,
        appliedAt: at,
        checksum: "missing-file",
      });
    }
  }
  return rows.sort((a, b) => a.version - b.version);
}

function assertChecksums(
  rows: MigrationStatus[],
  files: MigrationFile[],
  sums: Map<number, { sha256: string }>,
) {
  const bad = rows.filter((r) => r.checksum === "mismatch");
  if (bad.length === 0) return;
  const r = bad[0];
  const f = files.find((x) => x.version === r.version)!;
  throw new InputError(
    `migration ${r.file} was changed after it was applied (sha256 ${f.checksum.slice(0, 12)}… ≠ recorded ` +
      `${
        sums.get(r.version)!.sha256.slice(0, 12)
      }…): never edit an applied migration, add a new numbered file` +
      (bad.length > 1 ? ` (also: ${bad.slice(1).map((b) => b.file).join(", ")})` : ""),
  );
}

async function withLock<T>(db: Db, fn: (r: Reserved) => Promise<T>): Promise<T> {
  return await withReserved(db.sql, async (r) => {
    await r`select pg_advisory_lock(${LOCK_KEY})`;
    let lost = false;
    try {
      return await fn(r);
    } catch (err) {
      lost = isConnectionLoss(err);
      throw err;
    } finally {
      // After a connection loss the server released the lock with the session: send nothing.
      if (!lost) await r`select pg_advisory_unlock(${LOCK_KEY})`.catch(() => {});
    }
  });
}

async function timescaleVersion(q: Reserved | Sql): Promise<string | null> {
  const rows = await q<{ extversion: string }[]>`
    select extversion from pg_extension where extname = 'timescaledb'`;
  return rows[0]?.extversion ?? null;
}

/** The state of every migration: applied or pending, and whether each applied file is unchanged. */
export async function migrationStatus(db: Db, files?: MigrationFile[]): Promise<SchemaStatus> {
  files ??= await loadMigrations();
  return await withLock(db, async (r) => {
    await ensureTables(r);
    const applied = await appliedVersions(r);
    const rows = statusRows(files, applied, await recordedChecksums(r));
    return {
      kind: db.kind,
      where: db.where,
      current: Math.max(0, ...applied.keys()),
      timescaledb: await timescaleVersion(r),
      migrations: rows,
    };
  });
}

async function runSection(
  r: Reserved,
  m: MigrationFile,
  dir: "up" | "down",
  record: () => Promise<void>,
) {
  if (m.noTransaction) {
    // Statement by statement: Postgres runs a multi-statement query as one implicit transaction, where
    // CREATE INDEX CONCURRENTLY and friends are refused. What ran stays if a later statement fails (as in goose).
    const stmts = dir === "up" ? m.upStatements : m.downStatements;
    for (const [i, stmt] of stmts.entries()) {
      try {
        await r.unsafe(stmt).simple();
      } catch (err) {
        if (stmts.length > 1 && err && typeof err === "object") {
          (err as { statement?: string }).statement = `statement ${i + 1} of ${stmts.length}`;
        }
        throw err;
      }
    }
    await inTransaction(r, record);
    return;
  }
  const sql = dir === "up" ? m.up : m.down;
  await inTransaction(r, async () => {
    if (sql) await r.unsafe(sql).simple();
    await record();
  });
}

async function inTransaction(r: Reserved, fn: () => Promise<void>): Promise<void> {
  await r.unsafe("BEGIN").simple();
  try {
    await fn();
    await r.unsafe("COMMIT").simple();
  } catch (err) {
    if (!isConnectionLoss(err)) await r.unsafe("ROLLBACK").simple().catch(() => {});
    throw err;
  }
}

function failed(m: MigrationFile, dir: "up" | "down", err: unknown): unknown {
  // A lost connection is retried by the caller (the migration's transaction did not commit): keep it as is.
  if (isTransient(err)) return err;
  const e = err as { message?: string; code?: string; position?: string; statement?: string };
  return new InputError(
    `migration ${m.file} (${dir}${e.statement ? `, ${e.statement}` : ""}) failed: ${
      e.message ?? String(err)
    }${e.code ? ` (SQLSTATE ${e.code})` : ""}`,
    { cause: err },
  );
}

export interface MigrateResult {
  applied: MigrationFile[];
  current: number;
}

/**
 * Applies pending migrations in version order (up to `to` when given), each in its own transaction together
 * with its version row and checksum. Idempotent: with nothing pending it changes nothing. Refuses to run when
 * an applied file changed. Applied files without a recorded checksum (applied by the goose CLI) are adopted.
 */
export async function migrateUp(
  db: Db,
  opts: { to?: number; log?: Logger; files?: MigrationFile[] } = {},
): Promise<MigrateResult> {
  const files = opts.files ?? await loadMigrations();
  return await withLock(db, async (r) => {
    await ensureTables(r);
    const applied = await appliedVersions(r);
    const sums = await recordedChecksums(r);
    const rows = statusRows(files, applied, sums);
    assertChecksums(rows, files, sums);
    for (const f of files) {
      if (applied.has(f.version) && !sums.has(f.version)) {
        await r`insert into cryptorun_migration_checksums (version_id, file, sha256)
                values (${f.version}, ${f.file}, ${f.checksum}) on conflict (version_id) do nothing`;
        opts.log?.info("migration checksum recorded", { file: f.file });
      }
    }
    const done: MigrationFile[] = [];
    for (const f of files) {
      if (applied.has(f.version) || (opts.to !== undefined && f.version > opts.to)) continue;
      try {
        await runSection(r, f, "up", async () => {
          await r`insert into goose_db_version (version_id, is_applied) values (${f.version}, true)`;
          await r`insert into cryptorun_migration_checksums (version_id, file, sha256)
                  values (${f.version}, ${f.file}, ${f.checksum})
                  on conflict (version_id) do update set file = excluded.file, sha256 = excluded.sha256,
                    recorded_at = now()`;
        });
      } catch (err) {
        throw failed(f, "up", err);
      }
      opts.log?.info("migration applied", { file: f.file });
      done.push(f);
      applied.set(f.version, new Date());
    }
    return { applied: done, current: Math.max(0, ...applied.keys()) };
  });
}

export interface DownResult {
  reverted: MigrationFile[];
  current: number;
}

/**
 * Reverts applied migrations newest first: the latest one, or every one above `to` (`to: 0` reverts all).
 * Each runs its Down section in a transaction and deletes its version row (goose semantics).
 */
export async function migrateDown(
  db: Db,
  opts: { to?: number; log?: Logger; files?: MigrationFile[] } = {},
): Promise<DownResult> {
  const files = opts.files ?? await loadMigrations();
  return await withLock(db, async (r) => {
    await ensureTables(r);
    const applied = await appliedVersions(r);
    const sums = await recordedChecksums(r);
    assertChecksums(statusRows(files, applied, sums), files, sums);
    const versions = [...applied.keys()].sort((a, b) => b - a);
    const targets = opts.to === undefined ? versions.slice(0, 1) : versions.filter((v) => v > opts.to!);
    const done: MigrationFile[] = [];
    for (const v of targets) {
      const f = files.find((x) => x.version === v);
      if (!f) {
        throw new InputError(`cannot revert version ${v}: no migration file NNNN_…sql with that version`);
      }
      try {
        await runSection(r, f, "down", async () => {
          await r`delete from goose_db_version where version_id = ${v}`;
          await r`delete from cryptorun_migration_checksums where version_id = ${v}`;
        });
      } catch (err) {
        throw failed(f, "down", err);
      }
      opts.log?.info("migration reverted", { file: f.file });
      applied.delete(v);
      done.push(f);
    }
    return { reverted: done, current: Math.max(0, ...applied.keys()) };
  });
}

/**
 * What `openPersistence` does about the schema: `auto` applies pending migrations, `check` fails naming the
 * pending or changed files, `none` does nothing. Retried like any call on transient errors (connection
 * refused while a server starts, …). A transactional migration is retried whole; a NO TRANSACTION file is
 * not atomic, so a retry re-runs its statements from the first — write them idempotently
 * (`CREATE INDEX CONCURRENTLY IF NOT EXISTS …`), as docs/PERSISTENCE.md says.
 */
export async function prepareSchema(
  db: Db,
  mode: MigrateMode,
  log: Logger,
  policy: CallPolicy,
): Promise<void> {
  if (mode === "none") return;
  const files = await loadMigrations();
  const longPolicy = { ...policy, timeoutMs: Math.max(policy.timeoutMs, 600_000) };
  if (mode === "auto") {
    const r = await runCall("schema", "migrate", longPolicy, undefined, () => migrateUp(db, { files, log }));
    if (r.applied.length) log.info("database migrated", { where: db.where, version: r.current });
    return;
  }
  const st = await runCall("schema", "status", policy, undefined, () => migrationStatus(db, files));
  const bad = st.migrations.find((m) => m.checksum === "mismatch");
  if (bad) {
    throw new InputError(
      `migration ${bad.file} was changed after it was applied: never edit an applied migration`,
    );
  }
  const pending = st.migrations.filter((m) => !m.applied);
  if (pending.length) {
    throw new InputError(
      `database ${db.where} needs migrations: ${pending.map((m) => m.file).join(", ")}; ` +
        `run: cryptorun db migrate`,
    );
  }
}
