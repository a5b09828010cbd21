import assert from "node:assert/strict";
import type { Config } from "../../src/config/schema.ts";
import { openColdStore } from "../../src/data/cold/store.ts";
import type { OhlcvRow } from "../../src/market/ohlcv.ts";
import { nullLogger } from "../../src/log/logger.ts";
import { readMicrostructure } from "../../src/data/hot/store.ts";
import { checkpointPath, createIngestPoller } from "../../src/ingest/poll.ts";
import type { BarVenue } from "../../src/ingest/ports.ts";
import { krakenBars, krakenLive } from "../../src/providers/kraken/venue.ts";
import { createKrakenRest } from "../../src/providers/kraken/rest.ts";
import { tempDir } from "../helpers/tmp.ts";
import { defaultConfig } from "../health/fake_sources.ts";
import { type FakeKrakenRest, startFakeKrakenRest } from "../providers/kraken/fake_kraken_rest.ts";
import { startFakeKraken } from "../providers/kraken/fake_kraken_ws.ts";

// The loopback WebSocket fake replays the recorded session; its USD pairs are XMR/USD and OMG/USD.
const SYMBOLS = ["XMR/USD", "OMG/USD"];

async function config(rest: FakeKrakenRest, tweak: (c: Config) => void = () => {}): Promise<Config> {
  return await defaultConfig((c) => {
    c.kraken.rest_base_url = rest.url;
    c.kraken.ws_url = "ws://127.0.0.1:9/unused"; // never dialled while poll_book_seconds is 0
    c.kraken.symbols = [...SYMBOLS];
    c.kraken.poll_book_seconds = 0;
    c.persistence.enabled = false;
    tweak(c);
  });
}

function poller(cfg: Config, dataDir: string) {
  // Fast retries (the backoff itself is the REST client's, tested in rest_test.ts).
  const rest = createKrakenRest({
    baseUrl: cfg.kraken.rest_base_url,
    tier: "pro",
    timeoutMs: 5_000,
    maxRetries: 3,
    startingDelayMs: 1,
    maxDelayMs: 5,
  });
  const k = cfg.kraken;
  return createIngestPoller({
    config: cfg,
    dataDir,
    env: {},
    log: nullLogger,
    venue: krakenBars(rest),
    symbols: k.symbols,
    books: {
      venue: krakenLive(k),
      seconds: k.poll_book_seconds,
      barsTable: k.bars_table,
      hotIntervalMs: k.hot_snapshot_interval_ms,
    },
  });
}

async function stored(cfg: Config, dataDir: string): Promise<OhlcvRow[]> {
  const store = openColdStore(cfg.cold, dataDir);
  const out: OhlcvRow[] = [];
  for await (const r of store.read(cfg.cold.parquet_schema.table, { from: 0, to: Number.MAX_SAFE_INTEGER })) {
    out.push(r as OhlcvRow);
  }
  return out;
}

const ohlcRequests = (f: FakeKrakenRest) => f.requests.filter((r) => r.endpoint === "OHLC");

Deno.test("poll: first run writes the closed hourly bars only — the forming last row is not written (PIT)", async () => {
  await using dir = await tempDir();
  const rest = startFakeKrakenRest({ visible: 6 });
  try {
    const cfg = await config(rest);
    const s = await poller(cfg, dir.path).run(new AbortController().signal);
    assert.deepEqual(s.errors, []);
    assert.equal(s.bars_written, 10);
    assert.equal(s.hot_snapshots, 0);
    const closed = rest.rows.slice(0, 5);
    const forming = rest.rows[5];
    for (const sym of SYMBOLS) {
      assert.equal(s.symbols[sym].bars_written, 5);
      assert.equal(s.symbols[sym].since, null);
      assert.equal(s.symbols[sym].last_bar_ts, closed[4][0] * 1000);
      assert.equal(s.symbols[sym].book_verified, null);
    }
    assert.equal(s.symbols["XMR/USD"].pair, "XXMRZUSD");
    assert.equal(s.symbols["OMG/USD"].pair, "OMGUSD");
    // No `since` without stored bars; interval 60 always.
    assert.deepEqual(ohlcRequests(rest).map((r) => [r.params.pair, r.params.interval, r.params.since]), [
      ["XXMRZUSD", "60", undefined],
      ["OMGUSD", "60", undefined],
    ]);

    const rows = await stored(cfg, dir.path);
    assert.equal(rows.length, 10);
    for (const sym of SYMBOLS) {
      const mine = rows.filter((r) => r.symbol === sym);
      assert.deepEqual(
        mine.map((r) => [r.ts, r.open, r.high, r.low, r.close, r.volume]),
        closed.map((
          r,
        ) => [r[0] * 1000, Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4]), Number(r[6])]),
      );
    }
    // PIT: nothing at or after the forming candle's open, nothing beyond the last closed bar.
    assert.ok(rows.every((r) => r.ts <= closed[4][0] * 1000));
    assert.ok(!rows.some((r) => r.ts === forming[0] * 1000));
    const ck = JSON.parse(await Deno.readTextFile(checkpointPath(cfg, dir.path, "kraken")));
    assert.deepEqual(ck, {
      version: 1,
      interval_min: 60,
      last_bar_ts: { "XMR/USD": closed[4][0] * 1000, "OMG/USD": closed[4][0] * 1000 },
    });
  } finally {
    await rest.close();
  }
});

