import type { Command, CommandContext } from "../command.ts";
import { UsageError } from "../../util/errors.ts";
import { numberProblem } from "../flags.ts";
import { openDb } from "../../persistence/open.ts";
import { policyFrom, runCall } from "../../persistence/call.ts";
import { migrateDown, migrateUp, migrationStatus, type SchemaStatus } from "../../persistence/migrate.ts";
import type { Db } from "../../persistence/db.ts";
import type { MigrationFile } from "../../persistence/migration_files.ts";

const ACTIONS = ["migrate", "status", "down"] as const;
type Action = typeof ACTIONS[number];

function parseTo(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  if (!/^\d{1,18}$/.test(s)) {
    throw new UsageError(
      `--to: expected a migration version (0, 1, 2, …), found ${JSON.stringify(s)}${numberProblem(s.trim())}`,
    );
  }
  return Number(s);
}

function renderStatus(st: SchemaStatus): string {
  const lines = [
    `database: ${st.kind} ${st.where} — version ${st.current}${
      st.timescaledb ? `, timescaledb ${st.timescaledb}` : ""
    }`,
  ];
  const w = Math.max(4, ...st.migrations.map((m) => (m.file ?? "").length));
  lines.push(
    `${"version".padEnd(8)} ${"file".padEnd(w)} ${"state".padEnd(8)} ${
      "applied at (UTC)".padEnd(20)
    } checksum`,
  );
  for (const m of st.migrations) {
    lines.push(
      `${String(m.version).padEnd(8)} ${(m.file ?? "(no file)").padEnd(w)} ${
        (m.applied ? "applied" : "pending").padEnd(8)
      } ${
        (m.appliedAt ? m.appliedAt.toISOString().slice(0, 19).replace("T", " ") : "-").padEnd(20)
      } ${m.checksum}`,
    );
  }
  return lines.join("\n");
}

/** Prints what migrate/down changed: `<done> <file>` lines then the version, or one `--json` object. */
function reportChange(
  ctx: CommandContext,
  db: Db,
  done: "applied" | "reverted",
  verb: string,
  files: MigrationFile[],
  current: number,
): void {
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({ kind: db.kind, where: db.where, [done]: files.map((f) => f.file), current }));
    return;
  }
  for (const f of files) ctx.out(`${done} ${f.file}`);
  ctx.out(
    `${files.length ? "" : `nothing to ${verb}: `}database ${db.kind} ${db.where} at version ${current}`,
  );
}

async function withDb<T>(ctx: CommandContext, fn: (db: Db) => Promise<T>): Promise<T> {
  const cfg = await ctx.config();
  const db = await openDb(cfg.persistence, await ctx.dataDir(), ctx.env, ctx.log);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export const dbCommand: Command = {
  name: "db",
  summary: "database migrations: migrate | status | down (embedded PGlite or PostgreSQL/TimescaleDB)",
  help: `cryptorun db — apply, inspect and revert the database migrations (goose format, migrations/)

Usage: cryptorun db migrate [--to VERSION]
       cryptorun db status
       cryptorun db down [--to VERSION]

The database is the one the persistence: section configures: kind embedded (PGlite under <data-dir>/db,
the default) or kind postgres (the DSN comes from the env var named by persistence.dsn_env, CRYPTORUN_PG_DSN
by default, or the file persistence.dsn_file; it is never printed). The version table is goose's
goose_db_version, so the goose CLI sees the same state; a sha256 per applied file is kept in
cryptorun_migration_checksums.

Actions:
  migrate        apply every pending migration in version order, each in its own transaction; running it
                 again changes nothing
  status         every migration: applied or pending, when, and whether the file still matches what was
                 applied (exit 1 when an applied file was changed)
  down           revert the latest applied migration (or every one above --to) with its Down section

Flags:
  --to VERSION   migrate: apply up to and including VERSION; down: revert every migration above VERSION
                 (--to 0 reverts all)

Pitfalls:
  - down runs the Down sections: DROP TABLE removes the table AND its rows. There is no undo.
  - Never edit a migration that was applied anywhere: add a new numbered file. An edited applied file makes
    migrate, down and status fail naming the file.
  - The embedded database is single-process: stop other cryptorun processes using the same --data-dir first.
  - TimescaleDB hypertables are created only where the extension is installed and preloaded
    (shared_preload_libraries); reverting that migration on a hypertable is refused.

Examples:
  cryptorun db migrate
  cryptorun db status --json | jq '.migrations[] | select(.applied | not)'
  CRYPTORUN_PERSISTENCE_KIND=postgres CRYPTORUN_PG_DSN=postgres://app@127.0.0.1:5432/cryptorun cryptorun db migrate
  cryptorun db down --to 3
  cryptorun --data-dir /srv/cryptorun db status`,
  options: {
    to: { type: "string" },
  },
  allowPositionals: true,
  async run(ctx, args) {
    const [action, ...extra] = args.positionals;
    if (!action) throw new UsageError(`db: missing action (one of ${ACTIONS.join(", ")})`);
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new UsageError(
        `db: unknown action ${JSON.stringify(action)} (expected one of ${ACTIONS.join(", ")})`,
      );
    }
    if (extra.length) throw new UsageError(`db ${action}: unexpected argument ${JSON.stringify(extra[0])}`);
    const to = parseTo(args.values.to);
    if (to !== undefined && (action as Action) === "status") {
      throw new UsageError(`db status: --to is not accepted`);
    }
    const cfg = await ctx.config();
    const policy = policyFrom(cfg.persistence);
    const long = { ...policy, timeoutMs: Math.max(policy.timeoutMs, 600_000) };
    const opts = { signal: ctx.signal };
    return await withDb(ctx, async (db) => {
      if (action === "migrate") {
        const r = await runCall("schema", "migrate", long, opts, () => migrateUp(db, { to, log: ctx.log }));
        reportChange(ctx, db, "applied", "apply", r.applied, r.current);
        return 0;
      }
      if (action === "down") {
        const r = await runCall("schema", "down", long, opts, () => migrateDown(db, { to, log: ctx.log }));
        reportChange(ctx, db, "reverted", "revert", r.reverted, r.current);
        return 0;
      }
      const st = await runCall("schema", "status", policy, opts, () => migrationStatus(db));
      ctx.out(ctx.globals.json ? JSON.stringify(st) : renderStatus(st));
      const bad = st.migrations.filter((m) => m.checksum === "mismatch");
      for (const m of bad) ctx.log.error("applied migration file was changed", { file: m.file });
      return bad.length ? 1 : 0;
    });
  },
};
