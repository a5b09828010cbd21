// `cryptorun cold … --table NAME` for the tables beyond ohlcv: derivs written from a CSV with its own header,
// dumped with its own columns (CSV quoting, empty = null; NDJSON null), stats per series, compact, verify;
// ohlcv_1m gaps hole by hole; a move a crash interrupted listed and completed by `cold verify`.
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { openColdTables } from "../../../src/data/cold/store.ts";
import { runCliCaptured } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { startScript } from "./table_helpers.ts";

const HEADER =
  "ts_ms,symbol,venue,record,contract,expiry,funding_rate_relative,funding_interval_h,funding_rate_annualized,open_interest," +
  "open_interest_unit,mark_price,index_price,basis,basis_annualized,source";

Deno.test("cold write|dump|stats|compact|verify --table derivs: the table's own header and columns", async () => {
  await using dir = await tempDir();
  const d = ["--data-dir", dir.path];
  const input = `${dir.path}/derivs.csv`;
  await Deno.writeTextFile(
    input,
    [
      HEADER,
      `2025-09-01T00:00:00Z,xbt/usd,krakenfutures,snapshot,perpetual,,0.0000125,1,0.1095,1200,contracts,60000.5,60001,,,"kraken:/tickers, live"`,
      `2025-09-01T00:00:00Z,BTC/USD,binance,snapshot,perpetual,,0.0001,8,0.1095,,,60010,60000,0.00016,,binance:premiumIndex`,
      `2025-09-01T08:00:00Z,BTC/USD,binance,snapshot,perpetual,,0.0002,8,0.219,15000.5,base,61000,60990,0.000164,,binance:premiumIndex`,
    ].join("\n") + "\n",
  );
  const w = await runCliCaptured([...d, "cold", "write", "--table", "derivs", "--input", input, "--json"]);
  assert.equal(w.code, 0, w.stderr);
  assert.equal(JSON.parse(w.stdout).rows, 3);
  const csv = await runCliCaptured([
    ...d,
    "cold",
    "dump",
    "--table",
    "derivs",
    "--from",
    "2025-09-01",
    "--to",
    "2025-09-01T07:59:59.999Z",
    "--columns",
    "ts,symbol,venue,open_interest,open_interest_unit,basis,source",
  ]);
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(
    csv.stdout,
    [
      "ts,symbol,venue,open_interest,open_interest_unit,basis,source",
      "1756684800000,BTC/USD,binance,,,0.00016,binance:premiumIndex",
      '1756684800000,BTC/USD,krakenfutures,1200,contracts,,"kraken:/tickers, live"',
    ].join("\n"),
  );
  const nd = await runCliCaptured([
    ...d,
    "cold",
    "dump",
    "--table",
    "derivs",
    "--from",
    "2025-09-01",
    "--to",
    "2025-09-02",
    "--symbols",
    "BTC/USD",
    "--columns",
    "ts,venue,open_interest,open_interest_unit",
    "--json",
    "--iso",
  ]);
  assert.equal(nd.code, 0, nd.stderr);
  assert.deepEqual(nd.stdout.split("\n").map((l) => JSON.parse(l)), [
    { ts: "2025-09-01T00:00:00.000Z", venue: "binance", open_interest: null, open_interest_unit: null },
    {
      ts: "2025-09-01T00:00:00.000Z",
      venue: "krakenfutures",
      open_interest: 1200,
      open_interest_unit: "contracts",
    },
    { ts: "2025-09-01T08:00:00.000Z", venue: "binance", open_interest: 15000.5, open_interest_unit: "base" },
  ]);
  const st = await runCliCaptured([...d, "cold", "stats", "--table", "derivs"]);
  assert.equal(st.code, 0, st.stderr);
  assert.match(st.stdout, /^table derivs at .*\/cold\/derivs \(snapshot 1; 1 parquet\)/);
  assert.match(st.stdout, /symbol venue record contract +rows +first/);
  assert.match(
    st.stdout,
    /BTC\/USD binance snapshot perpetual +2 +2025-09-01T00:00:00\.000Z +2025-09-01T08:00:00\.000Z +28800s +0/,
  );
  // A second write of the same file: every row already stored. A second part, then compaction merges them.
  const again = await runCliCaptured([...d, "cold", "write", "--table", "derivs", "--input", input]);
  assert.match(again.stdout, /3 row\(s\) were already stored with identical values/);
  await Deno.writeTextFile(
    input,
    `${HEADER}\n2025-09-01T01:00:00Z,ETH/USD,okx,snapshot,perpetual,,0.0001,8,0.1095,5,usd,2500,2499,0.0004,,okx\n`,
  );
  assert.equal(
    (await runCliCaptured([...d, "cold", "write", "--table", "derivs", "--input", input, "--format", "csv"]))
      .code,
    0,
  );
  const c = await runCliCaptured([...d, "cold", "compact", "--table", "derivs", "--json"]);
  assert.equal(c.code, 0, c.stderr);
  assert.deepEqual([JSON.parse(c.stdout).removed, JSON.parse(c.stdout).added], [2, 1]);
  const v = await runCliCaptured([...d, "cold", "verify", "--table", "derivs", "--json"]);
  assert.equal(v.code, 0, v.stderr);
  assert.deepEqual(
    [JSON.parse(v.stdout).ok, JSON.parse(v.stdout).files, JSON.parse(v.stdout).pending_moves],
    [true, 1, []],
  );
});

