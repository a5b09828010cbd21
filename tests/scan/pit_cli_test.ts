import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { openColdStore } from "../../src/data/cold/store.ts";
import { FIXTURE_FILES, readBarsCsv } from "../../src/scan/fixtures.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";

const root = new URL("../../", import.meta.url).pathname;
const HOUR = 3_600_000;

/**
 * PIT invariance through the real cold tier: scan as of T on a store holding bars up to T, then APPEND the
 * later real bars plus absurd-price canaries (one opened exactly at T, i.e. not closed at T) to the store and
 * scan again as of T → byte-identical JSON.
 */
Deno.test("PIT (cold tier): appending future bars and canaries leaves `scan --as-of T --json` byte-identical", async () => {
  await using dir = await tempDir();
  const { config } = await loadConfig({
    configPath: `${root}config/cryptorun.yaml`,
    explicit: true,
    env: {},
  });
  const store = openColdStore(config.cold, dir.path);
  const table = config.cold.parquet_schema.table;
  const T = Date.UTC(2022, 5, 10, 16); // 2022-06-10 16:00 UTC
  const all = await readBarsCsv(FIXTURE_FILES.find((f) => f.venue === "kraken")!.url);
  const past = all.filter((r) => r.ts + HOUR <= T);
  const future = all.filter((r) => r.ts + HOUR > T);
  await store.write(table, past);
  const args = [
    "--config",
    `${root}config/cryptorun.yaml`,
    "--data-dir",
    dir.path,
    "--json",
    "scan",
    "--as-of",
    new Date(T).toISOString(),
    "--dry-run",
  ];
  const before = await runCliCaptured(args);
  assert.equal(before.code, 0, before.stderr);
  assert.equal(JSON.parse(before.stdout).results.length, 5);

  const canaries = ["BTC/USD", "ETH/USD", "LTC/USD", "BCH/USD", "XRP/USD"].flatMap((symbol) => [
    { ts: Date.UTC(2023, 0, 1), symbol, open: 1e9, high: 1e12, low: 1e-6, close: 1e12, volume: 1e15 },
  ]);
  // The bar opened at T is in `future` already (real); replace its price with an absurd one.
  const atT = future.filter((r) => r.ts === T).map((r) => ({
    ...r,
    close: r.close * 1e6,
    high: r.close * 1e6,
  }));
  const rest = future.filter((r) => r.ts !== T);
  const w = await store.write(table, [...atT, ...rest, ...canaries]);
  assert.ok(w.rows > 1000, `appended ${w.rows}`);
  const stats = await store.stats(table);
  assert.equal(stats.maxTs, Date.UTC(2023, 0, 1));

  const after = await runCliCaptured(args);
  assert.equal(after.code, 0, after.stderr);
  assert.equal(after.stdout, before.stdout);

  // Not vacuous: a scan as of one hour later does see the absurd bar opened at T.
  const later = await runCliCaptured(
    args.map((a) => a === new Date(T).toISOString() ? new Date(T + HOUR).toISOString() : a),
  );
  assert.equal(later.code, 0, later.stderr);
  assert.notEqual(later.stdout, before.stdout);
});
