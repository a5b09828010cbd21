/**
 * Validation throughput (issue 17): rows/s of the bar validator (src/data/validate/validator.ts — schema,
 * staleness and the trailing-window robust-z checks of price and volume) against `cold write` of the SAME
 * rows (Parquet zstd, one commit, to a temp dir), and the ratio — the goal is validation costing less
 * than 20% of the write. Synthetic hourly bars (seeded, tests/data/cold/synthetic.ts). Keep --rows small on a
 * shared machine; the goal is stated for 10 M rows.
 *
 *   deno run -A bench/validate_throughput.ts [--rows 200000] [--symbols 100] [--rounds 3]
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { ColdSection } from "../src/config/sections/cold.ts";
import { ValidateSection } from "../src/config/sections/validate.ts";
import { openColdTables } from "../src/data/cold/store.ts";
import type { Finding } from "../src/data/validate/findings.ts";
import { BarValidator } from "../src/data/validate/validator.ts";
import { syntheticBars } from "../tests/data/cold/synthetic.ts";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "200000" },
    symbols: { type: "string", default: "100" },
    rounds: { type: "string", default: "3" },
  },
});
const ROWS = Number(values.rows), SYMBOLS = Number(values.symbols), ROUNDS = Number(values.rounds);
const H = 3_600_000;
const START = Date.parse("2024-01-01T00:00:00Z");
const symbols = Array.from({ length: SYMBOLS }, (_, i) => `S${String(i).padStart(3, "0")}/USD`);
const hours = Math.ceil(ROWS / SYMBOLS);
const bars = syntheticBars({ start: START, end: START + hours * H - 1, stepMs: H, symbols, seed: 17 })
  .sort((a, b) => a.ts - b.ts || (a.symbol < b.symbol ? -1 : 1)).slice(0, ROWS);
const n = bars.length;
// Columnar, as `cold validate` gets them from the reader.
const ts = new Float64Array(n), o = new Float64Array(n), h = new Float64Array(n), l = new Float64Array(n);
const c = new Float64Array(n), v = new Float64Array(n);
const sym: string[] = new Array(n);
bars.forEach((b, i) => {
  ts[i] = b.ts;
  sym[i] = b.symbol;
  o[i] = b.open;
  h[i] = b.high;
  l[i] = b.low;
  c[i] = b.close;
  v[i] = b.volume;
});
const cfg = ValidateSection.parse({});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Process CPU time (user + system, ms): moves far less than wall time when other work shares the cores. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const validateMs: number[] = [], validateCpu: number[] = [];
let findings = 0;
for (let r = 0; r < ROUNDS; r++) {
  const val = new BarValidator(cfg, { now: () => START + (hours + 1) * H });
  const out: Finding[] = [];
  const t0 = performance.now(), c0 = cpuMs();
  for (let i = 0; i < n; i++) val.checkBar(ts[i], sym[i], o[i], h[i], l[i], c[i], v[i], out);
  validateMs.push(performance.now() - t0);
  validateCpu.push(cpuMs() - c0);
  findings = out.length;
}
const writeMs: number[] = [], writeCpu: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const dir = await Deno.makeTempDir({ prefix: "cryptorun-bench-validate-" });
  try {
    const tables = openColdTables(ColdSection.parse({}), dir);
    const t0 = performance.now(), c0 = cpuMs();
    await tables.table("ohlcv").write(bars, { format: "parquet" });
    writeMs.push(performance.now() - t0);
    writeCpu.push(cpuMs() - c0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
const vm = median(validateMs), wm = median(writeMs);
console.log(JSON.stringify({
  rows: n,
  symbols: SYMBOLS,
  rounds: ROUNDS,
  findings,
  validate_ms: Number(vm.toFixed(1)),
  validate_rows_per_s: Math.round(n / (vm / 1000)),
  write_ms: Number(wm.toFixed(1)),
  write_rows_per_s: Math.round(n / (wm / 1000)),
  validate_over_write: Number((vm / wm).toFixed(3)),
  validate_cpu_ms: Number(median(validateCpu).toFixed(1)),
  write_cpu_ms: Number(median(writeCpu).toFixed(1)),
  validate_over_write_cpu: Number((median(validateCpu) / median(writeCpu)).toFixed(3)),
}));