Deno.test("cold write --table derivs: the ohlcv header, a bad value or an unknown table are clear errors", async () => {
  await using dir = await tempDir();
  const d = ["--data-dir", dir.path];
  const input = `${dir.path}/x.csv`;
  await Deno.writeTextFile(
    input,
    "ts_ms,symbol,open,high,low,close,volume\n1756684800000,BTC/USD,1,2,0.5,1.5,10\n",
  );
  const h = await runCliCaptured([...d, "cold", "write", "--table", "derivs", "--input", input]);
  assert.equal(h.code, 1);
  assert.match(
    h.stderr,
    /x\.csv:1: header: expected ts_ms,symbol,venue,record,contract,expiry,funding_rate_relative,.*,source \(or ts instead of ts_ms\)/,
  );
  await Deno.writeTextFile(
    input,
    `${HEADER}\n1756684800000,BTC/USD,okx,funding,perpetual,,abc,8,,,,,,,,okx\n`,
  );
  const v = await runCliCaptured([...d, "cold", "write", "--table", "derivs", "--input", input]);
  assert.equal(v.code, 1);
  assert.match(
    v.stderr,
    /x\.csv:2: funding_rate_relative: expected a finite double, found "abc" \(text "abc"\)/,
  );
  const t = await runCliCaptured([
    ...d,
    "cold",
    "dump",
    "--table",
    "funding",
    "--from",
    "2025-01-01",
    "--to",
    "2025-01-02",
  ]);
  assert.equal(t.code, 2);
  assert.match(
    t.stderr,
    /--table: unknown table "funding" \(tables: ohlcv, ohlcv_1m, derivs; quarantine\/<table>/,
  );
  const col = await runCliCaptured([
    ...d,
    "cold",
    "dump",
    "--table",
    "derivs",
    "--from",
    "2025-01-01",
    "--to",
    "2025-01-02",
    "--columns",
    "ts,close",
  ]);
  assert.equal(col.code, 2);
  assert.match(col.stderr, /--columns: unknown column "close" \(table derivs has ts,symbol,venue,/);
});

Deno.test("cold gaps --table ohlcv_1m: every hole with its first and last missing minute", async () => {
  await using dir = await tempDir();
  const d = ["--data-dir", dir.path];
  const t0 = Date.parse("2025-09-01T00:00:00Z");
  const bar = (m: number, symbol: string) => ({
    ts: t0 + m * 60_000,
    symbol,
    open: 1,
    high: 2,
    low: 0.5,
    close: 1.5,
    volume: 1,
    vwap: 1,
    trades: 3,
  });
  const rows = [
    ...Array.from({ length: 60 }, (_, m) => m).filter((m) => m < 10 || (m > 12 && m !== 40)).map((m) =>
      bar(m, "BTC/USD")
    ),
    ...Array.from({ length: 60 }, (_, m) => bar(m, "ETH/USD")),
  ];
  await openColdTables(ColdSection.parse({}), dir.path).table("ohlcv_1m").write(rows);
  const r = await runCliCaptured([...d, "cold", "gaps", "--table", "ohlcv_1m", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const g = JSON.parse(r.stdout);
  assert.equal(g.table, "ohlcv_1m");
  assert.deepEqual(
    g.series.map((s: { series: string; missing: number; runs: unknown[] }) => [s.series, s.missing, s.runs]),
    [
      ["BTC/USD", 4, [{ from: t0 + 10 * 60_000, to: t0 + 12 * 60_000, missing: 3 }, {
        from: t0 + 40 * 60_000,
        to: t0 + 40 * 60_000,
        missing: 1,
      }]],
      ["ETH/USD", 0, []],
    ],
  );
  const text = await runCliCaptured([
    ...d,
    "cold",
    "gaps",
    "--table",
    "ohlcv_1m",
    "--symbols",
    "btc-usd",
    "--from",
    "2025-09-01T00:30:00Z",
    "--to",
    "2025-09-01T01:00:00Z",
    "--interval",
    "1m",
  ]);
  assert.equal(text.code, 0, text.stderr);
  assert.equal(
    text.stdout,
    "symbol BTC/USD: 29 rows 2025-09-01T00:30:00.000Z .. 2025-09-01T00:59:00.000Z, interval 60s, 1 missing in 1 gap(s)\n" +
      "  2025-09-01T00:40:00.000Z .. 2025-09-01T00:40:00.000Z  1 missing",
  );
  const bad = await runCliCaptured([...d, "cold", "gaps", "--from", "2025-09-01"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /give both --from and --to/);
});

Deno.test("cold verify lists a move a crash interrupted; --complete-moves finishes it", async () => {
  await using dir = await tempDir();
  const t0 = Date.parse("2025-09-01T00:00:00Z");
  const tables = openColdTables(ColdSection.parse({}), dir.path);
  await tables.table("ohlcv").write(
    Array.from(
      { length: 48 },
      (_, h) => ({
        ts: t0 + h * 3_600_000,
        symbol: "BTC/USD",
        open: 1,
        high: 2,
        low: 0.5,
        close: 1.5,
        volume: 1,
      }),
    ),
  );
  const keys = `${dir.path}/keys.json`;
  await Deno.writeTextFile(
    keys,
    JSON.stringify([{ ts: t0 + 3_600_000, symbol: "BTC/USD", check: "mad_z", score: 12, detected_at: t0 }]),
  );
  const killed = await startScript("tests/data/cold/move_child.ts", [
    dir.path,
    "ohlcv",
    "quarantine/ohlcv",
    keys,
  ], {
    CRYPTORUN_FAILPOINT: "cold.move_target_committed",
  }).done;
  assert.equal(killed.signal, "SIGKILL");
  const d = ["--data-dir", dir.path];
  const v = await runCliCaptured([...d, "cold", "verify"]);
  assert.equal(v.code, 0, v.stderr);
  assert.match(
    v.stdout,
    /pending move [a-z0-9-]+: ohlcv → quarantine\/ohlcv \(1 key\(s\), since .*\), in flight or interrupted/,
  );
  const both = await runCliCaptured([
    ...d,
    "cold",
    "dump",
    "--table",
    "quarantine/ohlcv",
    "--from",
    "2025-09-01",
    "--to",
    "2025-09-02",
    "--columns",
    "ts,check,score",
  ]);
  assert.equal(both.stdout, "ts,check,score\n1756688400000,mad_z,12", "already in the quarantine…");
  const done = await runCliCaptured([...d, "cold", "verify", "--complete-moves", "--json"]);
  assert.equal(done.code, 0, done.stderr);
  const j = JSON.parse(done.stdout);
  assert.equal(j.completed_moves.length, 1);
  assert.deepEqual(j.pending_moves, []);
  const left = await runCliCaptured([
    ...d,
    "cold",
    "dump",
    "--from",
    "2025-09-01T01:00:00Z",
    "--to",
    "2025-09-01T01:00:00Z",
  ]);
  assert.equal(left.stdout, "ts,symbol,open,high,low,close,volume", "…and gone from the table");
});
