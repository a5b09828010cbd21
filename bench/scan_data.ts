/** Synthetic hourly bars for the scan benchmarks: seeded random walks, `symbols` × `hours`, typed arrays. */
import type { Bars } from "../src/factors/bars.ts";
import type { SymbolSeries } from "../src/scan/engine.ts";

export const HOUR = 3_600_000;
export const START = Date.UTC(2023, 0, 1);

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticUniverse(symbols: number, hours: number, seed = 1): SymbolSeries[] {
  const out: SymbolSeries[] = [];
  for (let s = 0; s < symbols; s++) {
    const r = rng(seed * 100_003 + s);
    const b: Bars = {
      ts: new Float64Array(hours),
      open: new Float64Array(hours),
      high: new Float64Array(hours),
      low: new Float64Array(hours),
      close: new Float64Array(hours),
      volume: new Float64Array(hours),
    };
    let p = 10 + 100 * r();
    const sigma = 0.004 + 0.01 * r();
    for (let i = 0; i < hours; i++) {
      const o = p;
      const c = o * Math.exp(sigma * (r() * 2 - 1) * 1.7);
      b.ts[i] = START + i * HOUR;
      b.open[i] = o;
      b.close[i] = c;
      b.high[i] = Math.max(o, c) * (1 + sigma * r() * 0.5);
      b.low[i] = Math.min(o, c) * (1 - sigma * r() * 0.5);
      b.volume[i] = 1000 * (0.5 + r());
      p = c;
    }
    out.push({ symbol: `S${s}/USD`, venue: "bench", quote: "USD", bars: b });
  }
  return out;
}
