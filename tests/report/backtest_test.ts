import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/load.ts";
import { barsFromRows } from "../../src/factors/bars.ts";
import { runBacktest, runBacktestParallel, settle, type Trade } from "../../src/report/backtest.ts";
import { roundTripCost } from "../../src/report/costs.ts";
import { FIXTURE_FILES, readBarsCsv } from "../../src/scan/fixtures.ts";
import { groupSeries } from "../../src/scan/universe.ts";

const root = new URL("../../", import.meta.url).pathname;
const HOUR = 3_600_000;

const trade = (entryPrice: number, exitPrice: number, qty: number): Trade => ({
  symbol: "X/USD",
  venue: "kraken",
  signalTs: 0,
  rank: 1,
  score: 80,
  entryTs: 0,
  entryPrice,
  exitTs: 24 * HOUR,
  exitPrice,
  exitReason: "hold",
  qty,
  rawPnl: NaN,
  costs: NaN,
  specPnl: NaN,
  ret: NaN,
  rawRet: NaN,
});

Deno.test("fees and slippage: spec P&L = raw P&L − stated costs on a two-trade history, by hand", () => {
  // 40 bps fee + 5 bps slippage per side = 0.45 % of each leg's notional.
  const costs = { feesBps: 40, slippageBps: 5 };
  // Trade 1: 10 units bought at 100, sold at 110: raw +100; legs 1000 + 1100 = 2100 → costs 9.45; spec 90.55.
  const a = settle(trade(100, 110, 10), costs, 1000);
  assert.equal(a.rawPnl, 100);
  assert.ok(Math.abs(a.costs - 9.45) < 1e-9, String(a.costs));
  assert.ok(Math.abs(a.specPnl - 90.55) < 1e-9);
  assert.ok(Math.abs(a.ret - 0.09055) < 1e-12);
  // Trade 2: 5 units bought at 200, sold at 190: raw −50; legs 1000 + 950 = 1950 → costs 8.775; spec −58.775.
  const b = settle(trade(200, 190, 5), costs, 1000);
  assert.equal(b.rawPnl, -50);
  assert.ok(Math.abs(b.costs - 8.775) < 1e-9, String(b.costs));
  assert.ok(Math.abs(b.specPnl - -58.775) < 1e-9);
  // Total: raw 50, costs 18.225, spec 31.775 = raw − costs.
  assert.ok(Math.abs(a.specPnl + b.specPnl - (50 - 18.225)) < 1e-9);
  // Costs off: spec = raw.
  const c = settle(trade(100, 110, 10), { feesBps: 0, slippageBps: 0 }, 1000);
  assert.equal(c.specPnl, c.rawPnl);
});

async function input(over: Partial<Parameters<typeof runBacktest>[0]> = {}) {
  const { config } = await loadConfig({
    configPath: `${root}config/cryptorun.yaml`,
    explicit: true,
    env: {},
  });
  const rows = await readBarsCsv(FIXTURE_FILES.find((f) => f.venue === "kraken")!.url);
  return {
    config,
    rows,
    inp: {
      series: groupSeries(rows, "kraken"),
      from: Date.UTC(2022, 1, 1),
      to: Date.UTC(2022, 1, 15),
      everyMs: 4 * HOUR,
      entry: "top" as const,
      top: 2,
      holdMs: 24 * HOUR,
      costs: { feesBps: 40, slippageBps: 5 },
      capital: 10_000,
      stake: 10_000 / 12,
      lookbackHours: config.scan.lookback_hours,
      gates: config.gates,
      regime: config.regime,
      benchmark: "BTC/USD",
      ...over,
    },
  };
}

