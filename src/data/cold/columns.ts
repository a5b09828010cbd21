import type { OhlcvRow } from "./types.ts";

/** Numeric columns of the ohlcv table besides ts. */
export const VALUE_COLUMNS = ["open", "high", "low", "close", "volume"] as const;
export type ValueColumn = typeof VALUE_COLUMNS[number];

/** A columnar slice of the ohlcv table (all columns). `ts` is epoch ms. */
export interface Columns {
  length: number;
  ts: Float64Array;
  symbol: string[];
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** A projected batch as the readers yield it: `ts` and `symbol` are always present (for filtering). */
export interface ColumnBatch {
  length: number;
  ts: Float64Array;
  symbol: string[];
  open?: Float64Array;
  high?: Float64Array;
  low?: Float64Array;
  close?: Float64Array;
  volume?: Float64Array;
}

/** Grows a columnar buffer row by row (numbers in plain arrays until `build`). */
export class ColumnsBuilder {
  ts: number[] = [];
  symbol: string[] = [];
  open: number[] = [];
  high: number[] = [];
  low: number[] = [];
  close: number[] = [];
  volume: number[] = [];
  minTs = Infinity;
  maxTs = -Infinity;

  get length(): number {
    return this.ts.length;
  }

  push(r: OhlcvRow): void {
    this.ts.push(r.ts);
    this.symbol.push(r.symbol);
    this.open.push(r.open);
    this.high.push(r.high);
    this.low.push(r.low);
    this.close.push(r.close);
    this.volume.push(r.volume);
    if (r.ts < this.minTs) this.minTs = r.ts;
    if (r.ts > this.maxTs) this.maxTs = r.ts;
  }

  /** The rows sorted by (ts, symbol). */
  buildSorted(): Columns {
    const n = this.ts.length;
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    const ts = this.ts;
    const sym = this.symbol;
    idx.sort((a, b) => ts[a] - ts[b] || (sym[a] < sym[b] ? -1 : sym[a] > sym[b] ? 1 : 0));
    const take = (src: number[]) => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = src[idx[i]];
      return out;
    };
    const symbol = new Array<string>(n);
    for (let i = 0; i < n; i++) symbol[i] = sym[idx[i]];
    return {
      length: n,
      ts: take(ts),
      symbol,
      open: take(this.open),
      high: take(this.high),
      low: take(this.low),
      close: take(this.close),
      volume: take(this.volume),
    };
  }
}

/** Keeps only the rows where `keep[i]` is true. */
export function filterColumns(c: Columns, keep: Uint8Array): Columns {
  let n = 0;
  for (let i = 0; i < c.length; i++) if (keep[i]) n++;
  if (n === c.length) return c;
  const pick = (src: Float64Array) => {
    const out = new Float64Array(n);
    for (let i = 0, j = 0; i < c.length; i++) if (keep[i]) out[j++] = src[i];
    return out;
  };
  const symbol: string[] = [];
  for (let i = 0; i < c.length; i++) if (keep[i]) symbol.push(c.symbol[i]);
  return {
    length: n,
    ts: pick(c.ts),
    symbol,
    open: pick(c.open),
    high: pick(c.high),
    low: pick(c.low),
    close: pick(c.close),
    volume: pick(c.volume),
  };
}

/** Row `i` of a batch as an object with only the projected columns, in the order asked. */
export function rowAt(b: ColumnBatch, i: number, columns: readonly string[]): Partial<OhlcvRow> {
  const r: Record<string, number | string> = {};
  for (const c of columns) {
    if (c === "ts") r.ts = b.ts[i];
    else if (c === "symbol") r.symbol = b.symbol[i];
    else r[c] = (b[c as ValueColumn] as Float64Array)[i];
  }
  return r as Partial<OhlcvRow>;
}

/** Rows [start, end) of a batch, as views of the number columns (the batch itself when it is all of it). */
export function sliceBatch(b: ColumnBatch, start: number, end: number): ColumnBatch {
  if (start === 0 && end === b.length) return b;
  const out: ColumnBatch = {
    length: end - start,
    ts: b.ts.subarray(start, end),
    symbol: b.symbol.slice(start, end),
  };
  for (const c of VALUE_COLUMNS) if (b[c]) out[c] = b[c]!.subarray(start, end);
  return out;
}
