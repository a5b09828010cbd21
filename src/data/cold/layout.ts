import { join } from "node:path";
import { DAY_MS, timeOrNaN, utcDay } from "../../util/time.ts";
import type { TimeRange } from "./types.ts";

/**
 * Partitions (Hive style, UTC days): `dt=YYYY-MM-DD/part-NNNNN.<ext>` — inside a snapshot directory
 * (table_dir.ts), or directly under the root in a wave-1 table (legacy.ts). Names starting with "." are
 * temp files of a wave-1 write that was killed and are never read.
 */

const DT_RE = /^dt=(\d{4}-\d{2}-\d{2})$/;
const PART_RE = /^part-(\d{5,})\.(parquet|csv|csv\.gz|csv\.lz4)$/;

export interface Partition {
  dt: string;
  dir: string;
  /** First and last millisecond of the UTC day. */
  start: number;
  end: number;
}

export function partitionOf(root: string, dt: string): Partition {
  const start = timeOrNaN(dt);
  return { dt, dir: join(root, `dt=${dt}`), start, end: start + DAY_MS - 1 };
}

export function dtOf(ts: number): string {
  return utcDay(ts);
}

/** Every partition folder under `dir`, oldest first ([] when dir does not exist). */
export async function listPartitions(dir: string): Promise<Partition[]> {
  const out: Partition[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const m = DT_RE.exec(e.name);
      if (e.isDirectory && m && Number.isFinite(timeOrNaN(m[1]))) {
        out.push(partitionOf(dir, m[1]));
      }
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The `dt=*` folders directly under a table root (the wave-1 layout). */
export function legacyPartitionDirs(root: string): Promise<Partition[]> {
  return listPartitions(root);
}

/** A temp file a wave-1 write left behind (`.part-<id>.tmp<ext>`): never data. */
export function isLegacyDebris(name: string): boolean {
  return name.startsWith(".part-") && name.includes(".tmp");
}

/** Partitions whose UTC day intersects the inclusive window. */
export function prunePartitions<P extends { start: number; end: number }>(parts: P[], range: TimeRange): P[] {
  return parts.filter((p) => p.end >= range.from && p.start <= range.to);
}

export interface PartFile {
  name: string;
  path: string;
  number: number;
  ext: string;
}

/** The part files of a partition folder with extension `ext` (or all when omitted), in part order. */
export async function listPartFiles(dir: string, ext?: string): Promise<PartFile[]> {
  const out: PartFile[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const m = PART_RE.exec(e.name);
      if (!e.isFile || !m) continue;
      const fileExt = "." + m[2];
      if (ext !== undefined && fileExt !== ext) continue;
      out.push({ name: e.name, path: join(dir, e.name), number: Number(m[1]), ext: fileExt });
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  return out.sort((a, b) => a.number - b.number);
}

export function partName(n: number, ext: string): string {
  return `part-${String(n).padStart(5, "0")}${ext}`;
}

/** Extensions a format's files may have (CSV: any compression; reads detect it from the name). */
export function extensionsOf(format: "parquet" | "csv"): string[] {
  return format === "parquet" ? [".parquet"] : [".csv", ".csv.gz", ".csv.lz4"];
}

/** The format of a part file by its name. */
export function formatOfName(name: string): "parquet" | "csv" {
  return name.endsWith(".parquet") ? "parquet" : "csv";
}
