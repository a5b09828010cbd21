import type { CommandContext, ParsedArgs } from "../../command.ts";
import { InputError, UsageError } from "../../../util/errors.ts";
import { str, symbolsFlag } from "../../flags.ts";
import { isoMs, parseDuration, parseRange } from "../../../util/time.ts";
import { setup } from "./actions.ts";

/**
 * `cryptorun cold validate` and `cryptorun cold quarantine list|release|drop` (issue 17). The validation
 * layer (src/data/validate/) is loaded once the flags are checked.
 */

const ALL = { from: -8.64e15, to: 8.64e15 };

function windowFlags(args: ParsedArgs, action: string, required: boolean) {
  const from = str(args, "from");
  const to = str(args, "to");
  if ((from === undefined) !== (to === undefined) || (required && from === undefined)) {
    throw new UsageError(
      required
        ? `cold ${action}: --from and --to are required (both inclusive)`
        : `cold ${action}: give both --from and --to, or neither (the whole table)`,
    );
  }
  return { range: from !== undefined ? parseRange(from, to!) : ALL, given: from !== undefined };
}

function intervalFlag(args: ParsedArgs): number | undefined {
  const iv = str(args, "interval");
  const ms = iv === undefined ? undefined : parseDuration(iv, "--interval");
  if (ms !== undefined && !(ms > 0)) {
    throw new UsageError(
      `--interval: expected a positive duration like 1m or 1h, found ${JSON.stringify(iv)}`,
    );
  }
  return ms;
}

const t = (ms: number) => isoMs(ms);

export async function runValidate(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const { cfg, tables, table, lock } = await setup(ctx, args);
  const { range, given } = windowFlags(args, "validate", false);
  const intervalMs = intervalFlag(args);
  const symbols = symbolsFlag(args, "symbols");
  const move = args.values.quarantine === true;
  if (tables.def(table).quarantineOf !== undefined) {
    throw new UsageError(`--table: ${table} is a quarantine table; validate the table it belongs to`);
  }
  const { validates } = await import("../../../data/validate/write.ts");
  if (!validates(tables.def(table))) {
    throw new UsageError(
      `--table: ${table} is not a table of bars (validation checks tables of the ohlcv layout: ohlcv, ohlcv_1m)`,
    );
  }
  const { validateHistory, quarantineFindings, quarantineKeys } = await import(
    "../../../data/validate/history.ts"
  );
  const report = await validateHistory(tables, table, range, cfg.validate, {
    symbols,
    intervalMs,
    signal: ctx.signal,
  });
  let moved = null;
  if (move) {
    // A move an earlier run left unfinished (kill -9) is completed by moveRows first.
    moved = await quarantineFindings(tables, report, Date.now(), { ...lock, signal: ctx.signal });
  }
  if (report.rows === 0) {
    // Nothing was checked: an empty (or never written) table, a window or --symbols that matches no row.
    throw new InputError(
      `cold validate: no row of ${table} ` +
        (given ? `in [${t(range.from)}, ${t(range.to)}]` : "(the table is empty)") +
        (symbols ? ` for ${symbols.join(",")}` : "") + `; nothing validated` +
        (moved && moved.completed.length > 0
          ? ` (completed ${moved.completed.length} interrupted move(s))`
          : ""),
    );
  }
  const byCheck: Record<string, number> = {};
  for (const f of report.findings) byCheck[f.check] = (byCheck[f.check] ?? 0) + 1;
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({
      table,
      from: given ? range.from : null,
      to: given ? range.to : null,
      rows: report.rows,
      by_check: byCheck,
      findings: report.findings,
      quarantine: moved && {
        table: `quarantine/${table}`,
        rows: quarantineKeys(report.findings, 0).length,
        moved: moved.moved,
        already_moved: moved.alreadyMoved,
        completed_interrupted: moved.completed,
      },
    }));
  } else {
    for (const f of report.findings) {
      ctx.out(
        `${t(f.ts)} ${f.symbol} ${f.check} ${f.field}=${f.value ?? "null"}` +
          (f.score === null ? "" : ` z=${f.score}`),
      );
    }
    const summary = Object.entries(byCheck).map(([k, n]) => `${k} ${n}`).join(", ");
    ctx.out(
      `table ${table}: ${report.rows} rows checked, ${report.findings.length} finding(s)` +
        (summary ? ` (${summary})` : ""),
    );
    if (moved) {
      ctx.out(
        `moved ${moved.moved} row(s) to quarantine/${table}` +
          (moved.alreadyMoved > 0 ? ` (${moved.alreadyMoved} were there already)` : "") +
          (moved.completed.length > 0
            ? `; completed ${moved.completed.length} interrupted move(s) first`
            : ""),
      );
    }
  }
  ctx.log.info("cold validate done", { table, rows: report.rows, findings: report.findings.length });
  return 0;
}

