import assert from "node:assert/strict";
import type { ClosedBar } from "../../../src/market/bars.ts";
import type { MicrostructureSnapshot } from "../../../src/market/hot_store.ts";
import { registry } from "../../../src/metrics/registry.ts";
import { createIngestPipeline } from "../../../src/providers/kraken/pipeline.ts";
import { readLines } from "./fixtures.ts";

async function metricValue(name: string, labels: string): Promise<number> {
  const m = await registry.getSingleMetricAsString(name);
  const line = m.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(" ").pop()) : 0;
}

const XMR = readLines("book_v1_recorded.jsonl").filter((l) => l.endsWith('"XMR/USD"]'));

Deno.test("pipeline: hot snapshots at most one per symbol per interval of exchange time, plus the final state", async () => {
  const hot: MicrostructureSnapshot[] = [];
  const pipe = createIngestPipeline({
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
  const pipe = createIngestPipeline({ sinks: { bars: (b) => Promise.resolve(void bars.push(...b)) } });
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
  for (const [ms, p] of [[1_000, 10], [59_000, 12], [61_000, 11], [125_000, 9]]) {
    pipe.feed.handleFrame(t(ms, p));
  }
  await pipe.finish();
  assert.deepEqual(bars, [
    { ts: 0, symbol: "BTC/USD", open: 10, high: 12, low: 10, close: 12, volume: 2 },
    { ts: 60_000, symbol: "BTC/USD", open: 11, high: 11, low: 11, close: 11, volume: 1 },
  ]);
  assert.ok(pipe.feed.stats.get("BTC/USD")!.trade_gaps >= 1, "non-consecutive trade ids are gaps");
});
