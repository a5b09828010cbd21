import { join } from "node:path";
import type { ParquetSchemaSpec } from "../../config/sections/cold.ts";
import { InputError, show } from "../../util/errors.ts";
import { writeFileSynced } from "../../util/atomic_write.ts";
import { isoMs } from "../../util/time.ts";
import { type Columns, ColumnsBuilder, filterColumns } from "./columns.ts";
import { CSV_EXTENSIONS } from "./compression.ts";
import { writeCsvFile } from "./csv_file.ts";
import { dtOf, extensionsOf, listPartFiles, partitionOf, partName } from "./layout.ts";
import { encodeParquet } from "./parquet_file.ts";
import { checkRow } from "./row_check.ts";
import type {
  CsvCompression,
  InvalidReason,
  OhlcvRow,
  ParquetCompression,
  StorageFormat,
  TimeRange,
  WriteResult,
} from "./types.ts";

/** How one part file is encoded. */
export interface PartEncoder {
  format: StorageFormat;
  ext: string;
  /** Writes sorted rows to `path` (a temp name; the commit renames it). Returns bytes written. */
  write(path: string, cols: Columns): Promise<number>;
}

export function parquetEncoder(
  spec: ParquetSchemaSpec,
  compression: ParquetCompression,
  rowGroupSize: number,
): PartEncoder {
  return {
    format: "parquet",
    ext: ".parquet",
    async write(path, cols) {
      const bytes = encodeParquet(cols, spec, compression, rowGroupSize);
      await writeFileSynced(path, bytes);
      return bytes.length;
    },
  };
}

export function csvEncoder(compression: CsvCompression): PartEncoder {
  return {
    format: "csv",
    ext: CSV_EXTENSIONS[compression],
    write: (path, cols) => writeCsvFile(path, cols, compression),
  };
}

/** Reads the (ts, symbol) keys stored in a partition's files within a window (duplicate detection). */
export type KeyReader = (paths: string[], range: TimeRange) => Promise<Set<string>>;

export interface WriteRowsOptions {
  root: string;
  encoder: PartEncoder;
  readKeys: KeyReader;
  maxRowsPerFile: number;
  skipInvalid: boolean;
  signal?: AbortSignal;
  onProgress?: (rowsSeen: number) => void;
  /** Hard-links a committed temp file to its part name (default `Deno.link`; a seam for failure tests). */
  link?: (from: string, to: string) => Promise<void>;
}

interface TempPart {
  dt: string;
  dir: string;
  tmp: string;
  minTs: number;
  maxTs: number;
  rows: number;
  bytes: number;
}

const key = (ts: number, symbol: string) => `${ts}|${symbol}`;

/**
 * Validates rows, buffers them per UTC day (at most `maxRowsPerFile` rows in memory), writes each flushed
 * buffer sorted by (ts, symbol) as a hidden temp file in its `dt=` directory, and only when every row is in
 * commits them: each temp file becomes the next free `part-NNNNN` (a hard link never overwrites an existing
 * part). Any error before the commit removes every temp file; an error during the commit also removes the
 * parts this commit already linked: nothing is half-written, other days and earlier parts untouched.
 * Duplicated (ts, symbol) keys — inside the input or against rows already stored — are rejected.
 */
export async function writeRows(
  rows: Iterable<OhlcvRow> | AsyncIterable<OhlcvRow>,
  o: WriteRowsOptions,
): Promise<WriteResult> {
  const buffers = new Map<string, ColumnsBuilder>();
  const temps: TempPart[] = [];
  const skipped: Partial<Record<InvalidReason, number>> = {};
  let buffered = 0;
  let seen = 0;
  const skip = (r: InvalidReason, n = 1) => (skipped[r] = (skipped[r] ?? 0) + n);

  const flush = async (dt: string) => {
    const b = buffers.get(dt)!;
    buffers.delete(dt);
    buffered -= b.length;
    let cols = b.buildSorted();
    cols = await dropDuplicates(cols, dt, temps, o, skip);
    if (cols.length === 0) return;
    const dir = partitionOf(o.root, dt).dir;
    await Deno.mkdir(dir, { recursive: true });
    const tmp = join(dir, `.part-${crypto.randomUUID().slice(0, 12)}.tmp${o.encoder.ext}`);
    temps.push({
      dt,
      dir,
      tmp,
      minTs: cols.ts[0],
      maxTs: cols.ts[cols.length - 1],
      rows: cols.length,
      bytes: 0,
    });
    temps[temps.length - 1].bytes = await o.encoder.write(tmp, cols);
  };

  try {
    for await (const row of rows as AsyncIterable<OhlcvRow>) {
      seen++;
      if ((seen & 0xfff) === 0) {
        o.signal?.throwIfAborted();
        o.onProgress?.(seen);
      }
      const problem = checkRow(row as unknown as Record<string, unknown>);
      if (problem) {
        if (o.skipInvalid) {
          skip(problem.reason);
          continue;
        }
        throw new InputError(`row ${seen}: ${problem.message}; sample row: ${show(row, 200)}`);
      }
      const dt = dtOf(row.ts);
      let b = buffers.get(dt);
      if (!b) buffers.set(dt, b = new ColumnsBuilder());
      b.push(row);
      buffered++;
      if (buffered >= o.maxRowsPerFile) {
        let largest = dt;
        for (const [d, bb] of buffers) if (bb.length > buffers.get(largest)!.length) largest = d;
        await flush(largest);
      }
    }
    for (const dt of [...buffers.keys()].sort()) await flush(dt);
    o.signal?.throwIfAborted();
    o.onProgress?.(seen);
    return await commit(temps, o.encoder, skipped, o.link ?? Deno.link);
  } catch (err) {
    await Promise.all(temps.map((t) => Deno.remove(t.tmp).catch(() => {})));
    throw err;
  }
}

