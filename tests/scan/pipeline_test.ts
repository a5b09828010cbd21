import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { nullLogger } from "../../src/log/logger.ts";
import { writeMicrostructure } from "../../src/data/hot/store.ts";
import { openMarketDoor } from "../../src/data/door/open.ts";
import { runScanPipeline } from "../../src/scan/pipeline.ts";
import { tempDir } from "../helpers/tmp.ts";
import { startFakeKrakenRest } from "../providers/kraken/fake_kraken_rest.ts";

const root = new URL("../../", import.meta.url).pathname;
const { config } = await loadConfig({ configPath: `${root}config/cryptorun.yaml`, explicit: true, env: {} });

const book = (ts: number, symbol = "ETH/USD") => ({
  ts,
  venue: "kraken",
  symbol,
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

/** Pipeline deps over `dataDir`, with Kraken's REST API (the warm tier's, in a live scan) at a loopback fake. */
function depsWith(
  dataDir: string,
  restUrl: string,
  extra: Partial<Parameters<typeof runScanPipeline>[0]> = {},
) {
  const cfg = { ...config, kraken: { ...config.kraken, rest_base_url: restUrl, max_retries: 0 } };
  return {
    config: cfg,
    dataDir,
    env: {},
    log: nullLogger,
    signal: new AbortController().signal,
    ...extra,
  };
}

Deno.test("default as-of: now when the hot tier has live books, else the last closed bar", async () => {
  await using dir = await tempDir();
  // The warm tier of a live read asks Kraken's REST API: here a loopback fake that is down.
  const rest = startFakeKrakenRest();
  rest.down = true;
  const deps = depsWith(dir.path, rest.url);
  const now = Date.UTC(2022, 5, 20, 8, 0, 30); // 30 s after the 07:00 bar closed

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
  await rest.close();
});

Deno.test("served_by: a fresh hot book says hot; after tiers.hot_max_age_ms the next read says warm; worst feed wins (controllable clock)", async () => {
  await using dir = await tempDir();
  const rest = startFakeKrakenRest();
  const now0 = Date.UTC(2022, 5, 20, 8, 0, 2); // the 07:00 bar closed 2 s ago
  let clock = now0;
  const hits: Record<string, number> = {};
  const cfg = depsWith(dir.path, rest.url).config;
  const door = openMarketDoor(cfg, dir.path, {}, {
    now: () => clock,
    metrics: { hitRatio: (t, r) => (hits[t] = r) },
  });
  const deps = depsWith(dir.path, rest.url, { now: () => clock, door });
  // A verified ETH/USD book 4 s old: fresh for the hot tier (5 s), and older than the 2 s old bars.
  await writeMicrostructure(dir.path, "kraken", book(now0 - 4_000), { hotPath: cfg.tiers.hot_path });
  const universe = ["BTC/USD", "ETH/USD"];

  const first = await runScanPipeline(deps, { dryRun: true, universe });
  assert.equal(first.asOfSource, "now (live books)");
  assert.equal(first.output.asOf, now0);
  const row = (r: typeof first, s: string) => r.output.results.find((x) => x.symbol === s)!;
  const eth1 = row(first, "ETH/USD");
  assert.deepEqual(eth1.data!.book.served_by, { tier: "hot", source: "hot:kraken_ws" });
  assert.equal(eth1.data!.book.age_ms, 4_000);
  assert.deepEqual(eth1.data!.bars.served_by, { tier: "cold", source: "cold:kraken" });
  assert.equal(eth1.data!.bars.age_ms, 2_000); // the read's end (as-of − 1h) − the 07:00 bar
  // Worst feed wins: the book (4 s) is older than the bars (2 s), and the freshness guard sees its age.
  assert.deepEqual(eth1.oldest_feed, { feed: "book", age_ms: 4_000, fresh: true });
  const fresh1 = eth1.gates.find((g) => g.name === "freshness")!;
  assert.equal(fresh1.reason.startsWith("oldest feed (book) 0 bars old ≤ 2"), true, fresh1.reason);
  // BTC/USD has no hot book: the warm tier fetched Kraken's Depth (live read) and served it.
  const btc1 = row(first, "BTC/USD");
  assert.deepEqual(btc1.data!.book.served_by, { tier: "warm", source: "warm:kraken_rest" });
  assert.deepEqual(btc1.data!.book.chain, ["hot_miss"]);
  assert.equal(btc1.data!.book.age_ms, 0);
  assert.deepEqual(btc1.oldest_feed, { feed: "bars", age_ms: 2_000, fresh: true });
  assert.equal(rest.requests.filter((r) => r.endpoint === "Depth").length, 1);

  // 6 s later the hot book is 10 s old > tiers.hot_max_age_ms (5 s): the next read says warm.
  clock = now0 + 6_000;
  const second = await runScanPipeline(deps, { dryRun: true, universe });
  assert.equal(second.asOfSource, "now (live books)");
  const eth2 = row(second, "ETH/USD");
  assert.deepEqual(eth2.data!.book.served_by, { tier: "warm", source: "warm:kraken_rest" });
  assert.deepEqual(eth2.data!.book.chain, ["hot_stale:10000ms"]);
  assert.equal(eth2.data!.book.age_ms, 0);
  // BTC/USD's Depth fetched 6 s ago is within the books TTL (15 s): a warm cache hit, not a new request.
  const btc2 = row(second, "BTC/USD");
  assert.deepEqual(btc2.data!.book.served_by?.tier, "warm");
  assert.equal(btc2.data!.book.age_ms, 6_000);
  assert.equal(rest.requests.filter((r) => r.endpoint === "Depth").length, 2);
  assert.deepEqual(eth2.oldest_feed, { feed: "bars", age_ms: 8_000, fresh: true });
  // Hot: 1 hit of 4 lookups; warm: 1 cache hit (BTC 2nd read) of 3 lookups.
  assert.equal(hits.hot, 1 / 4);
  assert.equal(hits.warm, 1 / 3);
  assert.equal(hits.cold, 1);

  // Kraken down 30 s later: hot is stale, warm stale and not refetchable → the highest-authority stale book,
  // flagged; the liquidity gates judge its age themselves.
  clock = now0 + 30_000;
  rest.down = true;
  const third = await runScanPipeline(deps, { dryRun: true, universe });
  const eth3 = row(third, "ETH/USD");
  assert.equal(eth3.data!.book.stale, true);
  assert.deepEqual(eth3.data!.book.served_by?.tier, "hot");
  assert.deepEqual(eth3.data!.book.chain, ["hot_stale:34000ms", "warm_stale:24000ms"]);
  assert.deepEqual(eth3.oldest_feed, { feed: "book", age_ms: 34_000, fresh: true });
  await door.close();
  await rest.close();
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
