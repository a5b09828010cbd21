import { InputError, show } from "../../util/errors.ts";
import { type Batch, BatchBuilder, keyCompare, sameValue } from "./batch.ts";
import type { Transaction } from "./commit.ts";
import { partitionOf } from "./layout.ts";
import type { ManifestFile } from "./manifest.ts";
import { mergeSorted } from "./merge.ts";
import { type TableSchema, valueColumns } from "./schema.ts";
import type { TimeRange } from "./types.ts";
import { type FileReader, keyNames, type PartEncoder, showKey, stagePart } from "./writer.ts";

/**
 * `cryptorun cold compact`: merges each partition's parts into one sorted part (or a few of at most
 * `maxRowsPerFile` rows), in one commit that removes the old parts and adds the new ones. Rows stored twice
 * with identical values (a wave-1 table written by two concurrent writers) are kept once and counted; the
 * same key with different values is an error naming both, and nothing is committed.
 */

export interface CompactOptions {
  encoder: PartEncoder;
  readFile: FileReader;
  schema: TableSchema;
  /** Only partitions whose UTC day intersects this window (default: all). */
  range?: TimeRange;
  maxRowsPerFile: number;
  signal?: AbortSignal;
  onPartition?: (dt: string) => void;
}

export interface CompactReport {
  partitions: string[];
  removed: number;
  added: number;
  rows: number;
  duplicatesDropped: number;
}

/** Row i of a batch as an object (error messages). */
function rowObject(b: Batch, i: number): Record<string, number | string> {
  const o: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(b.cols)) o[k] = v[i];
  return o;
}

export async function compactPartitions(txn: Transaction, o: CompactOptions): Promise<CompactReport> {
  const byDt = new Map<string, ManifestFile[]>();
  for (const f of txn.base?.manifest.files ?? []) {
    const p = partitionOf("", f.dt);
    if (o.range && (p.end < o.range.from || p.start > o.range.to)) continue;
    byDt.set(f.dt, [...(byDt.get(f.dt) ?? []), f]);
  }
  const key = o.schema.key;
  const cmp = keyCompare(key);
  const values = valueColumns(o.schema);
  const r: CompactReport = { partitions: [], removed: 0, added: 0, rows: 0, duplicatesDropped: 0 };
  for (const [dt, files] of [...byDt].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (files.length < 2) continue;
    o.signal?.throwIfAborted();
    o.onPartition?.(dt);
    const all = { from: partitionOf("", dt).start, to: partitionOf("", dt).end };
    const inputs = files.map((f) => o.readFile(txn.basePath(f), f, all, true));
    let b = new BatchBuilder(o.schema);
    let last: { batch: Batch; i: number } | undefined;
    let dropped = 0;
    for await (const batch of mergeSorted(inputs, key)) {
      for (let i = 0; i < batch.length; i++) {
        if (last && cmp(last.batch, last.i, batch, i) === 0) {
          const prev = last;
          if (values.every((c) => sameValue(prev.batch.cols[c][prev.i], batch.cols[c][i]))) {
            dropped++;
            continue;
          }
          throw new InputError(
            `compact: ${keyNames(key)} ${
              showKey(batch, i, key).replace(/ \(ts=\d+\)$/, "")
            } is stored twice ` +
              `in dt=${dt} with different values: ${show(rowObject(prev.batch, prev.i), 200)} and ${
                show(rowObject(batch, i), 200)
              }; nothing compacted`,
          );
        }
        // Readers never reuse a batch's arrays, so the previous row stays valid after the next batch.
        last = { batch, i };
        b.pushFrom(batch, i);
        if (b.length >= o.maxRowsPerFile) {
          await stagePart(txn, o.encoder, dt, b.buildSorted());
          r.added++;
          b = new BatchBuilder(o.schema);
        }
      }
    }
    if (b.length > 0) {
      await stagePart(txn, o.encoder, dt, b.buildSorted());
      r.added++;
    }
    for (const f of files) txn.remove(f);
    r.removed += files.length;
    r.rows += files.reduce((n, f) => n + f.rows, 0) - dropped;
    r.duplicatesDropped += dropped;
    r.partitions.push(dt);
  }
  return r;
}
