import assert from "node:assert/strict";
import { createDataDoor } from "../../../src/data/door/door.ts";
import { openWarmCache } from "../../../src/data/warm/cache.ts";
import { warmSource } from "../../../src/data/warm/source.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { fakeVenue, type QuoteRow } from "./fake_venue.ts";

const T = 1_700_000_000_000;
type K = { books: QuoteRow; trades: QuoteRow };

async function setup(trades: number[] = []) {
  const dir = await tempDir();
  let clock = T;
  const v = fakeVenue(trades);
  const cache = openWarmCache(dir.path);
  const ratios: number[] = [];
  const mk = <Kind extends "books" | "trades">(kind: Kind, ttlMs: number) =>
    warmSource<K, Kind>({ kind, venue: v.venue, cache, ttlMs, now: () => clock });
  const door = createDataDoor<K>({
    sources: { books: [mk("books", 15_000)], trades: [mk("trades", 30_000)] },
    now: () => clock,
    metrics: { hitRatio: (tier, r) => tier === "warm" && ratios.push(r) },
  });
  return {
    dir,
    v,
    cache,
    door,
    ratios,
    set: (t: number) => (clock = t),
  };
}

Deno.test("warm source, live reads: fetched on a miss, served from disk within the TTL, refetched after it", async () => {
  const s = await setup();
  await using _ = s.dir;
  const read = () => s.door.read("books", { venue: "kraken", symbols: ["BTC/USD"], to: "now" });
  const first = (await read()).answers.get("BTC/USD")!;
  assert.deepEqual(first.served_by, { tier: "warm", source: "warm:kraken_rest" });
  assert.deepEqual(first.rows, [{ ts: T, symbol: "BTC/USD", fetch: 1 }]);
  s.set(T + 15_000); // at the TTL: still a hit (bounds inclusive)
  const second = (await read()).answers.get("BTC/USD")!;
  assert.equal(second.rows[0].fetch, 1);
  assert.equal(second.age_ms, 15_000);
  s.set(T + 15_001);
  const third = (await read()).answers.get("BTC/USD")!;
  assert.equal(third.rows[0].fetch, 2);
  assert.equal(third.age_ms, 0);
  assert.equal(s.v.fetches, 2);
  assert.deepEqual(s.v.requests[0], { endpoint: "Depth", params: { count: "10", symbol: "BTC/USD" } });
  // miss, hit, miss: the warm hit ratio after each read.
  assert.deepEqual(s.ratios, [0, 1 / 2, 1 / 3]);
});

Deno.test("warm source: a failed refetch serves the stored response flagged stale; with nothing stored it fails over", async () => {
  const s = await setup();
  await using _ = s.dir;
  await s.door.read("books", { venue: "kraken", symbols: ["BTC/USD"], to: "now" });
  s.set(T + 60_000);
  s.v.fail = true;
  const read = await s.door.read("books", { venue: "kraken", symbols: ["BTC/USD", "ETH/USD"], to: "now" });
  const btc = read.answers.get("BTC/USD")!;
  assert.equal(btc.stale, true);
  assert.deepEqual(btc.chain, ["warm_stale:60000ms"]);
  assert.equal(btc.rows[0].fetch, 1);
  const eth = read.answers.get("ETH/USD")!;
  assert.equal(eth.served_by, null);
  assert.deepEqual(eth.chain, ["warm_failed:ECONNREFUSED 127.0.0.1:1"]);
});

Deno.test("warm source PIT: a non-live read never fetches; a book fetched after `to` is no book at `to`; trades are clamped", async () => {
  const s = await setup([T - 5_000, T - 1_000, T + 2_000]);
  await using _ = s.dir;
  // Nothing stored: a point-in-time read is a miss, and the REST API is not called.
  const cold = await s.door.read("books", { venue: "kraken", symbols: ["BTC/USD"], to: T });
  assert.deepEqual(cold.answers.get("BTC/USD")!.chain, ["warm_miss"]);
  assert.equal(s.v.fetches, 0);
  // Fetch at T + 3 s (live).
  s.set(T + 3_000);
  await s.door.read("books", { venue: "kraken", symbols: ["BTC/USD"], to: "now" });
  await s.door.read("trades", { venue: "kraken", symbols: ["BTC/USD"], to: "now" });
  assert.equal(s.v.fetches, 2);
  // As of T the stored book (observed at T + 3 s) does not exist yet.
  const book = await s.door.read("books", { venue: "kraken", symbols: ["BTC/USD"], to: T });
  assert.equal(book.answers.get("BTC/USD")!.served_by, null);
  assert.deepEqual(book.answers.get("BTC/USD")!.chain, ["warm_miss"]);
  // The stored trades up to T are history: served, the one at T + 2 s is not.
  const trades = await s.door.read("trades", {
    venue: "kraken",
    symbols: ["BTC/USD"],
    from: T - 10_000,
    to: T,
  });
  assert.deepEqual(trades.answers.get("BTC/USD")!.rows.map((r) => r.ts), [T - 5_000, T - 1_000]);
  assert.equal(trades.answers.get("BTC/USD")!.age_ms, 1_000);
  assert.equal(s.v.fetches, 2);
});
