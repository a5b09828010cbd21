import type { PersistenceConfig } from "../config/sections/persistence.ts";
import { resolveSecret } from "../config/secrets.ts";
import { type Logger, nullLogger } from "../log/logger.ts";
import { ConfigError } from "../util/errors.ts";
import type { Db } from "./db.ts";
import { type MigrateMode, prepareSchema } from "./migrate.ts";
import { newTradesRepo } from "./trades_repo.ts";
import { newRegimeRepo } from "./regime_repo.ts";
import { newPremoveRepo } from "./premove_repo.ts";
import { newBacktestRepo } from "./backtest_repo.ts";
import { type CallPolicy, policyFrom } from "./call.ts";
import type { Persistence } from "./types.ts";

export interface OpenOptions {
  log?: Logger;
  /**
   * What to do about migrations on open: `auto` applies pending ones, `check` fails naming them, `none` does
   * nothing (the `db` subcommand). Default: `auto` for the embedded database, `check` for a real server (a DBA
   * applies migrations there with `cryptorun db migrate`).
   */
  migrate?: MigrateMode;
  /** Overrides of the retry/timeout policy (tests use a short backoff). */
  policy?: Partial<CallPolicy>;
}

/** Resolves the DSN secret of a `postgres` config (registered with the redactor); ConfigError when unset. */
export async function resolveDsn(cfg: PersistenceConfig, env: Record<string, string>): Promise<string> {
  const s = await resolveSecret({ env: cfg.dsn_env, file: cfg.dsn_file }, "persistence.dsn", env);
  if (!s.value) {
    throw new ConfigError(
      `persistence.kind is postgres but no DSN is set: set the env var ${cfg.dsn_env} (a URL like ` +
        `postgres://user@host:5432/db)` +
        (cfg.dsn_file ? ` or fill ${cfg.dsn_file}` : ` or set persistence.dsn_file`) +
        ` (or use persistence.kind: embedded)`,
    );
  }
  // Only a postgres:// or postgresql:// URL: npm:postgres reads a scheme-less `user:pw@host/db` as something
  // else entirely (and the parts a log may show — host, port, database — would then hold the password).
  let url: URL | undefined;
  try {
    url = new URL(s.value);
  } catch { /* reported below */ }
  if (!url || !/^postgres(?:ql)?:$/.test(url.protocol) || !s.value.includes("://")) {
    const from = cfg.dsn_file ? `the file ${cfg.dsn_file}` : `the env var ${cfg.dsn_env}`;
    const key = cfg.dsn_file ? "persistence.dsn_file" : "persistence.dsn_env";
    throw new ConfigError(
      `persistence: the DSN in ${from} is not a URL like postgres://user@host:5432/db: only postgres:// ` +
        `and postgresql:// URLs are accepted (${key}; the value is a secret and is not shown)`,
    );
  }
  return s.value;
}

/** Opens the low-level database handle for a config (embedded PGlite or a real server). */
export async function openDb(
  cfg: PersistenceConfig,
  dataDir: string,
  env: Record<string, string>,
  log: Logger = nullLogger,
): Promise<Db> {
  // The backend (npm:postgres, or PGlite) is loaded only when the config selects it.
  if (cfg.kind === "postgres") {
    const dsn = await resolveDsn(cfg, env);
    const { connectPostgres } = await import("./postgres.ts");
    try {
      // Connections open lazily: only a DSN npm:postgres cannot parse fails here.
      return await connectPostgres(dsn, { poolSize: cfg.pool_size, connectTimeoutMs: cfg.timeout_ms, log });
    } catch (err) {
      const from = cfg.dsn_file ? `the file ${cfg.dsn_file}` : `the env var ${cfg.dsn_env}`;
      throw new ConfigError(
        `persistence: the DSN in ${from} is not a URL like postgres://user@host:5432/db ` +
          `(${(err as Error).name}; the value is a secret and is not shown)`,
      );
    }
  }
  const { openEmbedded } = await import("./embedded.ts");
  return await openEmbedded(dataDir, { log });
}

/**
 * Opens the persistence layer described by `cfg`: PGlite under `<dataDir>/db` (kind `embedded`, the default)
 * or a real PostgreSQL/TimescaleDB reached through the DSN secret (kind `postgres`). Same migrations, same
 * repositories, same SQL. The DSN is a secret: it is registered with the redactor and never logged.
 */
export async function openPersistence(
  cfg: PersistenceConfig,
  dataDir: string,
  env: Record<string, string>,
  opts: OpenOptions = {},
): Promise<Persistence> {
  const log = opts.log ?? nullLogger;
  const db = await openDb(cfg, dataDir, env, log);
  try {
    const policy = { ...policyFrom(cfg), ...opts.policy };
    await prepareSchema(db, opts.migrate ?? (db.kind === "embedded" ? "auto" : "check"), log, policy);
    let closed = false;
    return {
      kind: db.kind,
      trades: newTradesRepo(db, policy),
      regime: newRegimeRepo(db, policy),
      premove: newPremoveRepo(db, policy),
      backtest: newBacktestRepo(db, policy),
      async ping(signal?: AbortSignal) {
        await db.ping(signal, policy.timeoutMs);
      },
      async close() {
        if (closed) return;
        closed = true;
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}
