/**
 * `deno bench -A bench/scan_bench.ts`: one scan as of the last bar of a year of hourly bars (synthetic,
 * seeded), at 100 and 500 symbols. The rolling-year run and cost growth: `deno run -A bench/scan_rolling.ts`.
 */
import { GatesSection } from "../src/config/sections/gates.ts";
import { RegimeSection } from "../src/config/sections/regime.ts";
import { runScan } from "../src/scan/engine.ts";
import { HOUR, START, syntheticUniverse } from "./scan_data.ts";

const gates = GatesSection.parse({});
const regime = RegimeSection.parse({});
const HOURS = 8760;
const universe = syntheticUniverse(500, HOURS);
const asOf = START + HOURS * HOUR;

for (const n of [100, 500]) {
  const series = universe.slice(0, n);
  Deno.bench(
    `scan: ${n} symbols × 1 year hourly, as of the last bar`,
    { group: "scan", baseline: n === 100 },
    () => {
      runScan({ asOf, series, gates, regime });
    },
  );
}
