import * as arrow from "apache-arrow";
import * as pq from "parquet-wasm";
import type { ColumnChunk } from "hyparquet";
import type { PageLocation } from "hyparquet/src/types.js";
import type { ParquetSchemaSpec } from "../../config/sections/cold.ts";
import { InputError, show } from "../../util/errors.ts";
import type { FileDigest } from "./checksum.ts";
import type { ColumnBatch, ValueColumn } from "./columns.ts";
import { sliceBatch, VALUE_COLUMNS } from "./columns.ts";
import { type DecodedColumn, fastPathDecodes, readColumnSpan, readPageLocations } from "./parquet_pages.ts";
import {
  corrupt,
  type ParquetFooter,
  pruneRowGroups,
  readFooter,
  type RowGroupInfo,
} from "./parquet_footer.ts";
import { openPositional, type PositionalFile } from "./positional_file.ts";
import { schemaMismatch } from "./schema.ts";
import type { IoEvent, TimeRange } from "./types.ts";

/** Reading Parquet parts: PIT windows, row groups pruned, only the asked columns decoded. */

/** Converts one Arrow record batch (from parquet-wasm) to a ColumnBatch. */
function fromArrow(t: arrow.Table, wanted: readonly ValueColumn[]): ColumnBatch {
  const n = t.numRows;
  const ts = new Float64Array(n);
  const tsCol = t.getChild("ts")!;
  let o = 0;
  for (const d of tsCol.data) {
    const v = d.values as BigInt64Array | Float64Array | Int32Array;
    for (let i = 0; i < d.length; i++) ts[o++] = Number(v[d.offset + i]);
  }
  const symbol = new Array<string>(n);
  const symCol = t.getChild("symbol")!;
  o = 0;
  for (const d of symCol.data) {
    if (d.dictionary) {
      const dict = d.dictionary.toArray() as string[];
      const idx = d.values as Int32Array;
      for (let i = 0; i < d.length; i++) symbol[o++] = dict[idx[d.offset + i]];
    } else {
      const v = new arrow.Vector([d]);
      for (let i = 0; i < d.length; i++) symbol[o++] = v.get(i) as string;
    }
  }
  const out: ColumnBatch = { length: n, ts, symbol };
  for (const c of wanted) {
    const col = t.getChild(c)!;
    if (col.data.length === 1 && col.nullCount === 0) {
      const d = col.data[0];
      out[c] = (d.values as Float64Array).subarray(d.offset, d.offset + d.length);
    } else {
      const arr = new Float64Array(n);
      for (let i = 0; i < n; i++) arr[i] = (col.get(i) as number | null) ?? NaN;
      out[c] = arr;
    }
  }
  return out;
}

export interface ParquetReadRequest {
  range: TimeRange;
  /** Value columns to project (ts and symbol are always read: they drive the filters). */
  columns: readonly ValueColumn[];
  symbols?: ReadonlySet<string>;
  spec: ParquetSchemaSpec;
  signal?: AbortSignal;
  onIo?: (e: IoEvent) => void;
  batchSize?: number;
  /** The file's digest from the manifest: every byte read is verified against it (legacy files: none). */
  digest?: FileDigest;
}

/** A sample of the file's first rows for schema error messages (best effort: never throws). */
async function sampleRow(file: PositionalFile): Promise<string> {
  try {
    const pf = await pq.ParquetFile.fromFile(file.blob());
    try {
      const t = arrow.tableFromIPC((await pf.read({ limit: 1, rowGroups: [0] })).intoIPCStream());
      const r = t.get(0)?.toJSON();
      return r ? show(r, 200) : "(no rows)";
    } finally {
      pf.free();
    }
  } catch {
    return "(unreadable)";
  }
}

/** Throws an InputError naming the file, field, expected vs found type and a sample row, on mismatch. */
export async function assertFileSchema(
  file: PositionalFile,
  footer: ParquetFooter,
  spec: ParquetSchemaSpec,
): Promise<void> {
  const problem = schemaMismatch(spec, footer.elements, file.path);
  if (problem) throw new InputError(`${problem}; sample row: ${await sampleRow(file)}`);
}

