import type postgres from "postgres";
import type { PersistenceKind } from "./types.ts";

/** The npm:postgres client type used by every repository (one SQL code path for both backends). */
export type Sql = postgres.Sql<Record<string, never>>;

/**
 * The narrow handle every repository and the migrator work through: an npm:postgres client connected either
 * to a real PostgreSQL server or to the embedded PGlite (through pglite-socket on a loopback port).
 */
export interface Db {
  kind: PersistenceKind;
  sql: Sql;
  /**
   * True when `COPY … FROM STDIN` is safe: real Postgres only. COPY FROM STDIN over pglite-socket kills
   * PGlite (STACK.md), so the embedded database gets batched `unnest` inserts instead.
   */
  canCopy: boolean;
  /** Where the database is, for display: host:port/db or the embedded directory (never a password). */
  where: string;
  ping(signal?: AbortSignal, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * `host:port/db` of a DSN — the only parts of a DSN CryptoRun ever shows (logs, status output, errors): never
 * the user, the password or the query. Anything that is not a postgres:// URL shows as a placeholder.
 */
export function describeDsn(dsn: string): string {
  try {
    const u = new URL(dsn);
    if (!/^postgres(?:ql)?:$/.test(u.protocol) || !dsn.includes("://")) return "(not a postgres:// DSN)";
    return `${u.hostname}:${u.port || "5432"}/${u.pathname.slice(1).split("/")[0]}`;
  } catch {
    return "(unparseable DSN)";
  }
}
