import { loadEntry } from "../../util/entries.ts";
import type { Command, Handler } from "../command.ts";

/** `cryptorun cold`: help, flags and sub-actions (light; the actions live in ./cold/actions.ts). */

const actions = () => loadEntry<typeof import("./cold/actions.ts")>("cli/commands/cold/actions.ts");
const validateActions = () => loadEntry<typeof import("./cold/validate.ts")>("cli/commands/cold/validate.ts");
const replicateAction = () =>
  loadEntry<typeof import("./cold/replicate.ts")>("cli/commands/cold/replicate.ts");
const importAction = () => loadEntry<typeof import("./cold/import.ts")>("cli/commands/cold/import.ts");

export const coldCommand: Command = {
  name: "cold",
  summary:
    "cold tier (Parquet/CSV history): write, import, dump a PIT window, stats, gaps, verify/repair, validate, quarantine, replicate, compact, upgrade",
  help: `cryptorun cold — the cold tier: day-partitioned Parquet or CSV tables (OHLCV bars, 1-minute bars,
derivatives, quarantine), checksummed

Usage: cryptorun cold <write|dump|stats|gaps|verify|compact|upgrade|validate|quarantine|replicate|import> [flags]
  cryptorun cold write   --input FILE.csv[.gz|.lz4] [--table ohlcv] [--format parquet|csv]
                         [--compression C] [--row-group-size N] [--max-rows-per-file N] [--skip-invalid]
                         [--wait[=DURATION]]
  cryptorun cold dump    --from ISO --to ISO [--table ohlcv] [--columns ts,close] [--symbols BTC/USD,ETH/USD]
                         [--format parquet|csv] [--iso] [--json]
  cryptorun cold stats   [--table ohlcv] [--format parquet|csv] [--json]
  cryptorun cold gaps    [--table ohlcv] [--from ISO --to ISO] [--symbols A/USD,B/USD] [--interval 1h] [--json]
  cryptorun cold verify  [--table ohlcv] [--repair-from DIR] [--gc] [--complete-moves] [--wait[=DURATION]]
                         [--json]
  cryptorun cold compact [--table ohlcv] [--from ISO --to ISO] [--format parquet|csv] [--max-rows-per-file N]
                         [--wait[=DURATION]] [--json]
  cryptorun cold upgrade [--table ohlcv] [--wait[=DURATION]] [--json]
  cryptorun cold validate [--table ohlcv] [--from ISO --to ISO] [--symbols A/USD,B/USD] [--interval 1h]
                         [--quarantine] [--wait[=DURATION]] [--json]
  cryptorun cold quarantine list|release|drop [--table ohlcv] [--from ISO --to ISO] [--symbols A/USD]
                         [--check C] [--wait[=DURATION]] [--json]
  cryptorun cold replicate --to DIR [--table ohlcv | --all] [--region NAME] [--json]
  cryptorun cold import  --kraken-ohlcvt ZIP|DIR | --kraken-trades ZIP|DIR [--asset-pairs FILE]
                         [--wait[=DURATION]] [--json]

Tables (docs/COLD.md): ohlcv (hourly bars; cold.path, default <data-dir>/cold/ohlcv), ohlcv_1m (1-minute
bars: ohlcv's columns plus vwap, trades), derivs (funding, open interest, basis per venue; key ts, symbol,
venue), tables added under cold.tables.<name>, and quarantine/<table> for each (flagged rows, at
<data-dir>/quarantine/<table>). Each has its own lock, snapshots and checksums.

Layout: <table dir>/current -> _snapshots/vNNNNNNNN/, holding _manifest.json (every file with its BLAKE3 and
block checksums) and dt=YYYY-MM-DD/part-NNNNN.parquet (or .csv, .csv.gz, .csv.lz4), rows sorted by the
table's key (ts, symbol[, venue]) in every file. Each write publishes a whole new snapshot with ONE atomic
switch of 'current'. Readable as is by DuckDB, Spark, Trino — through 'current' (docs/COLD.md):
  SELECT * FROM read_parquet('<table dir>/current/*/*.parquet', hive_partitioning=true)

Actions:
  write     append a CSV; all or nothing, one writer per table at a time
  dump      print a window (every file the table lists, whatever its format, merged in ts order)
  stats     rows, files, bytes, ts range from the manifest; per-symbol counts and gaps
  gaps      the missing bars of each symbol (series), hole by hole
  verify    check every byte of the current snapshot against its checksums; exit 1 listing damaged files;
            lists moves between tables a crash interrupted
  compact   merge each day's parts into one sorted part (one commit)
  upgrade   convert a table of the wave-1 layout (dt=* directly under the root) into snapshot v1
  validate  check stored bars (schema, future ts, gaps, robust-z anomalies vs a trailing window; config
            validate.*); every finding as {ts, symbol, check, field, value, score}
  replicate ship the current snapshot's sealed parts, checksums and manifest to DIR (same layout: a readable
            table); resumable, every file read back and verified, the replica switched atomically
  quarantine  list the rows of quarantine/<table>; release them into the table (its normal commit and row
            check) or drop them (deleted); both crash-safe moves
  import    Kraken's downloadable history, streamed from a .zip or a directory (docs/BACKFILL.md):
            OHLCVT files <PAIR>_1.csv → ohlcv_1m, <PAIR>_60.csv → ohlcv; time-and-sales <PAIR>.csv →
            1-minute bars in ohlcv_1m. File names map to pairs through AssetPairs (XBTUSD → BTC/USD). Every
            line is checked before anything is written; a stored bar keeps its values

Flags:
  --table NAME            table (default: cold.parquet_schema.table, ohlcv): ohlcv, ohlcv_1m, derivs, a
                          cold.tables.<name>, or quarantine/<table>
  --input FILE            write: CSV with the table's columns as header (ohlcv: ts_ms,symbol,open,high,low,
                          close,volume; ts_ms may be ts); ts as epoch ms or ISO-8601 (no zone = UTC); an
                          empty field is null; compression from the extension (.csv, .csv.gz, .csv.lz4)
  --format parquet|csv    write/compact: the format written (default cold.format; parquet needs
                          cold.enable_parquet: true). dump/stats: only files of this format (default: all; a
                          format the table holds no file of is an error saying what it holds)
  --compression C         write: Parquet gzip|lz4|snappy|zstd|uncompressed (lz4 is written as LZ4_RAW);
                          CSV gzip|lz4|none (default cold.parquet_compression / cold.compression)
  --row-group-size N      write: rows per Parquet row group (default cold.row_group_size; at most 16777216)
  --max-rows-per-file N   write/compact: rows buffered before a part file is written (bounds memory; default
                          1048576; at most 16777216)
  --skip-invalid          write: skip bad rows and conflicts and report how many were skipped and why
  --wait[=DURATION]       write/verify --gc/--repair-from/compact/upgrade/validate --quarantine/quarantine/import:
                          wait for another writer of the table (bare --wait: until it is done; --wait=30s: at most that long); without it
                          a busy table fails at once (exit 1) naming the writer
  --from, --to TIME       dump, gaps, validate, quarantine: the window, ISO-8601 or epoch ms; BOTH bounds
                          inclusive. compact: only days that intersect it
  --columns a,b           dump: columns to print, in this order (default all the table's columns)
  --symbols A/USD,B/USD   dump, gaps, validate, quarantine: only these pairs (normalised like write's input: xbt-usd = BTC/USD)
  --iso                   dump: print timestamps as ISO-8601 instead of epoch ms
  --interval DURATION     gaps, validate: the bar interval (1m, 1h; default: per symbol, its most common step)
  --repair-from DIR       verify: restore damaged files from another copy of the table (a replica or a
                          backup), found by their BLAKE3, and commit them as a new snapshot
  --gc                    verify: also remove debris (staging, uncommitted and expired snapshots)
  --complete-moves        verify: finish moves of rows between this table and another (e.g. its quarantine)
                          that a crash interrupted
  --quarantine            validate: move the flagged rows to quarantine/<table> (one crash-safe move: a re-run
                          after a crash completes it; nothing lost or duplicated)
  --to DIR                replicate: the replica's data directory (tables at the same relative paths)
  --all                   replicate: every table that has a snapshot (quarantine tables included)
  --region NAME           replicate: the region label of cryptorun_replication_lag_seconds (default replica)
  --check C               quarantine: only rows flagged by this check (price_mad, future_ts, …)
  --kraken-ohlcvt PATH    import: a Kraken OHLCVT .zip or directory (timestamp,open,high,low,close,volume,
                          trades per line); other intervals, non-USD and unknown pairs are skipped and listed
  --kraken-trades PATH    import: a Kraken time-and-sales .zip or directory (timestamp,price,volume); each
                          file's last minute is not written (the file may end inside it)
  --asset-pairs FILE      import: a saved /0/public/AssetPairs response (default: fetched from Kraken)
  --json                  dump: NDJSON (one object per row, null for an empty value); other actions: one
                          JSON object

Pitfalls:
  - Partitions are UTC days: dt=2025-09-01 holds bars whose OPEN is in 2025-09-01T00:00Z..23:59:59.999Z,
    whatever your local time zone. ts is the bar open, int64 epoch milliseconds (Parquet timestamp(ms), UTC).
  - ts before 2009-01-03T00:00:00Z (Bitcoin's genesis) is refused as bad_ts: it is almost always epoch
    SECONDS (1577836800 = 2020-01-01 in seconds) — multiply by 1000.
  - --from and --to are both INCLUSIVE: --to 2025-09-02T00:00:00Z includes the 00:00 bar of the 2nd. For a
    half-open day use --to 2025-09-01T23:59:59.999Z. Nothing with ts > --to is ever read (point-in-time safe).
  - Re-running a write is safe: a key (ts, symbol; derivs: ts, symbol, venue, record, contract) already stored with identical
    values is counted as already stored, not written twice; the same key with other values is a conflict error naming both (or skipped
    with --skip-invalid). A write killed at any point leaves the table as it was before or after it.
  - Query 'current/*/*.parquet', not '*/*.parquet': the old glob of the wave-1 layout matches no file now.
  - A damaged file is an error naming it (exit 1), never different numbers: run 'cold verify'.
  - Symbols are normalised USD pairs (BTC/USD; xbt-usd is read as BTC/USD). Rows with non-finite prices,
    high < low or negative volume are rejected.

Performance:
  Narrow windows stay fast because a read opens only the files of the manifest whose day and ts range touch
  the window, skips row groups whose ts min/max statistics miss it, decodes only the asked columns, and
  stops at the first row after --to; checksums are verified per 64 KiB block, only for the blocks read.
  Memory is bounded by one row group. Smaller --row-group-size = finer pruning but more overhead; ~128k rows
  suits minute bars of hundreds of pairs. zstd is the best size/speed trade-off; lz4 decodes fastest. CSV has
  no statistics: prefer Parquet for anything but interchange. Many small appends → run 'cold compact'.

Examples:
  cryptorun cold write --input bars.csv.gz
  cryptorun cold write --input bars.csv --format parquet --compression lz4 --row-group-size 65536 --wait=2m
  cryptorun cold write --input dirty.csv --skip-invalid --json
  cryptorun cold dump --table ohlcv --from 2025-09-01T00:00:00Z --to 2025-09-02T00:00:00Z --columns ts,close
  cryptorun cold dump --from 2025-09-01 --to 2025-09-01T01:00:00Z --symbols BTC/USD --json
  cryptorun cold stats --table ohlcv
  cryptorun cold gaps --table ohlcv_1m --from 2025-09-01 --to 2025-09-02 --interval 1m
  cryptorun cold dump --table derivs --from 2025-09-01 --to 2025-09-02 --columns ts,symbol,venue,basis
  cryptorun cold verify --json
  cryptorun cold verify --repair-from /backup/cold/ohlcv
  cryptorun cold compact --from 2025-09-01 --to 2025-09-30
  cryptorun cold validate --table ohlcv --from 2020-01-01 --to 2020-12-31T23:00:00Z --json
  cryptorun cold validate --from 2020-03-01 --to 2020-03-31 --quarantine
  cryptorun cold quarantine list --table ohlcv
  cryptorun cold replicate --to /mnt/replica/cryptorun --all --region eu
  cryptorun cold quarantine release --from 2020-03-12 --to 2020-03-13 --check price_mad`,
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
    wait: { type: "string" },
    "repair-from": { type: "string" },
    gc: { type: "boolean" },
    "complete-moves": { type: "boolean" },
    interval: { type: "string" },
    quarantine: { type: "boolean" },
    check: { type: "string" },
    all: { type: "boolean" },
    region: { type: "string" },
    "kraken-ohlcvt": { type: "string" },
    "kraken-trades": { type: "string" },
    "asset-pairs": { type: "string" },
  },
  optionalValues: { wait: "forever" },
  actions: [
    {
      name: "write",
      usage: "cryptorun cold write   --input FILE.csv[.gz|.lz4]",
      flags: [
        "table",
        "input",
        "format",
        "compression",
        "row-group-size",
        "max-rows-per-file",
        "skip-invalid",
        "wait",
      ],
      load: async (): Promise<Handler> => (await actions()).runWrite,
    },
    {
      name: "dump",
      usage: "cryptorun cold dump    --from ISO --to ISO",
      flags: ["table", "from", "to", "columns", "symbols", "format", "iso"],
      load: async (): Promise<Handler> => (await actions()).runDump,
    },
    {
      name: "stats",
      usage: "cryptorun cold stats   [--table ohlcv]",
      flags: ["table", "format"],
      load: async (): Promise<Handler> => (await actions()).runStats,
    },
    {
      name: "gaps",
      usage: "cryptorun cold gaps    [--table ohlcv] [--from ISO --to ISO]",
      flags: ["table", "from", "to", "symbols", "interval"],
      load: async (): Promise<Handler> => (await actions()).runGaps,
    },
    {
      name: "verify",
      usage: "cryptorun cold verify  [--table ohlcv] [--repair-from DIR] [--gc]",
      flags: ["table", "repair-from", "gc", "complete-moves", "wait"],
      load: async (): Promise<Handler> => (await actions()).runVerify,
    },
    {
      name: "compact",
      usage: "cryptorun cold compact [--table ohlcv] [--from ISO --to ISO]",
      flags: ["table", "from", "to", "format", "max-rows-per-file", "wait"],
      load: async (): Promise<Handler> => (await actions()).runCompact,
    },
    {
      name: "validate",
      usage: "cryptorun cold validate [--table ohlcv] [--from ISO --to ISO]",
      flags: ["table", "from", "to", "symbols", "interval", "quarantine", "wait"],
      load: async (): Promise<Handler> => (await validateActions()).runValidate,
    },
    {
      name: "quarantine",
      usage: "cryptorun cold quarantine list|release|drop",
      flags: ["table", "from", "to", "symbols", "check", "wait"],
      subactions: ["list", "release", "drop"],
      load: async (): Promise<Handler> => (await validateActions()).runQuarantine,
    },
    {
      name: "replicate",
      usage: "cryptorun cold replicate --to DIR",
      flags: ["to", "table", "all", "region"],
      load: async (): Promise<Handler> => (await replicateAction()).runReplicate,
    },
    {
      name: "upgrade",
      usage: "cryptorun cold upgrade [--table ohlcv]",
      flags: ["table", "wait"],
      load: async (): Promise<Handler> => (await actions()).runUpgrade,
    },
    {
      name: "import",
      usage: "cryptorun cold import  --kraken-ohlcvt ZIP|DIR | --kraken-trades ZIP|DIR",
      flags: ["kraken-ohlcvt", "kraken-trades", "asset-pairs", "wait"],
      load: async (): Promise<Handler> => (await importAction()).runImport,
    },
  ],
};
