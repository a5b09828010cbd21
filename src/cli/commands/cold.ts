import type { Command, CommandContext, ParsedArgs } from "../command.ts";
import { configuredFormat, openColdStore } from "../../data/cold/store.ts";
import { type InputStats, readInputCsv } from "../../data/cold/input.ts";
import { formatSkipped } from "../../data/cold/row_check.ts";
import type { ColdStats, InvalidReason, StorageFormat } from "../../data/cold/types.ts";
import { UsageError } from "../../util/errors.ts";
import { positiveInt, str, symbolsFlag } from "../flags.ts";
import { createProgress } from "../../util/progress.ts";
import { isoMs, parseRange } from "../../util/time.ts";

const ACTIONS = ["write", "dump", "stats"] as const;

export const coldCommand: Command = {
  name: "cold",
  summary: "cold tier (Parquet/CSV history): write a CSV in, dump a PIT window, stats and gaps",
  help: `cryptorun cold — the cold tier: day-partitioned Parquet or CSV history of OHLCV bars

Usage: cryptorun cold <write|dump|stats> [flags]
  cryptorun cold write --input FILE.csv[.gz|.lz4] [--table ohlcv] [--format parquet|csv]
                       [--compression C] [--row-group-size N] [--max-rows-per-file N] [--skip-invalid]
  cryptorun cold dump  --from ISO --to ISO [--table ohlcv] [--columns ts,close] [--symbols BTC/USD,ETH/USD]
                       [--format parquet|csv] [--iso] [--json]
  cryptorun cold stats [--table ohlcv] [--format parquet|csv] [--json]

Layout: <data-dir>/<cold.path>/dt=YYYY-MM-DD/part-NNNNN.parquet (or .csv, .csv.gz, .csv.lz4), rows sorted by
ts then symbol in every file; readable as is by DuckDB, Spark, Trino:
  SELECT * FROM read_parquet('<path>/*/*.parquet', hive_partitioning=true)

Flags:
  --table NAME            table (default: cold.parquet_schema.table, ohlcv)
  --input FILE            write: CSV with header ts_ms,symbol,open,high,low,close,volume; ts as epoch ms or
                          ISO-8601 (no zone = UTC); compression from the extension (.csv, .csv.gz, .csv.lz4)
  --format parquet|csv    override cold.format (parquet needs cold.enable_parquet: true)
  --compression C         write: Parquet gzip|lz4|snappy|zstd|uncompressed (lz4 is written as LZ4_RAW);
                          CSV gzip|lz4|none (default cold.parquet_compression / cold.compression)
  --row-group-size N      write: rows per Parquet row group (default cold.row_group_size; at most 16777216)
  --max-rows-per-file N   write: rows buffered before a part file is written (bounds memory; default 1048576;
                          at most 16777216)
  --skip-invalid          write: skip bad rows and report how many were skipped and why, instead of failing
  --from, --to TIME       dump: the window, ISO-8601 or epoch ms; BOTH bounds inclusive
  --columns a,b           dump: columns to print, in this order (default all: ts,symbol,open,high,low,close,volume)
  --symbols A/USD,B/USD   dump: only these pairs (normalised like write's input: xbt-usd = BTC/USD)
  --iso                   dump: print ts as ISO-8601 instead of epoch ms
  --json                  dump: NDJSON (one object per row); write/stats: one JSON object

Pitfalls:
  - Partitions are UTC days: dt=2025-09-01 holds bars whose OPEN is in 2025-09-01T00:00Z..23:59:59.999Z,
    whatever your local time zone. ts is the bar open, int64 epoch milliseconds (Parquet timestamp(ms), UTC).
  - ts before 2009-01-03T00:00:00Z (Bitcoin's genesis) is refused as bad_ts: it is almost always epoch
    SECONDS (1577836800 = 2020-01-01 in seconds) — multiply by 1000.
  - --from and --to are both INCLUSIVE: --to 2025-09-02T00:00:00Z includes the 00:00 bar of the 2nd. For a
    half-open day use --to 2025-09-01T23:59:59.999Z. Nothing with ts > --to is ever read (point-in-time safe).
  - Appending never rewrites a day: each write adds part files. A (ts, symbol) already stored is a
    duplicate and is rejected (or skipped with --skip-invalid).
  - Symbols are normalised USD pairs (BTC/USD; xbt-usd is read as BTC/USD). Rows with non-finite prices,
    high < low or negative volume are rejected.

Performance:
  Narrow windows stay fast because a read opens only the dt= partitions the window touches, skips row groups
  whose ts min/max statistics miss the window, decodes only the asked columns, and stops at the first row
  after --to. Memory is bounded by one row group. Smaller --row-group-size = finer pruning but more
  overhead; ~128k rows suits minute bars of hundreds of pairs. zstd is the best size/speed trade-off;
  lz4 decodes fastest. CSV has no statistics: prefer Parquet for anything but interchange.

Examples:
  cryptorun cold write --input bars.csv.gz
  cryptorun cold write --input bars.csv --format parquet --compression lz4 --row-group-size 65536
  cryptorun cold write --input dirty.csv --skip-invalid --json
  cryptorun cold dump --table ohlcv --from 2025-09-01T00:00:00Z --to 2025-09-02T00:00:00Z --columns ts,close --format parquet
  cryptorun cold dump --from 2025-09-01 --to 2025-09-01T01:00:00Z --symbols BTC/USD --json
  cryptorun cold stats --table ohlcv`,
  options: {
    table: { type: "string" },
    input: { type: "string" },
    format: { type: "string" },
    compression: { type: "string" },
    "row-group-size": { type: "string" },
    "max-rows-per-file": { type: "string" },
    "skip-invalid": { type: "boolean" },
    from: { type: "string" },
    to: { type: "string" },
    columns: { type: "string" },
    symbols: { type: "string" },
    iso: { type: "boolean" },
  },
  allowPositionals: true,
  async run(ctx, args) {
    const action = args.positionals[0];
    if (!action) throw new UsageError(`cold: missing action (one of ${ACTIONS.join("|")})`);
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new UsageError(`cold: unknown action ${JSON.stringify(action)} (one of ${ACTIONS.join("|")})`);
    }
    if (args.positionals.length > 1) throw new UsageError(`cold: unexpected argument ${args.positionals[1]}`);
    const allowed: Record<string, string[]> = {
      write: [
        "table",
        "input",
        "format",
        "compression",
        "row-group-size",
        "max-rows-per-file",
        "skip-invalid",
      ],
      dump: ["table", "from", "to", "columns", "symbols", "format", "iso"],
      stats: ["table", "format"],
    };
    for (const k of Object.keys(coldCommand.options)) {
      if (args.values[k] !== undefined && !allowed[action].includes(k)) {
        throw new UsageError(`--${k} does not apply to cold ${action}`);
      }
    }
    if (action === "write") return await runWrite(ctx, args);
    if (action === "dump") return await runDump(ctx, args);
    return await runStats(ctx, args);
  },
};

