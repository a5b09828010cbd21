import { type Batch, BatchBuilder } from "../../../src/data/cold/batch.ts";
import { OHLCV_SCHEMA } from "../../../src/data/cold/schemas/ohlcv.ts";
import type { OhlcvRow } from "../../../src/market/ohlcv.ts";

/** Rows as sorted columns (what the part encoders take). */
export function columnsOf(rows: OhlcvRow[]): Batch {
  const b = new BatchBuilder(OHLCV_SCHEMA);
  for (const r of rows) b.push(r);
  return b.buildSorted();
}

/** Deterministic (seeded LCG) OHLCV bars: `symbols` × every `stepMs` in [start, end). */
export function syntheticBars(
  opts: { start: number; end: number; stepMs: number; symbols: string[]; seed?: number },
): OhlcvRow[] {
  let s = opts.seed ?? 42;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const out: OhlcvRow[] = [];
  const px = new Map(opts.symbols.map((sym, i) => [sym, 100 * (i + 1)]));
  for (let ts = opts.start; ts < opts.end; ts += opts.stepMs) {
    for (const symbol of opts.symbols) {
      const open = px.get(symbol)!;
      const close = open * (1 + (rnd() - 0.5) / 50);
      const high = Math.max(open, close) * (1 + rnd() / 100);
      const low = Math.min(open, close) * (1 - rnd() / 100);
      out.push({ ts, symbol, open, high, low, close, volume: rnd() * 1000 });
      px.set(symbol, close);
    }
  }
  return out;
}

/** Parses the fixture CSV (ts_ms,symbol,open,high,low,close,volume). */
export function parseFixtureCsv(text: string): OhlcvRow[] {
  return text.trim().split("\n").slice(1).map((l) => {
    const f = l.split(",");
    return {
      ts: Number(f[0]),
      symbol: f[1],
      open: +f[2],
      high: +f[3],
      low: +f[4],
      close: +f[5],
      volume: +f[6],
    };
  });
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
