/**
 * Test helper: the two persistence backends behind one interface, so every repository test body runs on
 * both. `embedded` = PGlite in a fresh temp data dir; `postgres` = a fresh database on the server that
 * `deno task test` / `deno task dbtest` started (CRYPTORUN_TEST_PG_DSN). A missing DSN fails the test.
 */
import postgres from "postgres";
import { PersistenceSection } from "../../src/config/sections/persistence.ts";
import { openPersistence } from "../../src/persistence/open.ts";
import type { Persistence } from "../../src/persistence/types.ts";
import type { CallPolicy } from "../../src/persistence/call.ts";
import type { MigrateMode } from "../../src/persistence/migrate.ts";

export const BACKENDS = ["embedded", "postgres"] as const;
export type Backend = typeof BACKENDS[number];

/** Fast retries for tests (full jitter over 5–50 ms). */
export const TEST_POLICY: Partial<CallPolicy> = { baseDelayMs: 5, maxDelayMs: 50 };

export function testDsn(): string {
  const dsn = Deno.env.get("CRYPTORUN_TEST_PG_DSN");
  if (!dsn) {
    throw new Error(
      "CRYPTORUN_TEST_PG_DSN is not set: run the tests with `deno task test` or `deno task dbtest`, which start " +
        "a throwaway PostgreSQL 15",
    );
  }
  return dsn;
}

function withDb(dsn: string, db: string): string {
  const u = new URL(dsn);
  u.pathname = "/" + db;
  return u.toString();
}

/** A fresh, empty database on the test server; dropped when disposed. */
export async function freshPgDatabase(): Promise<AsyncDisposable & { dsn: string; name: string }> {
  const base = testDsn();
  const name = `cr_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    dsn: withDb(base, name),
    name,
    async [Symbol.asyncDispose]() {
      const a = postgres(base, { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

export interface Opened extends AsyncDisposable {
  p: Persistence;
  /** The data dir (embedded) or DSN (postgres) the backend uses. */
  dataDir: string;
  env: Record<string, string>;
  kind: Backend;
}

/** Opens a migrated persistence layer on a fresh backend; closes and removes everything when disposed. */
export async function openBackend(kind: Backend, migrate: MigrateMode = "auto"): Promise<Opened> {
  const dataDir = await Deno.makeTempDir({ prefix: "cryptorun-db-test-" });
  let pgdb: (AsyncDisposable & { dsn: string }) | undefined;
  try {
    const env: Record<string, string> = {};
    if (kind === "postgres") {
      pgdb = await freshPgDatabase();
      env.CRYPTORUN_PG_DSN = pgdb.dsn;
    }
    const cfg = PersistenceSection.parse({ kind });
    const p = await openPersistence(cfg, dataDir, env, { migrate, policy: TEST_POLICY });
    return {
      p,
      dataDir,
      env,
      kind,
      async [Symbol.asyncDispose]() {
        await p.close();
        await pgdb?.[Symbol.asyncDispose]();
        await Deno.remove(dataDir, { recursive: true }).catch(() => {});
      },
    };
  } catch (err) {
    await pgdb?.[Symbol.asyncDispose]();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    throw err;
  }
}

/** Registers one Deno.test per backend with the same body. */
export function testBoth(name: string, fn: (o: Opened) => Promise<void>): void {
  for (const kind of BACKENDS) {
    Deno.test(`${name} [${kind}]`, async () => {
      await using o = await openBackend(kind);
      await fn(o);
    });
  }
}
