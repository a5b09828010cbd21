// Stored derivatives rows read back through the data door (kind derivs): ingest --replay fills the cold table
// derivs; derivs show --from/--to never returns a row after --to; appending later prints changes nothing in an
// earlier window; quarantined values land in quarantine/derivs, never in derivs.
import assert from "node:assert/strict";
import { runCliCaptured } from "../../helpers/cli.ts";
import { tempDir } from "../../helpers/tmp.ts";

const FIX = new URL("../../../fixtures/derivs/", import.meta.url).pathname;
const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

/** A Kraken Futures historical funding body of n hourly prints from hour `start` (seeded values). */
function history(start: number, n: number): string {
  let s = 5 + start;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const rates = Array.from({ length: n }, (_, i) => {
    const rel = (rnd() - 0.5) * 2e-5;
    return {
      timestamp: new Date(T0 + (start + i) * H).toISOString(),
      relativeFundingRate: rel,
      fundingRate: rel * 90000,
    };
  });
  return JSON.stringify({ result: "success", rates: rates.reverse() });
}

Deno.test("derivs: ingest --replay → cold derivs; show --from/--to is PIT; later prints change nothing", async () => {
  await using dir = await tempDir();
  const f1 = `${dir.path}/h1.json`, f2 = `${dir.path}/h2.json`;
  await Deno.writeTextFile(f1, history(0, 40));
  await Deno.writeTextFile(f2, history(40, 20));
  const base = ["--data-dir", dir.path];
  const ing = (f: string) =>
    runCliCaptured([
      ...base,
      "ingest",
      "--venue",
      "krakenfutures",
      "--replay",
      f,
      "--symbols",
      "PF_XBTUSD",
      "--json",
    ]);
  const r1 = await ing(f1);
  assert.equal(r1.code, 0, r1.stderr);
  assert.equal(JSON.parse(r1.stdout).written.rows, 40);
  const show = async () => {
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
      new Date(T0).toISOString(),
      "--to",
      new Date(T0 + 35 * H).toISOString(),
    ]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).symbols["BTC/USD"];
  };
  const before = await show();
  assert.equal(before.rows.length, 36);
  assert.ok(before.rows.every((r: { ts: number }) => r.ts <= T0 + 35 * H));
  assert.deepEqual(before.served_by, { tier: "cold", source: "cold:derivs" });
  // Appending later prints (and re-ingesting the first file) changes nothing as of hour 35.
  assert.equal((await ing(f2)).code, 0);
  const again = await ing(f1);
  assert.equal(JSON.parse(again.stdout).written.already, 40);
  assert.deepEqual(await show(), before);
  // Symbols are normalised (xbt-usd = BTC/USD); a window without rows is exit 1 with --json too; not a pair: 2.
  const hist = (sym: string, to: number, ...flags: string[]) =>
    runCliCaptured([
      ...base,
      ...flags,
      "derivs",
      "show",
      "--venue",
      "krakenfutures",
      "--symbols",
      sym,
      "--from",
      new Date(T0 - 10 * H).toISOString(),
      "--to",
      new Date(to).toISOString(),
    ]);
  const norm = await hist("xbt-usd", T0 + 35 * H, "--json");
  assert.equal(norm.code, 0, norm.stderr);
  assert.equal(JSON.parse(norm.stdout).symbols["BTC/USD"].rows.length, 36);
  const none = await hist("BTC/USD", T0 - H, "--json");
  assert.equal(none.code, 1, none.stdout + none.stderr);
  assert.deepEqual(JSON.parse(none.stdout).symbols["BTC/USD"].rows, []);
  assert.equal((await hist("BTC/USD", T0 - H)).code, 1);
  const bad = await hist("NOTAPAIR", T0);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--symbols: expected USD pairs like BTC\/USD, found "NOTAPAIR"/);
});

