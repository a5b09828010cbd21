// `cryptorun cold write|dump|stats` end to end (in-process; one real-process run for exit codes).
import assert from "node:assert/strict";
import { runCliCaptured, spawnCli } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/tmp.ts";

const FIXTURE = new URL("../../../fixtures/cold/ohlcv_kraken_1h_slice.csv", import.meta.url).pathname;

async function gzipFile(src: string, dst: string) {
  const f = await Deno.open(src);
  await Deno.writeFile(dst, f.readable.pipeThrough(new CompressionStream("gzip")));
}

Deno.test("cold write (.csv.gz input) → dump a window as CSV and NDJSON → stats with gaps", async () => {
  await using dir = await tempDir();
  const input = `${dir.path}/in.csv.gz`;
  await gzipFile(FIXTURE, input);
  const d = ["--data-dir", dir.path];
  const w = await runCliCaptured([
    ...d,
    "cold",
    "write",
    "--input",
    input,
    "--row-group-size",
    "500",
    "--json",
  ]);
  assert.equal(w.code, 0, w.stderr);
  const wr = JSON.parse(w.stdout);
  assert.equal(wr.rows, 3000);
  assert.equal(wr.format, "parquet");
  assert.equal(wr.partitions.length, 26);

  const dump = await runCliCaptured([
    ...d,
    "cold",
    "dump",
    "--table",
    "ohlcv",
    "--from",
    "2020-01-02T10:00:00Z",
    "--to",
    "2020-01-02T11:00:00Z",
    "--columns",
    "ts,close",
    "--symbols",
    "BTC/USD,ETH/USD",
    "--format",
    "parquet",
  ]);
  assert.equal(dump.code, 0, dump.stderr);
  // Values as in the fixture (real Kraken closes; see fixtures/cold/ohlcv_kraken_1h_slice.csv).
  assert.equal(
    dump.stdout,
    "ts,close\n1577959200000,7139.8\n1577959200000,129.27\n1577962800000,7120\n1577962800000,129.19",
  );

  const nd = await runCliCaptured([
    ...d,
    "cold",
    "dump",
    "--from",
    "2020-01-02T10:00:00Z",
    "--to",
    "2020-01-02T10:00:00Z",
    "--symbols",
    "BTC/USD",
    "--json",
    "--iso",
  ]);
  assert.equal(nd.code, 0, nd.stderr);
  assert.deepEqual(nd.stdout.split("\n").map((l) => JSON.parse(l)), [
    {
      ts: "2020-01-02T10:00:00.000Z",
      symbol: "BTC/USD",
      open: 7132.8,
      high: 7151.8,
      low: 7129.2,
      close: 7139.8,
      volume: 85.06049487,
    },
  ]);

  const st = await runCliCaptured([...d, "cold", "stats", "--json"]);
  assert.equal(st.code, 0, st.stderr);
  const s = JSON.parse(st.stdout);
  assert.equal(s.rows, 3000);
  assert.equal(s.partitions, 26);
  assert.equal(s.files, 26);
  assert.equal(s.rowGroups, 26);
  assert.equal(s.minTs, Date.parse("2020-01-01T00:00:00Z"));
  assert.equal(s.perSymbol["LTC/USD"].gaps, 3);
  const text = await runCliCaptured([...d, "cold", "stats"]);
  assert.match(text.stdout, /partitions 26 {2}files 26 {2}row groups 26 {2}rows 3000/);
  assert.match(text.stdout, /LTC\/USD +597 .* 3600s {2}3/);
});

