/**
 * Backfill benchmark (issue 18): (1) trades → 1-minute bars, the aggregation of `cryptorun backfill` and of
 * `cold import --kraken-trades` (src/backfill/minute_bars.ts), in trades/s — goal ≥ 2 M/s; (2) bulk import of
 * Kraken OHLCVT files (`cold import --kraken-ohlcvt`, src/backfill/kraken_import.ts) from a zip into the
 * cold tier's ohlcv_1m table (Parquet zstd), in rows/s — goal ≥ 1 M/s — with its two parts timed alone:
 * reading (inflate + split lines + parse) and the cold write of the same rows (row checks, sort, key checks,
 * Parquet encoding, checksums, commit). Inputs are seeded; medians of --rounds.
 *
 *   deno run -A bench/backfill_bars.ts [--trades 2000000] [--symbols 10] [--days 10] [--rounds 3]
 */
import { parseArgs } from "node:util";
import { ColdSection } from "../src/config/sections/cold.ts";
import { openColdTables } from "../src/data/cold/store.ts";
import { MinuteAggregator } from "../src/backfill/minute_bars.ts";
import { importKrakenFiles } from "../src/backfill/kraken_import.ts";
import { buildSymbolMap, type KrakenPair } from "../src/providers/kraken/symbols.ts";
import { buildZip } from "../tests/helpers/zip.ts";
import { openSource } from "../src/backfill/kraken_files/zip_entries.ts";
import { textLines } from "../src/data/cold/csv_lines.ts";
import { parseOhlcvtLine } from "../src/backfill/kraken_files/rows.ts";

const { values } = parseArgs({
  options: {
    trades: { type: "string", default: "2000000" },
    symbols: { type: "string", default: "10" },
    days: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
  },
});
const N = Number(values.trades);
const SYMBOLS = Number(values.symbols);
const DAYS = Number(values.days);
const ROUNDS = Number(values.rounds);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

let seed = 42;
const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);

// (1) trades → bars: one symbol's prints, ~3 per second on average, in Float64Arrays.
const ts = new Float64Array(N);
const px = new Float64Array(N);
const qty = new Float64Array(N);
let t = Date.parse("2025-01-01T00:00:00Z");
let p = 50_000;
for (let i = 0; i < N; i++) {
  t += rnd() * 660;
  p *= 1 + (rnd() - 0.5) * 1e-4;
  ts[i] = t;
  px[i] = p;
  qty[i] = 0.0001 + rnd();
}
const aggRates: number[] = [];
let bars = 0;
for (let r = 0; r < ROUNDS + 1; r++) {
  const a = new MinuteAggregator("BTC/USD");
  const t0 = performance.now();
  for (let i = 0; i < N; i++) a.add(ts[i], px[i], qty[i]);
  bars = a.take(Infinity).length;
  const s = (performance.now() - t0) / 1000;
  if (r > 0) aggRates.push(N / s); // round 0 warms the JIT
}
console.log(
  `trades → bars: ${fmt(N)} trades → ${fmt(bars)} bars, median ${fmt(median(aggRates))} trades/s ` +
    `(rounds: ${aggRates.map(fmt).join(", ")}; goal ≥ 2,000,000)`,
);

// (2) bulk import: SYMBOLS × DAYS of 1-minute OHLCVT lines, zipped.
const BASES = ["XBT", "ETH", "SOL", "XRP", "ADA", "LTC", "DOT", "LINK", "XMR", "ATOM", "AVAX", "BCH"];
const pairs: KrakenPair[] = BASES.slice(0, SYMBOLS).map((b) => ({
  key: `${b}USD`,
  altname: `${b}USD`,
  wsname: `${b}/USD`,
  symbol: `${b === "XBT" ? "BTC" : b}/USD`,
  base: b,
  quote: "USD",
  pricePrecision: 2,
  qtyPrecision: 8,
}));
if (pairs.length < SYMBOLS) throw new Error(`--symbols: at most ${BASES.length}`);
const start = Date.parse("2025-01-01T00:00:00Z") / 1000;
const files = pairs.map((pr) => {
  const lines: string[] = [];
  let c = 100 + rnd() * 1000;
  for (let m = 0; m < DAYS * 1440; m++) {
    const o = c;
    c = o * (1 + (rnd() - 0.5) * 0.002);
    const hi = Math.max(o, c) * (1 + rnd() * 0.001);
    const lo = Math.min(o, c) * (1 - rnd() * 0.001);
    lines.push(
      `${start + m * 60},${o.toFixed(2)},${hi.toFixed(2)},${lo.toFixed(2)},${c.toFixed(2)},${
        (rnd() * 10).toFixed(8)
      },${1 + Math.floor(rnd() * 50)}`,
    );
  }
  return { name: `${pr.altname}_1.csv`, text: lines.join("\n") + "\n" };
});
const rows = SYMBOLS * DAYS * 1440;
const tmp = await Deno.makeTempDir({ prefix: "cryptorun-bench-import-" });
try {
  const zip = `${tmp}/Kraken_OHLCVT.zip`;
  const bytes = buildZip(files);
  await Deno.writeFile(zip, bytes);
  const cfg = ColdSection.parse({ format: "parquet", enable_parquet: true, parquet_compression: "zstd" });
  const totals: number[] = [];
  const reads: number[] = [];
  const writes: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // End to end: `cold import` as the CLI runs it.
    const dataDir = `${tmp}/data${r}`;
    let t0 = performance.now();
    const rep = await importKrakenFiles({
      tables: openColdTables(cfg, dataDir, { log: { warn() {} } }),
      kind: "ohlcvt",
      source: zip,
      symbols: buildSymbolMap(pairs),
      hourTable: "ohlcv",
      minuteTable: "ohlcv_1m",
      command: "bench",
    });
    totals.push(rows / ((performance.now() - t0) / 1000));
    const written = rep.tables.reduce((n, x) => n + x.rows_written, 0);
    if (written !== rows) throw new Error(`import wrote ${written} rows, expected ${rows}`);
    await Deno.remove(dataDir, { recursive: true });
    // Its parts: reading (inflate, lines, parse) alone, and the cold write of the same rows alone.
    t0 = performance.now();
    const all: Record<string, number | string | null>[] = [];
    {
      await using src = await openSource(zip);
      for (const f of src.files) {
        const symbol = buildSymbolMap(pairs).normalize(f.name.split("_")[0])!;
        let prev = -Infinity;
        for await (const { line, lineNo } of textLines(await f.open())) {
          const x = parseOhlcvtLine(f.name, lineNo, line, prev);
          prev = x.ts;
          all.push({ ...x, symbol, vwap: null });
        }
      }
    }
    reads.push(rows / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    await openColdTables(cfg, `${tmp}/w${r}`, { log: { warn() {} } }).table("ohlcv_1m").write(all);
    writes.push(rows / ((performance.now() - t0) / 1000));
    await Deno.remove(`${tmp}/w${r}`, { recursive: true });
  }
  console.log(
    `bulk import: ${fmt(rows)} rows (${SYMBOLS} pairs × ${DAYS} days, zip ${fmt(bytes.length)} bytes) → ` +
      `ohlcv_1m Parquet zstd: median ${fmt(median(totals))} rows/s end to end (rounds: ${
        totals.map(fmt).join(", ")
      }; goal ≥ 1,000,000); parts alone: read+parse ${fmt(median(reads))} rows/s, cold write ${
        fmt(median(writes))
      } rows/s`,
  );
} finally {
  await Deno.remove(tmp, { recursive: true });
}
