// Each venue's recorded responses (fixtures/derivs, see its README for which are live captures and which docs
// examples) parse into the same normalised row shape (src/market/derivs.ts); per-venue conventions pinned:
// Binance interval per symbol and relative rates as given, OKX strings and newest-first lists, Coinbase's
// hourly interval in seconds and its observation time from the body.
import assert from "node:assert/strict";
import { DERIVS_COLUMNS, type DerivsRow } from "../../src/market/derivs.ts";
import { DEFAULT_LIMITS } from "../../src/market/derivs_math.ts";
import { parseReplayFile, replayResponses } from "../../src/providers/derivs_replay.ts";
import { parseBinance } from "../../src/providers/binance_usdm/parse.ts";
import { parseOkx } from "../../src/providers/okx/parse.ts";
import { parseCoinbase } from "../../src/providers/coinbase/parse.ts";
import { InputError } from "../../src/util/errors.ts";

const FIX = new URL("../../fixtures/derivs/", import.meta.url).pathname;
const FILES = {
  krakenfutures: "krakenfutures_tickers_recorded.json",
  binance: "binance_usdm_recorded.json",
  okx: "okx_funding_oi_candles_recorded.json",
  coinbase: "coinbase_derivatives_recorded.json",
} as const;

Deno.test("every venue's recording → rows with exactly the normalised columns, USD pairs, finite numbers", async () => {
  for (const [venue, f] of Object.entries(FILES)) {
    const p = await parseReplayFile(venue as keyof typeof FILES, FIX + f, DEFAULT_LIMITS);
    assert.ok(p.rows.length > 0, venue);
    for (const r of p.rows) {
      assert.deepEqual(Object.keys(r).sort(), [...DERIVS_COLUMNS].sort(), venue);
      assert.equal(r.venue, venue);
      assert.match(r.symbol, /^[A-Z0-9]+\/USD$/);
      for (const c of DERIVS_COLUMNS) {
        const v = r[c];
        assert.ok(v === null || typeof v !== "number" || Number.isFinite(v), `${venue} ${c} ${v}`);
      }
      if (r.funding_rate_relative !== null && r.funding_interval_h !== null) {
        const annual = r.funding_rate_relative * (8760 / r.funding_interval_h);
        assert.ok(Math.abs(r.funding_rate_annualized! - annual) < 1e-12, `${venue} annualised`);
      }
    }
    const keys = p.rows.map((r) => `${r.ts}|${r.symbol}|${r.record}|${r.contract}`);
    assert.equal(new Set(keys).size, keys.length, `${venue}: one row per (ts, symbol, record, contract)`);
    for (const r of p.rows) {
      assert.equal(r.expiry === null, r.contract === "perpetual", `${venue}: only dated contracts expire`);
      if (r.expiry === null) assert.equal(r.basis_annualized, null, `${venue}: a perpetual has no tenor`);
    }
  }
});

const load = (f: string) => replayResponses(Deno.readTextFileSync(FIX + f), f);
const bySym = (rows: DerivsRow[], ts: number) => rows.find((r) => r.ts === ts)!;

