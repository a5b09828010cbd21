import assert from "node:assert/strict";
import type { ClosedBar } from "../../src/market/bars.ts";
import type { MicrostructureSnapshot } from "../../src/market/snapshot.ts";
import { registry } from "../../src/metrics/registry.ts";
import { createIngestPipeline } from "../../src/ingest/pipeline.ts";
import type { FeedCounters, FeedFactory } from "../../src/ingest/ports.ts";
import type { BookSides } from "../../src/market/microstructure.ts";
import { krakenFeed } from "../../src/providers/kraken/venue.ts";
import { readLines } from "../providers/kraken/fixtures.ts";

async function metricValue(name: string, labels: string): Promise<number> {
  const m = await registry.getSingleMetricAsString(name);
  const line = m.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(" ").pop()) : 0;
}

const XMR = readLines("book_v1_recorded.jsonl").filter((l) => l.endsWith('"XMR/USD"]'));

Deno.test("pipeline: hot snapshots at most one per symbol per interval of exchange time, plus the final state", async () => {
  const hot: MicrostructureSnapshot[] = [];
  const pipe = createIngestPipeline({
    venue: "kraken",
    feed: krakenFeed(),
    hotIntervalMs: 5000,
    sinks: { hot: (s) => Promise.resolve(void hot.push(...s)) },
  });
  for (const l of XMR) pipe.feed.handleFrame(l);
  await pipe.finish();
  assert.ok(hot.length >= 3 && hot.length <= 10, `${hot.length} snapshots`);
  for (let i = 1; i < hot.length - 1; i++) assert.ok(hot[i].ts - hot[i - 1].ts >= 5000);
  const last = hot.at(-1)!;
  assert.equal(last.best_bid, 353.64);
  assert.equal(last.best_ask, 354.48);
  assert.equal(last.checksum_ok, 846);
  assert.ok(hot.every((s) => s.verified && s.venue === "kraken" && s.symbol === "XMR/USD"));
  assert.deepEqual(pipe.written(), { hot: hot.length, trades: 0, bars: 0 });
  const sum = pipe.summary().symbols["XMR/USD"];
  assert.equal(sum.best_bid, last.best_bid);
  assert.deepEqual(sum.depth_usd_2pct, last.depth_usd_2pct);
});

Deno.test("pipeline: a checksum failure is counted in the metrics and nothing is written after it", async () => {
  const failures = () =>
    metricValue("cryptorun_book_checksum_failures_total", 'provider="kraken",symbol="XMR/USD"');
  const resyncs = () => metricValue("cryptorun_book_resyncs_total", 'provider="kraken",reason="checksum"');
  const [f0, r0] = [await failures(), await resyncs()];
  const hot: MicrostructureSnapshot[] = [];
  const requested: string[] = [];
  const pipe = createIngestPipeline({
    venue: "kraken",
    feed: krakenFeed(),
    hotIntervalMs: 0,
    sinks: { hot: (s) => Promise.resolve(void hot.push(...s)) },
    onResync: (s, v, r) => requested.push(`${s} ${v} ${r}`),
  });
  const frames = [...XMR];
  const k = frames.findIndex((l) => l.includes('"c":"'));
  frames[k + 10] = frames[k + 10].replace(/"c":"(\d+)"/, (_m, c) => `"c":"${(Number(c) + 1) % 2 ** 32}"`);
  for (const l of frames) pipe.feed.handleFrame(l);
  await pipe.finish();
  assert.equal(await failures(), f0 + 1);
  assert.equal(await resyncs(), r0 + 1);
  assert.deepEqual(requested, ["XMR/USD XMR/USD checksum"]);
  assert.equal(hot.length, 10, "the 10 verified updates before the failure; none after");
  assert.deepEqual(pipe.summary().symbols["XMR/USD"].checksum_failed, 1);
});

