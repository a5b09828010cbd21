import { InputError, show } from "../../util/errors.ts";
import { isoMs } from "../../util/time.ts";
import { ColumnsBuilder, VALUE_COLUMNS } from "./columns.ts";
import type { Transaction } from "./commit.ts";
import { partitionOf } from "./layout.ts";
import type { ManifestFile } from "./manifest.ts";
import { mergeSorted } from "./merge.ts";
import type { OhlcvRow, TimeRange } from "./types.ts";
import { type FileReader, type PartEncoder, stagePart } from "./writer.ts";

/**
 * `cryptorun cold compact`: merges each partition's parts into one sorted part (or a few of at most
 * `maxRowsPerFile` rows), in one commit that removes the old parts and adds the new ones. Rows stored twice
 * with identical values (a wave-1 table written by two concurrent writers) are kept once and counted; the
 * same key with different values is an error naming both, and nothing is committed.
 */

export interface CompactOptions {
  encoder: PartEncoder;
  readFile: FileReader;
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

export async function compactPartitions(txn: Transaction, o: CompactOptions): Promise<CompactReport> {
  const byDt = new Map<string, ManifestFile[]>();
  for (const f of txn.base?.manifest.files ?? []) {
    const p = partitionOf("", f.dt);
    if (o.range && (p.end < o.range.from || p.start > o.range.to)) continue;
    byDt.set(f.dt, [...(byDt.get(f.dt) ?? []), f]);
  }
  const r: CompactReport = { partitions: [], removed: 0, added: 0, rows: 0, duplicatesDropped: 0 };
  for (const [dt, files] of [...byDt].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (files.length < 2) continue;
    o.signal?.throwIfAborted();
    o.onPartition?.(dt);
    const all = { from: partitionOf("", dt).start, to: partitionOf("", dt).end };
    const inputs = files.map((f) => o.readFile(txn.basePath(f), f, all, true));
    let b = new ColumnsBuilder();
    let last: OhlcvRow | undefined;
    let dropped = 0;
    for await (const batch of mergeSorted(inputs)) {
      for (let i = 0; i < batch.length; i++) {
        const row: OhlcvRow = {
          ts: batch.ts[i],
          symbol: batch.symbol[i],
          open: batch.open![i],
          high: batch.high![i],
          low: batch.low![i],
          close: batch.close![i],
          volume: batch.volume![i],
        };
        if (last && last.ts === row.ts && last.symbol === row.symbol) {
          if (VALUE_COLUMNS.every((c) => last![c] === row[c])) {
            dropped++;
            continue;
          }
          throw new InputError(
            `compact: (ts, symbol) ${
              isoMs(row.ts)
            } ${row.symbol} is stored twice in dt=${dt} with different ` +
              `values: ${show(last, 200)} and ${show(row, 200)}; nothing compacted`,
          );
        }
        last = row;
        b.push(row);
        if (b.length >= o.maxRowsPerFile) {
          await stagePart(txn, o.encoder, dt, b.buildSorted());
          r.added++;
          b = new ColumnsBuilder();
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
