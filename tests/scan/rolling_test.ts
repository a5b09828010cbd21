import assert from "node:assert/strict";
import { GatesSection } from "../../src/config/sections/gates.ts";
import { RegimeSection } from "../../src/config/sections/regime.ts";
import type { Bars } from "../../src/factors/bars.ts";
import { HOUR } from "../../src/factors/bars.ts";
import { runScan, type SymbolSeries } from "../../src/scan/engine.ts";
import { FIXTURE_FILES, readBarsCsv } from "../../src/scan/fixtures.ts";
import { groupSeries } from "../../src/scan/universe.ts";

const gates = GatesSection.parse({});
const regime = RegimeSection.parse({});
// Real hourly bars: 5 Kraken USD + 25 Binance USDT pairs (fixtures/ohlcv/README.md).
const universe: SymbolSeries[] = [];
for (const f of FIXTURE_FILES) universe.push(...groupSeries(await readBarsCsv(f.url), f.venue));

/** The same series in fresh arrays: no memo of any earlier scan applies to them. */
function fresh(series: SymbolSeries[]): SymbolSeries[] {
  const copy = (b: Bars): Bars => ({
    ts: b.ts.slice(),
    open: b.open.slice(),
    high: b.high.slice(),
    low: b.low.slice(),
    close: b.close.slice(),
    volume: b.volume.slice(),
  });
  return series.map((s) => ({ ...s, bars: copy(s.bars) }));
}

Deno.test("a rolling scan (memos carried across 4h steps) equals scans from scratch, bit for bit", () => {
  // 11 days into the Binance window (2022-04-01 …), so all 30 series have history; 20 days of 4h steps.
  const start = Date.UTC(2022, 3, 12);
  const last = Math.max(...universe.map((s) => s.bars.ts.at(-1)!));
  let steps = 0, ranked = 0;
  // Forward at the 4h cadence, then a few steps back and a jump: every order a backtest might use.
  const times: number[] = [];
  for (let t = start; t <= last + HOUR && times.length < 120; t += 4 * HOUR) times.push(t);
  times.push(times[40], times[10], times[90] + HOUR, times[91]);
  for (const asOf of times) {
    const rolling = runScan({ asOf, series: universe, gates, regime });
    const scratch = runScan({ asOf, series: fresh(universe), gates, regime });
    assert.deepStrictEqual(rolling, scratch, `as of ${new Date(asOf).toISOString()}`);
    steps++;
    ranked += rolling.results.length;
  }
  assert.ok(ranked > steps * 25, `${ranked} rows over ${steps} scans: the comparison is not vacuous`);
});