Deno.test("pipeline: trades become closed 1-minute bars; an open minute is not written", async () => {
  const bars: ClosedBar[] = [];
  const pipe = createIngestPipeline({
    venue: "kraken",
    feed: krakenFeed(),
    sinks: { bars: (b) => Promise.resolve(void bars.push(...b)) },
  });
  const t = (ms: number, price: number) =>
    JSON.stringify({
      channel: "trade",
      type: "update",
      data: [{
        symbol: "BTC/USD",
        side: "sell",
        price,
        qty: 1,
        trade_id: ms,
        timestamp: new Date(ms).toISOString(),
      }],
    });
  // The stream starts exactly on a minute boundary, so its first minute is complete.
  for (const [ms, p] of [[60_000, 10], [119_000, 12], [121_000, 11], [185_000, 9]]) {
    pipe.feed.handleFrame(t(ms, p));
  }
  await pipe.finish();
  assert.deepEqual(bars, [
    { ts: 60_000, symbol: "BTC/USD", open: 10, high: 12, low: 10, close: 12, volume: 2 },
    { ts: 120_000, symbol: "BTC/USD", open: 11, high: 11, low: 11, close: 11, volume: 1 },
  ]);
  assert.equal(pipe.summary().incomplete_bars, 0);
  assert.ok(pipe.feed.stats.get("BTC/USD")!.trade_gaps >= 1, "non-consecutive trade ids are gaps");
});

const trade = (symbol: string, ms: number, price: number, id = ms) =>
  JSON.stringify({
    channel: "trade",
    type: "update",
    data: [{ symbol, side: "buy", price, qty: 1, trade_id: id, timestamp: new Date(ms).toISOString() }],
  });

Deno.test("pipeline: the minute in which the stream starts is partial and never written as complete", async () => {
  const bars: ClosedBar[] = [];
  const pipe = createIngestPipeline({
    venue: "kraken",
    feed: krakenFeed(),
    sinks: { bars: (b) => Promise.resolve(void bars.push(...b)) },
  });
  // First message at 00:00:42 — the 00:00 minute's trades before it were never seen.
  for (const [ms, p] of [[42_000, 10], [59_000, 12], [61_000, 11], [119_500, 13], [125_000, 9]]) {
    pipe.feed.handleFrame(trade("BTC/USD", ms, p));
  }
  await pipe.finish();
  assert.deepEqual(bars, [
    { ts: 60_000, symbol: "BTC/USD", open: 11, high: 13, low: 11, close: 13, volume: 2 },
  ]);
  assert.ok(bars.every((b) => b.ts >= 42_000), "PIT: no bar from before the first message");
  assert.equal(pipe.summary().incomplete_bars, 1);
  assert.equal(pipe.written().bars, 1);
});

Deno.test("pipeline: a reconnect drops the minutes it interrupted and the partial minute after it", async () => {
  const bars: ClosedBar[] = [];
  const pipe = createIngestPipeline({
    venue: "kraken",
    feed: krakenFeed(),
    sinks: { bars: (b) => Promise.resolve(void bars.push(...b)) },
  });
  let id = 0;
  const send = (ms: number, p: number, sym = "BTC/USD") => pipe.feed.handleFrame(trade(sym, ms, p, ++id));
  send(60_000, 10); // coverage from exactly 00:01:00
  send(110_000, 11);
  send(121_000, 12); // closes 00:01 (complete)
  send(150_000, 5, "ETH/USD");
  send(175_000, 6, "ETH/USD"); // ETH's 00:02 bar is open; the stream was last seen alive at 00:02:55
  send(179_000, 13); // BTC's 00:02 bar is open too
  pipe.feed.resetAll(); // the connection dropped; the next connection's first message is at 00:03:20
  send(200_000, 14);
  send(230_000, 15); // same minute (00:03), partial: trades 00:03:00-00:03:20 were missed
  send(260_000, 16); // 00:04 opens → 00:03 closes (dropped)
  send(300_000, 17); // 00:05 opens → 00:04 closes (complete)
  await pipe.finish();
  assert.deepEqual(bars.map((b) => [b.symbol, b.ts, b.open, b.close]), [
    ["BTC/USD", 60_000, 10, 11],
    ["BTC/USD", 240_000, 16, 16],
  ]);
  // Dropped: BTC 00:02 and ETH 00:02 (interrupted by the gap), BTC 00:03 (began before the reconnect).
  assert.equal(pipe.summary().incomplete_bars, 3);
});

