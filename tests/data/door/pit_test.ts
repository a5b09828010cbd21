/**
 * PIT for the data door, per data kind, on the real tiers: rows after `to` are planted in EVERY tier (cold
 * table, shipped fixtures, hot store, warm REST cache, database) and each source is asked alone (its own
 * authority list) and in the default cascade: nothing with ts > to ever leaves the door.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../../src/config/load.ts";
import type { Config } from "../../../src/config/schema.ts";
import type { DataKind } from "../../../src/config/sections/tiers.ts";
import { openColdStore } from "../../../src/data/cold/store.ts";
import type { DoorRequest } from "../../../src/data/door/door.ts";
import { openMarketDoor } from "../../../src/data/door/open.ts";
import { writeMicrostructure } from "../../../src/data/hot/store.ts";
import { openWarmCache } from "../../../src/data/warm/cache.ts";
import { openPersistence } from "../../../src/persistence/open.ts";
import type { KrakenRest } from "../../../src/providers/kraken/rest.ts";
import { krakenWarm } from "../../../src/providers/kraken/warm.ts";
import { tempDir } from "../../helpers/tmp.ts";

const H = 3_600_000;
const T = Date.UTC(2024, 4, 1, 12); // the read's end
const SYM = "BTC/USD";

/** A REST client that must never be called: every warm answer here comes from the cache. */
const noRest = new Proxy({}, {
  get: () => () => Promise.reject(new Error("network: not in a PIT read")),
}) as unknown as KrakenRest;

const sec = (ms: number) => Math.floor(ms / 1000);
const ohlcRow = (ts: number) => [sec(ts), "100.0", "101.0", "99.0", "100.5", "100.2", "3.5", 7];
const tradeRow = (ts: number, id: number) => [
  "100.5",
  "0.25",
  ts / 1000,
  "b",
  "m",
  "",
  id,
];

const hotBook = (ts: number) => ({
  ts,
  venue: "kraken",
  symbol: SYM,
  best_bid: 100,
  best_ask: 100.1,
  mid: 100.05,
  spread_bps: 9.995,
  depth_usd_2pct: { bid: 1e6, ask: 1e6 },
  verified: true as const,
  checksum_ok: 1,
  checksum_failed: 0,
  resyncs: 0,
});

async function config(authority: Partial<Record<DataKind, string[]>> = {}): Promise<Config> {
  const { config } = await loadConfig({ configPath: "/nonexistent/cryptorun.yaml", env: {} });
  config.scan.fixture_venues = ["binance"];
  config.tiers.authority = { ...config.tiers.authority, ...authority };
  return config;
}

async function plant(dir: string, cfg: Config): Promise<void> {
  // Cold table: hourly bars from 2 h before to 2 h after `to`.
  await openColdStore(cfg.cold, dir).write(
    cfg.cold.parquet_schema.table,
    [-2, -1, 0, 1, 2].map((h) => ({
      ts: T + h * H,
      symbol: SYM,
      open: 100,
      high: 101,
      low: 99,
      close: 100.5,
      volume: 3,
    })),
  );
  // Hot tier: a verified book before and one after `to`.
  for (const ts of [T - 1_000, T + 1_000]) {
    await writeMicrostructure(dir, "kraken", hotBook(ts), { hotPath: cfg.tiers.hot_path });
  }
  // Database: trades before, at and after `to`.
  const db = await openPersistence(cfg.persistence, dir, {});
  try {
    await db.trades.insertMany([-H, 0, 1, H].map((d, i) => ({
      ts: new Date(T + d),
      symbol: SYM,
      venue: "kraken",
      side: "buy" as const,
      price: 100,
      qty: 1,
      trade_id: i + 1,
    })));
  } finally {
    await db.close();
  }
  // Warm tier: REST responses fetched AFTER `to`, holding data after it.
  const venue = krakenWarm(noRest, { bookDepth: cfg.kraken.book_depth });
  const cache = openWarmCache(`${dir}/${cfg.tiers.warm_path}`);
  const put = (kind: DataKind, body: unknown, fetchedAt: number) =>
    cache.put({ venue: "kraken", ...venue.request(kind, SYM)! }, body, fetchedAt);
  const depth = JSON.parse(
    await Deno.readTextFile(
      new URL("../../../fixtures/kraken/rest/kraken_rest_depth_xbtusdt_recorded.json", import.meta.url),
    ),
  ).result.XBTUSDT;
  const ticker = JSON.parse(
    await Deno.readTextFile(
      new URL("../../../fixtures/kraken/rest/kraken_rest_ticker_xbtusdt_recorded.json", import.meta.url),
    ),
  ).result.XBTUSDT;
  await put("books", { XXBTZUSD: depth }, T + 5_000);
  await put("ticker", { XXBTZUSD: ticker }, T + 5_000);
  // Fetched 3 h after `to`: the closed bars run to T + 1 h (the T + 2 h row is still forming at the fetch).
  await put(
    "bars",
    { XXBTZUSD: [-2, -1, 0, 1, 2].map((h) => ohlcRow(T + h * H)), last: sec(T + 2 * H) },
    T + 3 * H,
  );
  await put(
    "trades",
    { XXBTZUSD: [-2_000, 0, 2_000].map((d, i) => tradeRow(T + d, 100 + i)), last: "1" },
    T + 3_000,
  );
}

