import { isNumeric, type TableSchema } from "./schema.ts";

/**
 * Columnar batches of any cold-tier table, keyed by column name: numbers (timestamps as epoch ms, doubles,
 * int64 counts) in a Float64Array with null = NaN, strings in a string[] with null = "". Readers always
 * include the key columns (ts, symbol[, …]: they drive the window, the symbol filter and the merge order) and
 * the asked ones.
 */

export type Column = Float64Array | string[];

export interface Batch {
  length: number;
  cols: Record<string, Column>;
}

/** A row as the generic API takes and yields it: column → number (NaN = null) or string ("" = null). */
export type TableRow = Record<string, number | string>;

/** What a writer accepts per column: null and undefined are null. */
export type RowInput = Record<string, number | string | null | undefined>;

export function num(b: Batch, c: string): Float64Array {
  return b.cols[c] as Float64Array;
}

export function str(b: Batch, c: string): string[] {
  return b.cols[c] as string[];
}

/** Rows [start, end) of a batch, as views of the number columns (the batch itself when it is all of it). */
export function sliceBatch(b: Batch, start: number, end: number): Batch {
  if (start === 0 && end === b.length) return b;
  const cols: Record<string, Column> = {};
  for (const [k, v] of Object.entries(b.cols)) {
    cols[k] = v instanceof Float64Array ? v.subarray(start, end) : v.slice(start, end);
  }
  return { length: end - start, cols };
}

/** Keeps only the rows where `keep[i]` is 1 (`n` of them). */
export function compactBatch(b: Batch, keep: Uint8Array, n: number): Batch {
  if (n === b.length) return b;
  const cols: Record<string, Column> = {};
  for (const [k, v] of Object.entries(b.cols)) {
    if (v instanceof Float64Array) {
      const out = new Float64Array(n);
      for (let i = 0, j = 0; i < b.length; i++) if (keep[i]) out[j++] = v[i];
      cols[k] = out;
    } else {
      const out = new Array<string>(n);
      for (let i = 0, j = 0; i < b.length; i++) if (keep[i]) out[j++] = v[i];
      cols[k] = out;
    }
  }
  return { length: n, cols };
}

/** Copies a batch (for consumers that keep batches beyond the next iteration). */
export function cloneBatch(b: Batch): Batch {
  const cols: Record<string, Column> = {};
  for (const [k, v] of Object.entries(b.cols)) cols[k] = v.slice();
  return { length: b.length, cols };
}

/** Row `i` of a batch with only the asked columns, in the order asked. */
export function rowOf(b: Batch, i: number, columns: readonly string[]): TableRow {
  const r: TableRow = {};
  for (const c of columns) r[c] = b.cols[c][i];
  return r;
}

/** An all-null column of `n` rows (a field a file does not hold). */
export function nullColumn(numeric: boolean, n: number): Column {
  return numeric ? new Float64Array(n).fill(NaN) : new Array<string>(n).fill("");
}

/** Equal values, with NaN (null) equal to NaN. */
export function sameValue(a: number | string, b: number | string): boolean {
  return a === b || (a !== a && b !== b);
}

/**
 * Orders rows by key: ts (numeric), then symbol, then the rest of the key (strings or numbers). A plain
 * function over one batch pair so that the merge's inner loop stays monomorphic.
 */
export type KeyCompare = (a: Batch, i: number, b: Batch, j: number) => number;

export function keyCompare(key: readonly string[]): KeyCompare {
  const rest = key.slice(2);
  return (a, i, b, j) => {
    const ta = (a.cols.ts as Float64Array)[i];
    const tb = (b.cols.ts as Float64Array)[j];
    if (ta !== tb) return ta < tb ? -1 : 1;
    const sa = (a.cols.symbol as string[])[i];
    const sb = (b.cols.symbol as string[])[j];
    if (sa !== sb) return sa < sb ? -1 : 1;
    for (const k of rest) {
      const x = a.cols[k][i];
      const y = b.cols[k][j];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
}

/** The key of row `i` as one string (maps, sets, messages). */
export function keyString(b: Batch, i: number, key: readonly string[]): string {
  let s = "";
  for (let k = 0; k < key.length; k++) s += (k ? "|" : "") + b.cols[key[k]][i];
  return s;
}

/** The key of a row object as one string (same form as keyString). */
export function rowKeyString(r: RowInput, key: readonly string[]): string {
  let s = "";
  for (let k = 0; k < key.length; k++) s += (k ? "|" : "") + r[key[k]];
  return s;
}

/**
 * Grows a table's columns row by row (numbers in plain arrays until `buildSorted`). Rows have been checked
 * (row_check.ts): null/undefined become NaN or "".
 */
export class BatchBuilder {
  readonly cols: Record<string, (number | string)[]> = {};
  private readonly numeric: boolean[];
  private readonly names: string[];
  minTs = Infinity;
  maxTs = -Infinity;

  constructor(readonly schema: TableSchema) {
    this.names = schema.fields.map((f) => f.name);
    this.numeric = schema.fields.map((f) => isNumeric(f.type));
    for (const n of this.names) this.cols[n] = [];
  }

  get length(): number {
    return this.cols.ts.length;
  }

  push(r: RowInput): void {
    for (let k = 0; k < this.names.length; k++) {
      const v = r[this.names[k]];
      this.cols[this.names[k]].push(v === null || v === undefined ? (this.numeric[k] ? NaN : "") : v);
    }
    const ts = r.ts as number;
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
  }

  /** Appends row `i` of a batch holding every column of the schema. */
  pushFrom(b: Batch, i: number): void {
    for (const n of this.names) this.cols[n].push(b.cols[n][i]);
    const ts = (b.cols.ts as Float64Array)[i];
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
  }

  /** The rows sorted by the schema's key. */
  buildSorted(): Batch {
    const n = this.length;
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    const ts = this.cols.ts as number[];
    const sym = this.cols.symbol as string[];
    const rest = this.schema.key.slice(2).map((k) => this.cols[k]);
    idx.sort((a, b) => {
      if (ts[a] !== ts[b]) return ts[a] - ts[b];
      if (sym[a] !== sym[b]) return sym[a] < sym[b] ? -1 : 1;
      for (const c of rest) if (c[a] !== c[b]) return c[a] < c[b] ? -1 : 1;
      return 0;
    });
    const cols: Record<string, Column> = {};
    for (const [k, name] of this.names.entries()) {
      const src = this.cols[name];
      if (this.numeric[k]) {
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = src[idx[i]] as number;
        cols[name] = out;
      } else {
        const out = new Array<string>(n);
        for (let i = 0; i < n; i++) out[i] = src[idx[i]] as string;
        cols[name] = out;
      }
    }
    return { length: n, cols };
  }
}