Deno.test("backtest on the shipped bars: entries at the next bar's open, exits after the hold, spec = raw − costs", async () => {
  const { inp, rows } = await input();
  const r = runBacktest(inp);
  assert.ok(r.trades.length > 5, `${r.trades.length} trades`);
  const open = new Map(rows.map((x) => [`${x.symbol}|${x.ts}`, x.open]));
  for (const t of r.trades) {
    assert.equal(t.entryTs, t.signalTs, "entered on the bar opening at the decision time (the next bar)");
    assert.equal(t.entryPrice, open.get(`${t.symbol}|${t.entryTs}`));
    if (t.exitReason === "hold") {
      assert.equal(t.exitTs, t.entryTs + 24 * HOUR);
      assert.equal(t.exitPrice, open.get(`${t.symbol}|${t.exitTs}`));
    }
    assert.ok(
      Math.abs(t.specPnl - (t.rawPnl - roundTripCost(t.qty, t.entryPrice, t.exitPrice, inp.costs))) < 1e-9,
    );
  }
  // One position per symbol at a time.
  for (const t of r.trades) {
    const overlap = r.trades.filter((u) =>
      u !== t && u.symbol === t.symbol && u.entryTs < t.exitTs && t.entryTs < u.exitTs
    );
    assert.equal(overlap.length, 0);
  }
  // The equity curve ends at capital + Σ spec P&L (every trade closed by `to`).
  const last = r.equity[r.equity.length - 1];
  const spec = r.trades.reduce((a, t) => a + t.specPnl, 0);
  assert.ok(Math.abs(last.value - (10_000 + spec)) < 1e-6, `${last.value} vs ${10_000 + spec}`);
  // Costs off: the same trades, spec = raw.
  const free = runBacktest({ ...inp, costs: { feesBps: 0, slippageBps: 0 } });
  assert.deepEqual(free.trades.map((t) => [t.symbol, t.entryTs]), r.trades.map((t) => [t.symbol, t.entryTs]));
  for (const t of free.trades) assert.equal(t.specPnl, t.rawPnl);
});

Deno.test("backtest PIT (pure): corrupted bars after `to` change nothing", async () => {
  const { inp, rows } = await input();
  const before = JSON.stringify(runBacktest(inp));
  const corrupted = rows.map((x) =>
    x.ts + HOUR > inp.to
      ? { ...x, open: x.open * 50, high: x.high * 99, low: x.low / 99, close: x.close / 7 }
      : x
  );
  const extra = ["BTC/USD", "ETH/USD"].map((symbol) => ({
    ts: inp.to,
    symbol,
    open: 1e9,
    high: 1e12,
    low: 1e-9,
    close: 1,
    volume: 1e15,
  }));
  const series = groupSeries([...corrupted, ...extra], "kraken");
  assert.equal(JSON.stringify(runBacktest({ ...inp, series })), before);
  assert.ok(barsFromRows(extra).ts.length === 1);
});

Deno.test("backtest: a stop exits at the stop price when a bar's low reaches it", async () => {
  const { inp } = await input({ stopPct: 0.01 });
  const r = runBacktest(inp);
  const stops = r.trades.filter((t) => t.exitReason === "stop");
  assert.ok(stops.length > 0);
  for (const t of stops) assert.ok(t.exitPrice <= t.entryPrice * 0.99 + 1e-9);
});

Deno.test("backtest on worker threads: the same result as the scan in this thread, bit for bit; progress to the end", async () => {
  // Hourly steps over two weeks, on exactly two workers (the default would run so small a job in this thread).
  const { inp } = await input({ everyMs: HOUR });
  const here = runBacktest(inp);
  assert.ok(here.steps >= 300, `${here.steps} steps`);
  assert.ok(here.trades.length > 5, `${here.trades.length} trades`);
  let done = 0;
  const there = await runBacktestParallel({ ...inp, onStep: (d, total) => (done = d / total) }, {
    workers: 2,
  });
  assert.equal(JSON.stringify(there), JSON.stringify(here));
  assert.equal(done, 1);
  // The gates entry too (other picks, same walk).
  const gates = { ...inp, entry: "gates" as const };
  assert.equal(
    JSON.stringify(await runBacktestParallel(gates, { workers: 2 })),
    JSON.stringify(runBacktest(gates)),
  );
});

Deno.test("backtest on worker threads PIT: corrupted bars after `to` change nothing", async () => {
  const { inp, rows } = await input({ everyMs: HOUR });
  const before = JSON.stringify(await runBacktestParallel(inp, { workers: 2 }));
  const corrupted = rows.map((x) =>
    x.ts + HOUR > inp.to
      ? { ...x, open: x.open * 50, high: x.high * 99, low: x.low / 99, close: x.close / 7 }
      : x
  );
  const series = groupSeries(corrupted, "kraken");
  assert.equal(JSON.stringify(await runBacktestParallel({ ...inp, series }, { workers: 2 })), before);
  assert.equal(before, JSON.stringify(runBacktest(inp)));
});
