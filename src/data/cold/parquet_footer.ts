import type { FileMetaData } from "hyparquet";
// By module, not the package entry (which loads node:fs for its Node file reader).
import { parquetMetadataAsync } from "hyparquet/src/metadata.js";
import { InputError } from "../../util/errors.ts";
import { ChecksumError, type FileDigest } from "./checksum.ts";
import { openPositional, type PositionalFile } from "./positional_file.ts";
import type { FooterSchemaElement } from "./schema.ts";
import type { TimeRange } from "./types.ts";

/** Parquet footers (hyparquet): schema, row groups and their ts statistics, for pruning and stats. */

export interface RowGroupInfo {
  index: number;
  /** Index of its first row in the file. */
  start: number;
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
  /** The decoded footer as hyparquet returns it (reused for the data reads: the footer is read once). */
  metadata: FileMetaData;
}

function tsNumber(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number") return v;
  return null;
}

/** A decoding failure as an InputError naming the file (a checksum error passes through as it is). */
export function corrupt(path: string, err: unknown): InputError {
  if (err instanceof ChecksumError) return err;
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
  let start = 0;
  // deno-lint-ignore no-explicit-any
  const rowGroups: RowGroupInfo[] = md.row_groups.map((rg: any, index: number) => {
    const stats = tsIdx >= 0 ? rg.columns[tsIdx]?.meta_data?.statistics : undefined;
    const rows = Number(rg.num_rows);
    start += rows;
    return {
      index,
      start: start - rows,
      rows,
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
    metadata: md as FileMetaData,
  };
}

/** Footer of a file by path (opens and closes it; verified against `digest` when given). */
export async function footerOf(path: string, digest?: FileDigest): Promise<ParquetFooter> {
  const f = await openPositional(path, digest);
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
