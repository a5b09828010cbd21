import type { CommandContext, ParsedArgs } from "../../command.ts";
import { UsageError } from "../../../util/errors.ts";
import { numberProblem } from "../../flags.ts";
import type { SchemaStatus } from "../../../persistence/migrate.ts";
import type { Db } from "../../../persistence/db.ts";
import type { MigrationFile } from "../../../persistence/migration_files.ts";

/**
 * The actions of `cryptorun db` (loaded only when one is chosen). The persistence layer is imported after the
 * flags are checked.
 */

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

/** Opens the configured database, runs `fn` (with the persistence modules it needs), closes it. */
async function withDb<T>(ctx: CommandContext, fn: (db: Db, m: Persistence) => Promise<T>): Promise<T> {
  const cfg = await ctx.config();
  const m = await persistenceModules();
  const db = await m.openDb(cfg.persistence, await ctx.dataDir(), ctx.env, ctx.log);
  try {
    return await fn(db, m);
  } finally {
    await db.close();
  }
}

type Persistence = Awaited<ReturnType<typeof persistenceModules>>;

async function persistenceModules() {
  const { openDb } = await import("../../../persistence/open.ts");
  const { runCall, policyFrom } = await import("../../../persistence/call.ts");
  const { migrateDown, migrateUp, migrationStatus } = await import("../../../persistence/migrate.ts");
  return { openDb, runCall, policyFrom, migrateDown, migrateUp, migrationStatus };
}

/** The configured call policy; migrations run far longer than a query: at least 10 minutes per call. */
async function policies(ctx: CommandContext) {
  const cfg = await ctx.config();
  const { policyFrom } = await import("../../../persistence/call.ts");
  const policy = policyFrom(cfg.persistence);
  return { policy, long: { ...policy, timeoutMs: Math.max(policy.timeoutMs, 600_000) } };
}

export async function runMigrate(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const to = parseTo(args.values.to);
  const { long } = await policies(ctx);
  return await withDb(ctx, async (db, { runCall, migrateUp }) => {
    const r = await runCall(
      "schema",
      "migrate",
      long,
      { signal: ctx.signal },
      () => migrateUp(db, { to, log: ctx.log }),
    );
    reportChange(ctx, db, "applied", "apply", r.applied, r.current);
    return 0;
  });
}

export async function runDown(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const to = parseTo(args.values.to);
  const { long } = await policies(ctx);
  return await withDb(ctx, async (db, { runCall, migrateDown }) => {
    const r = await runCall(
      "schema",
      "down",
      long,
      { signal: ctx.signal },
      () => migrateDown(db, { to, log: ctx.log }),
    );
    reportChange(ctx, db, "reverted", "revert", r.reverted, r.current);
    return 0;
  });
}

export async function runStatus(ctx: CommandContext): Promise<number> {
  const { policy } = await policies(ctx);
  return await withDb(ctx, async (db, { runCall, migrationStatus }) => {
    const st = await runCall("schema", "status", policy, { signal: ctx.signal }, () => migrationStatus(db));
    ctx.out(ctx.globals.json ? JSON.stringify(st) : renderStatus(st));
    const bad = st.migrations.filter((m) => m.checksum === "mismatch");
    for (const m of bad) ctx.log.error("applied migration file was changed", { file: m.file });
    return bad.length ? 1 : 0;
  });
}
