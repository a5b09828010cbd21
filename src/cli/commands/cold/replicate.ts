import type { CommandContext, ParsedArgs } from "../../command.ts";
import { InputError, UsageError } from "../../../util/errors.ts";
import { str } from "../../flags.ts";

/** `cryptorun cold replicate --to DIR [--table T|--all] [--region NAME] [--json]` (issue 17). */
export async function runReplicate(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const cfg = await ctx.config();
  const to = str(args, "to");
  if (to === undefined || to === "") throw new UsageError(`cold replicate: --to DIR is required`);
  const region = str(args, "region") ?? "replica";
  if (!/^[a-z][a-z0-9_-]{0,31}$/.test(region)) {
    throw new UsageError(`--region: expected a lower-case name like eu, found ${JSON.stringify(region)}`);
  }
  const all = args.values.all === true;
  const table = str(args, "table");
  if (all && table !== undefined) throw new UsageError(`cold replicate: give --table or --all, not both`);
  const { resolveTables, tableDef } = await import("../../../data/cold/tables.ts");
  const name = table ?? cfg.cold.parquet_schema.table;
  if (!all) {
    try {
      tableDef(resolveTables(cfg.cold), name, "--table");
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const dataDir = await ctx.dataDir();
  const { isAbsolute, relative, resolve } = await import("node:path");
  const real = (p: string) => Deno.realPath(p).catch(() => resolve(p));
  const info = await Deno.stat(to).catch(() => null);
  if (info !== null && !info.isDirectory) {
    throw new UsageError(`--to: ${JSON.stringify(to)} is a file, not a directory`);
  }
  const rel = relative(await real(dataDir), await real(to));
  if (!rel.startsWith("..") && !isAbsolute(rel)) {
    // Inside the source's data dir (or the data dir itself): no second copy, and debris in the source tables.
    throw new UsageError(
      `--to: ${JSON.stringify(to)} is inside the data dir ${
        JSON.stringify(dataDir)
      }; replicate to another directory`,
    );
  }
  const { replicateTables } = await import("../../../data/cold/replicate_all.ts");
  const { createProgress } = await import("../../../util/progress.ts");
  const bar = createProgress(ctx.interactive, "cold replicate", 1, "files");
  let reports;
  try {
    reports = await replicateTables(
      cfg.cold,
      dataDir,
      { region, path: to },
      all ? "all" : [name],
      {
        signal: ctx.signal,
        onFile: (done, total) => {
          bar.setTotal(total);
          bar.update(done);
        },
      },
    );
  } finally {
    bar.stop();
  }
  if (reports.length === 0) {
    throw new InputError(
      `cold replicate --all: no table under ${dataDir} has a snapshot yet; nothing replicated`,
    );
  }
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({
      to,
      region,
      tables: reports.map((r) => ({
        table: r.table,
        replica: r.replica,
        version: r.version,
        previous: r.previous,
        files: r.files,
        copied: r.copied,
        linked: r.linked,
        resumed: r.resumed,
        bytes_copied: r.bytesCopied,
        lag_seconds: r.lagSeconds,
      })),
    }));
  } else {
    for (const r of reports) {
      ctx.out(
        r.previous === r.version && r.copied + r.linked + r.resumed === 0
          ? `${r.table}: ${r.replica} is up to date (snapshot ${r.version})`
          : `${r.table}: snapshot ${r.version} → ${r.replica}: ${r.copied} file(s) copied (${r.bytesCopied} bytes), ` +
            `${r.linked} linked from the previous replica snapshot, ${r.resumed} resumed; every file verified ` +
            `(BLAKE3); lag ${r.lagSeconds} s`,
      );
    }
  }
  ctx.log.info("cold replicate done", { to, region, tables: reports.length });
  return 0;
}
