import assert from "node:assert/strict";
import {
  applySnapshot,
  applyUpdate,
  bookChecksum,
  computeChecksum,
  newBook,
} from "../../../src/providers/kraken/book.ts";
import { createFeed } from "../../../src/providers/kraken/feed.ts";
import { normalizePair } from "../../../src/market/symbols.ts";
import { FrameError } from "../../../src/providers/kraken/ws_messages.ts";
import { expectedV1, readLines } from "./fixtures.ts";

const V1 = readLines("book_v1_recorded.jsonl");

Deno.test("v1 recording (10 pairs, 4,269 updates): every checksum verifies, zero failures", () => {
  const exp = expectedV1();
  const feed = createFeed();
  for (const l of V1) feed.handleFrame(l);
  let ok = 0;
  for (const [wsname, e] of Object.entries(exp.per_pair)) {
    const sym = normalizePair(wsname);
    const s = feed.stats.get(sym);
    assert.ok(s, `no stats for ${sym}`);
    assert.equal(s.checksum_failed, 0, sym);
    assert.equal(s.resyncs, 0, sym);
    assert.equal(s.checksum_ok, e.checksums_matched, sym);
    const b = feed.verifiedBook(sym)!;
    assert.ok(b, `${sym} not verified at the end`);
    assert.deepEqual([b.asks[0].priceText, b.asks[0].qtyText], e.final_best_ask, sym);
    assert.deepEqual([b.bids[0].priceText, b.bids[0].qtyText], e.final_best_bid, sym);
    assert.deepEqual({ asks: b.asks.length, bids: b.bids.length }, e.final_book_levels, sym);
    assert.equal(bookChecksum(b), e.last_published_checksum, sym);
    ok += s.checksum_ok;
  }
  assert.equal(ok, exp.total_updates);
  assert.equal(ok, 4269);
});

/** Frames of one pair (by v1 name) with their index in the recording. */
function framesOf(pair: string): string[] {
  return V1.filter((l) => l.endsWith(`"${pair}"]`) || l.includes(`"pair":"${pair}"`));
}

