// Gap repair (issue 18): `backfill --gaps` refills only the holes `cold gaps` lists (not the known gaps the
// venue confirmed empty); those stay listed, as known; a second --gaps run asks the venue nothing.
import assert from "node:assert/strict";
import { coveredBy, mergeRuns, subtractRuns } from "../../src/backfill/known_gaps.ts";
import { tempDir } from "../helpers/tmp.ts";
import { runCli } from "../data/cold/table_helpers.ts";
import { recordedBtcTrades, startFakeKraken, syntheticEthTrades } from "./fake_trades_server.ts";
import { barsOfDir, FROM, krakenEnv, refAndHoles, TO } from "./gap_fixture.ts";

const M = 60_000;

Deno.test("known gaps: runs merge, subtract and cover at the bar step", () => {
  assert.deepEqual(
    mergeRuns([{ from: 5 * M, to: 6 * M }, { from: 0, to: 2 * M }, { from: 3 * M, to: 4 * M }], M),
    [
      { from: 0, to: 6 * M },
    ],
  );
  assert.deepEqual(
    subtractRuns([{ from: 0, to: 9 * M }], [{ from: 2 * M, to: 3 * M }, { from: 7 * M, to: 20 * M }], M),
    [
      { from: 0, to: M },
      { from: 4 * M, to: 6 * M },
    ],
  );
  assert.equal(coveredBy({ from: 2 * M, to: 3 * M }, [{ from: 0, to: 5 * M }], M), true);
  assert.equal(coveredBy({ from: 2 * M, to: 6 * M }, [{ from: 0, to: 5 * M }], M), false);
});

Deno.test("backfill --gaps: refills only the listed holes; outages stay listed as known; a re-run asks nothing", async () => {
  await using srv = startFakeKraken({
    trades: { XBTUSD: recordedBtcTrades(), ETHUSD: syntheticEthTrades() },
    pageSize: 250,
  });
  await using tmp = await tempDir();
  const { ref, holes, want } = await refAndHoles(tmp.path, srv.url);

  // The reference: every hole cold gaps lists is a known gap, among them ETH's 40-minute outage at 06:00.
  const g0 = await runCli(
    [
      "--data-dir",
      ref,
      "--json",
      "cold",
      "gaps",
      "--table",
      "ohlcv_1m",
      "--interval",
      "1m",
      "--from",
      FROM,
      "--to",
      TO,
    ],
  );
  assert.equal(g0.code, 0, g0.stderr);
  const rep0 = JSON.parse(g0.stdout);
  const eth0 = rep0.series.find((s: { series: string }) => s.series === "ETH/USD");
  const outage = eth0.runs.find((r: { missing: number }) => r.missing >= 39);
  assert.ok(outage, "the outage is listed");
  assert.equal(outage.known, true);
  for (const s of rep0.series) assert.equal(s.known_missing, s.missing, `${s.series}: every hole is known`);

  // The copy with holes: --gaps asks only for them.
  const served = srv.served;
  const argv = [
    "--data-dir",
    holes,
    "--json",
    "backfill",
    "--venue",
    "kraken",
    "--symbols",
    "BTC/USD,ETH/USD",
    "--from",
    FROM,
    "--to",
    TO,
    "--gaps",
    "--no-trades",
  ];
  const r1 = await runCli(argv, krakenEnv(srv.url));
  assert.equal(r1.code, 0, r1.stderr);
  const done1 = JSON.parse(r1.stdout.trim().split("\n").at(-1)!);
  const windows = done1.symbols.flatMap((s: { windows: unknown[] }) => s.windows);
  assert.ok(windows.length >= 2 && windows.length <= 8, `windows: ${JSON.stringify(windows)}`);
  assert.ok(srv.served - served <= windows.length * 2, `Trades calls: ${srv.served - served}`);
  assert.deepEqual(await barsOfDir(holes), want);

  // Nothing left to repair: no Trades call at all.
  const served2 = srv.served;
  const r2 = await runCli(argv, krakenEnv(srv.url));
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal(srv.served, served2);
  const g1 = await runCli(
    [
      "--data-dir",
      holes,
      "cold",
      "gaps",
      "--table",
      "ohlcv_1m",
      "--interval",
      "1m",
      "--from",
      FROM,
      "--to",
      TO,
    ],
  );
  assert.equal(g1.code, 0, g1.stderr);
  assert.match(g1.stdout, /ETH\/USD: .* \(\d+ known: confirmed empty by the venue\)/);
  assert.match(g1.stdout, /40 missing \(known gap\)|3\d missing \(known gap\)/);
});

Deno.test("backfill --gaps for a symbol with no stored bar in the window: exit 1 saying nothing was done", async () => {
  await using tmp = await tempDir();
  const argv = (...extra: string[]) => [
    "--data-dir",
    tmp.path,
    ...extra,
    "backfill",
    "--venue",
    "kraken",
    "--symbols",
    "BTC/USD",
    "--from",
    FROM,
    "--to",
    TO,
    "--gaps",
    "--no-trades",
  ];
  // No hole to repair: the venue is never asked (an unreachable URL would fail the run otherwise).
  const env = krakenEnv("http://127.0.0.1:9");
  const r = await runCli(argv(), env);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /BTC\/USD: no stored bar in the window, so no hole between bars to repair; nothing done/,
  );
  const j = await runCli(argv("--json"), env);
  assert.equal(j.code, 1, j.stdout + j.stderr);
  assert.deepEqual(JSON.parse(j.stdout.trim().split("\n").at(-1)!).no_stored_bars, ["BTC/USD"]);
});