Deno.test("poll: later runs send `since` and write only new closed bars — never a duplicate", async () => {
  await using dir = await tempDir();
  const rest = startFakeKrakenRest({ visible: 6 });
  try {
    const cfg = await config(rest);
    const p = poller(cfg, dir.path);
    const ctl = new AbortController();
    assert.equal((await p.run(ctl.signal)).bars_written, 10);

    // Time passes: five more hours close (the previously forming row 5 is now closed), row 10 forms.
    rest.visible = 11;
    rest.requests.length = 0;
    const s2 = await p.run(ctl.signal);
    assert.deepEqual(s2.errors, []);
    assert.equal(s2.bars_written, 10);
    for (const sym of SYMBOLS) {
      assert.equal(s2.symbols[sym].since, rest.rows[4][0] * 1000);
      assert.equal(s2.symbols[sym].bars_written, 5);
    }
    // The fake answers since inclusively (row 4 comes back): the poller drops what is stored.
    assert.deepEqual(ohlcRequests(rest).map((r) => r.params.since), [
      String(rest.rows[4][0]),
      String(rest.rows[4][0]),
    ]);
    let rows = await stored(cfg, dir.path);
    assert.equal(rows.length, 20);
    const keys = rows.map((r) => `${r.ts}|${r.symbol}`);
    assert.equal(new Set(keys).size, keys.length, "no duplicate (ts, symbol)");
    assert.deepEqual(
      [...new Set(rows.map((r) => r.ts))],
      rest.rows.slice(0, 10).map((r) => r[0] * 1000),
    );

    // Nothing new: nothing written.
    const s3 = await p.run(ctl.signal);
    assert.equal(s3.bars_written, 0);
    assert.deepEqual(s3.errors, []);

    // Without the checkpoint, `since` comes from the cold tier itself; still nothing written twice.
    await Deno.remove(checkpointPath(cfg, dir.path, "kraken"));
    rest.requests.length = 0;
    const s4 = await poller(cfg, dir.path).run(ctl.signal);
    assert.deepEqual(s4.errors, []);
    assert.equal(s4.bars_written, 0);
    assert.deepEqual(ohlcRequests(rest).map((r) => r.params.since), [
      String(rest.rows[9][0]),
      String(rest.rows[9][0]),
    ]);
    rows = await stored(cfg, dir.path);
    assert.equal(rows.length, 20);
    // And the checkpoint is back.
    const ck = JSON.parse(await Deno.readTextFile(checkpointPath(cfg, dir.path, "kraken")));
    assert.equal(ck.last_bar_ts["XMR/USD"], rest.rows[9][0] * 1000);
  } finally {
    await rest.close();
  }
});

Deno.test("poll: HTTP 5xx and EService:Busy on OHLC are retried; EQuery is reported per symbol, others still written", async () => {
  await using dir = await tempDir();
  const rest = startFakeKrakenRest();
  try {
    const cfg = await config(rest);
    rest.failures.push({ status: 503 }, { error: ["EService:Busy"] });
    const s = await poller(cfg, dir.path).run(new AbortController().signal);
    assert.deepEqual(s.errors, []);
    assert.equal(s.bars_written, 20);
    assert.equal(ohlcRequests(rest).length, 4, "2 failed attempts + 1 per symbol");

    // A non-retryable error is not retried and is reported naming the symbol; the other symbol's bars land.
    await using dir2 = await tempDir();
    rest.requests.length = 0;
    rest.failures.push({ error: ["EQuery:Unknown asset pair"] });
    const s2 = await poller(cfg, dir2.path).run(new AbortController().signal);
    assert.equal(ohlcRequests(rest).length, 2);
    assert.deepEqual(s2.errors, [
      { step: "ohlc", symbol: "XMR/USD", message: "kraken OHLC: EQuery:Unknown asset pair" },
    ]);
    assert.equal(s2.symbols["OMG/USD"].bars_written, 10);
    assert.equal(s2.symbols["XMR/USD"].bars_written, 0);
    assert.deepEqual(
      [...new Set((await stored(cfg, dir2.path)).map((r) => r.symbol))],
      ["OMG/USD"],
    );
  } finally {
    await rest.close();
  }
});