/**
 * Streams the rows of one Parquet file inside the window, in file order: schema checked against the spec,
 * row groups pruned by their ts statistics, only the asked columns decoded, one row group in memory at a
 * time, rows outside [from, to] dropped (never yielded; row groups whose statistics start after `to` are
 * never read).
 *
 * Files in the encodings parquet-rs/DuckDB/Spark write by default take the fast page decoder
 * (parquet_pages.ts): per row group `ts` is decoded first, then only the span of rows inside the window, for
 * `symbol` and the asked value columns, from the pages that hold it (offset index). Others (DELTA_*
 * encodings, legacy LZ4, …) take parquet-wasm. The footer is read once, for pruning, schema check and pages.
 */
export async function* readParquetFile(path: string, req: ParquetReadRequest): AsyncGenerator<ColumnBatch> {
  const file = await openPositional(path, req.digest);
  try {
    req.onIo?.({ kind: "file", path });
    const footer = await readFooter(file);
    await assertFileSchema(file, footer, req.spec);
    const groups = pruneRowGroups(footer.rowGroups, req.range);
    if (groups.length === 0) return;
    const names = footer.elements.slice(1).map((e) => e.name);
    const colIdx = ["ts", "symbol", ...req.columns].map((c) => names.indexOf(c));
    const fast = fastPathDecodes(footer.metadata, groups.map((g) => g.index), colIdx);
    if (fast) yield* readGroups(file, footer, groups, colIdx, req);
    else yield* readGroupsWasm(file, groups, req);
  } finally {
    req.onIo?.({ kind: "bytes", path, bytes: file.bytesRead });
    await file.close();
  }
}

/** Rows [lo, hi) of each column asked, decoded by the fast page decoder; nulls of value columns → NaN. */
async function readSpan(
  file: PositionalFile,
  chunks: ColumnChunk[],
  pages: (PageLocation[] | undefined)[],
  specs: { type: "INT64" | "DOUBLE" | "BYTE_ARRAY"; optional: boolean }[],
  lo: number,
  hi: number,
): Promise<DecodedColumn[]> {
  try {
    return await Promise.all(chunks.map((c, i) => readColumnSpan(file, c, specs[i], lo, hi, pages[i])));
  } catch (err) {
    throw corrupt(file.path, err);
  }
}

/**
 * The rows of a ts column inside [from, to]: [lo, hi) holds all of them (in sorted data, only them:
 * kept === hi - lo). The whole column is scanned: stopping at the first ts > to would silently drop rows of
 * a file that is not sorted further on (a foreign file); row groups past `to` are pruned by their
 * statistics instead. A plain function so V8 optimises its loop early.
 */
export function windowSpan(
  ts: Float64Array,
  from: number,
  to: number,
): { lo: number; hi: number; kept: number } {
  let lo = -1;
  let hi = -1;
  let kept = 0;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (t >= from && t <= to) {
      if (lo < 0) lo = i;
      hi = i + 1;
      kept++;
    }
  }
  return { lo, hi, kept };
}

/** keep[i] = 1 for the rows with from <= ts <= to (and a wanted symbol); returns how many. */
function windowMask(
  b: ColumnBatch,
  from: number,
  to: number,
  symbols: ReadonlySet<string> | undefined,
  keep: Uint8Array,
): number {
  let kept = 0;
  for (let i = 0; i < b.length; i++) {
    const t = b.ts[i];
    if (t >= from && t <= to && (!symbols || symbols.has(b.symbol[i]))) {
      keep[i] = 1;
      kept++;
    }
  }
  return kept;
}

/**
 * The fast path: per row group, `ts` is decoded first (dictionary-encoded: a few KiB); then only the span of
 * rows inside the window is decoded for `symbol` and the asked value columns, from the pages that hold it.
 */
