import type { CommandContext, ParsedArgs } from "../../command.ts";
import type { InputStats } from "../../../data/cold/input.ts";
import type { ColdStats, InvalidReason, StorageFormat } from "../../../data/cold/types.ts";
import type { GcReport } from "../../../data/cold/gc.ts";
import type { VerifyReport } from "../../../data/cold/verify.ts";
import { UsageError } from "../../../util/errors.ts";
import { positiveInt, str, symbolsFlag } from "../../flags.ts";
import { isoMs, parseDuration, parseRange } from "../../../util/time.ts";
import { csvField } from "../../../data/cold/csv_fields.ts";
import { loadEntry } from "../../../util/entries.ts";

/**
 * The actions of `cryptorun cold` (loaded only when one is chosen). The cold tier itself is imported after
 * the flags are checked, so a bad flag never loads the Parquet stack.
 */

/** Upper bound of --row-group-size and --max-rows-per-file: 16 Mi rows (~1 GiB buffered or decoded). */
const MAX_ROWS_FLAG = 16 * 1024 * 1024;

export async function setup(ctx: CommandContext, args: ParsedArgs) {
  const cfg = await ctx.config();
  // The registry is light (no Parquet package): a bad --table or --format fails before the cold tier loads.
  const { resolveTables, tableDef } = await loadEntry<typeof import("../../../data/cold/tables.ts")>(
    "data/cold/tables.ts",
  );
  const defs = resolveTables(cfg.cold);
  const table = str(args, "table") ?? cfg.cold.parquet_schema.table;
  let def;
  try {
    def = tableDef(defs, table, "--table");
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const f = str(args, "format");
  if (f !== undefined) {
    if (f !== "parquet" && f !== "csv") {
      throw new UsageError(`--format: expected parquet|csv, found ${JSON.stringify(f)}`);
    }
    if (f === "parquet" && !def.enableParquet) {
      const own = def.quarantineOf ?? table;
      const key = cfg.cold.tables[own]?.enable_parquet === false
        ? `cold.tables.${own}.enable_parquet`
        : "cold.enable_parquet";
      throw new UsageError(`--format parquet: Parquet is disabled (${key}: false)`);
    }
  }
  // The cold tier is imported only once the flags are known to be well-formed. Reads load only its read
  // side; the Parquet writer stack comes with the first write.
  const { openColdTables } = await loadEntry<typeof import("../../../data/cold/store.ts")>(
    "data/cold/store.ts",
  );
  const tables = openColdTables(cfg.cold, await ctx.dataDir(), { log: ctx.log });
  const store = tables.table(table);
  const format: StorageFormat = (f as StorageFormat | undefined) ?? def.format;
  /** dump/stats: the --format filter, only when given (default: every file the table lists). */
  const formatFilter = f === undefined ? undefined : format;
  return {
    cfg,
    tables,
    store,
    table,
    format,
    formatFilter,
    lock: lockFlags(args, "cryptorun cold " + args.positionals[0]),
  };
}

/** --wait[=DURATION] → how long to wait for the writer lock (0 without the flag: fail at once). */
function lockFlags(args: ParsedArgs, command: string) {
  const w = str(args, "wait");
  const waitMs = w === undefined ? 0 : w === "forever" ? Infinity : parseDuration(w, "--wait");
  return {
    waitMs,
    busyHint: w === undefined ? "; use --wait" : "",
    command,
    signal: undefined as AbortSignal | undefined,
  };
}

export async function runWrite(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const { cfg, tables, store, table, format, lock } = await setup(ctx, args);
  const input = str(args, "input");
  if (!input) throw new UsageError(`cold write: --input FILE.csv[.gz|.lz4] is required`);
  const compression = str(args, "compression");
  const codecs = format === "parquet"
    ? ["gzip", "lz4", "snappy", "zstd", "uncompressed"]
    : ["gzip", "lz4", "none"];
  if (compression !== undefined && !codecs.includes(compression)) {
    throw new UsageError(
      `--compression: for ${format} expected ${codecs.join("|")}, found ${JSON.stringify(compression)}`,
    );
  }
  const rowGroupSize = positiveInt(args, "row-group-size", MAX_ROWS_FLAG);
  const maxRowsPerFile = positiveInt(args, "max-rows-per-file", MAX_ROWS_FLAG);
  const skipInvalid = args.values["skip-invalid"] === true;
  let size = 0;
  try {
    size = (await Deno.stat(input)).size;
  } catch (err) {
    throw new UsageError(`--input: cannot read ${JSON.stringify(input)}: ${(err as Error).message}`);
  }
  const { readInputCsv } = await loadEntry<typeof import("../../../data/cold/input.ts")>(
    "data/cold/input.ts",
  );
  const { formatSkipped } = await loadEntry<typeof import("../../../data/cold/row_check.ts")>(
    "data/cold/row_check.ts",
  );
  const inStats: InputStats = { lines: 0, bytesRead: 0, skipped: {} };
  // The progress bar (npm:cli-progress) is loaded by the actions that draw one, not by dump/stats.
  const { createProgress } = await loadEntry<typeof import("../../../util/progress.ts")>("util/progress.ts");
  const bar = createProgress(ctx.interactive, "cold write", size, "bytes");
  const t0 = performance.now();
  let result;
  let checkedRows;
  try {
    // validate.on_write (issue 17): flagged rows are quarantined or fail the write (src/data/validate/).
    const { writeValidated } = await loadEntry<typeof import("../../../data/validate/write.ts")>(
      "data/validate/write.ts",
    );
    const validated = await writeValidated(
      tables,
      table,
      readInputCsv(input, {
        skipInvalid,
        signal: ctx.signal,
        stats: inStats,
        schema: store.schema,
        check: store.def.check,
      }),
      cfg.validate,
      {
        format,
        compression: compression as never,
        rowGroupSize,
        maxRowsPerFile,
        skipInvalid,
        onProgress: () => bar.update(inStats.bytesRead),
        ...lock,
        signal: ctx.signal,
      },
    );
    result = validated.write;
    checkedRows = validated;
    bar.update(size);
  } finally {
    bar.stop();
  }
  const skipped: Partial<Record<InvalidReason, number>> = { ...inStats.skipped };
  for (const [k, n] of Object.entries(result.skipped)) {
    skipped[k as InvalidReason] = (skipped[k as InvalidReason] ?? 0) + (n ?? 0);
  }
  const seconds = (performance.now() - t0) / 1000;
  const skippedTotal = Object.values(skipped).reduce((a, b) => a + (b ?? 0), 0);
  if (ctx.globals.json) {
    ctx.out(JSON.stringify({
      table,
      format,
      rows: result.rows,
      already_stored: result.alreadyStored,
      snapshot: result.snapshot,
      files: result.files,
      partitions: result.partitions,
      bytes: result.bytes,
      skipped,
      validate: checkedRows && {
        on_write: checkedRows.mode,
        findings: checkedRows.findings.length,
        quarantined: checkedRows.quarantined,
        already_quarantined: checkedRows.alreadyQuarantined,
      },
      seconds: Number(seconds.toFixed(3)),
    }));
  } else {
    ctx.out(
      `wrote ${result.rows} rows to ${result.files.length} ${format} file(s) in ${result.partitions.length} ` +
        `partition(s) (${result.bytes} bytes, ${seconds.toFixed(2)} s) under ${store.root}` +
        (result.snapshot === null ? "; nothing new to commit" : ` (snapshot ${result.snapshot})`),
    );
    if (result.alreadyStored > 0) {
      ctx.out(`${result.alreadyStored} row(s) were already stored with identical values (not written again)`);
    }
    if (skipInvalid) ctx.out(`skipped ${skippedTotal} invalid row(s): ${formatSkipped(skipped)}`);
    if (checkedRows && checkedRows.findings.length > 0) {
      ctx.out(
        `validate: ${checkedRows.findings.length} finding(s); ${checkedRows.quarantined} row(s) quarantined in ` +
          `quarantine/${table}` +
          (checkedRows.alreadyQuarantined > 0
            ? ` (${checkedRows.alreadyQuarantined} were already there)`
            : "") +
          ` — see cryptorun cold quarantine list --table ${table}`,
      );
    }
  }
  ctx.log.info("cold write done", {
    table,
    format,
    rows: result.rows,
    already_stored: result.alreadyStored,
    files: result.files.length,
    skipped: skippedTotal,
  });
  return 0;
}

export async function runDump(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const { store, table, formatFilter } = await setup(ctx, args);
  const from = str(args, "from");
  const to = str(args, "to");
  if (from === undefined || to === undefined) throw new UsageError(`cold dump: --from and --to are required`);
  const range = parseRange(from, to);
  const all = store.schema.fields.map((f) => f.name);
  const colArg = str(args, "columns");
  const columns = colArg === undefined ? all : colArg.split(",").map((c) => c.trim()).filter((c) => c !== "");
  if (columns.length === 0) throw new UsageError(`--columns: empty list`);
  for (const c of columns) {
    if (!all.includes(c)) {
      throw new UsageError(
        `--columns: unknown column ${JSON.stringify(c)} (table ${table} has ${all.join(",")})`,
      );
    }
  }
  const symbols = symbolsFlag(args, "symbols");
  const iso = args.values.iso === true;
  const json = ctx.globals.json;
  const types = columns.map((c) => store.schema.fields.find((f) => f.name === c)!.type);
  let rows = 0;
  const it = store.readBatches(range, {
    columns,
    symbols,
    format: formatFilter,
    signal: ctx.signal,
  })[Symbol.asyncIterator]();
  // The first batch (or the error of a table that cannot be read) comes before the header line.
  let next = await it.next();
  if (!json) ctx.out(columns.join(","));
  try {
    for (; !next.done; next = await it.next()) {
      const b = next.value;
      const cols = columns.map((c) => b.cols[c]);
      if (json) {
        // Per column: the value of row i as printed (null: JSON null).
        const value = cols.map((col, k) => {
          if (types[k] === "string") {
            const v = col as string[];
            return (i: number) => v[i] === "" ? null : v[i];
          }
          const v = col as Float64Array;
          if (types[k] === "timestamp(ms)" && iso) return (i: number) => v[i] === v[i] ? isoMs(v[i]) : null;
          return (i: number) => v[i] === v[i] ? v[i] : null;
        });
        for (let i = 0; i < b.length; i++) {
          const o: Record<string, unknown> = {};
          for (let k = 0; k < columns.length; k++) o[columns[k]] = value[k](i);
          ctx.out(JSON.stringify(o));
        }
      } else {
        // CSV: the fields column by column over chunks of rows (each loop one type), then the chunk's text
        // row by row in one string (V8 joins the pieces once, when it is encoded), one output call per chunk.
        for (let lo = 0; lo < b.length; lo += CSV_CHUNK) {
          const hi = Math.min(b.length, lo + CSV_CHUNK);
          const fields = columns.map((_, k) => csvColumn(cols[k], types[k], lo, hi, iso));
          const last = fields.length - 1;
          let text = "";
          for (let i = 0; i < hi - lo; i++) {
            if (i > 0) text += "\n";
            for (let k = 0; k < last; k++) text += fields[k][i] + ",";
            text += fields[last][i];
          }
          ctx.out(text);
        }
      }
      rows += b.length;
    }
  } finally {
    await it.return?.();
  }
  ctx.log.info("cold dump done", {
    table,
    format: formatFilter ?? "all",
    rows,
    from: isoMs(range.from),
    to: isoMs(range.to),
  });
  return 0;
}

/** Rows formatted per `ctx.out` call by `cold dump`'s CSV output. */
const CSV_CHUNK = 4096;

/**
 * CSV fields of rows [lo, hi) of one column: strings quoted when needed, NaN (null) as an empty field,
 * timestamps as epoch ms or (`iso`) RFC 3339, numbers as JavaScript prints them. A value equal to the
 * previous row's reuses its text (a timestamp is shared by every symbol of a bar).
 */
function csvColumn(col: unknown, type: string, lo: number, hi: number, iso: boolean): string[] {
  const out: string[] = new Array(hi - lo);
  if (type === "string") {
    const v = col as string[];
    for (let i = lo; i < hi; i++) out[i - lo] = csvField(v[i]);
    return out;
  }
  const v = col as Float64Array;
  const show = type === "timestamp(ms)" && iso ? isoMs : String;
  let last = NaN;
  let text = "";
  for (let i = lo; i < hi; i++) {
    const x = v[i];
    if (x !== last) {
      last = x;
      text = x === x ? show(x) : "";
    }
    out[i - lo] = text;
  }
  return out;
}

export async function runStats(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const { store, formatFilter } = await setup(ctx, args);
  const s = await store.stats({ format: formatFilter, signal: ctx.signal });
  if (ctx.globals.json) {
    ctx.out(JSON.stringify(s));
    return 0;
  }
  for (const line of renderStats(s, store.schema.key.slice(1).join(" "))) ctx.out(line);
  return 0;
}

const t = (ms: number | null) => (ms === null ? "-" : isoMs(ms));

/** Text lines of `cold stats`; `series` names the per-row series column (symbol, or "symbol venue"). */
export function renderStats(s: ColdStats, series = "symbol"): string[] {
  const held = Object.entries(s.formats ?? {}).map(([k, n]) => `${n} ${k}`).join(", ") || "no files";
  const layout = s.layout === "snapshot"
    ? `snapshot ${s.snapshot}`
    : s.layout === "legacy"
    ? "wave-1 layout, unverified: run 'cryptorun cold upgrade'"
    : "empty";
  const lines = [
    `table ${s.table} at ${s.path} (${layout}; ${held})`,
    `partitions ${s.partitions}  files ${s.files}  row groups ${s.rowGroups}  rows ${s.rows}  bytes ${s.bytes}`,
    `ts ${t(s.minTs)} .. ${t(s.maxTs)}`,
  ];
  const syms = Object.keys(s.perSymbol);
  if (syms.length > 0) {
    const w = Math.max(series.length, ...syms.map((x) => x.length));
    lines.push(
      `${series.padEnd(w)}  ${"rows".padStart(9)}  ${"first".padEnd(24)}  ${
        "last".padEnd(24)
      }  interval  gaps`,
    );
    for (const sym of syms) {
      const p = s.perSymbol[sym];
      const iv = p.intervalMs === null ? "-" : `${p.intervalMs / 1000}s`;
      lines.push(
        `${sym.padEnd(w)}  ${String(p.rows).padStart(9)}  ${t(p.minTs).padEnd(24)}  ${
          t(p.maxTs).padEnd(24)
        }  ${iv.padStart(8)}  ${p.gaps}`,
      );
    }
  }
  return lines;
}

export async function runVerify(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const completing = args.values["complete-moves"] === true;
  if (args.values.wait !== undefined && !args.values.gc && !args.values["repair-from"] && !completing) {
    throw new UsageError(
      `--wait applies to cold verify only with --gc or --repair-from (or --complete-moves: they take the lock)`,
    );
  }
  const { tables, store, table, lock } = await setup(ctx, args);
  const replica = str(args, "repair-from");
  const lk = { ...lock, signal: ctx.signal };
  let gc: GcReport | undefined;
  if (args.values.gc === true) gc = await store.gc(lk);
  const completed = completing ? await tables.completeMoves({ ...lk, tables: [table] }) : [];
  const pending = (await tables.pendingMoves()).filter((m) => m.from === table || m.to === table).map((
    m,
  ) => ({
    id: m.id,
    kind: m.kind,
    from: m.from,
    to: m.to,
    keys: m.keys.length,
    created_at: m.created_at,
  }));
  const moves = { completed_moves: completed, pending_moves: pending };
  const renderMoves = () => {
    for (const id of completed) ctx.out(`completed interrupted move ${id}`);
    for (const m of pending) {
      ctx.out(
        `pending ${m.kind} ${m.id}: ${m.from}${
          m.to ? ` → ${m.to}` : ""
        } (${m.keys} key(s), since ${m.created_at}), ` +
          `in flight or interrupted: its rows may be in both tables; 'cryptorun cold verify --complete-moves' ` +
          `finishes it`,
      );
    }
  };
  if (replica !== undefined) {
    const r = await store.repair(replica, lk);
    const after = await store.verify({ signal: ctx.signal });
    if (ctx.globals.json) {
      ctx.out(
        JSON.stringify({
          ...after,
          repaired: r.repaired,
          dropped: r.dropped,
          was_damaged: r.damaged,
          gc,
          ...moves,
        }),
      );
    } else {
      for (const d of r.damaged) ctx.out(`damaged  ${d.problem.padEnd(10)} ${d.path}: ${d.detail}`);
      for (const x of r.repaired) ctx.out(`repaired ${x.path} from ${x.from}`);
      for (const x of r.dropped) ctx.out(`dropped  stray file ${x}`);
      if (r.snapshot !== null) ctx.out(`committed repair as snapshot ${r.snapshot}`);
      else ctx.out(`nothing to repair`);
      renderMoves();
      renderVerify(ctx, after);
    }
    return after.ok ? 0 : 1;
  }
  const { createProgress } = await loadEntry<typeof import("../../../util/progress.ts")>("util/progress.ts");
  const bar = createProgress(ctx.interactive, "cold verify", 1, "files");
  let report;
  try {
    report = await store.verify({
      signal: ctx.signal,
      onFile: (done, total) => {
        if (done === 1) bar.setTotal(total);
        bar.update(done);
      },
    });
  } finally {
    bar.stop();
  }
  if (ctx.globals.json) ctx.out(JSON.stringify({ ...report, gc, ...moves }));
  else {
    if (gc) ctx.out(`gc: ${gcSummary(gc)}`);
    for (const d of report.damaged) ctx.out(`damaged  ${d.problem.padEnd(10)} ${d.path}: ${d.detail}`);
    renderMoves();
    renderVerify(ctx, report);
  }
  if (!report.ok) {
    ctx.log.error("cold verify: damaged files", { table, damaged: report.damaged.length });
  }
  return report.ok ? 0 : 1;
}

function renderVerify(ctx: CommandContext, r: VerifyReport): void {
  const where = r.snapshot === null ? "empty table" : `snapshot ${r.snapshot}`;
  ctx.out(
    r.ok
      ? `OK: table ${r.table} at ${r.root} (${where}): ${r.files} file(s), ${r.bytes} bytes verified`
      : `FAIL: table ${r.table} at ${r.root} (${where}): ${r.damaged.length} damaged file(s) of ${r.files}; ` +
        `restore them with 'cryptorun cold verify --repair-from <copy of the table>'`,
  );
}

function gcSummary(g: GcReport): string {
  return `removed ${g.staging.length} staging dir(s), ${g.uncommitted.length} uncommitted and ` +
    `${g.snapshots.length} expired snapshot(s), ${g.tempLinks.length} temp link(s), ${g.legacy.length} ` +
    `wave-1 leftover(s)` +
    (g.keptLegacy.length
      ? `; kept ${g.keptLegacy.length} uncommitted wave-1 part(s): ${g.keptLegacy.join(", ")}`
      : "");
}

export async function runCompact(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const { store, table, format, lock } = await setup(ctx, args);
  const from = str(args, "from");
  const to = str(args, "to");
  if ((from === undefined) !== (to === undefined)) {
    throw new UsageError(`cold compact: give both --from and --to, or neither (all days)`);
  }
  const range = from !== undefined ? parseRange(from, to!) : undefined;
  const maxRowsPerFile = positiveInt(args, "max-rows-per-file", MAX_ROWS_FLAG);
  const r = await store.compact({ ...lock, signal: ctx.signal, range, maxRowsPerFile, format });
  if (ctx.globals.json) ctx.out(JSON.stringify({ table, ...r }));
  else {
    ctx.out(
      r.snapshot === null
        ? `nothing to compact (no day has more than one part)`
        : `compacted ${r.partitions.length} day(s): ${r.removed} part(s) → ${r.added} (${r.rows} rows` +
          (r.duplicatesDropped ? `, ${r.duplicatesDropped} identical duplicate row(s) dropped` : "") +
          `), snapshot ${r.snapshot}`,
    );
  }
  return 0;
}

export async function runUpgrade(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const { store, table, lock } = await setup(ctx, args);
  const r = await store.upgrade({ ...lock, signal: ctx.signal });
  if (ctx.globals.json) {
    ctx.out(
      JSON.stringify({
        table,
        upgraded: r?.manifest != null,
        files: r?.files ?? 0,
        debris: r?.debris ?? 0,
        snapshot: r?.manifest?.version ?? null,
      }),
    );
  } else if (!r) ctx.out(`table ${table} at ${store.root} needs no upgrade`);
  else {
    ctx.out(
      `upgraded table ${table} at ${store.root}: ${r.files} part(s) indexed and checksummed into snapshot ` +
        `${
          r.manifest?.version ?? "-"
        }, ${r.debris} temp file(s) of killed writes dropped. External queries: ` +
        `read '${store.root}/current/*/*.parquet'`,
    );
  }
  return 0;
}

export async function runGaps(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const { store, table } = await setup(ctx, args);
  const from = str(args, "from");
  const to = str(args, "to");
  if ((from === undefined) !== (to === undefined)) {
    throw new UsageError(`cold gaps: give both --from and --to, or neither (the whole table)`);
  }
  const range = from !== undefined ? parseRange(from, to!) : { from: -8.64e15, to: 8.64e15 };
  const iv = str(args, "interval");
  const intervalMs = iv === undefined ? undefined : parseDuration(iv, "--interval");
  if (intervalMs !== undefined && !(intervalMs > 0)) {
    throw new UsageError(
      `--interval: expected a positive duration like 1m or 1h, found ${JSON.stringify(iv)}`,
    );
  }
  const symbols = symbolsFlag(args, "symbols");
  // Holes a backfill found empty at the venue (exchange outages) are marked known (src/backfill/known_gaps.ts).
  const { annotateKnownGaps } = await loadEntry<typeof import("../../../backfill/known_gaps.ts")>(
    "backfill/known_gaps.ts",
  );
  const r = await annotateKnownGaps(
    await store.gaps(range, { symbols, intervalMs, signal: ctx.signal }),
    await ctx.dataDir(),
  );
  if (ctx.globals.json) {
    ctx.out(
      JSON.stringify({
        table,
        from: from === undefined ? null : range.from,
        to: to === undefined ? null : range.to,
        series: r.series,
      }),
    );
    return 0;
  }
  const label = store.schema.key.slice(1).join(" ");
  if (r.series.length === 0) ctx.out(`table ${table}: no rows${from !== undefined ? " in the window" : ""}`);
  for (const g of r.series) {
    const iv = g.intervalMs === null ? "-" : `${g.intervalMs / 1000}s`;
    ctx.out(
      `${label} ${g.series}: ${g.rows} rows ${t(g.firstTs)} .. ${t(g.lastTs)}, interval ${iv}, ` +
        `${g.missing} missing in ${g.runs.length} gap(s)` +
        (g.known_missing ? ` (${g.known_missing} known: confirmed empty by the venue)` : ""),
    );
    for (const run of g.runs) {
      ctx.out(`  ${t(run.from)} .. ${t(run.to)}  ${run.missing} missing${run.known ? " (known gap)" : ""}`);
    }
  }
  return 0;
}