Deno.test("poll: a symbol that is not a Kraken pair is an error naming it; the AssetPairs map is refetched next run", async () => {
  await using dir = await tempDir();
  const rest = startFakeKrakenRest();
  try {
    const cfg = await config(rest, (c) => (c.kraken.symbols = ["XMR/USD", "NOPE/USD"]));
    const p = poller(cfg, dir.path);
    const s = await p.run(new AbortController().signal);
    assert.deepEqual(s.errors, [{
      step: "symbols",
      symbol: "NOPE/USD",
      message: "NOPE/USD is not a Kraken pair (AssetPairs has no such wsname)",
    }]);
    assert.equal(s.symbols["XMR/USD"].bars_written, 10);
    await p.run(new AbortController().signal);
    assert.equal(rest.requests.filter((r) => r.endpoint === "AssetPairs").length, 2);

    // A healthy configuration fetches AssetPairs once for the poller's lifetime.
    await using dir2 = await tempDir();
    rest.requests.length = 0;
    const p2 = poller(await config(rest), dir2.path);
    await p2.run(new AbortController().signal);
    await p2.run(new AbortController().signal);
    assert.equal(rest.requests.filter((r) => r.endpoint === "AssetPairs").length, 1);
  } finally {
    await rest.close();
  }
});

Deno.test("poll: the book session writes verified microstructure snapshots to the hot tier", async () => {
  await using dir = await tempDir();
  const rest = startFakeKrakenRest();
  const ws = startFakeKraken({ pairs: SYMBOLS });
  try {
    const cfg = await config(rest, (c) => {
      c.kraken.ws_url = ws.url;
      c.kraken.book_depth = 1000; // the recorded session's depth (its checksums hold for that book)
      c.kraken.poll_book_seconds = 1;
    });
    const s = await poller(cfg, dir.path).run(new AbortController().signal);
    assert.deepEqual(s.errors, []);
    assert.equal(s.bars_written, 20);
    assert.ok(s.hot_snapshots >= 2, `hot snapshots: ${s.hot_snapshots}`);
    for (const sym of SYMBOLS) assert.equal(s.symbols[sym].book_verified, true);
    const hot = await readMicrostructure(dir.path, "kraken", Date.now());
    assert.deepEqual([...hot.keys()].sort(), ["OMG/USD", "XMR/USD"]);
    for (const snap of hot.values()) {
      assert.ok(snap.best_bid > 0 && snap.best_ask > snap.best_bid);
      assert.equal(snap.checksum_failed, 0);
    }
    // The session subscribed books for exactly the configured symbols.
    const sub = ws.received.find((m) =>
      m.method === "subscribe" && (m.params as { channel: string }).channel === "book"
    );
    assert.deepEqual((sub!.params as { symbol: string[] }).symbol, SYMBOLS);
  } finally {
    await ws.close();
    await rest.close();
  }
});

Deno.test("poll: a symbol whose book never verifies is reported", async () => {
  await using dir = await tempDir();
  const rest = startFakeKrakenRest();
  const ws = startFakeKraken({ pairs: ["XMR/USD"] });
  try {
    const cfg = await config(rest, (c) => {
      c.kraken.ws_url = ws.url;
      c.kraken.book_depth = 1000; // the recorded session's depth (its checksums hold for that book)
      c.kraken.poll_book_seconds = 1;
    });
    const s = await poller(cfg, dir.path).run(new AbortController().signal);
    assert.equal(s.symbols["XMR/USD"].book_verified, true);
    assert.equal(s.symbols["OMG/USD"].book_verified, false);
    assert.deepEqual(s.errors, [{ step: "books", symbol: "OMG/USD", message: "no verified book in 1 s" }]);
  } finally {
    await ws.close();
    await rest.close();
  }
});

