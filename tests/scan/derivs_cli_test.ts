// Acceptance (issue 16): `ingest --venue krakenfutures --replay FILE` then `scan --explain BTC/USD` shows
// funding (relative, per hour, annualised), OI and basis with venue and time; appending later prints changes
// nothing at the as-of. Bars: the real Kraken fixture; derivatives: Kraken Futures response bodies generated
// here (seeded) at the fixture's dates — the recorded Kraken Futures captures are from 2023–2026, after the
// bars end (2022-06-30), so a scan of the shipped bars rightly sees none of them (PIT).
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { openColdStore } from "../../src/data/cold/store.ts";
import { FIXTURE_FILES, readBarsCsv } from "../../src/scan/fixtures.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const root = new URL("../../", import.meta.url).pathname;
const H = 3_600_000;
const T = Date.UTC(2022, 5, 10, 16);

function history(fromH: number, n: number): string {
  let s = 3;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const rates = Array.from({ length: fromH + n }, (_, i) => {
    const rel = 1e-5 + (rnd() - 0.5) * 2e-5;
    return {
      timestamp: new Date(T - 48 * H + i * H).toISOString(),
      relativeFundingRate: rel,
      fundingRate: rel * 30000,
    };
  }).slice(fromH);
  return JSON.stringify({ result: "success", rates });
}

function tickers(at: number, oi: number, mark: number, index: number, funding: number): string {
  return JSON.stringify({
    result: "success",
    serverTime: new Date(at).toISOString(),
    tickers: [{
      symbol: "PF_XBTUSD",
      tag: "perpetual",
      markPrice: mark,
      indexPrice: index,
      openInterest: oi,
      fundingRate: funding,
    }],
  });
}

Deno.test("scan --explain BTC/USD shows Kraken Futures funding, OI and basis with venue and time (PIT)", async () => {
  await using dir = await tempDir();
  const { config } = await loadConfig({
    configPath: `${root}config/cryptorun.yaml`,
    explicit: true,
    env: {},
  });
  const all = await readBarsCsv(FIXTURE_FILES.find((f) => f.venue === "kraken")!.url);
  await openColdStore(config.cold, dir.path).write(
    config.cold.parquet_schema.table,
    all.filter((r) => r.ts + H <= T),
  );
  const base = ["--config", `${root}config/cryptorun.yaml`, "--data-dir", dir.path];
  const files: Record<string, string> = {
    hist: history(0, 48), // 48 hourly prints up to T − 1h
    t1: tickers(T - 70 * 60_000, 1_000_000, 30010, 30000, 0.3),
    t2: tickers(T - 10 * 60_000, 1_050_000, 30030, 30000, 0.6),
  };
  for (const [k, body] of Object.entries(files)) {
    const f = `${dir.path}/${k}.json`;
    await Deno.writeTextFile(f, body);
    const r = await runCliCaptured([
      ...base,
      "ingest",
      "--venue",
      "krakenfutures",
      "--replay",
      f,
      "--symbols",
      "PF_XBTUSD",
    ]);
    assert.equal(r.code, 0, r.stderr);
  }
  const explain = (json: boolean) =>
    runCliCaptured([
      ...base,
      ...(json ? ["--json"] : []),
      "scan",
      "--as-of",
      new Date(T).toISOString(),
      "--explain",
      "BTC/USD",
      "--dry-run",
    ]);
  const text = await explain(false);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /derivs krakenfutures ← replay:t2\.json, known 2022-06-10T15:50:00\.000Z \(10m/);
  // fundingRate 0.6 ÷ mark 30030 per 1h interval, per hour, annualised (× 8760).
  const rel = 0.6 / 30030;
  assert.ok(
    text.stdout.includes(
      `funding ${rel.toExponential(3)} per 1h interval = ${rel.toExponential(3)}/h = ${
        (rel * 8760 * 100).toFixed(2)
      }% annualised`,
    ),
    text.stdout,
  );
  assert.match(text.stdout, /open interest 1050000 contracts, ΔOI 1h 0\.04879/);
  assert.ok(text.stdout.includes(`basis ${((30030 - 30000) / 30000 * 100).toFixed(4)}%`), text.stdout);
  const j1 = await explain(true);
  const d = JSON.parse(j1.stdout).derivs[0];
  assert.equal(d.venue, "krakenfutures");
  assert.equal(d.used, true);
  assert.equal(d.funding.periods, 48);
  assert.equal(typeof d.funding.z, "number");
  const funding = JSON.parse(j1.stdout).result.gates.find((g: { name: string }) => g.name === "funding");
  assert.equal(funding.value, d.funding.z);

  // Later prints and snapshots (after T) change nothing as of T.
  const later = `${dir.path}/later.json`;
  await Deno.writeTextFile(later, history(49, 24)); // from T + 1h (a print stamped AT T is known at T)
  assert.equal(
    (await runCliCaptured([
      ...base,
      "ingest",
      "--venue",
      "krakenfutures",
      "--replay",
      later,
      "--symbols",
      "PF_XBTUSD",
    ])).code,
    0,
  );
  await Deno.writeTextFile(later, tickers(T + 5 * 60_000, 9e9, 60000, 30000, 500));
  const q = await runCliCaptured([
    ...base,
    "--json",
    "ingest",
    "--venue",
    "krakenfutures",
    "--replay",
    later,
  ]);
  assert.equal(q.code, 0, q.stderr);
  const j2 = await explain(true);
  assert.equal(j2.stdout, j1.stdout);
});

Deno.test("scan ignores a stored derivs row beyond the plausibility limits, whichever path wrote it (cold write)", async () => {
  await using dir = await tempDir();
  const { config } = await loadConfig({
    configPath: `${root}config/cryptorun.yaml`,
    explicit: true,
    env: {},
  });
  const all = await readBarsCsv(FIXTURE_FILES.find((f) => f.venue === "kraken")!.url);
  await openColdStore(config.cold, dir.path).write(
    config.cold.parquet_schema.table,
    all.filter((r) => r.ts + H <= T),
  );
  const base = ["--config", `${root}config/cryptorun.yaml`, "--data-dir", dir.path];
  // 50 %/h funding (derivs.max_abs_funding_per_hour is 1 %/h): `cold write` stores it (the table's row check
  // cannot see the config), the scan must not use it.
  const header =
    "ts_ms,symbol,venue,record,contract,expiry,funding_rate_relative,funding_interval_h,funding_rate_annualized," +
    "open_interest,open_interest_unit,mark_price,index_price,basis,basis_annualized,source";
  const csv = `${dir.path}/derivs.csv`;
  await Deno.writeTextFile(
    csv,
    `${header}\n${T - 10 * 60_000},BTC/USD,krakenfutures,funding,perpetual,,0.5,1,4380,,,,,,,x\n`,
  );
  const w = await runCliCaptured([...base, "cold", "write", "--table", "derivs", "--input", csv]);
  assert.equal(w.code, 0, w.stderr);
  const r = await runCliCaptured([
    ...base,
    "--json",
    "scan",
    "--as-of",
    new Date(T).toISOString(),
    "--explain",
    "BTC/USD",
    "--dry-run",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes("4380"), r.stdout);
  const out = JSON.parse(r.stdout);
  for (const d of out.derivs ?? []) assert.notEqual(d.funding?.latest_per_hour, 0.5, JSON.stringify(d));
  const text = await runCliCaptured([
    ...base,
    "scan",
    "--as-of",
    new Date(T).toISOString(),
    "--explain",
    "BTC/USD",
  ]);
  assert.ok(!/438000|50\.0+%\/h|5\.000e-1/.test(text.stdout), text.stdout);
});
