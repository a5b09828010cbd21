import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { nullLogger } from "../../src/log/logger.ts";
import { writeMicrostructure } from "../../src/data/hot/store.ts";
import { runScanPipeline } from "../../src/scan/pipeline.ts";
import { tempDir } from "../helpers/tmp.ts";

const root = new URL("../../", import.meta.url).pathname;
const { config } = await loadConfig({ configPath: `${root}config/cryptorun.yaml`, explicit: true, env: {} });

const book = (ts: number) => ({
  ts,
  venue: "kraken",
  symbol: "ETH/USD",
  best_bid: 1100,
  best_ask: 1100.5,
  mid: 1100.25,
  spread_bps: 4.544,
  depth_usd_2pct: { bid: 500_000, ask: 400_000 },
  verified: true as const,
  checksum_ok: 10,
  checksum_failed: 0,
  resyncs: 0,
});

Deno.test("default as-of: now when the hot tier has live books, else the last closed bar", async () => {
  await using dir = await tempDir();
  const now = Date.UTC(2022, 5, 20, 8, 0, 30); // 30 s after the 07:00 bar closed
  const deps = { config, dataDir: dir.path, env: {}, log: nullLogger, signal: new AbortController().signal };

  // No books at all: a replay as of the close of the last bar in the store (fixtures end 2022-06-30 23:00).
  const replay = await runScanPipeline({ ...deps, now: () => now }, { dryRun: true });
  assert.equal(replay.asOfSource, "last closed bar");
  assert.equal(replay.output.asOf, Date.UTC(2022, 6, 1));

  // A live verified book 5 s old: as-of = now; bars closed by now only; late fill measured from 08:00.
  await writeMicrostructure(dir.path, "kraken", book(now - 5_000), { hotPath: config.tiers.hot_path });
  const live = await runScanPipeline({ ...deps, now: () => now }, { dryRun: true });
  assert.equal(live.asOfSource, "now (live books)");
  assert.equal(live.output.asOf, now);
  const eth = live.output.results.find((r) => r.symbol === "ETH/USD")!;
  assert.equal(eth.factors.last_bar_ts, Date.UTC(2022, 5, 20, 7)); // the 08:00 bar is still forming
  const g = (name: string) => eth.gates.find((x) => x.name === name)!;
  assert.equal(g("late_fill").status, "pass"); // 30 s after the close: at the bound
  assert.equal(g("late_fill").value, 30);
  assert.equal(g("spread").status, "pass");
  assert.equal(g("depth").status, "pass");
  const btc = live.output.results.find((r) => r.symbol === "BTC/USD")!;
  assert.equal(btc.gates.find((x) => x.name === "spread")!.status, "unknown");

  // The same book 61 s later is stale: no live feed → back to the last closed bar.
  const later = await runScanPipeline({ ...deps, now: () => now + 56_001 }, { dryRun: true });
  assert.equal(later.asOfSource, "last closed bar");
});

Deno.test("an empty cold tier with bootstrap_fixtures: false is an error naming the key", async () => {
  await using dir = await tempDir();
  const cfg = { ...config, scan: { ...config.scan, bootstrap_fixtures: false } };
  await assert.rejects(
    runScanPipeline({
      config: cfg,
      dataDir: dir.path,
      env: {},
      log: nullLogger,
      signal: new AbortController().signal,
    }),
    /cold tier: table ohlcv at .* is empty; ingest bars first .* scan\.bootstrap_fixtures: true/,
  );
});

Deno.test("Ctrl-C: an aborted signal stops the scan", async () => {
  await using dir = await tempDir();
  const ac = new AbortController();
  ac.abort(new Error("interrupted"));
  await assert.rejects(
    runScanPipeline({ config, dataDir: dir.path, env: {}, log: nullLogger, signal: ac.signal }, {
      dryRun: true,
    }),
    /interrupted|abort/i,
  );
});
