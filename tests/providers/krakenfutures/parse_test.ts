import assert from "node:assert/strict";
import { InputError as IE } from "../../../src/util/errors.ts";

function assertEquals(a: unknown, b: unknown): void {
  assert.deepEqual(a, b);
}
function assertAlmostEquals(a: number, b: number, tol: number): void {
  assert.ok(Math.abs(a - b) <= tol, `${a} ≉ ${b} (tolerance ${tol})`);
}
/** Runs fn, expects an InputError (whose message includes `part`), returns it. */
function assertThrows(fn: () => unknown, _cls: typeof IE, part = ""): Error {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof IE, `expected an InputError, got ${e}`);
    assert.ok(e.message.includes(part), e.message);
    return e;
  }
  throw new Error("expected a throw");
}
import { londonFourPm, parseInstrument, perpetualFor } from "../../../src/providers/krakenfutures/symbols.ts";
import { parseKrakenFutures, parseTickers } from "../../../src/providers/krakenfutures/parse.ts";
import { replayResponses } from "../../../src/providers/derivs_replay.ts";
import { DEFAULT_LIMITS } from "../../../src/market/derivs_math.ts";
import { InputError } from "../../../src/util/errors.ts";

const dir = new URL("../../../fixtures/derivs/", import.meta.url);
const load = (f: string) => replayResponses(Deno.readTextFileSync(new URL(f, dir)), f);
const ctx = { source: "test" };

Deno.test("krakenfutures symbols: PF_/PI_ perpetuals and dated futures map to USD pairs", () => {
  assertEquals(parseInstrument("PF_XBTUSD")?.symbol, "BTC/USD");
  assertEquals(parseInstrument("pi_xbtusd")?.margin, "inverse");
  assertEquals(parseInstrument("PF_DOGEUSD")?.symbol, "DOGE/USD");
  const fi = parseInstrument("FI_XBTUSD_210730")!;
  // 16:00 London: 15:00 UTC in summer (BST), 16:00 UTC in winter.
  assertEquals([fi.kind, fi.expiry], ["dated", Date.parse("2021-07-30T15:00:00Z")]);
  assertEquals(parseInstrument("FF_XBTUSD_211231")!.expiry, Date.parse("2021-12-31T16:00:00Z"));
  assertEquals(parseInstrument("PF_XBTEUR"), null);
  assertEquals(perpetualFor("BTC/USD"), "PF_XBTUSD");
  assertEquals(perpetualFor("ETH/USD"), "PF_ETHUSD");
});

Deno.test("krakenfutures tickers (live ccxt capture): relative funding = fundingRate ÷ markPrice, hourly", () => {
  const [live] = load("krakenfutures_tickers_recorded.json");
  const p = parseTickers(live.body, live.ctx);
  assertEquals(p.rows.length, 1);
  const r = p.rows[0];
  assertEquals(r.symbol, "DOGE/USD");
  assertEquals(r.venue, "krakenfutures");
  assertEquals(r.ts, Date.parse("2026-02-08T17:33:58.322Z"));
  // ccxt's own parsed result for this very response (its static test): -7.716906047878e-06.
  assertAlmostEquals(r.funding_rate_relative!, -7.716906047878e-06, 1e-17);
  assertAlmostEquals(r.funding_rate_relative!, -0.000000742689179664 / 0.09624183255, 1e-20);
  assertEquals(r.funding_interval_h, 1);
  assertAlmostEquals(r.funding_rate_annualized!, -7.716906047878e-06 * 24 * 365, 1e-12);
  assertEquals([r.open_interest, r.open_interest_unit], [23062948, "contracts"]);
  assertEquals([r.mark_price, r.index_price], [0.09624183255, 0.096257]);
  assertAlmostEquals(r.basis!, (0.09624183255 - 0.096257) / 0.096257, 1e-15);
  assertEquals(r.basis_annualized, null);
  assertEquals(r.record, "snapshot");
  assert(r.source.endsWith("#samples.0"));
});

Deno.test("krakenfutures: a whole recording → rows of every shape, candles joined mark vs spot", () => {
  const all = parseKrakenFutures(
    [...load("krakenfutures_tickers_recorded.json"), ...load("krakenfutures_candles_recorded.json")],
    DEFAULT_LIMITS,
  );
  assertEquals(all.quarantined, []);
  const btc = all.rows.filter((r) => r.symbol === "BTC/USD");
  const candles = btc.filter((r) => r.record === "candle");
  assertEquals(candles.length, 3);
  // Stamped at the candle's close (open 2024-11-16T02:00Z + 1h), basis = (mark − spot) ÷ spot.
  const last = candles[2];
  assertEquals(last.ts, 1731722400000 + 3_600_000);
  assertAlmostEquals(last.basis!, (91506.6009839176 - 91468.38) / 91468.38, 1e-15);
  assert(all.skipped.some((s) => s.reason.includes("trade candles")));
  // The ws ticker gives the relative rate itself.
  const ws = btc.find((r) => r.ts === 1676393235406)!;
  assertEquals(ws.funding_rate_relative, -1.380384722222e-06);
});

