// `derivs show --replay FILE --symbols X` (and `ingest --replay … --symbols X`) keep only X's rows of EVERY
// kind in the file — funding prints, ticker snapshots, candles, dated futures — not only the funding-history
// bodies that need a symbol to parse; X matching nothing is exit 1 naming it; X that is no instrument or pair
// is exit 2.
import assert from "node:assert/strict";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const FIX = new URL("../../fixtures/derivs/", import.meta.url).pathname;
const T = Date.UTC(2026, 5, 1, 12);
const iso = (ms: number) => new Date(ms).toISOString();

/** A Kraken Futures recording: BTC funding history, tickers of BTC, ETH and a BTC September future, ETH candles. */
function recording(): string {
  const tick = (symbol: string, mark: number, extra: Record<string, unknown> = {}) => ({
    symbol,
    markPrice: mark,
    indexPrice: mark * 0.999,
    openInterest: 10,
    ...extra,
  });
  return JSON.stringify({
    samples: [
      {
        endpoint: "GET /derivatives/api/v4/historicalfundingrates?symbol=PF_XBTUSD",
        response: {
          result: "success",
          rates: [{ timestamp: iso(T - 3_600_000), relativeFundingRate: 1e-6, fundingRate: 0.1 }],
        },
      },
      {
        endpoint: "GET /derivatives/api/v3/tickers",
        response: {
          result: "success",
          serverTime: iso(T),
          tickers: [
            tick("PF_XBTUSD", 100_000, { tag: "perpetual", fundingRate: 0.5 }),
            tick("PF_ETHUSD", 3_000, { tag: "perpetual", fundingRate: 0.01 }),
            tick("FF_XBTUSD_260925", 101_000, { tag: "quarter" }),
          ],
        },
      },
      {
        endpoint: "GET /api/charts/v1/mark/PF_ETHUSD/1h",
        response: { candles: [{ time: T - 3_600_000, close: "3001" }] },
      },
      {
        endpoint: "GET /api/charts/v1/spot/PF_ETHUSD/1h",
        response: { candles: [{ time: T - 3_600_000, close: "3000" }] },
      },
    ],
  });
}

Deno.test("derivs show --replay --symbols filters every row kind; unknown → exit 1; not a name → exit 2", async () => {
  await using dir = await tempDir();
  const f = `${dir.path}/kf.json`;
  await Deno.writeTextFile(f, recording());
  const show = (symbols?: string) =>
    runCliCaptured([
      "--json",
      "derivs",
      "show",
      "--venue",
      "krakenfutures",
      "--replay",
      f,
      ...(symbols === undefined ? [] : ["--symbols", symbols]),
    ]);
  const kinds = (stdout: string) =>
    (JSON.parse(stdout).rows as { symbol: string; record: string; contract: string }[])
      .map((r) => `${r.symbol} ${r.record} ${r.contract}`).sort();
  const everything = await show();
  assert.equal(everything.code, 0, everything.stderr);
  assert.equal(JSON.parse(everything.stdout).rows.length, 5);
  // The perpetual's name: its funding print and its snapshot — not ETH's rows, not the September future.
  const perp = await show("PF_XBTUSD");
  assert.equal(perp.code, 0, perp.stderr);
  assert.deepEqual(kinds(perp.stdout), ["BTC/USD funding perpetual", "BTC/USD snapshot perpetual"]);
  // A pair (any spelling): every contract of it.
  const pair = await show("xbt-usd");
  assert.equal(pair.code, 0, pair.stderr);
  assert.deepEqual(kinds(pair.stdout), [
    "BTC/USD funding perpetual",
    "BTC/USD snapshot FF_XBTUSD_260925",
    "BTC/USD snapshot perpetual",
  ]);
  const dated = await show("FF_XBTUSD_260925");
  assert.equal(dated.code, 0, dated.stderr);
  assert.deepEqual(kinds(dated.stdout), ["BTC/USD snapshot FF_XBTUSD_260925"]);
  const eth = await show("PF_ETHUSD");
  assert.equal(eth.code, 0, eth.stderr);
  assert.deepEqual(kinds(eth.stdout), ["ETH/USD candle perpetual", "ETH/USD snapshot perpetual"]);

  // A recording whose bodies all name their instruments: --symbols as a pair keeps every contract of it.
  const t = `${FIX}krakenfutures_tickers_recorded.json`;
  const run = (symbols: string, json = true) =>
    runCliCaptured([
      ...(json ? ["--json"] : []),
      "derivs",
      "show",
      "--venue",
      "krakenfutures",
      "--replay",
      t,
      "--symbols",
      symbols,
    ]);
  const doge = await run("DOGE/USD");
  assert.equal(doge.code, 0, doge.stderr);
  assert.deepEqual(kinds(doge.stdout), ["DOGE/USD snapshot perpetual"]);
  const none = await run("XRP/USD", false);
  assert.equal(none.code, 1);
  assert.match(
    none.stderr,
    /--symbols XRP\/USD: no row of it in .*krakenfutures_tickers_recorded\.json \(it holds BTC\/USD, DOGE\/USD, ETH\/USD\)/,
  );
  const bad = await run("P!", false);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /--symbols: "P!" is neither a krakenfutures instrument nor a USD pair like BTC\/USD/,
  );
  // Other venues: an OKX swap name selects its pair's perpetual rows of every body.
  const okx = await runCliCaptured([
    "--json",
    "derivs",
    "show",
    "--venue",
    "okx",
    "--replay",
    `${FIX}okx_funding_oi_candles_recorded.json`,
    "--symbols",
    "ETH-USDT-SWAP",
  ]);
  assert.equal(okx.code, 1);
  assert.match(okx.stderr, /no row of it .*\(it holds BTC\/USD\)/);
});

Deno.test("ingest --replay --symbols stores only that instrument's rows", async () => {
  await using dir = await tempDir();
  const f = `${dir.path}/kf.json`;
  await Deno.writeTextFile(f, recording());
  const r = await runCliCaptured([
    "--data-dir",
    dir.path,
    "ingest",
    "--venue",
    "krakenfutures",
    "--replay",
    f,
    "--symbols",
    "PF_XBTUSD",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.deepEqual([o.rows, o.symbols, o.written.rows], [2, ["BTC/USD"], 2]);
  const x = await runCliCaptured([
    "--data-dir",
    dir.path,
    "ingest",
    "--venue",
    "krakenfutures",
    "--replay",
    f,
    "--symbols",
    "PF_XRPUSD",
  ]);
  assert.equal(x.code, 1);
  assert.match(x.stderr, /--symbols PF_XRPUSD: no row of it in/);
});
