import * as arrow from "apache-arrow";
import * as pq from "parquet-wasm";
import { parquetMetadataAsync } from "hyparquet";
import type { ParquetSchemaSpec } from "../../config/sections/cold.ts";
import { InputError, show } from "../../util/errors.ts";
import type { ColumnBatch, Columns, ValueColumn } from "./columns.ts";
import { VALUE_COLUMNS } from "./columns.ts";
import { openPositional, type PositionalFile } from "./positional_file.ts";
import { arrowSchema, type FooterSchemaElement, schemaMismatch } from "./schema.ts";
import type { IoEvent, ParquetCompression, TimeRange } from "./types.ts";

/** Parquet codecs by config name. `lz4` is LZ4_RAW: the legacy LZ4 codec is unreadable by DuckDB & co. */
export const PARQUET_CODECS: Record<ParquetCompression, pq.Compression> = {
  gzip: pq.Compression.GZIP,
  lz4: pq.Compression.LZ4_RAW,
  snappy: pq.Compression.SNAPPY,
  zstd: pq.Compression.ZSTD,
  uncompressed: pq.Compression.UNCOMPRESSED,
};

/** Builds the Arrow record batch of sorted rows: ts int64 ms (UTC), symbol dictionary-encoded utf8. */
function toArrow(cols: Columns, spec: ParquetSchemaSpec): arrow.Table {
  const schema = arrowSchema(spec);
  const n = cols.length;
  const ts = new BigInt64Array(n);
  for (let i = 0; i < n; i++) ts[i] = BigInt(cols.ts[i]);
  const dictValues = [...new Set(cols.symbol)].sort();
  const code = new Map(dictValues.map((s, i) => [s, i]));
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = code.get(cols.symbol[i])!;
  const dictVector = arrow.vectorFromArray(dictValues, new arrow.Utf8());
  const children = schema.fields.map((f) => {
    if (f.name === "ts") return arrow.makeData({ type: f.type, data: ts, length: n });
    if (f.name === "symbol") {
      return arrow.makeData({ type: f.type, data: indices, length: n, dictionary: dictVector });
    }
    return arrow.makeData({ type: f.type, data: cols[f.name as ValueColumn], length: n });
  });
  const data = arrow.makeData({ type: new arrow.Struct(schema.fields), length: n, children });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, data)]);
}

/** Encodes sorted rows as one Parquet file (row groups of `rowGroupSize`, chunk statistics on). */
export function encodeParquet(
  cols: Columns,
  spec: ParquetSchemaSpec,
  compression: ParquetCompression,
  rowGroupSize: number,
): Uint8Array {
  const ipc = arrow.tableToIPC(toArrow(cols, spec), "stream");
  const table = pq.Table.fromIPCStream(ipc);
  const props = new pq.WriterPropertiesBuilder()
    .setCompression(PARQUET_CODECS[compression])
    .setMaxRowGroupSize(rowGroupSize)
    .setStatisticsEnabled(pq.EnabledStatistics.Chunk)
    .setCreatedBy("cryptorun cold tier (parquet-wasm)")
    .build();
  return pq.writeParquet(table, props);
}

export interface RowGroupInfo {
  index: number;
  rows: number;
  /** Compressed bytes of all its column chunks. */
  bytes: number;
  minTs: number | null;
  maxTs: number | null;
}

export interface ParquetFooter {
  path: string;
  size: number;
  rows: number;
  rowGroups: RowGroupInfo[];
  elements: FooterSchemaElement[];
}

function tsNumber(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number") return v;
  return null;
}

function corrupt(path: string, err: unknown): InputError {
  const msg = err instanceof Error ? err.message : String(err);
  return new InputError(`${path}: not a readable Parquet file (corrupt or truncated?): ${msg}`);
}

/** Reads only the footer (hyparquet): schema, row groups, ts min/max statistics. */
export async function readFooter(file: PositionalFile): Promise<ParquetFooter> {
  // deno-lint-ignore no-explicit-any
  let md: any;
  try {
    md = await parquetMetadataAsync(file.asyncBuffer(), {
      initialFetchSize: Math.min(file.size, 8 * 1024), // footers of our files are a few KiB; hyparquet re-fetches when larger
      // deno-lint-ignore no-explicit-any
    } as any);
  } catch (err) {
    throw corrupt(file.path, err);
  }
  // deno-lint-ignore no-explicit-any
  const tsIdx = (md.schema as FooterSchemaElement[]).slice(1).findIndex((e: any) => e.name === "ts");
  // deno-lint-ignore no-explicit-any
  const rowGroups: RowGroupInfo[] = md.row_groups.map((rg: any, index: number) => {
    const stats = tsIdx >= 0 ? rg.columns[tsIdx]?.meta_data?.statistics : undefined;
    return {
      index,
      rows: Number(rg.num_rows),
      // deno-lint-ignore no-explicit-any
      bytes: rg.columns.reduce((s: number, c: any) => s + Number(c.meta_data?.total_compressed_size ?? 0), 0),
      minTs: tsNumber(stats?.min_value ?? stats?.min),
      maxTs: tsNumber(stats?.max_value ?? stats?.max),
    };
  });
  return {
    path: file.path,
    size: file.size,
    rows: Number(md.num_rows),
    rowGroups,
    elements: md.schema as FooterSchemaElement[],
  };
}

/** Footer of a file by path (opens and closes it). */
export async function footerOf(path: string): Promise<ParquetFooter> {
  const f = await openPositional(path);
  try {
    return await readFooter(f);
  } finally {
    await f.close();
  }
}

/** Row groups that may hold rows in [from, to] (groups without statistics are kept and filtered later). */
export function pruneRowGroups(groups: RowGroupInfo[], range: TimeRange): RowGroupInfo[] {
  return groups.filter((g) =>
    g.rows > 0 && (g.minTs === null || g.maxTs === null || (g.maxTs >= range.from && g.minTs <= range.to))
  );
}

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
 * time, rows outside [from, to] dropped. In a ts-sorted file, reading stops at the first ts > to.
 */
export async function* readParquetFile(path: string, req: ParquetReadRequest): AsyncGenerator<ColumnBatch> {
  const file = await openPositional(path);
  let pf: pq.ParquetFile | undefined;
  try {
    req.onIo?.({ kind: "file", path });
    const footer = await readFooter(file);
    await assertFileSchema(file, footer, req.spec);
    const groups = pruneRowGroups(footer.rowGroups, req.range);
    if (groups.length === 0) return;
    try {
      pf = await pq.ParquetFile.fromFile(file.blob());
    } catch (err) {
      throw corrupt(path, err);
    }
    const cols = ["ts", "symbol", ...req.columns];
    let lastTs = -Infinity;
    let sorted = true;
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
          const { from, to } = req.range;
          const keep = new Uint8Array(batch.length);
          let kept = 0;
          let pastEnd = false;
          for (let i = 0; i < batch.length; i++) {
            const t = batch.ts[i];
            if (t < lastTs) sorted = false;
            lastTs = t;
            if (t > to) {
              if (sorted) {
                pastEnd = true;
                break;
              }
              continue;
            }
            if (t >= from && (!req.symbols || req.symbols.has(batch.symbol[i]))) {
              keep[i] = 1;
              kept++;
            }
          }
          if (kept > 0) yield kept === batch.length ? batch : compact(batch, keep, kept);
          if (pastEnd) return; // PIT: nothing after `to` is read on
        }
      } finally {
        await reader.cancel().catch(() => {});
        reader.releaseLock();
      }
    }
  } finally {
    pf?.free();
    req.onIo?.({ kind: "bytes", path, bytes: file.bytesRead });
    await file.close();
  }
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