Deno.test("krakenfutures funding history: the symbol comes from the request; missing → clear error", () => {
  const [h] = load("krakenfutures_funding_history_recorded.json");
  const err = assertThrows(() => parseKrakenFutures([h], DEFAULT_LIMITS), InputError);
  assert(err.message.includes("--symbols"), err.message);
  const p = parseKrakenFutures([{ body: h.body, ctx: { ...h.ctx, symbol: "PF_XBTUSD" } }], DEFAULT_LIMITS);
  assertEquals(p.rows.map((r) => r.ts), [
    Date.parse("2025-07-10T16:00:00Z"),
    Date.parse("2025-07-11T00:00:00Z"),
    Date.parse("2025-07-11T08:00:00Z"),
  ]);
  assertEquals(p.rows[0].record, "funding");
  assertEquals(p.rows[2].funding_rate_relative, 0.0001);
});

Deno.test("krakenfutures bad input: HTML, missing field, non-numeric text, 50%/h funding", () => {
  assertThrows(
    () => replayResponses("<!DOCTYPE html><html>502 Bad Gateway</html>", "x.json"),
    InputError,
    "answered HTML",
  );
  const good = {
    result: "success",
    serverTime: "2026-02-08T17:33:58.322Z",
    tickers: [{
      symbol: "PF_XBTUSD",
      tag: "perpetual",
      markPrice: 100000,
      indexPrice: 99990,
      openInterest: 5,
      fundingRate: 1,
    }],
  };
  const t = good.tickers[0] as Record<string, unknown>;
  const missing = { ...good, tickers: [{ ...t, markPrice: undefined }] };
  assertThrows(() => parseTickers(missing, ctx), InputError, "markPrice");
  const text = { ...good, tickers: [{ ...t, fundingRate: "0.0001abc" }] };
  const e = assertThrows(() => parseTickers(text, ctx), InputError);
  assert(e.message.includes("fundingRate") && e.message.includes("0.0001abc"), e.message);
  // An impossible serverTime is refused (a lenient parser would roll 2026-02-30 over into March).
  const feb30 = assertThrows(
    () => parseTickers({ ...good, serverTime: "2026-02-30T00:00:00Z" }, ctx),
    InputError,
  );
  assert(
    feb30.message.includes("serverTime") && feb30.message.includes("February 2026 has 28 days"),
    feb30.message,
  );
  // 50 %/h: fundingRate = 0.5 × mark.
  const crazy = parseTickers({ ...good, tickers: [{ ...t, fundingRate: 50000 }] }, ctx);
  assertEquals(crazy.rows, []);
  assertEquals(crazy.quarantined[0].check, "funding_out_of_range");
  assert(crazy.quarantined[0].reason.includes("50.0%/h"), crazy.quarantined[0].reason);
  // Zero mark: quarantined, never a NaN row.
  const zero = parseTickers({ ...good, tickers: [{ ...t, markPrice: 0 }] }, ctx);
  assertEquals(zero.rows, []);
  assertEquals(zero.quarantined[0].check, "bad_price");
  for (const r of parseTickers(good, ctx).rows) {
    for (const v of Object.values(r)) assert(typeof v !== "number" || Number.isFinite(v));
  }
});

Deno.test("krakenfutures tickers: PF_ wins over PI_ for the same pair", () => {
  const mk = (symbol: string, mark: number) => ({
    symbol,
    tag: "perpetual",
    markPrice: mark,
    indexPrice: mark,
    openInterest: 1,
    fundingRate: 0,
  });
  const p = parseTickers({
    result: "success",
    serverTime: "2026-01-01T00:00:00Z",
    tickers: [mk("PI_XBTUSD", 1), mk("PF_XBTUSD", 2), mk("FI_XBTUSD_260130", 2.02)],
  }, ctx);
  // One perpetual row (the linear one); the dated future is its own contract, not a competitor.
  assertEquals(p.rows.map((r) => [r.contract, r.mark_price]), [["perpetual", 2], ["FI_XBTUSD_260130", 2.02]]);
  assertEquals(p.skipped.length, 1);
});

Deno.test("krakenfutures inverse PI_: relative = absolute × mark (the ws ticker's own numbers agree)", () => {
  // Kraken's docs ws ticker carries funding_rate (absolute) and relative_funding_rate: −6.2604214e−11 ×
  // 21979.686 = −1.376e−06 ≈ −1.380e−06 (Kraken rounds the absolute rate); ÷ would give −2.8e−15.
  const ws = { abs: -6.2604214e-11, rel: -1.380384722222e-06, mark: 21979.68641534714 };
  const p = parseTickers({
    result: "success",
    serverTime: "2023-02-14T16:47:15Z",
    tickers: [{
      symbol: "PI_XBTUSD",
      tag: "perpetual",
      markPrice: ws.mark,
      indexPrice: 21984.54,
      openInterest: 30072580,
      fundingRate: ws.abs,
    }],
  }, ctx);
  const rel = p.rows[0].funding_rate_relative!;
  assert.ok(Math.abs(rel - ws.rel) / Math.abs(ws.rel) < 0.005, `${rel} vs ${ws.rel}`);
});

