import assert from "node:assert/strict";
import { parseBarsCsv, readBarsCsv } from "../../src/scan/fixtures.ts";
import { InputError } from "../../src/util/errors.ts";
import { runCliCaptured, spawnCli } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const root = new URL("../../", import.meta.url).pathname;
const cfg = ["--config", `${root}config/cryptorun.yaml`];

Deno.test("scan --help: usage, flags, pitfalls, examples", async () => {
  const r = await runCliCaptured(["scan", "--help"]);
  assert.equal(r.code, 0);
  for (
    const s of [
      "Usage: cryptorun scan",
      "--as-of",
      "--universe",
      "--top",
      "--quote",
      "--explain",
      "Pitfalls:",
      "Examples:",
    ]
  ) {
    assert.ok(r.stdout.includes(s), s);
  }
  // --universe and --top combine (the best N of those symbols); the usage line must not say "one or the other".
  assert.doesNotMatch(r.stdout, /--universe [^\]]*\| --top/);
  assert.match(r.stdout, /\[--universe BTC\/USD,…\] \[--top N\]/);
});

Deno.test("--universe and --top together: the best N of those symbols", async () => {
  await using dir = await tempDir();
  const r = await runCliCaptured([
    ...cfg,
    "--data-dir",
    dir.path,
    "--json",
    "scan",
    "--dry-run",
    "--as-of",
    "2022-06-20T08:00:00Z",
    "--universe",
    "BTC/USD,ETH/USD,XRP/USD",
    "--top",
    "2",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.ranked, 3);
  assert.deepEqual(out.results.map((x: { rank: number }) => x.rank), [1, 2]);
  for (const x of out.results) assert.ok(["BTC/USD", "ETH/USD", "XRP/USD"].includes(x.symbol), x.symbol);
});

Deno.test("bad flags exit 2 naming the flag and the value", async () => {
  await using dir = await tempDir();
  const run = (...a: string[]) => runCliCaptured([...cfg, "--data-dir", dir.path, "scan", "--dry-run", ...a]);
  const cases: [string[], RegExp][] = [
    [["--top", "0"], /--top: expected a positive integer, found "0"/],
    [["--top", "ten"], /--top: expected a positive integer, found "ten"/],
    [["--top", "1e3"], /--top: expected a positive integer, found "1e3"/],
    [["--top", "99999999999999999999"], /--top: expected a positive integer at most 100000, found "9+"/],
    [["--as-of", "yesterday"], /--as-of: expected ISO-8601 time or epoch ms, found "yesterday"/],
    [["--universe", "btcusd"], /--universe: expected symbols like BTC\/USD,ETH\/USD, found "btcusd"/],
    [["--quote", "usdt"], /--quote: expected quote currencies like USD or USDT, found "usdt"/],
    [["--explain", "BTC"], /--explain: expected a symbol like BTC\/USD, found "BTC"/],
    [["--frobnicate"], /unknown flag --frobnicate/],
  ];
  for (const [a, re] of cases) {
    const r = await run(...a);
    assert.equal(r.code, 2, `${a.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  // Semantics checked after loading the store (the first of these bootstraps the fixtures).
  const unknown = await run("--universe", "DOGE/USD");
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /DOGE\/USD has no bars in any scanned source \(cold tier: BCH\/USD,BTC\/USD,ETH\/USD,LTC\/USD,XRP\/USD\)/,
  );
  const notAdmitted = await runCliCaptured([
    "--config",
    `${root}config/demo.yaml`,
    "--data-dir",
    dir.path,
    "scan",
    "--dry-run",
    "--quote",
    "USD",
    "--universe",
    "SOL/USDT",
  ]);
  assert.equal(notAdmitted.code, 2);
  assert.match(
    notAdmitted.stderr,
    /SOL\/USDT is quoted in USDT, which is not admitted \(quotes: USD\); add --quote USDT/,
  );
  const notScanned = await run("--explain", "SOL/USD");
  assert.equal(notScanned.code, 2);
  assert.match(notScanned.stderr, /--explain: SOL\/USD is not in this scan/);
});

Deno.test("USD is the default quote; USDT pairs only when admitted, shown with venue and quote", async () => {
  await using dir = await tempDir();
  const usd = await runCliCaptured([...cfg, "--data-dir", dir.path, "--json", "scan", "--dry-run"]);
  assert.equal(usd.code, 0, usd.stderr);
  const a = JSON.parse(usd.stdout);
  assert.ok(
    a.results.every((x: { quote: string; venue: string }) => x.quote === "USD" && x.venue === "kraken"),
  );
  // The demo profile admits USDT: they appear with venue binance and quote USDT, and the output says so.
  const demo = await runCliCaptured([
    "--config",
    `${root}config/demo.yaml`,
    "--data-dir",
    dir.path,
    "--json",
    "scan",
    "--dry-run",
    "--top",
    "100",
  ]);
  assert.equal(demo.code, 0, demo.stderr);
  const b = JSON.parse(demo.stdout);
  const usdt = b.results.filter((x: { quote: string }) => x.quote === "USDT");
  assert.equal(usdt.length, 25);
  assert.ok(
    usdt.every((x: { venue: string; symbol: string }) => x.venue === "binance" && x.symbol.endsWith("/USDT")),
  );
  assert.ok(
    b.notes.some((n: string) => /binance: 25 USDT pairs admitted .* never treated as USD/.test(n)),
    b.notes,
  );
  // Same profile, --quote USD: the USDT pairs are gone again.
  const only = await runCliCaptured([
    "--config",
    `${root}config/demo.yaml`,
    "--data-dir",
    dir.path,
    "--json",
    "scan",
    "--dry-run",
    "--quote",
    "USD",
  ]);
  assert.equal(JSON.parse(only.stdout).results.length, 5);
});

Deno.test("--explain prints every factor step and gate with numbers", async () => {
  await using dir = await tempDir();
  const r = await runCliCaptured([
    ...cfg,
    "--data-dir",
    dir.path,
    "scan",
    "--dry-run",
    "--as-of",
    "2022-06-15T12:00:00Z",
    "--explain",
    "ETH/USD",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ETH\/USD \(kraken, quote USD\) as of 2022-06-15T12:00:00\.000Z — rank \d, score/);
  assert.match(
    r.stdout,
    /score steps: momentum [\d.]+ → technical [\d.]+ → volume [\d.]+ → quality [\d.]+ → clamp [\d.]+ → social/,
  );
  assert.match(r.stdout, /UNKNOWN spread +no verified kraken book for ETH\/USD/);
  assert.match(r.stdout, /(PASS|FAIL) +volume +24h volume [\d.]+[kMB]? USD (≥|<)/);
  const j = await runCliCaptured([
    ...cfg,
    "--data-dir",
    dir.path,
    "--json",
    "scan",
    "--dry-run",
    "--explain",
    "BTC/USD",
  ]);
  const e = JSON.parse(j.stdout);
  assert.deepEqual(e.factors.map((f: { factor: string }) => f.factor), [
    "momentum",
    "technical",
    "volume",
    "quality",
    "social",
  ]);
  assert.equal(e.factors[0].raw, e.factors[0].orthogonalized);
});

Deno.test("fixture CSV errors name the file, line, field and value", async () => {
  assert.throws(
    () =>
      parseBarsCsv(
        "ts_ms,symbol,open,high,low,close,volume\n1640995200000,BTC/USD,1,2,0.5,1,3\n1640998800000,BTC/USD,1,2,0.5,abc,3\n",
        "x.csv",
      ),
    (e: Error) => e instanceof InputError && /x\.csv:3: close: .*found "abc"/.test(e.message),
  );
  assert.throws(
    () =>
      parseBarsCsv("ts_ms,symbol,open,high,low,close,volume\n1640995200000,btc-usd,1,2,0.5,1,3\n", "y.csv"),
    (e: Error) => e instanceof InputError && /y\.csv:2: symbol: .*found "btc-usd"/.test(e.message),
  );
  assert.throws(
    () =>
      parseBarsCsv("ts_ms,symbol,open,high,low,close,volume\n1640995200000,BTC/USD,1,0.9,0.5,1,3\n", "z.csv"),
    /z\.csv:2: high\/low: bar range does not contain open\/close/,
  );
  assert.throws(() => parseBarsCsv("a,b\n", "h.csv"), /h\.csv:1: header: expected ts_ms,symbol/);
  // An empty cell is an error, never a silent 0 (Number("") === 0 would load ts 1970 / volume 0).
  const head = "ts_ms,symbol,open,high,low,close,volume\n";
  assert.throws(
    () => parseBarsCsv(`${head},BTC/USD,1,2,0.5,1,3\n`, "e.csv"),
    (e: Error) => e instanceof InputError && /e\.csv:2: ts: .*found ""/.test(e.message),
  );
  assert.throws(
    () => parseBarsCsv(`${head}1640995200000,BTC/USD,1,2,0.5,1,\n`, "v.csv"),
    (e: Error) => e instanceof InputError && /v\.csv:2: volume: .*found ""/.test(e.message),
  );
  // A ts that is not 13-digit epoch ms or ISO-8601 is refused by the one time parser, naming the value.
  assert.throws(
    () => parseBarsCsv(`${head}1640995200,BTC/USD,1,2,0.5,1,3\n`, "s.csv"),
    (e: Error) =>
      e instanceof InputError && /s\.csv:2: ts: looks like epoch SECONDS.*found "1640995200"/.test(e.message),
  );
  await assert.rejects(
    readBarsCsv("/nonexistent/x.csv.gz"),
    /\/nonexistent\/x\.csv\.gz: cannot read fixture/,
  );
});

Deno.test("the demo (real process, demo profile): fixtures → cold tier → scan → table, says it admits USDT", async () => {
  await using dir = await tempDir();
  const r = await spawnCli(["--config", "config/demo.yaml", "--data-dir", dir.path, "scan"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /note: first run: loaded 21612 real Kraken hourly bars from fixtures\/ohlcv into the cold tier/,
  );
  assert.match(r.stdout, /note: binance: 25 USDT pairs admitted/);
  assert.match(r.stdout, /rank +symbol +venue +data +score +mom +tech +vol +qual +soc +gates +entry/);
  // Recorded data, no live books: bars from the cold tier (Kraken) and the shipped fixtures (Binance), no book.
  assert.match(r.stdout, /BTC\/USD +kraken +● cold\/– /);
  assert.match(r.stdout, /USDT +binance +● cold\/– /);
  assert.match(r.stdout, /30 ranked, \d+ passed every required gate; showing top 15/);
  assert.match(r.stdout, /stored 30 premove artifacts/);
});