Deno.test("derivs: a 50%/h funding value is quarantined, bad bodies exit 1 naming the field", async () => {
  await using dir = await tempDir();
  const crazy = `${dir.path}/crazy.json`;
  await Deno.writeTextFile(
    crazy,
    JSON.stringify({
      result: "success",
      serverTime: "2026-01-01T00:00:00Z",
      tickers: [
        {
          symbol: "PF_XBTUSD",
          tag: "perpetual",
          markPrice: 90000,
          indexPrice: 90000,
          openInterest: 10,
          fundingRate: 45000,
        },
        {
          symbol: "PF_ETHUSD",
          tag: "perpetual",
          markPrice: 3000,
          indexPrice: 3001,
          openInterest: 10,
          fundingRate: 0.03,
        },
      ],
    }),
  );
  const r = await runCliCaptured([
    "--data-dir",
    dir.path,
    "ingest",
    "--venue",
    "krakenfutures",
    "--replay",
    crazy,
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.written, { rows: 1, quarantined: 1, already: 0 });
  assert.equal(out.quarantined[0].check, "funding_out_of_range");
  assert.equal(out.quarantined[0].symbol, "BTC/USD");
  const q = await runCliCaptured([
    "--data-dir",
    dir.path,
    "--json",
    "cold",
    "dump",
    "--table",
    "quarantine/derivs",
    "--from",
    "2025-12-31T00:00:00Z",
    "--to",
    "2026-01-02T00:00:00Z",
  ]);
  assert.equal(q.code, 0, q.stderr);
  assert.match(q.stdout, /funding_out_of_range/);

  const html = `${dir.path}/html.json`;
  await Deno.writeTextFile(html, "<html><body>502 Bad Gateway</body></html>");
  const h = await runCliCaptured([
    "--data-dir",
    dir.path,
    "derivs",
    "show",
    "--venue",
    "krakenfutures",
    "--replay",
    html,
  ]);
  assert.equal(h.code, 1);
  assert.match(h.stderr, /answered HTML/);
  const text = `${dir.path}/text.json`;
  await Deno.writeTextFile(
    text,
    JSON.stringify({
      result: "success",
      serverTime: "2026-01-01T00:00:00Z",
      tickers: [{
        symbol: "PF_XBTUSD",
        tag: "perpetual",
        markPrice: "ninety",
        openInterest: 1,
        fundingRate: 0,
      }],
    }),
  );
  const t = await runCliCaptured([
    "--data-dir",
    dir.path,
    "derivs",
    "show",
    "--venue",
    "krakenfutures",
    "--replay",
    text,
  ]);
  assert.equal(t.code, 1);
  assert.match(t.stderr, /markPrice/);
  assert.match(t.stderr, /ninety/);
});

Deno.test("derivs show --replay --json: the recorded live capture's normalised row", async () => {
  const r = await runCliCaptured([
    "--json",
    "derivs",
    "show",
    "--venue",
    "krakenfutures",
    "--replay",
    `${FIX}krakenfutures_tickers_recorded.json`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const doge = JSON.parse(r.stdout).rows.find((x: { symbol: string }) => x.symbol === "DOGE/USD");
  assert.equal(doge.funding_interval_h, 1);
  assert.equal(doge.open_interest_unit, "contracts");
  assert.ok(Math.abs(doge.funding_rate_relative - -7.716906047878e-06) < 1e-17);
});

Deno.test("derivs show --replay: a file with a byte-order mark and CRLF line ends parses like the plain one", async () => {
  await using dir = await tempDir();
  const plain = `${FIX}okx_funding_oi_candles_recorded.json`;
  const bom = `${dir.path}/bom.json`;
  await Deno.writeTextFile(bom, "\uFEFF" + (await Deno.readTextFile(plain)).replaceAll("\n", "\r\n"));
  const rows = async (f: string) => {
    const r = await runCliCaptured(["--json", "derivs", "show", "--venue", "okx", "--replay", f]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).rows.map((x: { source: string }) => ({ ...x, source: "" }));
  };
  const want = await rows(plain);
  assert.ok(want.length > 0);
  assert.deepEqual(await rows(bom), want);
});

Deno.test("derivs show --replay of a file whose every entry is skipped exits 1 like ingest --replay", async () => {
  await using dir = await tempDir();
  const all = JSON.parse(await Deno.readTextFile(`${FIX}binance_usdm_recorded.json`));
  const f = `${dir.path}/klines.json`;
  const samples = all.samples.filter((x: { endpoint: string }) => x.endpoint.endsWith("/klines"));
  assert.equal(samples.length, 1);
  await Deno.writeTextFile(f, JSON.stringify({ samples }));
  const r = await runCliCaptured(["derivs", "show", "--venue", "binance", "--replay", f]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /trade klines carry no mark or index price/);
  assert.match(r.stderr, /binance: no row in .*klines\.json \(1 entr\(ies\) skipped\)/);
});
