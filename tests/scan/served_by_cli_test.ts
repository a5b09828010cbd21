import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { openColdStore } from "../../src/data/cold/store.ts";
import { writeMicrostructure } from "../../src/data/hot/store.ts";
import type { OhlcvRow } from "../../src/market/ohlcv.ts";
import { runCliCaptured } from "../helpers/cli.ts";
import { tempDir } from "../helpers/tmp.ts";
import { startFakeKrakenRest } from "../providers/kraken/fake_kraken_rest.ts";

const H = 3_600_000;

/** 600 hourly bars per symbol up to the last closed hour, generated deterministically (no randomness). */
function recentBars(symbol: string, base: number, lastOpen: number): OhlcvRow[] {
  return Array.from({ length: 600 }, (_, i) => {
    const ts = lastOpen - (599 - i) * H;
    const open = base * (1 + 0.02 * Math.sin(i / 9) + 0.0005 * i);
    const close = base * (1 + 0.02 * Math.sin((i + 1) / 9) + 0.0005 * (i + 1));
    return {
      ts,
      symbol,
      open,
      close,
      high: Math.max(open, close) * 1.004,
      low: Math.min(open, close) * 0.996,
      volume: 50 + 10 * Math.cos(i / 5),
    };
  });
}

Deno.test("scan --json / --explain / table: per symbol which tier and source served its bars and its book, and their ages", async () => {
  await using dir = await tempDir();
  const rest = startFakeKrakenRest();
  const env = {
    CRYPTORUN_KRAKEN_REST_BASE_URL: rest.url,
    CRYPTORUN_KRAKEN_MAX_RETRIES: "0",
    CRYPTORUN_PERSISTENCE_ENABLED: "false",
    // A live book read by a separate step of this test: generous, so a slow machine cannot make it stale.
    CRYPTORUN_TIERS_HOT_MAX_AGE_MS: "60000",
  };
  const { config } = await loadConfig({ configPath: "/nonexistent/cryptorun.yaml", env });
  const now = Date.now();
  const lastOpen = Math.floor(now / H) * H - H; // the last bar closed by now
  await openColdStore(config.cold, dir.path).write(config.cold.parquet_schema.table, [
    ...recentBars("BTC/USD", 60_000, lastOpen),
    ...recentBars("ETH/USD", 3_000, lastOpen),
  ]);
  await writeMicrostructure(dir.path, "kraken", {
    ts: now - 1_000,
    venue: "kraken",
    symbol: "ETH/USD",
    best_bid: 3000,
    best_ask: 3000.5,
    mid: 3000.25,
    spread_bps: 1.67,
    depth_usd_2pct: { bid: 500_000, ask: 400_000 },
    verified: true,
    checksum_ok: 10,
    checksum_failed: 0,
    resyncs: 0,
  }, { hotPath: config.tiers.hot_path });
  const base = ["--data-dir", dir.path];
  const scan = ["scan", "--universe", "BTC/USD,ETH/USD", "--dry-run"];
  try {
    const j = await runCliCaptured([...base, "--json", ...scan], env);
    assert.equal(j.code, 0, j.stderr);
    const out = JSON.parse(j.stdout);
    assert.ok(out.notes.includes("as-of = now (the hot tier holds live kraken books)"), out.notes.join("\n"));
    const res = (s: string) => out.results.find((r: { symbol: string }) => r.symbol === s);
    const eth = res("ETH/USD").data;
    assert.deepEqual(eth.book.served_by, { tier: "hot", source: "hot:kraken_ws" });
    assert.ok(eth.book.age_ms >= 1_000 && eth.book.age_ms < 60_000, String(eth.book.age_ms));
    assert.deepEqual(eth.bars.served_by, { tier: "cold", source: "cold:kraken" });
    assert.ok(eth.bars.age_ms >= 0 && eth.bars.age_ms < H, String(eth.bars.age_ms));
    assert.deepEqual(eth.bars.chain, []);
    assert.equal(eth.oldest_feed.age_ms, Math.max(eth.bars.age_ms, eth.book.age_ms));
    // No hot book for BTC/USD: the warm tier's REST source (a Kraken Depth fetched for this read).
    const btc = res("BTC/USD").data;
    assert.deepEqual(btc.book.served_by, { tier: "warm", source: "warm:kraken_rest" });
    assert.deepEqual(btc.book.chain, ["hot_miss"]);
    assert.equal(rest.requests.filter((r) => r.endpoint === "Depth").length, 1);
    // The Depth response is cached on disk under the warm tier.
    const entries = [...Deno.readDirSync(`${dir.path}/warm/kraken/Depth`)].map((e) => e.name);
    assert.equal(entries.length, 1);
    assert.match(entries[0], /^[0-9a-f]{32}\.entry$/);

    const x = await runCliCaptured([...base, ...scan, "--explain", "ETH/USD"], env);
    assert.equal(x.code, 0, x.stderr);
    assert.match(
      x.stdout,
      /^data: bars ← cold:kraken \(cold\), \d+[smh] old; book ← hot:kraken_ws \(hot\), \d+s old$/m,
    );
    assert.match(x.stdout, /^oldest feed: (bars|book), .* old \(the freshness guard's age\)$/m);

    const t = await runCliCaptured([...base, ...scan], env);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /ETH\/USD +kraken +[●○] cold\/hot /);
    // BTC/USD's book again from the warm tier (its cached Depth, or a refetch once the 15 s TTL passed).
    assert.match(t.stdout, /BTC\/USD +kraken +[●○] cold\/warm /);
  } finally {
    await rest.close();
  }
});
