/**
 * Backtest benchmark (issue #15): `runBacktest` — the real scan as of every step, entries, exits, equity — over
 * a year of HOURLY steps on the 30 shipped pairs (5 Kraken USD + 25 Binance USDT). The shipped history is only
 * 3–6 months long, so each pair's year is generated (seeded, deterministic): a random walk from the pair's first
 * recorded close with the pair's own recorded hourly volatility and volume level. The data door is not timed
 * (reading is measured by bench/cold_window.ts); only the backtest, the part that grows with steps × pairs.
 *
 *   deno run -A bench/report_backtest.ts [--days 365] [--every 1] [--top 3]
 *
 * Prints steps, trades, wall time and steps per second (one run: this is a 2-core shared machine; a run is
 * several seconds long, so one measurement is enough for the order of magnitude recorded in PERFORMANCE.md).
 */
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/load.ts";
import { barsFromRows } from "../src/factors/bars.ts";
import { runBacktest } from "../src/report/backtest.ts";
import { FIXTURE_FILES, readBarsCsv } from "../src/scan/fixtures.ts";
import type { SymbolSeries } from "../src/scan/engine.ts";
import { quoteOf } from "../src/scan/universe.ts";

const { values } = parseArgs({
  options: {
    days: { type: "string", default: "365" },
    every: { type: "string", default: "1" },
    top: { type: "string", default: "3" },
  },
});
const HOUR = 3_600_000;
const days = Number(values.days);
const root = new URL("../", import.meta.url).pathname;
const { config } = await loadConfig({ configPath: `${root}config/cryptorun.yaml`, explicit: true, env: {} });
const lookback = config.scan.lookback_hours;

/** mulberry32: a small seeded PRNG. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FROM = Date.UTC(2023, 0, 1);
const TO = FROM + days * 24 * HOUR;
const series: SymbolSeries[] = [];
let seed = 1;
for (const f of FIXTURE_FILES) {
  const rows = await readBarsCsv(f.url);
  const bySym = Map.groupBy(rows, (r) => r.symbol);
  for (const [symbol, rs] of [...bySym].sort(([a], [b]) => a < b ? -1 : 1)) {
    const lr = rs.slice(1).map((r, i) => Math.log(r.close / rs[i].close));
    const sd = Math.sqrt(lr.reduce((a, x) => a + x * x, 0) / lr.length);
    const vol = rs.reduce((a, r) => a + r.volume, 0) / rs.length;
    const rand = rng(seed++);
    const gauss = () => Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
    let px = rs[0].close;
    const out = [];
    for (let t = FROM - lookback * HOUR; t < TO; t += HOUR) {
      const o = px;
      px = o * Math.exp(sd * gauss());
      const hi = Math.max(o, px) * (1 + Math.abs(sd * gauss()) / 2);
      const lo = Math.min(o, px) * (1 - Math.abs(sd * gauss()) / 2);
      out.push({ ts: t, open: o, high: hi, low: lo, close: px, volume: vol * (0.5 + rand()) });
    }
    series.push({ symbol, venue: f.venue, quote: quoteOf(symbol), bars: barsFromRows(out) });
  }
}
console.error(`bench: ${series.length} pairs × ${days} days of hourly bars (+${lookback} h lookback)`);
const every = Number(values.every) * HOUR;
const top = Number(values.top);
const t0 = performance.now();
const r = runBacktest({
  series,
  from: FROM,
  to: TO,
  everyMs: every,
  entry: "top",
  top,
  holdMs: 24 * HOUR,
  costs: { feesBps: 40, slippageBps: 5 },
  capital: 10_000,
  stake: 10_000 / (top * 24),
  lookbackHours: lookback,
  gates: config.gates,
  regime: config.regime,
  benchmark: "BTC/USD",
});
const s = (performance.now() - t0) / 1000;
console.log(JSON.stringify({
  pairs: series.length,
  days,
  steps: r.steps,
  trades: r.trades.length,
  seconds: Number(s.toFixed(2)),
  steps_per_second: Math.round(r.steps / s),
}));
