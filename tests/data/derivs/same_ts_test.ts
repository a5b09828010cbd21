// One moment, several rows (the derivs key is ts, symbol, venue, record, contract): a settled funding print,
// a ticker snapshot and a dated future of the same pair stamped at the same ms are all stored by `ingest
// --replay`, all read back through the data door (`derivs show --from/--to`), and the scan's features take
// funding from the print, OI and basis from the perpetual's snapshot, and nothing from the dated future.
import assert from "node:assert/strict";
import { derivsFeatures } from "../../../src/factors/derivs.ts";
import type { DerivsRow } from "../../../src/market/derivs.ts";
import { runCliCaptured } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/tmp.ts";

const H = 3_600_000;
const T = Date.UTC(2026, 0, 10, 12);
const iso = (ms: number) => new Date(ms).toISOString();

Deno.test("derivs: a funding print, a snapshot and a dated future at the same ms are all stored and read back; features keep their meaning", async () => {
  await using dir = await tempDir();
  const base = ["--data-dir", dir.path];
  // Two hourly funding prints, the newest at T, settled at 2e-6 per hour.
  const hist = {
    result: "success",
    rates: [
      { timestamp: iso(T - H), relativeFundingRate: 1e-6, fundingRate: 0.09 },
      { timestamp: iso(T), relativeFundingRate: 2e-6, fundingRate: 0.18 },
    ],
  };
  // The tickers at T (serverTime = the print's settlement ms): the perpetual's current (next) rate differs
  // from the settled one; a September future of the same pair in the same body.
  const tickers = {
    result: "success",
    serverTime: iso(T),
    tickers: [
      {
        symbol: "PF_XBTUSD",
        tag: "perpetual",
        markPrice: 90_090,
        indexPrice: 90_000,
        openInterest: 1234,
        fundingRate: 0.45, // 5e-6 relative
      },
      { symbol: "FF_XBTUSD_260925", tag: "quarter", markPrice: 91_800, openInterest: 77 },
    ],
  };
  for (
    const [name, body, sym] of [["h.json", hist, ["--symbols", "PF_XBTUSD"]], [
      "t.json",
      tickers,
      [],
    ]] as const
  ) {
    const f = `${dir.path}/${name}`;
    await Deno.writeTextFile(f, JSON.stringify(body));
    const r = await runCliCaptured([
      ...base,
      "ingest",
      "--venue",
      "krakenfutures",
      "--replay",
      f,
      ...sym,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).written.rows, 2, name);
    assert.equal(JSON.parse(r.stdout).written.already, 0, `${name}: nothing taken for a stored row`);
  }
  const r = await runCliCaptured([
    ...base,
    "--json",
    "derivs",
    "show",
    "--venue",
    "krakenfutures",
    "--symbols",
    "BTC/USD",
    "--from",
    iso(T - 2 * H),
    "--to",
    iso(T),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout).symbols["BTC/USD"].rows as DerivsRow[];
  const atT = rows.filter((x) => x.ts === T).map((x) => `${x.record} ${x.contract}`).sort();
  assert.deepEqual(atT, ["funding perpetual", "snapshot FF_XBTUSD_260925", "snapshot perpetual"]);
  assert.equal(rows.length, 4);
  const dated = rows.find((x) => x.contract === "FF_XBTUSD_260925")!;
  assert.equal(dated.expiry, Date.parse("2026-09-25T15:00:00Z"));
  assert.ok(dated.basis_annualized !== null && dated.basis_annualized > 0);

  const f = derivsFeatures(rows, T, 30)!;
  // Funding: the settled print at T (2e-6), not the snapshot's next rate of the same ms (5e-6).
  assert.equal(f.funding_relative, 2e-6);
  assert.equal(f.funding_periods, 2);
  // OI and basis: the perpetual's snapshot, never the September future's (77 contracts, 2 % basis).
  assert.equal(f.open_interest, 1234);
  assert.ok(Math.abs(f.basis! - 90 / 90_000) < 1e-15);
  assert.equal(f.basis_annualized, null);
  assert.equal(f.ts, T);
  // PIT: as of one ms earlier, nothing of T is seen.
  const before = derivsFeatures(rows, T - 1, 30)!;
  assert.deepEqual([before.funding_relative, before.open_interest, before.basis], [1e-6, null, null]);
});
