// `cryptorun cold import --kraken-ohlcvt|--kraken-trades` (issue 18): a zip built here holding a few pairs'
// files (REAL recorded Kraken XBTUSDT 1-minute OHLC rows and prints, 2025-11-10, written in Kraken's download
// format) lands in the expected day partitions; a re-run writes nothing; a malformed line is refused naming
// the file, line and field, with nothing written to any table.
import assert from "node:assert/strict";
import { ColdSection } from "../../src/config/sections/cold.ts";
import { openColdTables } from "../../src/data/cold/store.ts";
import { barsOf } from "../../src/backfill/minute_bars.ts";
import { parseFileName, parseOhlcvtLine, parseTradeLine } from "../../src/backfill/kraken_files/rows.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { buildZip } from "../helpers/zip.ts";
import { FIX } from "../providers/kraken/fixtures.ts";
import { hourlyRows } from "../providers/kraken/fake_kraken_rest.ts";
import { recordedBtcTrades } from "./fake_trades_server.ts";

const AP = FIX + "rest/asset_pairs_2021-04-17.json";
type OhlcRaw = [number, string, string, string, string, string, string, number];
const MINUTES: OhlcRaw[] = JSON.parse(
  Deno.readTextFileSync(FIX + "rest/kraken_rest_ohlc_xbtusdt_1m_recorded.json"),
).result.XBTUSDT;
// Kraken's OHLCVT line: timestamp,open,high,low,close,volume,trades (the REST row has vwap before volume).
const ohlcvtLine = (r: OhlcRaw) => [r[0], r[1], r[2], r[3], r[4], r[6], r[7]].join(",");
const minuteCsv = MINUTES.map(ohlcvtLine).join("\n") + "\n";
const hourCsv = hourlyRows().map(ohlcvtLine).join("\n") + "\n";
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function rows(dataDir: string, table: string) {
  const t = openColdTables(ColdSection.parse({}), dataDir, { log: { warn() {} } }).table(table);
  const out: Record<string, unknown>[] = [];
  for await (const r of t.read({ from: 0, to: 8.64e15 })) out.push(r);
  return out;
}

Deno.test("kraken files: names map to pairs and intervals; lines parse strictly", () => {
  assert.deepEqual(parseFileName("XBTUSD_1.csv", "ohlcvt"), { pair: "XBTUSD", minutes: 1 });
  assert.deepEqual(parseFileName("dir/ETHUSD_60.csv", "ohlcvt"), { pair: "ETHUSD", minutes: 60 });
  assert.equal(parseFileName("XBTUSD.csv", "ohlcvt"), null);
  assert.deepEqual(parseFileName("XBTUSD.csv", "trades"), { pair: "XBTUSD", minutes: null });
  assert.deepEqual(parseOhlcvtLine("f", 1, "1762777020,1,2,0.5,1.5,3.25,7", -Infinity), {
    ts: 1762777020000,
    open: 1,
    high: 2,
    low: 0.5,
    close: 1.5,
    volume: 3.25,
    trades: 7,
  });
  assert.throws(
    () => parseOhlcvtLine("f.csv", 9, "1762777020,1,2,x,1.5,3,7", -Infinity),
    /f\.csv:9: low: expected a number, found "x"/,
  );
  assert.throws(
    () => parseOhlcvtLine("f.csv", 3, "1762777020,1,2,1,1.5,3,7", 1762777020000),
    /f\.csv:3: timestamp: not after/,
  );
  assert.throws(
    () => parseOhlcvtLine("f.csv", 2, "1762777020,1,2,1,1.5,3", -Infinity),
    /f\.csv:2: line: expected 7 fields/,
  );
  assert.deepEqual(parseTradeLine("t", 1, "1762795433.9717445,105433.6,0.00027625", -Infinity), {
    ts: 1762795433.9717445 * 1000,
    price: 105433.6,
    qty: 0.00027625,
  });
  assert.throws(
    () => parseTradeLine("t.csv", 4, "1762795433,0,1", -Infinity),
    /t\.csv:4: price: must be > 0/,
  );
});

