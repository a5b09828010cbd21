import type { CommandContext, ParsedArgs } from "../../command.ts";
import type { InputStats } from "../../../data/cold/input.ts";
import type { ColdStats, InvalidReason, StorageFormat } from "../../../data/cold/types.ts";
import { UsageError } from "../../../util/errors.ts";
import { positiveInt, str, symbolsFlag } from "../../flags.ts";
import { createProgress } from "../../../util/progress.ts";
import { isoMs, parseRange } from "../../../util/time.ts";

/**
 * The actions of `cryptorun cold` (loaded only when one is chosen). The cold tier itself is imported after
 * the flags are checked, so a bad flag never loads the Parquet stack.
 */

/** Upper bound of --row-group-size and --max-rows-per-file: 16 Mi rows (~1 GiB buffered or decoded). */
const MAX_ROWS_FLAG = 16 * 1024 * 1024;

async function setup(ctx: CommandContext, args: ParsedArgs) {
  const cfg = await ctx.config();
  const table = str(args, "table") ?? cfg.cold.parquet_schema.table;
  if (table !== cfg.cold.parquet_schema.table) {
    throw new UsageError(
      `--table: unknown table ${JSON.stringify(table)} (configured: ${cfg.cold.parquet_schema.table})`,
    );
  }
  const f = str(args, "format");
  if (f !== undefined) {
    if (f !== "parquet" && f !== "csv") {
      throw new UsageError(`--format: expected parquet|csv, found ${JSON.stringify(f)}`);
    }
    if (f === "parquet" && !cfg.cold.enable_parquet) {
      throw new UsageError(`--format parquet: Parquet is disabled (cold.enable_parquet: false)`);
    }
  }
  const { configuredFormat, openColdStore } = await import("../../../data/cold/store.ts");
  const format: StorageFormat = (f as StorageFormat | undefined) ?? configuredFormat(cfg.cold);
  return { cfg, store: openColdStore(cfg.cold, await ctx.dataDir()), table, format };
}

export async function runWrite(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const input = str(args, "input");
  if (!input) throw new UsageError(`cold write: --input FILE.csv[.gz|.lz4] is required`);
  const { store, table, format } = await setup(ctx, args);
  const { readInputCsv } = await import("../../../data/cold/input.ts");
  const { formatSkipped } = await import("../../../data/cold/row_check.ts");
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
  const inStats: InputStats = { lines: 0, bytesRead: 0, skipped: {} };
  const bar = createProgress(ctx.interactive, "cold write", size, "bytes");
  const t0 = performance.now();
  let result;
  try {
    result = await store.write(
      table,
      readInputCsv(input, { skipInvalid, signal: ctx.signal, stats: inStats }),
      {
        format,
        compression: compression as never,
        rowGroupSize,
        maxRowsPerFile,
        skipInvalid,
        signal: ctx.signal,
        onProgress: () => bar.update(inStats.bytesRead),
      },
    );
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
      files: result.files,
      partitions: result.partitions,
      bytes: result.bytes,
      skipped,
      seconds: Number(seconds.toFixed(3)),
    }));
  } else {
    ctx.out(
      `wrote ${result.rows} rows to ${result.files.length} ${format} file(s) in ${result.partitions.length} ` +
        `partition(s) (${result.bytes} bytes, ${seconds.toFixed(2)} s) under ${store.root}`,
    );
    if (skipInvalid) ctx.out(`skipped ${skippedTotal} invalid row(s): ${formatSkipped(skipped)}`);
  }
  ctx.log.info("cold write done", {
    table,
    format,
    rows: result.rows,
    files: result.files.length,
    skipped: skippedTotal,
  });
  return 0;
}

export async function runDump(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const from = str(args, "from");
  const to = str(args, "to");
  if (from === undefined || to === undefined) throw new UsageError(`cold dump: --from and --to are required`);
  const range = parseRange(from, to);
  const symbols = symbolsFlag(args, "symbols");
  const { cfg, store, table, format } = await setup(ctx, args);
  const all = cfg.cold.parquet_schema.fields.map((f) => f.name);
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
  const iso = args.values.iso === true;
  const json = ctx.globals.json;
  if (!json) ctx.out(columns.join(","));
  let rows = 0;
  for await (const b of store.readBatches(table, range, { columns, symbols, format, signal: ctx.signal })) {
    for (let i = 0; i < b.length; i++) {
      if (json) {
        const o: Record<string, unknown> = {};
        for (const c of columns) {
          o[c] = c === "ts"
            ? (iso ? isoMs(b.ts[i]) : b.ts[i])
            : c === "symbol"
            ? b.symbol[i]
            : b[c as "open"]![i];
        }
        ctx.out(JSON.stringify(o));
      } else {
        let line = "";
        for (let k = 0; k < columns.length; k++) {
          const c = columns[k];
          const v = c === "ts"
            ? (iso ? isoMs(b.ts[i]) : String(b.ts[i]))
            : c === "symbol"
            ? b.symbol[i]
            : String(b[c as "open"]![i]);
          line += k === 0 ? v : "," + v;
        }
        ctx.out(line);
      }
    }
    rows += b.length;
  }
  ctx.log.info("cold dump done", { table, format, rows, from: isoMs(range.from), to: isoMs(range.to) });
  return 0;
}

export async function runStats(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const { store, table, format } = await setup(ctx, args);
  const s = await store.stats(table, { format, signal: ctx.signal });
  if (ctx.globals.json) {
    ctx.out(JSON.stringify(s));
    return 0;
  }
  for (const line of renderStats(s)) ctx.out(line);
  return 0;
}

const t = (ms: number | null) => (ms === null ? "-" : isoMs(ms));

export function renderStats(s: ColdStats): string[] {
  const lines = [
    `table ${s.table} (${s.format}) at ${s.path}`,
    `partitions ${s.partitions}  files ${s.files}  row groups ${s.rowGroups}  rows ${s.rows}  bytes ${s.bytes}`,
    `ts ${t(s.minTs)} .. ${t(s.maxTs)}`,
  ];
  const syms = Object.keys(s.perSymbol);
  if (syms.length > 0) {
    const w = Math.max(6, ...syms.map((x) => x.length));
    lines.push(
      `${"symbol".padEnd(w)}  ${"rows".padStart(9)}  ${"first".padEnd(24)}  ${
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
