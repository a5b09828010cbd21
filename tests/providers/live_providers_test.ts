// Live derivatives providers against a loopback venue serving the recorded bodies (fixtures/derivs) by path:
// each provider's latest() calls the endpoints it documents and answers one normalised row; `ingest --venue
// binance --symbols BTC/USD` (live) stores it through the same write path as a replay.
import assert from "node:assert/strict";
import { DEFAULT_LIMITS } from "../../src/market/derivs_math.ts";
import { fetchJson } from "../../src/providers/derivs_http.ts";
import { binanceRest } from "../../src/providers/binance_usdm/rest.ts";
import { okxRest } from "../../src/providers/okx/rest.ts";
import { coinbaseRest } from "../../src/providers/coinbase/rest.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const FIX = new URL("../../fixtures/derivs/", import.meta.url).pathname;
const samples = (f: string) =>
  JSON.parse(Deno.readTextFileSync(FIX + f)).samples as { endpoint: string; response: unknown }[];

/** A loopback venue: path prefix → body; every request is logged. */
function venue(routes: Record<string, unknown>) {
  const seen: string[] = [];
  const s = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const u = new URL(req.url);
    seen.push(u.pathname + u.search);
    const hit = Object.entries(routes).find(([p]) => u.pathname === p);
    return hit ? Response.json(hit[1]) : new Response("not found", { status: 404 });
  });
  return { s, base: `http://127.0.0.1:${s.addr.port}`, seen };
}

const get = fetchJson({ timeoutMs: 2000 });

Deno.test("binance latest(): premiumIndex + openInterest merged; interval from fundingInfo", async () => {
  const b = samples("binance_usdm_recorded.json");
  const v = venue({
    "/fapi/v1/premiumIndex": b[1].response,
    "/fapi/v1/openInterest": b[2].response,
    "/fapi/v1/fundingInfo": [{ symbol: "BTCUSDT", fundingIntervalHours: 4 }],
  });
  try {
    const r = (await binanceRest({ baseUrl: v.base, get, limits: DEFAULT_LIMITS }).latest("BTC/USD"))!;
    assert.deepEqual([r.symbol, r.funding_rate_relative, r.funding_interval_h], ["BTC/USD", 0.00038246, 4]);
    assert.deepEqual([r.open_interest, r.open_interest_unit, r.mark_price], [
      10659.509,
      "base",
      11793.63104562,
    ]);
    assert.ok(v.seen.includes("/fapi/v1/premiumIndex?symbol=BTCUSDT"));
  } finally {
    await v.s.shutdown();
  }
});

Deno.test("okx latest(): funding-rate, open-interest, mark-price and index-tickers in one row", async () => {
  const o = samples("okx_funding_oi_candles_recorded.json");
  const current = { code: "0", msg: "", data: (o[1].response as { data: unknown[] }).data };
  const v = venue({
    "/api/v5/public/funding-rate": current,
    "/api/v5/public/open-interest": o[6].response,
    "/api/v5/public/mark-price": o[4].response,
    "/api/v5/market/index-tickers": o[5].response,
  });
  try {
    const r = (await okxRest({ baseUrl: v.base, get, limits: DEFAULT_LIMITS }).latest("BTC/USD"))!;
    assert.deepEqual([r.funding_rate_relative, r.funding_interval_h, r.open_interest], [0.0001, 8, 555.55]);
    assert.deepEqual([r.mark_price, r.index_price], [84660.1, 103895]);
    assert.ok(v.seen.includes("/api/v5/public/funding-rate?instId=BTC-USDT-SWAP"));
  } finally {
    await v.s.shutdown();
  }
});

Deno.test("coinbase latest(): the perpetual's row; no funding history (said, not faked)", async () => {
  const c = samples("coinbase_derivatives_recorded.json");
  const v = venue({ "/api/v3/brokerage/market/products": c[0].response });
  try {
    const p = coinbaseRest({ baseUrl: v.base, get, limits: DEFAULT_LIMITS });
    const r = (await p.latest("BTC/USD"))!;
    assert.deepEqual([r.funding_rate_relative, r.funding_interval_h], [0.000013, 1]);
    assert.equal(await p.latest("ETH/USD"), null);
    // latestAll: the same call's perpetual and the April future (its own contract, basis over its tenor).
    const all = await p.latestAll!("BTC/USD");
    assert.deepEqual(all.rows.map((x) => x.contract), ["BIT-24APR26-CDE", "perpetual"].sort());
    assert.ok(all.rows.find((x) => x.contract === "BIT-24APR26-CDE")!.basis_annualized! > 0);
    const w = await p.fundingWindow("BTC/USD", { from: 0, to: 1 });
    assert.deepEqual(w.rows, []);
    assert.match(w.skipped[0].reason, /no historical funding/);
  } finally {
    await v.s.shutdown();
  }
});

