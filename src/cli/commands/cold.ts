import type { Command, Handler } from "../command.ts";

/** `cryptorun cold`: help, flags and sub-actions (light; the actions live in ./cold/actions.ts). */

const actions = () => import("./cold/actions.ts");

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
  actions: [
    {
      name: "write",
      usage: "cryptorun cold write --input FILE.csv[.gz|.lz4]",
      flags: [
        "table",
        "input",
        "format",
        "compression",
        "row-group-size",
        "max-rows-per-file",
        "skip-invalid",
      ],
      load: async (): Promise<Handler> => (await actions()).runWrite,
    },
    {
      name: "dump",
      usage: "cryptorun cold dump  --from ISO --to ISO",
      flags: ["table", "from", "to", "columns", "symbols", "format", "iso"],
      load: async (): Promise<Handler> => (await actions()).runDump,
    },
    {
      name: "stats",
      usage: "cryptorun cold stats [--table ohlcv]",
      flags: ["table", "format"],
      load: async (): Promise<Handler> => (await actions()).runStats,
    },
  ],
};