Deno.test("binance: funding relative per interval, interval read per symbol (spacing, fundingInfo), premiumIndex", () => {
  const p = parseBinance(load(FILES.binance), DEFAULT_LIMITS);
  const f = bySym(p.rows, 1570636800000);
  assert.deepEqual([f.record, f.funding_rate_relative, f.funding_interval_h], ["funding", 0.0001, 8]);
  const pi = bySym(p.rows, 1597370495002);
  assert.deepEqual([pi.mark_price, pi.index_price, pi.funding_rate_relative], [
    11793.63104562,
    11781.8049597,
    0.00038246,
  ]);
  assert.ok(Math.abs(pi.basis! - (11793.63104562 - 11781.8049597) / 11781.8049597) < 1e-15);
  assert.equal(bySym(p.rows, 1589437530011).open_interest_unit, "base");
  // A symbol on a 4h interval (fundingInfo): the same rate annualises 2× an 8h one.
  const four = parseBinance([
    {
      body: [{ symbol: "ETHUSDT", fundingRate: "0.0001", fundingTime: 1700000000000 }],
      ctx: { endpoint: "/fapi/v1/fundingRate", source: "t" },
    },
    {
      body: [{ symbol: "ETHUSDT", fundingIntervalHours: 4, adjustedFundingRateCap: "0.02" }],
      ctx: { endpoint: "/fapi/v1/fundingInfo", source: "t" },
    },
  ], DEFAULT_LIMITS);
  assert.equal(four.rows[0].funding_interval_h, 4);
  assert.ok(Math.abs(four.rows[0].funding_rate_annualized! - 0.0001 * 2190) < 1e-12);
  // Mark/index klines of a named symbol join into a basis row stamped at the close.
  const k = (t: number, c: string) => [t, c, c, c, c, "0", t + 59_999, "0", 60, "0", "0", "0"];
  const b = parseBinance([
    {
      body: [k(1591256460000, "101")],
      ctx: { endpoint: "/fapi/v1/markPriceKlines?symbol=BTCUSDT&interval=1m", source: "t" },
    },
    {
      body: [k(1591256460000, "100")],
      ctx: { endpoint: "/fapi/v1/indexPriceKlines?pair=BTCUSDT&interval=1m", source: "t" },
    },
  ], DEFAULT_LIMITS);
  assert.deepEqual([b.rows[0].ts, b.rows[0].basis], [1591256520000, 0.01]);
  assert.throws(
    () =>
      parseBinance([{
        body: [{ symbol: "BTCUSDT", fundingRate: "abc", fundingTime: 1 }],
        ctx: { endpoint: "/fapi/v1/fundingRate", source: "t" },
      }], DEFAULT_LIMITS),
    (e: Error) => e instanceof InputError && /fundingRate/.test(e.message) && /abc/.test(e.message),
  );
});

Deno.test("okx: strings parsed, newest-first history sorted, interval from the funding times, oiCcy in base", () => {
  const p = parseOkx(load(FILES.okx), DEFAULT_LIMITS);
  const funding = p.rows.filter((r) => r.record === "funding");
  assert.deepEqual(funding.map((r) => r.ts), [1704038400000, 1704067200000]);
  assert.deepEqual(funding.map((r) => r.funding_rate_relative), [-0.0000236017, 0.0001515032]);
  assert.ok(funding.every((r) => r.funding_interval_h === 8));
  const oi = p.rows.find((r) => r.open_interest !== null)!;
  assert.deepEqual([oi.open_interest, oi.open_interest_unit], [555.55, "base"]);
  assert.throws(
    () =>
      parseOkx(
        [{ body: { code: "50011", msg: "Too Many Requests", data: [] }, ctx: { source: "t" } }],
        DEFAULT_LIMITS,
      ),
    /code "50011": "Too Many Requests"/,
  );
});

Deno.test("coinbase: hourly funding from '3600s', OI in contracts, observation time = expiry − time_to_expiry", () => {
  const p = parseCoinbase(load(FILES.coinbase), DEFAULT_LIMITS);
  assert.equal(p.rows.length, 2);
  const r = p.rows.find((x) => x.contract === "perpetual")!;
  assert.equal(r.symbol, "BTC/USD");
  assert.equal(r.ts, Date.parse("2030-12-20T16:00:00Z") - 148491060811);
  assert.deepEqual([r.funding_rate_relative, r.funding_interval_h], [0.000013, 1]);
  assert.deepEqual([r.open_interest, r.open_interest_unit], [183283, "contracts"]);
  assert.ok(Math.abs(r.basis! - (68930 - 68899.882564) / 68899.882564) < 1e-15);
  assert.deepEqual([r.expiry, r.basis_annualized], [null, null]);
});