async function* readGroups(
  file: PositionalFile,
  footer: ParquetFooter,
  groups: RowGroupInfo[],
  colIdx: number[],
  req: ParquetReadRequest,
): AsyncGenerator<ColumnBatch> {
  const path = file.path;
  const md = footer.metadata;
  const leaves = footer.elements.slice(1);
  const specs = colIdx.map((i) => ({
    type: leaves[i].type as "INT64" | "DOUBLE" | "BYTE_ARRAY",
    optional: leaves[i].repetition_type !== "REQUIRED",
  }));
  const { from, to } = req.range;
  for (const g of groups) {
    req.signal?.throwIfAborted();
    req.onIo?.({ kind: "row_group", path, index: g.index, rows: g.rows, bytes: g.bytes });
    const chunks = colIdx.map((i) => md.row_groups[g.index].columns[i]);
    let pages: (PageLocation[] | undefined)[];
    try {
      pages = await readPageLocations(file, chunks);
    } catch (err) {
      throw corrupt(path, err);
    }
    const [allTs] = await readSpan(file, [chunks[0]], [pages[0]], [specs[0]], 0, g.rows) as Float64Array[];
    const span = windowSpan(allTs, from, to);
    const { lo, hi } = span;
    if (span.kept > 0) {
      req.signal?.throwIfAborted();
      const rest = await readSpan(file, chunks.slice(1), pages.slice(1), specs.slice(1), lo, hi);
      const batch: ColumnBatch = { length: hi - lo, ts: allTs.subarray(lo, hi), symbol: rest[0] as string[] };
      req.columns.forEach((c, k) => batch[c] = rest[k + 1] as Float64Array);
      const out = keepInWindow(batch, span.kept, req);
      if (out) yield out;
    }
  }
}

/** The parquet-wasm path, for files whose codec hyparquet cannot decode (legacy Hadoop LZ4, LZO). */
async function* readGroupsWasm(
  file: PositionalFile,
  groups: RowGroupInfo[],
  req: ParquetReadRequest,
): AsyncGenerator<ColumnBatch> {
  const path = file.path;
  let pf: pq.ParquetFile;
  try {
    pf = await pq.ParquetFile.fromFile(file.blob());
  } catch (err) {
    throw corrupt(path, err);
  }
  try {
    const cols = ["ts", "symbol", ...req.columns];
    for (const g of groups) {
      req.signal?.throwIfAborted();
      req.onIo?.({ kind: "row_group", path, index: g.index, rows: g.rows, bytes: g.bytes });
      let stream: ReadableStream;
      try {
        stream = await pf.stream({ rowGroups: [g.index], columns: cols, batchSize: req.batchSize ?? 65536 });
      } catch (err) {
        throw corrupt(path, err);
      }
      const reader = stream.getReader();
      try {
        while (true) {
          let next: ReadableStreamReadResult<pq.RecordBatch>;
          try {
            next = await reader.read();
          } catch (err) {
            throw corrupt(path, err);
          }
          if (next.done) break;
          req.signal?.throwIfAborted();
          const batch = fromArrow(arrow.tableFromIPC(next.value.intoIPCStream()), req.columns);
          const span = windowSpan(batch.ts, req.range.from, req.range.to);
          if (span.kept > 0) {
            const out = keepInWindow(sliceBatch(batch, span.lo, span.hi), span.kept, req);
            if (out) yield out;
          }
        }
      } finally {
        await reader.cancel().catch(() => {});
        reader.releaseLock();
      }
    }
  } finally {
    pf.free();
  }
}

/**
 * The rows of a batch spanning [lo, hi) of windowSpan that are inside the window and of a wanted symbol
 * (all of them when the span holds only window rows and no symbol filter is set); undefined when none.
 */
function keepInWindow(
  batch: ColumnBatch,
  spanKept: number,
  req: ParquetReadRequest,
): ColumnBatch | undefined {
  if (spanKept === batch.length && !req.symbols) return batch;
  const keep = new Uint8Array(batch.length);
  const kept = windowMask(batch, req.range.from, req.range.to, req.symbols, keep);
  if (kept === 0) return undefined;
  return kept === batch.length ? batch : compact(batch, keep, kept);
}

function compact(b: ColumnBatch, keep: Uint8Array, n: number): ColumnBatch {
  const ts = new Float64Array(n);
  const symbol = new Array<string>(n);
  const out: ColumnBatch = { length: n, ts, symbol };
  const vals = VALUE_COLUMNS.filter((c) => b[c]);
  for (const c of vals) out[c] = new Float64Array(n);
  for (let i = 0, j = 0; i < b.length; i++) {
    if (!keep[i]) continue;
    ts[j] = b.ts[i];
    symbol[j] = b.symbol[i];
    for (const c of vals) out[c]![j] = b[c]![i];
    j++;
  }
  return out;
}
