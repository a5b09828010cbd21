import * as arrow from "apache-arrow";
import * as pq from "parquet-wasm";
import { show } from "../../util/errors.ts";
import { type Batch, type Column, sliceBatch } from "./batch.ts";
import { corrupt, type RowGroupInfo } from "./parquet_footer.ts";
import { keepInWindow, type ParquetReadRequest, windowSpan } from "./parquet_window.ts";
import type { PositionalFile } from "./positional_file.ts";

/**
 * The parquet-wasm read path, for files the page decoder does not take (DELTA_* encodings, legacy Hadoop LZ4,
 * LZO): one row group at a time, same rows as the fast path (nulls → NaN or ""). Imported by parquet_read.ts
 * only when such a file is met, so ordinary reads never load parquet-wasm or apache-arrow. Its reads go
 * through the same verified positional file.
 */

/** One Arrow column as a batch column: numbers (timestamps, int64 → epoch/plain numbers) or strings. */
function columnOf(col: arrow.Vector, n: number): Column {
  const t = col.type;
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isDictionary(t) || arrow.DataType.isLargeUtf8(t)) {
    const out = new Array<string>(n);
    let o = 0;
    for (const d of col.data) {
      if (d.dictionary) {
        const dict = d.dictionary.toArray() as string[];
        const idx = d.values as Int32Array;
        for (let i = 0; i < d.length; i++) {
          out[o++] = d.nullCount > 0 && !d.getValid(i) ? "" : dict[idx[d.offset + i]];
        }
      } else {
        const v = new arrow.Vector([d]);
        for (let i = 0; i < d.length; i++) out[o++] = (v.get(i) as string | null) ?? "";
      }
    }
    return out;
  }
  const out = new Float64Array(n);
  let o = 0;
  for (const d of col.data) {
    const v = d.values as BigInt64Array | Float64Array | Int32Array;
    const nulls = d.nullCount > 0;
    for (let i = 0; i < d.length; i++) {
      out[o++] = nulls && !d.getValid(i) ? NaN : Number(v[d.offset + i]);
    }
  }
  return out;
}

/** Converts one Arrow record batch (from parquet-wasm) to a Batch of the given columns. */
function fromArrow(t: arrow.Table, names: readonly string[]): Batch {
  const n = t.numRows;
  const cols: Record<string, Column> = {};
  for (const c of names) cols[c] = columnOf(t.getChild(c)!, n);
  return { length: n, cols };
}

/** A sample of the file's first rows for schema error messages. */
export async function sampleRow(file: PositionalFile): Promise<string> {
  const pf = await pq.ParquetFile.fromFile(file.blob());
  try {
    const t = arrow.tableFromIPC((await pf.read({ limit: 1, rowGroups: [0] })).intoIPCStream());
    const r = t.get(0)?.toJSON();
    return r ? show(r, 200) : "(no rows)";
  } finally {
    pf.free();
  }
}

/** The row groups' window rows of the columns `names` (ts first), through parquet-wasm. */
export async function* readGroupsWasm(
  file: PositionalFile,
  groups: RowGroupInfo[],
  names: string[],
  req: ParquetReadRequest,
): AsyncGenerator<Batch> {
  const path = file.path;
  let pf: pq.ParquetFile;
  try {
    pf = await pq.ParquetFile.fromFile(file.blob());
  } catch (err) {
    throw corrupt(path, err);
  }
  try {
    for (const g of groups) {
      req.signal?.throwIfAborted();
      req.onIo?.({ kind: "row_group", path, index: g.index, rows: g.rows, bytes: g.bytes });
      let stream: ReadableStream;
      try {
        stream = await pf.stream({ rowGroups: [g.index], columns: names, batchSize: req.batchSize ?? 65536 });
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
          const batch = fromArrow(arrow.tableFromIPC(next.value.intoIPCStream()), names);
          const span = windowSpan(batch.cols.ts as Float64Array, req.range.from, req.range.to);
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