Deno.test("coinbase dated future (recorded BIT-24APR26-CDE): own row, expiry, basis annualised over time_to_expiry_ms", () => {
  const p = parseCoinbase(load(FILES.coinbase), DEFAULT_LIMITS);
  const perp = p.rows.find((x) => x.contract === "perpetual")!;
  const d = p.rows.find((x) => x.contract === "BIT-24APR26-CDE")!;
  // Same body, same observation time: the perpetual and the April future are two rows of one key but contract.
  assert.equal(d.ts, perp.ts);
  assert.equal(d.ts, Date.parse("2026-04-24T15:00:00Z") - 1521060811);
  assert.deepEqual([d.symbol, d.record, d.expiry], [
    "BTC/USD",
    "snapshot",
    Date.parse("2026-04-24T15:00:00Z"),
  ]);
  assert.deepEqual([d.funding_rate_relative, d.funding_interval_h, d.funding_rate_annualized], [
    null,
    null,
    null,
  ]);
  assert.deepEqual([d.open_interest, d.open_interest_unit, d.mark_price], [35445, "contracts", 69165]);
  // Its own index_price is "": the BTC index of the perpetual in the same body (68899.882564).
  assert.equal(d.index_price, 68899.882564);
  const basis = (69165 - 68899.882564) / 68899.882564;
  assert.ok(Math.abs(d.basis! - basis) < 1e-15);
  // Tenor at ts = expiry − ts = time_to_expiry_ms = 17.6 days; ≈ 7.98 % a year.
  const days = 1521060811 / 86_400_000;
  assert.ok(Math.abs(d.basis_annualized! - basis * 365 / days) < 1e-12);
  assert.ok(Math.abs(d.basis_annualized! - 0.0798) < 5e-4, String(d.basis_annualized));
});

Deno.test("okx and binance dated futures: their own contract and expiry (08:00 UTC delivery), basis over the tenor at ts", () => {
  // No recording of an OKX or Binance quarterly exists in ../shared/data/derivs: bodies in the documented
  // shapes of the recorded ones, numbers chosen to check the arithmetic.
  const ts = Date.UTC(2025, 5, 1, 8);
  const okx = parseOkx([
    {
      body: {
        code: "0",
        data: [{ instType: "FUTURES", instId: "BTC-USD-250627", markPx: "101000", ts: String(ts) }],
      },
      ctx: { source: "m", endpoint: "/api/v5/public/mark-price" },
    },
    {
      body: {
        code: "0",
        data: [{ instType: "SWAP", instId: "BTC-USDT-SWAP", markPx: "100100", ts: String(ts) }],
      },
      ctx: { source: "m2", endpoint: "/api/v5/public/mark-price" },
    },
    {
      body: { code: "0", data: [{ instId: "BTC-USD-250627", oiCcy: "12.5", ts: String(ts) }] },
      ctx: { source: "oi", endpoint: "/api/v5/public/open-interest" },
    },
  ], DEFAULT_LIMITS);
  const q = okx.rows.find((r) => r.contract === "BTC-USD-250627")!;
  assert.deepEqual([q.symbol, q.expiry, q.mark_price, q.open_interest], [
    "BTC/USD",
    Date.UTC(2025, 5, 27, 8),
    101000,
    12.5,
  ]);
  const perp = okx.rows.find((r) => r.contract === "perpetual")!;
  assert.deepEqual([perp.mark_price, perp.expiry, perp.open_interest], [100100, null, null]);

  const bin = parseBinance([{
    body: {
      symbol: "BTCUSDT_250627",
      markPrice: "101000",
      indexPrice: "100000",
      lastFundingRate: "",
      nextFundingTime: 0,
      time: ts,
    },
    ctx: { source: "p", endpoint: "/fapi/v1/premiumIndex?symbol=BTCUSDT_250627" },
  }], DEFAULT_LIMITS);
  const b = bin.rows[0];
  assert.deepEqual([b.symbol, b.contract, b.expiry], ["BTC/USD", "BTCUSDT_250627", Date.UTC(2025, 5, 27, 8)]);
  assert.deepEqual([b.funding_rate_relative, b.funding_interval_h], [null, null]);
  assert.ok(Math.abs(b.basis! - 0.01) < 1e-15);
  assert.ok(Math.abs(b.basis_annualized! - 0.01 * 365 / 26) < 1e-12, String(b.basis_annualized));
});
