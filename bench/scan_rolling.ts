/**
 * Scan benchmark (issue #8): 500 symbols × 1 year of hourly bars (synthetic, seeded), in memory.
 *   deno run -A bench/scan_rolling.ts [symbols=500] [hours=8760] [--json] [--no-growth]
 * Prints the rolling year, every 4h step, as a backtest runs it (`rollingScans`, src/scan/rolling.ts: each
 * step ranked and only its picks explained, the steps split over worker threads — `--workers=N`, default the
 * machine's cores — first, in the fresh process, its picks checked against this thread's); then a single
 * scan as of the last bar (median of 15), the same year as one full `runScan` after another in this thread
 * (every row explained), and how the single-scan cost grows with symbols and history length. Results:
 * docs/PERFORMANCE.md.
 * `--json` ends with one JSON line of the numbers (bench/side_by_side.ts reads it); `--no-growth` skips the
 * growth tables.
 */
import { GatesSection } from "../src/config/sections/gates.ts";
import { RegimeSection } from "../src/config/sections/regime.ts";
import process from "node:process";
import { runScan, type SymbolSeries } from "../src/scan/engine.ts";
import { HOUR, START, syntheticUniverse } from "./scan_data.ts";

const args = Deno.args.filter((a) => !a.startsWith("--"));
const json = Deno.args.includes("--json");
const workersArg = Deno.args.find((a) => a.startsWith("--workers="));
const WORKERS = workersArg ? Number(workersArg.slice("--workers=".length)) : undefined;
const SYMBOLS = Number(args[0] ?? 500);
const HOURS = Number(args[1] ?? 8760);
const say = (s: string) => json ? console.error(s) : console.log(s);
const gates = GatesSection.parse({});
const regime = RegimeSection.parse({});

function single(series: SymbolSeries[], asOf: number, reps = 15): number {
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    runScan({ asOf, series, gates, regime });
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1];
}

const t0 = performance.now();
const universe = syntheticUniverse(SYMBOLS, HOURS);
say(`generated ${SYMBOLS} × ${HOURS} bars in ${(performance.now() - t0).toFixed(0)} ms`);
const end = START + HOURS * HOUR;
// Rolling: every 4h step after the first 30 days of history.
const steps: number[] = [];
for (let t = START + 30 * 24 * HOUR; t <= end; t += 4 * HOUR) steps.push(t);

// The backtest's path first, in a fresh process (no memo or JIT of this thread warmed by the loop below):
// the steps on worker threads, ranked, only the picks explained; checked against this thread's scans.
// (Loaded by name: an older checkout compared by bench/side_by_side.ts has no src/scan/rolling.ts.)
let parallelS: number | undefined;
let workers = 1;
try {
  const rolling = await import(new URL("../src/scan/rolling.ts", import.meta.url).href);
  const job = { steps, gates, regime, lookbackHours: 720, entry: "top", top: 10 };
  workers = rolling.workerCount(steps.length, universe.length, WORKERS);
  const p0 = performance.now();
  const scans = await rolling.rollingScans(universe, job, { workers });
  parallelS = (performance.now() - p0) / 1000;
  // Every 20th step again in this thread: the same picks (tests/scan/rolling_scans_test.ts checks all).
  const sample = steps.filter((_, k) => k % 20 === 0);
  const check = rolling.scanSteps(universe, { ...job, steps: sample });
  const got = scans.filter((_: unknown, k: number) => k % 20 === 0);
  if (JSON.stringify(got) !== JSON.stringify(check)) throw new Error("rollingScans differs from scanSteps");
  say(
    `rolling scan, every 4h, rollingScans on ${workers} worker(s): ${parallelS.toFixed(2)} s wall ` +
      `(${(parallelS * 1000 / steps.length).toFixed(1)} ms/scan; sampled picks equal to one thread's)`,
  );
} catch (err) {
  if (!(err instanceof TypeError && /rolling\.ts/.test(String(err)))) throw err;
  say("rolling scan on workers: not in this checkout (no src/scan/rolling.ts)");
}

for (let i = 0; i < 3; i++) runScan({ asOf: end, series: universe, gates, regime }); // warm-up (JIT)

const singleMs = single(universe, end);
say(
  `single scan, ${SYMBOLS} symbols × ${HOURS} h, as of the last bar: ${
    singleMs.toFixed(1)
  } ms (median of 15)`,
);

const r0 = performance.now();
const c0 = process.cpuUsage();
let ranked = 0;
for (const t of steps) ranked += runScan({ asOf: t, series: universe, gates, regime }).results.length;
const rollMs = performance.now() - r0;
const cpu = process.cpuUsage(c0);
say(
  `rolling scan, every 4h: ${steps.length} scans in ${(rollMs / 1000).toFixed(2)} s wall, ${
    ((cpu.user + cpu.system) / 1e6).toFixed(2)
  } s CPU (${(rollMs / steps.length).toFixed(1)} ms/scan, ${ranked} rows)`,
);

if (json) {
  console.log(JSON.stringify({
    single_scan_ms: singleMs,
    rolling_s: rollMs / 1000,
    rolling_cpu_s: (cpu.user + cpu.system) / 1e6,
    ms_per_scan: rollMs / steps.length,
    scans: steps.length,
    ...(parallelS === undefined ? {} : { rolling_parallel_s: parallelS, workers }),
  }));
}
if (Deno.args.includes("--no-growth")) Deno.exit(0);
say("growth with symbols (history 8760 h):");
for (const n of [50, 100, 250, 500].filter((n) => n <= SYMBOLS)) {
  say(`  ${String(n).padStart(4)} symbols: ${single(universe.slice(0, n), end).toFixed(2)} ms`);
}
say(`growth with history length (${Math.min(SYMBOLS, 500)} symbols, as of the end of each history):`);
for (const h of [720, 2190, 4380, 8760].filter((h) => h <= HOURS)) {
  say(`  ${String(h).padStart(5)} h: ${single(universe, START + h * HOUR).toFixed(2)} ms`);
}