Deno.test("pipeline: a bar that ended before the stream went quiet and dropped survives the reconnect", async () => {
  const bars: ClosedBar[] = [];
  const pipe = createIngestPipeline({
    venue: "kraken",
    feed: krakenFeed(),
    sinks: { bars: (b) => Promise.resolve(void bars.push(...b)) },
  });
  pipe.feed.handleFrame(trade("BTC/USD", 60_000, 10, 1));
  pipe.feed.handleFrame(trade("BTC/USD", 90_000, 11, 2));
  pipe.feed.handleFrame(trade("ETH/USD", 125_000, 5, 3)); // stream alive at 00:02:05: BTC's 00:01 is whole
  pipe.feed.resetAll();
  pipe.feed.handleFrame(trade("BTC/USD", 200_000, 12, 4));
  await pipe.flush();
  assert.deepEqual(bars, [{
    ts: 60_000,
    symbol: "BTC/USD",
    open: 10,
    high: 11,
    low: 10,
    close: 11,
    volume: 2,
  }]);
  assert.equal(pipe.summary().incomplete_bars, 1); // ETH 00:02 spanned the gap
});

Deno.test("pipeline: venue-free — a fake venue's feed drives snapshots (labelled with that venue) and bars", async () => {
  const books = new Map<string, BookSides>();
  const stats = new Map<string, FeedCounters>();
  let frames = 0;
  const fakeFeed: FeedFactory = (events) => ({
    handleFrame(text) {
      frames++;
      const m = JSON.parse(text) as { sym: string; ts: number; bid?: number; ask?: number; trade?: number };
      if (m.trade !== undefined) {
        events.onTrades(m.sym, [{ symbol: m.sym, price: m.trade, qty: 1, side: "buy", ts: m.ts }]);
        return;
      }
      books.set(m.sym, { bids: [[m.bid!, 1]], asks: [[m.ask!, 1]] });
      const s = stats.get(m.sym) ?? { checksum_ok: 0, checksum_failed: 0, resyncs: 0, book_messages: 0 };
      s.checksum_ok++;
      s.book_messages++;
      stats.set(m.sym, s);
      events.onBook(m.sym, m.ts);
    },
    verifiedBook: (s) => books.get(s),
    stats,
    messages: () => frames,
    resetAll() {},
  });
  const hot: MicrostructureSnapshot[] = [];
  const bars: ClosedBar[] = [];
  const pipe = createIngestPipeline({
    venue: "testex",
    feed: fakeFeed,
    hotIntervalMs: 0,
    sinks: {
      hot: (s) => Promise.resolve(void hot.push(...s)),
      bars: (b) => Promise.resolve(void bars.push(...b)),
    },
  });
  pipe.feed.handleFrame(JSON.stringify({ sym: "SOL/USD", ts: 60_000, bid: 99, ask: 101 }));
  pipe.feed.handleFrame(JSON.stringify({ sym: "SOL/USD", ts: 60_000, trade: 100 }));
  pipe.feed.handleFrame(JSON.stringify({ sym: "SOL/USD", ts: 130_000, trade: 102 }));
  await pipe.finish();
  assert.equal(hot.length, 1);
  assert.equal(hot[0].venue, "testex");
  assert.equal(hot[0].mid, 100);
  assert.equal(hot[0].checksum_ok, 1);
  // The 00:01 minute closed (a print from 00:02 arrived); the 00:02 minute has not ended by the last event.
  assert.deepEqual(bars.map((b) => [b.ts, b.symbol, b.open, b.close]), [[60_000, "SOL/USD", 100, 100]]);
  assert.equal(pipe.summary().symbols["SOL/USD"].best_bid, 99);
});