/** Upper bound of --row-group-size and --max-rows-per-file: 16 Mi rows (~1 GiB buffered or decoded). */
const MAX_ROWS_FLAG = 16 * 1024 * 1024;

async function setup(ctx: CommandContext, args: ParsedArgs) {
  const cfg = await ctx.config();
  const store = openColdStore(cfg.cold, await ctx.dataDir());
  const table = str(args, "table") ?? cfg.cold.parquet_schema.table;
  if (table !== cfg.cold.parquet_schema.table) {
    throw new UsageError(
      `--table: unknown table ${JSON.stringify(table)} (configured: ${cfg.cold.parquet_schema.table})`,
    );
  }
  const f = str(args, "format");
  let format: StorageFormat = configuredFormat(cfg.cold);
  if (f !== undefined) {
    if (f !== "parquet" && f !== "csv") {
      throw new UsageError(`--format: expected parquet|csv, found ${JSON.stringify(f)}`);
    }
    if (f === "parquet" && !cfg.cold.enable_parquet) {
      throw new UsageError(`--format parquet: Parquet is disabled (cold.enable_parquet: false)`);
    }
    format = f;
  }
  return { cfg, store, table, format };
}

async function runWrite(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const { store, table, format } = await setup(ctx, args);
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

async function runDump(ctx: CommandContext, args: ParsedArgs): Promise<number> {
  const { cfg, store, table, format } = await setup(ctx, args);
  const from = str(args, "from");
  const to = str(args, "to");
  if (from === undefined || to === undefined) throw new UsageError(`cold dump: --from and --to are required`);
  const range = parseRange(from, to);
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
  const symbols = symbolsFlag(args, "symbols");
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

async function runStats(ctx: CommandContext, args: ParsedArgs): Promise<number> {
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