Deno.test("ingest --venue binance --symbols BTC/USD (live, loopback) stores the row", async () => {
  await using dir = await tempDir();
  const b = samples("binance_usdm_recorded.json");
  const v = venue({
    "/fapi/v1/premiumIndex": b[1].response,
    "/fapi/v1/openInterest": b[2].response,
    "/fapi/v1/fundingInfo": [],
  });
  try {
    const r = await runCliCaptured(
      ["--data-dir", dir.path, "--json", "ingest", "--venue", "binance", "--symbols", "BTC/USD"],
      { CRYPTORUN_DERIVS_BINANCE_BASE_URL: v.base },
    );
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([out.rows, out.written.rows], [1, 1]);
  } finally {
    await v.s.shutdown();
  }
});

Deno.test("ingest --venue krakenfutures --symbols BTC/USD --from … (live, loopback): snapshot + funding history", async () => {
  await using dir = await tempDir();
  const H = 3_600_000, T0 = Date.UTC(2026, 0, 1);
  const rates = Array.from({ length: 5 }, (_, i) => ({
    timestamp: new Date(T0 + i * H).toISOString(),
    relativeFundingRate: 1e-5 * (i + 1),
    fundingRate: 1,
  }));
  const v = venue({
    "/derivatives/api/v3/tickers": {
      result: "success",
      serverTime: new Date(T0 + 5 * H + 60_000).toISOString(),
      tickers: [{
        symbol: "PF_XBTUSD",
        tag: "perpetual",
        markPrice: 90000,
        indexPrice: 89990,
        openInterest: 5,
        fundingRate: 0.9,
      }, { symbol: "FF_XBTUSD_260327", tag: "quarter", markPrice: 91000, openInterest: 2 }],
    },
    "/derivatives/api/v4/historicalfundingrates": { result: "success", rates },
  });
  try {
    const r = await runCliCaptured(
      [
        "--data-dir",
        dir.path,
        "--json",
        "ingest",
        "--venue",
        "krakenfutures",
        "--symbols",
        "BTC/USD",
        "--from",
        new Date(T0 + H).toISOString(),
        "--to",
        new Date(T0 + 3 * H).toISOString(),
      ],
      { CRYPTORUN_DERIVS_KRAKENFUTURES_BASE_URL: v.base },
    );
    assert.equal(r.code, 0, r.stderr);
    // 3 prints in [T0+1h, T0+3h] + the perpetual's snapshot + the March future's (its own contract).
    assert.deepEqual(JSON.parse(r.stdout).written.rows, 5);
    const shown = await runCliCaptured([
      "--data-dir",
      dir.path,
      "--json",
      "derivs",
      "show",
      "--venue",
      "krakenfutures",
      "--symbols",
      "BTC/USD",
      "--from",
      new Date(T0).toISOString(),
      "--to",
      new Date(T0 + 6 * H).toISOString(),
    ]);
    assert.equal(shown.code, 0, shown.stderr);
    const rows = JSON.parse(shown.stdout).symbols["BTC/USD"].rows as Record<string, unknown>[];
    const fut = rows.find((x) => x.contract === "FF_XBTUSD_260327")!;
    const ts = T0 + 5 * H + 60_000, expiry = Date.parse("2026-03-27T16:00:00Z");
    assert.deepEqual([fut.ts, fut.expiry, fut.index_price], [ts, expiry, 89990]);
    const basis = (91000 - 89990) / 89990;
    assert.ok(
      Math.abs((fut.basis_annualized as number) - basis * 365 / ((expiry - ts) / 86_400_000)) < 1e-12,
    );
    assert.ok(v.seen.includes("/derivatives/api/v4/historicalfundingrates?symbol=PF_XBTUSD"));
    const bad = await runCliCaptured([
      "--data-dir",
      dir.path,
      "ingest",
      "--venue",
      "kraken",
      "--replay",
      "x",
      "--from",
      "2026-01-01",
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--from applies to derivatives venues/);
  } finally {
    await v.s.shutdown();
  }
});