Deno.test("cold write accepts ISO-8601 ts and normalises symbols; --skip-invalid counts by reason", async () => {
  await using dir = await tempDir();
  const input = `${dir.path}/in.csv`;
  await Deno.writeTextFile(
    input,
    [
      "ts_ms,symbol,open,high,low,close,volume",
      "2025-09-01T00:00:00Z,xbt/usd,1,2,0.5,1.5,10",
      "2025-09-01T00:01:00Z,BTC/USD,1,0.5,2,1.5,10",
      "1756685040000,BTC/USD,1,2,0.5,NaN,10",
      "2025-09-01 00:03:00,ETH-USD,1,2,0.5,1.5,-1",
      "2025-09-01T00:00:00Z,BTC/USD,1,2,0.5,1.5,10",
      "yesterday,BTC/USD,1,2,0.5,1.5,10",
      "2025-09-01T00:05:00Z,ETH/USD,1,2,0.5,1.5,3",
    ].join("\n") + "\n",
  );
  const d = ["--data-dir", dir.path];
  const bad = await runCliCaptured([...d, "cold", "write", "--input", input]);
  assert.equal(bad.code, 1);
  assert.match(
    bad.stderr,
    /in\.csv:3: high: .*below low 2.*row: "2025-09-01T00:01:00Z,BTC\/USD,1,0\.5,2,1\.5,10"/,
  );
  const ok = await runCliCaptured([
    ...d,
    "cold",
    "write",
    "--input",
    input,
    "--skip-invalid",
    "--format",
    "csv",
    "--compression",
    "lz4",
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /wrote 2 rows to 1 csv file/);
  assert.match(
    ok.stdout,
    /skipped 5 invalid row\(s\): high_below_low=1, non_finite_price=1, negative_volume=1, bad_ts=1, duplicate=1/,
  );
  const dump = await runCliCaptured([
    ...d,
    "cold",
    "dump",
    "--format",
    "csv",
    "--from",
    "2025-09-01",
    "--to",
    "2025-09-01T23:59:59.999Z",
    "--columns",
    "ts,symbol",
  ]);
  assert.equal(dump.stdout, "ts,symbol\n1756684800000,BTC/USD\n1756685100000,ETH/USD");
  // dump --symbols takes the spellings write takes (xbt/usd, eth-usd), normalised the same way.
  const some = await runCliCaptured([
    ...d,
    "cold",
    "dump",
    "--format",
    "csv",
    "--from",
    "2025-09-01",
    "--to",
    "2025-09-01T23:59:59.999Z",
    "--columns",
    "ts,symbol",
    "--symbols",
    "xbt/usd, XXBT/ZUSD",
  ]);
  assert.equal(some.code, 0, some.stderr);
  assert.equal(some.stdout, "ts,symbol\n1756684800000,BTC/USD");
  const eth = await runCliCaptured([
    ...d,
    "cold",
    "dump",
    "--format",
    "csv",
    "--from",
    "2025-09-01",
    "--to",
    "2025-09-01T23:59:59.999Z",
    "--symbols",
    "eth-usd",
    "--columns",
    "symbol",
  ]);
  assert.equal(eth.code, 0, eth.stderr);
  assert.equal(eth.stdout, "symbol\nETH/USD");
});

Deno.test("cold write: ts in epoch SECONDS is refused naming field, value and line; --skip-invalid counts bad_ts", async () => {
  await using dir = await tempDir();
  const input = `${dir.path}/secs.csv`;
  await Deno.writeTextFile(
    input,
    [
      "ts_ms,symbol,open,high,low,close,volume",
      "1577836800000,BTC/USD,1,2,0.5,1.5,10",
      "1577840400,BTC/USD,1,2,0.5,1.5,10", // 2020-01-01T01:00Z in seconds: would land in dt=1970-01-19
      "2009-01-03T00:00:00Z,BTC/USD,1,2,0.5,1.5,10", // the earliest accepted instant
    ].join("\n") + "\n",
  );
  const d = ["--data-dir", dir.path];
  const bad = await runCliCaptured([...d, "cold", "write", "--input", input]);
  assert.equal(bad.code, 1, bad.stderr);
  assert.match(
    bad.stderr,
    /secs\.csv:3: ts: looks like epoch SECONDS \(10 digits.*multiply by 1000 \(1577840400000 = 2020-01-01T01:00:00\.000Z\) \(text "1577840400"\)/,
  );
  const st = await runCliCaptured([...d, "cold", "stats", "--json"]);
  assert.equal(JSON.parse(st.stdout).rows, 0, "nothing written");
  const ok = await runCliCaptured([...d, "cold", "write", "--input", input, "--skip-invalid", "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  const r = JSON.parse(ok.stdout);
  assert.equal(r.rows, 2);
  assert.deepEqual(r.skipped, { bad_ts: 1 });
  assert.deepEqual(r.partitions, ["2009-01-03", "2020-01-01"]);
});

Deno.test("cold: bad flags exit 2 naming the flag and value", async () => {
  await using dir = await tempDir();
  const d = ["--data-dir", dir.path];
  const cases: Array<[string[], RegExp]> = [
    [["cold"], /cold: missing action/],
    [["cold", "purge"], /unknown action "purge"/],
    [
      ["cold", "dump", "--from", "2025-09-02", "--to", "2025-09-01"],
      /--from 2025-09-02 is after --to 2025-09-01/,
    ],
    [
      ["cold", "dump", "--from", "soon", "--to", "2025-09-01"],
      /--from: expected ISO-8601 time or epoch ms, found "soon"/,
    ],
    [
      ["cold", "dump", "--from", "2025-09-01", "--to", "2025-09-02", "--columns", "ts,vwap"],
      /--columns: unknown column "vwap"/,
    ],
    [
      ["cold", "dump", "--from", "2025-09-01", "--to", "2025-09-02", "--symbols", "btcusd"],
      /--symbols: .*found "btcusd"/,
    ],
    [
      ["cold", "dump", "--from", "2025-09-01", "--to", "2025-09-02", "--format", "orc"],
      /--format: expected parquet\|csv, found "orc"/,
    ],
    [
      ["cold", "write", "--input", "x.csv", "--row-group-size", "0"],
      /--row-group-size: expected a positive integer, found "0"/,
    ],
    [
      ["cold", "write", "--input", "x.csv", "--row-group-size", "99999999999999999999"],
      /--row-group-size: expected a positive integer at most 16777216, found "99999999999999999999"/,
    ],
    [
      ["cold", "write", "--input", "x.csv", "--max-rows-per-file", "16777217"],
      /--max-rows-per-file: expected a positive integer at most 16777216, found "16777217"/,
    ],
    [
      ["cold", "dump", "--from", "2025-09-01", "--to", "2025-09-02", "--symbols", ""],
      /--symbols: expected a value, found ""/,
    ],
    [
      ["cold", "write", "--input", "x.csv", "--compression", "brotli"],
      /--compression: for parquet expected .*found "brotli"/,
    ],
    [["cold", "write", "--input", `${dir.path}/missing.csv`], /--input: cannot read/],
    [["cold", "stats", "--table", "trades"], /--table: unknown table "trades"/],
    [["cold", "stats", "--from", "2025-09-01"], /--from does not apply to cold stats/],
    [
      ["cold", "dump", "--from", "2025-09-01", "--to", "2025-09-02", "--wait"],
      /--wait does not apply to cold dump/,
    ],
    [
      ["cold", "write", "--input", "x.csv", "--wait=soon"],
      /--wait: expected a duration like 60s, 5m, 4h, found "soon"/,
    ],
    [["cold", "verify", "--wait=1s"], /--wait applies to cold verify only with --gc or --repair-from/],
    [["cold", "compact", "--from", "2025-09-01"], /cold compact: give both --from and --to, or neither/],
    [["cold", "upgrade", "--input", "x.csv"], /--input does not apply to cold upgrade/],
  ];
  for (const [argv, re] of cases) {
    const r = await runCliCaptured([...d, ...argv]);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  // enable_parquet: false refuses --format parquet (env override of the config).
  const r = await runCliCaptured([...d, "cold", "stats", "--format", "parquet"], {
    CRYPTORUN_COLD_ENABLE_PARQUET: "false",
  });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Parquet is disabled \(cold\.enable_parquet: false\)/);
});

Deno.test("cold --help documents pitfalls, performance flags and examples; real process exit codes", async () => {
  const h = await runCliCaptured(["cold", "--help"]);
  assert.equal(h.code, 0);
  for (
    const s of [
      "Usage: cryptorun cold",
      "INCLUSIVE",
      "UTC days",
      "--row-group-size",
      "Pitfalls:",
      "Performance:",
      "Examples:",
      "current/*/*.parquet",
      "--wait[=DURATION]",
      "--repair-from DIR",
      "cryptorun cold verify",
      "cryptorun cold compact",
      "cryptorun cold upgrade",
    ]
  ) {
    assert.ok(h.stdout.includes(s), s);
  }
  await using dir = await tempDir();
  const bad = `${dir.path}/bad.csv`;
  await Deno.writeTextFile(
    bad,
    "ts_ms,symbol,open,high,low,close,volume\n1756684800000,BTC/USD,1,2,0.5,x,1\n",
  );
  const r = await spawnCli(["--data-dir", dir.path, "cold", "write", "--input", bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.csv:2: close: .*\(text "x"\)/);
});