export async function runQuarantine(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const op = args.positionals[1] as "list" | "release" | "drop";
  const { tables, table, lock } = await setup(ctx, args);
  const def = tables.def(table);
  const source = def.quarantineOf ?? table;
  const qname = `quarantine/${source}`;
  const { range, given } = windowFlags(args, `quarantine ${op}`, op !== "list");
  const symbols = symbolsFlag(args, "symbols");
  const check = str(args, "check");
  const q = tables.table(qname);
  const rows: Record<string, number | string>[] = [];
  for await (const r of q.read(range, { symbols, signal: ctx.signal })) {
    if (check !== undefined && !String(r.check).split(",").includes(check)) continue;
    rows.push(r);
  }
  if (op === "list") {
    if (ctx.globals.json) {
      ctx.out(
        JSON.stringify({ table: qname, from: given ? range.from : null, to: given ? range.to : null, rows }),
      );
    } else {
      const cols = q.schema.fields.map((f) => f.name);
      ctx.out(cols.join(","));
      for (const r of rows) {
        ctx.out(
          cols.map((c) =>
            (c === "ts" || c === "detected_at") && typeof r[c] === "number"
              ? t(r[c] as number)
              : (typeof r[c] === "number" && Number.isNaN(r[c]) ? "" : String(r[c]))
          ).join(","),
        );
      }
      ctx.out(`${rows.length} row(s) in ${qname}`);
    }
    return 0;
  }
  const keyCols = q.schema.key;
  const keys = rows.map((r) => Object.fromEntries(keyCols.map((c) => [c, r[c]])));
  if (keys.length === 0) {
    throw new InputError(
      `cold quarantine ${op}: no row of ${qname} in the window${
        check ? ` with check ${check}` : ""
      }; nothing done`,
    );
  }
  // release: back into the table through its normal commit (its row check applies); drop: deleted.
  let r;
  try {
    r = await tables.moveRows(qname, op === "release" ? source : null, keys, {
      ...lock,
      command: `cryptorun cold quarantine ${op}`,
      signal: ctx.signal,
    });
  } catch (err) {
    // The table's commit refused a row (a conflict with a stored one): the writer's hint names a flag that
    // release does not take; say what happened instead.
    if (op !== "release" || !(err instanceof InputError)) throw err;
    throw new InputError(
      `cold quarantine release: ${err.message.replace(/ \(use --skip-invalid to skip them\)$/, "")}; ` +
        `nothing released: the ${keys.length} row(s) stay in ${qname} (drop them, or release a window without ` +
        `the conflicting row)`,
    );
  }
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({
      op,
      from: qname,
      to: op === "release" ? source : null,
      rows: keys.length,
      moved: r.moved,
      already_moved: r.alreadyMoved,
      snapshot: op === "release" ? r.toSnapshot : r.fromSnapshot,
    }));
  } else {
    ctx.out(
      op === "release"
        ? `released ${r.moved} row(s) from ${qname} into ${source}`
        : `dropped ${r.moved} row(s) from ${qname}`,
    );
  }
  return 0;
}