Deno.test("data door PIT: every kind, every tier holds rows after `to`; nothing after `to` is ever served", async () => {
  await using dir = await tempDir();
  const base = await config();
  await plant(dir.path, base);
  const warmVenues = { kraken: krakenWarm(noRest, { bookDepth: base.kraken.book_depth }) };

  const cases: Array<
    { kind: DataKind; sources: string[]; req: Partial<DoorRequest>; served: string | null }
  > = [
    { kind: "bars", sources: ["cold:kraken"], req: { from: T - 3 * H }, served: "cold:kraken" },
    { kind: "bars", sources: ["warm:kraken_rest"], req: { from: T - 3 * H }, served: "warm:kraken_rest" },
    { kind: "books", sources: ["hot:kraken_ws"], req: {}, served: "hot:kraken_ws" },
    // The only stored Depth was fetched after `to`: no book at `to`.
    { kind: "books", sources: ["warm:kraken_rest"], req: {}, served: null },
    { kind: "trades", sources: ["cold:db"], req: { from: T - 2 * H }, served: "cold:db" },
    { kind: "trades", sources: ["warm:kraken_rest"], req: { from: T - 2 * H }, served: "warm:kraken_rest" },
    { kind: "ticker", sources: ["warm:kraken_rest"], req: {}, served: null },
    // The default cascades.
    { kind: "bars", sources: base.tiers.authority.bars, req: { from: T - 3 * H }, served: "cold:kraken" },
    { kind: "books", sources: base.tiers.authority.books, req: {}, served: "hot:kraken_ws" },
    { kind: "trades", sources: base.tiers.authority.trades, req: { from: T - 2 * H }, served: "cold:db" },
  ];
  for (const c of cases) {
    const cfg = await config({ [c.kind]: c.sources });
    const door = openMarketDoor(cfg, dir.path, {}, { warmVenues, now: () => T + 4 * H });
    try {
      const read = await door.read(c.kind, { venue: "kraken", symbols: [SYM], to: T, ...c.req });
      const a = read.answers.get(SYM)!;
      const what = `${c.kind} from ${c.sources.join(" > ")}`;
      assert.equal(a.served_by?.source ?? null, c.served, `${what}: ${a.chain.join(", ")}`);
      assert.ok(
        a.rows.every((r) => r.ts <= T),
        `${what} served a row after to: ${a.rows.map((r) => r.ts - T)}`,
      );
      if (c.served) assert.equal(a.rows[a.rows.length - 1].ts <= T, true);
      if (c.kind === "bars" && c.served) {
        assert.deepEqual(a.rows.map((r) => (r.ts - T) / H), [-2, -1, 0], what);
      }
      if (c.kind === "trades" && c.served === "cold:db") {
        assert.deepEqual(a.rows.map((r) => r.ts - T), [-H, 0]);
      }
      if (c.kind === "trades" && c.served === "warm:kraken_rest") {
        assert.deepEqual(a.rows.map((r) => r.ts - T), [-2_000, 0]);
      }
      if (c.kind === "books" && c.served) assert.equal(a.rows[0].ts, T - 1_000);
    } finally {
      await door.close();
    }
  }

  // The shipped fixtures (cold:fixtures, Binance): a window inside their span, never a row after it.
  const fx = openMarketDoor(base, dir.path, {}, { warmVenues });
  const to = Date.UTC(2022, 5, 15);
  const read = await fx.read("bars", { venue: "binance", symbols: ["BTC/USDT"], from: to - 48 * H, to });
  const a = read.answers.get("BTC/USDT")!;
  assert.equal(a.served_by?.source, "cold:fixtures");
  assert.equal(a.rows.length, 49);
  assert.equal(a.rows[a.rows.length - 1].ts, to);
  await fx.close();
});

Deno.test("data door PIT, live reads: a hot book stamped after the door's clock is not served", async () => {
  await using dir = await tempDir();
  const cfg = await config({ books: ["hot:kraken_ws"] });
  const now = T;
  for (const ts of [now - 2_000, now + 10_000]) {
    await writeMicrostructure(dir.path, "kraken", hotBook(ts), { hotPath: cfg.tiers.hot_path });
  }
  const door = openMarketDoor(cfg, dir.path, {}, { now: () => now });
  const read = await door.read("books", { venue: "kraken", symbols: [SYM], to: "now" });
  assert.equal(read.to, now);
  assert.deepEqual(read.answers.get(SYM)!.rows.map((r) => r.ts), [now - 2_000]);
  await door.close();
});

Deno.test("cold:db opens the database on the first trades read only; persistence disabled says so", async () => {
  await using dir = await tempDir();
  const cfg = await config({ trades: ["cold:db"] });
  let opens = 0;
  const door = openMarketDoor(cfg, dir.path, {}, {
    openPersistence: () => {
      opens++;
      return Promise.reject(new Error("server starting"));
    },
  });
  await door.read("books", { venue: "kraken", symbols: [SYM], to: T });
  assert.equal(opens, 0, "the database opened before anything read trades");
  const r1 = await door.read("trades", { venue: "kraken", symbols: [SYM], from: T - H, to: T });
  assert.deepEqual(r1.answers.get(SYM)!.chain, ["cold_failed:server starting"]);
  await door.read("trades", { venue: "kraken", symbols: [SYM], from: T - H, to: T });
  assert.equal(opens, 2, "a failed open is retried on the next read");
  await door.close();

  const off = { ...cfg, persistence: { ...cfg.persistence, enabled: false } };
  const d2 = openMarketDoor(off, dir.path, {});
  const r2 = await d2.read("trades", { venue: "kraken", symbols: [SYM], from: T - H, to: T });
  assert.match(r2.answers.get(SYM)!.chain[0], /^cold_failed:persistence\.enabled is false/);
  await d2.close();
});
