import postgres from "postgres";
import type { Logger } from "../log/logger.ts";
import { type Db, describeDsn, type Sql } from "./db.ts";
import { pingDb } from "./ping.ts";

export interface PostgresOptions {
  poolSize: number;
  connectTimeoutMs: number;
  log: Logger;
  /** application_name of the connections (visible in pg_stat_activity). */
  applicationName?: string;
}

/**
 * Connects npm:postgres to a real PostgreSQL (or TimescaleDB) server. Statements are prepared (named
 * prepared statements, npm:postgres `prepare: true`); connections open lazily and reconnect after a loss.
 */
export function connectPostgres(dsn: string, opts: PostgresOptions): Promise<Db> {
  const where = describeDsn(dsn);
  const sql: Sql = postgres(dsn, {
    max: opts.poolSize,
    prepare: true,
    connect_timeout: Math.max(1, Math.ceil(opts.connectTimeoutMs / 1000)),
    idle_timeout: 60,
    onnotice: (n) => opts.log.debug("postgres notice", { message: n.message }),
    connection: { application_name: opts.applicationName ?? "cryptorun" },
  });
  opts.log.debug("persistence: postgres", { where });
  return Promise.resolve({
    kind: "postgres",
    sql,
    canCopy: true,
    where,
    ping: (signal, timeoutMs) => pingDb(sql, signal, timeoutMs),
    close: () => sql.end({ timeout: 5 }),
  });
}
