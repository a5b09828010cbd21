import assert from "node:assert/strict";
import { bookChecksum } from "../../../src/providers/kraken/book.ts";
import { createFeed, type Feed } from "../../../src/providers/kraken/feed.ts";
import { backoffDelay, createKrakenWs, type WsRunResult } from "../../../src/providers/kraken/ws_client.ts";
import { registry } from "../../../src/metrics/registry.ts";
import { type FakeKraken, type FakeOptions, startFakeKraken } from "./fake_kraken_ws.ts";

interface Run {
  fake: FakeKraken;
  feed: Feed;
  result: WsRunResult;
  resyncs: string[];
}

/** Every pair's book is verified and at the recording's final state (Kraken's last published checksum). */
const atEnd = (feed: Feed, fake: FakeKraken) =>
  fake.pairs.every((p) => {
    const b = feed.verifiedBook(p.symbol);
    return b !== undefined && bookChecksum(b) === p.updates.at(-1)!.checksum;
  });

/** Runs the real client against the fake until the whole recording is verified (fails after a deadline). */
async function runAgainst(opts: FakeOptions, client: { silenceMs?: number } = {}): Promise<Run> {
  const fake = startFakeKraken(opts);
  const stop = new AbortController();
  const resyncs: string[] = [];
  const holder: { ws?: ReturnType<typeof createKrakenWs> } = {};
  const feed = createFeed({
    depth: 1000,
    handlers: {
      onResync: (s, v, reason) => {
        resyncs.push(`${s}:${reason}`);
        holder.ws!.resync(v);
      },
    },
  });
  holder.ws = createKrakenWs({
    url: fake.url,
    symbols: fake.pairs.map((p) => p.symbol),
    depth: 1000,
    feed,
    signal: stop.signal,
    silenceMs: client.silenceMs ?? 5000,
    backoffBaseMs: 20,
    backoffCapMs: 100,
    random: () => 0.5,
  });
  const running = holder.ws.run();
  const deadline = Date.now() + 20_000; // a failure deadline, not a timing assertion
  try {
    while (!atEnd(feed, fake)) {
      if (Date.now() > deadline) {
        assert.fail(`recording not fully verified; stats ${JSON.stringify([...feed.stats])}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    stop.abort();
    await running.catch(() => {});
    await fake.close();
  }
  return { fake, feed, result: await running, resyncs };
}

const bookSubs = (fake: FakeKraken, conn: number) =>
  fake.received.filter((m) =>
    m.conn === conn && m.method === "subscribe" && (m.params as { channel: string }).channel === "book"
  );

async function reconnectsMetric(): Promise<number> {
  const m = await registry.getSingleMetricAsString("cryptorun_ws_reconnects_total");
  const line = m.split("\n").find((l) => l.startsWith('cryptorun_ws_reconnects_total{provider="kraken"}'));
  return line ? Number(line.split(" ").pop()) : 0;
}

Deno.test("live path: every book update from a loopback v2 server replaying the recording verifies", async () => {
  const { fake, feed, result } = await runAgainst({ pairs: ["XMR/USD", "OMG/USD"] });
  assert.equal(result.connections, 1);
  assert.equal(result.frameErrors, 0);
  for (const p of fake.pairs) {
    const s = feed.stats.get(p.symbol)!;
    assert.equal(s.checksum_failed, 0, p.symbol);
    assert.equal(s.checksum_ok, p.updates.length, `${p.symbol}: snapshot + ${p.updates.length - 1} updates`);
  }
  // Instrument first (the precisions), then the books at the configured depth.
  const first = fake.received.filter((m) => m.method === "subscribe").map((m) =>
    (m.params as { channel: string }).channel
  );
  assert.deepEqual(first.slice(0, 2), ["instrument", "book"]);
  assert.equal((bookSubs(fake, 1)[0].params as { depth: number }).depth, 1000);
});

Deno.test("live path: reconnects with backoff after the server drops, resubscribes, and verifies again", async () => {
  const before = await reconnectsMetric();
  const { fake, feed, result } = await runAgainst({ pairs: ["XMR/USD"], dropAfter: 200 });
  assert.equal(result.connections, 2);
  assert.equal(result.reconnects, 1);
  assert.equal(await reconnectsMetric(), before + 1);
  assert.equal(bookSubs(fake, 2).length, 1, "resubscribed on the new connection");
  const s = feed.stats.get("XMR/USD")!;
  assert.equal(s.checksum_failed, 0);
  // 200 updates + 1 snapshot on the first connection, a fresh snapshot + the rest on the second.
  assert.equal(s.checksum_ok, fake.pairs[0].updates.length + 1);
});

Deno.test("live path: a corrupted update is detected, the book resubscribed, and verification resumes", async () => {
  const { fake, feed, result, resyncs } = await runAgainst({
    pairs: ["XMR/USD"],
    corrupt: { pair: "XMR/USD", index: 100 },
  });
  assert.equal(result.connections, 1, "no reconnect needed: only that book is resubscribed");
  const s = feed.stats.get("XMR/USD")!;
  assert.equal(s.checksum_failed, 1);
  assert.equal(s.resyncs, 1);
  assert.deepEqual(resyncs, ["XMR/USD:checksum"]);
  const unsub = fake.received.filter((m) => m.method === "unsubscribe");
  assert.equal(unsub.length, 1);
  assert.deepEqual((unsub[0].params as { symbol: string[] }).symbol, ["XMR/USD"]);
  assert.equal(bookSubs(fake, 1).length, 2, "subscribed again for a fresh snapshot");
});

Deno.test("live path: a silent server (no frames, no heartbeats) triggers a reconnect", async () => {
  const { result, feed } = await runAgainst({ pairs: ["OMG/USD"], silentAfter: 100 }, { silenceMs: 1000 });
  assert.equal(result.connections, 2);
  assert.equal(feed.stats.get("OMG/USD")!.checksum_failed, 0);
});

Deno.test("backoff: capped exponential with full jitter", () => {
  assert.equal(backoffDelay(0, 500, 30_000, () => 1), 500);
  assert.equal(backoffDelay(3, 500, 30_000, () => 1), 4000);
  assert.equal(backoffDelay(10, 500, 30_000, () => 1), 30_000);
  assert.equal(backoffDelay(10, 500, 30_000, () => 0.25), 7500);
  assert.equal(backoffDelay(2, 500, 30_000, () => 0), 0);
});
