import assert from "node:assert/strict";
import { KrakenError } from "../../../src/providers/kraken/errors.ts";
import { createKrakenRest, type RestOptions } from "../../../src/providers/kraken/rest.ts";
import { registry } from "../../../src/metrics/registry.ts";
import { readJson } from "./fixtures.ts";

type Handler = (url: URL, n: number) => Response | Promise<Response>;

/** A loopback HTTP server answering Kraken's public paths with `handler` (n = request number, from 1). */
async function withServer(
  handler: Handler,
  fn: (base: string, hits: string[]) => Promise<void>,
): Promise<void> {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    hits.push(url.pathname + url.search);
    return handler(url, hits.length);
  });
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, hits);
  } finally {
    await server.shutdown();
  }
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

// The fixture's expected values are free-form JSON, read field by field below.
// deno-lint-ignore no-explicit-any
const DOCS = readJson<{ responses: Record<string, unknown>; expected_parsed: Record<string, any> }>(
  "rest/kraken_rest_docs_examples.json",
);

const sleeps: number[] = [];
function opts(base: string, extra: Partial<RestOptions> = {}): RestOptions {
  return {
    baseUrl: base,
    tier: "starter",
    timeoutMs: 5000,
    maxRetries: 3,
    startingDelayMs: 1,
    maxDelayMs: 5,
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    ...extra,
  };
}

Deno.test("REST: Kraken's published example responses parse to the expected values", async () => {
  await withServer((url) => {
    const key = url.pathname.replace("/0/public/", "/0/public/") +
      (url.searchParams.has("pair") ? `?pair=XBTUSD` : "");
    const body = DOCS.responses[key];
    return body ? json(body) : json({ error: ["EGeneral:Unknown method"] }, 404);
  }, async (base) => {
    const rest = createKrakenRest(opts(base));
    const e = DOCS.expected_parsed;
    assert.deepEqual(await rest.time(), { unixtime: 1688669448, rfc1123: "Thu, 06 Jul 23 18:50:48 +0000" });

    const ohlc = await rest.ohlc("XBTUSD");
    assert.equal(ohlc.symbol, e.ohlc_first.symbol);
    assert.equal(ohlc.rows.length, e.ohlc_rows);
    assert.equal(ohlc.closed.length, e.ohlc_rows - 1, "the last (forming) candle is not closed");
    assert.equal(ohlc.last, e.ohlc_last_cursor);
    const r0 = ohlc.rows[0];
    assert.equal(r0.ts, e.ohlc_first.ts_ms);
    assert.deepEqual([r0.open, r0.high, r0.low, r0.close, r0.vwap, r0.volume, r0.count], [
      Number(e.ohlc_first.open),
      Number(e.ohlc_first.high),
      Number(e.ohlc_first.low),
      Number(e.ohlc_first.close),
      Number(e.ohlc_first.vwap),
      Number(e.ohlc_first.volume),
      e.ohlc_first.count,
    ]);

    const t = (await rest.ticker(["XBTUSD"])).get("BTC/USD")!;
    assert.equal(t.ask, Number(e.ticker.ask));
    assert.equal(t.bid, Number(e.ticker.bid));
    assert.equal(t.last, Number(e.ticker.last));
    assert.equal(t.volume_24h, Number(e.ticker.volume_24h));
    assert.equal(t.vwap_24h, Number(e.ticker.vwap_24h));
    assert.equal(t.trades_24h, e.ticker.trades_24h);
    assert.equal(t.open_today, Number(e.ticker.open_today));

    const d = await rest.depth("XBTUSD", 3);
    assert.deepEqual([d.asks[0].priceText, d.asks[0].qtyText], e.depth.best_ask);
    assert.deepEqual([d.bids[0].priceText, d.bids[0].qtyText], e.depth.best_bid);

    const tr = await rest.trades("XBTUSD");
    assert.equal(tr.last, e.trades_last_cursor);
    assert.deepEqual(tr.trades[0], {
      price: Number(e.trades_first.price),
      qty: Number(e.trades_first.volume),
      ts: e.trades_first.time * 1000,
      side: e.trades_first.side,
      ordType: e.trades_first.ord_type,
      tradeId: e.trades_first.trade_id,
    });
  });
});

