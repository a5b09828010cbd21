import { join } from "node:path";
import { failpoint } from "../../util/failpoint.ts";
import type { Batch } from "./batch.ts";
import { digestFile } from "./checksum.ts";
import { csvCompressionOf } from "./compression.ts";
import { beginTransaction, type TransactionOptions } from "./commit.ts";
import { readCsvFile } from "./csv_file.ts";
import { collectGarbage } from "./gc.ts";
import { isLegacyDebris, legacyPartitionDirs } from "./layout.ts";
import { listLegacyFiles } from "./legacy.ts";
import type { TableLock } from "./lock.ts";
import type { Manifest, ManifestFile } from "./manifest.ts";
import { footerOf } from "./parquet_footer.ts";
import { readParquetFile } from "./parquet_read.ts";
import type { TableSchema } from "./schema.ts";
import { listDir, readCurrent, removeIfExists } from "./table_dir.ts";

/**
 * `cryptorun cold upgrade` (and the first write of a wave-1 table): converts the wave-1 layout into snapshot
 * v1 under the writer lock (legacy.ts describes the layout).
 */

/**
 * Indexes an existing part file for a manifest: its digest, then (reading the bytes just hashed, verified
 * against that digest) rows, ts range, row groups and codec. Schema errors name the file.
 */
export async function indexPartFile(
  path: string,
  dt: string,
  name: string,
  schema: TableSchema,
  signal?: AbortSignal,
): Promise<ManifestFile> {
  const digest = await digestFile(path, signal);
  const all = { from: -8.64e15, to: 8.64e15 };
  let rows = 0;
  let min: number | null = null;
  let max: number | null = null;
  let rowGroups = 0;
  let codec: string;
  let batches: AsyncIterable<Batch>;
  const format = name.endsWith(".parquet") ? "parquet" : "csv";
  if (format === "parquet") {
    const footer = await footerOf(path, digest);
    rowGroups = footer.rowGroups.length;
    const c = footer.metadata.row_groups[0]?.columns[0]?.meta_data?.codec ?? "UNCOMPRESSED";
    codec = c === "LZ4_RAW" ? "lz4" : c === "LZ4" ? "lz4_hadoop" : c.toLowerCase();
    batches = readParquetFile(path, { range: all, columns: [], schema, signal, digest });
  } else {
    codec = csvCompressionOf(name) ?? "none";
    batches = readCsvFile(path, { range: all, columns: [], schema, signal, digest });
  }
  for await (const b of batches) {
    rows += b.length;
    const ts = b.cols.ts as Float64Array;
    for (let i = 0; i < b.length; i++) {
      const t = ts[i];
      if (min === null || t < min) min = t;
      if (max === null || t > max) max = t;
    }
  }
  return {
    dt,
    name,
    format,
    codec,
    size: digest.size,
    rows,
    min_ts: min,
    max_ts: max,
    row_groups: rowGroups,
    blake3: digest.blake3,
    block_size: digest.blockSize,
    blocks: digest.blocks,
  };
}

export interface UpgradeResult {
  manifest: Manifest | null;
  files: number;
  /** Temp files of killed wave-1 writes that were dropped. */
  debris: number;
}

/**
 * Converts a wave-1 table into snapshot v1 (the caller holds the writer lock). Nothing to do (null) when
 * the table already has a snapshot — after collecting what an upgrade killed after its switch left — or
 * holds no legacy part.
 */
export async function upgradeLegacy(
  root: string,
  lock: TableLock,
  o: TransactionOptions & { schema: TableSchema },
): Promise<UpgradeResult | null> {
  const cur = await readCurrent(root);
  if (cur) {
    await collectGarbage(root, cur, o);
    return null;
  }
  const files = await listLegacyFiles(root);
  let debris = 0;
  for (const p of await legacyPartitionDirs(root)) {
    for (const e of await listDir(p.dir)) if (isLegacyDebris(e.name)) debris++;
  }
  if (files.length === 0) {
    if (debris === 0) return null;
    // Only debris: an empty table. Drop it.
    for (const p of await legacyPartitionDirs(root)) {
      for (const e of await listDir(p.dir)) {
        if (isLegacyDebris(e.name)) await Deno.remove(join(p.dir, e.name));
      }
      if ((await listDir(p.dir)).length === 0) await removeIfExists(p.dir);
    }
    return { manifest: null, files: 0, debris };
  }
  const txn = await beginTransaction(root, lock, o, null);
  try {
    for (const f of files) {
      o.signal?.throwIfAborted();
      txn.add(await indexPartFile(f.path, f.dt, f.name, o.schema, o.signal), f.path);
      await failpoint("cold.upgrade_indexed");
    }
    // The commit links the legacy files into v1, switches `current`, then its GC removes the root-level
    // folders (their files are linked from v1 now) and the debris.
    const manifest = await txn.commit("upgrade");
    return { manifest, files: files.length, debris };
  } catch (err) {
    await txn.abort();
    throw err;
  }
}