Deno.test("cold import --kraken-ohlcvt: a zip of a few pairs' files → the expected partitions; a re-run adds nothing", async () => {
  await using tmp = await tempDir();
  const zip = `${tmp.path}/Kraken_OHLCVT.zip`;
  await Deno.writeFile(
    zip,
    buildZip([
      { name: "XBTUSD_1.csv", text: minuteCsv },
      { name: "XBTUSD_60.csv", text: hourCsv },
      // The same prints under ETH's name: another pair, another series.
      { name: "ETHUSD_1.csv", text: minuteCsv },
      { name: "XBTUSD_5.csv", text: minuteCsv }, // an interval without a table: skipped
      { name: "XBTEUR_1.csv", text: minuteCsv }, // not a USD pair: skipped
    ]),
  );
  const dataDir = `${tmp.path}/data`;
  const argv = [
    "--data-dir",
    dataDir,
    "--json",
    "cold",
    "import",
    "--kraken-ohlcvt",
    zip,
    "--asset-pairs",
    AP,
  ];
  const r = await runCliCaptured(argv);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  const skipped = rep.files.filter((f: { skipped?: string }) => f.skipped).map((f: { file: string }) =>
    f.file
  );
  assert.deepEqual(skipped.sort(), ["XBTEUR_1.csv", "XBTUSD_5.csv"]);
  const m = rep.tables.find((t: { table: string }) => t.table === "ohlcv_1m");
  const h = rep.tables.find((t: { table: string }) => t.table === "ohlcv");
  assert.equal(m.rows_written, 2 * MINUTES.length);
  assert.deepEqual(m.partitions, [...new Set(MINUTES.map((x) => day(x[0] * 1000)))].sort());
  assert.equal(h.rows_written, hourlyRows().length);
  const stored = await rows(dataDir, "ohlcv_1m");
  assert.equal(stored.length, 2 * MINUTES.length);
  const btc = stored.filter((x) => x.symbol === "BTC/USD");
  assert.deepEqual(btc[5], {
    ts: MINUTES[5][0] * 1000,
    symbol: "BTC/USD",
    open: Number(MINUTES[5][1]),
    high: Number(MINUTES[5][2]),
    low: Number(MINUTES[5][3]),
    close: Number(MINUTES[5][4]),
    volume: Number(MINUTES[5][6]),
    vwap: NaN, // null in the file's row: a nullable double reads back as NaN
    trades: MINUTES[5][7],
  });
  assert.equal((await rows(dataDir, "ohlcv")).length, hourlyRows().length);

  const again = await runCliCaptured(argv);
  assert.equal(again.code, 0, again.stderr);
  const rep2 = JSON.parse(again.stdout);
  for (const t of rep2.tables) {
    assert.equal(t.rows_written, 0);
    assert.equal(t.snapshot, null);
  }
});

Deno.test("cold import: a malformed line is refused naming file, line and field; nothing is written", async () => {
  await using tmp = await tempDir();
  const lines = hourCsv.split("\n");
  lines[4] = lines[4].replace(/^(\d+),([^,]+),([^,]+),/, "$1,$2,12x,"); // line 5, field high
  const zip = `${tmp.path}/bad.zip`;
  await Deno.writeFile(
    zip,
    buildZip([
      { name: "ETHUSD_1.csv", text: minuteCsv }, // valid, and read first
      { name: "XBTUSD_60.csv", text: lines.join("\n") },
    ]),
  );
  const dataDir = `${tmp.path}/data`;
  const r = await runCliCaptured([
    "--data-dir",
    dataDir,
    "cold",
    "import",
    "--kraken-ohlcvt",
    zip,
    "--asset-pairs",
    AP,
  ]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, /XBTUSD_60\.csv:5: high: expected a number, found "12x"/);
  assert.deepEqual(await rows(dataDir, "ohlcv_1m"), []);
  assert.deepEqual(await rows(dataDir, "ohlcv"), []);

  // The bad line in the largest table's files (written first, without a check pass): its write aborts and
  // the other table is not written either.
  const minuteLines = minuteCsv.split("\n");
  minuteLines[699] = minuteLines[699].split(",").slice(0, 6).join(","); // line 700: a field short
  const zip2 = `${tmp.path}/bad2.zip`;
  await Deno.writeFile(
    zip2,
    buildZip([
      { name: "ETHUSD_1.csv", text: minuteCsv },
      { name: "XBTUSD_1.csv", text: minuteLines.join("\n") },
      { name: "XBTUSD_60.csv", text: hourCsv },
    ]),
  );
  const r2 = await runCliCaptured([
    "--data-dir",
    dataDir,
    "cold",
    "import",
    "--kraken-ohlcvt",
    zip2,
    "--asset-pairs",
    AP,
  ]);
  assert.equal(r2.code, 1, r2.stdout);
  assert.match(r2.stderr, /XBTUSD_1\.csv:700: line: expected 7 fields/);
  assert.deepEqual(await rows(dataDir, "ohlcv_1m"), []);
  assert.deepEqual(await rows(dataDir, "ohlcv"), []);
});