Deno.test("krakenfutures dated futures: the expiry rule matches every fi_ lastTradingTime of the live 2021 instruments recording", () => {
  const [live] = load("krakenfutures_instruments_recorded.json");
  const insts = (live.body as { instruments: { symbol: string; lastTradingTime?: string }[] }).instruments
    .filter((i) => /^f[if]_/i.test(i.symbol));
  assert(insts.length >= 10, "the recording lists the 2021 fi_ contracts");
  for (const i of insts) {
    assertEquals(
      [i.symbol, new Date(parseInstrument(i.symbol)!.expiry!).toISOString()],
      [i.symbol, new Date(Date.parse(i.lastTradingTime!)).toISOString()],
    );
  }
});

Deno.test("krakenfutures dated futures: own row per contract, basis annualised over expiry − serverTime; an instruments body's lastTradingTime wins", () => {
  // A tickers body in the v3 shape with a dated future next to its perpetual (no recording of an FI_ ticker
  // with prices exists in ../shared/data/derivs: constructed, numbers chosen to check the arithmetic).
  const serverTime = "2021-07-22T22:00:00Z";
  const tickers = {
    result: "success",
    serverTime,
    tickers: [
      {
        symbol: "PI_XBTUSD",
        tag: "perpetual",
        markPrice: 32000,
        indexPrice: 31990,
        openInterest: 5,
        fundingRate: 0,
      },
      { symbol: "FI_XBTUSD_210924", tag: "quarter", markPrice: 32400, openInterest: 7e6 },
      { symbol: "FI_XBTUSD_210730", tag: "month", markPrice: 32050, indexPrice: 32000, openInterest: 1e6 },
      { symbol: "FI_XBTUSD_210716", tag: "month", markPrice: 1, openInterest: 1 },
    ],
  };
  const p = parseKrakenFutures([{ body: tickers, ctx: { source: "t" } }]);
  const ts = Date.parse(serverTime);
  const q = p.rows.find((r) => r.contract === "FI_XBTUSD_210924")!;
  assertEquals([q.symbol, q.record, q.ts, q.expiry], [
    "BTC/USD",
    "snapshot",
    ts,
    Date.parse("2021-09-24T15:00:00Z"),
  ]);
  assertEquals([q.funding_rate_relative, q.funding_interval_h], [null, null]);
  // No indexPrice of its own: the pair's perpetual's index of the same body.
  assertEquals([q.mark_price, q.index_price, q.open_interest_unit], [32400, 31990, "contracts"]);
  const basis = (32400 - 31990) / 31990;
  assertAlmostEquals(q.basis!, basis, 1e-15);
  const days = (Date.parse("2021-09-24T15:00:00Z") - ts) / 86_400_000;
  assertAlmostEquals(q.basis_annualized!, basis * 365 / days, 1e-12);
  const m = p.rows.find((r) => r.contract === "FI_XBTUSD_210730")!;
  assertEquals(m.index_price, 32000);
  assertAlmostEquals(
    m.basis_annualized!,
    (50 / 32000) * 365 / ((Date.parse("2021-07-30T15:00:00Z") - ts) / 86_400_000),
    1e-12,
  );
  // Expired before serverTime: skipped, said why.
  assert(!p.rows.some((r) => r.contract === "FI_XBTUSD_210716"));
  assert(p.skipped.some((s) => s.what === "FI_XBTUSD_210716" && /expired/.test(s.reason)));
  // The perpetual is still the one perpetual row, with no tenor.
  const perp = p.rows.filter((r) => r.contract === "perpetual");
  assertEquals(perp.map((r) => [r.expiry, r.basis_annualized]), [[null, null]]);
  // With an instruments body in the same responses, its lastTradingTime is the expiry.
  const withInst = parseKrakenFutures([
    { body: tickers, ctx: { source: "t" } },
    {
      body: {
        result: "success",
        instruments: [{ symbol: "fi_xbtusd_210924", lastTradingTime: "2021-09-24T14:00:00.000Z" }],
      },
      ctx: { source: "i" },
    },
  ]);
  assertEquals(
    withInst.rows.find((r) => r.contract === "FI_XBTUSD_210924")!.expiry,
    Date.parse("2021-09-24T14:00:00Z"),
  );
});

Deno.test("krakenfutures: 16:00 London on a contract day, across the clock changes (Europe/London from ICU)", () => {
  const at = (y: number, m: number, d: number) => new Date(londonFourPm(y, m, d)).toISOString();
  assertEquals(at(2025, 3, 29), "2025-03-29T16:00:00.000Z"); // the Saturday before BST
  assertEquals(at(2025, 3, 30), "2025-03-30T15:00:00.000Z"); // BST from 01:00 UTC that Sunday
  assertEquals(at(2025, 10, 25), "2025-10-25T15:00:00.000Z");
  assertEquals(at(2025, 10, 26), "2025-10-26T16:00:00.000Z"); // GMT again from 01:00 UTC that Sunday
  assertEquals(parseInstrument("FI_XBTUSD_251226")!.expiry, Date.parse("2025-12-26T16:00:00Z"));
});
