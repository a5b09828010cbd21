import assert from "node:assert/strict";
import { createFeed } from "../../../src/providers/kraken/feed.ts";
import { createKrakenWs } from "../../../src/providers/kraken/ws_client.ts";
import { FrameError } from "../../../src/providers/kraken/ws_messages.ts";
import { readLines } from "./fixtures.ts";

/**
 * Frames Kraken would not send must be FrameErrors naming the field (replay: InputError file:line; live: logged
 * and counted) — never another error type, which a live socket handler cannot catch, and never a half-applied
 * book that is still handed out as verified.
 */

/** Kraken's published v2 example: instrument (BTC/USD precisions 1/8), then a verified depth-10 snapshot. */
const V2_EXAMPLE = readLines("book_v2_docs_example.jsonl");

const v2Book = (type: string, bids: Array<[number, number]>, asks: Array<[number, number]> = []) =>
  JSON.stringify({
    channel: "book",
    type,
    data: [{
      symbol: "BTC/USD",
      bids: bids.map(([price, qty]) => ({ price, qty })),
      asks: asks.map(([price, qty]) => ({ price, qty })),
      checksum: 1,
      timestamp: "2023-10-06T17:35:56.000000Z",
    }],
  });

const v2Trade = (symbol: string, price: number) =>
  JSON.stringify({
    channel: "trade",
    type: "update",
    data: [{ symbol, side: "buy", price, qty: 1, timestamp: "2023-10-06T17:35:56.000000Z" }],
  });

/** [frame, what the FrameError must name]. */
const BAD: Array<[string, RegExp]> = [
  [v2Book("update", [[0, 1]]), /book data\.0\.bids\.0\.price/],
  // Positive, but 0.0 at the pair's price precision (1): no level can have that price.
  [v2Book("update", [[0.01, 1]]), /book BTC\/USD: price: not a positive number: 0\.0/],
  [v2Book("update", [[1e22, 1]]), /value too large to format/],
  [v2Trade("BTC/USD", 0), /trade data\.0\.price/],
  [v2Trade("BTCUSD", 100), /not a BASE\/QUOTE pair name: BTCUSD/],
  ['[1,{"a":[["0.0","1.0","1618678140.1"]],"c":"1"},"book-10","XBT/USD"]', /book XBT\/USD a\.0\.0/],
  ['[1,{"a":[["1.0","1.0","soon"]],"c":"1"},"book-10","XBT/USD"]', /book XBT\/USD a\.0\.2/],
  ['[1,[["0","1.0","1618678140.1","b","m",""]],"trade","XBT/USD"]', /trade XBT\/USD 0\.0/],
  ['[1,{"a":[["1.0","1.0","1618678140.1"]],"c":"1"},"book-10","XBTUSD"]', /not a BASE\/QUOTE pair name/],
];

Deno.test("bad frames are FrameErrors naming the field; a level that cannot be applied drops the book", () => {
  for (const [frame, re] of BAD) {
    const reasons: string[] = [];
    const feed = createFeed({ handlers: { onResync: (_s, _v, r) => reasons.push(r) } });
    for (const l of V2_EXAMPLE) feed.handleFrame(l);
    assert.ok(feed.verifiedBook("BTC/USD"), "the example book verifies");
    const before = feed.verifiedBook("BTC/USD")!.bids.map((l) => l.priceText);
    assert.throws(() => feed.handleFrame(frame), (e) => e instanceof FrameError && re.test(e.message), frame);
    const book = feed.verifiedBook("BTC/USD");
    if (reasons.length > 0) {
      // The update was partly applied before the bad level: the book is dropped, never served.
      assert.deepEqual(reasons, ["invalid"], frame);
      assert.equal(book, undefined, frame);
    } else {
      // Rejected before any level was applied: the verified book is untouched.
      assert.deepEqual(book!.bids.map((l) => l.priceText), before, frame);
    }
  }
  // The half-applied case really is one: a good level first, then the unusable one.
  const reasons: string[] = [];
  const feed = createFeed({ handlers: { onResync: (_s, _v, r) => reasons.push(r) } });
  for (const l of V2_EXAMPLE) feed.handleFrame(l);
  assert.throws(() => feed.handleFrame(v2Book("update", [[45283.4, 1], [0.01, 1]])), FrameError);
  assert.deepEqual(reasons, ["invalid"]);
  assert.equal(feed.verifiedBook("BTC/USD"), undefined);
  assert.equal(feed.stats.get("BTC/USD")!.resyncs, 1);
});

Deno.test("live path: bad frames are logged and counted; the session keeps running", async () => {
  // A loopback v2 server: on the instrument subscription it sends the example's frames, every bad frame, then
  // one good frame last (a heartbeat) — the client stops once it has received that.
  const frames = [...V2_EXAMPLE, ...BAD.map(([f]) => f), '{"channel":"heartbeat"}'];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg.method === "subscribe" && msg.params?.channel === "instrument") {
        for (const f of frames) socket.send(f);
      }
    };
    return response;
  });
  const stop = new AbortController();
  let received = 0;
  const feed = createFeed({ depth: 10 });
  const ws = createKrakenWs({
    url: `ws://127.0.0.1:${server.addr.port}`,
    symbols: ["BTC/USD"],
    depth: 10,
    feed,
    signal: stop.signal,
    onFrame: () => {
      if (++received === frames.length) queueMicrotask(() => stop.abort());
    },
  });
  try {
    const r = await ws.run();
    assert.equal(r.frames, frames.length);
    assert.equal(r.frameErrors, BAD.length);
    assert.equal(r.connections, 1);
    assert.equal(feed.stats.get("BTC/USD")!.checksum_ok, 1);
  } finally {
    stop.abort();
    await server.shutdown();
  }
});