Deno.test("cold import: a missing source path is a usage error naming it, before anything is fetched from Kraken", async () => {
  await using tmp = await tempDir();
  let hits = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    hits++;
    return new Response("{}", { status: 500 });
  });
  try {
    for (const flag of ["--kraken-ohlcvt", "--kraken-trades"]) {
      const missing = `${tmp.path}/no-such.zip`;
      const r = await runCliCaptured(
        ["--data-dir", `${tmp.path}/data`, "cold", "import", flag, missing],
        { CRYPTORUN_KRAKEN_REST_BASE_URL: `http://127.0.0.1:${server.addr.port}` },
      );
      assert.equal(r.code, 2, r.stderr);
      assert.ok(r.stderr.includes(`${flag}: cannot read ${JSON.stringify(missing)}`), r.stderr);
    }
    assert.equal(hits, 0, "Kraken was asked for AssetPairs before the path was checked");
  } finally {
    await server.shutdown();
  }
});

Deno.test("cold import --kraken-trades: time and sales → 1-minute bars, without the file's last minute", async () => {
  await using tmp = await tempDir();
  const trades = recordedBtcTrades();
  const csv = trades.map((t) => `${t[2]},${t[0]},${t[1]}`).join("\n") + "\n";
  // A directory source this time (the zip path is the other test's).
  const dir = `${tmp.path}/trades`;
  await Deno.mkdir(dir);
  await Deno.writeTextFile(`${dir}/XBTUSD.csv`, csv);
  const dataDir = `${tmp.path}/data`;
  const r = await runCliCaptured([
    "--data-dir",
    dataDir,
    "--json",
    "cold",
    "import",
    "--kraken-trades",
    dir,
    "--asset-pairs",
    AP,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const all = barsOf(
    "BTC/USD",
    trades.map((t) => ({ ts: t[2] * 1000, price: Number(t[0]), qty: Number(t[1]) })),
  );
  const want = all.slice(0, -1);
  const got = await rows(dataDir, "ohlcv_1m");
  assert.equal(got.length, want.length);
  // `rows` counts the bars built from the trades, not the trade lines.
  assert.equal(JSON.parse(r.stdout).rows, want.length);
  assert.ok(want.length < trades.length);
  assert.deepEqual(got, want.map((b) => ({ ...b })));
});

Deno.test("cold import: a stored bar with other values is kept, the others are written", async () => {
  await using tmp = await tempDir();
  const dataDir = `${tmp.path}/data`;
  const r0 = MINUTES[10];
  const stored = {
    ts: r0[0] * 1000,
    symbol: "BTC/USD",
    open: 1,
    high: 2,
    low: 1,
    close: 2,
    volume: 5,
    vwap: 1.5,
    trades: 3,
  };
  await openColdTables(ColdSection.parse({}), dataDir, { log: { warn() {} } }).table("ohlcv_1m").write([
    stored,
  ]);
  const zip = `${tmp.path}/k.zip`;
  await Deno.writeFile(zip, buildZip([{ name: "XBTUSD_1.csv", text: minuteCsv }]));
  const r = await runCliCaptured([
    "--data-dir",
    dataDir,
    "--json",
    "cold",
    "import",
    "--kraken-ohlcvt",
    zip,
    "--asset-pairs",
    AP,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const t = JSON.parse(r.stdout).tables[0];
  assert.equal(t.kept, 1);
  assert.equal(t.rows_written, MINUTES.length - 1);
  const got = await rows(dataDir, "ohlcv_1m");
  assert.equal(got.length, MINUTES.length);
  assert.deepEqual(got.find((x) => x.ts === stored.ts), stored);
});

Deno.test("cold import: files that hold no row (empty, or trades of one minute only) exit 1 saying so", async () => {
  await using tmp = await tempDir();
  const dataDir = `${tmp.path}/data`;
  const cases: [string, string, string][] = [
    ["--kraken-ohlcvt", "XBTUSD_1.csv", ""],
    // Two trades inside one minute: that minute is the file's last, left out → no bar.
    ["--kraken-trades", "XBTUSD.csv", "1762795433.97,105433.6,0.0002\n1762795434.1,105433.7,0.0003\n"],
  ];
  for (const [flag, name, text] of cases) {
    const zip = `${tmp.path}/${name}.zip`;
    await Deno.writeFile(zip, buildZip([{ name, text }]));
    const r = await runCliCaptured(["--data-dir", dataDir, "cold", "import", flag, zip, "--asset-pairs", AP]);
    assert.equal(r.code, 1, `${flag}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, new RegExp(`no row to import in ${name.replace(".", "\\.")}`));
  }
  const stored = await Deno.lstat(`${dataDir}/cold/ohlcv_1m/current`).then(() => true, () => false);
  assert.equal(stored, false);
});
