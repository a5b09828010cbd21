/**
 * Sizing for docs/DEPLOYMENT.md § Sizing, measured with the real code:
 *  - hot tier memory: the verified L2 books the ingest session holds (src/providers/kraken/book.ts), 100
 *    symbols at kraken.book_depth 10 (the default) and 100, heap delta after a forced GC;
 *  - hot tier disk: one day of microstructure snapshots (src/data/hot/store.ts) at the default one per
 *    symbol per second, measured on one hour of one symbol and scaled;
 *  - cold tier disk: one UTC day of 1-minute bars (kraken.bars_table) and hourly bars for 100 symbols,
 *    written by the cold store with the default config (Parquet, zstd).
 * Prices are a deterministic random walk (seeded), quantities and timestamps as Kraken sends them.
 *
 *   deno run -A --v8-flags=--expose-gc bench/sizing.ts [--symbols 100]
 */
import { parseArgs } from "node:util";
import { applySnapshot, type Book, newBook } from "../src/providers/kraken/book.ts";
import type { MicrostructureSnapshot } from "../src/market/snapshot.ts";
import { writeMicrostructureBatch } from "../src/data/hot/store.ts";
import { ColdSection } from "../src/config/sections/cold.ts";
import { openColdStore } from "../src/data/cold/store.ts";
import type { OhlcvRow } from "../src/data/cold/types.ts";

const { values } = parseArgs({ options: { symbols: { type: "string", default: "100" } } });
const N = Number(values.symbols);
const DAY0 = Date.parse("2026-01-05T00:00:00Z");
let seed = 20261204;
const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");

function heap(): number {
  gc!();
  gc!();
  return Deno.memoryUsage().heapUsed;
}

function booksHeap(depth: number): number {
  const before = heap();
  const books: Book[] = [];
  for (let s = 0; s < N; s++) {
    const mid = 10 + s * 3.7;
    const level = (i: number, side: 1 | -1) => ({
      priceText: (mid * (1 + side * (i + 1) / 10_000)).toFixed(5),
      qtyText: (rnd() * 100).toFixed(8),
    });
    const b = newBook(depth);
    applySnapshot(
      b,
      Array.from({ length: depth }, (_, i) => level(i, 1)),
      Array.from({ length: depth }, (_, i) => level(i, -1)),
    );
    books.push(b);
  }
  const used = heap() - before;
  if (books.length !== N) throw new Error("unreachable");
  return used;
}

async function hotDiskPerDay(dir: string): Promise<number> {
  const snaps: MicrostructureSnapshot[] = [];
  let mid = 64_000;
  for (let t = 0; t < 3600; t++) {
    mid *= 1 + (rnd() - 0.5) / 5000;
    const spread = 0.1 + rnd();
    snaps.push({
      ts: DAY0 + t * 1000,
      venue: "kraken",
      symbol: "BTC/USD",
      best_bid: Math.round((mid - spread / 2) * 10) / 10,
      best_ask: Math.round((mid + spread / 2) * 10) / 10,
      mid: Math.round(mid * 100) / 100,
      spread_bps: Math.round(spread / mid * 1e6) / 100,
      depth_usd_2pct: { bid: Math.round(rnd() * 5e6), ask: Math.round(rnd() * 5e6) },
      verified: true,
      checksum_ok: 4269 + t,
      checksum_failed: 0,
      resyncs: 0,
    });
  }
  await writeMicrostructureBatch(dir, "kraken", snaps);
  let bytes = 0;
  for await (const f of walk(dir)) bytes += (await Deno.stat(f)).size;
  return bytes * 24 * N; // one hour of one symbol → a day of N symbols
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) yield* walk(p);
    else yield p;
  }
}

function* dayBars(stepMs: number): Generator<OhlcvRow> {
  const px = Array.from({ length: N }, (_, i) => 10 + i * 3.7);
  for (let ts = DAY0; ts < DAY0 + 86_400_000; ts += stepMs) {
    for (let k = 0; k < N; k++) {
      const open = px[k];
      const close = Math.round(open * (1 + (rnd() - 0.5) / 500) * 1e5) / 1e5;
      px[k] = close;
      yield {
        ts,
        symbol: `S${String(k).padStart(3, "0")}/USD`,
        open,
        high: Math.round(Math.max(open, close) * (1 + rnd() / 1000) * 1e5) / 1e5,
        low: Math.round(Math.min(open, close) * (1 - rnd() / 1000) * 1e5) / 1e5,
        close,
        volume: Math.round(rnd() * 1e8) / 1e4,
      };
    }
  }
}

async function coldDiskPerDay(dir: string, table: string, stepMs: number): Promise<number> {
  const store = openColdStore(ColdSection.parse({ path: `cold/${table}`, parquet_schema: { table } }), dir);
  await store.write(table, dayBars(stepMs));
  let bytes = 0;
  for await (const f of walk(`${dir}/cold/${table}`)) bytes += (await Deno.stat(f)).size;
  return bytes;
}

const tmp = await Deno.makeTempDir({ prefix: "cryptorun-sizing-" });
try {
  const mb = (b: number) => (b / 1_048_576).toFixed(2);
  const rows = [
    ["hot tier memory, books depth 10", `${mb(booksHeap(10))} MiB heap per ${N} symbols`],
    ["hot tier memory, books depth 100", `${mb(booksHeap(100))} MiB heap per ${N} symbols`],
    ["hot tier disk, snapshots 1/s", `${mb(await hotDiskPerDay(`${tmp}/hot`))} MiB per day per ${N} symbols`],
    [
      "cold tier disk, 1-minute bars",
      `${mb(await coldDiskPerDay(tmp, "ohlcv_1m", 60_000))} MiB per day per ${N} symbols`,
    ],
    [
      "cold tier disk, hourly bars",
      `${mb(await coldDiskPerDay(tmp, "ohlcv", 3_600_000))} MiB per day per ${N} symbols`,
    ],
  ];
  console.log(`sizing (${N} symbols, Deno ${Deno.version.deno}, ${new Date().toISOString().slice(0, 10)})`);
  for (const [what, v] of rows) console.log(`${what.padEnd(36)} ${v}`);
} finally {
  await Deno.remove(tmp, { recursive: true });
}
