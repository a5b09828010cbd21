// Live ingest's bar sink with validate.on_write quarantine (src/ingest/tier_sinks.ts, issue 17): closed
// 1-minute bars arrive in batches of 10 (one validator for the run; a symbol's window spans batches); a spike
// in a later batch goes to quarantine/ohlcv_1m, never into ohlcv_1m, and every other bar is stored.
import assert from "node:assert/strict";
import { openColdTables } from "../../src/data/cold/store.ts";
import { tierSinks } from "../../src/ingest/tier_sinks.ts";
import { nullLogger } from "../../src/log/logger.ts";
import { defaultConfig } from "../health/fake_sources.ts";
import { tempDir } from "../helpers/tmp.ts";
import { syntheticBars } from "../data/cold/synthetic.ts";

const ALL = { from: 0, to: 8.64e15 };

Deno.test("bar sink: validation across batches quarantines a spike, stores every other bar", async () => {
  await using dir = await tempDir();
  const cfg = await defaultConfig((c) => {
    c.validate.on_write = "quarantine";
    c.persistence.enabled = false;
  });
  const D0 = Date.parse("2025-06-01T00:00:00Z");
  const bars = syntheticBars({
    start: D0,
    end: D0 + 90 * 60_000 - 1,
    stepMs: 60_000,
    symbols: ["BTC/USD"],
    seed: 2,
  });
  const spikeAt = 70;
  bars[spikeAt] = { ...bars[spikeAt], close: bars[spikeAt].close * 2, high: bars[spikeAt].close * 2 };
  const { sinks } = tierSinks(cfg, dir.path, {
    venue: "kraken",
    barsTable: "ohlcv_1m",
    dryRun: false,
    env: {},
    log: nullLogger,
    signal: new AbortController().signal,
  });
  // Batches of 10 bars, as closed minutes arrive.
  for (let i = 0; i < bars.length; i += 10) await sinks.bars!(bars.slice(i, i + 10));
  const tables = openColdTables(cfg.cold, dir.path);
  const stored = [];
  for await (const r of tables.table("ohlcv_1m").read(ALL)) stored.push(r);
  assert.equal(stored.length, bars.length - 1);
  assert.ok(!stored.some((r) => r.ts === bars[spikeAt].ts));
  const q = [];
  for await (const r of tables.table("quarantine/ohlcv_1m").read(ALL)) q.push(r);
  assert.deepEqual(q.map((r) => [r.ts, r.symbol, r.check]), [[bars[spikeAt].ts, "BTC/USD", "price_mad"]]);
});