Deno.test("REST: real recorded XBTUSDT responses (OHLC 721 rows, 1,000 trades, ticker, depth) parse", async () => {
  const files: Record<string, string> = {
    OHLC: "rest/kraken_rest_ohlc_xbtusdt_1m_recorded.json",
    Trades: "rest/kraken_rest_trades_xbtusdt_recorded.json",
    Ticker: "rest/kraken_rest_ticker_xbtusdt_recorded.json",
    Depth: "rest/kraken_rest_depth_xbtusdt_recorded.json",
    AssetPairs: "rest/asset_pairs_xbtusdt_2025.json",
  };
  await withServer((url) => json(readJson(files[url.pathname.split("/").pop()!])), async (base) => {
    const rest = createKrakenRest(opts(base));
    const o = await rest.ohlc("XBTUSDT");
    assert.equal(o.symbol, "BTC/USDT");
    assert.equal(o.rows.length, 721);
    assert.equal(o.closed.length, 720);
    assert.ok(o.rows.every((r, i) => i === 0 || r.ts - o.rows[i - 1].ts === 60_000));
    const tr = await rest.trades("XBTUSDT");
    assert.equal(tr.trades.length, 1000);
    assert.equal(tr.last, "1762820035982277754");
    assert.equal(tr.trades.at(-1)!.tradeId, 10219207);
    const t = (await rest.ticker(["XBTUSDT"])).get("BTC/USDT")!;
    assert.equal(t.ask, 105944.3);
    const d = await rest.depth("XBTUSDT");
    assert.equal(d.bids.length, 5);
    assert.ok(Number(d.asks[0].priceText) > Number(d.bids[0].priceText));
    const ap = await rest.assetPairs();
    assert.deepEqual(ap.pairs.map((p) => [p.symbol, p.pricePrecision, p.qtyPrecision]), [["BTC/USDT", 1, 8]]);
  });
});

Deno.test("REST: 429 and 5xx are retried with backoff; Retry-After is honoured", async () => {
  sleeps.length = 0;
  await withServer((_u, n) => {
    if (n === 1) return json({}, 429, { "retry-after": "2" });
    if (n === 2) return json({}, 503);
    return json(DOCS.responses["/0/public/Time"]);
  }, async (base, hits) => {
    const before = await counterValue("Time", "429");
    const rest = createKrakenRest(opts(base));
    assert.equal((await rest.time()).unixtime, 1688669448);
    assert.equal(hits.length, 3);
    assert.ok(sleeps.includes(2000), `Retry-After 2 s waited: ${sleeps}`);
    assert.equal(await counterValue("Time", "429"), before + 1);
  });
});

Deno.test("REST: EAPI:Rate limit exceeded and EService:Busy are retried; EQuery and invalid arguments never", async () => {
  await withServer((_u, n) => {
    if (n === 1) return json({ error: ["EAPI:Rate limit exceeded"] });
    if (n === 2) return json({ error: ["EService:Busy"] });
    return json(DOCS.responses["/0/public/Time"]);
  }, async (base, hits) => {
    const rest = createKrakenRest(opts(base));
    await rest.time();
    assert.equal(hits.length, 3);
    assert.equal(rest.remaining("Time") < 15, true);
  });
  for (const err of ["EQuery:Unknown asset pair", "EGeneral:Invalid arguments"]) {
    await withServer(() => json({ error: [err] }), async (base, hits) => {
      const rest = createKrakenRest(opts(base));
      await assert.rejects(rest.ticker(["NOPE"]), (e: unknown) => {
        assert.ok(e instanceof KrakenError);
        assert.equal(e.retryable, false);
        assert.deepEqual(e.krakenErrors, [err]);
        return true;
      });
      assert.equal(hits.length, 1, `${err} must not be retried`);
    });
  }
});

Deno.test("REST: retries are bounded (max_retries) and the last error surfaces", async () => {
  await withServer(() => json({ error: ["EService:Unavailable"] }), async (base, hits) => {
    const rest = createKrakenRest(opts(base, { maxRetries: 2 }));
    await assert.rejects(rest.time(), (e: unknown) => e instanceof KrakenError && e.kind === "unavailable");
    assert.equal(hits.length, 3);
  });
});

Deno.test("REST: the client waits on its rate-limit counter instead of getting refused", async () => {
  sleeps.length = 0;
  let clock = 0;
  await withServer(() => json(DOCS.responses["/0/public/Time"]), async (base, hits) => {
    const rest = createKrakenRest(opts(base, {
      now: () => clock,
      sleep: (ms) => {
        sleeps.push(ms);
        clock += ms;
        return Promise.resolve();
      },
    }));
    for (let i = 0; i < 17; i++) await rest.time();
    assert.equal(hits.length, 17);
    // 15 go at once (starter), then each waits 1/0.33 s for one unit of decay.
    assert.equal(sleeps.length, 2);
    assert.ok(
      Math.abs(sleeps[0] - 1000 / 0.33) < 1e-6 && Math.abs(sleeps[1] - 1000 / 0.33) < 1e-6,
      `${sleeps}`,
    );
  });
});

Deno.test("REST: a response that is not Kraken's shape is an error naming the field", async () => {
  await withServer(() => json({ error: [], result: { unixtime: "soon", rfc1123: "x" } }), async (base) => {
    const rest = createKrakenRest(opts(base, { maxRetries: 0 }));
    await assert.rejects(rest.time(), /unixtime/);
  });
});

async function counterValue(endpoint: string, code: string): Promise<number> {
  const m = await registry.getSingleMetricAsString("cryptorun_provider_requests_total");
  const line = m.split("\n").find((l) =>
    l.includes(`endpoint="${endpoint}"`) && l.includes(`code="${code}"`)
  );
  return line ? Number(line.split(" ").pop()) : 0;
}