async function dropDuplicates(
  cols: Columns,
  dt: string,
  temps: TempPart[],
  o: WriteRowsOptions,
  skip: (r: InvalidReason, n?: number) => void,
): Promise<Columns> {
  const n = cols.length;
  if (n === 0) return cols;
  const keep = new Uint8Array(n).fill(1);
  let dups = 0;
  let firstDup = -1;
  for (let i = 1; i < n; i++) {
    if (cols.ts[i] === cols.ts[i - 1] && cols.symbol[i] === cols.symbol[i - 1]) {
      keep[i] = 0;
      dups++;
      if (firstDup < 0) firstDup = i;
    }
  }
  const range = { from: cols.ts[0], to: cols.ts[n - 1] };
  const dir = partitionOf(o.root, dt).dir;
  const stored = (await listPartFiles(dir)).filter((f) => extensionsOf(o.encoder.format).includes(f.ext));
  const own = temps.filter((t) => t.dt === dt && t.maxTs >= range.from && t.minTs <= range.to).map((t) =>
    t.tmp
  );
  const paths = [...stored.map((f) => f.path), ...own];
  if (paths.length > 0) {
    const existing = await o.readKeys(paths, range);
    for (let i = 0; i < n; i++) {
      if (keep[i] && existing.has(key(cols.ts[i], cols.symbol[i]))) {
        keep[i] = 0;
        dups++;
        if (firstDup < 0 || i < firstDup) firstDup = i;
      }
    }
  }
  if (dups === 0) return cols;
  if (!o.skipInvalid) {
    throw new InputError(
      `duplicate (ts, symbol): ${isoMs(cols.ts[firstDup])} ${cols.symbol[firstDup]} ` +
        `(ts=${cols.ts[firstDup]}) appears more than once in the input or is already stored in ${dir}; ` +
        `${dups} duplicate row(s) in day ${dt} (use --skip-invalid to skip them)`,
    );
  }
  skip("duplicate", dups);
  return filterColumns(cols, keep);
}

/**
 * Links every temp file to the next free part name of its day. All or nothing: on any error other than a
 * taken name, the parts this commit already linked are removed again (the caller removes the temp files).
 */
async function commit(
  temps: TempPart[],
  encoder: PartEncoder,
  skipped: Partial<Record<InvalidReason, number>>,
  link: (from: string, to: string) => Promise<void>,
): Promise<WriteResult> {
  const next = new Map<string, number>();
  const files: string[] = [];
  const partitions = new Set<string>();
  let rows = 0;
  let bytes = 0;
  try {
    for (const t of temps) {
      let n = next.get(t.dir) ??
        ((await listPartFiles(t.dir)).reduce((m, f) => Math.max(m, f.number), -1) + 1);
      while (true) {
        const final = join(t.dir, partName(n, encoder.ext));
        try {
          await link(t.tmp, final); // never overwrites: a concurrent writer's part stays intact
        } catch (err) {
          if (err instanceof Deno.errors.AlreadyExists) {
            n++;
            continue;
          }
          throw err;
        }
        files.push(final);
        break;
      }
      next.set(t.dir, n + 1);
      partitions.add(t.dt);
      rows += t.rows;
      bytes += t.bytes;
    }
  } catch (err) {
    const left: string[] = [];
    for (const f of files) {
      try {
        await Deno.remove(f);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) left.push(`${f} (${(e as Error).message})`);
      }
    }
    if (left.length > 0) {
      throw new Error(
        `cold write: commit failed (${(err as Error).message}) and could not remove the part file(s) it ` +
          `had already committed; remove them by hand: ${left.join(", ")}`,
        { cause: err },
      );
    }
    throw err;
  }
  // Every part is linked: the temp names are no longer needed (a leftover one is ignored by readers).
  await Promise.all(temps.map((t) => Deno.remove(t.tmp).catch(() => {})));
  return { rows, files, partitions: [...partitions].sort(), bytes, skipped };
}
