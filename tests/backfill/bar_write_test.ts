// writeBars (src/backfill/bar_write.ts), the one write of backfilled and imported bars, goes through the
// validation layer: with validate.on_write quarantine a spike bar lands in quarantine/ohlcv_1m, not in
// ohlcv_1m (both the batch and the streamed shape); with off (or no validate) every bar is written.
import assert from "node:assert/strict";
import { ColdSection } from "../../src/config/sections/cold.ts";
import { ValidateSection } from "../../src/config/sections/validate.ts";
import { openColdTables } from "../../src/data/cold/store.ts";
import { writeBars } from "../../src/backfill/bar_write.ts";
import type { MinuteBar } from "../../src/backfill/minute_bars.ts";
import { tempDir } from "../helpers/tmp.ts";
import { collect } from "../data/cold/synthetic.ts";

const M = 60_000;
const D0 = Date.parse("2025-06-01T00:00:00Z");
const ALL = { from: 0, to: 8.64e15 };

/** 120 calm minutes of BTC/USD (a seeded ±0.05% walk), the 100th a 3× spike. */
function minutes(): MinuteBar[] {
  let seed = 7, px = 60_000;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  const out: MinuteBar[] = [];
  for (let i = 0; i < 120; i++) {
    px *= 1 + rnd() * 0.001;
    const c = i === 100 ? px * 3 : px;
    out.push({
      ts: D0 + i * M,
      symbol: "BTC/USD",
      open: px,
      high: Math.max(px, c),
      low: px,
      close: c,
      volume: 1 + (i % 5),
      vwap: px,
      trades: 3,
    });
  }
  return out;
}

Deno.test("writeBars: validate.on_write quarantine sends the spike bar to quarantine/ohlcv_1m (batch and stream)", async () => {
  for (const shape of ["batch", "stream"] as const) {
    await using tmp = await tempDir();
    const tables = openColdTables(ColdSection.parse({}), tmp.path);
    const bars = minutes();
    const input = shape === "batch" ? bars : (async function* () {
      yield* bars;
    })();
    const r = await writeBars(tables, input, {
      table: "ohlcv_1m",
      overwrite: false,
      command: "test",
      validate: ValidateSection.parse({ on_write: "quarantine" }),
    });
    assert.equal(r.quarantined, 1, shape);
    assert.equal(r.written, 119, shape);
    const stored = await collect(tables.table("ohlcv_1m").read(ALL));
    assert.equal(stored.length, 119);
    assert.ok(!stored.some((b) => b.ts === D0 + 100 * M), `${shape}: the spike is not in the table`);
    const q = await collect(tables.table("quarantine/ohlcv_1m").read(ALL));
    assert.deepEqual(q.map((b) => [b.ts, b.check]), [[D0 + 100 * M, "price_mad"]], shape);
  }
});

Deno.test("writeBars: without validation (or on_write off) every bar is written", async () => {
  for (const validate of [undefined, ValidateSection.parse({ on_write: "off" })]) {
    await using tmp = await tempDir();
    const tables = openColdTables(ColdSection.parse({}), tmp.path);
    const r = await writeBars(tables, minutes(), {
      table: "ohlcv_1m",
      overwrite: false,
      command: "t",
      validate,
    });
    assert.equal(r.written, 120);
    assert.equal(r.quarantined, 0);
  }
});