Deno.test("poll: abort stops the run — REST and book session — and it rejects with the reason", async () => {
  await using dir = await tempDir();
  const rest = startFakeKrakenRest();
  const ws = startFakeKraken({ pairs: SYMBOLS });
  try {
    const cfg = await config(rest, (c) => {
      c.kraken.ws_url = ws.url;
      c.kraken.book_depth = 1000;
      c.kraken.poll_book_seconds = 60;
    });
    rest.hang = true;
    const ctl = new AbortController();
    const run = poller(cfg, dir.path).run(ctl.signal);
    while (ohlcRequests(rest).length === 0 || ws.connections === 0) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const reason = new Error("stop now");
    ctl.abort(reason);
    // Not a timed assertion: without abort handling the run would last the 60 s book session (or forever,
    // the OHLC request never answers); the deadline only turns such a hang into a failure.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      run.then(() => "resolved", (e) => e),
      new Promise((r) => timer = setTimeout(() => r("still running after 30 s"), 30_000)),
    ]);
    clearTimeout(timer);
    assert.equal(outcome, reason);
    assert.equal((await stored(cfg, dir.path)).length, 0);
    // An already-aborted signal does nothing at all.
    rest.requests.length = 0;
    await assert.rejects(poller(cfg, dir.path).run(AbortSignal.abort(reason)), (e) => e === reason);
    assert.equal(rest.requests.length, 0);
  } finally {
    await ws.close();
    await rest.close();
  }
});

Deno.test("poll: venue-free — any BarVenue works; the checkpoint is the venue's; a bad bar is refused whole", async () => {
  await using dir = await tempDir();
  const H = 3_600_000;
  const T0 = Date.parse("2024-03-01T00:00:00Z");
  const bar = (i: number, symbol: string, low = 1) => ({
    ts: T0 + i * H,
    symbol,
    open: 2,
    high: 3,
    low,
    close: 2,
    volume: 5,
  });
  let bad = false;
  const calls: Array<[string, number | null]> = [];
  const venue: BarVenue = {
    venue: "testex",
    barMs: H,
    instruments: (symbols) =>
      Promise.resolve(
        new Map(
          symbols.map((s) => [s, s === "NOPE/USD" ? { error: "not listed on testex" } : { id: `T-${s}` }]),
        ),
      ),
    closedBars(id, symbol, since) {
      calls.push([id, since]);
      const rows = [0, 1, 2].map((i) => bar(i, symbol, bad && symbol === "ETH/USD" ? 9 : 1));
      return Promise.resolve(rows.filter((r) => since === null || r.ts > since));
    },
  };
  const cfg = await defaultConfig((c) => (c.persistence.enabled = false));
  const make = (symbols: string[]) =>
    createIngestPoller({
      config: cfg,
      dataDir: dir.path,
      env: {},
      log: nullLogger,
      venue,
      symbols,
      now: () => T0 + 10 * H,
    });
  const s = await make(["BTC/USD", "ETH/USD", "NOPE/USD"]).run(new AbortController().signal);
  assert.deepEqual(s.errors, [{ step: "symbols", symbol: "NOPE/USD", message: "not listed on testex" }]);
  assert.equal(s.bars_written, 6);
  assert.equal(s.symbols["BTC/USD"].pair, "T-BTC/USD");
  assert.deepEqual(calls, [["T-BTC/USD", null], ["T-ETH/USD", null]]);
  const ck = JSON.parse(await Deno.readTextFile(checkpointPath(cfg, dir.path, "testex")));
  assert.deepEqual(ck, {
    version: 1,
    interval_min: 60,
    last_bar_ts: { "BTC/USD": T0 + 2 * H, "ETH/USD": T0 + 2 * H },
  });
  assert.equal((await stored(cfg, dir.path)).length, 6);

  // A venue that hands back a bar the cold tier would refuse (high < low): that symbol fails, nothing of it lands.
  await Deno.remove(checkpointPath(cfg, dir.path, "testex"));
  await using dir2 = await tempDir();
  bad = true;
  const s2 = await createIngestPoller({
    config: cfg,
    dataDir: dir2.path,
    env: {},
    log: nullLogger,
    venue,
    symbols: ["BTC/USD", "ETH/USD"],
    now: () => T0 + 10 * H,
  }).run(new AbortController().signal);
  assert.equal(s2.errors.length, 1);
  assert.equal(s2.errors[0].step, "ohlc");
  assert.equal(s2.errors[0].symbol, "ETH/USD");
  assert.match(s2.errors[0].message, /^testex T-ETH\/USD ts=\d+: /);
  assert.deepEqual([...new Set((await stored(cfg, dir2.path)).map((r) => r.symbol))], ["BTC/USD"]);
});