Deno.test("a corrupted update (one qty changed) is detected; nothing is emitted until a fresh snapshot", () => {
  const frames = framesOf("XMR/USD").filter((l) => l.startsWith("["));
  assert.ok(frames.length > 100);
  // Corrupt the first update from #50 on that changes a qty inside the top 10 (the levels the checksum covers:
  // a change deeper in the book is, correctly, invisible to Kraken's checksum).
  const probe = createFeed();
  let k = -1;
  let original = "";
  let corrupted = "";
  for (let i = 0; i < frames.length && k < 0; i++) {
    if (i >= 50) {
      const m = /"(a|b)":\[\["([\d.]+)","([\d.]+)"/.exec(frames[i])!;
      const [side, price, qty] = [m[1], Number(m[2]), m[3]];
      const b = probe.verifiedBook("XMR/USD")!;
      const top = side === "a" ? b.asks : b.bids;
      const inTop = top.length >= 10 && (side === "a" ? price <= top[9].price : price >= top[9].price);
      if (inTop && Number(qty) > 0) {
        k = i;
        original = frames[i];
        const bumped = (Number(qty) + 1).toFixed(qty.split(".")[1].length);
        corrupted = original.replace(`"${qty}"`, `"${bumped}"`);
      }
    }
    probe.handleFrame(frames[i]);
  }
  assert.ok(k > 0 && corrupted !== original);

  // The "exchange": the true book, built from the uncorrupted frames (each verified by Kraken's checksum).
  const truth = createFeed();
  const emitted: number[] = [];
  const resyncs: string[] = [];
  const feed = createFeed({
    handlers: {
      onBook: (_s, _b, ts) => emitted.push(ts ?? -1),
      onResync: (s, v, reason) => resyncs.push(`${s} ${v} ${reason}`),
    },
  });
  for (let i = 0; i <= k + 5; i++) {
    truth.handleFrame(frames[i]);
    feed.handleFrame(i === k ? corrupted : frames[i]);
  }
  const s = feed.stats.get("XMR/USD")!;
  assert.equal(s.checksum_failed, 1);
  assert.equal(s.resyncs, 1);
  assert.deepEqual(resyncs, ["XMR/USD XMR/USD checksum"]);
  assert.equal(s.discarded, 5, "updates after the drop are discarded");
  assert.equal(feed.verifiedBook("XMR/USD"), undefined);
  const emittedBefore = emitted.length;
  assert.equal(emittedBefore, k - 1, "updates 1..k-1 verified; the corrupted one and later ones not");

  // Resubscribe: a fresh snapshot of the true book, then the stream continues and verifies again.
  const tb = truth.verifiedBook("XMR/USD")!;
  const lv = (side: typeof tb.asks) => side.map((l) => [l.priceText, l.qtyText, "1618678140.000000"]);
  feed.handleFrame(JSON.stringify([992, { as: lv(tb.asks), bs: lv(tb.bids) }, "book-1000", "XMR/USD"]));
  assert.equal(emitted.length, emittedBefore, "a v1 snapshot alone is not verified");
  for (let i = k + 6; i < frames.length; i++) feed.handleFrame(frames[i]);
  assert.equal(feed.stats.get("XMR/USD")!.checksum_failed, 1);
  assert.ok(feed.verifiedBook("XMR/USD"));
  assert.equal(emitted.length, emittedBefore + (frames.length - (k + 6)));
});

Deno.test("an update for a book that never had a snapshot is a sequence gap: counted, resync requested", () => {
  const frames = framesOf("OMG/USD").filter((l) => l.startsWith("["));
  const reasons: string[] = [];
  const feed = createFeed({
    handlers: { onResync: (_s, _v, r) => reasons.push(r), onBook: () => assert.fail("emitted") },
  });
  feed.handleFrame(frames[3]); // skip the snapshot
  feed.handleFrame(frames[4]);
  const s = feed.stats.get("OMG/USD")!;
  assert.equal(s.gaps, 1);
  assert.equal(s.discarded, 1);
  assert.deepEqual(reasons, ["gap"]);
});

Deno.test("a crossed book is dropped and resynced, never emitted", () => {
  const reasons: string[] = [];
  const feed = createFeed({
    handlers: { onResync: (_s, _v, r) => reasons.push(r), onBook: () => assert.fail("emitted") },
  });
  feed.handleFrame(
    JSON.stringify([
      1,
      { as: [["100.0", "1.0", "1.0"]], bs: [["99.0", "1.0", "1.0"]] },
      "book-10",
      "XBT/USD",
    ]),
  );
  feed.handleFrame(JSON.stringify([1, { b: [["101.0", "1.0", "2.0"]], c: "123" }, "book-10", "XBT/USD"]));
  assert.equal(feed.stats.get("BTC/USD")!.crossed, 1);
  assert.deepEqual(reasons, ["crossed"]);
  assert.equal(feed.verifiedBook("BTC/USD"), undefined);
});

Deno.test("book maintenance: zero qty deletes, truncation to depth, levels sorted best first", () => {
  const b = newBook(3);
  applySnapshot(b, [{ priceText: "10.0", qtyText: "1" }, { priceText: "11.0", qtyText: "1" }], [
    { priceText: "9.0", qtyText: "1" },
  ]);
  applyUpdate(b, [{ priceText: "9.5", qtyText: "2" }, { priceText: "12.0", qtyText: "1" }, {
    priceText: "13.0",
    qtyText: "1",
  }], [
    { priceText: "8.0", qtyText: "1" },
  ]);
  assert.deepEqual(b.asks.map((l) => l.priceText), ["9.5", "10.0", "11.0"]); // 12, 13 fell out of depth 3
  applyUpdate(b, [{ priceText: "10.0", qtyText: "0.00000000" }], [{ priceText: "9.0", qtyText: "3" }]);
  assert.deepEqual(b.asks.map((l) => l.priceText), ["9.5", "11.0"]);
  assert.deepEqual(b.bids.map((l) => [l.priceText, l.qty]), [["9.0", 3], ["8.0", 1]]);
});

Deno.test("v2: a book for a symbol with no known precision is an error naming the symbol", () => {
  const feed = createFeed();
  const frame = readLines("book_v2_docs_example_no_instrument.jsonl")[0];
  assert.throws(
    () => feed.handleFrame(frame),
    (e: unknown) => e instanceof FrameError && /BTC\/USD/.test(e.message),
  );
  const withAp = createFeed({ precisions: new Map([["BTC/USD", { price: 1, qty: 8 }]]) });
  withAp.handleFrame(frame);
  assert.equal(withAp.stats.get("BTC/USD")!.checksum_ok, 1);
});

Deno.test("malformed frames are FrameErrors naming the field", () => {
  const feed = createFeed();
  assert.throws(() => feed.handleFrame("{not json"), FrameError);
  assert.throws(
    () => feed.handleFrame(JSON.stringify([1, { a: [["x", "1", "1"]], c: "1" }, "book-10", "XBT/USD"])),
    (e: unknown) => e instanceof FrameError && /a\.0\.0/.test(e.message),
  );
});

Deno.test("v1 trades and tickers from the recorded session parse; trades carry side and time", () => {
  const trades: Array<{ symbol: string; side: string; ts: number; price: number }> = [];
  let tickers = 0;
  const feed = createFeed({
    handlers: { onTrades: (_s, t) => trades.push(...t), onTicker: () => tickers++ },
  });
  for (const l of readLines("trade_ticker_v1_recorded.jsonl")) feed.handleFrame(l);
  assert.ok(trades.length > 0 && tickers > 0);
  const first = trades.find((t) => t.symbol === "XMR/USD")!;
  assert.deepEqual(first, {
    symbol: "XMR/USD",
    price: 354.11,
    qty: 0.89594024,
    ts: 1618678142557.535,
    side: "sell",
    ordType: "limit",
  });
});

Deno.test("the incremental (cached prefix) checksum equals a from-scratch CRC after every recorded update", () => {
  let compared = 0;
  const feed = createFeed({
    handlers: {
      onBook: (_s, book) => {
        assert.equal(bookChecksum(book), computeChecksum(book));
        compared++;
      },
    },
  });
  for (const l of V1) feed.handleFrame(l);
  assert.equal(compared, 4269);
});
