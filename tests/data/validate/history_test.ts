// validateHistory (src/data/validate/history.ts) is point-in-time: a window's report (rows, findings, scores)
// depends only on bars up to its `to` — bars added later, even a spike and a gap right after `to`, change
// nothing; the warm-up reads only bars before `from`.
import assert from "node:assert/strict";
import { ColdSection } from "../../../src/config/sections/cold.ts";
import { ValidateSection } from "../../../src/config/sections/validate.ts";
import { openColdTables } from "../../../src/data/cold/store.ts";
import { validateHistory } from "../../../src/data/validate/history.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { syntheticBars } from "../cold/synthetic.ts";

const H = 3_600_000;
const D0 = Date.parse("2025-06-01T00:00:00Z");

Deno.test("PIT: a window's validation report ignores every bar after its `to`", async () => {
  await using tmp = await tempDir();
  const tables = openColdTables(ColdSection.parse({}), tmp.path);
  const all = syntheticBars({
    start: D0,
    end: D0 + 200 * H - 1,
    stepMs: H,
    symbols: ["BTC/USD", "ETH/USD"],
    seed: 8,
  });
  const to = D0 + 120 * H;
  const early = all.filter((b) => b.ts <= to);
  const spikeAt = early.findIndex((b) => b.ts === D0 + 100 * H && b.symbol === "BTC/USD");
  early[spikeAt] = { ...early[spikeAt], close: early[spikeAt].close * 3, high: early[spikeAt].close * 3 };
  await tables.table("ohlcv").write(early);
  const cfg = ValidateSection.parse({});
  const now = () => D0 + 400 * H;
  const range = { from: D0 + 80 * H, to };
  const before = await validateHistory(tables, "ohlcv", range, cfg, { now });
  assert.deepEqual(before.findings.map((f) => [f.ts, f.symbol, f.check]), [[
    D0 + 100 * H,
    "BTC/USD",
    "price_mad",
  ]]);
  // Later bars: a spike right after `to`, a hole, a future bar.
  const late = all.filter((b) => b.ts > to + H).map((b, i) =>
    i === 0 ? { ...b, close: b.close * 5, high: b.close * 5 } : b
  );
  await tables.table("ohlcv").write([...late, {
    ts: D0 + 500 * H,
    symbol: "BTC/USD",
    open: 1,
    high: 1,
    low: 1,
    close: 1,
    volume: 1,
  }]);
  const after = await validateHistory(tables, "ohlcv", range, cfg, { now });
  assert.deepEqual(after, before);
  assert.equal(after.rows, early.filter((b) => b.ts >= range.from).length);
});
