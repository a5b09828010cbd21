/** Deterministic synthetic bars for tests (seeded; no Math.random). */
import { type Bars, barsFromRows, HOUR } from "../../src/factors/bars.ts";

export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Row {
  ts: number;
  symbol: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A random walk of `n` hourly bars starting at `start` (bar opens), hourly log-vol `sigma`. */
export function walkRows(
  symbol: string,
  start: number,
  n: number,
  seed: number,
  opts: { price?: number; sigma?: number; drift?: number; volume?: number } = {},
): Row[] {
  const r = rng(seed);
  let p = opts.price ?? 100;
  const sigma = opts.sigma ?? 0.01;
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const open = p;
    const close = open * Math.exp((opts.drift ?? 0) + sigma * (r() * 2 - 1) * 1.7);
    const high = Math.max(open, close) * (1 + sigma * r() * 0.5);
    const low = Math.min(open, close) * (1 - sigma * r() * 0.5);
    rows.push({
      ts: start + i * HOUR,
      symbol,
      open,
      high,
      low,
      close,
      volume: (opts.volume ?? 1000) * (0.5 + r()),
    });
    p = close;
  }
  return rows;
}

export function walk(start: number, n: number, seed: number, opts?: Parameters<typeof walkRows>[4]): Bars {
  return barsFromRows(walkRows("T/USD", start, n, seed, opts));
}

/** Bars from explicit closes (open = previous close, high/low = max/min ± `pad`). */
export function fromCloses(start: number, closes: number[], volume = 1000, pad = 0): Bars {
  return barsFromRows(closes.map((c, i) => {
    const o = i ? closes[i - 1] : c;
    return {
      ts: start + i * HOUR,
      open: o,
      high: Math.max(o, c) + pad,
      low: Math.min(o, c) - pad,
      close: c,
      volume,
    };
  }));
}
